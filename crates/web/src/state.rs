//! The page's state: the [`Sandbox`] (terminal, cluster, lesson, log) and what the page shows
//! around it (language, selection, clock, dock tab, editor text), changed only by [`Action`]s.
//!
//! The sandbox lives behind `Rc<RefCell<_>>` so that an action never copies the cluster: the
//! reducer mutates it in place and copies only the small view fields into a new state. When
//! nothing visible changed the reducer returns the same `Rc`, which tells Yew to skip the render.
//! Components get revision numbers (`cluster_rev`, `term_rev`, ...) as props, so each re-renders
//! only when its part changed.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use pilothouse_engine::{Kind, ObjectKey};
use pilothouse_lessons::Lang;
use yew::prelude::*;

use crate::persist::{self, Progress};
use crate::assets::Need;
use crate::sandbox::{Entry, Fault, Sandbox, SavedSession, TICK_MS};

/// The reducer handle that components reach through `use_context::<AppContext>()`.
pub type AppContext = UseReducerHandle<AppState>;

/// A shared handle on the sandbox that compares by identity (for props).
#[derive(Clone)]
pub struct SandboxRef(pub Rc<RefCell<Sandbox>>);

impl PartialEq for SandboxRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl SandboxRef {
    /// Read access.
    pub fn borrow(&self) -> Ref<'_, Sandbox> {
        self.0.borrow()
    }
}

/// The bundled lessons, shared; compares by identity (for props).
#[derive(Clone)]
pub struct Catalogue(pub Rc<Vec<pilothouse_lessons::IndexEntry>>);

impl PartialEq for Catalogue {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The counts shown in the top bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ClusterSummary {
    /// Number of nodes in the cluster.
    pub nodes: usize,
    /// Number of pods in the cluster, in all namespaces.
    pub pods: usize,
}

/// The tabs of the bottom dock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DockTab {
    /// The terminal.
    Terminal,
    /// The YAML editor.
    Editor,
    /// The event stream.
    Events,
}

/// A message across the top of the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// What went wrong, in the page's words.
    pub title: String,
    /// The technical detail.
    pub detail: String,
}

/// Clock speeds the top bar offers.
pub const SPEEDS: &[u32] = &[1, 2, 10, 60];
/// Most real milliseconds one frame may account for (a sleeping tab does not jump ahead).
const MAX_FRAME_MS: f64 = 500.0;
/// Real milliseconds of engine work one frame may spend advancing the clock; ticks left over
/// run in later frames. The next tick runs only if one as long as the last still fits, so a
/// frame's engine task stays near this (a display frame is 16.7 ms; the render that shows the
/// ticks' result runs in the next one, see [`Action::Show`]).
pub const FRAME_BUDGET_MS: f64 = 10.0;
/// Real milliseconds between saves while only the clock moves.
const SAVE_EVERY_MS: f64 = 1500.0;

/// Frame and save bookkeeping, shared by all copies of the state: it changes every frame
/// without causing a render.
#[derive(Debug, Default)]
struct Timing {
    carry_ms: f64,
    last_frame: Option<f64>,
    last_save: f64,
    dirty: bool,
}

/// Everything the page renders from.
#[derive(Clone)]
pub struct AppState {
    /// The sandbox.
    pub sandbox: SandboxRef,
    /// The cluster's revision (generation, resourceVersion).
    pub cluster_rev: (u64, u64),
    /// The terminal's revision.
    pub term_rev: u64,
    /// Increases with every recorded entry (lesson checks depend on history too).
    pub log_len: usize,
    /// The lesson's revision.
    pub lesson_rev: u64,
    /// Virtual time now.
    pub now_ms: u64,
    /// Top-bar counts.
    pub summary: ClusterSummary,
    /// The language of the page.
    pub lang: Lang,
    /// Whether the clock runs.
    pub playing: bool,
    /// Clock speed (× real time).
    pub speed: u32,
    timing: Rc<RefCell<Timing>>,
    /// The dock tab shown.
    pub tab: DockTab,
    /// The object in the inspector.
    pub selected: Option<ObjectKey>,
    /// Whether the lesson panel is open.
    pub lessons_open: bool,
    /// The editor's text.
    pub editor_text: Rc<String>,
    /// The editor's title.
    pub editor_title: String,
    editor_seq: u64,
    /// Hints revealed in the current step.
    pub hints_shown: usize,
    /// Whether the solution of the current step is shown.
    pub solution_shown: bool,
    /// A banner (restore errors).
    pub notice: Option<Notice>,
    /// Lesson progress.
    pub progress: Rc<Progress>,
    /// The lessons that load.
    pub catalogue: Catalogue,
    /// The last share link made.
    pub share_url: Option<String>,
    /// A share link being made: the session's JSON, which the page has the browser deflate
    /// (see `app.rs`; natively the link is made at once).
    pub share_json: Option<Rc<str>>,
    /// The files asked for so far (the page fetches each once, see `app.rs` and `assets.rs`).
    pub wanted: Rc<Vec<Need>>,
    /// Those that arrived (or failed to).
    arrived: Rc<Vec<Need>>,
    /// Actions held, in order, until what they need has arrived: a command that mentions
    /// `explain`, a lesson whose file is not here yet, a session that runs either, and every
    /// action that came after them.
    pub waiting: Rc<Vec<Action>>,
    /// Treat every fetched file as missing until it arrives (tests of the waiting, in builds
    /// that embed the files).
    pub assume_missing: bool,
}

