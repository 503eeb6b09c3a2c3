//! The cluster map: node cards with their pods, the Pending lane, workloads, Services with
//! their endpoints, and storage (PVC → PV → StorageClass).
//!
//! The model ([`crate::view::MapModel`]) is rebuilt only when the cluster's resourceVersion
//! moves; each node card is its own component with value-compared props, so a card whose node
//! and pods did not change is not re-rendered. Above [`COLLAPSE_AT`] pods a card shows counts.

use std::rc::Rc;

use pilothouse_engine::{Kind, ObjectKey};
use pilothouse_lessons::Lang;
use yew::prelude::*;

use crate::i18n::t;
use crate::state::{Action, AppState, SandboxRef};
use crate::view::{self, bytes, percent, NodeView, PodChip, COLLAPSE_AT};

/// Properties of [`ClusterMap`].
#[derive(Properties, Clone, PartialEq)]
pub struct ClusterMapProps {
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

fn select(d: &UseReducerDispatcher<AppState>, key: ObjectKey) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        d.dispatch(Action::Select(Some(key.clone())));
    })
}

/// The map.
#[function_component(ClusterMap)]
pub fn cluster_map(p: &ClusterMapProps) -> Html {
    let tr = t(p.lang);
    let model = {
        let sb = p.sandbox.clone();
        let cache = use_mut_ref(view::ViewCache::default);
        use_memo(p.cluster_rev, move |_| view::build_with(&sb.borrow().shell().cluster, &mut cache.borrow_mut()))
    };
    let sel = p.selected.as_ref();
    let is_sel = |k: &ObjectKey| sel == Some(k);
    html! {
        <div id="map" class="map">
            <div class="nodes" role="list" aria-label={tr.nodes}>
                { for model.nodes.iter().map(|n| {
                    let selected_here = match sel {
                        Some(k) if k.kind == Kind::Node && k.name == n.name => Some(String::new()),
                        Some(k) if k.kind == Kind::Pod && n.pods.iter().any(|c| c.name == k.name && c.namespace == k.namespace) => Some(k.name.clone()),
                        _ => None,
                    };
                    html! { <NodeCard key={n.name.clone()} view={Rc::clone(n)} selected={selected_here} lang={p.lang} dispatch={p.dispatch.clone()} /> }
                }) }
            </div>
            <section id="pending-lane" class="lane" aria-label={tr.pending_lane}>
                <h3>{ tr.pending_lane }{ format!(" ({})", model.pending.len()) }</h3>
                if model.pending.is_empty() {
                    <p class="muted">{ tr.no_pending }</p>
                } else {
                    <ul class="pending-list">
                        { for model.pending.iter().map(|c| html! {
                            <li key={format!("{}/{}", c.namespace, c.name)} class="pending-item">
                                { chip(c, is_sel(&c.key()), &p.dispatch) }
                                <span class="reason" lang="en">{ if c.reason.is_empty() { c.status.clone() } else { c.reason.clone() } }</span>
                            </li>
                        }) }
                    </ul>
                }
            </section>
            <div class="side-lists">
                <section class="workloads" aria-label={tr.workloads}>
                    <h3>{ tr.workloads }</h3>
                    if model.workloads.is_empty() { <p class="muted">{ tr.none }</p> }
                    <ul>
                        { for model.workloads.iter().map(|w| html! {
                            <li key={w.key.to_string()}>
                                <button class={classes!("obj", if w.healthy { "ok" } else { "warn" }, is_sel(&w.key).then_some("selected"))} onclick={select(&p.dispatch, w.key.clone())}>
                                    <span class="kind">{ w.key.kind.to_string() }</span>{ " " }{ w.key.name.clone() }{ " " }<span class="count">{ w.ready.clone() }</span>
                                </button>
                            </li>
                        }) }
                    </ul>
                </section>
                <section class="services" aria-label={tr.services}>
                    <h3>{ tr.services }</h3>
                    <ul>
                        { for model.services.iter().map(|s| html! {
                            <li key={s.key.to_string()} class="service">
                                <button class={classes!("obj", is_sel(&s.key).then_some("selected"))} onclick={select(&p.dispatch, s.key.clone())}>
                                    { s.key.name.clone() }{ " " }<span class="muted">{ format!("{} {} {}", s.kind, s.cluster_ip, s.ports) }</span>
                                </button>
                                <span class="arrow" aria-hidden="true">{ "→" }</span>
                                <span class="endpoints">
                                    if s.endpoints.is_empty() { <span class="muted">{ "<none>" }</span> }
                                    { for s.endpoints.iter().map(|(pod, ip)| {
                                        let key = ObjectKey::new(Kind::Pod, &s.key.namespace, pod);
                                        html! { <button class="endpoint" title={ip.clone()} onclick={select(&p.dispatch, key)}>{ pod.clone() }</button> }
                                    }) }
                                    if s.not_ready > 0 { <span class="warn-text">{ format!(" +{} not ready", s.not_ready) }</span> }
                                </span>
                            </li>
                        }) }
                    </ul>
                </section>
                <section class="storage" aria-label={tr.storage}>
                    <h3>{ tr.storage }</h3>
                    if model.storage.is_empty() { <p class="muted">{ tr.none }</p> }
                    <ul>
                        { for model.storage.iter().map(|r| html! {
                            <li key={r.key.to_string()}>
                                <button class={classes!("obj", is_sel(&r.key).then_some("selected"))} onclick={select(&p.dispatch, r.key.clone())}>
                                    <span class="kind">{ short_kind(r.key.kind) }</span>{ " " }{ r.key.name.clone() }
                                </button>
                                <span class="muted">{ format!(" {} {}", r.status, r.detail) }</span>
                                if let Some(tgt) = &r.target {
                                    <span class="arrow" aria-hidden="true">{ " → " }</span>
                                    <button class="obj" onclick={select(&p.dispatch, tgt.clone())}><span class="kind">{ short_kind(tgt.kind) }</span>{ " " }{ tgt.name.clone() }</button>
                                }
                            </li>
                        }) }
                    </ul>
                </section>
            </div>
        </div>
    }
}

