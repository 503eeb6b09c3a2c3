//! The shared server state: the cluster behind one mutex, a change signal for watchers, and the
//! clock driver (real time times `speed`, or watch-driven stepping when the clock is frozen).

use pilothouse_engine::Cluster;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a frozen-clock server waits after a watcher received an event before it steps the
/// clock again (time for the client to decide it is done and hang up).
const QUIET: Duration = Duration::from_millis(300);
/// How far (virtual ms) a frozen-clock server steps for waiting watchers before it calls the
/// cluster idle: the terminal's bound for blocking commands.
const STEP_LIMIT_MS: u64 = 600_000;

/// One open watch, as the clock driver sees it.
#[derive(Debug, Default)]
pub(crate) struct WatchProgress {
    /// The store sequence number this watch has looked at.
    pub seen_seq: AtomicU64,
}

/// A job for the engine thread.
type Job = Box<dyn FnOnce(&mut Cluster) + Send>;

/// Everything the handlers share. The cluster itself lives on one engine thread (the engine's
/// scheduler plugins are not `Send`); handlers send it closures through [`State::call`].
#[derive(Debug)]
pub struct State {
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    /// Virtual ms per real ms (0: frozen).
    pub speed: f64,
    changed: tokio::sync::watch::Sender<u64>,
    pub(crate) shutting_down: AtomicBool,
    watches: Mutex<BTreeMap<u64, Arc<WatchProgress>>>,
    next_watch: AtomicU64,
    last_delivery: Mutex<Option<Instant>>,
    /// Whether the frozen clock is being stepped for a waiting watcher right now.
    pub(crate) stepping: AtomicBool,
    step_budget_start: Mutex<Option<u64>>,
    /// Objects a client polls while they terminate (`kubectl drain` waits with GETs).
    polled: Mutex<Vec<(pilothouse_engine::ObjectKey, Instant)>>,
}

/// Removes a watch from the driver's table when the stream is dropped (client hung up).
#[derive(Debug)]
pub(crate) struct WatchGuard {
    state: Arc<State>,
    id: u64,
    pub progress: Arc<WatchProgress>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        if let Ok(mut w) = self.state.watches.lock() {
            w.remove(&self.id);
        }
    }
}

