//! A small POSIX-shell lexer for the terminal: words with quotes and escapes, `$VAR` / `${VAR}` /
//! `$(command)` expansion, `&&` / `||` / `;` lists, `|` pipes, `>` / `>>` / `2>` / `2>&1`
//! redirections and `<<EOF` here-documents. No globbing, no arithmetic: enough for what people
//! type in Kubernetes tutorials.

/// How one simple command is joined to the next in a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Joiner {
    /// `;` or end of line: run the next regardless.
    Always,
    /// `&&`: run the next only on success.
    And,
    /// `||`: run the next only on failure.
    Or,
}

/// A redirection of a simple command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    /// `> file` (append with `>>`).
    Stdout { path: String, append: bool },
    /// `2> file`.
    Stderr { path: String, append: bool },
    /// `2>&1`.
    StderrToStdout,
    /// `&> file`.
    Both { path: String, append: bool },
    /// `< file`.
    Stdin(String),
}

/// One simple command: its words (after expansion) and redirections.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// The words, quotes removed.
    pub words: Vec<String>,
    /// Redirections in order.
    pub redirects: Vec<Redirect>,
    /// The here-document body, if the command has `<<DELIM`.
    pub heredoc: Option<String>,
    /// `NAME=value` assignments before the command.
    pub assignments: Vec<(String, String)>,
}

/// A pipeline: simple commands joined by `|`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pipeline {
    /// The stages.
    pub stages: Vec<Simple>,
}

/// A parsed line: pipelines and how each joins the next.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct List {
    /// (pipeline, joiner to the *next* pipeline).
    pub items: Vec<(Pipeline, Joiner)>,
}

/// What expands `$VAR` and `$(cmd)` while lexing.
pub trait Expander {
    /// The value of a variable (empty if unset).
    fn var(&self, name: &str) -> String;
    /// The output of a command substitution (trailing newlines removed by the lexer).
    fn substitute(&mut self, command: &str) -> String;
}

/// A lexing error (bash's wording).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError(pub String);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String, bool),
    AndAnd,
    OrOr,
    Semi,
    Pipe,
    Redir(String),
    HereDoc(String),
}

/// Whether a text needs more input before it can run: an open quote, a trailing `\`, or an
/// unterminated here-document. The page uses this to show a `> ` continuation prompt.
pub fn is_incomplete(text: &str) -> bool {
    if text.ends_with('\\') && !text.ends_with("\\\\") {
        return true;
    }
    let first = text.lines().next().unwrap_or("");
    if let Some(delim) = heredoc_delimiter(first) {
        return !text.lines().skip(1).any(|l| l.trim_end() == delim);
    }
    let mut single = false;
    let mut double = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !single => {
                chars.next();
            }
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
    }
    single || double
}

/// The delimiter of a here-document started on this line (`<<EOF`, `<< 'EOF'`, `<<-EOF`).
pub fn heredoc_delimiter(line: &str) -> Option<String> {
    let mut single = false;
    let mut double = false;
    let b: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '\'' && !double {
            single = !single;
        } else if c == '"' && !single {
            double = !double;
        } else if c == '<' && !single && !double && i + 1 < b.len() && b[i + 1] == '<' && b.get(i + 2) != Some(&'<') {
            let mut j = i + 2;
            if b.get(j) == Some(&'-') {
                j += 1;
            }
            while j < b.len() && b[j] == ' ' {
                j += 1;
            }
            let mut d = String::new();
            while j < b.len() && !b[j].is_whitespace() && !matches!(b[j], ';' | '|' | '&' | '>' | '<') {
                if b[j] != '\'' && b[j] != '"' {
                    d.push(b[j]);
                }
                j += 1;
            }
            if !d.is_empty() {
                return Some(d);
            }
        }
        i += 1;
    }
    None
}

