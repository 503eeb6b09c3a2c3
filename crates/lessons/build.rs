//! Embeds every `lessons/*.yaml` file so the page and the binary ship the same lessons.

use std::fmt::Write;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("vec![\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let _ = writeln!(code, "    ({name:?}, include_str!({:?})),", f.canonicalize().unwrap_or(f.clone()).display().to_string());
    }
    code.push(']');
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("bundled_lessons.rs");
    let _ = std::fs::write(out, code);
}
