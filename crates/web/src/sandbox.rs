//! The sandbox behind the page: one terminal ([`Shell`], which owns the cluster), an optional
//! lesson [`Session`], the terminal's scroll-back and the session log.
//!
//! Everything that changes the cluster goes through [`Sandbox::apply_entry`] as an [`Entry`] and
//! is appended to the log. The engine is deterministic, so replaying the log from the same seed
//! ([`Sandbox::replay`]) rebuilds the same cluster and the same terminal output: this is how the
//! page saves itself in `localStorage`, exports a file and encodes a share link. Virtual time
//! advances in fixed [`TICK_MS`] ticks, so a live session and its replay take exactly the same
//! steps; consecutive ticks are stored as one `Advance` entry unless a running watch was polled
//! between them (the poll points shape the watch's output).
//!
//! This module knows nothing of the DOM, so it is tested natively.

use pilothouse_engine::api::parse_manifests;
use pilothouse_engine::{Kind, ObjectKey};
use pilothouse_kubectl::{EditTarget, Effect, Shell};
use pilothouse_lessons::{IndexEntry, Lang, Lesson, Session};

/// Virtual milliseconds per clock tick (the kubelets' timer grid).
pub const TICK_MS: u64 = 250;
/// Version of the saved-session format; a saved session of another version is not replayed.
pub const SAVE_VERSION: u32 = 1;
/// Most terminal chunks kept in the scroll-back.
pub const TERM_LIMIT: usize = 3000;
/// Here-document delimiter used to pipe the editor's text into `kubectl apply -f -`.
const EDITOR_EOF: &str = "PILOTHOUSE_EDITOR_EOF";

/// One thing the learner did, in the order it happened. Saved as an object tagged by `t`
/// (`{"t": "cmd", "line": "..."}`, see [`Entry::to_value`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A line typed in the terminal (here-documents included).
    Cmd {
        /// The full text.
        line: String,
    },
    /// The editor's text applied with `kubectl apply -f -`.
    Apply {
        /// The YAML.
        text: String,
    },
    /// The editor opened by `kubectl edit` / `vi` was saved.
    SaveEdit {
        /// The edited text.
        text: String,
    },
    /// The editor opened by `kubectl edit` / `vi` was closed without saving.
    CancelEdit,
    /// Virtual time passed: this many [`TICK_MS`] ticks.
    Advance {
        /// Number of ticks.
        ticks: u32,
    },
    /// Ctrl-C: stops the running watches.
    Interrupt,
    /// A fault injected from the page.
    Fault {
        /// What.
        fault: Fault,
    },
    /// A lesson was started (its own cluster replaces the current one).
    Lesson {
        /// The lesson id.
        id: String,
    },
    /// The learner left the lesson (the cluster stays).
    LessonExit,
    /// The current step's solution was played.
    Solution,
    /// The current step was skipped.
    Skip,
}

/// Faults the page can inject. Saved as an object tagged by `f` (`{"f": "stop_node", "node": "m02"}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Stop a node's kubelet.
    StopNode {
        /// Node name.
        node: String,
    },
    /// Start a stopped node's kubelet.
    StartNode {
        /// Node name.
        node: String,
    },
    /// Something outside the pods uses this much of a node's memory (0 clears it).
    NodeMemory {
        /// Node name.
        node: String,
        /// MiB used.
        mib: u64,
    },
    /// A container's liveness probe fails (or passes again).
    Liveness {
        /// Namespace.
        namespace: String,
        /// Pod.
        pod: String,
        /// Container.
        container: String,
        /// Whether it fails.
        fail: bool,
    },
    /// A container's readiness probe fails (or passes again).
    Readiness {
        /// Namespace.
        namespace: String,
        /// Pod.
        pod: String,
        /// Container.
        container: String,
        /// Whether it fails.
        fail: bool,
    },
    /// A container uses more memory than its limit.
    Oom {
        /// Namespace.
        namespace: String,
        /// Pod.
        pod: String,
        /// Container.
        container: String,
    },
}

/// A session as saved: the seed and the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSession {
    /// Format version ([`SAVE_VERSION`]).
    pub version: u32,
    /// The seed of the first cluster.
    pub seed: u64,
    /// Everything that happened.
    pub log: Vec<Entry>,
}

impl SavedSession {
    /// Reads a saved session from JSON, refusing other format versions.
    pub fn from_json(text: &str) -> Result<SavedSession, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not a Pilothouse session: {e}"))?;
        let version = v.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version != SAVE_VERSION as u64 {
            return Err(format!("saved with format version {version}; this page reads version {SAVE_VERSION}"));
        }
        let read = || -> Result<SavedSession, String> {
            let o = Fields(v.as_object().ok_or("not an object")?);
            let log = o.get("log")?.as_array().ok_or("log: not an array")?;
            let log = log.iter().enumerate().map(|(i, e)| Entry::from_value(e).map_err(|m| format!("log[{i}]: {m}"))).collect::<Result<_, _>>()?;
            Ok(SavedSession { version: SAVE_VERSION, seed: o.u64("seed")?, log })
        };
        read().map_err(|e| format!("damaged session: {e}"))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        let log = self.log.iter().map(Entry::to_value).collect();
        serde_json::to_string(&json_object(vec![("version", self.version.into()), ("seed", self.seed.into()), ("log", Value::Array(log))])).unwrap_or_default()
    }
}

