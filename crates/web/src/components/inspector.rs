//! The inspector: the selected object's summary, YAML (with an Edit button that opens it in the
//! editor through `kubectl edit`), `kubectl describe`, its events, owner and dependents, the
//! scheduler's trace for pods ("why here?" / "why Pending?"), and fault injection.


use pilothouse_engine::scheduler::trace::Trace;
use pilothouse_engine::{Cluster, Kind, Object, ObjectKey};
use pilothouse_kubectl::kubectl::Src;
use pilothouse_kubectl::printers::{describe, to_yaml};
use pilothouse_lessons::Lang;
use yew::prelude::*;

use crate::app::send;
use crate::i18n::{t, T};
use crate::sandbox::Fault;
use crate::state::{Action, AppState, SandboxRef};

/// Properties of [`Inspector`].
#[derive(Properties, Clone, PartialEq)]
pub struct InspectorProps {
    /// The sandbox.
    pub sandbox: SandboxRef,
    /// Cluster revision.
    pub cluster_rev: (u64, u64),
    /// The selected object.
    pub selected: Option<ObjectKey>,
    /// Language.
    pub lang: Lang,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// The inspector's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Summary, owner, dependents, faults.
    Summary,
    /// `-o yaml`.
    Yaml,
    /// `kubectl describe`.
    Describe,
    /// Events about the object.
    Events,
    /// The scheduler's trace (pods).
    Trace,
}

/// The inspector.
#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let tr = t(p.lang);
    let tab = use_state(|| Tab::Summary);
    let Some(key) = p.selected.clone() else {
        return html! { <div class="inspector-empty"><h2>{ tr.inspector }</h2><p class="muted">{ tr.inspector_empty }</p></div> };
    };
    let sb = p.sandbox.borrow();
    let cluster = &sb.shell().cluster;
    let Some(obj) = cluster.get(&key) else {
        return html! {
            <div class="inspector-empty">
                <h2>{ key.to_string() }</h2>
                <p class="muted" lang="en">{ format!("{} \"{}\" not found", key.kind.info().plural, key.name) }</p>
                <button onclick={send(&p.dispatch, Action::Select(None))}>{ tr.close }</button>
            </div>
        };
    };
    let is_pod = key.kind == Kind::Pod;
    let current = if *tab == Tab::Trace && !is_pod { Tab::Summary } else { *tab };
    let mut tabs = vec![(Tab::Summary, tr.summary), (Tab::Yaml, tr.yaml), (Tab::Describe, tr.describe), (Tab::Events, tr.events)];
    if is_pod {
        let pending = obj.as_pod().and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.as_ref()).is_none();
        tabs.push((Tab::Trace, if pending { tr.why_pending } else { tr.why_here }));
    }
    let tab_id = |t: Tab| format!("inspector-tab-{}", format!("{t:?}").to_ascii_lowercase());
    let body = match current {
        Tab::Summary => summary(&key, &obj, cluster, tr, &p.dispatch),
        Tab::Yaml => {
            let edit_cmd = format!("kubectl edit {} {}{}", key.kind.info().singular, key.name, if key.namespace.is_empty() { String::new() } else { format!(" -n {}", key.namespace) });
            html! {
                <div>
                    <button id="inspector-edit" onclick={send(&p.dispatch, Action::Run(edit_cmd))}>{ tr.edit }</button>
                    <pre class="yaml-view" id="inspector-yaml">{ to_yaml(&obj.to_json()) }</pre>
                </div>
            }
        }
        Tab::Describe => html! { <pre class="describe" id="inspector-describe">{ describe(&obj, &Src(cluster)) }</pre> },
        Tab::Events => events_of(&key, cluster),
        Tab::Trace => match cluster.scheduler.trace(&key.namespace, &key.name) {
            Some(trace) => trace_table(trace, tr),
            None => html! { <p class="muted">{ tr.no_trace }</p> },
        },
    };
    html! {
        <div class="inspector-body" data-kind={key.kind.to_string()} data-name={key.name.clone()}>
            <div class="inspector-head">
                <h2 id="inspector-title"><span class="kind">{ key.kind.to_string() }</span>{ " " }{ key.name.clone() }
                    if !key.namespace.is_empty() { <span class="muted">{ format!(" ({})", key.namespace) }</span> }
                </h2>
                <button class="icon-button" aria-label={tr.close} title={tr.close} onclick={send(&p.dispatch, Action::Select(None))}>{ "✕" }</button>
            </div>
            <div class="tabs" role="tablist" aria-label={tr.inspector}>
                { for tabs.iter().map(|(t, label)| {
                    let on = *t == current;
                    let set = { let tab = tab.clone(); let t = *t; Callback::from(move |_| tab.set(t)) };
                    html! { <button role="tab" id={tab_id(*t)} aria-selected={on.to_string()} aria-controls="inspector-panel" class={classes!("tab", on.then_some("on"))} onclick={set}>{ *label }</button> }
                }) }
            </div>
            <div id="inspector-panel" role="tabpanel" aria-labelledby={tab_id(current)} class="inspector-panel">{ body }</div>
        </div>
    }
}

