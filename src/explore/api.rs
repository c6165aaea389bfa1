//! The explorer's routes: the page, what the page's controls are made from,
//! scenarios in and out, and runs that stream as replicates finish.

use super::scenarios::{self, DEFAULT_REPLICATES, DEFAULT_SEED, MAX_FOOTPRINT_REPLICATES, MAX_REPLICATES, Refusal};
use super::{MAX_BODY, MAX_RUNS, State, lock};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use stpsim::api::Hooks;
use stpsim::job::{Job, Provenance};
use stpsim::model::Metric;
use stpsim::results::summary::{describe, paired, summarise_results};
use stpsim::scenario::posterior as choice;
use stpsim::{Results, RunOptions};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/explorer.js");
const STYLE: &str = include_str!("page/explorer.css");

/// A tab's last finished run, kept for its report.
pub struct Finished {
    job: Job,
    results: Results,
    made: Provenance,
}

/// Finished runs kept for reports; the oldest goes first.
const KEEP_FINISHED: usize = 16;

type Shared = axum::extract::State<Arc<State>>;

pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE) }))
        .route("/explorer.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }))
        .route("/explorer.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/meta", get(meta))
        .route("/api/scenarios/{name}", get(builtin))
        .route("/api/scenario", post(upload))
        .route("/api/run", post(run))
        .route("/api/report", get(report))
        .route("/api/data", get(chart_data))
        .fallback(|| async { refuse(StatusCode::NOT_FOUND, Refusal::plain("no such page")) })
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Whether a request comes from the explorer's own page: the `Host` it was
/// sent to is this server by its loopback name (a page on another name that
/// resolves here, by DNS rebinding, is refused), any `Origin` is this
/// server's, and a POST's body is `application/json` (a type an HTML form on
/// another site cannot send, and a script there may not send without asking).
fn foreign(req: &axum::extract::Request, port: u16) -> Option<(StatusCode, String)> {
    let h = req.headers();
    let ours = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ours.iter().any(|o| o.eq_ignore_ascii_case(host)) {
        return Some((
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "the request names the host \"{}\"; the explorer answers only http://127.0.0.1:{port}/ \
                 and http://localhost:{port}/",
                stpsim::core::text::shorten(host, 80)
            ),
        ));
    }
    if let Some(origin) = h.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !ours.iter().any(|o| origin.eq_ignore_ascii_case(&format!("http://{o}"))) {
            return Some((
                StatusCode::FORBIDDEN,
                format!(
                    "the request comes from the web page at {}; the explorer answers only its own page",
                    stpsim::core::text::shorten(origin, 80)
                ),
            ));
        }
    }
    if req.method() == axum::http::Method::POST {
        let kind = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mime = kind.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/json") {
            return Some((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "the request's Content-Type is \"{}\"; the explorer accepts application/json only",
                    stpsim::core::text::shorten(kind, 80)
                ),
            ));
        }
    }
    None
}

async fn guard(
    axum::extract::State(state): Shared,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match foreign(&req, state.port) {
        Some((status, why)) => refuse(status, Refusal::plain(why)),
        None => next.run(req).await,
    }
}

fn refuse(status: StatusCode, r: Refusal) -> Response {
    (status, axum::Json(r)).into_response()
}

fn bad(r: Refusal) -> Response {
    refuse(StatusCode::BAD_REQUEST, r)
}

/// The body, up to `MAX_BODY` bytes, as UTF-8, sent within the timeout.
async fn text(body: Body, timeout: std::time::Duration) -> Result<String, Response> {
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_BODY)).await.map_err(|_| {
        refuse(
            StatusCode::REQUEST_TIMEOUT,
            Refusal::plain(format!("the request's body did not arrive within {} s", timeout.as_secs())),
        )
    })?;
    let bytes = read.map_err(|_| {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::plain(format!("the request is larger than the explorer accepts ({} KiB)", MAX_BODY / 1024)),
        )
    })?;
    String::from_utf8(bytes.to_vec()).map_err(|_| bad(Refusal::plain("the request is not UTF-8 text")))
}

