//! The bottom dock: tabs for the terminal, the YAML editor and the event stream.

use std::rc::Rc;

use pilothouse_lessons::Lang;
use yew::prelude::*;

use crate::app::send;
use crate::components::{Editor, EventsView, Terminal};
use crate::i18n::t;
use crate::state::{Action, AppState, DockTab, SandboxRef};

/// Properties of [`Dock`].
#[derive(Properties, Clone, PartialEq)]
pub struct DockProps {
    /// The sandbox.
    pub sandbox: SandboxRef,
    /// The tab shown.
    pub tab: DockTab,
    /// Terminal revision.
    pub term_rev: u64,
    /// Cluster revision.
    pub cluster_rev: (u64, u64),
    /// Language.
    pub lang: Lang,
    /// Whether a watch is running.
    pub watching: bool,
    /// The editor's text.
    pub editor_text: Rc<String>,
    /// The editor's title.
    pub editor_title: String,
    /// The file of a `kubectl edit` in progress.
    pub pending_edit: Option<String>,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// The dock.
#[function_component(Dock)]
pub fn dock(p: &DockProps) -> Html {
    let tr = t(p.lang);
    let tab = |which: DockTab, label: &'static str, id: &'static str| {
        let on = p.tab == which;
        html! {
            <button role="tab" id={id} aria-selected={on.to_string()} aria-controls={format!("{id}-panel")}
                tabindex={if on { "0" } else { "-1" }} class={classes!("tab", on.then_some("on"))}
                onclick={send(&p.dispatch, Action::SetTab(which))}>{ label }</button>
        }
    };
    let on_keydown = {
        let d = p.dispatch.clone();
        let cur = p.tab;
        Callback::from(move |e: KeyboardEvent| {
            let order = [DockTab::Terminal, DockTab::Editor, DockTab::Events];
            let i = order.iter().position(|t| *t == cur).unwrap_or(0);
            let next = match e.key().as_str() {
                "ArrowRight" => order[(i + 1) % 3],
                "ArrowLeft" => order[(i + 2) % 3],
                _ => return,
            };
            e.prevent_default();
            d.dispatch(Action::SetTab(next));
        })
    };
    let panel_id = match p.tab {
        DockTab::Terminal => "tab-terminal",
        DockTab::Editor => "tab-editor",
        DockTab::Events => "tab-events",
    };
    html! {
        <section id="dock" class="dock">
            <div class="tabs" role="tablist" aria-label="dock" onkeydown={on_keydown}>
                { tab(DockTab::Terminal, tr.terminal, "tab-terminal") }
                { tab(DockTab::Editor, tr.editor, "tab-editor") }
                { tab(DockTab::Events, tr.events, "tab-events") }
            </div>
            <div class="dock-panel" id={format!("{panel_id}-panel")} role="tabpanel" aria-labelledby={panel_id}>
                // The terminal stays mounted (hidden) so its input and scroll survive tab switches.
                <div class="dock-page" hidden={p.tab != DockTab::Terminal}>
                    <Terminal sandbox={p.sandbox.clone()} term_rev={p.term_rev} lang={p.lang} watching={p.watching} visible={p.tab == DockTab::Terminal} dispatch={p.dispatch.clone()} />
                </div>
                if p.tab == DockTab::Editor {
                    <Editor text={p.editor_text.clone()} title={p.editor_title.clone()} pending_edit={p.pending_edit.clone()}
                        sandbox={p.sandbox.clone()} term_rev={p.term_rev} lang={p.lang} dispatch={p.dispatch.clone()} />
                }
                if p.tab == DockTab::Events {
                    <EventsView sandbox={p.sandbox.clone()} cluster_rev={p.cluster_rev} lang={p.lang} dispatch={p.dispatch.clone()} />
                }
            </div>
        </section>
    }
}
