//! The image catalogue: which images and tags exist, how big they are, how long they take to
//! pull, and what a container of each does when it runs (servers, shells, exit codes, memory).
//! There are no real containers; this table is what makes `nginx` serve and `busybox` exit.

/// What an image's server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Handler {
    /// nginx welcome page on `/`.
    Nginx,
    /// Apache httpd "It works!".
    Httpd,
    /// agnhost netexec: `/`, `/hostname`, `/echo?msg=`, `/clientip`, `/healthz`.
    Netexec,
    /// agnhost serve-hostname: the pod name.
    ServeHostname,
    /// agnhost liveness: `/healthz` 200 for 10 s, then 500.
    Liveness,
    /// The tutorial app: `/ping` -> `pong` (and `/foo` -> `bar` in 1.1.0).
    TestApp {
        /// whether `/foo` exists (1.1.0)
        has_foo: bool,
    },
    /// luksa/kubia: `You've hit <pod>` (v1), `This is v2 running in pod <pod>` (v2), v3 fails after 5 requests.
    Kubia {
        /// 1, 2 or 3
        version: u8,
    },
    /// python -m http.server: a directory listing.
    PythonHttp,
    /// The Kubernetes Basics tutorial app: `Hello Kubernetes bootcamp! | Running on: <pod> | v=N`.
    Bootcamp {
        /// 1 or 2
        version: u8,
    },
    /// A TCP-only service (redis, etcd, ...): answers TCP checks, not HTTP.
    Tcp,
}

/// A server a running container offers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Server {
    /// What it answers.
    pub handler: Handler,
    /// Ports it listens on.
    pub ports: Vec<i32>,
    /// Milliseconds after start until it listens.
    pub ready_after_ms: u64,
}

/// One step of a container's simulated process.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    /// Wait this long.
    Sleep(u64),
    /// Print a line to the log.
    Log(String),
    /// Create or overwrite a file (append when the flag is set).
    Write(String, String, bool),
    /// Remove a file.
    Remove(String),
    /// Exit with a code.
    Exit(i32),
    /// Run forever (serve, tail -f, sleep infinity).
    Forever,
    /// Jump back to a step index (loops), waiting at least 1 s per iteration.
    Goto(usize),
    /// Grow memory use to this many bytes.
    Memory(u64),
}

/// What a container does: its steps, its server, its memory use.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Program {
    /// The process, step by step.
    pub steps: Vec<Step>,
    /// A server, if the process serves.
    pub server: Option<Server>,
    /// Baseline memory use in bytes.
    pub memory: u64,
    /// Baseline CPU use in millicores.
    pub cpu: u64,
    /// Whether the process exits promptly on SIGTERM (a shell as PID 1 does not).
    pub handles_sigterm: bool,
}

/// A known image.
#[derive(Clone, Debug)]
pub struct ImageInfo {
    /// Repository as written in the catalogue (normalised).
    pub repo: &'static str,
    /// Compressed size in bytes (shown in the Pulled event).
    pub size: u64,
    /// Pull time range in ms.
    pub pull_ms: (u64, u64),
}

const MI: u64 = 1024 * 1024;

/// Splits an image reference into (normalised repository, tag).
pub fn split_image(image: &str) -> (String, String) {
    let image = image.trim();
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (image, "latest"),
    };
    let name = name.split('@').next().unwrap_or(name);
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    (name.to_string(), tag.to_string())
}

fn version_like(tag: &str) -> bool {
    let t = tag.trim_start_matches('v');
    let core = t.split('-').next().unwrap_or("");
    !core.is_empty() && core.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) && core.split('.').count() <= 3
}

