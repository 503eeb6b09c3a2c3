//! The lesson panel: the catalogue by topic with saved progress, or the running lesson's current
//! step — its text, its checks (✓/✗ with the failure detail, re-evaluated whenever the cluster,
//! the terminal or the clock moves), hints one at a time, the solution, reset, skip.

use pilothouse_engine::vecmap::VecMap;
use std::rc::Rc;

use pilothouse_lessons::{IndexEntry, Lang};
use yew::prelude::*;

use crate::app::send;
use crate::components::markdown::Markdown;
use crate::i18n::t;
use crate::persist::Progress;
use crate::state::{Action, AppState, Catalogue, SandboxRef};

/// Properties of [`LessonPanel`].
#[derive(Properties, Clone, PartialEq)]
pub struct LessonPanelProps {
    /// The sandbox.
    pub sandbox: SandboxRef,
    /// Language.
    pub lang: Lang,
    /// Lesson revision.
    pub lesson_rev: u64,
    /// Log length (history-based checks).
    pub log_len: usize,
    /// Cluster revision (state-based checks).
    pub cluster_rev: (u64, u64),
    /// Hints revealed.
    pub hints_shown: usize,
    /// Whether the solution is shown.
    pub solution_shown: bool,
    /// Saved progress.
    pub progress: Rc<Progress>,
    /// Lessons.
    pub catalogue: Catalogue,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// The panel.
#[function_component(LessonPanel)]
pub fn lesson_panel(p: &LessonPanelProps) -> Html {
    let tr = t(p.lang);
    let sb = p.sandbox.borrow();
    let Some(session) = sb.lesson.as_ref() else {
        // The catalogue, by topic.
        let mut topics: VecMap<usize, (String, Vec<&IndexEntry>)> = VecMap::new();
        let mut order: Vec<String> = Vec::new();
        for l in p.catalogue.0.iter() {
            if !order.iter().any(|o| o == l.topic) {
                order.push(l.topic.to_string());
            }
            let i = order.iter().position(|o| o == l.topic).unwrap_or(0);
            topics.entry(i).or_insert_with(|| (l.topic.to_string(), Vec::new())).1.push(l);
        }
        return html! {
            <div class="catalogue">
                <h2>{ tr.catalogue }</h2>
                { for topics.values().map(|(topic, ls)| html! {
                    <section class="topic">
                        <h3>{ topic.clone() }</h3>
                        <ul class="lesson-list">
                            { for ls.iter().map(|l| {
                                let done = p.progress.get(l.id).map(|v| v.iter().filter(|d| **d).count()).unwrap_or(0);
                                let total = l.steps;
                                html! {
                                    <li class="lesson-item" data-lesson={l.id}>
                                        <div class="lesson-head">
                                            <strong>{ l.title_in(p.lang) }</strong>
                                            <span class="lesson-meta">{ format!("{} · {} {} · {}/{} {}", l.level, l.minutes, tr.minutes, done, total, tr.progress) }</span>
                                        </div>
                                        <p>{ l.summary_in(p.lang) }</p>
                                        <button class="start-lesson" onclick={send(&p.dispatch, Action::StartLesson(l.id.to_string()))}
                                            aria-label={format!("{}: {}", tr.start_lesson, l.title_in(p.lang))}>{ tr.start_lesson }</button>
                                    </li>
                                }
                            }) }
                        </ul>
                    </section>
                }) }
            </div>
        };
    };
    let lesson = &session.lesson;
    let n = lesson.steps.len();
    let finished = session.step >= n;
    let steps_nav = html! {
        <ol class="step-dots" aria-label={tr.step_of}>
            { for lesson.steps.iter().enumerate().map(|(i, s)| {
                let class = if session.completed[i] { "done" } else if i == session.step { "current" } else if i < session.step { "skipped" } else { "todo" };
                html! { <li class={classes!("dot", class)} title={s.title.get(p.lang).to_string()}
                    aria-current={(i == session.step).then_some("step")}>{ i + 1 }</li> }
            }) }
        </ol>
    };
    let body = if finished {
        html! { <div class="lesson-finished" role="status"><p>{ tr.lesson_done }</p></div> }
    } else {
        let step = &lesson.steps[session.step];
        let results = session.evaluate(session.step);
        let hints: Vec<_> = step.hints.iter().take(p.hints_shown).collect();
        html! {
            <div class="step" data-step={step.id.clone()}>
                <h3 id="lesson-step-title">{ format!("{} {}/{}: {}", tr.step_of, session.step + 1, n, step.title.get(p.lang)) }</h3>
                <Markdown source={AttrValue::from(step.body.get(p.lang).to_string())} />
                <h4>{ tr.checks }</h4>
                <ul id="lesson-checks" class="checks" aria-live="polite">
                    { for step.checks.iter().zip(results.iter()).map(|(c, r)| html! {
                        <li class={classes!("check", if r.ok { "ok" } else { "fail" })} data-ok={r.ok.to_string()}>
                            <span class="mark" aria-hidden="true">{ if r.ok { "✓" } else { "✗" } }</span>
                            <span class="sr-only">{ if r.ok { "passed: " } else { "not yet: " } }</span>
                            <span class="check-text">{ crate::components::markdown::inline_text(c.text().get(p.lang)) }</span>
                            if !r.ok && !r.detail.is_empty() {
                                <span class="check-detail" lang="en">{ r.detail.clone() }</span>
                            }
                        </li>
                    }) }
                </ul>
                if !hints.is_empty() {
                    <ol class="hints">{ for hints.iter().map(|h| html! { <li class="hint"><Markdown source={AttrValue::from(h.get(p.lang).to_string())} /></li> }) }</ol>
                }
                if p.solution_shown {
                    <div class="solution">
                        <pre class="code">{ step.solution.commands.join("\n") }</pre>
                        <button id="play-solution" onclick={send(&p.dispatch, Action::PlaySolution)}>{ tr.play_solution }</button>
                    </div>
                }
                <div class="step-actions">
                    <button id="hint-button" disabled={p.hints_shown >= step.hints.len()} onclick={send(&p.dispatch, Action::Hint)}>
                        { if p.hints_shown >= step.hints.len() && !step.hints.is_empty() { tr.no_more_hints } else { tr.hint } }
                    </button>
                    <button id="solution-button" aria-pressed={p.solution_shown.to_string()} onclick={send(&p.dispatch, Action::ShowSolution)}>{ tr.solution }</button>
                    <button id="skip-button" onclick={send(&p.dispatch, Action::Skip)}>{ tr.skip }</button>
                    <button id="reset-step" onclick={send(&p.dispatch, Action::ResetStep)}>{ tr.reset_step }</button>
                </div>
            </div>
        }
    };
    html! {
        <div class="lesson" data-lesson={lesson.id.clone()}>
            <div class="lesson-title-row">
                <h2 id="lesson-title">{ lesson.title.get(p.lang).to_string() }</h2>
            </div>
            { steps_nav }
            if session.step > 0 && session.step <= n && session.completed[session.step - 1] {
                <p class="step-complete" role="status">{ format!("✓ {} {}", tr.step_of, session.step) }{ " — " }{ tr.step_done }</p>
            }
            { body }
            <div class="lesson-actions">
                <button id="reset-lesson" onclick={send(&p.dispatch, Action::ResetLesson)}>{ tr.reset_lesson }</button>
                <button id="exit-lesson" onclick={send(&p.dispatch, Action::ExitLesson)}>{ tr.exit_lesson }</button>
            </div>
        </div>
    }
}
