//! `pilothouse`: the native face of the simulated cluster.
//!
//! * `pilothouse` — an interactive terminal on a fresh minikube cluster.
//! * `pilothouse script FILE|- [--seed N]` — runs a script and prints the transcript.
//! * `pilothouse --version`, `pilothouse help`.
//!
//! * `pilothouse serve` — the cluster as a Kubernetes API server for the real kubectl.
//!
//! Room is left for `bench` (see [`run`]).

use pilothouse_kubectl::{Effect, Shell};
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "Pilothouse: a simulated Kubernetes cluster with kubectl and minikube.

Usage:
  pilothouse [--seed N]                 interactive terminal on a fresh minikube cluster
  pilothouse script FILE|- [--seed N]   run a script, print the transcript
  pilothouse lesson check FILE|--all    play lessons: checks fail before each step, pass after
  pilothouse lesson list                list the bundled lessons
  pilothouse serve [--port 6443] [--seed N] [--kubeconfig PATH] [--speed X]
                                        the cluster as a Kubernetes API for the real kubectl
  pilothouse --version                  print the version
  pilothouse help                       this help
";

/// The default seed when none is given.
const DEFAULT_SEED: u64 = 1;

fn parse_seed(args: &mut Vec<String>) -> Result<u64, String> {
    let mut seed = DEFAULT_SEED;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].clone();
        let value = if a == "--seed" {
            if i + 1 >= args.len() {
                return Err("--seed needs a number".into());
            }
            let v = args.remove(i + 1);
            args.remove(i);
            Some(v)
        } else if let Some(v) = a.strip_prefix("--seed=") {
            args.remove(i);
            Some(v.to_string())
        } else {
            i += 1;
            None
        };
        if let Some(v) = value {
            seed = v.parse().map_err(|_| format!("invalid seed {v:?}"))?;
        }
    }
    Ok(seed)
}

/// Runs the command line; returns the process exit code.
fn run(mut args: Vec<String>) -> u8 {
    let seed = match parse_seed(&mut args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pilothouse: {e}");
            return 2;
        }
    };
    match args.first().map(String::as_str) {
        None => interactive(seed),
        Some("--version") | Some("version") | Some("-V") => {
            println!("pilothouse {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("help") | Some("--help") | Some("-h") => {
            print!("{USAGE}");
            0
        }
        Some("script") => {
            let Some(path) = args.get(1) else {
                eprintln!("pilothouse script: a FILE (or - for stdin) is required");
                return 2;
            };
            let text = if path == "-" {
                let mut s = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                    eprintln!("pilothouse script: cannot read stdin: {e}");
                    return 1;
                }
                s
            } else {
                match std::fs::read_to_string(path) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("pilothouse script: cannot read {path}: {e}");
                        return 1;
                    }
                }
            };
            let mut sh = Shell::new(seed);
            print!("{}", sh.run_script(&text));
            0
        }
        Some("lesson") => lesson(&args[1..]),
        Some("serve") => serve(seed, &args[1..]),
        Some(other) => {
            eprintln!("pilothouse: unknown command {other:?}\n\n{USAGE}");
            2
        }
    }
}

/// `pilothouse serve [--port 6443] [--kubeconfig PATH] [--speed X]` (`--seed` is parsed above).
fn serve(seed: u64, args: &[String]) -> u8 {
    let mut opts = pilothouse_serve::ServeOptions { seed, ..Default::default() };
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (args[i].clone(), None),
        };
        let value = match inline.or_else(|| args.get(i + 1).cloned().inspect(|_| i += 1)) {
            Some(v) => v,
            None => {
                eprintln!("pilothouse serve: {flag} needs a value");
                return 2;
            }
        };
        let ok = match flag.as_str() {
            "--port" => value.parse().map(|p| opts.port = p).is_ok(),
            "--kubeconfig" => {
                opts.kubeconfig = Some(value.clone().into());
                true
            }
            "--speed" => value.parse::<f64>().map(|s| opts.speed = s).is_ok_and(|_| opts.speed >= 0.0),
            _ => {
                eprintln!("pilothouse serve: unknown flag {flag:?}\n\n{USAGE}");
                return 2;
            }
        };
        if !ok {
            eprintln!("pilothouse serve: invalid value {value:?} for {flag}");
            return 2;
        }
        i += 1;
    }
    match pilothouse_serve::run(opts) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("pilothouse serve: {e}");
            1
        }
    }
}

/// `pilothouse lesson check FILE|--all` and `pilothouse lesson list`.
fn lesson(args: &[String]) -> u8 {
    match args.first().map(String::as_str) {
        Some("list") => {
            for l in pilothouse_lessons::catalogue() {
                match l {
                    Ok(l) => println!("{:<32} {:<22} {}", l.id, l.topic, l.title.get(pilothouse_lessons::Lang::En)),
                    Err(e) => println!("error: {e}"),
                }
            }
            0
        }
        Some("check") => {
            let files: Vec<(String, String)> = match args.get(1).map(String::as_str) {
                None | Some("--all") => pilothouse_lessons::bundled().into_iter().map(|(f, t)| (f.to_string(), t.to_string())).collect(),
                Some(path) => match std::fs::read_to_string(path) {
                    Ok(t) => vec![(path.to_string(), t)],
                    Err(e) => {
                        eprintln!("pilothouse lesson check: cannot read {path}: {e}");
                        return 1;
                    }
                },
            };
            let mut failed = 0;
            for (file, text) in &files {
                match pilothouse_lessons::load(file, text) {
                    Err(e) => {
                        println!("FAIL {e}");
                        failed += 1;
                    }
                    Ok(l) => {
                        let report = pilothouse_lessons::check_lesson(&l);
                        if report.problems.is_empty() {
                            println!("ok   {file} ({} steps)", l.steps.len());
                        } else {
                            failed += 1;
                            println!("FAIL {file}");
                            for p in &report.problems {
                                println!("     {p}");
                            }
                        }
                    }
                }
            }
            println!("{} passed, {failed} failed", files.len() - failed);
            u8::from(failed > 0)
        }
        _ => {
            eprintln!("pilothouse lesson: use `check FILE|--all` or `list`");
            2
        }
    }
}

/// A line-at-a-time terminal: `$ ` prompt, `> ` for continuation lines and here-documents.
fn interactive(seed: u64) -> u8 {
    let mut sh = Shell::new(seed);
    sh.blocking = true;
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = std::io::stdout();
    println!("Pilothouse {} — a simulated minikube cluster (seed {seed}). Type `help`, Ctrl-D to quit.", env!("CARGO_PKG_VERSION"));
    loop {
        print!("{}", sh.prompt());
        let _ = out.flush();
        let Some(Ok(first)) = lines.next() else {
            println!();
            return 0;
        };
        let mut text = first;
        while Shell::is_incomplete(&text) {
            print!("> ");
            let _ = out.flush();
            match lines.next() {
                Some(Ok(l)) => {
                    text.push('\n');
                    text.push_str(&l);
                }
                _ => break,
            }
        }
        let res = sh.run(&text);
        print!("{}", res.transcript);
        if !res.transcript.is_empty() && !res.transcript.ends_with('\n') {
            println!();
        }
        for e in res.effects {
            match e {
                Effect::ClearScreen => print!("\x1b[2J\x1b[H"),
                Effect::Exit => return 0,
                Effect::OpenEditor { path, .. } => println!("(the editor for {path} opens in the web page; use kubectl patch/apply here)"),
                Effect::OpenUrl { url } => println!("(open {url} in the web page, or curl it)"),
                _ => {}
            }
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ExitCode::from(run(args))
}