/// Splits a whole command (first line plus, for a here-document, its body lines) into the
/// command line and the body.
pub fn split_heredoc(text: &str) -> (String, Option<String>) {
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    match heredoc_delimiter(&first) {
        None => (text.replace("\\\n", ""), None),
        Some(d) => {
            let mut body = String::new();
            for l in lines {
                if l.trim_end() == d {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            (first, Some(body))
        }
    }
}

#[allow(unused_assignments)]
fn tokenize(line: &str, ex: &mut dyn Expander) -> Result<Vec<Tok>, LexError> {
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    macro_rules! flush {
        () => {
            if in_word {
                toks.push(Tok::Word(std::mem::take(&mut cur), quoted));
                in_word = false;
                quoted = false;
            }
        };
    }
    while i < n {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                flush!();
                i += 1;
            }
            '#' if !in_word => break,
            '\\' => {
                in_word = true;
                if i + 1 < n {
                    if chars[i + 1] != '\n' {
                        cur.push(chars[i + 1]);
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            '\'' => {
                in_word = true;
                quoted = true;
                i += 1;
                let start = i;
                while i < n && chars[i] != '\'' {
                    i += 1;
                }
                if i >= n {
                    return Err(LexError("unexpected EOF while looking for matching `''".into()));
                }
                cur.extend(&chars[start..i]);
                i += 1;
            }
            '"' => {
                in_word = true;
                quoted = true;
                i += 1;
                loop {
                    if i >= n {
                        return Err(LexError("unexpected EOF while looking for matching `\"'".into()));
                    }
                    let d = chars[i];
                    if d == '"' {
                        i += 1;
                        break;
                    }
                    if d == '\\' && i + 1 < n && matches!(chars[i + 1], '"' | '\\' | '$' | '`') {
                        cur.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    if d == '$' {
                        i = expand_dollar(&chars, i, &mut cur, ex)?;
                        continue;
                    }
                    cur.push(d);
                    i += 1;
                }
            }
            '$' => {
                in_word = true;
                i = expand_dollar(&chars, i, &mut cur, ex)?;
            }
            '&' if i + 1 < n && chars[i + 1] == '&' => {
                flush!();
                toks.push(Tok::AndAnd);
                i += 2;
            }
            '&' if i + 1 < n && chars[i + 1] == '>' => {
                flush!();
                if i + 2 < n && chars[i + 2] == '>' {
                    toks.push(Tok::Redir("&>>".into()));
                    i += 3;
                } else {
                    toks.push(Tok::Redir("&>".into()));
                    i += 2;
                }
            }
            '&' => {
                // Background jobs are not supported; treat `cmd &` as `cmd`.
                flush!();
                i += 1;
            }
            '|' if i + 1 < n && chars[i + 1] == '|' => {
                flush!();
                toks.push(Tok::OrOr);
                i += 2;
            }
            '|' => {
                flush!();
                toks.push(Tok::Pipe);
                i += 1;
            }
            ';' => {
                flush!();
                toks.push(Tok::Semi);
                i += 1;
            }
            '>' => {
                let fd2 = in_word && cur == "2" && !quoted;
                if fd2 {
                    cur.clear();
                    in_word = false;
                } else {
                    flush!();
                }
                let mut op = if fd2 { "2>".to_string() } else { ">".to_string() };
                i += 1;
                if i < n && chars[i] == '>' {
                    op.push('>');
                    i += 1;
                }
                if i + 1 < n && chars[i] == '&' && chars[i + 1] == '1' && fd2 {
                    op = "2>&1".into();
                    i += 2;
                }
                toks.push(Tok::Redir(op));
            }
            '<' if i + 1 < n && chars[i + 1] == '<' => {
                flush!();
                i += 2;
                if i < n && chars[i] == '-' {
                    i += 1;
                }
                while i < n && chars[i] == ' ' {
                    i += 1;
                }
                let mut d = String::new();
                while i < n && !chars[i].is_whitespace() && !matches!(chars[i], ';' | '|' | '&' | '>' | '<') {
                    if chars[i] != '\'' && chars[i] != '"' {
                        d.push(chars[i]);
                    }
                    i += 1;
                }
                if d.is_empty() {
                    return Err(LexError("syntax error near unexpected token `newline'".into()));
                }
                toks.push(Tok::HereDoc(d));
            }
            '<' => {
                flush!();
                toks.push(Tok::Redir("<".into()));
                i += 1;
            }
            _ => {
                in_word = true;
                cur.push(c);
                i += 1;
            }
        }
    }
    flush!();
    Ok(toks)
}

/// Expands `$NAME`, `${NAME}`, `$(cmd)` and `$?`-like specials at `chars[i] == '$'`; returns
/// the index after the expansion.
fn expand_dollar(chars: &[char], i: usize, cur: &mut String, ex: &mut dyn Expander) -> Result<usize, LexError> {
    let n = chars.len();
    let mut j = i + 1;
    if j >= n {
        cur.push('$');
        return Ok(j);
    }
    match chars[j] {
        '(' => {
            let mut depth = 1;
            let start = j + 1;
            j += 1;
            let mut single = false;
            let mut double = false;
            while j < n {
                let c = chars[j];
                if c == '\'' && !double {
                    single = !single;
                } else if c == '"' && !single {
                    double = !double;
                } else if !single && !double {
                    if c == '(' {
                        depth += 1;
                    } else if c == ')' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
                j += 1;
            }
            if j >= n {
                return Err(LexError("unexpected EOF while looking for matching `)'".into()));
            }
            let inner: String = chars[start..j].iter().collect();
            let out = ex.substitute(&inner);
            cur.push_str(out.trim_end_matches('\n'));
            Ok(j + 1)
        }
        '{' => {
            let start = j + 1;
            while j < n && chars[j] != '}' {
                j += 1;
            }
            if j >= n {
                return Err(LexError("bad substitution".into()));
            }
            let inner: String = chars[start..j].iter().collect();
            let (name, default) = match inner.split_once(":-") {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (inner.clone(), None),
            };
            let v = ex.var(&name);
            match default {
                Some(d) if v.is_empty() => cur.push_str(&d),
                _ => cur.push_str(&v),
            }
            Ok(j + 1)
        }
        '?' | '$' | '#' => {
            cur.push_str(&ex.var(&chars[j].to_string()));
            Ok(j + 1)
        }
        c if c.is_ascii_alphanumeric() || c == '_' => {
            let start = j;
            while j < n && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let name: String = chars[start..j].iter().collect();
            cur.push_str(&ex.var(&name));
            Ok(j)
        }
        _ => {
            cur.push('$');
            Ok(j)
        }
    }
}

/// Parses one command line (its here-document body given separately) into a list.
pub fn parse(line: &str, heredoc: Option<&str>, ex: &mut dyn Expander) -> Result<List, LexError> {
    let toks = tokenize(line, ex)?;
    let mut list = List::default();
    let mut pipe = Pipeline::default();
    let mut simple = Simple::default();
    let mut it = toks.into_iter().peekable();
    let finish_simple = |simple: &mut Simple, pipe: &mut Pipeline| -> Result<(), LexError> {
        if simple.words.is_empty() && simple.redirects.is_empty() && simple.assignments.is_empty() {
            return Err(LexError("syntax error near unexpected token".into()));
        }
        pipe.stages.push(std::mem::take(simple));
        Ok(())
    };
    while let Some(t) = it.next() {
        match t {
            Tok::Word(w, quoted) => {
                let is_assign = simple.words.is_empty()
                    && !quoted
                    && w.find('=').is_some_and(|p| p > 0 && w[..p].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !w.starts_with(|c: char| c.is_ascii_digit()));
                if is_assign {
                    let (k, v) = w.split_once('=').unwrap_or((&w, ""));
                    simple.assignments.push((k.to_string(), v.to_string()));
                } else {
                    simple.words.push(w);
                }
            }
            Tok::Redir(op) => {
                if op == "2>&1" {
                    simple.redirects.push(Redirect::StderrToStdout);
                    continue;
                }
                let Some(Tok::Word(path, _)) = it.next() else {
                    return Err(LexError("syntax error near unexpected token `newline'".into()));
                };
                simple.redirects.push(match op.as_str() {
                    ">" => Redirect::Stdout { path, append: false },
                    ">>" => Redirect::Stdout { path, append: true },
                    "2>" => Redirect::Stderr { path, append: false },
                    "2>>" => Redirect::Stderr { path, append: true },
                    "&>" => Redirect::Both { path, append: false },
                    "&>>" => Redirect::Both { path, append: true },
                    _ => Redirect::Stdin(path),
                });
            }
            Tok::HereDoc(_) => {
                simple.heredoc = Some(heredoc.unwrap_or("").to_string());
            }
            Tok::Pipe => {
                finish_simple(&mut simple, &mut pipe).map_err(|_| LexError("syntax error near unexpected token `|'".into()))?;
            }
            Tok::AndAnd | Tok::OrOr | Tok::Semi => {
                let j = match t {
                    Tok::AndAnd => Joiner::And,
                    Tok::OrOr => Joiner::Or,
                    _ => Joiner::Always,
                };
                let tok = match j {
                    Joiner::And => "&&",
                    Joiner::Or => "||",
                    Joiner::Always => ";",
                };
                finish_simple(&mut simple, &mut pipe).map_err(|_| LexError(format!("syntax error near unexpected token `{tok}'")))?;
                list.items.push((std::mem::take(&mut pipe), j));
            }
        }
    }
    if !(simple.words.is_empty() && simple.redirects.is_empty() && simple.assignments.is_empty()) {
        pipe.stages.push(simple);
    } else if !pipe.stages.is_empty() {
        return Err(LexError("syntax error: unexpected end of file".into()));
    }
    if !pipe.stages.is_empty() {
        list.items.push((pipe, Joiner::Always));
    }
    Ok(list)
}

/// Splits a command line at its top-level `;`, `&&` and `||` (outside quotes, `$(...)`,
/// backticks and comments), without expanding anything: the shell expands each part just
/// before running it, so `kubectl get x; echo $?` sees the status of the `get`. Each part comes
/// with the joiner to the next.
pub fn split_list(line: &str) -> Vec<(String, Joiner)> {
    let chars: Vec<char> = line.chars().collect();
    let mut parts = Vec::new();
    let mut cur = String::new();
    let (mut single, mut double, mut backtick) = (false, false, false);
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if single {
            single = c != '\'';
        } else if c == '\\' {
            cur.push(c);
            if let Some(n) = next {
                cur.push(n);
            }
            i += 2;
            continue;
        } else if c == '\'' && !double {
            single = true;
        } else if c == '"' {
            double = !double;
        } else if c == '`' {
            backtick = !backtick;
        } else if c == '$' && next == Some('(') {
            depth += 1;
            cur.push_str("$(");
            i += 2;
            continue;
        } else if c == '(' && depth > 0 && !double {
            depth += 1;
        } else if c == ')' && depth > 0 {
            depth -= 1;
        } else if !double && !backtick && depth == 0 {
            let at_word_start = cur.chars().last().is_none_or(|p| p.is_whitespace() || matches!(p, ';' | '&' | '|'));
            if c == '#' && at_word_start {
                break;
            }
            let joiner = match (c, next) {
                (';', _) => Some((Joiner::Always, 1)),
                ('&', Some('&')) => Some((Joiner::And, 2)),
                ('|', Some('|')) => Some((Joiner::Or, 2)),
                _ => None,
            };
            if let Some((j, len)) = joiner {
                parts.push((std::mem::take(&mut cur), j));
                i += len;
                continue;
            }
        }
        cur.push(c);
        i += 1;
    }
    parts.push((cur, Joiner::Always));
    parts
}

/// Splits a string into words like the shell, without expansion (for flags such as
/// `--command` strings and `sh -c` scripts).
pub fn split_words(s: &str) -> Vec<String> {
    struct NoExpand;
    impl Expander for NoExpand {
        fn var(&self, name: &str) -> String {
            format!("${name}")
        }
        fn substitute(&mut self, command: &str) -> String {
            format!("$({command})")
        }
    }
    match tokenize(s, &mut NoExpand) {
        Ok(toks) => toks
            .into_iter()
            .map(|t| match t {
                Tok::Word(w, _) => w,
                Tok::AndAnd => "&&".into(),
                Tok::OrOr => "||".into(),
                Tok::Semi => ";".into(),
                Tok::Pipe => "|".into(),
                Tok::Redir(r) => r,
                Tok::HereDoc(d) => format!("<<{d}"),
            })
            .collect(),
        Err(_) => s.split_whitespace().map(str::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Env;
    impl Expander for Env {
        fn var(&self, name: &str) -> String {
            if name == "X" {
                "ex".into()
            } else {
                String::new()
            }
        }
        fn substitute(&mut self, command: &str) -> String {
            format!("<{command}>\n")
        }
    }

    fn words(line: &str) -> Vec<String> {
        let l = parse(line, None, &mut Env).unwrap();
        l.items[0].0.stages[0].words.clone()
    }

    #[test]
    fn quotes_and_expansion() {
        assert_eq!(words(r#"echo "a b" 'c $X' $X ${X} "$(foo bar)" d\ e"#), vec!["echo", "a b", "c $X", "ex", "ex", "<foo bar>", "d e"]);
    }

    #[test]
    fn lists_and_redirects() {
        let l = parse("a && b || c; d > f 2>&1 | e", None, &mut Env).unwrap();
        assert_eq!(l.items.len(), 4);
        assert_eq!(l.items[0].1, Joiner::And);
        assert_eq!(l.items[3].0.stages.len(), 2);
        assert_eq!(l.items[3].0.stages[0].redirects, vec![Redirect::Stdout { path: "f".into(), append: false }, Redirect::StderrToStdout]);
    }

    #[test]
    fn heredocs() {
        assert_eq!(heredoc_delimiter("kubectl apply -f - <<EOF"), Some("EOF".into()));
        assert_eq!(heredoc_delimiter("cat <<'END' > x"), Some("END".into()));
        assert!(is_incomplete("cat <<EOF\nabc"));
        assert!(!is_incomplete("cat <<EOF\nabc\nEOF"));
        let (line, body) = split_heredoc("cat > f <<EOF\na\nb\nEOF\n");
        assert_eq!(line, "cat > f <<EOF");
        assert_eq!(body.as_deref(), Some("a\nb\n"));
    }

    #[test]
    fn lists_split_before_expansion() {
        let parts = split_list("kubectl get x; echo $? && a \"b;c\" 'd||e' $(f; g) || h # i; j");
        let texts: Vec<(&str, Joiner)> = parts.iter().map(|(t, j)| (t.as_str(), *j)).collect();
        assert_eq!(texts, vec![("kubectl get x", Joiner::Always), (" echo $? ", Joiner::And), (" a \"b;c\" 'd||e' $(f; g) ", Joiner::Or), (" h ", Joiner::Always)]);
        assert_eq!(split_list("a | b > f 2>&1").len(), 1);
        assert_eq!(split_list("echo a\\;b").len(), 1);
    }

    #[test]
    fn errors_do_not_panic() {
        assert!(parse("echo 'abc", None, &mut Env).is_err());
        assert!(parse("&& a", None, &mut Env).is_err());
        assert!(parse("a |", None, &mut Env).is_err());
        assert!(parse("a >", None, &mut Env).is_err());
    }
}