async fn meta() -> Response {
    let params: Vec<Value> = stpsim::params::DICTIONARY
        .iter()
        .map(|d| {
            json!({
                "name": d.name, "group": d.group, "unit": d.unit, "default": d.default,
                "min": d.min, "max": d.max, "whole": d.integer(), "description": d.description,
            })
        })
        .collect();
    let metrics: Vec<Value> = Metric::ALL
        .iter()
        .map(|m| {
            json!({
                "name": m.name(), "label": m.label(), "unit": m.unit(), "unit_words": m.unit_words(),
                "format": m.format(), "description": m.description(),
            })
        })
        .collect();
    let library: Vec<Value> = stpsim::scenario::builtin::LIBRARY
        .iter()
        .map(|b| json!({ "name": b.name, "question": stpsim::scenario::builtin::question(b.text) }))
        .collect();
    let palette: Vec<String> =
        stpsim::plot::style::PALETTE.iter().map(|c| format!("rgb({},{},{})", c.0, c.1, c.2)).collect();
    axum::Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "levers": super::levers::declarations(),
        "params": params,
        "metrics": metrics,
        "headline": stpsim::model::Metric::headline().iter().map(|m| m.name()).collect::<Vec<_>>(),
        // The lever the page adds to the edited copy when it opens, so the
        // first comparison shows a difference rather than zeros everywhere.
        "opening_lever": stpsim::model::levers::LeverKind::RemoveVeto.def().name,
        "library": library,
        "palette": palette,
        "limits": {
            "replicates": MAX_REPLICATES,
            "footprint_replicates": MAX_FOOTPRINT_REPLICATES,
            "runs": MAX_RUNS,
            "body": MAX_BODY,
        },
        "defaults": { "replicates": DEFAULT_REPLICATES, "seed": DEFAULT_SEED },
    }))
    .into_response()
}

/// A built-in scenario, resolved, as the page edits it.
async fn builtin(Path(name): Path<String>) -> Response {
    let Some(b) = stpsim::scenario::builtin::find(&name) else {
        return refuse(
            StatusCode::NOT_FOUND,
            Refusal::plain(format!(
                "no built-in scenario named `{name}`; built-in scenarios: {}",
                stpsim::scenario::builtin::names().join(", ")
            )),
        );
    };
    match scenarios::load(b.text, b.file, "base") {
        Ok(s) => axum::Json(scenarios::view(&s, b.text)).into_response(),
        Err(r) => bad(r),
    }
}