/// Looks an image up; `Err` carries the registry's message for an unknown image or tag.
pub fn lookup(image: &str) -> Result<ImageInfo, String> {
    let (repo, tag) = split_image(image);
    let known = |tags_ok: bool, repo: &'static str, size: u64, pull: (u64, u64)| {
        if tags_ok {
            Ok(ImageInfo { repo, size, pull_ms: pull })
        } else {
            Err(format!("rpc error: code = NotFound desc = failed to pull and unpack image \"{}\": failed to resolve reference \"{}\": {}: not found", full_ref(image), full_ref(image), full_ref(image)))
        }
    };
    let nginx_tag = |t: &str| {
        ["latest", "stable", "mainline", "alpine", "stable-alpine", "mainline-alpine", "perl"].contains(&t)
            || (version_like(t) && t.starts_with('1') && {
                let minor: u32 = t.split('.').nth(1).and_then(|m| m.split('-').next()).and_then(|m| m.parse().ok()).unwrap_or(999);
                minor <= 29 && t.split('.').count() <= 3 && t.split('.').nth(2).is_none_or(|p| p.split('-').next().and_then(|x| x.parse::<u32>().ok()).is_some_and(|x| x <= 12))
            })
    };
    match repo.as_str() {
        "nginx" => known(nginx_tag(&tag), "nginx", 72_223_946, (1500, 4500)),
        "httpd" => known(tag == "latest" || tag == "alpine" || (version_like(&tag) && tag.starts_with('2')), "httpd", 58_000_000, (1500, 4000)),
        "busybox" | "registry.k8s.io/busybox" | "k8s.gcr.io/busybox" => known(tag == "latest" || tag == "stable" || tag == "musl" || tag == "glibc" || tag == "uclibc" || (version_like(&tag) && tag.starts_with("1.")), "busybox", 2_155_020, (600, 1800)),
        "alpine" => known(tag == "latest" || version_like(&tag), "alpine", 3_600_000, (600, 1500)),
        "ubuntu" | "debian" => known(true, "ubuntu", 29_000_000, (1500, 3000)),
        "redis" => known(tag == "latest" || tag == "alpine" || (version_like(&tag) && (tag.starts_with('5') || tag.starts_with('6') || tag.starts_with('7'))), "redis", 45_000_000, (1500, 3500)),
        "python" => known(tag == "latest" || tag.starts_with("3") || tag.starts_with("alpine"), "python", 370_000_000, (5000, 12000)),
        "registry.k8s.io/e2e-test-images/agnhost" | "k8s.gcr.io/e2e-test-images/agnhost" => known(tag.starts_with("2.") && version_like(&tag), "agnhost", 51_000_000, (1500, 4000)),
        "test-app" | "ghcr.io/pilothouse/test-app" => known(tag == "1.0.0" || tag == "1.1.0" || tag == "latest", "test-app", 8_500_000, (800, 2000)),
        "gcr.io/google-samples/kubernetes-bootcamp" | "jocatalin/kubernetes-bootcamp" | "docker.io/jocatalin/kubernetes-bootcamp" => {
            known(tag == "v1" || tag == "v2", "kubernetes-bootcamp", 211_000_000, (3000, 7000))
        }
        "luksa/kubia" => known(["latest", "v1", "v2", "v3"].contains(&tag.as_str()), "luksa/kubia", 660_000_000, (3000, 8000)),
        "polinux/stress" | "progrium/stress" => known(tag == "latest", "polinux/stress", 4_000_000, (800, 1800)),
        "registry.k8s.io/pause" | "k8s.gcr.io/pause" => known(true, "pause", 300_000, (300, 800)),
        "mysql" | "postgres" | "mongo" | "rabbitmq" | "memcached" => known(tag == "latest" || version_like(&tag) || tag.contains("alpine"), "db", 150_000_000, (4000, 9000)),
        "registry.k8s.io/etcd" | "registry.k8s.io/kube-apiserver" | "registry.k8s.io/kube-controller-manager"
        | "registry.k8s.io/kube-scheduler" | "registry.k8s.io/kube-proxy" | "registry.k8s.io/coredns/coredns"
        | "gcr.io/k8s-minikube/storage-provisioner" | "registry.k8s.io/metrics-server/metrics-server"
        | "registry.k8s.io/ingress-nginx/controller" | "docker.io/kubernetesui/dashboard" | "kubernetesui/dashboard"
        | "kubernetesui/metrics-scraper" => known(true, "system", 30_000_000, (500, 1500)),
        _ => Err(format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{}\": failed to resolve reference \"{}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
            full_ref(image),
            full_ref(image)
        )),
    }
}

/// `docker.io/library/nginx:latest` style full reference.
pub fn full_ref(image: &str) -> String {
    let (repo, tag) = split_image(image);
    let first = repo.split('/').next().unwrap_or("");
    let host = first.contains('.') || first.contains(':') || first == "localhost";
    let base = if host {
        repo.clone()
    } else if repo.contains('/') {
        format!("docker.io/{repo}")
    } else {
        format!("docker.io/library/{repo}")
    };
    format!("{base}:{tag}")
}