use serde_json::{Map, Value};

fn json_object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<String, Value>>())
}

/// A saved object's fields, read with a message naming the field at fault.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn get(&self, k: &str) -> Result<&Value, String> {
        self.0.get(k).ok_or_else(|| format!("missing field `{k}`"))
    }
    fn str(&self, k: &str) -> Result<String, String> {
        self.get(k)?.as_str().map(str::to_string).ok_or_else(|| format!("{k}: not a string"))
    }
    fn u64(&self, k: &str) -> Result<u64, String> {
        self.get(k)?.as_u64().ok_or_else(|| format!("{k}: not a whole number"))
    }
    fn bool(&self, k: &str) -> Result<bool, String> {
        self.get(k)?.as_bool().ok_or_else(|| format!("{k}: not true or false"))
    }
}

impl Entry {
    /// The saved form.
    pub fn to_value(&self) -> Value {
        let s = |v: &String| Value::String(v.clone());
        match self {
            Entry::Cmd { line } => json_object(vec![("t", "cmd".into()), ("line", s(line))]),
            Entry::Apply { text } => json_object(vec![("t", "apply".into()), ("text", s(text))]),
            Entry::SaveEdit { text } => json_object(vec![("t", "save_edit".into()), ("text", s(text))]),
            Entry::CancelEdit => json_object(vec![("t", "cancel_edit".into())]),
            Entry::Advance { ticks } => json_object(vec![("t", "advance".into()), ("ticks", (*ticks).into())]),
            Entry::Interrupt => json_object(vec![("t", "interrupt".into())]),
            Entry::Fault { fault } => json_object(vec![("t", "fault".into()), ("fault", fault.to_value())]),
            Entry::Lesson { id } => json_object(vec![("t", "lesson".into()), ("id", s(id))]),
            Entry::LessonExit => json_object(vec![("t", "lesson_exit".into())]),
            Entry::Solution => json_object(vec![("t", "solution".into())]),
            Entry::Skip => json_object(vec![("t", "skip".into())]),
        }
    }

    /// Reads the saved form.
    pub fn from_value(v: &Value) -> Result<Entry, String> {
        let o = Fields(v.as_object().ok_or("not an object")?);
        Ok(match o.str("t")?.as_str() {
            "cmd" => Entry::Cmd { line: o.str("line")? },
            "apply" => Entry::Apply { text: o.str("text")? },
            "save_edit" => Entry::SaveEdit { text: o.str("text")? },
            "cancel_edit" => Entry::CancelEdit,
            "advance" => Entry::Advance { ticks: u32::try_from(o.u64("ticks")?).map_err(|_| "ticks: too large".to_string())? },
            "interrupt" => Entry::Interrupt,
            "fault" => Entry::Fault { fault: Fault::from_value(o.get("fault")?).map_err(|m| format!("fault: {m}"))? },
            "lesson" => Entry::Lesson { id: o.str("id")? },
            "lesson_exit" => Entry::LessonExit,
            "solution" => Entry::Solution,
            "skip" => Entry::Skip,
            other => return Err(format!("unknown entry `{other}`")),
        })
    }
}

impl Fault {
    /// The saved form.
    pub fn to_value(&self) -> Value {
        let s = |v: &String| Value::String(v.clone());
        match self {
            Fault::StopNode { node } => json_object(vec![("f", "stop_node".into()), ("node", s(node))]),
            Fault::StartNode { node } => json_object(vec![("f", "start_node".into()), ("node", s(node))]),
            Fault::NodeMemory { node, mib } => json_object(vec![("f", "node_memory".into()), ("node", s(node)), ("mib", (*mib).into())]),
            Fault::Liveness { namespace, pod, container, fail } => {
                json_object(vec![("f", "liveness".into()), ("namespace", s(namespace)), ("pod", s(pod)), ("container", s(container)), ("fail", (*fail).into())])
            }
            Fault::Readiness { namespace, pod, container, fail } => {
                json_object(vec![("f", "readiness".into()), ("namespace", s(namespace)), ("pod", s(pod)), ("container", s(container)), ("fail", (*fail).into())])
            }
            Fault::Oom { namespace, pod, container } => json_object(vec![("f", "oom".into()), ("namespace", s(namespace)), ("pod", s(pod)), ("container", s(container))]),
        }
    }

