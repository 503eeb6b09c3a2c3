//! The terminal: a tiny shell around `kubectl` and `minikube`. It owns the cluster, the kubeconfig
//! state (contexts, current namespace), a simulated file system for manifests, environment
//! variables, aliases and history, and turns a typed line into output the way a real terminal
//! would show it.

use pilothouse_engine::vecmap::VecMap;
use crate::lexer::{self, Expander, Joiner, Redirect};
use crate::minikube::Profiles;
use crate::watch::Watch;
use pilothouse_engine::{Cluster, ObjectKey};
use std::collections::BTreeMap;

/// Which stream a piece of output went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// What the page should do besides printing (the CLI ignores most of these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `clear`: wipe the terminal.
    ClearScreen,
    /// `kubectl edit` / `vi FILE`: open the YAML editor on `text`; when the user saves, call
    /// [`Shell::finish_edit`] with `target` and the new text.
    OpenEditor {
        /// A file name to show in the editor's title (`/tmp/kubectl-edit-1.yaml`, `pod.yaml`).
        path: String,
        /// The text to edit.
        text: String,
        /// What saving does.
        target: EditTarget,
    },
    /// A streaming command (`get -w`, `logs -f`, `rollout status`, `port-forward`): the page
    /// keeps the command "running", advances the clock, calls [`Shell::poll_watch`] for new
    /// output and [`Shell::stop_watch`] on Ctrl-C.
    StartWatch {
        /// The watch's id.
        id: u64,
    },
    /// `minikube service NAME`: open this URL (the page may show it in a panel).
    OpenUrl {
        /// The URL.
        url: String,
    },
    /// `minikube dashboard`: show the cluster map.
    ShowMap,
    /// `exit`: the user wants to leave (the CLI exits; the page may ignore it).
    Exit,
}

/// What saving the editor applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditTarget {
    /// `kubectl edit`: replace these objects with the edited text.
    Objects {
        /// The objects opened for editing, in order.
        keys: Vec<ObjectKey>,
    },
    /// `vi FILE`: write the text to this simulated file.
    File {
        /// Absolute path.
        path: String,
    },
}

/// The result of running one line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandOutput {
    /// Everything written to standard output.
    pub stdout: String,
    /// Everything written to standard error.
    pub stderr: String,
    /// The exit code of the last command.
    pub exit_code: i32,
    /// Side effects for the page.
    pub effects: Vec<Effect>,
    /// Standard output and error interleaved as a terminal shows them.
    pub transcript: String,
}

/// An output buffer that remembers the interleaving of stdout and stderr.
#[derive(Clone, Debug, Default)]
pub struct Out {
    /// Chunks in the order written.
    pub chunks: Vec<(Stream, String)>,
    /// Exit code.
    pub code: i32,
    /// Effects.
    pub effects: Vec<Effect>,
}

impl Out {
    /// Writes to stdout.
    pub fn out(&mut self, s: impl AsRef<str>) {
        let s = s.as_ref();
        if !s.is_empty() {
            self.chunks.push((Stream::Stdout, s.to_string()));
        }
    }
    /// Writes a line to stdout.
    pub fn outln(&mut self, s: impl AsRef<str>) {
        self.out(format!("{}\n", s.as_ref()));
    }
    /// Writes to stderr.
    pub fn err(&mut self, s: impl AsRef<str>) {
        let s = s.as_ref();
        if !s.is_empty() {
            self.chunks.push((Stream::Stderr, s.to_string()));
        }
    }
    /// Writes a line to stderr.
    pub fn errln(&mut self, s: impl AsRef<str>) {
        self.err(format!("{}\n", s.as_ref()));
    }
    /// Writes `error: MSG` to stderr and sets exit code 1 (kubectl's CheckErr).
    pub fn fail(&mut self, msg: impl AsRef<str>) {
        let m = msg.as_ref();
        let m = if m.ends_with('\n') { m.to_string() } else { format!("{m}\n") };
        self.err(format!("error: {m}"));
        self.code = 1;
    }
    /// All stdout text.
    pub fn stdout(&self) -> String {
        self.chunks.iter().filter(|c| c.0 == Stream::Stdout).map(|c| c.1.as_str()).collect()
    }
    /// All stderr text.
    pub fn stderr(&self) -> String {
        self.chunks.iter().filter(|c| c.0 == Stream::Stderr).map(|c| c.1.as_str()).collect()
    }
    /// Both, interleaved.
    pub fn transcript(&self) -> String {
        self.chunks.iter().map(|c| c.1.as_str()).collect()
    }
    /// Appends another buffer.
    pub fn extend(&mut self, other: Out) {
        self.chunks.extend(other.chunks);
        self.effects.extend(other.effects);
        self.code = other.code;
    }
}

