//! `grep` for the terminal: basic (default) and extended (`-E`) regular expressions, fixed
//! strings (`-F`), and the options tutorials use: `-i -v -c -n -w -o -q -A/-B/-C`.
//!
//! Patterns support literals, `.`, bracket classes (`[a-z]`, `[^:]`, `[[:digit:]]`), `^`, `$`,
//! `*`, `+`, `?`, `{n,m}`, groups and alternation (`|` with `-E`, `\|` `\(` `\)` `\+` `\?` in
//! basic syntax, as GNU grep reads them). Matching walks sets of positions, so no pattern can
//! take exponential time.

use pilothouse_engine::vecmap::VecSet;

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    /// (ranges, negated)
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Group(Vec<Vec<Item>>),
}

#[derive(Debug, Clone)]
struct Item {
    node: Node,
    min: usize,
    max: Option<usize>,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    alts: Vec<Vec<Item>>,
    ignore_case: bool,
}

/// Applies a repeat to the last item (not to an anchor); false when there is none.
fn repeat_last(items: &mut [Item], min: usize, max: Option<usize>) -> bool {
    match items.last_mut() {
        Some(last) if !matches!(last.node, Node::Start | Node::End) => {
            last.min *= min;
            last.max = match (last.max, max) {
                (Some(a), Some(b)) => Some(a * b),
                _ => None,
            };
            true
        }
        _ => false,
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    i: usize,
    extended: bool,
    ignore_case: bool,
    _src: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    /// At `|` (ERE) or `\|` (BRE)?
    fn at_alt(&self) -> bool {
        if self.extended {
            self.peek() == Some('|')
        } else {
            self.peek() == Some('\\') && self.chars.get(self.i + 1) == Some(&'|')
        }
    }

    fn at_close(&self) -> bool {
        if self.extended {
            self.peek() == Some(')')
        } else {
            self.peek() == Some('\\') && self.chars.get(self.i + 1) == Some(&')')
        }
    }

    fn alternation(&mut self, depth: usize) -> Result<Vec<Vec<Item>>, String> {
        let mut alts = vec![self.sequence(depth)?];
        while self.at_alt() {
            self.i += if self.extended { 1 } else { 2 };
            alts.push(self.sequence(depth)?);
        }
        Ok(alts)
    }

    fn sequence(&mut self, depth: usize) -> Result<Vec<Item>, String> {
        let mut items: Vec<Item> = Vec::new();
        while let Some(c) = self.peek() {
            if self.at_alt() || (depth > 0 && self.at_close()) {
                break;
            }
            let node = match c {
                '.' => {
                    self.i += 1;
                    Node::Any
                }
                '^' if items.is_empty() => {
                    self.i += 1;
                    Node::Start
                }
                '$' if self.is_end_anchor() => {
                    self.i += 1;
                    Node::End
                }
                '[' => self.class()?,
                '(' if self.extended => {
                    self.i += 1;
                    let g = self.alternation(depth + 1)?;
                    if self.peek() != Some(')') {
                        return Err("Unmatched ( or \\(".into());
                    }
                    self.i += 1;
                    Node::Group(g)
                }
                ')' if self.extended => return Err("Unmatched ) or \\)".into()),
                '*' if items.is_empty() => {
                    self.i += 1;
                    Node::Char('*')
                }
                '*' | '+' | '?' | '{' if self.is_repeat(c) => {
                    let (min, max) = self.repeat()?;
                    if !repeat_last(&mut items, min, max) {
                        items.push(Item { node: Node::Char(c), min: 1, max: Some(1) });
                    }
                    continue;
                }
                '\\' => {
                    let n = self.chars.get(self.i + 1).copied().ok_or("Trailing backslash")?;
                    if !self.extended && n == '(' {
                        self.i += 2;
                        let g = self.alternation(depth + 1)?;
                        if !self.at_close() {
                            return Err("Unmatched ( or \\(".into());
                        }
                        self.i += 2;
                        Node::Group(g)
                    } else if !self.extended && (n == '+' || n == '?' || n == '{') {
                        self.i += 1;
                        let (min, max) = self.repeat()?;
                        repeat_last(&mut items, min, max);
                        continue;
                    } else {
                        self.i += 2;
                        match n {
                            'd' => Node::Class(vec![('0', '9')], false),
                            'w' => Node::Class(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
                            's' => Node::Class(vec![(' ', ' '), ('\t', '\t')], false),
                            other => Node::Char(other),
                        }
                    }
                }
                other => {
                    self.i += 1;
                    Node::Char(other)
                }
            };
            items.push(Item { node, min: 1, max: Some(1) });
        }
        Ok(items)
    }

    fn is_end_anchor(&self) -> bool {
        let next = self.chars.get(self.i + 1).copied();
        match next {
            None => true,
            Some('|') | Some(')') if self.extended => true,
            Some('\\') => matches!(self.chars.get(self.i + 2), Some('|') | Some(')')),
            _ => false,
        }
    }

    fn is_repeat(&self, c: char) -> bool {
        // In basic syntax only `*` repeats unescaped.
        self.extended || c == '*'
    }

    /// Reads `*`, `+`, `?` or `{n,m}` (`\{n,m\}` in basic syntax) at the cursor.
    fn repeat(&mut self) -> Result<(usize, Option<usize>), String> {
        let c = self.peek().unwrap_or('*');
        self.i += 1;
        Ok(match c {
            '*' => (0, None),
            '+' => (1, None),
            '?' => (0, Some(1)),
            _ => {
                let start = self.i;
                while self.peek().is_some_and(|c| c != '}') {
                    self.i += 1;
                }
                let body: String = self.chars[start..self.i].iter().collect();
                let body = body.trim_end_matches('\\').to_string();
                self.i += 1;
                let parse = |s: &str| s.trim().parse::<usize>().map_err(|_| "Invalid content of \\{\\}".to_string());
                match body.split_once(',') {
                    None => {
                        let n = parse(&body)?;
                        (n, Some(n))
                    }
                    Some((a, "")) => (parse(a)?, None),
                    Some(("", b)) => (0, Some(parse(b)?)),
                    Some((a, b)) => (parse(a)?, Some(parse(b)?)),
                }
            }
        })
    }

    fn class(&mut self) -> Result<Node, String> {
        self.i += 1;
        let negated = self.peek() == Some('^');
        if negated {
            self.i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("Unmatched [, [^, [:, [., or [=".into());
            };
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            if c == '[' && self.chars.get(self.i + 1) == Some(&':') {
                let rest: String = self.chars[self.i..].iter().collect();
                let end = rest.find(":]").ok_or("Unmatched [, [^, [:, [., or [=")?;
                let name = &rest[2..end];
                self.i += end + 2;
                ranges.extend_from_slice(match name {
                    "digit" => &[('0', '9')][..],
                    "alpha" => &[('a', 'z'), ('A', 'Z')],
                    "alnum" => &[('a', 'z'), ('A', 'Z'), ('0', '9')],
                    "upper" => &[('A', 'Z')],
                    "lower" => &[('a', 'z')],
                    "space" => &[(' ', ' '), ('\t', '\t')],
                    "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
                    _ => return Err("Invalid character class name".into()),
                });
                continue;
            }
            self.i += 1;
            if self.peek() == Some('-') && self.chars.get(self.i + 1).is_some_and(|n| *n != ']') {
                let hi = self.chars[self.i + 1];
                self.i += 2;
                ranges.push((c, hi));
            } else {
                ranges.push((c, c));
            }
        }
        if self.ignore_case {
            let extra: Vec<(char, char)> = ranges
                .iter()
                .flat_map(|&(a, b)| {
                    let lo = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
                    let up = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
                    [lo, up]
                })
                .collect();
            ranges.extend(extra);
        }
        Ok(Node::Class(ranges, negated))
    }
}

impl Pattern {
    /// Compiles `pat` (extended syntax with `extended`, a fixed string with `fixed`).
    pub fn new(pat: &str, extended: bool, fixed: bool, ignore_case: bool) -> Result<Pattern, String> {
        if fixed {
            let items = pat.chars().map(|c| Item { node: Node::Char(c), min: 1, max: Some(1) }).collect();
            return Ok(Pattern { alts: vec![items], ignore_case });
        }
        let mut p = Parser { chars: pat.chars().collect(), i: 0, extended, ignore_case, _src: pat };
        let alts = p.alternation(0)?;
        if p.i < p.chars.len() {
            return Err("Unmatched ) or \\)".into());
        }
        Ok(Pattern { alts, ignore_case })
    }

    fn char_eq(&self, a: char, b: char) -> bool {
        a == b || self.ignore_case && a.eq_ignore_ascii_case(&b)
    }

    fn node_ends(&self, node: &Node, text: &[char], pos: usize) -> VecSet<usize> {
        let mut out = VecSet::new();
        match node {
            Node::Char(c) => {
                if text.get(pos).is_some_and(|t| self.char_eq(*c, *t)) {
                    out.insert(pos + 1);
                }
            }
            Node::Any => {
                if pos < text.len() {
                    out.insert(pos + 1);
                }
            }
            Node::Class(ranges, negated) => {
                if let Some(t) = text.get(pos) {
                    if ranges.iter().any(|(a, b)| a <= t && t <= b) != *negated {
                        out.insert(pos + 1);
                    }
                }
            }
            Node::Start => {
                if pos == 0 {
                    out.insert(pos);
                }
            }
            Node::End => {
                if pos == text.len() {
                    out.insert(pos);
                }
            }
            Node::Group(alts) => {
                for seq in alts {
                    out.extend(self.seq_ends(seq, text, pos));
                }
            }
        }
        out
    }

    fn item_ends(&self, item: &Item, text: &[char], pos: usize) -> VecSet<usize> {
        let mut result = VecSet::new();
        let mut frontier: VecSet<usize> = VecSet::from([pos]);
        let mut seen: VecSet<usize> = VecSet::new();
        let mut count = 0usize;
        if item.min == 0 {
            result.insert(pos);
        }
        while !frontier.is_empty() && item.max.is_none_or(|m| count < m) {
            let mut next = VecSet::new();
            for &p in &frontier {
                next.extend(self.node_ends(&item.node, text, p));
            }
            count += 1;
            if item.max.is_none() {
                // Unbounded: positions already reached add nothing new.
                next.retain(|p| seen.insert(*p));
            }
            if count >= item.min {
                result.extend(next.iter().copied());
            }
            frontier = next;
        }
        result
    }

    fn seq_ends(&self, seq: &[Item], text: &[char], pos: usize) -> VecSet<usize> {
        let mut positions = VecSet::from([pos]);
        for item in seq {
            let mut next = VecSet::new();
            for &p in &positions {
                next.extend(self.item_ends(item, text, p));
            }
            positions = next;
            if positions.is_empty() {
                break;
            }
        }
        positions
    }

    /// The leftmost-longest match in `line`, as char offsets.
    pub fn find(&self, line: &str, from: usize) -> Option<(usize, usize)> {
        let text: Vec<char> = line.chars().collect();
        (from..=text.len()).find_map(|s| {
            let ends: VecSet<usize> = VecSet::from_iter(self.alts.iter().flat_map(|seq| self.seq_ends(seq, &text, s)));
            ends.last().map(|e| (s, *e))
        })
    }

    /// Whether `line` matches; with `word`, only where the match stands as a whole word.
    pub fn is_match(&self, line: &str, word: bool) -> bool {
        if !word {
            return self.find(line, 0).is_some();
        }
        let chars: Vec<char> = line.chars().collect();
        // ASCII word characters (GNU grep also counts other letters in a UTF-8 locale; the page
        // leaves out Unicode's letter tables, and kubectl's output is ASCII).
        let is_word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
        let mut from = 0;
        while let Some((s, e)) = self.find(line, from) {
            if !is_word(s.checked_sub(1).and_then(|i| chars.get(i))) && !is_word(chars.get(e)) {
                return true;
            }
            from = s + 1;
            if from > chars.len() {
                break;
            }
        }
        false
    }
}

/// Runs `grep ARGS` over `input` (or the files the arguments name, read with `read`).
/// Returns (stdout, stderr, exit code).
pub fn grep(args: &[String], input: Option<String>, read: &dyn Fn(&str) -> Option<String>) -> (String, String, i32) {
    let (mut invert, mut ignore, mut count, mut number, mut word, mut only, mut quiet, mut extended, mut fixed) = (false, false, false, false, false, false, false, false, false);
    let (mut after, mut before) = (0usize, 0usize);
    let mut patterns: Vec<String> = Vec::new();
    let mut operands: Vec<String> = Vec::new();
    let mut it = args.iter();
    let usage = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";
    let num = |v: Option<&String>| v.and_then(|v| v.parse::<usize>().ok());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--" => {
                operands.extend(it.by_ref().cloned());
                break;
            }
            "-e" => match it.next() {
                Some(p) => patterns.push(p.clone()),
                None => return (String::new(), format!("grep: option requires an argument -- 'e'\n{usage}"), 2),
            },
            "--ignore-case" => ignore = true,
            "--invert-match" => invert = true,
            "--count" => count = true,
            "--extended-regexp" => extended = true,
            s if s.starts_with("--") => return (String::new(), format!("grep: unrecognized option '{s}'\n{usage}"), 2),
            s if s.starts_with('-') && s.len() > 1 => {
                let flags: Vec<char> = s[1..].chars().collect();
                let mut k = 0;
                while k < flags.len() {
                    let f = flags[k];
                    match f {
                        'i' => ignore = true,
                        'v' => invert = true,
                        'c' => count = true,
                        'n' => number = true,
                        'w' => word = true,
                        'o' => only = true,
                        'q' => quiet = true,
                        'E' => extended = true,
                        'F' => fixed = true,
                        'G' => extended = false,
                        'A' | 'B' | 'C' | 'e' => {
                            let rest: String = flags[k + 1..].iter().collect();
                            let v = if rest.is_empty() { it.next().cloned() } else { Some(rest) };
                            if f == 'e' {
                                match v {
                                    Some(p) => patterns.push(p),
                                    None => return (String::new(), format!("grep: option requires an argument -- 'e'\n{usage}"), 2),
                                }
                            } else {
                                let Some(n) = num(v.as_ref()) else {
                                    return (String::new(), format!("grep: {}: invalid context length argument\n", v.unwrap_or_default()), 2);
                                };
                                if f != 'B' {
                                    after = n;
                                }
                                if f != 'A' {
                                    before = n;
                                }
                            }
                            break;
                        }
                        other => return (String::new(), format!("grep: invalid option -- '{other}'\n{usage}"), 2),
                    }
                    k += 1;
                }
            }
            _ => operands.push(a.clone()),
        }
    }
    if patterns.is_empty() {
        if operands.is_empty() {
            return (String::new(), usage.to_string(), 2);
        }
        patterns.push(operands.remove(0));
    }
    let mut compiled = Vec::new();
    for p in &patterns {
        // A pattern with newlines is several patterns.
        for one in p.split('\n') {
            match Pattern::new(one, extended, fixed, ignore) {
                Ok(c) => compiled.push(c),
                Err(e) => return (String::new(), format!("grep: {e}\n"), 2),
            }
        }
    }
    let mut sources: Vec<(Option<String>, String)> = Vec::new();
    let mut err = String::new();
    if operands.is_empty() {
        sources.push((None, input.unwrap_or_default()));
    } else {
        for f in &operands {
            match read(f) {
                Some(t) => sources.push((Some(f.clone()), t)),
                None => err.push_str(&format!("grep: {f}: No such file or directory\n")),
            }
        }
    }
    let many = sources.len() > 1;
    let mut out = String::new();
    let mut any = false;
    for (name, text) in &sources {
        let lines: Vec<&str> = text.lines().collect();
        let hit: Vec<bool> = lines.iter().map(|l| compiled.iter().any(|c| c.is_match(l, word)) != invert).collect();
        let n_hits = hit.iter().filter(|h| **h).count();
        any |= n_hits > 0;
        if quiet {
            continue;
        }
        let prefix = |i: usize, sep: char| {
            let mut p = String::new();
            if many {
                p.push_str(name.as_deref().unwrap_or(""));
                p.push(sep);
            }
            if number {
                p.push_str(&format!("{}{sep}", i + 1));
            }
            p
        };
        if count {
            out.push_str(&format!("{}{n_hits}\n", if many { format!("{}:", name.as_deref().unwrap_or("")) } else { String::new() }));
            continue;
        }
        // Lines to print: hits and their context; `--` between separate groups.
        let mut last_printed: Option<usize> = None;
        let mut pending_after = 0usize;
        for i in 0..lines.len() {
            let in_before = (i + 1..=(i + before).min(lines.len().saturating_sub(1))).any(|j| hit[j]);
            let show = hit[i] || pending_after > 0 || (before > 0 && in_before);
            if hit[i] {
                pending_after = after;
            } else {
                pending_after = pending_after.saturating_sub(1);
            }
            if !show {
                continue;
            }
            if (after > 0 || before > 0) && last_printed.is_some_and(|l| i > l + 1) {
                out.push_str("--\n");
            }
            last_printed = Some(i);
            if only && hit[i] && !invert {
                let mut from = 0;
                while let Some((s, e)) = compiled.iter().filter_map(|c| c.find(lines[i], from)).min() {
                    if e > s {
                        let m: String = lines[i].chars().skip(s).take(e - s).collect();
                        out.push_str(&format!("{}{m}\n", prefix(i, ':')));
                    }
                    from = e.max(s + 1);
                    if from > lines[i].chars().count() {
                        break;
                    }
                }
            } else if !only {
                out.push_str(&format!("{}{}\n", prefix(i, if hit[i] { ':' } else { '-' }), lines[i]));
            }
        }
    }
    let code = if !err.is_empty() && (!quiet || !any) {
        2
    } else if any {
        0
    } else {
        1
    };
    (out, err, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(args: &[&str], input: &str) -> (String, i32) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (out, _, code) = grep(&args, Some(input.to_string()), &|_| None);
        (out, code)
    }

    const DESCRIBE: &str = "Name:               minikube\nRoles:              control-plane\nTaints:             <none>\nUnschedulable:      false\nLease:\n  HolderIdentity:  minikube\nConditions:\n  Type   Status\n";

    #[test]
    fn patterns() {
        let m = |p: &str, ext: bool, s: &str| Pattern::new(p, ext, false, false).unwrap().is_match(s, false);
        assert!(m("^Name:", false, "Name: x"));
        assert!(!m("^Name:", false, "  Name: x"));
        assert!(m("a|b", true, "xbx"));
        assert!(!m("a|b", false, "xbx"));
        assert!(m("a\\|b", false, "xbx"));
        assert!(m("^(Running|Pending)$", true, "Pending"));
        assert!(!m("^(Running|Pending)$", true, "Pendings"));
        assert!(m("[0-9]+/[0-9]+", true, "web 1/1 Running"));
        assert!(m("[[:digit:]]\\{2\\}", false, "age 42s"));
        assert!(!m("x[^a-z]y", false, "xay"));
        assert!(m("co*l", false, "cl"));
        assert!(m("ab{2,3}c", true, "abbbc"));
        assert!(!m("ab{2,3}c", true, "abbbbc"));
        assert!(m("10\\.96\\.", false, "10.96.0.1"));
        assert!(!m("10\\.96\\.", false, "10x96x0"));
        assert!(m("(a*)*b", true, &format!("{}b", "a".repeat(40))));
        assert!(Pattern::new("(a", true, false, false).is_err());
        assert_eq!(Pattern::new("o+", true, false, false).unwrap().find("foo boo", 0), Some((1, 3)));
    }

    #[test]
    fn options() {
        assert_eq!(g(&["^Name:"], DESCRIBE), ("Name:               minikube\n".into(), 0));
        assert_eq!(g(&["-A1", "Taints"], DESCRIBE).0, "Taints:             <none>\nUnschedulable:      false\n");
        assert_eq!(g(&["-B", "1", "Lease"], DESCRIBE).0, "Unschedulable:      false\nLease:\n");
        assert_eq!(g(&["-A1", "-e", "Name", "-e", "Lease"], DESCRIBE).0, "Name:               minikube\nRoles:              control-plane\n--\nLease:\n  HolderIdentity:  minikube\n");
        assert_eq!(g(&["-c", "minikube"], DESCRIBE).0, "2\n");
        assert_eq!(g(&["-ic", "MINIKUBE"], DESCRIBE).0, "2\n");
        assert_eq!(g(&["-vc", "minikube"], DESCRIBE).0, "6\n");
        assert_eq!(g(&["-n", "Lease"], DESCRIBE).0, "5:Lease:\n");
        assert_eq!(g(&["-E", "Roles|Taints"], DESCRIBE).0.lines().count(), 2);
        assert_eq!(g(&["Roles\\|Taints"], DESCRIBE).0.lines().count(), 2);
        assert_eq!(g(&["-w", "Type"], "Type x\nTypes y\n").0, "Type x\n");
        assert_eq!(g(&["-o", "[0-9]*/[0-9]*"], "web 1/1 Running\ndb 0/1 Pending\n").0, "1/1\n0/1\n");
        assert_eq!(g(&["-q", "Name"], DESCRIBE), (String::new(), 0));
        assert_eq!(g(&["nothing"], DESCRIBE), (String::new(), 1));
        assert_eq!(g(&["-F", "a.b"], "a.b\naxb\n").0, "a.b\n");
        assert_eq!(g(&["-Z", "x"], "x").1, 2);
    }
}
