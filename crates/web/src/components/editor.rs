//! The YAML editor: a textarea over a highlighted copy of its text with line numbers. Tab and
//! Shift-Tab indent, the browser's own undo/redo works, Ctrl+Enter applies the text with
//! `kubectl apply -f -` (or saves a `kubectl edit` in progress), and problems are marked at
//! their line and column with kubectl's message.

use std::rc::Rc;

use pilothouse_lessons::Lang;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::app::send;
use crate::i18n::t;
use crate::sandbox::Mark;
use crate::state::{Action, AppState, SandboxRef};
use crate::templates::TEMPLATES;

/// Properties of [`Editor`].
#[derive(Properties, Clone, PartialEq)]
pub struct EditorProps {
    /// The text.
    pub text: Rc<String>,
    /// The title (file name).
    pub title: String,
    /// The file of a `kubectl edit` in progress.
    pub pending_edit: Option<String>,
    /// The sandbox (for the marks of the last apply).
    pub sandbox: SandboxRef,
    /// Terminal revision (changes with every apply).
    pub term_rev: u64,
    /// Language.
    pub lang: Lang,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// A highlighted piece of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// CSS class (`key`, `str`, `num`, `bool`, `comment`, `punct`, `doc`, ``).
    pub class: &'static str,
    /// The text.
    pub text: String,
}

/// Splits a YAML line into highlighted tokens (keys, strings, numbers, booleans, comments).
pub fn highlight_line(line: &str) -> Vec<Token> {
    let tok = |class: &'static str, text: &str| Token { class, text: text.to_string() };
    let mut out = Vec::new();
    if line.trim_start().starts_with('#') {
        return vec![tok("comment", line)];
    }
    if line == "---" || line.starts_with("--- ") {
        return vec![tok("doc", line)];
    }
    let indent_len = line.len() - line.trim_start().len();
    out.push(tok("", &line[..indent_len]));
    let mut rest = &line[indent_len..];
    while let Some(r) = rest.strip_prefix("- ") {
        out.push(tok("punct", "- "));
        rest = r;
    }
    if rest == "-" {
        out.push(tok("punct", "-"));
        return out;
    }
    // key: value
    let key_end = find_key_colon(rest);
    let value = if let Some(i) = key_end {
        out.push(tok("key", &rest[..i]));
        out.push(tok("punct", ":"));
        &rest[i + 1..]
    } else {
        rest
    };
    // Comment after the value.
    let (val, comment) = split_comment(value);
    let lead = val.len() - val.trim_start().len();
    out.push(tok("", &val[..lead]));
    let v = &val[lead..];
    let trimmed = v.trim_end();
    let class = if trimmed.is_empty() {
        ""
    } else if trimmed.starts_with('"') || trimmed.starts_with('\'') {
        "str"
    } else if ["true", "false", "null", "~", "yes", "no"].contains(&trimmed) {
        "bool"
    } else if trimmed.parse::<f64>().is_ok() {
        "num"
    } else if trimmed == "|" || trimmed == ">" || trimmed == "|-" || trimmed == ">-" || trimmed.starts_with('{') || trimmed.starts_with('[') {
        "punct"
    } else {
        "val"
    };
    out.push(tok(class, v));
    if let Some(c) = comment {
        out.push(tok("comment", c));
    }
    out.retain(|t| !t.text.is_empty());
    out
}

/// The byte index of a mapping key's colon (`key:` followed by a space or the end of line).
fn find_key_colon(s: &str) -> Option<usize> {
    if s.starts_with('"') || s.starts_with('\'') {
        let q = s.chars().next()?;
        let close = s[1..].find(q)? + 1;
        return s[close + 1..].starts_with(':').then_some(close + 1);
    }
    let b = s.as_bytes();
    for (i, c) in s.char_indices() {
        if c == ':' && (i + 1 == b.len() || b[i + 1] == b' ') {
            return Some(i);
        }
        if c == ' ' && s[i..].trim_start().starts_with('#') {
            return None;
        }
    }
    None
}

fn split_comment(v: &str) -> (&str, Option<&str>) {
    let mut single = false;
    let mut double = false;
    let b = v.as_bytes();
    for (i, c) in v.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && (i == 0 || b[i - 1] == b' ') => return (&v[..i], Some(&v[i..])),
            _ => {}
        }
    }
    (v, None)
}

