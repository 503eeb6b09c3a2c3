//! Reads `lessons/*.yaml` at build time: an index of every lesson (what the catalogue shows:
//! id, title, summary, level, minutes, topic, order) and, with the `embedded` feature, the
//! files themselves. The page builds without `embedded` and fetches a lesson's file when it
//! starts (the binaries and tests embed them all).

use std::fmt::Write;

fn text(v: &serde_yaml::Value) -> (String, Option<String>) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            let get = |k: &str| m.get(k).and_then(|x| x.as_str()).map(str::to_string);
            (get("en").unwrap_or_default(), get("ko"))
        }
        other => (other.as_str().unwrap_or_default().to_string(), None),
    }
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    files.sort();
    let embedded = std::env::var_os("CARGO_FEATURE_EMBEDDED").is_some();
    let mut code = String::from("vec![\n");
    let mut index = String::from("&[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if embedded {
            let _ = writeln!(code, "    ({name:?}, include_str!({:?})),", f.canonicalize().unwrap_or(f.clone()).display().to_string());
        }
        // A file that does not parse is left out of the index; `load` reports it (tests fail).
        let Ok(y) = std::fs::read_to_string(&f).map_err(|_| ()).and_then(|t| serde_yaml::from_str::<serde_yaml::Value>(&t).map_err(|_| ())) else { continue };
        let s = |k: &str| y.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let n = |k: &str| y.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
        let (title, title_ko) = text(y.get("title").unwrap_or(&serde_yaml::Value::Null));
        let (summary, summary_ko) = text(y.get("summary").unwrap_or(&serde_yaml::Value::Null));
        let _ = writeln!(
            index,
            "    IndexEntry {{ file: {name:?}, id: {:?}, title: ({title:?}, {title_ko:?}), summary: ({summary:?}, {summary_ko:?}), level: {:?}, minutes: {}, topic: {:?}, order: {}, steps: {} }},",
            s("id"), s("level"), n("minutes"), s("topic"), n("order"), y.get("steps").and_then(|v| v.as_sequence()).map_or(0, |v| v.len())
        );
    }
    code.push(']');
    index.push(']');
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).to_path_buf();
    let _ = std::fs::write(out.join("bundled_lessons.rs"), code);
    let _ = std::fs::write(out.join("lesson_index.rs"), index);
}