fn obj_button(k: ObjectKey, d: &UseReducerDispatcher<AppState>) -> Html {
    let label = format!("{}/{}", k.kind, k.name);
    html! { <button class="obj" onclick={send(d, Action::Select(Some(k)))}>{ label }</button> }
}

fn summary(key: &ObjectKey, obj: &Object, cluster: &Cluster, tr: &T, d: &UseReducerDispatcher<AppState>) -> Html {
    let m = obj.metadata();
    let labels: Vec<String> = m.labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    let owners: Vec<ObjectKey> = m
        .owner_references
        .iter()
        .flatten()
        .filter_map(|o| Kind::from_api_version(&o.api_version, &o.kind).map(|k| ObjectKey::new(k, &key.namespace, &o.name)))
        .collect();
    let uid = m.uid.clone().unwrap_or_default();
    let dependents: Vec<ObjectKey> = pilothouse_engine::sort::btree_set(cluster.api.store.dependents(&uid).cloned()).into_iter().collect();
    let mut rows: Vec<(String, String)> = vec![("resourceVersion".into(), m.resource_version.clone().unwrap_or_default())];
    if !labels.is_empty() {
        rows.push(("labels".into(), labels.join(", ")));
    }
    let mut faults = Html::default();
    match obj {
        Object::Pod(pod) => {
            let (ready, status, restarts) = pilothouse_kubectl::printers::pod_row(pod, cluster.api.clock.now());
            rows.push(("status".into(), status));
            rows.push(("ready".into(), ready));
            rows.push(("restarts".into(), restarts));
            let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
            rows.push(("node".into(), node.clone().unwrap_or_else(|| "<none>".into())));
            if let Some(ip) = pod.status.as_ref().and_then(|s| s.pod_ip.clone()) {
                rows.push(("IP".into(), ip));
            }
            let containers: Vec<String> = pod.spec.as_ref().map(|s| s.containers.iter().map(|c| c.name.clone()).collect()).unwrap_or_default();
            let ns = key.namespace.clone();
            let name = key.name.clone();
            let delete = format!("kubectl delete pod {name} -n {ns}");
            faults = html! {
                <section class="faults" aria-label={tr.faults}>
                    <h3>{ tr.faults }</h3>
                    <button id="fault-delete-pod" onclick={send(d, Action::Run(delete))}>{ tr.delete_pod }</button>
                    { for containers.iter().map(|c| {
                        let f = |fault: Fault| send(d, Action::Fault(fault));
                        let (ns, name, c) = (ns.clone(), name.clone(), c.clone());
                        html! {
                            <div class="fault-row" data-container={c.clone()}>
                                <span class="muted">{ c.clone() }{ ": " }</span>
                                <button class="fault-liveness" onclick={f(Fault::Liveness { namespace: ns.clone(), pod: name.clone(), container: c.clone(), fail: true })}>{ tr.fail_liveness }</button>
                                <button class="fault-readiness" onclick={f(Fault::Readiness { namespace: ns.clone(), pod: name.clone(), container: c.clone(), fail: true })}>{ tr.fail_readiness }</button>
                                <button class="fault-heal" onclick={{
                                    let d = d.clone();
                                    let (ns, name, c) = (ns.clone(), name.clone(), c.clone());
                                    Callback::from(move |_| {
                                        d.dispatch(Action::Fault(Fault::Liveness { namespace: ns.clone(), pod: name.clone(), container: c.clone(), fail: false }));
                                        d.dispatch(Action::Fault(Fault::Readiness { namespace: ns.clone(), pod: name.clone(), container: c.clone(), fail: false }));
                                    })
                                }}>{ tr.heal_probes }</button>
                                <button class="fault-oom" onclick={f(Fault::Oom { namespace: ns.clone(), pod: name.clone(), container: c.clone() })}>{ tr.oom }</button>
                            </div>
                        }
                    }) }
                </section>
            };
        }
        Object::Node(n) => {
            let name = key.name.clone();
            let running = cluster.kubelets.nodes.get(&name).is_some_and(|a| a.running);
            let mem_mib = n
                .status
                .as_ref()
                .and_then(|s| s.capacity.as_ref())
                .and_then(|c| c.get("memory"))
                .and_then(|q| pilothouse_engine::api::quantity::parse_int(&q.0))
                .unwrap_or(0)
                / (1024 * 1024);
            rows.push(("kubelet".into(), if running { "running".into() } else { "stopped".into() }));
            let n_pods = cluster.api.store.pods_on_node(&name).count();
            rows.push(("pods".into(), n_pods.to_string()));
            faults = html! {
                <section class="faults" aria-label={tr.faults}>
                    <h3>{ tr.faults }</h3>
                    if running {
                        <button id="fault-stop-node" onclick={send(d, Action::Fault(Fault::StopNode { node: name.clone() }))}>{ tr.stop_node }</button>
                    } else {
                        <button id="fault-start-node" onclick={send(d, Action::Fault(Fault::StartNode { node: name.clone() }))}>{ tr.start_node }</button>
                    }
                    <button id="fault-fill-memory" onclick={send(d, Action::Fault(Fault::NodeMemory { node: name.clone(), mib: mem_mib.max(0) as u64 }))}>{ tr.fill_memory }</button>
                    <button id="fault-clear-memory" onclick={send(d, Action::Fault(Fault::NodeMemory { node: name.clone(), mib: 0 }))}>{ tr.clear_memory }</button>
                    <button onclick={send(d, Action::Run(format!("kubectl cordon {name}")))}>{ "kubectl cordon" }</button>
                    <button onclick={send(d, Action::Run(format!("kubectl uncordon {name}")))}>{ "kubectl uncordon" }</button>
                </section>
            };
        }
        _ => {}
    }
    html! {
        <div class="summary">
            <dl class="facts">
                { for rows.into_iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd lang="en">{ v }</dd></> }) }
            </dl>
            <h3>{ tr.owners }</h3>
            <dl class="facts">
                <dt>{ tr.owner }</dt>
                <dd>{ if owners.is_empty() { html! { tr.none } } else { html! { for owners.into_iter().map(|k| obj_button(k, d)) } } }</dd>
                <dt>{ tr.dependents }</dt>
                <dd class="dependents">{ if dependents.is_empty() { html! { tr.none } } else { html! { for dependents.into_iter().take(50).map(|k| obj_button(k, d)) } } }</dd>
            </dl>
            { faults }
        </div>
    }
}

