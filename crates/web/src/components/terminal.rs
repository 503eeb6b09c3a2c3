//! The terminal: scroll-back (plain text, stderr coloured), a prompt with history (↑/↓), tab
//! completion (`Shell::complete`), multi-line input while `Shell::is_incomplete` (here-documents,
//! open quotes, `\`), Ctrl-C to stop a running watch, Ctrl-L / `clear`.

use pilothouse_kubectl::Shell;
use pilothouse_lessons::Lang;
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::t;
use crate::sandbox::LineKind;
use crate::state::{Action, AppState, SandboxRef};

/// Chunks of scroll-back rendered at most (older ones stay in the sandbox).
const RENDER_LIMIT: usize = 800;

/// Properties of [`Terminal`].
#[derive(Properties, Clone, PartialEq)]
pub struct TerminalProps {
    /// The sandbox.
    pub sandbox: SandboxRef,
    /// Terminal revision.
    pub term_rev: u64,
    /// Language.
    pub lang: Lang,
    /// Whether a watch is running.
    pub watching: bool,
    /// Whether the terminal tab is shown (focus goes to the input when it becomes visible).
    pub visible: bool,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// The longest common prefix of some words.
pub fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else { return String::new() };
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(first.chars().zip(w.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum());
    }
    first[..end].to_string()
}

/// Replaces the word being typed at the end of `line` with `word`.
pub fn replace_last_word(line: &str, word: &str) -> String {
    let start = line.rfind(|c: char| c.is_whitespace()).map(|i| i + 1).unwrap_or(0);
    format!("{}{}", &line[..start], word)
}