/// A highlighted line; the character at a mark's column is wrapped in `.editor-mark`.
fn render_line(line: &str, mark: Option<&Mark>) -> Html {
    let col = mark.map(|m| m.column.max(1) - 1);
    let mut pos = 0usize; // in chars
    let mut out: Vec<Html> = Vec::new();
    let mut placed = false;
    for t in highlight_line(line) {
        let n = t.text.chars().count();
        let class = classes!(format!("y-{}", t.class));
        match (col, mark) {
            (Some(c), Some(m)) if !placed && c >= pos && c < pos + n => {
                let before: String = t.text.chars().take(c - pos).collect();
                let at: String = t.text.chars().skip(c - pos).take(1).collect();
                let after: String = t.text.chars().skip(c - pos + 1).collect();
                out.push(html! { <span class={class}>{ before }<span class="editor-mark" data-line={m.line.to_string()} data-column={m.column.to_string()} title={m.message.clone()}>{ at }</span>{ after }</span> });
                placed = true;
            }
            _ => out.push(html! { <span class={class}>{ t.text }</span> }),
        }
        pos += n;
    }
    if let (false, Some(m)) = (placed, mark) {
        out.push(html! { <span class="editor-mark" data-line={m.line.to_string()} data-column={m.column.to_string()} title={m.message.clone()}>{ " " }</span> });
    }
    html! { <>{ for out }</> }
}

fn edit_lines(ta: &HtmlTextAreaElement, outdent: bool) -> Option<String> {
    let value = ta.value();
    // Selection offsets are in UTF-16 code units.
    let utf16: Vec<u16> = value.encode_utf16().collect();
    let s = ta.selection_start().ok()??.min(utf16.len() as u32) as usize;
    let e = ta.selection_end().ok()??.min(utf16.len() as u32) as usize;
    let to_byte = |u: usize| String::from_utf16_lossy(&utf16[..u]).len();
    let (sb, eb) = (to_byte(s), to_byte(e));
    if !outdent && !value[sb..eb].contains('\n') {
        // A plain Tab: two spaces at the caret, through the browser so undo still works.
        let doc = web_sys::window()?.document()?;
        let html_doc: web_sys::HtmlDocument = doc.dyn_into().ok()?;
        if html_doc.exec_command_with_show_ui_and_value("insertText", false, "  ").unwrap_or(false) {
            return Some(ta.value());
        }
        let next = format!("{}  {}", &value[..sb], &value[eb..]);
        ta.set_value(&next);
        let c = (s + 2) as u32;
        let _ = ta.set_selection_range(c, c);
        return Some(next);
    }
    let line_start = value[..sb].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let block = &value[line_start..eb];
    let changed: Vec<String> = block
        .split('\n')
        .map(|l| {
            if outdent {
                let n = l.len() - l.trim_start_matches(' ').len();
                l[n.min(2)..].to_string()
            } else {
                format!("  {l}")
            }
        })
        .collect();
    let new_block = changed.join("\n");
    let next = format!("{}{}{}", &value[..line_start], new_block, &value[eb..]);
    ta.set_value(&next);
    let start16 = value[..line_start].encode_utf16().count() as u32;
    let end16 = start16 + new_block.encode_utf16().count() as u32;
    let _ = ta.set_selection_range(start16, end16);
    Some(next)
}