fn events_of(key: &ObjectKey, cluster: &Cluster) -> Html {
    let now = cluster.api.clock.now();
    let mut rows: Vec<(i64, String, String, String, String)> = Vec::new();
    for o in cluster.api.store.list(Kind::Event) {
        let Object::Event(e) = o.as_ref() else { continue };
        let io = &e.involved_object;
        if io.name.as_deref() != Some(key.name.as_str()) || io.kind.as_deref() != Some(key.kind.info().kind) {
            continue;
        }
        if key.kind.info().namespaced && io.namespace.as_deref().unwrap_or("") != key.namespace {
            continue;
        }
        let last = e.last_timestamp.as_ref().map(|t| t.0).or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0));
        let age = last.map(|t| pilothouse_kubectl::printers::short_human_duration(now - t)).unwrap_or_default();
        rows.push((last.map(|t| t.timestamp_millis()).unwrap_or(0), age, e.type_.clone().unwrap_or_default(), e.reason.clone().unwrap_or_default(), e.message.clone().unwrap_or_default()));
    }
    pilothouse_engine::sort::sort_by_key(&mut rows, |r| r.0);
    if rows.is_empty() {
        return html! { <p class="muted" lang="en">{ "<none>" }</p> };
    }
    html! {
        <table class="events-table" lang="en">
            <thead><tr><th>{ "LAST SEEN" }</th><th>{ "TYPE" }</th><th>{ "REASON" }</th><th>{ "MESSAGE" }</th></tr></thead>
            <tbody>
                { for rows.into_iter().map(|(_, age, ty, reason, msg)| html! {
                    <tr class={classes!((ty == "Warning").then_some("warning"))}><td>{ age }</td><td>{ ty }</td><td>{ reason }</td><td>{ msg }</td></tr>
                }) }
            </tbody>
        </table>
    }
}

