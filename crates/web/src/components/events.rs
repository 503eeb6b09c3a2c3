//! The event stream, newest first, filtered by kind, namespace, reason and "Warnings only".
//! Event text is Kubernetes' own and stays English.

use pilothouse_engine::{Kind, Object, ObjectKey};
use pilothouse_lessons::Lang;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::i18n::t;
use crate::state::{Action, AppState, SandboxRef};

/// Rows shown at most.
const ROWS: usize = 400;

/// Properties of [`EventsView`].
#[derive(Properties, Clone, PartialEq)]
pub struct EventsViewProps {
    /// The sandbox.
    pub sandbox: SandboxRef,
    /// Cluster revision.
    pub cluster_rev: (u64, u64),
    /// Language.
    pub lang: Lang,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// One row.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    at: i64,
    age: String,
    ty: String,
    reason: String,
    kind: String,
    namespace: String,
    name: String,
    message: String,
    count: i32,
}

/// The events tab.
#[function_component(EventsView)]
pub fn events_view(p: &EventsViewProps) -> Html {
    let tr = t(p.lang);
    let kind = use_state(String::new);
    let ns = use_state(String::new);
    let reason = use_state(String::new);
    let warnings = use_state(|| false);

    let rows: Vec<Row> = {
        let sb = p.sandbox.borrow();
        let c = &sb.shell().cluster;
        let now = c.api.clock.now();
        let mut v: Vec<Row> = c
            .api
            .store
            .list(Kind::Event)
            .filter_map(|o| match o.as_ref() {
                Object::Event(e) => {
                    let last = e.last_timestamp.as_ref().map(|t| t.0).or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0));
                    Some(Row {
                        at: last.map(|t| t.timestamp_millis()).unwrap_or(0),
                        age: last.map(|t| pilothouse_kubectl::printers::short_human_duration(now - t)).unwrap_or_default(),
                        ty: e.type_.clone().unwrap_or_default(),
                        reason: e.reason.clone().unwrap_or_default(),
                        kind: e.involved_object.kind.clone().unwrap_or_default(),
                        namespace: e.metadata.namespace.clone().unwrap_or_default(),
                        name: e.involved_object.name.clone().unwrap_or_default(),
                        message: e.message.clone().unwrap_or_default(),
                        count: e.count.unwrap_or(1),
                    })
                }
                _ => None,
            })
            .collect();
        pilothouse_engine::sort::sort_by(&mut v, |a, b| b.at.cmp(&a.at).then_with(|| a.name.cmp(&b.name)));
        v
    };
    let mut kinds: Vec<String> = rows.iter().map(|r| r.kind.clone()).collect();
    pilothouse_engine::sort::sort(&mut kinds);
    kinds.dedup();
    let mut namespaces: Vec<String> = rows.iter().map(|r| r.namespace.clone()).collect();
    pilothouse_engine::sort::sort(&mut namespaces);
    namespaces.dedup();
    let shown: Vec<&Row> = rows
        .iter()
        .filter(|r| kind.is_empty() || r.kind == *kind)
        .filter(|r| ns.is_empty() || r.namespace == *ns)
        .filter(|r| reason.is_empty() || r.reason.to_ascii_lowercase().contains(&reason.to_ascii_lowercase()))
        .filter(|r| !*warnings || r.ty == "Warning")
        .take(ROWS)
        .collect();
    let on_select = |state: UseStateHandle<String>| Callback::from(move |e: Event| {
        if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
            state.set(s.value());
        }
    });
    let on_reason = {
        let reason = reason.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                reason.set(i.value());
            }
        })
    };
    let on_warn = {
        let warnings = warnings.clone();
        Callback::from(move |e: Event| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                warnings.set(i.checked());
            }
        })
    };
    html! {
        <div class="events" id="events">
            <div class="filters" role="group">
                <label>{ tr.filter_kind }{ " " }
                    <select id="events-kind" onchange={on_select(kind.clone())}>
                        <option value="" selected={kind.is_empty()}>{ tr.all }</option>
                        { for kinds.iter().map(|k| html! { <option value={k.clone()} selected={*k == *kind}>{ k.clone() }</option> }) }
                    </select>
                </label>
                <label>{ tr.filter_namespace }{ " " }
                    <select id="events-namespace" onchange={on_select(ns.clone())}>
                        <option value="" selected={ns.is_empty()}>{ tr.all }</option>
                        { for namespaces.iter().map(|k| html! { <option value={k.clone()} selected={*k == *ns}>{ k.clone() }</option> }) }
                    </select>
                </label>
                <label>{ tr.filter_reason }{ " " }<input id="events-reason" type="search" value={(*reason).clone()} oninput={on_reason} /></label>
                <label><input id="events-warnings" type="checkbox" checked={*warnings} onchange={on_warn} />{ " " }{ tr.warnings_only }</label>
            </div>
            if shown.is_empty() {
                <p class="muted">{ tr.no_events }</p>
            } else {
                <div class="table-scroll">
                <table class="events-table" lang="en">
                    <thead><tr><th>{ "LAST SEEN" }</th><th>{ "TYPE" }</th><th>{ "REASON" }</th><th>{ "OBJECT" }</th><th>{ "MESSAGE" }</th></tr></thead>
                    <tbody>
                        { for shown.into_iter().map(|r| {
                            let key = Kind::lookup(&r.kind).map(|k| ObjectKey::new(k, &r.namespace, &r.name));
                            let d = p.dispatch.clone();
                            let onclick = Callback::from(move |_| d.dispatch(Action::Select(key.clone())));
                            html! {
                                <tr class={classes!("event", (r.ty == "Warning").then_some("warning"))} data-reason={r.reason.clone()}>
                                    <td>{ r.age.clone() }</td>
                                    <td>{ r.ty.clone() }</td>
                                    <td>{ r.reason.clone() }</td>
                                    <td><button class="link" onclick={onclick}>{ format!("{}/{}", r.kind.to_ascii_lowercase(), r.name) }</button></td>
                                    <td>{ if r.count > 1 { format!("{} (x{})", r.message, r.count) } else { r.message.clone() } }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
                </div>
            }
        </div>
    }
}
