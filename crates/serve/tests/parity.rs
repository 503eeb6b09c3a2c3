//! Parity: each scenario in `tests/parity/*.sh` runs twice on the same seed — through the
//! engine's own terminal (`pilothouse_kubectl::Shell`, what `pilothouse script` runs) and with the
//! real kubectl v1.32 against `pilothouse serve` (frozen clock) — and the transcripts are compared
//! line by line after masking what differs by nature: the server address, and the ages kubectl
//! computes on the client from the wall clock (`describe`'s Events and node pod tables).
//!
//! `sleep N` advances the virtual clock on both sides (`POST /pilothouse/advance?ms=`). Both
//! transcripts and the diff are written to `$CARGO_TARGET_TMPDIR/parity/`. Any difference fails
//! the test (`PILOTHOUSE_PARITY_STRICT=0` only prints them, for exploring a new scenario).
//! Skipped with a loud message when kubectl is missing.
//!
//! One more mask, for the client build rather than the cluster: the Google Cloud SDK's kubectl
//! (`v1.32.4-dispatcher`, what some machines have as /usr/bin/kubectl) lets cobra print flag
//! errors as `Error: unknown flag: ...` where upstream kubectl prints `error: ...`; with that
//! build, the real side's leading `Error: ` is read as `error: `.

mod common;
use common::*;
use std::time::Duration;

const SEED: u64 = 42;

#[derive(Debug)]
enum Item {
    Comment(String),
    Sleep(u64, String),
    Command { shown: Vec<String>, text: String },
}

fn heredoc_delim(line: &str) -> Option<String> {
    let i = line.find("<<")?;
    let rest = line[i + 2..].trim_start_matches('-').trim();
    let word = rest.split_whitespace().next()?;
    Some(word.trim_matches(|c| c == '\'' || c == '"').to_string())
}

fn parse(script: &str) -> Vec<Item> {
    let lines: Vec<&str> = script.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        i += 1;
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        if t.starts_with('#') {
            out.push(Item::Comment(l.to_string()));
            continue;
        }
        if let Some(n) = t.strip_prefix("sleep ").and_then(|n| n.trim().parse::<u64>().ok()) {
            out.push(Item::Sleep(n * 1000, l.to_string()));
            continue;
        }
        let mut shown = vec![l.to_string()];
        let mut text = l.to_string();
        if let Some(d) = heredoc_delim(l) {
            while i < lines.len() {
                let b = lines[i];
                i += 1;
                shown.push(b.to_string());
                text.push('\n');
                text.push_str(b);
                if b.trim_end() == d {
                    break;
                }
            }
        }
        out.push(Item::Command { shown, text });
    }
    out
}

fn echo(shown: &[String]) -> String {
    let mut s = String::new();
    for (i, l) in shown.iter().enumerate() {
        s.push_str(if i == 0 { "$ " } else { "> " });
        s.push_str(l);
        s.push('\n');
    }
    s
}

fn finish(out: &str, code: i32) -> String {
    let mut s = out.to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    if code != 0 {
        s.push_str(&format!("[exit {code}]\n"));
    }
    s
}

/// The transcript of the engine's own terminal.
fn run_engine(items: &[Item]) -> String {
    let mut sh = pilothouse_kubectl::Shell::new(SEED);
    let mut t = String::new();
    for it in items {
        match it {
            Item::Comment(c) => t.push_str(&format!("{c}\n")),
            // `run_script` is what `pilothouse script` runs: streaming commands (`rollout
            // status`, `delete`'s wait) run until done. It echoes the command lines itself.
            Item::Sleep(_, line) => t.push_str(&finish(&sh.run_script(line), 0)),
            Item::Command { text, .. } => t.push_str(&finish(&sh.run_script(text), 0)),
        }
    }
    t
}

/// The transcript of the real kubectl against `pilothouse serve`.
fn run_kubectl(env: &Env, items: &[Item]) -> String {
    let mut t = String::new();
    for it in items {
        match it {
            Item::Comment(c) => t.push_str(&format!("{c}\n")),
            Item::Sleep(ms, line) => {
                t.push_str(&format!("$ {line}\n"));
                env.advance(*ms);
            }
            Item::Command { shown, text } => {
                t.push_str(&echo(shown));
                // Exit codes are not compared: the script transcript does not show them.
                let (out, _code) = env.sh_timeout(text, Duration::from_secs(90));
                t.push_str(&finish(&out, 0));
            }
        }
    }
    t
}

fn is_age(tok: &str) -> bool {
    let tok = tok.trim_matches(|c| c == '(' || c == ')' || c == ',');
    if tok == "<invalid>" || tok == "<unknown>" {
        return true;
    }
    let mut digits = false;
    let mut any = false;
    for ch in tok.chars() {
        if ch.is_ascii_digit() {
            digits = true;
        } else if "smhdy".contains(ch) && digits {
            digits = false;
            any = true;
        } else {
            return false;
        }
    }
    any && !digits
}

