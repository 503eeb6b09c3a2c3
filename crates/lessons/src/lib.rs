//! Guided lessons: the lesson file format, a loader with clear errors for authors, declarative
//! checks over the live cluster, a runner for the page and `pilothouse lesson check`, and a
//! small Markdown reader for step bodies. Every learner-facing text exists in English and Korean.

mod check_de;
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

/// The lessons shipped with Pilothouse (file name, text): embedded at build time with the
/// `embedded` feature, else those [`install`]ed so far.
pub fn bundled() -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<(&'static str, &'static str)> = include!(concat!(env!("OUT_DIR"), "/bundled_lessons.rs"));
    if let Ok(installed) = INSTALLED.lock() {
        for &(f, t) in installed.iter() {
            if !v.iter().any(|(g, _)| *g == f) {
                v.push((f, t));
            }
        }
    }
    v
}

static INSTALLED: std::sync::Mutex<Vec<(&'static str, &'static str)>> = std::sync::Mutex::new(Vec::new());

/// Adds a lesson file fetched at run time (the page, built without `embedded`). The texts live
/// as long as the program (a few dozen files at most; a second install of a file is ignored).
pub fn install(file: &str, text: String) {
    if let Ok(mut installed) = INSTALLED.lock() {
        if !installed.iter().any(|(f, _)| *f == file) {
            installed.push((Box::leak(file.to_string().into_boxed_str()), Box::leak(text.into_boxed_str())));
        }
    }
}

/// What the catalogue shows of a lesson, read from its file at build time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// The file name in `lessons/`.
    pub file: &'static str,
    /// The lesson's id.
    pub id: &'static str,
    /// Title in English and, when translated, Korean.
    pub title: (&'static str, Option<&'static str>),
    /// Summary, likewise.
    pub summary: (&'static str, Option<&'static str>),
    /// Level.
    pub level: &'static str,
    /// Estimated minutes.
    pub minutes: u32,
    /// Topic.
    pub topic: &'static str,
    /// Position within the topic.
    pub order: u32,
    /// How many steps it has.
    pub steps: usize,
}

/// Every lesson file's catalogue entry, in file order.
pub fn index() -> &'static [IndexEntry] {
    include!(concat!(env!("OUT_DIR"), "/lesson_index.rs"))
}

/// The index entry of a lesson id.
pub fn find(id: &str) -> Option<&'static IndexEntry> {
    index().iter().find(|e| e.id == id)
}

/// `(English, Korean)` in a language (English where the translation is missing).
fn in_lang((en, ko): (&'static str, Option<&'static str>), lang: Lang) -> &'static str {
    match (lang, ko) {
        (Lang::Ko, Some(ko)) => ko,
        _ => en,
    }
}

impl IndexEntry {
    /// The title in a language (English where the translation is missing).
    pub fn title_in(&self, lang: Lang) -> &'static str {
        in_lang(self.title, lang)
    }

    /// The summary in a language (English where the translation is missing).
    pub fn summary_in(&self, lang: Lang) -> &'static str {
        in_lang(self.summary, lang)
    }

    /// A lesson with this entry's catalogue fields and no steps (for a catalogue that does not
    /// need the lessons themselves).
    pub fn stub(&self) -> Lesson {
        let text = |(en, ko): (&str, Option<&str>)| match ko {
            Some(ko) => Text::Both { en: en.to_string(), ko: ko.to_string() },
            None => Text::Plain(en.to_string()),
        };
        Lesson {
            id: self.id.to_string(),
            title: text(self.title),
            summary: text(self.summary),
            level: self.level.to_string(),
            minutes: self.minutes,
            topic: self.topic.to_string(),
            order: self.order,
            tags: Vec::new(),
            cluster: Default::default(),
            steps: Vec::new(),
        }
    }

    /// Whether the lesson's file is at hand (embedded or installed).
    pub fn available(&self) -> bool {
        bundled().iter().any(|(f, _)| *f == self.file)
    }

    /// The lesson, if its file is at hand and loads.
    pub fn lesson(&self) -> Option<Lesson> {
        bundled().into_iter().find(|(f, _)| *f == self.file).and_then(|(f, t)| load(f, t).ok())
    }
}

/// Loads every bundled lesson, sorted by topic order and lesson order.
pub fn catalogue() -> Vec<Result<Lesson, LessonError>> {
    bundled().into_iter().map(|(f, t)| load(f, t)).collect()
}