/// The editor.
#[function_component(Editor)]
pub fn editor(p: &EditorProps) -> Html {
    let tr = t(p.lang);
    let ta_ref = use_node_ref();
    let hl_ref = use_node_ref();
    let gutter_ref = use_node_ref();
    // Put text loaded from outside (templates, kubectl edit, lessons) into the textarea.
    {
        let ta_ref = ta_ref.clone();
        use_effect_with(p.text.clone(), move |text| {
            if let Some(ta) = ta_ref.cast::<HtmlTextAreaElement>() {
                if ta.value() != **text {
                    ta.set_value(text);
                }
            }
        });
    }
    let on_input = {
        let d = p.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() {
                d.dispatch(Action::EditorInput(ta.value()));
            }
        })
    };
    let on_keydown = {
        let d = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let key = e.key();
            if (e.ctrl_key() || e.meta_key()) && key == "Enter" || (e.ctrl_key() || e.meta_key()) && (key == "s" || key == "S") {
                e.prevent_default();
                if let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() {
                    d.dispatch(Action::EditorInput(ta.value()));
                }
                d.dispatch(Action::EditorApply);
                return;
            }
            if key == "Tab" && !e.ctrl_key() && !e.alt_key() {
                // Escape leaves the editor by keyboard; Tab indents.
                let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() else { return };
                e.prevent_default();
                if let Some(v) = edit_lines(&ta, e.shift_key()) {
                    d.dispatch(Action::EditorInput(v));
                }
            }
            if key == "Escape" {
                if let Some(ta) = e.target_dyn_into::<HtmlElement>() {
                    let _ = ta.blur();
                }
            }
        })
    };
    let on_scroll = {
        let hl = hl_ref.clone();
        let gutter = gutter_ref.clone();
        Callback::from(move |e: Event| {
            let Some(ta) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else { return };
            if let Some(h) = hl.cast::<HtmlElement>() {
                h.set_scroll_top(ta.scroll_top());
                h.set_scroll_left(ta.scroll_left());
            }
            if let Some(g) = gutter.cast::<HtmlElement>() {
                g.set_scroll_top(ta.scroll_top());
            }
        })
    };
    let on_template = {
        let d = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else { return };
            let name = sel.value();
            if let Some((n, y)) = TEMPLATES.iter().find(|(n, _)| *n == name) {
                d.dispatch(Action::EditorLoad(format!("{}.yaml", n.to_ascii_lowercase()), y.to_string()));
            }
            sel.set_value("");
        })
    };
    let goto = {
        let ta_ref = ta_ref.clone();
        move |m: &Mark| {
            let ta_ref = ta_ref.clone();
            let (line, col) = (m.line, m.column);
            Callback::from(move |_: MouseEvent| {
                if let Some(ta) = ta_ref.cast::<HtmlTextAreaElement>() {
                    let v = ta.value();
                    let offset: usize = v.split_inclusive('\n').take(line.saturating_sub(1)).map(|l| l.encode_utf16().count()).sum::<usize>() + col.saturating_sub(1);
                    let _ = ta.focus();
                    let _ = ta.set_selection_range(offset as u32, offset as u32);
                }
            })
        }
    };

    let marks = p.sandbox.borrow().marks.clone();
    let text = p.text.as_str();
    let lines: Vec<&str> = text.split('\n').collect();
    let marked = |n: usize| marks.iter().find(|m| m.line == n);
    html! {
        <div class="editor" id="editor">
            <div class="editor-toolbar">
                <span class="editor-title" id="editor-title">{ p.title.clone() }</span>
                if let Some(path) = &p.pending_edit {
                    <span class="badge">{ format!("kubectl edit: {path}") }</span>
                    <button id="editor-save" class="primary" onclick={send(&p.dispatch, Action::EditorApply)}>{ tr.save_edit }</button>
                    <button id="editor-cancel" onclick={send(&p.dispatch, Action::EditorCancel)}>{ tr.cancel_edit }</button>
                } else {
                    <button id="editor-apply" class="primary" onclick={send(&p.dispatch, Action::EditorApply)} title={tr.apply_hint}>{ tr.apply }</button>
                }
                <label class="template">{ tr.template }{ " " }
                    <select id="editor-template" onchange={on_template} aria-label={tr.template}>
                        <option value="" selected=true>{ "—" }</option>
                        { for TEMPLATES.iter().map(|(n, _)| html! { <option value={*n}>{ *n }</option> }) }
                    </select>
                </label>
                <span class="muted help">{ tr.apply_hint }</span>
            </div>
            <div class="editor-body">
                <div class="gutter" ref={gutter_ref} aria-hidden="true">
                    { for (1..=lines.len()).map(|n| html! {
                        <div class={classes!("ln", marked(n).is_some().then_some("error"))} data-line={n.to_string()} title={marked(n).map(|m| m.message.clone())}>{ n }</div>
                    }) }
                </div>
                <div class="code-area">
                    <pre class="highlight" ref={hl_ref} aria-hidden="true">
                        { for lines.iter().enumerate().map(|(i, l)| {
                            let mark = marked(i + 1);
                            html! {
                                <div class={classes!("hl-line", mark.is_some().then_some("error-line"))} data-line={(i + 1).to_string()}>
                                    { render_line(l, mark) }
                                    { "\u{200b}" }
                                </div>
                            }
                        }) }
                    </pre>
                    <textarea id="editor-text" ref={ta_ref} class="code-input" spellcheck="false" autocomplete="off" autocapitalize="off"
                        aria-label={tr.editor_label} aria-describedby="editor-problems" wrap="off"
                        oninput={on_input} onkeydown={on_keydown} onscroll={on_scroll}></textarea>
                </div>
            </div>
            <ul id="editor-problems" class="problems" aria-live="polite" aria-label={tr.problems}>
                { for marks.iter().map(|m| html! {
                    <li class="problem" data-line={m.line.to_string()} data-column={m.column.to_string()}>
                        <button class="link" onclick={goto(m)}>{ format!("{} {}, {} {}", tr.line, m.line, tr.column, m.column) }</button>
                        { ": " }<span lang="en">{ m.message.clone() }</span>
                    </li>
                }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(line: &str) -> Vec<(&'static str, String)> {
        highlight_line(line).into_iter().map(|t| (t.class, t.text)).collect()
    }

    #[test]
    fn highlights_keys_values_and_comments() {
        let c = classes("  - name: web # the app");
        assert!(c.contains(&("key", "name".into())), "{c:?}");
        assert!(c.contains(&("comment", "# the app".into())), "{c:?}");
        assert!(classes("replicas: 3").contains(&("num", "3".into())));
        assert!(classes("a: \"x: y\"").contains(&("str", "\"x: y\"".into())));
        assert_eq!(classes("# hi"), vec![("comment", "# hi".to_string())]);
        assert_eq!(classes("---"), vec![("doc", "---".to_string())]);
        // Highlighting never loses text.
        for l in ["  image: nginx:1.27", "url: http://x:80/a", "- a", "  key:", "k: 'it''s'"] {
            assert_eq!(highlight_line(l).iter().map(|t| t.text.as_str()).collect::<String>(), l);
        }
    }
}
