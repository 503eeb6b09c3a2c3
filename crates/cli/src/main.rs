//! `pilothouse`: the native face of the simulated cluster.
//!
//! * `pilothouse` — an interactive terminal on a fresh minikube cluster.
//! * `pilothouse script FILE|- [--seed N]` — runs a script and prints the transcript.
//! * `pilothouse --version`, `pilothouse help`.
//!
//! Room is left for `lesson`, `bench` and `serve` (see [`run`]).

use pilothouse_kubectl::{Effect, Shell};
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "Pilothouse: a simulated Kubernetes cluster with kubectl and minikube.

Usage:
  pilothouse [--seed N]                 interactive terminal on a fresh minikube cluster
  pilothouse script FILE|- [--seed N]   run a script, print the transcript
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
        Some(other) => {
            eprintln!("pilothouse: unknown command {other:?}\n\n{USAGE}");
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
