//! `stpsim explore`: a local web page over the library. The server binds to
//! 127.0.0.1 only, serves one page embedded in the binary, and runs scenarios
//! through the same path as `stpsim run`, streaming results as replicates
//! finish. It reads and writes no file.
//!
//! Other web pages open in the same browser can send requests to it, so it
//! answers only what its own page sends (docs/security.md): a `Host` of
//! 127.0.0.1 or localhost at its port (no DNS rebinding), no foreign
//! `Origin`, and POSTs only as `application/json` (which a plain HTML form
//! cannot send). A connection that sends its headers too slowly or sits
//! idle is closed, connections are capped, and a run whose client stops
//! reading its stream is dropped, so no client holds a run slot for ever.

mod api;
mod conn;
mod levers;
mod scenarios;

use anyhow::Context;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Runs going at once across every tab; a tab has at most one.
pub const MAX_RUNS: usize = 4;
/// The largest request body: a scenario file is a few KiB.
pub const MAX_BODY: usize = 256 * 1024;
/// Connections open at once; beyond it a new one is closed at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Seconds a client has to send a request's headers (and for which a
/// connection may sit idle between requests), to send its body, and to go
/// on reading a run's stream; `STPSIM_EXPLORE_TIMEOUT` sets another (tests).
pub const TIMEOUT_SECS: u64 = 30;

/// The timeout, from `STPSIM_EXPLORE_TIMEOUT` (whole seconds, 1 to 3600) or 30 s.
fn timeout() -> anyhow::Result<std::time::Duration> {
    let secs = match std::env::var("STPSIM_EXPLORE_TIMEOUT") {
        Err(_) => TIMEOUT_SECS,
        Ok(v) => v.trim().parse::<u64>().ok().filter(|s| (1..=3600).contains(s)).ok_or_else(|| {
            anyhow::anyhow!("STPSIM_EXPLORE_TIMEOUT = \"{v}\" is not a number of seconds from 1 to 3600")
        })?,
    };
    Ok(std::time::Duration::from_secs(secs))
}

/// What every request shares.
pub struct State {
    /// The running run of each tab, by the tab's id, with its cancel flag.
    runs: Mutex<HashMap<String, Arc<AtomicBool>>>,
    permits: Arc<tokio::sync::Semaphore>,
    /// Each tab's last finished run, for its report (the oldest dropped first).
    finished: Mutex<Vec<(String, Arc<api::Finished>)>>,
    /// The port served, for the `Host` and `Origin` checks.
    port: u16,
    /// How long a client may stall (see [`TIMEOUT_SECS`]).
    timeout: std::time::Duration,
}

impl State {
    fn new(port: u16, timeout: std::time::Duration) -> State {
        State {
            runs: Mutex::new(HashMap::new()),
            permits: Arc::new(tokio::sync::Semaphore::new(MAX_RUNS)),
            finished: Mutex::new(Vec::new()),
            port,
            timeout,
        }
    }

    fn cancel_all(&self) {
        for flag in lock(&self.runs).values() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

/// A poisoned lock only means a run panicked; the map itself stays sound.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Serves until Ctrl-C. Port 0 takes a free port; the address is printed.
pub fn serve(port: u16, open: bool) -> anyhow::Result<()> {
    let timeout = timeout()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        let url = format!("http://{}/", listener.local_addr()?);
        crate::emit::emit(&format!("stpsim explorer at {url}  (Ctrl-C stops it)\n"))?;
        if open {
            open_browser(&url);
        }
        let state = Arc::new(State::new(listener.local_addr()?.port(), timeout));
        let app = api::router(state.clone());
        let stop = async move {
            let _ = tokio::signal::ctrl_c().await;
            // Streams end once their runs stop, so connections can close.
            state.cancel_all();
        };
        conn::serve(listener, app, timeout, stop).await;
        anyhow::Ok(())
    })?;
    // Blocking tasks (runs) finish their batch and see the cancel flag.
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
    Ok(())
}

/// Opens the default browser; if none opens, the printed address serves.
fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if cmd.is_err() {
        eprintln!("could not open a browser; open {url} yourself");
    }
}
