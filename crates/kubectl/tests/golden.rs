//! Golden transcripts: every `tests/golden/*.sh` (workspace root) runs through
//! `Shell::run_script` and must match the `.out` beside it byte for byte. The first line may
//! name the seed (`# seed: N`). `UPDATE_GOLDEN=1 cargo test -p pilothouse-kubectl --test golden`
//! rewrites the `.out` files.

use pilothouse_kubectl::Shell;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

fn seed_of(script: &str) -> u64 {
    script.lines().next().and_then(|l| l.strip_prefix("# seed:")).and_then(|s| s.trim().parse().ok()).unwrap_or(1)
}

#[test]
fn golden_transcripts() {
    let dir = golden_dir();
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&dir).expect("tests/golden exists").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "sh")).collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no golden scripts in {}", dir.display());
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for script in scripts {
        let text = std::fs::read_to_string(&script).unwrap();
        let got = Shell::new(seed_of(&text)).run_script(&text);
        let out_path = script.with_extension("out");
        if update {
            std::fs::write(&out_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&out_path).unwrap_or_default();
        if got != want {
            let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(want.lines().count()));
            failures.push(format!(
                "{}: differs at line {}\n  got:  {:?}\n  want: {:?}",
                script.display(),
                line + 1,
                got.lines().nth(line).unwrap_or("<eof>"),
                want.lines().nth(line).unwrap_or("<eof>")
            ));
        }
    }
    assert!(failures.is_empty(), "golden mismatches (UPDATE_GOLDEN=1 to accept):\n{}", failures.join("\n"));
}

#[test]
fn golden_scripts_are_deterministic() {
    let text = std::fs::read_to_string(golden_dir().join("001_hello_minikube.sh")).unwrap();
    let a = Shell::new(7).run_script(&text);
    let b = Shell::new(7).run_script(&text);
    assert_eq!(a, b);
}