fn short_kind(k: Kind) -> &'static str {
    match k {
        Kind::PersistentVolumeClaim => "PVC",
        Kind::PersistentVolume => "PV",
        Kind::StorageClass => "SC",
        _ => k.info().kind,
    }
}

/// A pod chip (a button that selects the pod).
fn chip(c: &PodChip, selected: bool, d: &UseReducerDispatcher<AppState>) -> Html {
    html! {
        <button class={classes!("pod-chip", c.class, selected.then_some("selected"))} data-pod={c.name.clone()} data-ns={c.namespace.clone()}
            title={format!("{}/{} {} {}", c.namespace, c.name, c.ready, c.status)}
            aria-label={format!("pod {} {}", c.name, c.status)} onclick={select(d, c.key())}>
            <span class="chip-name">{ c.name.clone() }</span>
            <span class="chip-status">{ c.status.clone() }</span>
        </button>
    }
}

/// Properties of [`NodeCard`].
#[derive(Properties, Clone, PartialEq)]
pub struct NodeCardProps {
    /// The node and its pods.
    pub view: Rc<NodeView>,
    /// `Some("")` when the node is selected, `Some(pod)` when one of its pods is.
    pub selected: Option<String>,
    /// Language.
    pub lang: Lang,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// One node.
#[function_component(NodeCard)]
pub fn node_card(p: &NodeCardProps) -> Html {
    let tr = t(p.lang);
    let n = &p.view;
    let key = ObjectKey::new(Kind::Node, "", &n.name);
    let cpu = percent(n.cpu_requested, n.cpu_allocatable);
    let mem = percent(n.mem_requested, n.mem_allocatable);
    let bar = |label: &str, pct: u32, text: String| {
        html! {
            <div class="bar-row">
                <span class="bar-label">{ label.to_string() }</span>
                <span class="bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow={pct.to_string()} aria-label={label.to_string()}>
                    <span class={classes!("fill", format!("w{}", (pct / 5) * 5), (pct >= 90).then_some("hot"))}></span>
                </span>
                <span class="bar-text">{ text }</span>
            </div>
        }
    };
    let selected_node = p.selected.as_deref() == Some("");
    html! {
        <article class={classes!("node-card", if n.ready { "ready" } else { "not-ready" }, n.cordoned.then_some("cordoned"), selected_node.then_some("selected"))}
            data-node={n.name.clone()} role="listitem" aria-label={format!("node {} {}", n.name, n.status)}>
            <header>
                <button class="node-name" onclick={select(&p.dispatch, key)}>{ n.name.clone() }</button>
                <span class="role">{ n.roles.clone() }</span>
                <span class={classes!("node-status", if n.ready { "ok" } else { "bad" })}>{ n.status.clone() }</span>
            </header>
            if n.cordoned { <div class="badge">{ tr.cordoned }</div> }
            if !n.taints.is_empty() {
                <div class="taints" title={tr.taints}>{ for n.taints.iter().map(|t| html! { <span class="taint">{ t.clone() }</span> }) }</div>
            }
            { bar(tr.cpu, cpu, format!("{}m / {}m", n.cpu_requested, n.cpu_allocatable)) }
            { bar(tr.memory, mem, format!("{} / {}", bytes(n.mem_requested), bytes(n.mem_allocatable))) }
            if n.pods.len() > COLLAPSE_AT {
                <div class="pod-counts">
                    { for n.counts().into_iter().map(|(class, count)| html! {
                        <span class={classes!("pod-count", class)}>{ format!("{count} {class}") }</span>
                    }) }
                    <span class="muted">{ format!(" — {} {}", n.pods.len(), tr.more_pods) }</span>
                </div>
            } else {
                <div class="pods">
                    { for n.pods.iter().map(|c| {
                        let sel = p.selected.as_deref() == Some(c.name.as_str());
                        html! { <PodChipView key={format!("{}/{}", c.namespace, c.name)} chip={c.clone()} selected={sel} dispatch={p.dispatch.clone()} /> }
                    }) }
                </div>
            }
        </article>
    }
}

/// Properties of [`PodChipView`].
#[derive(Properties, Clone, PartialEq)]
pub struct PodChipProps {
    /// The pod.
    pub chip: Rc<PodChip>,
    /// Whether it is selected.
    pub selected: bool,
    /// Dispatcher.
    pub dispatch: UseReducerDispatcher<AppState>,
}

/// A pod chip as a component, so unchanged pods are not re-rendered.
#[function_component(PodChipView)]
pub fn pod_chip_view(p: &PodChipProps) -> Html {
    chip(&p.chip, p.selected, &p.dispatch)
}