/// Builds the program a container runs from its image, command and args.
pub fn program_for(image: &str, command: &[String], args: &[String]) -> Program {
    let (repo, tag) = split_image(image);
    let short = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    let serve = |handler: Handler, ports: Vec<i32>, mem: u64, ready: u64| Program {
        steps: vec![Step::Forever],
        server: Some(Server { handler, ports, ready_after_ms: ready }),
        memory: mem,
        cpu: 1,
        handles_sigterm: true,
    };
    let mut argv: Vec<String> = command.iter().chain(args.iter()).cloned().collect();
    // A command overrides the entrypoint; interpret shells and well-known binaries.
    if let Some(first) = argv.first().cloned() {
        let base = first.rsplit('/').next().unwrap_or(&first).to_string();
        if (base == "sh" || base == "bash" || base == "ash") && argv.get(1).map(String::as_str) == Some("-c") {
            let script = argv.get(2).cloned().unwrap_or_default();
            return shell_program(&script);
        }
        match base.as_str() {
            "sleep" => {
                let secs = argv.get(1).map(|s| parse_duration_ms(s)).unwrap_or(Some(0));
                return Program {
                    steps: match secs {
                        Some(ms) if ms < u64::MAX => vec![Step::Sleep(ms), Step::Exit(0)],
                        _ => vec![Step::Forever],
                    },
                    server: None,
                    memory: MI / 2,
                    cpu: 0,
                    handles_sigterm: false,
                };
            }
            "agnhost" => {
                argv.remove(0);
            }
            "stress" => return stress_program(&argv),
            "echo" => {
                return Program { steps: vec![Step::Log(argv[1..].join(" ")), Step::Exit(0)], server: None, memory: MI / 2, cpu: 0, handles_sigterm: true };
            }
            "true" => return Program { steps: vec![Step::Exit(0)], server: None, memory: 0, cpu: 0, handles_sigterm: true },
            "false" => return Program { steps: vec![Step::Exit(1)], server: None, memory: 0, cpu: 0, handles_sigterm: true },
            "python" | "python3" if argv.get(1).map(String::as_str) == Some("-m") && argv.get(2).map(String::as_str) == Some("http.server") => {
                let port = argv.get(3).and_then(|p| p.parse().ok()).unwrap_or(8000);
                return serve(Handler::PythonHttp, vec![port], 12 * MI, 800);
            }
            "nginx" | "httpd" | "httpd-foreground" | "redis-server" | "/agnhost" => {}
            _ if short != "agnhost" => {
                // An unknown binary in a shell-ish image: treat as a one-line shell command.
                if ["busybox", "alpine", "ubuntu", "debian", "python"].contains(&short.as_str()) {
                    return shell_program(&argv.join(" "));
                }
            }
            _ => {}
        }
    }
    match short.as_str() {
        "nginx" => serve(Handler::Nginx, vec![80], 8 * MI, 300),
        "httpd" => serve(Handler::Httpd, vec![80], 10 * MI, 500),
        "redis" => serve(Handler::Tcp, vec![6379], 4 * MI, 300),
        "test-app" => serve(Handler::TestApp { has_foo: tag != "1.0.0" }, vec![8080], 16 * MI, 1000),
        "kubernetes-bootcamp" => serve(Handler::Bootcamp { version: if tag == "v2" { 2 } else { 1 } }, vec![8080], 25 * MI, 800),
        "kubia" => serve(
            Handler::Kubia { version: match tag.as_str() { "v2" => 2, "v3" => 3, _ => 1 } },
            vec![8080],
            30 * MI,
            1500,
        ),
        "agnhost" => {
            let sub = argv.first().map(String::as_str).unwrap_or("");
            let flag_port = |name: &str, default: i32| {
                argv.iter()
                    .find_map(|a| a.strip_prefix(&format!("--{name}=")).and_then(|p| p.parse().ok()))
                    .unwrap_or(default)
            };
            match sub {
                "netexec" => serve(Handler::Netexec, vec![flag_port("http-port", 8080)], 9 * MI, 500),
                "serve-hostname" => serve(Handler::ServeHostname, vec![flag_port("port", 9376)], 6 * MI, 300),
                "liveness" => serve(Handler::Liveness, vec![8080], 6 * MI, 200),
                "pause" => Program { steps: vec![Step::Forever], server: None, memory: MI, cpu: 0, handles_sigterm: true },
                _ => Program {
                    steps: vec![Step::Log("Usage:\n  agnhost [command]".into()), Step::Exit(1)],
                    server: None,
                    memory: MI,
                    cpu: 0,
                    handles_sigterm: true,
                },
            }
        }
        "busybox" | "alpine" | "ubuntu" | "debian" => Program { steps: vec![Step::Exit(0)], server: None, memory: MI / 2, cpu: 0, handles_sigterm: true },
        "python" => Program { steps: vec![Step::Exit(0)], server: None, memory: 8 * MI, cpu: 0, handles_sigterm: true },
        "stress" => stress_program(&argv),
        "pause" => Program { steps: vec![Step::Forever], server: None, memory: MI / 2, cpu: 0, handles_sigterm: true },
        "mysql" | "postgres" | "mongo" | "rabbitmq" | "memcached" => serve(Handler::Tcp, vec![3306, 5432, 27017, 5672, 11211], 120 * MI, 4000),
        "coredns" => serve(Handler::Tcp, vec![53, 8080, 8181], 15 * MI, 500),
        _ => serve(Handler::Tcp, vec![], 20 * MI, 500),
    }
}