/// Masks what differs by nature between the two runs.
fn mask(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_client_ages = false;
    for line in t.lines() {
        let mut l = line.to_string();
        for prefix in ["http://127.0.0.1:", "https://192.168.49.2:", "https://127.0.0.1:"] {
            while let Some(i) = l.find(prefix) {
                let end = l[i + prefix.len()..].find(|c: char| !c.is_ascii_digit()).map(|e| i + prefix.len() + e).unwrap_or(l.len());
                l.replace_range(i..end, "<server>");
            }
        }
        if line.starts_with("$ ") || line.trim().is_empty() {
            in_client_ages = false;
        }
        if line.starts_with("Events:") || line.starts_with("Non-terminated Pods:") {
            in_client_ages = true;
        }
        // Client-computed ages change column widths too: whitespace is collapsed in those sections.
        if in_client_ages {
            let toks: Vec<String> = l.split_whitespace().map(|w| if is_age(w) { "<age>".to_string() } else { w.to_string() }).collect();
            l = toks.join(" ");
        }
        out.push(l);
    }
    out
}

/// A line diff (LCS): `-` engine only, `+` kubectl only.
fn diff(a: &[String], b: &[String]) -> Vec<String> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    let mut last_cmd = String::new();
    let mut shown_cmd = String::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            if a[i].starts_with("$ ") {
                last_cmd = a[i].clone();
            }
            i += 1;
            j += 1;
            continue;
        }
        if shown_cmd != last_cmd {
            out.push(format!("@@ {last_cmd}"));
            shown_cmd = last_cmd.clone();
        }
        if j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("-{}", a[i]));
            i += 1;
        } else {
            out.push(format!("+{}", b[j]));
            j += 1;
        }
    }
    out
}

/// Whether /usr/bin/kubectl is the Google Cloud SDK's dispatcher build (see the module docs).
fn dispatcher_build() -> bool {
    std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("-dispatcher"))
}

/// The dispatcher build's `Error: <flag error>` as upstream kubectl prints it.
fn cobra_errors_as_upstream(t: &str) -> String {
    let mut out = String::new();
    for l in t.lines() {
        match l.strip_prefix("Error: ") {
            Some(rest) => {
                out.push_str("error: ");
                out.push_str(rest);
            }
            None => out.push_str(l),
        }
        out.push('\n');
    }
    out
}

fn scenario(name: &str) {
    if !kubectl_available(&format!("parity {name}")) {
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/parity");
    let script = std::fs::read_to_string(root.join(format!("{name}.sh"))).unwrap();
    let items = parse(&script);
    let engine = run_engine(&items);
    let env = Env::new(&format!("parity-{name}"), SEED);
    let real = run_kubectl(&env, &items);
    let real_masked = if dispatcher_build() { cobra_errors_as_upstream(&real) } else { real.clone() };
    let d = diff(&mask(&engine), &mask(&real_masked));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("parity");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.engine.txt")), &engine);
    let _ = std::fs::write(dir.join(format!("{name}.kubectl.txt")), &real);
    let _ = std::fs::write(dir.join(format!("{name}.diff")), d.join("\n") + "\n");
    if d.is_empty() {
        eprintln!("parity {name}: identical ({} lines)", engine.lines().count());
        return;
    }
    eprintln!("parity {name}: {} differing lines (- pilothouse script, + real kubectl on serve); files in {}", d.iter().filter(|l| !l.starts_with("@@")).count(), dir.display());
    for l in &d {
        eprintln!("{l}");
    }
    if !std::env::var("PILOTHOUSE_PARITY_STRICT").is_ok_and(|v| v == "0") {
        panic!("parity {name}: transcripts differ");
    }
}

#[test]
fn parity_bootcamp() {
    scenario("bootcamp");
}

#[test]
fn parity_minikube_walkthrough() {
    scenario("minikube_walkthrough");
}

#[test]
fn parity_storage() {
    scenario("storage");
}

#[test]
fn parity_scheduling() {
    scenario("scheduling");
}

#[test]
fn parity_explain() {
    scenario("explain");
}

#[test]
fn parity_errors() {
    scenario("errors");
}

#[test]
fn parity_workloads() {
    scenario("workloads");
}

#[test]
fn parity_services_nodes() {
    scenario("services_nodes");
}

#[test]
fn parity_pods_config() {
    scenario("pods_config");
}

#[test]
fn parity_rollouts() {
    scenario("rollouts");
}

#[test]
fn parity_formats_patch() {
    scenario("formats_patch");
}

#[test]
fn parity_cluster_views() {
    scenario("cluster_views");
}

#[test]
fn masking_and_diff() {
    let m = mask("Events:\n  Normal  Scheduled  690d (x2 over 5m)  default-scheduler  ok\n$ kubectl get pods\ncpu 500m\n");
    assert_eq!(m[1], "Normal Scheduled <age> (x2 over <age> default-scheduler ok", "{m:?}");
    assert_eq!(m[3], "cpu 500m");
    assert_eq!(cobra_errors_as_upstream("Error: unknown flag: --bogus\nError from server (NotFound): x\n"), "error: unknown flag: --bogus\nError from server (NotFound): x\n");
    let d = diff(&["$ a".into(), "x".into()], &["$ a".into(), "y".into()]);
    assert_eq!(d, ["@@ $ a", "-x", "+y"]);
}