    /// Reads the saved form.
    pub fn from_value(v: &Value) -> Result<Fault, String> {
        let o = Fields(v.as_object().ok_or("not an object")?);
        Ok(match o.str("f")?.as_str() {
            "stop_node" => Fault::StopNode { node: o.str("node")? },
            "start_node" => Fault::StartNode { node: o.str("node")? },
            "node_memory" => Fault::NodeMemory { node: o.str("node")?, mib: o.u64("mib")? },
            "liveness" => Fault::Liveness { namespace: o.str("namespace")?, pod: o.str("pod")?, container: o.str("container")?, fail: o.bool("fail")? },
            "readiness" => Fault::Readiness { namespace: o.str("namespace")?, pod: o.str("pod")?, container: o.str("container")?, fail: o.bool("fail")? },
            "oom" => Fault::Oom { namespace: o.str("namespace")?, pod: o.str("pod")?, container: o.str("container")? },
            other => return Err(format!("unknown fault `{other}`")),
        })
    }
}

/// What a chunk of terminal text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The echoed command with its prompt.
    Cmd,
    /// Standard output.
    Out,
    /// Standard error.
    Err,
    /// A note from the page (not from a command).
    Info,
}

/// A chunk of terminal text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermLine {
    /// Its kind (colour).
    pub kind: LineKind,
    /// The text, possibly several lines.
    pub text: String,
}

/// The editor opened by `kubectl edit` / `vi`, waiting to be saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingEdit {
    /// File name shown in the editor's title.
    pub path: String,
    /// What saving does.
    pub target: EditTarget,
}

/// A problem to mark in the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The message.
    pub message: String,
}

/// A request to replace the editor's text (a template, `kubectl edit`, a lesson step).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorLoad {
    /// Increases with every request.
    pub seq: u64,
    /// The title (file name).
    pub title: String,
    /// The text.
    pub text: String,
}

/// The sandbox: terminal, cluster, lesson and log.
pub struct Sandbox {
    /// The seed of the first cluster.
    pub seed: u64,
    free: Shell,
    /// The running lesson, which owns its own terminal and cluster.
    pub lesson: Option<Session>,
    /// Everything that happened, in order.
    pub log: Vec<Entry>,
    /// Whether the last entry is an `Advance` that later ticks may extend.
    mergeable: bool,
    /// Terminal scroll-back.
    pub term: Vec<TermLine>,
    /// Increases whenever the scroll-back changes.
    pub term_rev: u64,
    /// Watches still running (Ctrl-C stops them).
    pub watches: Vec<u64>,
    /// The editor opened by `kubectl edit` / `vi`.
    pub pending_edit: Option<PendingEdit>,
    /// The last request to load text into the editor.
    pub editor_load: Option<EditorLoad>,
    /// Marks of the last editor apply.
    pub marks: Vec<Mark>,
    /// Increases when a command may have replaced the cluster (`minikube delete`, a lesson).
    pub generation: u64,
    /// Log index of the entry that started the lesson.
    pub lesson_start: usize,
    /// Log length when the current lesson step began.
    pub step_start: usize,
    /// Increases whenever a lesson step completes or the step changes.
    pub lesson_rev: u64,
    /// The last URL `minikube service` opened.
    pub last_url: Option<String>,
}

impl Sandbox {
    /// A fresh `minikube start` cluster from `seed` and an empty log.
    pub fn new(seed: u64) -> Sandbox {
        let mut free = Shell::new(seed);
        free.blocking = false;
        Sandbox {
            seed,
            free,
            lesson: None,
            log: Vec::new(),
            mergeable: false,
            term: Vec::new(),
            term_rev: 0,
            watches: Vec::new(),
            pending_edit: None,
            editor_load: None,
            marks: Vec::new(),
            generation: 0,
            lesson_start: 0,
            step_start: 0,
            lesson_rev: 0,
            last_url: None,
        }
    }

    /// Rebuilds a sandbox by replaying a saved session.
    pub fn replay(saved: &SavedSession) -> Sandbox {
        let mut s = Sandbox::new(saved.seed);
        for e in &saved.log {
            s.apply_entry(e.clone());
        }
        s
    }

    /// The session as saved.
    pub fn saved(&self) -> SavedSession {
        SavedSession { version: SAVE_VERSION, seed: self.seed, log: self.log.clone() }
    }

    /// The terminal (and its cluster) in use.
    pub fn shell(&self) -> &Shell {
        match &self.lesson {
            Some(s) => &s.shell,
            None => &self.free,
        }
    }

    /// The terminal in use, mutable.
    pub fn shell_mut(&mut self) -> &mut Shell {
        match &mut self.lesson {
            Some(s) => &mut s.shell,
            None => &mut self.free,
        }
    }

    /// The cluster's resourceVersion together with the generation: changes whenever anything
    /// the map shows may have changed.
    pub fn cluster_rev(&self) -> (u64, u64) {
        (self.generation, self.shell().cluster.api.store.resource_version())
    }

    /// Virtual time now.
    pub fn now_ms(&self) -> u64 {
        self.shell().cluster.now_ms()
    }