fn stress_program(argv: &[String]) -> Program {
    let mut mem = 0;
    let mut i = 0;
    while i < argv.len() {
        if argv[i] == "--vm-bytes" {
            mem = argv.get(i + 1).and_then(|v| crate::api::quantity::parse_int(&v.replace('M', "Mi").replace('G', "Gi").replace("Mii", "Mi").replace("Gii", "Gi"))).unwrap_or(256 * MI as i64) as u64;
        }
        i += 1;
    }
    Program {
        steps: vec![Step::Log("stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd".into()), Step::Sleep(500), Step::Memory(mem), Step::Forever],
        server: None,
        memory: MI,
        cpu: 1000,
        handles_sigterm: true,
    }
}

/// `30`, `30s`, `5m`, `infinity` → milliseconds (`u64::MAX` for infinity).
fn parse_duration_ms(s: &str) -> Option<u64> {
    if s == "infinity" || s == "inf" {
        return Some(u64::MAX);
    }
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1000.0),
        'm' => (&s[..s.len() - 1], 60_000.0),
        'h' => (&s[..s.len() - 1], 3_600_000.0),
        'd' => (&s[..s.len() - 1], 86_400_000.0),
        _ => (s, 1000.0),
    };
    let v: f64 = num.parse().ok()?;
    Some((v * mult) as u64)
}

/// Interprets a small shell script (`;`/`&&`/newlines, `while true; do ...; done`, echo with
/// redirection, touch, rm, sleep, exit, cat, date) as timed steps.
pub fn shell_program(script: &str) -> Program {
    let mut steps = Vec::new();
    let normalized = script.replace("&&", ";").replace('\n', ";");
    let parts: Vec<String> = normalized.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let mut loop_start: Option<usize> = None;
    let mut i = 0;
    while i < parts.len() {
        let p = parts[i].as_str();
        if p == "while true" || p == "while :" || p == "while [ true ]" {
            i += 1;
            let body_first = parts.get(i).map(String::as_str).unwrap_or("");
            loop_start = Some(steps.len());
            if let Some(rest) = body_first.strip_prefix("do ") {
                shell_command(rest.trim(), &mut steps);
            }
            i += 1;
            continue;
        }
        if p == "done" {
            if let Some(start) = loop_start.take() {
                if !steps[start..].iter().any(|s| matches!(s, Step::Sleep(_))) {
                    steps.push(Step::Sleep(1000));
                }
                steps.push(Step::Goto(start));
            }
            i += 1;
            continue;
        }
        shell_command(p.strip_prefix("do ").unwrap_or(p), &mut steps);
        i += 1;
    }
    if !matches!(steps.last(), Some(Step::Exit(_)) | Some(Step::Forever) | Some(Step::Goto(_))) {
        steps.push(Step::Exit(0));
    }
    Program { steps, server: None, memory: MI / 2, cpu: 0, handles_sigterm: false }
}

