//! Guided lessons: the lesson file format, a loader with clear errors for authors, declarative
//! checks over the live cluster, a runner for the page and `pilothouse lesson check`, and a
//! small Markdown reader for step bodies. Every learner-facing text exists in English and Korean.

pub mod checks;
pub mod markdown;
pub mod runner;
pub mod schema;
pub mod text;

pub use checks::{evaluate, CheckResult};
pub use runner::{check_lesson, start_shell, CheckReport, Session};
pub use schema::{Check, Lesson, Step};
pub use text::{Lang, Text};

/// A problem in a lesson file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LessonError {
    /// The file name.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a lesson file. `file` names it in errors.
pub fn load(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let lesson: Lesson = serde_yaml::from_str(text).map_err(|e| LessonError {
        file: file.to_string(),
        line: e.location().map(|l| l.line()).unwrap_or(0),
        message: {
            let m = e.to_string();
            match m.find(" at line ") {
                Some(i) => m[..i].to_string(),
                None => m,
            }
        },
    })?;
    let err = |message: String| LessonError { file: file.to_string(), line: 0, message };
    if lesson.steps.is_empty() {
        return Err(err("a lesson needs at least one step".into()));
    }
    if !["beginner", "intermediate", "advanced"].contains(&lesson.level.as_str()) {
        return Err(err(format!("level must be beginner, intermediate or advanced, not {:?}", lesson.level)));
    }
    let mut ids = std::collections::BTreeSet::new();
    for (i, s) in lesson.steps.iter().enumerate() {
        if !ids.insert(s.id.clone()) {
            return Err(err(format!("step {} repeats the id {:?}", i + 1, s.id)));
        }
        if s.checks.is_empty() {
            return Err(err(format!("step {} ({}) has no checks", i + 1, s.id)));
        }
        if s.solution.commands.is_empty() {
            return Err(err(format!("step {} ({}) has no solution commands", i + 1, s.id)));
        }
        for c in &s.checks {
            let kind = match c {
                Check::Exists { kind, .. } | Check::Absent { kind, .. } | Check::Field { kind, .. } => Some(kind),
                _ => None,
            };
            if let Some(k) = kind {
                if pilothouse_engine::Kind::lookup(k).is_none() {
                    return Err(err(format!("step {} ({}): unknown kind {k:?} in a check", i + 1, s.id)));
                }
            }
            if let Check::Pods { selector, .. } | Check::Scheduled { selector, .. } = c {
                if let Err(e) = pilothouse_engine::selector::Selector::parse(selector) {
                    return Err(err(format!("step {} ({}): bad selector {selector:?}: {e}", i + 1, s.id)));
                }
            }
        }
        for d in s.solution.advance.iter() {
            if schema::parse_duration(d).is_none() {
                return Err(err(format!("step {} ({}): bad duration {d:?}", i + 1, s.id)));
            }
        }
    }
    Ok(lesson)
}

/// Names every learner-facing text that lacks a Korean translation.
pub fn missing_translations(lesson: &Lesson) -> Vec<String> {
    let mut out = Vec::new();
    let mut need = |what: String, t: &Text| {
        if !t.is_translated() {
            out.push(what);
        }
    };
    need("title".into(), &lesson.title);
    need("summary".into(), &lesson.summary);
    for (i, s) in lesson.steps.iter().enumerate() {
        need(format!("step {} title", i + 1), &s.title);
        need(format!("step {} body", i + 1), &s.body);
        for (j, h) in s.hints.iter().enumerate() {
            need(format!("step {} hint {}", i + 1, j + 1), h);
        }
        for (j, c) in s.checks.iter().enumerate() {
            need(format!("step {} check {}", i + 1, j + 1), c.text());
        }
    }
    out
}

/// The lessons shipped with Pilothouse, embedded at build time (file name, text).
pub fn bundled() -> Vec<(&'static str, &'static str)> {
    include!(concat!(env!("OUT_DIR"), "/bundled_lessons.rs"))
}

/// Loads every bundled lesson, sorted by topic order and lesson order.
pub fn catalogue() -> Vec<Result<Lesson, LessonError>> {
    bundled().into_iter().map(|(f, t)| load(f, t)).collect()
}