    fn push(&mut self, kind: LineKind, text: impl Into<String>) {
        let text = text.into();
        if text.is_empty() {
            return;
        }
        // Merge with the previous chunk of the same kind to keep the list short.
        match self.term.last_mut() {
            Some(last) if last.kind == kind && kind != LineKind::Cmd && last.text.len() < 4096 => last.text.push_str(&text),
            _ => self.term.push(TermLine { kind, text }),
        }
        if self.term.len() > TERM_LIMIT {
            let drop = self.term.len() - TERM_LIMIT;
            self.term.drain(..drop);
        }
        self.term_rev += 1;
    }

    fn push_line(&mut self, kind: LineKind, text: &str) {
        let t = if text.ends_with('\n') { text.to_string() } else { format!("{text}\n") };
        self.push(kind, t);
    }

    fn echo(&mut self, line: &str) {
        let mut shown = String::new();
        for (i, l) in line.lines().enumerate() {
            shown.push_str(if i == 0 { "$ " } else { "> " });
            shown.push_str(l);
            shown.push('\n');
        }
        if shown.is_empty() {
            shown.push_str("$ \n");
        }
        self.push(LineKind::Cmd, shown);
    }

    /// Records an entry and applies it. Consecutive `Advance` entries merge when allowed.
    pub fn record(&mut self, entry: Entry) {
        self.apply_entry(entry);
    }

    /// Applies one entry and appends it to the log.
    pub fn apply_entry(&mut self, entry: Entry) {
        match &entry {
            Entry::Advance { ticks } => {
                self.advance_while(*ticks, &|| true);
                return;
            }
            Entry::Cmd { line } => self.run_command(line),
            Entry::Apply { text } => self.apply_text(text),
            Entry::SaveEdit { text } => self.save_edit(text),
            Entry::CancelEdit => {
                if self.pending_edit.take().is_some() {
                    self.push_line(LineKind::Info, "Edit cancelled, no changes made.");
                }
            }
            Entry::Interrupt => {
                let ids = std::mem::take(&mut self.watches);
                for id in ids {
                    self.shell_mut().stop_watch(id);
                }
                self.push(LineKind::Cmd, "^C\n");
            }
            Entry::Fault { fault } => self.fault(fault),
            Entry::Lesson { id } => self.start_lesson(id),
            Entry::LessonExit => {
                if let Some(s) = self.lesson.take() {
                    self.free = s.shell;
                    self.generation += 1;
                    self.lesson_rev += 1;
                }
            }
            Entry::Solution => {
                if let Some(s) = self.lesson.as_mut() {
                    let t = s.play_solution();
                    self.push(LineKind::Out, t);
                    self.generation += 1;
                }
            }
            Entry::Skip => {
                if let Some(s) = self.lesson.as_mut() {
                    s.skip();
                    self.lesson_rev += 1;
                }
            }
        }
        let skipped = matches!(entry, Entry::Skip);
        self.log.push(entry);
        self.mergeable = false;
        if self.refresh_lesson() || skipped {
            self.step_start = self.log.len();
        }
        if skipped {
            self.load_step_editor();
        }
    }

    /// Runs up to `ticks` clock ticks, stopping early once `go_on()` turns false (checked after
    /// each tick, so at least one runs), and records them as `Advance` entries. Returns the
    /// ticks run.
    pub fn advance_while(&mut self, ticks: u32, go_on: &dyn Fn() -> bool) -> u32 {
        let (mut done, mut run) = (0, 0);
        while run < ticks {
            self.shell_mut().advance(TICK_MS);
            done += 1;
            run += 1;
            if self.refresh_lesson() {
                // A step completed: end the entry here so "reset step" can replay to it.
                self.push_advance(done);
                self.mergeable = false;
                self.step_start = self.log.len();
                done = 0;
            }
            if !go_on() {
                break;
            }
        }
        let polled = self.poll_watches();
        if done > 0 {
            self.push_advance(done);
        }
        self.mergeable = !polled;
        run
    }

    fn push_advance(&mut self, ticks: u32) {
        if let (true, Some(Entry::Advance { ticks: t })) = (self.mergeable, self.log.last_mut()) {
            *t += ticks;
        } else {
            self.log.push(Entry::Advance { ticks });
        }
        self.mergeable = true;
    }

    /// Polls the running watches for new output; returns whether there were any.
    fn poll_watches(&mut self) -> bool {
        if self.watches.is_empty() {
            return false;
        }
        let ids = self.watches.clone();
        for id in ids {
            match self.shell_mut().poll_watch(id) {
                Some(text) => self.push(LineKind::Out, text),
                None => self.watches.retain(|w| *w != id),
            }
        }
        true
    }

    fn run_command(&mut self, line: &str) {
        self.echo(line);
        let before = self.shell().cluster.now_ms();
        let out = self.shell_mut().run(line);
        self.show_output(&out.stdout, &out.stderr, &out.transcript);
        for e in out.effects {
            self.effect(e);
        }
        if self.shell().cluster.now_ms() < before {
            self.generation += 1;
        }
        // A command may replace the whole cluster (`minikube delete && minikube start`).
        self.generation += 1;
    }

