//! The root component: owns the state, runs the clock and lays out the page — the top bar, the
//! lesson panel on the left, the cluster map and the inspector, and the dock (terminal, editor,
//! events) at the bottom.

use yew::prelude::*;

use crate::components::{ClusterMap, Dock, Inspector, LessonPanel, NoticeBanner, TopBar};
use crate::hooks::use_clock;
use crate::i18n::t;
use crate::state::{Action, AppState};

/// Properties of [`App`].
#[derive(Properties, Clone, Debug, PartialEq)]
pub struct AppProps {
    /// Seed of the cluster the page starts with (when nothing is saved).
    pub seed: u64,
    /// Whether to restore from the URL and `localStorage` (the page) or start fresh (tests).
    #[prop_or(false)]
    pub boot: bool,
}

/// The whole page.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let seed = props.seed;
    let boot = props.boot;
    let state = use_reducer(move || if boot { AppState::boot(seed) } else { AppState::new(seed) });
    let dispatch = state.dispatcher();
    use_clock(dispatch.clone());
    {
        // Fetch what the waiting actions need (kubectl explain's documentation, lessons).
        let d = dispatch.clone();
        use_effect_with(state.wanted.clone(), move |wanted| {
            for n in wanted.iter() {
                crate::assets::fetch(n.clone(), d.clone());
            }
        });
    }
    {
        // A share link being made: the browser deflates the session, then the link shows.
        #[cfg(target_arch = "wasm32")]
        {
            let d = dispatch.clone();
            use_effect_with(state.share_json.clone(), move |json| {
                if let Some(json) = json.clone() {
                    wasm_bindgen_futures::spawn_local(async move {
                        let code = crate::persist::encode_share(&json).await;
                        d.dispatch(crate::state::Action::ShareReady(code));
                    });
                }
            });
        }
    }
    let tr = t(state.lang);
    let (profile, watching, pending_edit) = {
        let sb = state.sandbox.borrow();
        (sb.shell().cluster.options.profile.clone(), !sb.watches.is_empty(), sb.pending_edit.as_ref().map(|p| p.path.clone()))
    };
    let summary = state.summary();
    let layout = if state.lessons_open { "layout" } else { "layout lessons-closed" };

    html! {
        <>
            <TopBar
                engine_version={AttrValue::Static(pilothouse_engine::VERSION)}
                nodes={summary.nodes}
                pods={summary.pods}
                profile={profile}
                now_ms={state.now_ms}
                playing={state.playing}
                speed={state.speed}
                seed={state.seed()}
                lang={state.lang}
                share_url={state.share_url.clone()}
                lessons_open={state.lessons_open}
                dispatch={dispatch.clone()}
            />
            if let Some(n) = &state.notice {
                <NoticeBanner notice={n.clone()} lang={state.lang} seed={state.seed()} dispatch={dispatch.clone()} />
            }
            <div class={layout}>
                <aside id="lesson-panel" class="lesson-panel" aria-label={tr.lessons} hidden={!state.lessons_open}>
                    <LessonPanel
                        sandbox={state.sandbox.clone()}
                        lang={state.lang}
                        lesson_rev={state.lesson_rev}
                        log_len={state.log_len}
                        cluster_rev={state.cluster_rev}
                        hints_shown={state.hints_shown}
                        solution_shown={state.solution_shown}
                        progress={state.progress.clone()}
                        catalogue={state.catalogue.clone()}
                        dispatch={dispatch.clone()}
                    />
                </aside>
                <main id="workspace" class="workspace">
                    <section class="map-area" aria-label={tr.cluster_map}>
                        <ClusterMap
                            sandbox={state.sandbox.clone()}
                            cluster_rev={state.cluster_rev}
                            selected={state.selected.clone()}
                            lang={state.lang}
                            dispatch={dispatch.clone()}
                        />
                    </section>
                    <section id="inspector" class="inspector" aria-label={tr.inspector}>
                        <Inspector
                            sandbox={state.sandbox.clone()}
                            cluster_rev={state.cluster_rev}
                            selected={state.selected.clone()}
                            lang={state.lang}
                            dispatch={dispatch.clone()}
                        />
                    </section>
                </main>
                <Dock
                    sandbox={state.sandbox.clone()}
                    tab={state.tab}
                    term_rev={state.term_rev}
                    cluster_rev={state.cluster_rev}
                    lang={state.lang}
                    watching={watching}
                    editor_text={state.editor_text.clone()}
                    editor_title={state.editor_title.clone()}
                    pending_edit={pending_edit}
                    dispatch={dispatch.clone()}
                />
            </div>
        </>
    }
}

/// Dispatches an action from a callback.
pub fn send(dispatch: &UseReducerDispatcher<AppState>, a: Action) -> Callback<MouseEvent> {
    let d = dispatch.clone();
    Callback::from(move |_| d.dispatch(a.clone()))
}
