//! Learner-facing text in English and Korean. A lesson writes each text either as a map
//! `{en: ..., ko: ...}` or, while a translation is missing, as a plain string (English), which
//! `pilothouse lesson check` reports.

use serde::{Deserialize, Serialize};

/// The languages the product speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// `en` / `ko`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// Parses `en`, `ko`, `ko-KR`, `en-US`...
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("ko") {
            Some(Lang::Ko)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A text in both languages: a string, or `{en, ko}` (read by `check_de.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Text {
    /// Only English (a missing translation).
    Plain(String),
    /// Both languages.
    Both {
        /// English.
        en: String,
        /// Korean.
        ko: String,
    },
}

impl Text {
    /// The text in a language (English if the translation is missing).
    pub fn get(&self, lang: Lang) -> &str {
        match (self, lang) {
            (Text::Plain(s), _) => s,
            (Text::Both { en, .. }, Lang::En) => en,
            (Text::Both { ko, .. }, Lang::Ko) => ko,
        }
    }

    /// Whether both languages are present and non-empty.
    pub fn is_translated(&self) -> bool {
        matches!(self, Text::Both { en, ko } if !en.trim().is_empty() && !ko.trim().is_empty())
    }

    /// An English-only text.
    pub fn en(s: impl Into<String>) -> Text {
        Text::Plain(s.into())
    }
}