    fn show_output(&mut self, stdout: &str, stderr: &str, transcript: &str) {
        if stderr.is_empty() {
            self.push(LineKind::Out, stdout);
        } else if stdout.is_empty() {
            self.push(LineKind::Err, stderr);
        } else {
            // Keep the interleaving of the transcript; colour lines that came from stderr.
            for l in transcript.split_inclusive('\n') {
                let kind = if stderr.contains(l.trim_end_matches('\n')) && !stdout.contains(l.trim_end_matches('\n')) { LineKind::Err } else { LineKind::Out };
                self.push(kind, l);
            }
        }
    }

    fn effect(&mut self, e: Effect) {
        match e {
            Effect::ClearScreen => {
                self.term.clear();
                self.term_rev += 1;
            }
            Effect::OpenEditor { path, text, target } => {
                self.pending_edit = Some(PendingEdit { path: path.clone(), target });
                self.load_editor(&path, &text);
                self.push_line(LineKind::Info, &format!("Editing {path} in the editor: save to apply, cancel to leave it unchanged."));
            }
            Effect::StartWatch { id } => self.watches.push(id),
            Effect::OpenUrl { url } => self.last_url = Some(url),
            Effect::ShowMap | Effect::Exit => {}
        }
    }

    /// Asks the editor to show `text`.
    pub fn load_editor(&mut self, title: &str, text: &str) {
        let seq = self.editor_load.as_ref().map(|l| l.seq + 1).unwrap_or(1);
        self.editor_load = Some(EditorLoad { seq, title: title.to_string(), text: text.to_string() });
    }

    fn apply_text(&mut self, text: &str) {
        self.push(LineKind::Cmd, "$ kubectl apply -f -   # the editor's text\n");
        let mut body = text.to_string();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        let line = format!("kubectl apply -f - <<'{EDITOR_EOF}'\n{body}{EDITOR_EOF}");
        let out = self.shell_mut().run(&line);
        self.show_output(&out.stdout, &out.stderr, &out.transcript);
        self.marks = marks_for(text, &out.stderr);
        self.generation += 1;
    }

    fn save_edit(&mut self, text: &str) {
        let Some(p) = self.pending_edit.take() else {
            self.push_line(LineKind::Err, "error: no edit in progress");
            return;
        };
        let out = self.shell_mut().finish_edit(&p.target, text);
        self.show_output(&out.stdout, &out.stderr, &out.transcript);
        self.marks = marks_for(text, &out.stderr);
        for e in out.effects {
            self.effect(e);
        }
        self.generation += 1;
    }

    fn fault(&mut self, f: &Fault) {
        let sh = self.shell_mut();
        let msg = match f {
            Fault::StopNode { node } => {
                if sh.cluster.stop_node(node) { format!("fault: stopped the kubelet of node {node}") } else { format!("fault: no node {node}") }
            }
            Fault::StartNode { node } => {
                if sh.cluster.start_node(node) { format!("fault: started the kubelet of node {node}") } else { format!("fault: no node {node}") }
            }
            Fault::NodeMemory { node, mib } => {
                if sh.cluster.set_node_extra_memory(node, mib * 1024 * 1024) {
                    format!("fault: something outside the pods now uses {mib} MiB of node {node}'s memory")
                } else {
                    format!("fault: no node {node}")
                }
            }
            Fault::Liveness { namespace, pod, container, fail } | Fault::Readiness { namespace, pod, container, fail } => {
                let live = matches!(f, Fault::Liveness { .. });
                let key = ObjectKey::new(Kind::Pod, namespace, pod);
                match sh.cluster.kubelets.container_mut(&key, container) {
                    Some(c) => {
                        if live {
                            c.fail_liveness = *fail;
                        } else {
                            c.fail_readiness = *fail;
                        }
                        sh.cluster.kubelets.enqueue(key);
                        sh.cluster.settle();
                        let probe = if live { "liveness" } else { "readiness" };
                        let state = if *fail { "now fails" } else { "passes again" };
                        format!("fault: the {probe} probe of {namespace}/{pod} container {container} {state}")
                    }
                    None => format!("fault: container {container} of {namespace}/{pod} is not running on a node"),
                }
            }
            Fault::Oom { namespace, pod, container } => {
                let key = ObjectKey::new(Kind::Pod, namespace, pod);
                let limit = sh.cluster.get(&key).and_then(|o| {
                    let p = o.as_pod()?;
                    let c = p.spec.as_ref()?.containers.iter().find(|c| &c.name == container)?;
                    let q = c.resources.as_ref()?.limits.as_ref()?.get("memory")?;
                    pilothouse_engine::api::quantity::parse_int(&q.0)
                });
                match (limit, sh.cluster.kubelets.container_mut(&key, container)) {
                    (Some(limit), Some(c)) => {
                        c.memory = limit as u64 + 16 * 1024 * 1024;
                        sh.cluster.kubelets.enqueue(key);
                        sh.cluster.settle();
                        format!("fault: container {container} of {namespace}/{pod} now uses more memory than its limit")
                    }
                    (None, Some(_)) => format!("fault: container {container} of {namespace}/{pod} has no memory limit; fill its node's memory instead"),
                    _ => format!("fault: container {container} of {namespace}/{pod} is not running on a node"),
                }
            }
        };
        self.push_line(LineKind::Info, &msg);
        self.generation += 1;
    }

