//! Saving and sharing: the session log in `localStorage` under a versioned key, lesson
//! progress, the language choice, and the share link (`#s=` + base64url of the deflated log).
//!
//! The codec is pure and tested natively; the storage functions only run in the browser.


use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::sandbox::SavedSession;

/// `localStorage` key of the session log (the number is [`crate::sandbox::SAVE_VERSION`]).
pub const SESSION_KEY: &str = "pilothouse.session.v1";
/// `localStorage` key of lesson progress (lesson id → completed steps).
pub const PROGRESS_KEY: &str = "pilothouse.progress.v1";
/// `localStorage` key of the language choice.
pub const LANG_KEY: &str = "pilothouse.lang";
/// Largest share text accepted (decompressed), against decompression bombs.
const MAX_SHARE: usize = 8 * 1024 * 1024;

/// Encodes a session for a link: deflate, then base64url without padding.
pub fn encode_share(s: &SavedSession) -> String {
    let json = s.to_json();
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    URL_SAFE_NO_PAD.encode(packed)
}

/// Decodes a link's session.
pub fn decode_share(code: &str) -> Result<SavedSession, String> {
    let packed = URL_SAFE_NO_PAD.decode(code.trim().trim_end_matches('=')).map_err(|e| format!("the link is damaged: {e}"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_SHARE).map_err(|e| format!("the link is damaged: {e:?}"))?;
    let text = String::from_utf8(json).map_err(|_| "the link is damaged: not text".to_string())?;
    SavedSession::from_json(&text)
}

/// What the URL hash asks for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HashRequest {
    /// `#s=<code>`: a shared session.
    pub share: Option<String>,
    /// `#lesson=<id>`.
    pub lesson: Option<String>,
    /// `&step=<n>` (1-based).
    pub step: Option<usize>,
}

/// Parses `#s=...` or `#lesson=<id>&step=<n>`.
pub fn parse_hash(hash: &str) -> HashRequest {
    let mut r = HashRequest::default();
    for part in hash.trim_start_matches('#').split('&') {
        match part.split_once('=') {
            Some(("s", v)) => r.share = Some(v.to_string()),
            Some(("lesson", v)) => r.lesson = Some(v.to_string()),
            Some(("step", v)) => r.step = v.parse().ok(),
            _ => {}
        }
    }
    r
}

/// Lesson progress: lesson id → which steps were completed.
pub type Progress = pilothouse_engine::vecmap::VecMap<String, Vec<bool>>;

#[cfg(target_arch = "wasm32")]
mod browser {
    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    /// Reads a key.
    pub fn get(key: &str) -> Option<String> {
        storage()?.get_item(key).ok()?
    }

    /// Writes a key (ignores a full or disabled storage).
    pub fn set(key: &str, value: &str) {
        if let Some(s) = storage() {
            let _ = s.set_item(key, value);
        }
    }

    /// Removes a key.
    pub fn remove(key: &str) {
        if let Some(s) = storage() {
            let _ = s.remove_item(key);
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod browser {
    //! Native stand-ins: nothing is stored.
    /// Reads a key.
    pub fn get(_key: &str) -> Option<String> {
        None
    }
    /// Writes a key.
    pub fn set(_key: &str, _value: &str) {}
    /// Removes a key.
    pub fn remove(_key: &str) {}
}

pub use browser::{get, remove, set};

/// Saves the session log.
pub fn save_session(s: &SavedSession) {
    set(SESSION_KEY, &s.to_json());
}

/// The saved session: `Ok(None)` when there is none, `Err` when it cannot be read.
pub fn load_session() -> Result<Option<SavedSession>, String> {
    match get(SESSION_KEY) {
        None => Ok(None),
        Some(text) => SavedSession::from_json(&text).map(Some),
    }
}

/// Lesson progress.
pub fn load_progress() -> Progress {
    get(PROGRESS_KEY).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// Saves lesson progress.
pub fn save_progress(p: &Progress) {
    set(PROGRESS_KEY, &serde_json::to_string(p).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{Entry, SAVE_VERSION};

    #[test]
    fn share_codes_round_trip() {
        let s = SavedSession { version: SAVE_VERSION, seed: 5, log: vec![Entry::Cmd { line: "kubectl get pods".into() }, Entry::Advance { ticks: 12 }] };
        let code = encode_share(&s);
        assert!(code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{code}");
        assert_eq!(decode_share(&code).unwrap(), s);
        assert!(decode_share("!!!").is_err());
        assert!(decode_share("AAAA").is_err());
    }

    #[test]
    fn hashes_parse() {
        assert_eq!(parse_hash("#lesson=taints&step=2"), HashRequest { share: None, lesson: Some("taints".into()), step: Some(2) });
        assert_eq!(parse_hash("#s=abc").share.as_deref(), Some("abc"));
        assert_eq!(parse_hash(""), HashRequest::default());
    }
}