impl PartialEq for AppState {
    fn eq(&self, o: &Self) -> bool {
        self.sandbox == o.sandbox
            && self.cluster_rev == o.cluster_rev
            && self.term_rev == o.term_rev
            && self.log_len == o.log_len
            && self.lesson_rev == o.lesson_rev
            && self.now_ms == o.now_ms
            && self.lang == o.lang
            && self.playing == o.playing
            && self.speed == o.speed
            && self.tab == o.tab
            && self.selected == o.selected
            && self.lessons_open == o.lessons_open
            && Rc::ptr_eq(&self.editor_text, &o.editor_text)
            && self.editor_title == o.editor_title
            && self.hints_shown == o.hints_shown
            && self.solution_shown == o.solution_shown
            && self.notice == o.notice
            && Rc::ptr_eq(&self.progress, &o.progress)
            && self.share_url == o.share_url
            && self.share_json == o.share_json
            && Rc::ptr_eq(&self.wanted, &o.wanted)
            && Rc::ptr_eq(&self.arrived, &o.arrived)
            && Rc::ptr_eq(&self.waiting, &o.waiting)
    }
}

/// What can happen to the page's state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A timer frame at this real time (ms, `performance.now()`): runs the engine's ticks, but
    /// does not show their result (no render), so the engine's work and the render of what it
    /// did fall in different display frames.
    Frame(f64),
    /// Shows the cluster as it is now (the clock dispatches it from the next animation frame
    /// after a [`Action::Frame`]); renders only when something changed.
    Show,
    /// Run a terminal line.
    Run(String),
    /// Ctrl-C.
    Interrupt,
    /// Play or pause the clock.
    TogglePlay,
    /// Set the clock speed.
    SetSpeed(u32),
    /// Advance the clock by one second.
    Step,
    /// Throw everything away and start from a seed.
    Reset(u64),
    /// Replace the session with a saved one (import, share link).
    Load(SavedSession),
    /// Replace the session with a share link's (`#s=CODE`), once it is decoded.
    LoadShare(String),
    /// Language.
    SetLang(Lang),
    /// Dock tab.
    SetTab(DockTab),
    /// Inspect an object.
    Select(Option<ObjectKey>),
    /// Open or close the lesson panel.
    ToggleLessons,
    /// The editor's text changed.
    EditorInput(String),
    /// Load a text into the editor.
    EditorLoad(String, String),
    /// Apply the editor's text (or save the `kubectl edit` in progress).
    EditorApply,
    /// Close the `kubectl edit` without saving.
    EditorCancel,
    /// Inject a fault.
    Fault(Fault),
    /// Start a lesson.
    StartLesson(String),
    /// Leave the lesson.
    ExitLesson,
    /// Reveal the next hint.
    Hint,
    /// Show the solution.
    ShowSolution,
    /// Run the solution.
    PlaySolution,
    /// Skip the step.
    Skip,
    /// Replay up to the start of the step.
    ResetStep,
    /// Replay up to the start of the lesson.
    ResetLesson,
    /// Make a share link.
    Share,
    /// The share link's code is ready (the page deflates asynchronously).
    ShareReady(String),
    /// Close the notice.
    Dismiss,
    /// Open a lesson from a link (`#lesson=ID&step=N`): start it unless it is the current one,
    /// then skip to step N.
    OpenLesson(String, Option<usize>),
    /// A fetch ended (the file is installed if it succeeded). Runs what waited for it.
    Loaded(Need),
}