/// An uploaded scenario file's text, validated, as the page edits it. The
/// page sends the text as a JSON string; the file's bare text is read too.
async fn upload(axum::extract::State(state): Shared, body: Body) -> Response {
    let t = match text(body, state.timeout).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let t = match serde_json::from_str::<String>(&t) {
        Ok(inner) => inner,
        Err(_) => t,
    };
    match scenarios::load(&t, "uploaded.toml", "base") {
        Ok(s) => axum::Json(scenarios::view(&s, &t)).into_response(),
        Err(r) => bad(r),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// The tab's id: a new run from a tab cancels its running one.
    tab: String,
    /// The scenario the edited one is compared with.
    base: Base,
    /// The edited scenario as TOML, exactly what "Save scenario" writes.
    scenario: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Base {
    Builtin(String),
    Text(String),
}

/// Both scenarios validated, as the library's run request: the page runs
/// the edited scenario's replicates and seed (what a saved file carries).
fn prepare(req: &RunRequest) -> Result<Job, Refusal> {
    if req.tab.is_empty() || req.tab.len() > 64 || !req.tab.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Refusal::plain("`tab` must be 1 to 64 letters, digits or '-'"));
    }
    let base = match &req.base {
        Base::Builtin(name) => match stpsim::scenario::builtin::find(name) {
            Some(b) => scenarios::load(b.text, b.file, "base")?,
            None => {
                return Err(Refusal::plain(format!(
                    "no built-in scenario named `{name}`; built-in scenarios: {}",
                    stpsim::scenario::builtin::names().join(", ")
                )));
            }
        },
        Base::Text(t) => scenarios::load(t, "uploaded.toml", "base")?,
    };
    let edited = scenarios::load(&req.scenario, scenarios::EDITED_FILE, "edited")?;
    let replicates = edited.replicates.unwrap_or(DEFAULT_REPLICATES);
    scenarios::check_pair(&req.scenario, &base, &edited, replicates)?;
    let common = stpsim::api::Common {
        replicates: Some(replicates),
        seed: Some(edited.seed.unwrap_or(DEFAULT_SEED)),
        ..Default::default()
    };
    // The explorer reads no files: a scenario's posterior is built in or none.
    for (s, which) in [(&base, "base"), (&edited, "edited")] {
        if let Some(p) = s.posterior.as_ref().filter(|p| ![choice::ENGLAND, choice::NONE].contains(&p.as_str())) {
            return Err(Refusal {
                error: format!(
                    "posterior = \"{}\" names a file, which the explorer does not read; \
                     allowed: \"england\" (built in, the default) or \"none\"; run a posterior file with `stpsim run`",
                    stpsim::core::text::shorten(p, 80)
                ),
                field: Some("posterior".into()),
                scenario: Some(which),
            });
        }
    }
    // As `stpsim run` on the saved files: over the England posterior unless
    // a scenario says `posterior = "none"`; a slider the user moved is a
    // parameter the saved scenario sets, held at its value in every replicate.
    let request = stpsim::job::RunRequest { loaded: vec![base, edited], common, ..Default::default() };
    let mut job = request.resolve().map_err(|e| Refusal::plain(stpsim::api::Error::from(e).to_string()))?;
    if job.posterior.is_some() {
        job.parameters += "; a parameter whose slider you moved is held at its value in every replicate";
    }
    // The memory guard `stpsim run` applies, beside the explorer's own limits.
    job.check_memory().map_err(|e| Refusal::plain(e.to_string()))?;
    Ok(job)
}

/// The stream of a tab's run: a snapshot after every batch; a closed page
/// or a newer run from the tab cancels it.
struct Stream {
    tx: tokio::sync::mpsc::Sender<Result<String, Infallible>>,
    cancel: Arc<AtomicBool>,
    opts: RunOptions,
    /// What the replicates' parameters are, in words, for the page to show.
    parameters: String,
    /// How long a send may wait on a page that stopped reading.
    stall: std::time::Duration,
}

