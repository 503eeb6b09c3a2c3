//! Running a lesson: building its starting cluster, evaluating the current step, playing a
//! step's solution, and the author's check (`pilothouse lesson check`): at the start of every
//! step its checks must not all hold, and after its solution they must.

use crate::checks::{evaluate, CheckResult};
use crate::schema::{parse_duration, Lesson};
use crate::text::Lang;
use pilothouse_engine::{Cluster, ClusterOptions};
use pilothouse_kubectl::Shell;

/// A learner's session in a lesson: the terminal (with its cluster) and progress.
#[derive(Clone, Debug)]
pub struct Session {
    /// The lesson.
    pub lesson: Lesson,
    /// The terminal and its cluster.
    pub shell: Shell,
    /// The current step index.
    pub step: usize,
    /// Which steps are complete.
    pub completed: Vec<bool>,
    /// Index into the shell history where the current step began.
    pub step_history_start: usize,
}

/// Builds the starting terminal of a lesson; set-up problems are returned as text.
pub fn start_shell(lesson: &Lesson) -> Result<Shell, String> {
    let spec = &lesson.cluster;
    let cluster = Cluster::start(spec.seed, ClusterOptions { nodes: spec.nodes.max(1), cpus: spec.cpus, memory_mb: spec.memory_mb, ..Default::default() });
    let mut shell = Shell::with_cluster(spec.seed, cluster);
    shell.blocking = true;
    let mut setup: Vec<String> = Vec::new();
    for (node, labels) in &spec.node_labels {
        for (k, v) in labels {
            setup.push(format!("kubectl label node {node} {k}={v} --overwrite"));
        }
    }
    for (node, taints) in &spec.node_taints {
        for t in taints {
            setup.push(format!("kubectl taint node {node} {t}"));
        }
    }
    for (name, content) in &spec.files {
        let path = shell.abs_path(name);
        shell.files.insert(path, content.clone());
    }
    if let Some(yaml) = &spec.apply {
        shell.files.insert("/tmp/lesson-setup.yaml".into(), yaml.clone());
        setup.push("kubectl apply -f /tmp/lesson-setup.yaml".into());
    }
    setup.extend(spec.commands.iter().cloned());
    for cmd in &setup {
        let out = shell.run(cmd);
        if out.exit_code != 0 {
            return Err(format!("set-up command `{cmd}` failed: {}", out.transcript.trim()));
        }
    }
    shell.files.remove("/tmp/lesson-setup.yaml");
    if let Some(d) = &spec.advance {
        let ms = parse_duration(d).ok_or_else(|| format!("bad duration {d:?} in cluster.advance"))?;
        shell.cluster.advance(ms);
    }
    // Set-up commands are not the learner's.
    shell.history.clear();
    shell.blocking = false;
    Ok(shell)
}

impl Session {
    /// Starts a lesson at its first step.
    pub fn start(lesson: Lesson) -> Result<Session, String> {
        let shell = start_shell(&lesson)?;
        let n = lesson.steps.len();
        Ok(Session { lesson, shell, step: 0, completed: vec![false; n], step_history_start: 0 })
    }

    /// Evaluates the checks of a step now.
    pub fn evaluate(&self, step: usize) -> Vec<CheckResult> {
        let Some(s) = self.lesson.steps.get(step) else { return Vec::new() };
        let history = &self.shell.history[self.step_history_start.min(self.shell.history.len())..];
        s.checks.iter().map(|c| evaluate(c, &self.shell.cluster, history)).collect()
    }

    /// Re-evaluates the current step; marks it complete and moves on when all checks hold.
    /// Returns whether the step just completed.
    pub fn refresh(&mut self) -> bool {
        if self.step >= self.lesson.steps.len() {
            return false;
        }
        let ok = self.evaluate(self.step).iter().all(|r| r.ok);
        if ok {
            self.completed[self.step] = true;
            self.step += 1;
            self.step_history_start = self.shell.history.len();
        }
        ok
    }

    /// Plays the solution of the current step (commands, then the wait).
    pub fn play_solution(&mut self) -> String {
        let Some(step) = self.lesson.steps.get(self.step).cloned() else { return String::new() };
        let was = self.shell.blocking;
        self.shell.blocking = true;
        let mut transcript = String::new();
        for cmd in &step.solution.commands {
            transcript.push_str(&format!("$ {cmd}\n"));
            let out = self.shell.run(cmd);
            transcript.push_str(&out.transcript);
        }
        if let Some(ms) = step.solution.advance.as_deref().and_then(parse_duration) {
            self.shell.cluster.advance(ms);
        }
        self.shell.blocking = was;
        transcript
    }

    /// Skips the current step without completing it.
    pub fn skip(&mut self) {
        if self.step < self.lesson.steps.len() {
            self.step += 1;
            self.step_history_start = self.shell.history.len();
        }
    }

    /// Whether every step is complete.
    pub fn finished(&self) -> bool {
        self.completed.iter().all(|c| *c)
    }
}

/// What `pilothouse lesson check` found wrong with a lesson.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Problems, each a full sentence naming the step.
    pub problems: Vec<String>,
    /// The transcript of the played solutions.
    pub transcript: String,
}

/// Plays a lesson from start to end: checks must fail before each step's solution and pass
/// after it; every learner-facing text must exist in English and Korean.
pub fn check_lesson(lesson: &Lesson) -> CheckReport {
    let mut report = CheckReport::default();
    for missing in crate::missing_translations(lesson) {
        report.problems.push(format!("missing Korean translation: {missing}"));
    }
    let mut session = match Session::start(lesson.clone()) {
        Ok(s) => s,
        Err(e) => {
            report.problems.push(e);
            return report;
        }
    };
    for (i, step) in lesson.steps.iter().enumerate() {
        let before = session.evaluate(i);
        if !before.is_empty() && before.iter().all(|r| r.ok) {
            report.problems.push(format!("step {} ({}): the checks already pass before the step is done", i + 1, step.id));
        }
        report.transcript.push_str(&format!("# step {}: {}\n", i + 1, step.title.get(Lang::En)));
        report.transcript.push_str(&session.play_solution());
        let after = session.evaluate(i);
        for (c, r) in step.checks.iter().zip(after.iter()) {
            if !r.ok {
                report.problems.push(format!("step {} ({}): check \"{}\" fails after the solution: {}", i + 1, step.id, c.text().get(Lang::En), r.detail));
            }
        }
        if !session.refresh() && after.iter().all(|r| r.ok) {
            report.problems.push(format!("step {} ({}): did not complete", i + 1, step.id));
        }
        if after.iter().any(|r| !r.ok) {
            // Keep going on the right step so later problems are reported too.
            session.completed[i] = true;
            session.step = i + 1;
            session.step_history_start = session.shell.history.len();
        }
    }
    report
}