/// A forwarded local port (`kubectl port-forward`) or the API proxy (`kubectl proxy`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forward {
    /// localhost:PORT -> pod:PORT.
    Pod {
        /// The pod.
        pod: ObjectKey,
        /// The pod's port.
        remote: i32,
    },
    /// localhost:PORT -> the API server.
    Proxy,
}

/// The simulated terminal: a cluster, kubeconfig state, files, history.
#[derive(Clone, Debug)]
pub struct Shell {
    /// The active minikube profile's cluster.
    pub cluster: Cluster,
    /// The current context's namespace.
    pub namespace: String,
    /// The simulated file system: absolute path -> content.
    pub files: BTreeMap<String, String>,
    /// Lines typed so far.
    pub history: Vec<String>,
    /// Environment variables (`export`).
    pub env: BTreeMap<String, String>,
    /// Aliases (`alias k=kubectl`).
    pub aliases: BTreeMap<String, String>,
    /// The working directory.
    pub cwd: String,
    /// Local ports forwarded by `port-forward` / `proxy`.
    pub forwards: VecMap<u16, Forward>,
    /// Running watches (page mode).
    pub(crate) watches: VecMap<u64, Watch>,
    pub(crate) next_watch: u64,
    /// minikube profiles and their state.
    pub(crate) profiles: Profiles,
    /// Whether streaming commands run to completion inline (scripts, the native terminal)
    /// rather than returning [`Effect::StartWatch`].
    pub blocking: bool,
    /// The seed the shell started with.
    pub seed: u64,
    pub(crate) last_code: i32,
    pub(crate) edit_seq: u64,
}

/// Longest virtual time a blocking stream (`get -w`, `logs -f`) runs in a script.
pub const STREAM_LIMIT_MS: u64 = 5 * 60_000;
/// How long a blocking stream waits without any change before it stops (as if Ctrl-C).
pub const STREAM_IDLE_MS: u64 = 60_000;

/// Expands nothing and runs nothing: for checking a line's syntax before any of it runs.
struct DryExpander;

impl Expander for DryExpander {
    fn var(&self, _name: &str) -> String {
        "x".into()
    }
    fn substitute(&mut self, _command: &str) -> String {
        "x".into()
    }
}

struct ShellExpander<'a> {
    sh: &'a mut Shell,
}

impl Expander for ShellExpander<'_> {
    fn var(&self, name: &str) -> String {
        match name {
            "?" => self.sh.last_code.to_string(),
            "$" => "4242".into(),
            "#" => "0".into(),
            "HOME" => self.sh.env.get("HOME").cloned().unwrap_or_else(|| crate::HOME.into()),
            _ => self.sh.env.get(name).cloned().unwrap_or_default(),
        }
    }
    fn substitute(&mut self, command: &str) -> String {
        let out = self.sh.exec_line(command, None);
        out.stdout()
    }
}

impl Shell {
    /// A terminal on a fresh `minikube start`ed cluster.
    pub fn new(seed: u64) -> Shell {
        Shell::with_cluster(seed, Cluster::minikube(seed))
    }