fn shell_command(cmd: &str, steps: &mut Vec<Step>) {
    let words: Vec<String> = split_words(cmd);
    let Some(first) = words.first() else { return };
    let (redirect, append) = match (cmd.find(">>"), cmd.find('>')) {
        (Some(i), _) => (Some(cmd[i + 2..].trim().to_string()), true),
        (None, Some(i)) => (Some(cmd[i + 1..].trim().to_string()), false),
        _ => (None, false),
    };
    match first.as_str() {
        "echo" | "printf" => {
            let text: Vec<String> = words[1..].iter().take_while(|w| !w.starts_with('>')).cloned().collect();
            let text = text.join(" ").replace("\\n", "");
            match redirect {
                Some(file) => steps.push(Step::Write(file, format!("{text}\n"), append)),
                None => steps.push(Step::Log(text)),
            }
        }
        "touch" => {
            for f in &words[1..] {
                steps.push(Step::Write(f.clone(), String::new(), true));
            }
        }
        "rm" => {
            for f in words[1..].iter().filter(|w| !w.starts_with('-')) {
                steps.push(Step::Remove(f.clone()));
            }
        }
        "sleep" => match words.get(1).and_then(|s| parse_duration_ms(s)) {
            Some(u64::MAX) => steps.push(Step::Forever),
            Some(ms) => steps.push(Step::Sleep(ms)),
            None => {}
        },
        "exit" => steps.push(Step::Exit(words.get(1).and_then(|c| c.parse().ok()).unwrap_or(0))),
        "tail" if words.iter().any(|w| w == "-f") => steps.push(Step::Forever),
        "date" => steps.push(Step::Log("$DATE".into())),
        "true" | ":" | "set" | "export" | "cd" => {}
        "false" => steps.push(Step::Exit(1)),
        "cat" if redirect.is_none() => {
            for f in &words[1..] {
                steps.push(Step::Log(format!("$CAT {f}")));
            }
        }
        "nginx" | "httpd-foreground" => steps.push(Step::Forever),
        _ => {
            steps.push(Step::Log(format!("sh: {first}: not found")));
        }
    }
}

/// Splits a command line into words, honouring single and double quotes.
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                has = true;
            }
            None if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            None => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The HTTP answer of a server: (status code, body). `elapsed_ms` is how long it has run,
