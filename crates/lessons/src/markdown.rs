//! A small Markdown reader for lesson bodies: headings, paragraphs, lists, fenced code blocks,
//! inline code, bold, italic and links, into a tree the page renders as Yew nodes. Nothing is
//! ever passed through as HTML: angle brackets stay text.

use serde::Serialize;

/// A piece of inline text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `code`
    Code(String),
    /// **strong**
    Strong(Vec<Inline>),
    /// *emphasis*
    Emphasis(Vec<Inline>),
    /// [text](url) — only http(s) and in-app `#` links are kept as links.
    Link {
        /// The link text.
        text: Vec<Inline>,
        /// The target.
        url: String,
    },
}

/// A block of a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Block {
    /// `#`..`######` heading with its level.
    Heading(u8, Vec<Inline>),
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A bulleted (false) or numbered (true) list of items.
    List(bool, Vec<Vec<Inline>>),
    /// A fenced code block with its language tag.
    Code(String, String),
    /// A `>` quote (one paragraph).
    Quote(Vec<Inline>),
}

/// Parses Markdown into blocks.
pub fn parse(src: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let lines: Vec<&str> = src.lines().collect();
    let mut i = 0;
    let mut para: Vec<String> = Vec::new();
    let flush = |para: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inline(&para.join(" "))));
            para.clear();
        }
    };
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if let Some(fence) = t.strip_prefix("```") {
            flush(&mut para, &mut blocks);
            let lang = fence.trim().to_string();
            let mut code = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                code.push(lines[i]);
                i += 1;
            }
            blocks.push(Block::Code(lang, code.join("\n")));
            i += 1;
            continue;
        }
        if t.is_empty() {
            flush(&mut para, &mut blocks);
            i += 1;
            continue;
        }
        if t.starts_with('#') {
            let level = t.chars().take_while(|c| *c == '#').count();
            if level <= 6 && t[level..].starts_with(' ') {
                flush(&mut para, &mut blocks);
                blocks.push(Block::Heading(level as u8, inline(t[level..].trim())));
                i += 1;
                continue;
            }
        }
        if let Some(q) = t.strip_prefix("> ") {
            flush(&mut para, &mut blocks);
            blocks.push(Block::Quote(inline(q)));
            i += 1;
            continue;
        }
        let bullet = |s: &str| -> Option<(bool, String)> {
            if let Some(r) = s.strip_prefix("- ").or_else(|| s.strip_prefix("* ")) {
                return Some((false, r.to_string()));
            }
            let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                if let Some(r) = s[digits.len()..].strip_prefix(". ") {
                    return Some((true, r.to_string()));
                }
            }
            None
        };
        if let Some((ordered, first)) = bullet(t) {
            flush(&mut para, &mut blocks);
            let mut items = vec![first];
            i += 1;
            while i < lines.len() {
                let t2 = lines[i].trim();
                match bullet(t2) {
                    Some((o, item)) if o == ordered => {
                        items.push(item);
                        i += 1;
                    }
                    _ if !t2.is_empty() && lines[i].starts_with("  ") => {
                        if let Some(last) = items.last_mut() {
                            last.push(' ');
                            last.push_str(t2);
                        }
                        i += 1;
                    }
                    _ => break,
                }
            }
            blocks.push(Block::List(ordered, items.iter().map(|s| inline(s)).collect()));
            continue;
        }
        para.push(t.to_string());
        i += 1;
    }
    flush(&mut para, &mut blocks);
    blocks
}

/// Parses inline Markdown.
pub fn inline(s: &str) -> Vec<Inline> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let push_text = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::Text(std::mem::take(text)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            if let Some(end) = chars[i + 1..].iter().position(|&x| x == '`') {
                push_text(&mut text, &mut out);
                out.push(Inline::Code(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
                continue;
            }
        }
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find("**") {
                push_text(&mut text, &mut out);
                out.push(Inline::Strong(inline(&rest[..end])));
                i += 2 + rest[..end].chars().count() + 2;
                continue;
            }
        }
        if (c == '*' || c == '_') && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            if let Some(end) = chars[i + 1..].iter().position(|&x| x == c) {
                if end > 0 {
                    push_text(&mut text, &mut out);
                    let inner: String = chars[i + 1..i + 1 + end].iter().collect();
                    out.push(Inline::Emphasis(inline(&inner)));
                    i += end + 2;
                    continue;
                }
            }
        }
        if c == '[' {
            let rest: String = chars[i + 1..].iter().collect();
            if let Some(close) = rest.find("](") {
                if let Some(end) = rest[close + 2..].find(')') {
                    let label = &rest[..close];
                    let url = &rest[close + 2..close + 2 + end];
                    push_text(&mut text, &mut out);
                    if url.starts_with("https://") || url.starts_with("http://") || url.starts_with('#') {
                        out.push(Inline::Link { text: inline(label), url: url.to_string() });
                    } else {
                        out.extend(inline(label));
                    }
                    i += 1 + label.chars().count() + 2 + url.chars().count() + 1;
                    continue;
                }
            }
        }
        text.push(c);
        i += 1;
    }
    push_text(&mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_inlines() {
        let doc = parse("# Title\n\nRun `kubectl get pods` **now**.\n\n- one\n- two *x*\n\n```bash\nkubectl get po\n```\n");
        assert_eq!(doc[0], Block::Heading(1, vec![Inline::Text("Title".into())]));
        assert_eq!(
            doc[1],
            Block::Paragraph(vec![
                Inline::Text("Run ".into()),
                Inline::Code("kubectl get pods".into()),
                Inline::Text(" ".into()),
                Inline::Strong(vec![Inline::Text("now".into())]),
                Inline::Text(".".into())
            ])
        );
        assert!(matches!(&doc[2], Block::List(false, items) if items.len() == 2));
        assert_eq!(doc[3], Block::Code("bash".into(), "kubectl get po".into()));
    }

    #[test]
    fn html_stays_text_and_unsafe_links_are_dropped() {
        let doc = parse("<script>alert(1)</script> [x](javascript:alert(1))");
        let Block::Paragraph(inl) = &doc[0] else { panic!() };
        assert_eq!(inl[0], Inline::Text("<script>alert(1)</script> ".into()));
        assert_eq!(inl[1], Inline::Text("x".into()));
    }
}