    /// A terminal on a given cluster (lessons set up their own).
    pub fn with_cluster(seed: u64, cluster: Cluster) -> Shell {
        let mut aliases = BTreeMap::new();
        aliases.insert("k".to_string(), "kubectl".to_string());
        let mut env = BTreeMap::new();
        env.insert("HOME".to_string(), crate::HOME.to_string());
        env.insert("USER".to_string(), "learner".to_string());
        env.insert("PATH".to_string(), "/usr/local/bin:/usr/bin:/bin".to_string());
        let profiles = Profiles::new(&cluster);
        Shell {
            cluster,
            namespace: "default".into(),
            files: BTreeMap::new(),
            history: Vec::new(),
            env,
            aliases,
            cwd: crate::HOME.into(),
            forwards: VecMap::new(),
            watches: VecMap::new(),
            next_watch: 1,
            profiles,
            blocking: false,
            seed,
            last_code: 0,
            edit_seq: 0,
        }
    }

    /// The prompt to show before the next line.
    pub fn prompt(&self) -> String {
        "$ ".into()
    }

    /// Runs one command line (it may hold a here-document body after its first line, and `\`
    /// continuations) and returns what the terminal shows.
    pub fn run(&mut self, line: &str) -> CommandOutput {
        let trimmed = line.trim_end_matches('\n');
        if !trimmed.trim().is_empty() {
            self.history.push(trimmed.to_string());
        }
        let out = self.exec_line(trimmed, None);
        self.last_code = out.code;
        self.after_command();
        CommandOutput { stdout: out.stdout(), stderr: out.stderr(), exit_code: out.code, effects: out.effects.clone(), transcript: out.transcript() }
    }

    /// Work done after every command: the tunnel assigns LoadBalancer IPs.
    fn after_command(&mut self) {
        crate::net::after_command(self);
    }

    /// Runs a script and returns the transcript: each command echoed as `$ <line>` (continuation
    /// lines as `> <line>`), followed by its output as a terminal shows it. Comments are echoed,
    /// blank lines skipped. Streaming commands run until the cluster is idle (bounded).
    pub fn run_script(&mut self, text: &str) -> String {
        let was = self.blocking;
        self.blocking = true;
        let mut transcript = String::new();
        for cmd in split_script(text) {
            match cmd {
                ScriptItem::Comment(c) => {
                    transcript.push_str(&c);
                    transcript.push('\n');
                }
                ScriptItem::Command { shown, text } => {
                    for (i, l) in shown.iter().enumerate() {
                        transcript.push_str(if i == 0 { "$ " } else { "> " });
                        transcript.push_str(l);
                        transcript.push('\n');
                    }
                    let out = self.run(&text);
                    transcript.push_str(&out.transcript);
                    if !out.transcript.is_empty() && !out.transcript.ends_with('\n') {
                        transcript.push('\n');
                    }
                    for e in &out.effects {
                        if let Effect::OpenEditor { path, .. } = e {
                            transcript.push_str(&format!("(the editor opens {path}; in a script nothing is changed)\n"));
                        }
                    }
                }
            }
        }
        self.blocking = was;
        transcript
    }

    /// Tab completion candidates for the word being typed at the end of `partial_line`.
    pub fn complete(&self, partial_line: &str) -> Vec<String> {
        crate::complete::complete(self, partial_line)
    }

    /// Whether the text needs more lines before it can run (open quote, `\`, here-document).
    pub fn is_incomplete(text: &str) -> bool {
        lexer::is_incomplete(text)
    }

    /// Makes a path absolute against the working directory (`~` is the home directory).
    pub fn abs_path(&self, p: &str) -> String {
        let p = if p == "~" {
            crate::HOME.to_string()
        } else if let Some(rest) = p.strip_prefix("~/") {
            format!("{}/{rest}", crate::HOME)
        } else {
            p.to_string()
        };
        let joined = if p.starts_with('/') { p } else { format!("{}/{}", self.cwd.trim_end_matches('/'), p) };
        let mut parts: Vec<&str> = Vec::new();
        for seg in joined.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        format!("/{}", parts.join("/"))
    }

    /// Reads a simulated file.
    pub fn read_file(&self, p: &str) -> Option<&String> {
        self.files.get(&self.abs_path(p))
    }