impl Hooks for Stream {
    fn replicates(&self, so_far: &Results, _of: u32) {
        let mut shown = snapshot(so_far, &self.opts);
        shown["parameters"] = json!(self.parameters);
        if !send(&self.tx, event("progress", &shown), self.stall) {
            // The page went away, started another run, or stopped reading.
            self.cancel.store(true, Ordering::Relaxed);
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Removes a tab's entry when its run ends, however it ends.
struct Leave {
    state: Arc<State>,
    tab: String,
    flag: Arc<AtomicBool>,
}

impl Drop for Leave {
    fn drop(&mut self) {
        let mut runs = lock(&self.state.runs);
        if runs.get(&self.tab).is_some_and(|f| Arc::ptr_eq(f, &self.flag)) {
            runs.remove(&self.tab);
        }
    }
}

fn event(name: &str, data: &Value) -> Result<String, Infallible> {
    Ok(format!("event: {name}\ndata: {data}\n\n"))
}

/// Replicates per update: about twenty updates a run, at least two replicates each.
fn batch(replicates: u32) -> u32 {
    replicates.div_ceil(20).max(2)
}

async fn run(axum::extract::State(state): Shared, body: Body) -> Response {
    let t = match text(body, state.timeout).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let req: RunRequest = match serde_json::from_str(&t) {
        Ok(r) => r,
        Err(e) => return bad(Refusal::plain(format!("the request is not a run request: {e}"))),
    };
    let job = match prepare(&req) {
        Ok(j) => j,
        Err(r) => return bad(r),
    };
    let flag = Arc::new(AtomicBool::new(false));
    if let Some(old) = lock(&state.runs).insert(req.tab.clone(), flag.clone()) {
        old.store(true, Ordering::Relaxed);
    }
    let leave = Leave { state: state.clone(), tab: req.tab.clone(), flag: flag.clone() };
    let wait = std::time::Duration::from_secs(10);
    let permit = match tokio::time::timeout(wait, state.permits.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        _ => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                Refusal::plain(format!("the explorer is running {MAX_RUNS} runs already; try again shortly")),
            );
        }
    };
    if flag.load(Ordering::Relaxed) {
        return refuse(StatusCode::CONFLICT, Refusal::plain("a newer run from this tab replaced this one"));
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, Infallible>>(4);
    let tab = req.tab;
    let stall = state.timeout;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _leave = leave;
        let started = std::time::SystemTime::now();
        let clock = std::time::Instant::now();
        let stream = Stream { tx, cancel: flag, opts: job.options, parameters: job.parameters.clone(), stall };
        let done = job.run_with(batch(job.options.replicates), &stream);
        let status = if let Some(results) = done {
            let made = Provenance { command: command(&job), started, wall_seconds: clock.elapsed().as_secs_f64() };
            let mut kept = lock(&state.finished);
            kept.retain(|(t, _)| *t != tab);
            if kept.len() >= KEEP_FINISHED {
                kept.remove(0);
            }
            kept.push((tab, Arc::new(Finished { job, results, made })));
            "finished"
        } else {
            "cancelled"
        };
        let _ = send(&stream.tx, event("end", &json!({ "status": status })), stall);
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(rx)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Sends an event to the stream, waiting at most `stall` while it is full:
/// false if the client went away or stopped reading.
fn send(
    tx: &tokio::sync::mpsc::Sender<Result<String, Infallible>>,
    ev: Result<String, Infallible>,
    stall: std::time::Duration,
) -> bool {
    use tokio::sync::mpsc::error::TrySendError;
    let until = std::time::Instant::now() + stall;
    let mut ev = ev;
    loop {
        match tx.try_send(ev) {
            Ok(()) => return true,
            Err(TrySendError::Closed(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if std::time::Instant::now() >= until {
                    return false;
                }
                ev = back;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

/// Quantiles (5, 25, 50, 75, 95%) of every metric by quarter for each
/// scenario, of the paired differences (edited minus base), and the headline
/// table, from the replicates so far.
fn snapshot(r: &Results, opts: &RunOptions) -> Value {
    let summary = summarise_results(r);
    let quantiles = |s: usize, m: Metric| -> Vec<[f64; 5]> {
        let sc = &r.scenarios[s];
        sc.quarters
            .iter()
            .map(|&q| {
                summary
                    .iter()
                    .find(|x| x.scenario == sc.name && x.quarter == q && x.metric == m)
                    .map_or([f64::NAN; 5], |x| [x.p05, x.p25, x.p50, x.p75, x.p95])
            })
            .collect()
    };
    let (b, e) = (&r.scenarios[0], &r.scenarios[1]);
    let paired_ok = b.quarters == e.quarters && b.footprints == e.footprints;
    let mut series = serde_json::Map::new();
    for &m in Metric::ALL {
        let difference = paired_ok.then(|| {
            b.quarters
                .iter()
                .map(|&q| {
                    let (_, _, d) = describe(&mut paired(&b.at(q, m), &e.at(q, m)));
                    d
                })
                .collect::<Vec<_>>()
        });
        series.insert(
            m.name().into(),
            json!({ "base": quantiles(0, m), "edited": quantiles(1, m), "difference": difference }),
        );
    }
    json!({
        "done": e.replicates,
        "of": opts.replicates,
        "seed": opts.seed,
        "scenarios": [b.name, e.name],
        "quarters": [b.quarters, e.quarters],
        "series": series,
        "headline": stpsim::results::headline::headline(r),
    })
}

/// The command that reproduces a tab's run: its base by built-in name (or
/// BASE.toml), the edited scenario as saved, the seed and replicates. No
/// `--posterior`: the explorer chooses as `stpsim run` does (the England
/// posterior unless a scenario says otherwise, the moved sliders held).
fn command(job: &Job) -> Vec<String> {
    let base = job.scenarios[0].source.trim_start_matches("scenarios/").trim_end_matches(".toml");
    let base = stpsim::scenario::builtin::find(base).map_or("BASE.toml", |b| b.name);
    ["stpsim", "run", base, &format!("{}.toml", job.scenarios[1].name)]
        .iter()
        .map(|s| s.to_string())
        .chain([
            "--seed".into(),
            job.options.seed.to_string(),
            "--replicates".into(),
            job.options.replicates.to_string(),
        ])
        .collect()
}

#[derive(Deserialize)]
struct ReportQuery {
    tab: String,
}

/// The report of the tab's last finished run: the page `stpsim run` writes,
/// built from the results in memory, with the command that reproduces it.
async fn report(axum::extract::State(state): Shared, Query(q): Query<ReportQuery>) -> Response {
    let found = lock(&state.finished).iter().find(|(t, _)| *t == q.tab).map(|(_, f)| f.clone());
    let Some(f) = found else {
        return refuse(StatusCode::NOT_FOUND, Refusal::plain("this tab has no finished run yet; run it first"));
    };
    let built = tokio::task::spawn_blocking(move || {
        let text = stpsim::job::manifest_text(&f.job, &f.made).map_err(|e| e.to_string())?;
        stpsim::report::html(&f.results, &f.job.scenarios, f.job.options.seed, Some(&text), &Default::default())
            .map_err(|e| e.to_string())
    })
    .await;
    match built {
        Ok(Ok(html)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"report.html\""),
            ],
            html,
        )
            .into_response(),
        Ok(Err(e)) => {
            refuse(StatusCode::INTERNAL_SERVER_ERROR, Refusal::plain(format!("cannot build the report: {e}")))
        }
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, Refusal::plain("building the report failed")),
    }
}

#[derive(Deserialize)]
struct DataQuery {
    tab: String,
    metric: String,
}

/// The numbers behind the chart of a metric for the tab's last finished
/// run: the CSV `stpsim run` writes as `data/<chart>.csv` (quarter down,
/// each scenario's quantiles across).
async fn chart_data(axum::extract::State(state): Shared, Query(q): Query<DataQuery>) -> Response {
    let Some(metric) = Metric::parse(&q.metric) else {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        return bad(Refusal::plain(format!(
            "metric \"{}\" is not one stpsim reports; it is one of {}",
            stpsim::scenario::error::shorten(&q.metric, 40),
            names.join(", ")
        )));
    };
    let found = lock(&state.finished).iter().find(|(t, _)| *t == q.tab).map(|(_, f)| f.clone());
    let Some(f) = found else {
        return refuse(StatusCode::NOT_FOUND, Refusal::plain("this tab has no finished run yet; run it first"));
    };
    let built = tokio::task::spawn_blocking(move || {
        let data = stpsim::plot::RunData::from_results(&f.results, &f.job.scenarios, f.job.options.seed, None)
            .map_err(|e| e.to_string())?;
        let table = stpsim::plot::metric_table(&data, metric);
        let mut csv = Vec::new();
        table.write_csv(&mut csv).map_err(|e| e.to_string())?;
        Ok::<_, String>((table.stem, csv))
    })
    .await;
    match built {
        Ok(Ok((stem, csv))) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.csv\"")),
            ],
            csv,
        )
            .into_response(),
        Ok(Err(e)) => refuse(StatusCode::INTERNAL_SERVER_ERROR, Refusal::plain(format!("cannot build the data: {e}"))),
        Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, Refusal::plain("building the data failed")),
    }
}