    fn start_lesson(&mut self, id: &str) {
        let Some(lesson) = find_lesson(id) else {
            self.push_line(LineKind::Err, &format!("error: no lesson {id:?}"));
            return;
        };
        match Session::start(lesson) {
            Ok(mut s) => {
                s.shell.blocking = false;
                self.lesson = Some(s);
                self.watches.clear();
                self.pending_edit = None;
                self.lesson_start = self.log.len();
                self.step_start = self.log.len() + 1;
                self.generation += 1;
                self.lesson_rev += 1;
                self.load_step_editor();
            }
            Err(e) => self.push_line(LineKind::Err, &format!("error: lesson {id} could not start: {e}")),
        }
    }

    fn load_step_editor(&mut self) {
        let Some(s) = &self.lesson else { return };
        let Some(step) = s.lesson.steps.get(s.step) else { return };
        if let Some(yaml) = step.editor.clone() {
            let title = format!("{}.yaml", step.id);
            self.load_editor(&title, &yaml);
        }
    }

    /// Re-evaluates the lesson's current step; moves on when it completes and says so.
    fn refresh_lesson(&mut self) -> bool {
        let Some(s) = self.lesson.as_mut() else { return false };
        if !s.refresh() {
            return false;
        }
        let n = s.step;
        self.lesson_rev += 1;
        self.push_line(LineKind::Info, &format!("✓ step {n} complete"));
        self.load_step_editor();
        true
    }

    /// The log of a session truncated to `len` entries (for "reset step" / "reset lesson").
    pub fn truncated(&self, len: usize) -> SavedSession {
        let mut s = self.saved();
        s.log.truncate(len.min(s.log.len()));
        s
    }
}

/// The catalogue: every lesson's entry (title, summary, topic...; no steps: a lesson's file is
/// fetched when it starts), in catalogue order.
pub fn lessons() -> Vec<IndexEntry> {
    let mut v: Vec<IndexEntry> = pilothouse_lessons::index().to_vec();
    pilothouse_engine::sort::sort_by(&mut v, |a, b| (topic_rank(a.topic), a.order, a.id).cmp(&(topic_rank(b.topic), b.order, b.id)));
    v
}

fn topic_rank(t: &str) -> usize {
    const ORDER: &[&str] = &["Getting started", "Workloads", "Scheduling", "Storage", "Configuration", "Networking", "Operations"];
    ORDER.iter().position(|o| o.eq_ignore_ascii_case(t)).unwrap_or(ORDER.len())
}

/// A lesson by id, if its file is here (embedded, or fetched by the page) and loads.
pub fn find_lesson(id: &str) -> Option<Lesson> {
    pilothouse_lessons::find(id)?.lesson()
}

/// The title of a lesson in a language.
pub fn lesson_title(l: &Lesson, lang: Lang) -> String {
    l.title.get(lang).to_string()
}

/// Where to mark the problems of an apply in the editor: the manifest parser's line and column
/// when the text does not parse, else the lines of the fields the server named.
pub fn marks_for(text: &str, stderr: &str) -> Vec<Mark> {
    if let Err(e) = parse_manifests(text) {
        let msg = stderr.lines().find(|l| !l.trim().is_empty()).map(str::to_string).unwrap_or_else(|| format!("error: {e}"));
        return vec![Mark { line: e.line().max(1), column: e.column().max(1), message: msg }];
    }
    let docs = parse_manifests(text).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let mut marks = Vec::new();
    for msg in stderr.lines().filter(|l| !l.trim().is_empty()) {
        // Which document: the one whose name the message quotes.
        let doc = docs
            .iter()
            .find(|d| {
                let name = d.object.metadata().name.clone().unwrap_or_default();
                !name.is_empty() && msg.contains(&format!("\"{name}\""))
            })
            .or(docs.first());
        let start = doc.map(|d| d.line).unwrap_or(1);
        let end = docs.iter().map(|d| d.line).filter(|l| *l > start).min().unwrap_or(lines.len() + 1);
        let mut found = None;
        for field in field_paths(msg) {
            if let Some(line) = find_field_line(&lines, start, end, &field) {
                found = Some(line);
                break;
            }
        }
        let line = found.unwrap_or(start);
        let column = lines.get(line - 1).map(|l| l.len() - l.trim_start().len() + 1).unwrap_or(1);
        marks.push(Mark { line, column, message: msg.to_string() });
    }
    marks
}