    /// Writes a simulated file.
    pub fn write_file(&mut self, p: &str, content: &str, append: bool) {
        let path = self.abs_path(p);
        let e = self.files.entry(path).or_default();
        if append {
            e.push_str(content);
        } else {
            *e = content.to_string();
        }
    }

    /// Executes a (possibly multi-line) command text. The whole line is checked for syntax
    /// first (nothing runs if it is wrong, as in bash); then each part of a `;`/`&&`/`||` list
    /// is expanded just before it runs, so `$?` and `$(...)` see what the parts before did.
    pub(crate) fn exec_line(&mut self, text: &str, stdin: Option<String>) -> Out {
        let (line, heredoc) = lexer::split_heredoc(text);
        let mut out = Out::default();
        if let Err(e) = lexer::parse(&line, heredoc.as_deref(), &mut DryExpander) {
            out.errln(format!("bash: {}", e.0));
            out.code = 2;
            return out;
        }
        let mut heredoc = heredoc;
        let mut run_next = true;
        for (part, joiner) in lexer::split_list(&line) {
            if run_next {
                let hd = if part.contains("<<") { heredoc.take() } else { None };
                let list = {
                    let mut ex = ShellExpander { sh: self };
                    lexer::parse(&part, hd.as_deref(), &mut ex)
                };
                match list {
                    Ok(list) => {
                        for (pipe, _) in list.items {
                            let o = self.exec_pipeline(pipe, stdin.clone(), &mut out);
                            out.extend(o);
                            self.last_code = out.code;
                        }
                    }
                    Err(e) => {
                        out.errln(format!("bash: {}", e.0));
                        out.code = 2;
                        self.last_code = 2;
                    }
                }
            }
            run_next = match joiner {
                Joiner::Always => true,
                Joiner::And => out.code == 0,
                Joiner::Or => out.code != 0,
            };
        }
        out
    }

    /// Runs the stages of a pipeline; stderr of all but the last goes to `out` as it happens,
    /// the last stage's output is returned.
    fn exec_pipeline(&mut self, pipe: lexer::Pipeline, stdin: Option<String>, out: &mut Out) -> Out {
        let mut input = stdin;
        let n = pipe.stages.len();
        let mut last = Out::default();
        for (i, stage) in pipe.stages.into_iter().enumerate() {
            let mut o = self.exec_simple(stage, input.take());
            if i + 1 < n {
                // Only stderr reaches the terminal; stdout feeds the next stage.
                input = Some(o.stdout());
                o.chunks.retain(|c| c.0 == Stream::Stderr);
                out.chunks.extend(std::mem::take(&mut o.chunks));
                out.effects.extend(std::mem::take(&mut o.effects));
            } else {
                last = o;
            }
        }
        last
    }