/// The scheduler's trace as a table: one row per node, one column per plugin.
pub fn trace_table(trace: &Trace, tr: &T) -> Html {
    let mut filters: Vec<String> = Vec::new();
    let mut scores: Vec<String> = Vec::new();
    for n in &trace.nodes {
        for f in &n.filters {
            if !filters.contains(&f.plugin) {
                filters.push(f.plugin.clone());
            }
        }
        for s in &n.scores {
            if !scores.contains(&s.plugin) {
                scores.push(s.plugin.clone());
            }
        }
    }
    let chosen = trace.selection.as_ref().map(|s| s.node.clone());
    html! {
        <div class="trace" id="trace">
            if let Some(msg) = &trace.message {
                <p class="trace-message warn-text" lang="en">{ msg.clone() }</p>
            }
            if let Some(sel) = &trace.selection {
                <p class="trace-selection" lang="en">{ format!("→ {} ({})", sel.node, sel.how) }</p>
            }
            { for trace.pre_filter.iter().filter(|p| format!("{:?}", p.code) != "Success" && format!("{:?}", p.code) != "Skip").map(|p| html! {
                <p class="muted" lang="en">{ format!("PreFilter {} {:?}: {}", p.plugin, p.code, p.reasons.join(", ")) }</p>
            }) }
            <div class="table-scroll">
            <table id="trace-table" class="trace-table" lang="en">
                <thead>
                    <tr>
                        <th scope="col">{ tr.node }</th>
                        <th scope="col">{ tr.result }</th>
                        { for filters.iter().map(|f| html! { <th scope="col" class="filter-col">{ f.clone() }</th> }) }
                        { for scores.iter().map(|s| html! { <th scope="col" class="score-col">{ s.clone() }</th> }) }
                        <th scope="col">{ tr.score }</th>
                    </tr>
                </thead>
                <tbody>
                    { for trace.nodes.iter().map(|n| {
                        let is_chosen = chosen.as_deref() == Some(n.node.as_str());
                        html! {
                            <tr class={classes!(if n.feasible { "fits" } else { "rejected" }, is_chosen.then_some("chosen"))} data-node={n.node.clone()}>
                                <th scope="row">{ n.node.clone() }{ if is_chosen { format!(" ★ {}", tr.chosen) } else { String::new() } }</th>
                                <td>{ if n.feasible { tr.fits } else { tr.rejected } }</td>
                                { for filters.iter().map(|f| match n.filters.iter().find(|v| &v.plugin == f) {
                                    Some(v) if format!("{:?}", v.code) == "Success" => html! { <td class="pass">{ "✓" }</td> },
                                    Some(v) => html! { <td class="fail">{ format!("✗ {}", v.reasons.join(", ")) }</td> },
                                    None => html! { <td class="na">{ "—" }</td> },
                                }) }
                                { for scores.iter().map(|s| match n.scores.iter().find(|v| &v.plugin == s) {
                                    Some(v) => html! { <td class="score" title={format!("raw {} · normalized {} × weight {}", v.raw, v.normalized, v.weight)}>{ v.weighted }</td> },
                                    None => html! { <td class="na">{ "—" }</td> },
                                }) }
                                <td class="total">{ n.total.map(|t| t.to_string()).unwrap_or_else(|| "—".into()) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            </div>
            <details>
                <summary>{ "text" }</summary>
                <pre class="trace-text">{ trace.render_text() }</pre>
            </details>
        </div>
    }
}