/// Whether a command line may run `kubectl explain` (any mention counts: scripts, `$(...)`).
fn mentions_explain(line: &str) -> bool {
    line.contains("explain")
}

/// Whether replaying a log runs `kubectl explain`.
fn log_needs_docs(log: &[Entry]) -> bool {
    log.iter().any(|e| matches!(e, Entry::Cmd { line } if mentions_explain(line)))
}

impl Action {
    /// Whether this action runs commands or replaces the session, so that it must keep its
    /// place behind an action waiting for the documentation.
    fn keeps_order(&self) -> bool {
        !matches!(
            self,
            Action::Frame(_)
                | Action::Show
                | Action::TogglePlay
                | Action::SetSpeed(_)
                | Action::SetLang(_)
                | Action::SetTab(_)
                | Action::Select(_)
                | Action::ToggleLessons
                | Action::EditorInput(_)
                | Action::EditorLoad(..)
                | Action::Hint
                | Action::ShowSolution
                | Action::Dismiss
                | Action::ShareReady(_)
                | Action::Loaded(_)
        )
    }

    /// The fetched files this action uses now.
    fn needs(&self, s: &AppState) -> Vec<Need> {
        let mut out = Vec::new();
        let mut log_needs = |log: &[Entry]| {
            if log_needs_docs(log) {
                out.push(Need::Docs);
            }
            for e in log {
                if let Entry::Lesson { id } = e {
                    out.push(Need::Lesson(id.clone()));
                }
            }
        };
        match self {
            Action::Run(line) if mentions_explain(line) => out.push(Need::Docs),
            Action::Load(saved) => log_needs(&saved.log),
            Action::LoadShare(code) => out.push(Need::Share(code.clone())),
            Action::ResetStep | Action::ResetLesson => log_needs(&s.sandbox.borrow().log),
            Action::PlaySolution => {
                let sb = s.sandbox.borrow();
                if sb.lesson.as_ref().and_then(|l| l.lesson.steps.get(l.step)).is_some_and(|st| st.solution.commands.iter().any(|c| mentions_explain(c))) {
                    out.push(Need::Docs);
                }
            }
            Action::StartLesson(id) | Action::OpenLesson(id, _) => out.push(Need::Lesson(id.clone())),
            _ => {}
        }
        out
    }
}

fn browser_lang() -> Lang {
    if let Some(l) = persist::get(persist::LANG_KEY).and_then(|l| Lang::parse(&l)) {
        return l;
    }
    #[cfg(target_arch = "wasm32")]
    {
        if let Some(l) = web_sys::window().and_then(|w| w.navigator().language()).and_then(|l| Lang::parse(&l)) {
            return l;
        }
    }
    Lang::En
}

/// Sets `<html lang>` so screen readers pick the right voice.
fn set_document_lang(lang: Lang) {
    #[cfg(target_arch = "wasm32")]
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = el.set_attribute("lang", lang.code());
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = lang;
}

/// The URL hash (`#lesson=...`, `#s=...`).
fn location_hash() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    String::new()
}