    fn exec_simple(&mut self, s: lexer::Simple, stdin: Option<String>) -> Out {
        let mut words = s.words;
        if words.is_empty() {
            for (k, v) in s.assignments {
                self.env.insert(k, v);
            }
            return Out::default();
        }
        // Aliases (one level, like bash for a non-recursive alias).
        if let Some(a) = self.aliases.get(&words[0]).cloned() {
            let mut expanded = lexer::split_words(&a);
            expanded.extend(words.drain(1..));
            words = expanded;
            if words.is_empty() {
                return Out::default();
            }
        }
        let stdin = match (&s.heredoc, stdin) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(i)) => Some(i),
            (None, None) => None,
        };
        let mut stdin = stdin;
        for r in &s.redirects {
            if let Redirect::Stdin(p) = r {
                match self.read_file(p) {
                    Some(c) => stdin = Some(c.clone()),
                    None => {
                        let mut o = Out::default();
                        o.errln(format!("bash: {p}: No such file or directory"));
                        o.code = 1;
                        return o;
                    }
                }
            }
        }
        let mut out = crate::builtins::dispatch(self, &words, stdin);
        // Apply redirections.
        for r in &s.redirects {
            match r {
                Redirect::Stdout { path, append } => {
                    let text = out.stdout();
                    out.chunks.retain(|c| c.0 != Stream::Stdout);
                    if path != "/dev/null" {
                        self.write_file(path, &text, *append);
                    }
                }
                Redirect::Stderr { path, append } => {
                    let text = out.stderr();
                    out.chunks.retain(|c| c.0 != Stream::Stderr);
                    if path != "/dev/null" {
                        self.write_file(path, &text, *append);
                    }
                }
                Redirect::Both { path, append } => {
                    let text = out.transcript();
                    out.chunks.clear();
                    if path != "/dev/null" {
                        self.write_file(path, &text, *append);
                    }
                }
                Redirect::StderrToStdout => {
                    for c in out.chunks.iter_mut() {
                        c.0 = Stream::Stdout;
                    }
                }
                Redirect::Stdin(_) => {}
            }
        }
        out
    }

    /// Applies the text saved in the editor opened by [`Effect::OpenEditor`].
    pub fn finish_edit(&mut self, target: &EditTarget, text: &str) -> CommandOutput {
        let out = crate::kubectl::edit::finish(self, target, text);
        CommandOutput { stdout: out.stdout(), stderr: out.stderr(), exit_code: out.code, effects: out.effects.clone(), transcript: out.transcript() }
    }

    /// New output of a running watch since the last poll (after the page advanced the clock).
    /// `None` when the watch has ended (e.g. `rollout status` finished) or does not exist.
    pub fn poll_watch(&mut self, id: u64) -> Option<String> {
        crate::watch::poll(self, id)
    }

    /// Stops a watch (Ctrl-C).
    pub fn stop_watch(&mut self, id: u64) {
        self.watches.remove(&id);
    }

    /// Advances the virtual clock (the page's time controls).
    pub fn advance(&mut self, ms: u64) {
        self.cluster.advance(ms);
        self.after_command();
    }

    /// Runs the cluster timer by timer for at most `max_ms`, calling `tick` after each instant
    /// settles; stops early when `tick` returns true. Returns whether `tick` ended it.
    pub(crate) fn run_until(&mut self, max_ms: u64, mut tick: impl FnMut(&mut Shell) -> bool) -> bool {
        let limit = self.cluster.now_ms().saturating_add(max_ms);
        self.cluster.settle();
        if tick(self) {
            return true;
        }
        loop {
            match self.cluster.api.clock.next_timer() {
                Some(t) if t <= limit => {
                    self.cluster.api.clock.set_now(t);
                    self.cluster.settle();
                    crate::net::after_command(self);
                    if tick(self) {
                        return true;
                    }
                }
                _ => {
                    self.cluster.api.clock.set_now(limit);
                    self.cluster.settle();
                    return tick(self);
                }
            }
        }
    }
}

/// One item of a script: a comment or a command with the physical lines it spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ScriptItem {
    Comment(String),
    Command { shown: Vec<String>, text: String },
}

/// Splits a script into commands: `\` continuations joined, here-document bodies attached.
pub(crate) fn split_script(text: &str) -> Vec<ScriptItem> {
    let lines: Vec<&str> = text.lines().collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        i += 1;
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with('#') {
            items.push(ScriptItem::Comment(l.to_string()));
            continue;
        }
        let mut shown = vec![l.to_string()];
        let mut text = l.to_string();
        // Continuations and open quotes.
        while (text.ends_with('\\') || lexer::is_incomplete(&text)) && lexer::heredoc_delimiter(&text).is_none() && i < lines.len() {
            let joined_by_backslash = text.ends_with('\\');
            if joined_by_backslash {
                text.pop();
            } else {
                text.push('\n');
            }
            text.push_str(lines[i]);
            shown.push(lines[i].to_string());
            i += 1;
        }
        if let Some(d) = lexer::heredoc_delimiter(&text) {
            let first = text.replace('\n', " ");
            let mut full = first;
            while i < lines.len() {
                let b = lines[i];
                i += 1;
                shown.push(b.to_string());
                full.push('\n');
                full.push_str(b);
                if b.trim_end() == d {
                    break;
                }
            }
            text = full;
        }
        items.push(ScriptItem::Command { shown, text });
    }
    items
}