impl State {
    /// A fresh `minikube start`ed cluster with this seed, on its own engine thread.
    pub fn new(seed: u64, speed: f64) -> Arc<State> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let (rv_tx, rv_rx) = std::sync::mpsc::channel::<u64>();
        std::thread::Builder::new()
            .name("pilothouse-engine".into())
            .spawn(move || {
                let mut cluster = Cluster::minikube(seed);
                let _ = rv_tx.send(cluster.api.store.resource_version());
                // Runs until every sender (the State) is gone.
                while let Ok(job) = rx.recv() {
                    // A panicking job must not take the cluster down with it.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut cluster)));
                }
            })
            .expect("the engine thread starts");
        let rv = rv_rx.recv().unwrap_or(0);
        let (changed, _) = tokio::sync::watch::channel(rv);
        Arc::new(State {
            jobs: Mutex::new(tx),
            speed: if speed.is_finite() && speed > 0.0 { speed } else { 0.0 },
            changed,
            shutting_down: AtomicBool::new(false),
            watches: Mutex::new(BTreeMap::new()),
            next_watch: AtomicU64::new(1),
            last_delivery: Mutex::new(None),
            stepping: AtomicBool::new(false),
            step_budget_start: Mutex::new(None),
            polled: Mutex::new(Vec::new()),
        })
    }

    fn send(&self, job: Job) -> bool {
        let tx = self.jobs.lock().unwrap_or_else(|p| p.into_inner()).clone();
        tx.send(job).is_ok()
    }

    /// Runs `f` on the cluster and waits for its result (blocking: not for the engine thread
    /// itself, nor directly on an async task).
    pub fn call<R: Send + 'static>(&self, f: impl FnOnce(&mut Cluster) -> R + Send + 'static) -> Option<R> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        if !self.send(Box::new(move |c| {
            let _ = tx.send(f(c));
        })) {
            return None;
        }
        rx.recv().ok()
    }

    /// Runs `f` on the cluster from async code.
    pub async fn call_async<R: Send + 'static>(&self, f: impl FnOnce(&mut Cluster) -> R + Send + 'static) -> Option<R> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if !self.send(Box::new(move |c| {
            let _ = tx.send(f(c));
        })) {
            return None;
        }
        rx.await.ok()
    }

    /// Tells watchers that the store may have changed.
    pub fn notify(&self, c: &Cluster) {
        self.changed.send_replace(c.api.store.resource_version());
    }

    /// A receiver that wakes when the store changed.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Registers an open watch.
    pub(crate) fn register_watch(self: &Arc<State>, seen_seq: u64) -> WatchGuard {
        let id = self.next_watch.fetch_add(1, Ordering::SeqCst);
        let progress = Arc::new(WatchProgress { seen_seq: AtomicU64::new(seen_seq) });
        if let Ok(mut w) = self.watches.lock() {
            w.insert(id, progress.clone());
        }
        // A new watcher gets the same grace as one that just received events: a client that
        // is already satisfied by its initial list must have the time to hang up.
        self.delivered();
        WatchGuard { state: self.clone(), id, progress }
    }

    /// A watch sent events to its client just now.
    pub(crate) fn delivered(&self) {
        if let Ok(mut d) = self.last_delivery.lock() {
            *d = Some(Instant::now());
        }
    }

    /// Advances the virtual clock by `ms` (on the engine thread: the admin endpoint).
    pub(crate) fn advance_on(&self, c: &mut Cluster, ms: u64) {
        c.advance(ms);
        self.notify(c);
    }

    /// A client read an object that is terminating: with a frozen clock, step time until it is
    /// gone (as if the client were watching it).
    pub(crate) fn polled_terminating(&self, key: pilothouse_engine::ObjectKey) {
        if self.speed > 0.0 {
            return;
        }
        if let Ok(mut p) = self.polled.lock() {
            p.retain(|(k, _)| *k != key);
            p.push((key, Instant::now()));
        }
    }

    fn open_watches(&self) -> Vec<Arc<WatchProgress>> {
        self.watches.lock().map(|w| w.values().cloned().collect()).unwrap_or_default()
    }

    /// One iteration of frozen-clock stepping: if watchers wait, have seen everything and have
    /// been quiet for a moment, move the clock to the next timer. Returns whether it stepped.
    fn step_for_watchers(&self, c: &mut Cluster) -> bool {
        let watches = self.open_watches();
        let polling = {
            let mut p = self.polled.lock().unwrap_or_else(|e| e.into_inner());
            // A poller that stopped asking (or whose object is gone) no longer holds the clock.
            p.retain(|(k, at)| at.elapsed() < Duration::from_secs(5) && c.get(k).is_some());
            !p.is_empty()
        };
        if watches.is_empty() && !polling {
            self.stepping.store(false, Ordering::SeqCst);
            if let Ok(mut b) = self.step_budget_start.lock() {
                *b = None;
            }
            return false;
        }
        let next_seq = c.api.store.next_seq();
        if watches.iter().any(|w| w.seen_seq.load(Ordering::SeqCst) < next_seq) {
            // A watcher has not looked at the latest changes yet.
            self.stepping.store(true, Ordering::SeqCst);
            return false;
        }
        if self.last_delivery.lock().ok().and_then(|d| *d).is_some_and(|d| d.elapsed() < QUIET) {
            self.stepping.store(true, Ordering::SeqCst);
            return false;
        }
        let now = c.now_ms();
        let start = {
            let mut b = self.step_budget_start.lock().unwrap_or_else(|p| p.into_inner());
            *b.get_or_insert(now)
        };
        let limit = start.saturating_add(STEP_LIMIT_MS);
        match c.api.clock.next_timer() {
            Some(t) if t <= limit => {
                c.api.clock.set_now(t.max(now));
                c.settle();
                self.notify(c);
                self.stepping.store(true, Ordering::SeqCst);
                true
            }
            _ => {
                self.stepping.store(false, Ordering::SeqCst);
                false
            }
        }
    }
}

/// The clock driver: real time times `speed`, or stepping for watchers when frozen.
pub(crate) async fn run_clock(state: Arc<State>) {
    if state.speed > 0.0 {
        let mut last = Instant::now();
        let mut carry = 0.0f64;
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tick.tick().await;
            let now = Instant::now();
            let virt = now.duration_since(last).as_secs_f64() * 1000.0 * state.speed + carry;
            last = now;
            let ms = virt.floor();
            carry = virt - ms;
            if ms >= 1.0 {
                let st = state.clone();
                let _ = state.call_async(move |c| st.advance_on(c, ms as u64)).await;
            }
        }
    } else {
        loop {
            let st = state.clone();
            let stepped = state.call_async(move |c| st.step_for_watchers(c)).await.unwrap_or(false);
            if !stepped {
                tokio::time::sleep(Duration::from_millis(20)).await;
            } else {
                tokio::task::yield_now().await;
            }
        }
    }
}
