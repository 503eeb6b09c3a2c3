//! Shared helpers for the serve tests: an in-process server on a free port with a kubeconfig,
//! and running the real kubectl against it.
#![allow(dead_code)]

use pilothouse_serve::{spawn, ServeOptions, Server};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Where the real kubectl is expected.
pub const KUBECTL: &str = "/usr/bin/kubectl";

/// Whether the real kubectl is installed; prints a loud note when it is not.
pub fn kubectl_available(test: &str) -> bool {
    if Path::new(KUBECTL).exists() {
        return true;
    }
    eprintln!("\n**********************************************************************");
    eprintln!("* SKIPPED {test}: {KUBECTL} is missing. Install kubectl v1.32 (see README:");
    eprintln!("* `apt-get install -y kubectl` from the Kubernetes apt repository, or the");
    eprintln!("* release binary) to run the kubectl tests against `pilothouse serve`.");
    eprintln!("**********************************************************************\n");
    false
}

/// A server plus a kubeconfig pointing at it.
pub struct Env {
    pub server: Server,
    pub kubeconfig: PathBuf,
    _dir: TempDir,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let p = std::env::temp_dir().join(format!("pilothouse-serve-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Env {
    /// A frozen-clock server (deterministic) with this seed.
    pub fn new(tag: &str, seed: u64) -> Env {
        Env::with_speed(tag, seed, 0.0)
    }

    pub fn with_speed(tag: &str, seed: u64, speed: f64) -> Env {
        let dir = TempDir::new(tag);
        let kubeconfig = dir.0.join("kubeconfig");
        let server = spawn(ServeOptions { port: 0, seed, kubeconfig: Some(kubeconfig.clone()), speed }).unwrap();
        Env { server, kubeconfig, _dir: dir }
    }

    pub fn dir(&self) -> &Path {
        &self._dir.0
    }

    /// Runs a shell line with `kubectl` meaning the real kubectl on this server; stdout and
    /// stderr interleaved as a terminal shows them, and the exit code. Killed after `timeout`.
    pub fn sh_timeout(&self, line: &str, timeout: Duration) -> (String, i32) {
        let script = format!(
            "kubectl() {{ {KUBECTL} --kubeconfig '{}' \"$@\"; }}\nexport -f kubectl >/dev/null 2>&1\ncd '{}'\nexec 2>&1\n{line}\n",
            self.kubeconfig.display(),
            self.dir().display()
        );
        // `timeout` signals its whole process group, so kubectl dies with bash (`get -w`).
        let mut child = Command::new("timeout")
            .arg("-k")
            .arg("2")
            .arg(format!("{}", timeout.as_secs_f64()))
            .arg("bash")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.dir())
            .spawn()
            .expect("bash runs");
        let mut out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = out.read_to_end(&mut s);
            s
        });
        let start = std::time::Instant::now();
        let code = loop {
            if let Ok(Some(st)) = child.try_wait() {
                // 124: `timeout` stopped it.
                break if st.code() == Some(124) { -9 } else { st.code().unwrap_or(-1) };
            }
            if start.elapsed() > timeout + Duration::from_secs(5) {
                let _ = child.kill();
                let _ = child.wait();
                break -9;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let bytes = reader.join().unwrap_or_default();
        (String::from_utf8_lossy(&bytes).into_owned(), code)
    }

    pub fn sh(&self, line: &str) -> (String, i32) {
        self.sh_timeout(line, Duration::from_secs(60))
    }

    /// Runs `kubectl ARGS` and asserts it succeeded; returns its output.
    pub fn ok(&self, args: &str) -> String {
        let (out, code) = self.sh(&format!("kubectl {args}"));
        assert_eq!(code, 0, "kubectl {args} failed:\n{out}");
        out
    }

    /// Advances the frozen clock (what a script's `sleep` does).
    pub fn advance(&self, ms: u64) {
        http(self.server.port, "POST", &format!("/pilothouse/advance?ms={ms}"), None, "application/json");
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir().join(name), text).unwrap();
    }
}

/// A minimal HTTP/1.1 client for raw requests: returns (status, body).
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>, content_type: &str) -> (u16, String) {
    http_with(port, method, path, body, content_type, "application/json")
}

pub fn http_with(port: u16, method: &str, path: &str, body: Option<&str>, content_type: &str, accept: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
    (status, body)
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((len, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}