/// Dotted field paths mentioned in a message (`spec.containers[0].image`, `unknown field "spec.x"`).
fn field_paths(msg: &str) -> Vec<String> {
    msg.split(|c: char| c.is_whitespace() || c == '"' || c == ',' || c == '(' || c == ')')
        .map(|w| w.trim_end_matches(':'))
        // Go's `Go struct field EnvVar.spec.template.spec.containers.env.value`: the struct first.
        .map(|w| match w.split_once('.') {
            Some((st, rest)) if st.starts_with(|c: char| c.is_ascii_uppercase()) && st.chars().all(|c| c.is_ascii_alphanumeric()) => rest,
            _ => w,
        })
        .filter(|w| w.contains('.') && w.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && w.chars().all(|c| c.is_ascii_alphanumeric() || "._[]-/".contains(c)))
        .filter(|w| !w.contains('/') && !w.ends_with('.'))
        .map(str::to_string)
        .collect()
}

/// The line (1-based) of a dotted path's deepest key found in lines `start..end`, walking the
/// path's keys in order so `spec.template.spec.containers[0].image` finds the right `image:`.
fn find_field_line(lines: &[&str], start: usize, end: usize, path: &str) -> Option<usize> {
    let keys: Vec<&str> = path.split('.').map(|k| k.split('[').next().unwrap_or(k)).filter(|k| !k.is_empty()).collect();
    let mut from = start.max(1);
    let mut best = None;
    for key in keys {
        let mut hit = None;
        for (i, l) in lines.iter().enumerate().take(end.saturating_sub(1).min(lines.len())).skip(from - 1) {
            let t = l.trim_start().trim_start_matches("- ");
            if t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":")) {
                hit = Some(i + 1);
                break;
            }
        }
        match hit {
            Some(h) => {
                best = Some(h);
                from = h;
            }
            None => break,
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &mut Sandbox, line: &str) {
        s.record(Entry::Cmd { line: line.into() });
    }

    fn text(s: &Sandbox) -> String {
        s.term.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_command_prints_its_output() {
        let mut s = Sandbox::new(1);
        run(&mut s, "kubectl get nodes");
        let t = text(&s);
        assert!(t.contains("$ kubectl get nodes"), "{t}");
        assert!(t.contains("minikube"), "{t}");
        assert!(t.contains("Ready"), "{t}");
    }

    #[test]
    fn replay_rebuilds_the_same_cluster_and_terminal() {
        let mut s = Sandbox::new(3);
        run(&mut s, "kubectl create deployment web --image=nginx --replicas=3");
        s.record(Entry::Advance { ticks: 40 });
        s.record(Entry::Advance { ticks: 40 });
        run(&mut s, "kubectl get pods");
        s.record(Entry::Apply { text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n".into() });
        assert_eq!(s.log.len(), 4, "ticks merge: {:?}", s.log);
        let saved = SavedSession::from_json(&s.saved().to_json()).unwrap();
        let r = Sandbox::replay(&saved);
        assert_eq!(text(&r), text(&s));
        assert_eq!(r.now_ms(), s.now_ms());
        let names = |s: &Sandbox| s.shell().cluster.list(Kind::Pod, Some("default")).iter().map(|p| p.metadata().name.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(names(&r), names(&s));
        assert_eq!(names(&s).len(), 3);
    }

    #[test]
    fn a_watch_is_polled_and_interrupted() {
        let mut s = Sandbox::new(1);
        run(&mut s, "kubectl get pods -w");
        assert_eq!(s.watches.len(), 1);
        run(&mut s, "kubectl run x --image=nginx");
        s.record(Entry::Advance { ticks: 20 });
        s.record(Entry::Advance { ticks: 20 });
        assert_eq!(s.log.iter().filter(|e| matches!(e, Entry::Advance { .. })).count(), 2, "polled ticks do not merge");
        s.record(Entry::Interrupt);
        assert!(s.watches.is_empty());
        let r = Sandbox::replay(&s.saved());
        assert_eq!(text(&r), text(&s));
    }

    #[test]
    fn other_versions_are_refused() {
        assert!(SavedSession::from_json("{\"version\":99,\"seed\":1,\"log\":[]}").unwrap_err().contains("99"));
        assert!(SavedSession::from_json("garbage").is_err());
    }

    /// Sessions saved by earlier builds (serde's tagged-enum form) still load, and are written
    /// back byte for byte the same.
    #[test]
    fn the_saved_format_is_the_one_earlier_builds_wrote() {
        let text = r#"{"version":1,"seed":7,"log":[{"t":"cmd","line":"kubectl get po"},{"t":"apply","text":"a: 1\n"},{"t":"save_edit","text":"b"},{"t":"cancel_edit"},{"t":"advance","ticks":4},{"t":"interrupt"},{"t":"fault","fault":{"f":"stop_node","node":"minikube"}},{"t":"fault","fault":{"f":"start_node","node":"m02"}},{"t":"fault","fault":{"f":"node_memory","node":"m02","mib":512}},{"t":"fault","fault":{"f":"liveness","namespace":"default","pod":"p","container":"c","fail":true}},{"t":"fault","fault":{"f":"readiness","namespace":"default","pod":"p","container":"c","fail":false}},{"t":"fault","fault":{"f":"oom","namespace":"default","pod":"p","container":"c"}},{"t":"lesson","id":"probes"},{"t":"lesson_exit"},{"t":"solution"},{"t":"skip"}]}"#;
        let s = SavedSession::from_json(text).unwrap();
        assert_eq!(s.log.len(), 16);
        assert_eq!(s.log[8], Entry::Fault { fault: Fault::NodeMemory { node: "m02".into(), mib: 512 } });
        assert_eq!(s.to_json(), text);
        let damaged = |t: &str| SavedSession::from_json(t).unwrap_err();
        assert_eq!(damaged(r#"{"version":1,"seed":7,"log":[{"t":"cmd"}]}"#), "damaged session: log[0]: missing field `line`");
        assert_eq!(damaged(r#"{"version":1,"seed":7,"log":[{"t":"fly"}]}"#), "damaged session: log[0]: unknown entry `fly`");
        assert_eq!(damaged(r#"{"version":1,"seed":7,"log":[{"t":"fault","fault":{"f":"oom","pod":"p"}}]}"#), "damaged session: log[0]: fault: missing field `namespace`");
        assert_eq!(damaged(r#"{"version":1,"seed":"x","log":[]}"#), "damaged session: seed: not a whole number");
    }

    #[test]
    fn a_syntax_error_is_marked_at_its_line() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n     image: nginx\n";
        let mut s = Sandbox::new(1);
        s.record(Entry::Apply { text: text.into() });
        assert_eq!(s.marks.len(), 1, "{:?}", s.marks);
        assert_eq!(s.marks[0].line, 8, "{:?}", s.marks);
    }

    #[test]
    fn a_server_error_is_marked_at_the_field() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    bogus: 1\n";
        let mut s = Sandbox::new(1);
        s.record(Entry::Apply { text: text.into() });
        assert!(!s.marks.is_empty(), "{}", text_of(&s));
        assert_eq!(s.marks[0].line, 9, "{:?}", s.marks);
    }

    #[test]
    fn a_wrong_type_is_marked_at_the_field_go_names() {
        // The API server's `Go struct field EnvVar.spec.containers.env.value`: the env value line.
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    env:\n    - name: PORT\n      value: 8080\n";
        let mut s = Sandbox::new(1);
        s.record(Entry::Apply { text: text.into() });
        assert!(text_of(&s).contains("json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string"), "{}", text_of(&s));
        assert_eq!(s.marks.first().map(|m| m.line), Some(11), "{:?}", s.marks);
    }

    #[test]
    fn marks_for_the_browser_test_manifests() {
        let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: api\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n      - name: api\n        image: nginx\n";
        let broken = base.replace("    matchLabels:\n      app: api", "    matchLabels:\n     app: api\n    x");
        let mut s = Sandbox::new(1);
        s.record(Entry::Apply { text: broken });
        eprintln!("{:?}\n{}", s.marks, text(&s));
        assert_eq!(s.marks[0].line, 11);
        let bad = base.replace("        image: nginx\n", "        image: nginx\n        imagePullPolcy: Always\n");
        s.record(Entry::Apply { text: bad });
        eprintln!("{:?}", s.marks);
        assert_eq!(s.marks[0].line, 18);
    }

    fn text_of(s: &Sandbox) -> String {
        text(s)
    }

    #[test]
    fn editor_apply_creates_objects() {
        let mut s = Sandbox::new(1);
        s.record(Entry::Apply { text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx\n".into() });
        assert!(text(&s).contains("pod/p created"), "{}", text(&s));
        assert!(s.marks.is_empty());
    }

    #[test]
    fn kubectl_edit_opens_the_editor_and_saving_applies() {
        let mut s = Sandbox::new(1);
        run(&mut s, "kubectl create deployment web --image=nginx");
        run(&mut s, "kubectl edit deployment web");
        let load = s.editor_load.clone().expect("editor opened");
        assert!(s.pending_edit.is_some());
        let edited = load.text.replace("replicas: 1", "replicas: 2");
        s.record(Entry::SaveEdit { text: edited });
        assert!(text(&s).contains("edited"), "{}", text(&s));
    }

    #[test]
    fn faults_apply() {
        let mut s = Sandbox::new(1);
        s.record(Entry::Fault { fault: Fault::StopNode { node: "minikube".into() } });
        s.record(Entry::Advance { ticks: 240 });
        let node = s.shell().cluster.get(&ObjectKey::new(Kind::Node, "", "minikube")).unwrap();
        let j = node.to_json().to_string();
        assert!(j.contains("NodeStatusUnknown") || j.contains("\"Unknown\""), "{j}");
    }

    #[test]
    fn lessons_load_and_start() {
        let all = lessons();
        assert!(all.iter().any(|l| l.id == "minikube-walkthrough"));
        let mut s = Sandbox::new(1);
        s.record(Entry::Lesson { id: "minikube-walkthrough".into() });
        assert!(s.lesson.is_some());
        run(&mut s, "minikube start");
        run(&mut s, "kubectl get nodes");
        assert_eq!(s.lesson.as_ref().unwrap().step, 1, "{}", text(&s));
        let r = Sandbox::replay(&s.saved());
        assert_eq!(r.lesson.as_ref().unwrap().step, 1);
    }
}
