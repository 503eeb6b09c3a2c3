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

/// A session as a link's code: its JSON deflated (raw), then base64url without padding.
/// Natively at once; in the page the browser deflates, so there it is async.
#[cfg(not(target_arch = "wasm32"))]
pub fn encode_share(s: &SavedSession) -> String {
    URL_SAFE_NO_PAD.encode(crate::zip::deflate(s.to_json().as_bytes()))
}

/// [`encode_share`] in the page.
#[cfg(target_arch = "wasm32")]
pub async fn encode_share(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(crate::zip::deflate(json.as_bytes()).await)
}

/// Decodes a link's session (natively at once, in the page async).
#[cfg(not(target_arch = "wasm32"))]
pub fn decode_share(code: &str) -> Result<SavedSession, String> {
    read_share(crate::zip::inflate(&unbase64(code)?, crate::zip::Format::Raw, MAX_SHARE))
}

/// [`decode_share`] in the page.
#[cfg(target_arch = "wasm32")]
pub async fn decode_share(code: &str) -> Result<SavedSession, String> {
    read_share(crate::zip::inflate(&unbase64(code)?, crate::zip::Format::Raw, MAX_SHARE).await)
}

fn unbase64(code: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD.decode(code.trim().trim_end_matches('=')).map_err(|e| format!("the link is damaged: {e}"))
}

fn read_share(json: Result<Vec<u8>, String>) -> Result<SavedSession, String> {
    let json = json.map_err(|e| format!("the link is damaged: {e}"))?;
    let text = String::from_utf8(json).map_err(|_| "the link is damaged: not text".to_string())?;
    SavedSession::from_json(&text)
}

thread_local! {
    /// Share links decoded so far, by code (the page decodes asynchronously; see
    /// `assets::Need::Share`).
    static DECODED: std::cell::RefCell<Vec<(String, Result<SavedSession, String>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps a link's decoded session for [`shared`].
pub fn keep_shared(code: &str, r: Result<SavedSession, String>) {
    DECODED.with(|d| d.borrow_mut().push((code.to_string(), r)));
}

/// A link's decoded session, if it has been decoded (natively: decoded now).
pub fn shared(code: &str) -> Option<Result<SavedSession, String>> {
    #[cfg(not(target_arch = "wasm32"))]
    if !DECODED.with(|d| d.borrow().iter().any(|(c, _)| c == code)) {
        keep_shared(code, decode_share(code));
    }
    DECODED.with(|d| d.borrow().iter().find(|(c, _)| c == code).map(|(_, r)| r.clone()))
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

    // Natively (miniz_oxide); tests/browser.rs checks the page's async codec in the browser.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn share_codes_round_trip() {
        use crate::sandbox::{Entry, SAVE_VERSION};
        let s = SavedSession { version: SAVE_VERSION, seed: 5, log: vec![Entry::Cmd { line: "kubectl get pods".into() }, Entry::Advance { ticks: 12 }] };
        let code = encode_share(&s);
        assert!(code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{code}");
        assert_eq!(decode_share(&code).unwrap(), s);
        assert_eq!(shared(&code), Some(Ok(s)));
        assert!(decode_share("!!!").is_err());
        assert!(decode_share("AAAA").is_err());
        // A decompression bomb is refused.
        let bomb = URL_SAFE_NO_PAD.encode(crate::zip::deflate(&vec![b' '; MAX_SHARE + 1]));
        assert_eq!(decode_share(&bomb), Err("the link is damaged: too large".into()));
    }

    #[test]
    fn hashes_parse() {
        assert_eq!(parse_hash("#lesson=taints&step=2"), HashRequest { share: None, lesson: Some("taints".into()), step: Some(2) });
        assert_eq!(parse_hash("#s=abc").share.as_deref(), Some("abc"));
        assert_eq!(parse_hash(""), HashRequest::default());
    }
}