/// The terminal.
#[function_component(Terminal)]
pub fn terminal(p: &TerminalProps) -> Html {
    let tr = t(p.lang);
    let input = use_node_ref();
    let output = use_node_ref();
    let history_pos = use_mut_ref(|| None::<usize>);
    let draft = use_mut_ref(String::new);
    let candidates = use_state(Vec::<String>::new);
    let rows = use_state(|| 1u32);

    // Keep the newest output in view.
    {
        let output = output.clone();
        use_effect_with(p.term_rev, move |_| {
            if let Some(el) = output.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    {
        let input = input.clone();
        use_effect_with(p.visible, move |v| {
            if *v {
                if let Some(el) = input.cast::<HtmlElement>() {
                    let _ = el.focus();
                }
            }
        });
    }

    let on_keydown = {
        let input = input.clone();
        let d = p.dispatch.clone();
        let sb = p.sandbox.clone();
        let history_pos = history_pos.clone();
        let draft = draft.clone();
        let candidates = candidates.clone();
        let rows = rows.clone();
        let watching = p.watching;
        Callback::from(move |e: KeyboardEvent| {
            let Some(ta) = input.cast::<HtmlTextAreaElement>() else { return };
            let value = ta.value();
            let set = |v: &str| {
                ta.set_value(v);
                rows.set(v.lines().count().clamp(1, 12) as u32);
                let end = v.len() as u32;
                let _ = ta.set_selection_range(end, end);
            };
            let key = e.key();
            if e.ctrl_key() && (key == "c" || key == "C") {
                let selected = ta.selection_start().ok().flatten() != ta.selection_end().ok().flatten();
                if selected {
                    return; // copy
                }
                e.prevent_default();
                if watching {
                    d.dispatch(Action::Interrupt);
                }
                set("");
                return;
            }
            if e.ctrl_key() && (key == "l" || key == "L") {
                e.prevent_default();
                d.dispatch(Action::Run("clear".into()));
                return;
            }
            match key.as_str() {
                "Enter" if !e.shift_key() => {
                    if Shell::is_incomplete(&value) {
                        // Let the newline in: the command continues on the next line.
                        rows.set((value.lines().count() + 1).clamp(1, 12) as u32);
                        return;
                    }
                    e.prevent_default();
                    *history_pos.borrow_mut() = None;
                    candidates.set(Vec::new());
                    set("");
                    d.dispatch(Action::Run(value));
                }
                "Tab" => {
                    e.prevent_default();
                    let cands = sb.borrow().shell().complete(&value);
                    match cands.len() {
                        0 => candidates.set(Vec::new()),
                        1 => {
                            set(&format!("{} ", replace_last_word(&value, &cands[0])));
                            candidates.set(Vec::new());
                        }
                        _ => {
                            let prefix = common_prefix(&cands);
                            let cur = value.rsplit(char::is_whitespace).next().unwrap_or("");
                            if prefix.len() > cur.len() {
                                set(&replace_last_word(&value, &prefix));
                            }
                            candidates.set(cands);
                        }
                    }
                }
                "ArrowUp" | "ArrowDown" => {
                    // Only when the caret is on the first / last line of a multi-line input.
                    let caret = ta.selection_start().ok().flatten().unwrap_or(0) as usize;
                    let before = value.chars().take(caret).collect::<String>();
                    if key == "ArrowUp" && before.contains('\n') {
                        return;
                    }
                    if key == "ArrowDown" && value.chars().skip(caret).any(|c| c == '\n') {
                        return;
                    }
                    let history = sb.borrow().shell().history.clone();
                    if history.is_empty() {
                        return;
                    }
                    e.prevent_default();
                    let mut pos = history_pos.borrow_mut();
                    let next = match (*pos, key.as_str()) {
                        (None, "ArrowUp") => {
                            *draft.borrow_mut() = value.clone();
                            Some(history.len() - 1)
                        }
                        (Some(i), "ArrowUp") => Some(i.saturating_sub(1)),
                        (Some(i), _) if i + 1 < history.len() => Some(i + 1),
                        (Some(_), _) => None,
                        (None, _) => return,
                    };
                    *pos = next;
                    match next {
                        Some(i) => set(&history[i]),
                        None => set(&draft.borrow()),
                    }
                }
                _ => {}
            }
        })
    };
    let on_input = {
        let rows = rows.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(ta) = e.target_dyn_into::<HtmlTextAreaElement>() {
                rows.set(ta.value().lines().count().clamp(1, 12) as u32);
            }
        })
    };
    let focus_input = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            // Clicking the output focuses the prompt, unless the learner is selecting text to copy.
            let selecting = web_sys::window().and_then(|w| w.get_selection().ok().flatten()).is_some_and(|s| !s.is_collapsed());
            if !selecting {
                if let Some(el) = input.cast::<HtmlElement>() {
                    let _ = el.focus();
                }
            }
        })
    };

    let sb = p.sandbox.borrow();
    let skip = sb.term.len().saturating_sub(RENDER_LIMIT);
    let prompt = sb.shell().prompt();
    html! {
        <div class="terminal" onclick={focus_input}>
            <div id="terminal-output" class="terminal-output" ref={output} role="log" aria-live="polite" aria-label={tr.terminal} tabindex="0">
                { for sb.term.iter().skip(skip).map(|l| {
                    let class = match l.kind { LineKind::Cmd => "t-cmd", LineKind::Out => "t-out", LineKind::Err => "t-err", LineKind::Info => "t-info" };
                    html! { <pre class={class}>{ l.text.clone() }</pre> }
                }) }
            </div>
            if !candidates.is_empty() {
                <div class="completions" role="status">{ for candidates.iter().take(60).map(|c| html! { <span class="completion">{ c.clone() }</span> }) }</div>
            }
            if p.watching {
                <div class="watching" role="status">{ tr.running_watch }</div>
            }
            <div class="prompt-row">
                <span class="prompt" aria-hidden="true">{ prompt }</span>
                <textarea id="terminal-input" ref={input} class="terminal-input" rows={rows.to_string()} spellcheck="false" autocomplete="off"
                    autocapitalize="off" aria-label={tr.terminal_label} aria-describedby="terminal-help" onkeydown={on_keydown} oninput={on_input}></textarea>
            </div>
            <div id="terminal-help" class="help muted">{ tr.terminal_help }</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_helpers() {
        assert_eq!(common_prefix(&["deployments".into(), "deployment".into()]), "deployment");
        assert_eq!(replace_last_word("kubectl get dep", "deployments"), "kubectl get deployments");
        assert_eq!(replace_last_word("kub", "kubectl"), "kubectl");
    }
}