/// `hits` how many requests it has served before this one.
pub fn http_answer(handler: Handler, path: &str, pod_name: &str, client_ip: &str, elapsed_ms: u64, hits: u64, now: &str) -> (u16, String) {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    match handler {
        Handler::Nginx => match path {
            "/" | "/index.html" => (200, NGINX_WELCOME.to_string()),
            _ => (404, "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".into()),
        },
        Handler::Httpd => match path {
            "/" | "/index.html" => (200, "<html><body><h1>It works!</h1></body></html>\n".into()),
            _ => (404, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n".into()),
        },
        Handler::Netexec => match path {
            "/" => (200, format!("NOW: {now}")),
            "/hostname" => (200, pod_name.to_string()),
            "/clientip" => (200, format!("{client_ip}:{}", 40000 + hits % 20000)),
            "/healthz" => (200, String::new()),
            "/echo" => (200, query.strip_prefix("msg=").unwrap_or("").replace("%20", " ").replace('+', " ")),
            "/shell" | "/exit" | "/dial" => (200, "{}".into()),
            _ => (404, "404 page not found\n".into()),
        },
        Handler::ServeHostname => (200, pod_name.to_string()),
        Handler::Liveness => match path {
            "/healthz" if elapsed_ms <= 10_000 => (200, "ok".into()),
            "/healthz" => (500, format!("error: {:.6}", elapsed_ms as f64 / 1000.0)),
            _ => (404, "404 page not found\n".into()),
        },
        Handler::TestApp { has_foo } => match path {
            "/ping" => (200, "pong".into()),
            "/foo" if has_foo => (200, "bar".into()),
            "/" => (200, format!("test-app on {pod_name}")),
            _ => (404, "404 page not found".into()),
        },
        Handler::Kubia { version } => match version {
            1 => (200, format!("You've hit {pod_name}\n")),
            2 => (200, format!("This is v2 running in pod {pod_name}\n")),
            _ if hits >= 4 => (500, "Some internal error has occurred! This is pod {pod_name}\n".replace("{pod_name}", pod_name)),
            _ => (200, format!("This is v3 running in pod {pod_name}\n")),
        },
        Handler::Bootcamp { version } => (200, format!("Hello Kubernetes bootcamp! | Running on: {pod_name} | v={version}\n")),
        Handler::PythonHttp => (200, "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n<hr>\n<ul>\n</ul>\n<hr>\n</body>\n</html>\n".into()),
        Handler::Tcp => match path {
            "/ready" | "/health" | "/healthz" | "/livez" | "/readyz" => (200, "OK".into()),
            _ => (0, String::new()),
        },
    }
}

/// nginx's default page.
pub const NGINX_WELCOME: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";

/// The log lines a server prints when it starts.
pub fn startup_logs(handler: Option<Handler>, ports: &[i32]) -> Vec<String> {
    match handler {
        Some(Handler::Nginx) => vec![
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration".into(),
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/".into(),
            "/docker-entrypoint.sh: Configuration complete; ready for start up".into(),
        ],
        Some(Handler::Netexec) => vec![format!("I0101 00:00:00.000000       1 log.go:245] Started HTTP server on port {}", ports.first().copied().unwrap_or(8080))],
        Some(Handler::TestApp { .. }) => vec![format!("listening on :{}", ports.first().copied().unwrap_or(8080))],
        Some(Handler::Kubia { .. }) => vec!["Kubia server starting...".into()],
        Some(Handler::Bootcamp { .. }) => vec!["Kubernetes Bootcamp App Started At: 2025-01-01T00:00:00.000Z | Running On:  $POD ".into()],
        Some(Handler::Httpd) => vec!["AH00558: httpd: Could not reliably determine the server's fully qualified domain name. Set the 'ServerName' directive globally to suppress this message".into()],
        Some(Handler::PythonHttp) => vec![format!("Serving HTTP on 0.0.0.0 port {} (http://0.0.0.0:{}/) ...", ports.first().copied().unwrap_or(8000), ports.first().copied().unwrap_or(8000))],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names() {
        assert_eq!(split_image("nginx"), ("nginx".into(), "latest".into()));
        assert_eq!(split_image("docker.io/library/nginx:1.25"), ("nginx".into(), "1.25".into()));
        assert_eq!(split_image("localhost:5000/app"), ("localhost:5000/app".into(), "latest".into()));
        assert_eq!(full_ref("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(full_ref("registry.k8s.io/e2e-test-images/agnhost:2.39"), "registry.k8s.io/e2e-test-images/agnhost:2.39");
    }

    #[test]
    fn known_and_unknown_tags() {
        assert!(lookup("nginx:1.25").is_ok());
        assert!(lookup("nginx:1.14.2").is_ok());
        assert!(lookup("nginx:1.999").is_err());
        assert!(lookup("nginx:nope").is_err());
        assert!(lookup("registry.k8s.io/e2e-test-images/agnhost:2.39").is_ok());
        assert!(lookup("nosuchimage").is_err());
    }

    #[test]
    fn shell_scripts() {
        let p = shell_program("touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600");
        assert_eq!(p.steps, vec![
            Step::Write("/tmp/healthy".into(), String::new(), true),
            Step::Sleep(30_000),
            Step::Remove("/tmp/healthy".into()),
            Step::Sleep(600_000),
            Step::Exit(0)
        ]);
        let p = shell_program("while true; do echo hello; sleep 10; done");
        assert_eq!(p.steps, vec![Step::Log("hello".into()), Step::Sleep(10_000), Step::Goto(0)]);
    }

    #[test]
    fn programs() {
        let p = program_for("registry.k8s.io/e2e-test-images/agnhost:2.39", &["/agnhost".into(), "netexec".into(), "--http-port=8080".into()], &[]);
        assert_eq!(p.server.unwrap().ports, vec![8080]);
        let p = program_for("busybox", &[], &[]);
        assert_eq!(p.steps, vec![Step::Exit(0)]);
        let p = program_for("busybox", &["sleep".into(), "3600".into()], &[]);
        assert_eq!(p.steps, vec![Step::Sleep(3_600_000), Step::Exit(0)]);
    }
}
