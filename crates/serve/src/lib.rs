//! `pilothouse serve`: the simulated cluster behind a real Kubernetes REST API, so that the real
//! `kubectl` (v1.32) and client libraries (kube-rs, client-go) can drive it.
//!
//! The engine lives in one `Arc<Mutex<Cluster>>`. Every request locks it briefly, calls the
//! engine's API server (create/update/patch/delete, which settle the controllers) and answers
//! in the apiserver's wire format: discovery documents, typed objects and lists, `meta.k8s.io/v1`
//! Tables for `kubectl get`, watch streams of JSON lines and `metav1.Status` errors.
//!
//! Time: a background task advances the virtual clock by the real time elapsed times `speed`
//! every 100 ms. With `speed == 0` the clock is frozen (the deterministic mode the parity suite
//! uses); it then moves only through the admin endpoints:
//! * `POST /pilothouse/advance?ms=N` advances virtual time by N ms (a script's `sleep N`);
//! * while a client waits on a watch (`kubectl rollout status`, `delete --wait`, `get -w`), the
//!   server steps the clock timer by timer, pausing after every instant that produced an event
//!   the watch can see so that the client can decide it is done — the same "run until the
//!   condition holds" the terminal does for these commands;
//! * `GET /pilothouse/status` tells whether such stepping is going on (`{"stepping":bool,...}`).
//!
//! Not a part of the page: the wasm build never includes this crate.

mod discovery;
mod fieldsel;
mod handlers;
mod openapi;
mod protobuf;
mod state;
mod status;
mod strategic;
mod table;
mod watch;

pub use state::State;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Options of `pilothouse serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// TCP port on 127.0.0.1 (0 picks a free one). Default 6443.
    pub port: u16,
    /// The seed of the simulated cluster.
    pub seed: u64,
    /// Where to write a kubeconfig for this server (cluster, context and user `minikube`).
    pub kubeconfig: Option<PathBuf>,
    /// Virtual milliseconds per real millisecond; 0 freezes the clock (deterministic mode).
    pub speed: f64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { port: 6443, seed: 1, kubeconfig: None, speed: 1.0 }
    }
}

/// A kubeconfig that points kubectl at `http://127.0.0.1:PORT` with everything named `minikube`.
pub fn kubeconfig_text(port: u16) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://127.0.0.1:{port}\n  name: minikube\ncontexts:\n- context:\n    cluster: minikube\n    namespace: default\n    user: minikube\n  name: minikube\ncurrent-context: minikube\npreferences: {{}}\nusers:\n- name: minikube\n  user: {{}}\n"
    )
}

/// Runs the server until the process is stopped (blocking: starts its own tokio runtime).
pub fn run(opts: ServeOptions) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], opts.port)))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        if let Some(path) = &opts.kubeconfig {
            std::fs::write(path, kubeconfig_text(port)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let state = State::new(opts.seed, opts.speed);
        eprintln!(
            "pilothouse serve: a simulated cluster (seed {}) at http://127.0.0.1:{port}{}",
            opts.seed,
            opts.kubeconfig.as_ref().map(|p| format!(" (kubeconfig: {})", p.display())).unwrap_or_default()
        );
        serve(listener, state, std::future::pending()).await
    })
}

/// A server running on a background thread (for tests and embedding).
#[derive(Debug)]
pub struct Server {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    /// The shared state (the cluster).
    pub state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a server on a background thread (port 0 = a free port) and returns once it listens.
pub fn spawn(opts: ServeOptions) -> Result<Server, String> {
    let std_listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], opts.port))).map_err(|e| e.to_string())?;
    std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let port = std_listener.local_addr().map_err(|e| e.to_string())?.port();
    if let Some(path) = &opts.kubeconfig {
        std::fs::write(path, kubeconfig_text(port)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let state = State::new(opts.seed, opts.speed);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let st = state.clone();
    let thread = std::thread::Builder::new()
        .name(format!("pilothouse-serve-{port}"))
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else { return };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else { return };
                let _ = serve(listener, st, async move {
                    let _ = rx.await;
                })
                .await;
            });
        })
        .map_err(|e| e.to_string())?;
    Ok(Server { port, state, stop: Some(tx), thread: Some(thread) })
}

async fn serve(listener: tokio::net::TcpListener, state: Arc<State>, stop: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), String> {
    let ticker = tokio::spawn(state::run_clock(state.clone()));
    let app = axum::Router::new().fallback(handlers::handle).with_state(state.clone());
    let r = axum::serve(listener, app).with_graceful_shutdown(stop).await.map_err(|e| e.to_string());
    ticker.abort();
    state.shutting_down.store(true, std::sync::atomic::Ordering::SeqCst);
    r
}