/// Removes the hash from the address bar without reloading.
fn clear_hash() {
    #[cfg(target_arch = "wasm32")]
    if let Some(w) = web_sys::window() {
        if let (Ok(h), Ok(path)) = (w.history(), w.location().pathname()) {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
}

impl AppState {
    /// A state around a sandbox, with defaults for the view.
    pub fn with_sandbox(sandbox: Sandbox, lang: Lang) -> Self {
        let mut s = AppState {
            sandbox: SandboxRef(Rc::new(RefCell::new(sandbox))),
            cluster_rev: (0, 0),
            term_rev: 0,
            log_len: 0,
            lesson_rev: 0,
            now_ms: 0,
            summary: ClusterSummary::default(),
            lang,
            playing: true,
            speed: 1,
            timing: Rc::new(RefCell::new(Timing::default())),
            tab: DockTab::Terminal,
            selected: None,
            lessons_open: true,
            editor_text: Rc::new(crate::templates::TEMPLATES[0].1.to_string()),
            editor_title: "pod.yaml".into(),
            editor_seq: 0,
            hints_shown: 0,
            solution_shown: false,
            notice: None,
            progress: Rc::new(persist::load_progress()),
            catalogue: Catalogue(Rc::new(crate::sandbox::lessons())),
            share_url: None,
            share_json: None,
            wanted: Rc::new(Vec::new()),
            arrived: Rc::new(Vec::new()),
            waiting: Rc::new(Vec::new()),
            assume_missing: false,
        };
        s.sync(false);
        s
    }

    /// A fresh cluster from `seed` (used by tests and as the fallback).
    pub fn new(seed: u64) -> Self {
        AppState::with_sandbox(Sandbox::new(seed), Lang::En)
    }

    /// The page's start: a share link, else the saved session, else a fresh cluster; then a
    /// lesson deep link. A session that cannot be read leaves a notice, never a blank page.
    pub fn boot(seed: u64) -> Self {
        let lang = browser_lang();
        set_document_lang(lang);
        let req = persist::parse_hash(&location_hash());
        let mut notice = None;
        // What to restore, as actions: they wait (on a fresh cluster) for any file they need
        // that the page has not fetched yet (kubectl explain's documentation, lessons).
        let mut first = Vec::new();
        if let Some(code) = &req.share {
            // Decoded in the background (the browser inflates it), then saved and loaded.
            first.push(Action::LoadShare(code.clone()));
            clear_hash();
        }
        if first.is_empty() {
            match persist::load_session() {
                Ok(Some(saved)) => first.push(Action::Load(saved)),
                Ok(None) => {}
                Err(e) => notice = Some(Notice { title: crate::i18n::t(lang).saved_state_error.into(), detail: e }),
            }
        }
        if let Some(id) = &req.lesson {
            first.push(Action::OpenLesson(id.clone(), req.step));
            clear_hash();
        }
        let mut st = Rc::new(AppState::with_sandbox(Sandbox::new(seed), lang));
        for a in first {
            st = st.reduce(a);
        }
        let mut s = (*st).clone();
        if notice.is_some() {
            s.notice = notice;
        }
        s
    }

    /// Whether a fetched file is here (or its fetch ended).
    fn has(&self, n: &Need) -> bool {
        self.arrived.contains(n) || (!self.assume_missing && n.available())
    }

    /// What `a` needs that is not here yet.
    fn missing(&self, a: &Action) -> Vec<Need> {
        a.needs(self).into_iter().filter(|n| !self.has(n)).collect()
    }

    /// The seed of the first cluster.
    pub fn seed(&self) -> u64 {
        self.sandbox.borrow().seed
    }

    /// The counts as of the last action.
    pub fn summary(&self) -> ClusterSummary {
        self.summary
    }

    /// Copies the sandbox's revisions into the view fields; loads editor requests.
    fn sync(&mut self, switch_tab: bool) {
        let (cluster_rev, term_rev, log_len, lesson_rev, now, summary, load, progress) = {
            let sb = self.sandbox.borrow();
            let c = &sb.shell().cluster;
            let progress = sb.lesson.as_ref().map(|l| (l.lesson.id.clone(), l.completed.clone()));
            (sb.cluster_rev(), sb.term_rev, sb.log.len(), sb.lesson_rev, c.now_ms(), ClusterSummary { nodes: c.node_count(), pods: c.pod_count() }, sb.editor_load.clone(), progress)
        };
        if lesson_rev != self.lesson_rev {
            self.hints_shown = 0;
            self.solution_shown = false;
        }
        self.cluster_rev = cluster_rev;
        self.term_rev = term_rev;
        if log_len != self.log_len {
            self.timing.borrow_mut().dirty = true;
        }
        self.log_len = log_len;
        self.lesson_rev = lesson_rev;
        self.now_ms = now;
        self.summary = summary;
        if let Some(l) = load {
            if l.seq != self.editor_seq {
                self.editor_seq = l.seq;
                self.editor_text = Rc::new(l.text);
                self.editor_title = l.title;
                if switch_tab {
                    self.tab = DockTab::Editor;
                }
            }
        }
        if let Some((id, done)) = progress {
            let old = self.progress.get(&id);
            let merged: Vec<bool> = done.iter().enumerate().map(|(i, d)| *d || old.and_then(|o| o.get(i)).copied().unwrap_or(false)).collect();
            if old != Some(&merged) {
                let mut p = (*self.progress).clone();
                p.insert(id, merged);
                persist::save_progress(&p);
                self.progress = Rc::new(p);
            }
        }
    }

    fn record(&mut self, e: Entry) {
        self.sandbox.0.borrow_mut().record(e);
    }

    fn save_now(&mut self, now: f64) {
        persist::save_session(&self.sandbox.borrow().saved());
        let mut t = self.timing.borrow_mut();
        t.dirty = false;
        t.last_save = now;
    }

    fn replace(&mut self, sb: Sandbox) {
        self.sandbox = SandboxRef(Rc::new(RefCell::new(sb)));
        self.editor_seq = 0;
        self.selected = None;
        self.share_url = None;
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if let Action::Loaded(need) = &action {
            // Run what waited, in order, as far as what each needs is here.
            let mut s = (*self).clone();
            Rc::make_mut(&mut s.arrived).push(need.clone());
            let mut queue = std::mem::take(Rc::make_mut(&mut s.waiting));
            let mut st = Rc::new(s);
            while !queue.is_empty() && st.missing(&queue[0]).is_empty() {
                st = st.reduce(queue.remove(0));
            }
            if !queue.is_empty() {
                // After what the actions that ran left waiting (a session they loaded).
                let mut s = (*st).clone();
                Rc::make_mut(&mut s.waiting).extend(queue);
                st = Rc::new(s);
            }
            return st;
        }
        if action.keeps_order() {
            let missing = self.missing(&action);
            if !self.waiting.is_empty() || !missing.is_empty() {
                let mut s = (*self).clone();
                Rc::make_mut(&mut s.waiting).push(action);
                for n in missing {
                    if !s.wanted.contains(&n) {
                        Rc::make_mut(&mut s.wanted).push(n);
                    }
                }
                return Rc::new(s);
            }
        }
        if let Action::LoadShare(code) = &action {
            return match persist::shared(code) {
                Some(Ok(saved)) => {
                    // Saved at once: the link has left the address bar.
                    persist::save_session(&saved);
                    self.reduce(Action::Load(saved))
                }
                other => {
                    // The session the page had stays (as it would have without the link).
                    let st = match persist::load_session() {
                        Ok(Some(saved)) => Rc::clone(&self).reduce(Action::Load(saved)),
                        _ => self,
                    };
                    let mut s = (*st).clone();
                    let detail = other.and_then(Result::err).unwrap_or_else(|| "the link is damaged".into());
                    s.notice = Some(Notice { title: crate::i18n::t(s.lang).saved_state_error.into(), detail });
                    Rc::new(s)
                }
            };
        }
        let mut s = (*self).clone();
        let mut frame_time = None;
        let engine_frame = matches!(action, Action::Frame(_));
        // Restoring a session or following a lesson link shows the editor's new text without
        // switching the dock to it (as the page's start always did).
        let restoring = matches!(action, Action::Load(_) | Action::OpenLesson(..));
        match action {
            Action::Frame(t) => {
                frame_time = Some(t);
                let ticks = {
                    let mut tm = s.timing.borrow_mut();
                    let dt = tm.last_frame.map(|l| (t - l).clamp(0.0, MAX_FRAME_MS)).unwrap_or(0.0);
                    tm.last_frame = Some(t);
                    if s.playing {
                        tm.carry_ms += dt * s.speed as f64;
                    }
                    let ticks = (tm.carry_ms / TICK_MS as f64).floor();
                    tm.carry_ms -= ticks * TICK_MS as f64;
                    ticks as u32
                };
                if ticks > 0 {
                    // Run the ticks one by one until the frame's engine budget is spent; the
                    // rest goes back to the carry, so a big cluster slows the virtual clock
                    // instead of freezing the page (at most one long frame's worth is kept).
                    let budget_start = crate::hooks::now();
                    let last_end = std::cell::Cell::new(budget_start);
                    let go_on = || {
                        let now = crate::hooks::now();
                        let last_tick = now - last_end.replace(now);
                        now - budget_start + last_tick <= FRAME_BUDGET_MS
                    };
                    let done = s.sandbox.0.borrow_mut().advance_while(ticks, &go_on);
                    if done < ticks {
                        let mut tm = s.timing.borrow_mut();
                        let cap = MAX_FRAME_MS * s.speed as f64;
                        tm.carry_ms = (tm.carry_ms + f64::from(ticks - done) * TICK_MS as f64).min(cap);
                    }
                }
            }
            Action::Show => frame_time = Some(s.timing.borrow().last_frame.unwrap_or(0.0)),
            Action::Run(line) => {
                s.record(Entry::Cmd { line });
                s.tab = DockTab::Terminal;
            }
            Action::Interrupt => {
                if !s.sandbox.borrow().watches.is_empty() {
                    s.record(Entry::Interrupt);
                }
            }
            Action::TogglePlay => s.playing = !s.playing,
            Action::SetSpeed(v) => s.speed = v,
            Action::Step => s.record(Entry::Advance { ticks: (1000 / TICK_MS) as u32 }),
            Action::Reset(seed) => {
                persist::remove(persist::SESSION_KEY);
                s.replace(Sandbox::new(seed));
                s.notice = None;
                s.timing.borrow_mut().dirty = true;
            }
            Action::Load(saved) => {
                s.replace(Sandbox::replay(&saved));
                s.timing.borrow_mut().dirty = true;
            }
            Action::SetLang(l) => {
                s.lang = l;
                persist::set(persist::LANG_KEY, l.code());
                set_document_lang(l);
            }
            Action::SetTab(t) => s.tab = t,
            Action::Select(k) => s.selected = k,
            Action::ToggleLessons => s.lessons_open = !s.lessons_open,
            Action::EditorInput(t) => s.editor_text = Rc::new(t),
            Action::EditorLoad(title, text) => {
                s.editor_title = title;
                s.editor_text = Rc::new(text);
                s.tab = DockTab::Editor;
            }
            Action::EditorApply => {
                let text = (*s.editor_text).clone();
                let editing = s.sandbox.borrow().pending_edit.is_some();
                s.record(if editing { Entry::SaveEdit { text } } else { Entry::Apply { text } });
            }
            Action::EditorCancel => s.record(Entry::CancelEdit),
            Action::Fault(f) => s.record(Entry::Fault { fault: f }),
            Action::StartLesson(id) => {
                s.record(Entry::Lesson { id });
                s.lessons_open = true;
                s.selected = None;
            }
            Action::ExitLesson => s.record(Entry::LessonExit),
            Action::Hint => s.hints_shown += 1,
            Action::ShowSolution => s.solution_shown = !s.solution_shown,
            Action::PlaySolution => s.record(Entry::Solution),
            Action::Skip => s.record(Entry::Skip),
            Action::ResetStep | Action::ResetLesson => {
                let saved = {
                    let sb = s.sandbox.borrow();
                    let len = if action == Action::ResetStep { sb.step_start } else { sb.lesson_start + 1 };
                    sb.truncated(len)
                };
                s.replace(Sandbox::replay(&saved));
                s.timing.borrow_mut().dirty = true;
                s.hints_shown = 0;
                s.solution_shown = false;
            }
            Action::Share => {
                #[cfg(not(target_arch = "wasm32"))]
                {
                    let code = persist::encode_share(&s.sandbox.borrow().saved());
                    s.share_url = Some(share_url(&code));
                }
                #[cfg(target_arch = "wasm32")]
                {
                    s.share_url = None;
                    s.share_json = Some(s.sandbox.borrow().saved().to_json().into());
                }
            }
            // Handled above, before the clone.
            Action::LoadShare(_) => {}
            Action::ShareReady(code) => {
                s.share_url = Some(share_url(&code));
                s.share_json = None;
            }
            Action::Dismiss => s.notice = None,
            Action::OpenLesson(id, step) => {
                {
                    let mut sb = s.sandbox.0.borrow_mut();
                    let current = sb.lesson.as_ref().map(|l| l.lesson.id.clone());
                    if current.as_deref() != Some(id.as_str()) {
                        sb.record(Entry::Lesson { id: id.clone() });
                    }
                    if let Some(n) = step {
                        while sb.lesson.as_ref().is_some_and(|l| l.step + 1 < n && l.step < l.lesson.steps.len()) {
                            sb.record(Entry::Skip);
                        }
                    }
                }
                s.lessons_open = true;
                s.selected = None;
                s.timing.borrow_mut().dirty = true;
            }
            Action::Loaded(_) => {}
        }
        if !engine_frame {
            s.sync(frame_time.is_none() && !restoring);
        }
        let (dirty, last_save) = {
            let t = s.timing.borrow();
            (t.dirty, t.last_save)
        };
        match frame_time {
            Some(now) if dirty && now - last_save > SAVE_EVERY_MS => s.save_now(now),
            None if dirty => s.save_now(last_save),
            _ => {}
        }
        if s == *self {
            // Only the frame clock moved: keep the same Rc so nothing re-renders.
            return self;
        }
        Rc::new(s)
    }
}

/// The page's address with `#s=<code>`.
fn share_url(code: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        let base = base.split('#').next().unwrap_or("").to_string();
        format!("{base}#s={code}")
    }
    #[cfg(not(target_arch = "wasm32"))]
    format!("#s={code}")
}

/// Whether a key names a pod (for the inspector's pod-only parts).
pub fn is_pod(k: &ObjectKey) -> bool {
    k.kind == Kind::Pod
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_state_summarises_a_minikube_cluster() {
        let state = AppState::new(7);
        assert_eq!(state.seed(), 7);
        assert_eq!(state.summary().nodes, 1);
        assert!(state.summary().pods > 0);
    }

    #[test]
    fn an_idle_frame_keeps_the_same_rc() {
        let state = Rc::new(AppState::new(1));
        let paused = Rc::clone(&state).reduce(Action::TogglePlay);
        assert!(!paused.playing);
        let b = Rc::clone(&paused).reduce(Action::Frame(10.0));
        let c = Rc::clone(&b).reduce(Action::Frame(20.0));
        let d = Rc::clone(&c).reduce(Action::Show);
        // Paused: the clock does not move, so neither the frames nor the show render.
        assert!(Rc::ptr_eq(&paused, &b) && Rc::ptr_eq(&b, &c) && Rc::ptr_eq(&c, &d));
        assert_eq!(paused.now_ms, d.now_ms);
    }

    #[test]
    fn frames_advance_the_clock_by_speed_and_show_renders_it() {
        let s = Rc::new(AppState::new(1));
        assert!(s.playing);
        let t0 = s.now_ms;
        let s = Rc::clone(&s).reduce(Action::SetSpeed(10));
        let f0 = Rc::clone(&s).reduce(Action::Frame(0.0));
        let f1 = Rc::clone(&f0).reduce(Action::Frame(100.0));
        // The engine ran (its clock moved) but the frames did not render...
        assert_eq!(s.sandbox.borrow().shell().cluster.now_ms(), t0 + 1000);
        assert!(Rc::ptr_eq(&s, &f0) && Rc::ptr_eq(&f0, &f1));
        assert_eq!(f1.now_ms, t0);
        // ...the show that follows does.
        let shown = Rc::clone(&f1).reduce(Action::Show);
        assert!(!Rc::ptr_eq(&f1, &shown));
        assert_eq!(shown.now_ms, t0 + 1000);
        assert!(Rc::ptr_eq(&shown, &Rc::clone(&shown).reduce(Action::Show)));
    }

    #[test]
    fn reset_builds_a_new_cluster_from_the_seed() {
        let state = Rc::new(AppState::new(1));
        let next = Rc::clone(&state).reduce(Action::Reset(99));
        assert!(!Rc::ptr_eq(&state, &next));
        assert_eq!(next.seed(), 99);
    }

    #[test]
    fn running_a_command_changes_the_terminal() {
        let state = Rc::new(AppState::new(1));
        let next = Rc::clone(&state).reduce(Action::Run("kubectl create deployment web --image=nginx".into()));
        assert!(next.term_rev > state.term_rev);
        assert_ne!(next.cluster_rev, state.cluster_rev);
    }

    #[test]
    fn commands_wait_in_order_for_the_explain_documentation() {
        let mut fresh = AppState::new(1);
        fresh.assume_missing = true;
        let state = Rc::new(fresh);
        let a = Rc::clone(&state).reduce(Action::Run("kubectl explain pod".into()));
        assert_eq!(*a.wanted, vec![Need::Docs]);
        assert_eq!(a.log_len, state.log_len, "nothing ran yet");
        // Later commands keep their place; the clock and the view do not wait.
        let b = Rc::clone(&a).reduce(Action::Run("echo after".into()));
        let c = Rc::clone(&b).reduce(Action::SetTab(DockTab::Events));
        assert_eq!(c.waiting.len(), 2);
        assert_eq!(c.tab, DockTab::Events);
        let d = Rc::clone(&c).reduce(Action::Loaded(Need::Docs));
        assert!(d.waiting.is_empty());
        let log = d.sandbox.borrow().log.clone();
        assert_eq!(log, vec![Entry::Cmd { line: "kubectl explain pod".into() }, Entry::Cmd { line: "echo after".into() }]);
        // A command without explain runs at once.
        let e = Rc::clone(&state).reduce(Action::Run("echo now".into()));
        assert!(e.waiting.is_empty() && e.wanted.is_empty() && e.log_len > state.log_len);
        // A session whose log runs explain and a lesson waits for both, fetched side by side.
        let mut saved = d.sandbox.borrow().saved();
        saved.log.push(Entry::Lesson { id: "probes".into() });
        let f = Rc::clone(&state).reduce(Action::Load(saved));
        assert_eq!((f.waiting.len(), (*f.wanted).clone()), (1, vec![Need::Docs, Need::Lesson("probes".into())]));
        let g = Rc::clone(&f).reduce(Action::Loaded(Need::Lesson("probes".into())));
        assert_eq!(g.waiting.len(), 1, "still waiting for the documentation");
        let h = Rc::clone(&g).reduce(Action::Loaded(Need::Docs));
        assert!(h.waiting.is_empty());
        assert_eq!(h.sandbox.borrow().lesson.as_ref().map(|l| l.lesson.id.clone()), Some("probes".into()));
    }

    #[test]
    fn a_lesson_starts_once_its_file_is_here() {
        let mut fresh = AppState::new(1);
        fresh.assume_missing = true;
        let state = Rc::new(fresh);
        let a = Rc::clone(&state).reduce(Action::StartLesson("probes".into()));
        assert!(a.sandbox.borrow().lesson.is_none());
        assert_eq!(*a.wanted, vec![Need::Lesson("probes".into())]);
        let b = Rc::clone(&a).reduce(Action::Loaded(Need::Lesson("probes".into())));
        assert_eq!(b.sandbox.borrow().lesson.as_ref().map(|l| l.lesson.id.clone()), Some("probes".into()));
        // A link to step 3 of a lesson skips the first two.
        let c = Rc::new(AppState::new(1)).reduce(Action::OpenLesson("probes".into(), Some(3)));
        assert_eq!(c.sandbox.borrow().lesson.as_ref().map(|l| l.step), Some(2));
    }

    // Natively, where a link's code is made at once (the page's is async: tests/browser.rs).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_share_link_loads_once_decoded_and_what_came_after_it_waits_behind_it() {
        // A session whose log runs explain: once decoded it waits for the documentation too.
        let mut made = Rc::new(AppState::new(3)).reduce(Action::Run("kubectl create deployment shared --image=nginx".into()));
        made = made.reduce(Action::Run("kubectl explain pod.spec".into()));
        let made = made.reduce(Action::Share);
        let url = made.share_url.clone().unwrap();
        let code = url.split_once("#s=").unwrap().1.to_string();
        let mut fresh = AppState::new(1);
        fresh.assume_missing = true;
        let state = Rc::new(fresh);
        let a = Rc::clone(&state).reduce(Action::LoadShare(code.clone()));
        let b = Rc::clone(&a).reduce(Action::Run("echo after".into()));
        let c = Rc::clone(&b).reduce(Action::StartLesson("probes".into()));
        assert_eq!(c.waiting.len(), 3);
        assert_eq!(*c.wanted, vec![Need::Share(code.clone()), Need::Lesson("probes".into())]);
        assert_eq!(c.sandbox.borrow().seed, 1, "nothing loaded yet");
        // Decoded: the session loads and now waits for the documentation, the rest behind it.
        let d = Rc::clone(&c).reduce(Action::Loaded(Need::Share(code.clone())));
        assert_eq!(d.sandbox.borrow().seed, 1, "the load waits for the documentation");
        assert_eq!((d.waiting.len(), (*d.wanted).clone()), (3, vec![Need::Share(code.clone()), Need::Lesson("probes".into()), Need::Docs]));
        let e = Rc::clone(&d).reduce(Action::Loaded(Need::Docs));
        let e = Rc::clone(&e).reduce(Action::Loaded(Need::Lesson("probes".into())));
        assert!(e.waiting.is_empty());
        let sb = e.sandbox.borrow();
        assert_eq!(sb.seed, 3);
        assert!(sb.log.contains(&Entry::Cmd { line: "kubectl create deployment shared --image=nginx".into() }));
        assert!(sb.log.contains(&Entry::Cmd { line: "echo after".into() }), "what came after the link ran after it");
        assert_eq!(sb.lesson.as_ref().map(|l| l.lesson.id.clone()), Some("probes".into()));
        drop(sb);
        // A damaged link leaves a notice and the page as it was.
        let f = Rc::new(AppState::new(1)).reduce(Action::LoadShare("AAAA".into()));
        assert!(f.notice.as_ref().is_some_and(|n| n.detail.starts_with("the link is damaged")), "{:?}", f.notice);
        assert_eq!(f.sandbox.borrow().seed, 1);
    }
}
