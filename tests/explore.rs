//! `stpsim explore` over plain HTTP: malformed requests get a 4xx with the
//! scenario error's message and the server keeps answering; a run streams to
//! the same headline numbers `stpsim run` prints; Ctrl-C stops it cleanly.

mod common;
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    start_with(&[])
}

fn start_with(env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(BIN)
        .args(["explore", "--no-browser", "--port", "0"])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "bound to loopback only: {line}");
    Server { child, addr }
}

/// One request on its own connection: (status, body with any chunking undone).
fn request(s: &Server, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr,
        body.len()
    );
    // The server may answer (413) before reading a large body and close.
    let _ = c.write_all(head.as_bytes()).and_then(|()| c.write_all(body));
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no response: {text:?}"));
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(rest) } else { rest.into() };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn run_request(toml: &str) -> Vec<u8> {
    serde_json::json!({ "tab": "test", "base": { "builtin": "baseline" }, "scenario": toml }).to_string().into_bytes()
}

const LEADS: &str = r#"name = "leads"
replicates = 6
seed = 77

[[levers]]
kind = "strengthen_leads"
start = "2017Q2"
footprints = "all"
authority = 0.5
"#;

/// What `stpsim validate` says about a file named edited.toml with this text.
fn validate_message(toml: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("edited.toml"), toml).unwrap();
    let out = Command::new(BIN).args(["validate", "edited.toml"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

fn still_answers(s: &Server) {
    let (status, body) = request(s, "GET", "/api/meta", b"");
    assert_eq!(status, 200);
    assert!(json(&body)["levers"].as_array().unwrap().iter().any(|l| l["kind"] == "strengthen_leads"));
}

#[test]
fn serves_the_page_and_what_its_controls_are_made_of() {
    let s = start();
    let (status, page) = request(&s, "GET", "/", b"");
    assert_eq!(status, 200);
    assert!(page.contains("stpsim explorer") && page.contains("/explorer.js"));
    assert!(!page.contains("http://") && !page.contains("https://"), "the page fetches nothing from elsewhere");
    let (status, meta) = request(&s, "GET", "/api/meta", b"");
    assert_eq!(status, 200);
    let meta = json(&meta);
    let leads = meta["levers"].as_array().unwrap().iter().find(|l| l["kind"] == "strengthen_leads").unwrap();
    assert_eq!(leads["fields"][0]["name"], "authority");
    assert_eq!(leads["fields"][0]["max"], 1.0);
    assert_eq!(meta["params"].as_array().unwrap().len(), stpsim::params::DICTIONARY.len());
    let (status, history) = request(&s, "GET", "/api/scenarios/history", b"");
    assert_eq!(status, 200);
    let history = json(&history);
    // baseline's joint working first (levers are appended), then history's own.
    assert_eq!(history["levers"][0]["kind"], "joint_working");
    assert_eq!(history["levers"][1]["kind"], "strengthen_leads");
    assert_eq!(history["levers"][1]["start"], "2017Q2");
    assert_eq!(history["levers"][4]["footprints"][0], "Greater Manchester");
    assert_eq!(request(&s, "GET", "/api/scenarios/nope", b"").0, 404);
    assert_eq!(request(&s, "GET", "/../Cargo.toml", b"").0, 404);
}

#[test]
fn malformed_requests_get_4xx_with_the_scenario_message_and_the_server_answers_after() {
    let s = start();

    let (status, body) = request(&s, "POST", "/api/run", b"{ not json");
    assert_eq!(status, 400);
    assert!(json(&body)["error"].as_str().unwrap().contains("not a run request"));
    still_answers(&s);

    let big = vec![b'x'; 300 * 1024];
    let (status, body) = request(&s, "POST", "/api/run", &big);
    assert_eq!(status, 413);
    assert!(json(&body)["error"].as_str().unwrap().contains("larger than the explorer accepts"));
    still_answers(&s);

    // An unknown lever: the message `stpsim validate` prints, beside its field.
    let unknown = LEADS.replace("strengthen_leads", "strengthen_lead");
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&unknown));
    assert_eq!(status, 400);
    let e = json(&body);
    assert_eq!(e["field"], "levers[0].kind");
    assert_eq!(e["scenario"], "edited");
    let message = e["error"].as_str().unwrap();
    assert!(message.contains("is not a lever") && message.contains("did you mean \"strengthen_leads\""));
    assert!(validate_message(&unknown).contains(message), "same message as validate:\n{message}");
    still_answers(&s);

    // 10,000 replicates: a valid file, but more than the explorer runs.
    let many = LEADS.replace("replicates = 6", "replicates = 10000");
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&many));
    assert_eq!(status, 400);
    let e = json(&body);
    assert_eq!(e["field"], "replicates");
    let message = e["error"].as_str().unwrap();
    assert!(message.starts_with("edited.toml:2:14: `replicates` = 10000 is more than the explorer runs"), "{message}");
    assert!(message.contains("allowed: a whole number from 1 to 1000"), "{message}");

    // A large structure lowers the cap.
    let large = "name = \"big\"\nreplicates = 100\n[structure]\nkind = \"synthetic\"\nfootprints = 1000\n";
    let (status, body) = request(&s, "POST", "/api/run", &run_request(large));
    assert_eq!(status, 400);
    assert!(json(&body)["error"].as_str().unwrap().contains("from 1 to 44 here"));

    // A value out of range, a structure file, a name clash, an unknown base.
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&LEADS.replace("0.5", "1.5")));
    assert_eq!((status, json(&body)["field"].as_str()), (400, Some("levers[0].authority")));
    let file = "name = \"f\"\n[structure]\nkind = \"file\"\npath = \"/etc/passwd\"\n";
    let (status, body) = request(&s, "POST", "/api/run", &run_request(file));
    assert_eq!(status, 400);
    assert!(json(&body)["error"].as_str().unwrap().contains("not available in the explorer"));
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&LEADS.replace("\"leads\"", "\"baseline\"")));
    assert_eq!((status, json(&body)["field"].as_str()), (400, Some("name")));
    let other = serde_json::json!({ "tab": "t", "base": { "builtin": "nope" }, "scenario": LEADS }).to_string();
    assert_eq!(request(&s, "POST", "/api/run", other.as_bytes()).0, 400);
    let bad_tab =
        serde_json::json!({ "tab": "../x", "base": { "builtin": "baseline" }, "scenario": LEADS }).to_string();
    assert_eq!(request(&s, "POST", "/api/run", bad_tab.as_bytes()).0, 400);
    let (status, body) = request(&s, "POST", "/api/scenario", b"name = 3");
    assert_eq!(status, 400);
    assert!(json(&body)["error"].as_str().unwrap().starts_with("uploaded.toml:1:8"));
    still_answers(&s);
}

#[test]
fn a_run_streams_to_the_headline_numbers_stpsim_run_prints() {
    let s = start();
    let (status, body) = request(&s, "POST", "/api/run", &run_request(LEADS));
    assert_eq!(status, 200);
    let events: Vec<serde_json::Value> = body
        .split("\n\n")
        .filter(|e| e.starts_with("event: progress"))
        .map(|e| json(e.split_once("data: ").unwrap().1))
        .collect();
    let done: Vec<u64> = events.iter().map(|e| e["done"].as_u64().unwrap()).collect();
    assert_eq!(done, [2, 4, 6], "replicates arrive in batches");
    assert!(body.contains("event: end\ndata: {\"status\":\"finished\"}"));
    let last = events.last().unwrap();
    let diff = &last["series"]["transformation_index"]["difference"];
    assert_eq!(diff.as_array().unwrap().len(), 21);
    assert_eq!(diff[0][2], 0.0, "paired: no difference before the lever");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leads.toml"), LEADS).unwrap();
    let out = Command::new(BIN)
        // The explorer chooses the posterior as `stpsim run` does: England's, by default.
        .args(["run", "baseline", "leads.toml", "--seed", "77", "--replicates", "6", "--no-charts"])
        .args(["--out", "o"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let mut compared = 0;
    for h in last["headline"].as_array().unwrap() {
        for r in h["rows"].as_array().unwrap() {
            let cell = |iv: &serde_json::Value| {
                format!(
                    "{:>9} [{:>9}, {:>9}]",
                    iv["median"].as_str().unwrap(),
                    iv["p05"].as_str().unwrap(),
                    iv["p95"].as_str().unwrap()
                )
            };
            let mut line = format!("  {:<24} {}", r["metric"].as_str().unwrap(), cell(&r["value"]));
            if !r["difference"].is_null() {
                line += &format!("   {}", cell(&r["difference"]));
            }
            assert!(printed.lines().any(|l| l == line), "`stpsim run` prints {line:?}:\n{printed}");
            compared += 1;
        }
    }
    assert_eq!(compared, 2 * stpsim::model::Metric::headline().len());

    // The tab's report: the page `stpsim run` writes, from the run in memory.
    let (status, page) = request(&s, "GET", "/api/report?tab=test", b"");
    assert_eq!(status, 200);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg") && page.contains("leads"));
    // Its manifest names the command that reproduces it.
    let command = ["stpsim", "run", "baseline", "leads.toml", "--seed", "77", "--replicates", "6"];
    let quoted: Vec<String> = command.iter().map(|c| format!("&quot;{c}&quot;")).collect();
    assert!(page.contains(&quoted.join(",\n    ")), "the manifest names the command");
    assert_eq!(request(&s, "GET", "/api/report?tab=other", b"").0, 404);

    // "Download data": the CSV `stpsim run` writes beside the chart of the metric.
    let out = Command::new(BIN)
        .args(["run", "baseline", "leads.toml", "--seed", "77", "--replicates", "6"])
        .args(["--quiet", "--out", "charts"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (metric, chart) in [("self_priority_share", "fan_self_priority_share"), ("gap_cq", "fan_gaps")] {
        let (status, csv) = request(&s, "GET", &format!("/api/data?tab=test&metric={metric}"), b"");
        assert_eq!(status, 200, "{csv}");
        let written =
            std::fs::read_to_string(dir.path().join("charts").join("data").join(format!("{chart}.csv"))).unwrap();
        assert_eq!(csv, written, "the explorer gives data/{chart}.csv");
    }
    // A metric no chart shows gets the same layout, for it alone.
    let (status, csv) = request(&s, "GET", "/api/data?tab=test&metric=raised", b"");
    assert_eq!(status, 200);
    assert!(csv.starts_with("quarter,baseline p05,baseline p25,baseline p50,"), "{csv}");
    assert_eq!(csv.lines().count(), 22, "a header and 21 quarters");
    let (status, body) = request(&s, "GET", "/api/data?tab=test&metric=happiness", b"");
    assert_eq!(status, 400);
    assert!(body.contains("happiness") && body.contains("self_priority_share"), "{body}");
    assert_eq!(request(&s, "GET", "/api/data?tab=other&metric=raised", b"").0, 404);
}

/// The explorer runs over the England posterior by default, as `stpsim
/// run` does on the saved files; a slider the user moved is a parameter the
/// saved scenario sets, held at its value in every replicate.
#[test]
fn the_explorer_runs_over_the_england_posterior_holding_the_sliders_moved() {
    let s = start();
    let moved = format!("{LEADS}\n[params]\nb_deficit = 0.5\n");
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&moved));
    assert_eq!(status, 200, "{body}");
    let last = body
        .split("\n\n")
        .filter(|e| e.starts_with("event: progress"))
        .map(|e| json(e.split_once("data: ").unwrap().1))
        .last()
        .unwrap();
    let said = last["parameters"].as_str().unwrap();
    assert!(said.contains("over the England posterior") && said.contains("slider you moved"), "{said}");
    // The report's manifest names the posterior and what each scenario held.
    let (status, page) = request(&s, "GET", "/api/report?tab=test", b"");
    assert_eq!(status, 200);
    let pre = page.split("<pre>").nth(1).unwrap().split("</pre>").next().unwrap();
    let text = pre.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let manifest = json(&text);
    let posterior = &manifest["posterior"];
    assert_eq!(posterior["held"]["leads"], serde_json::json!(["b_deficit"]), "{posterior}");
    assert!(posterior["held"]["baseline"].is_null(), "the built-in baseline holds nothing: {posterior}");
    assert!(!manifest["command"].to_string().contains("--posterior"), "{}", manifest["command"]);

    // A posterior file is refused: the explorer reads no files.
    let file = moved.replace("seed = 77", "seed = 77\nposterior = \"p.csv\"");
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&file));
    assert_eq!((status, json(&body)["field"].as_str()), (400, Some("posterior")), "{body}");
    // `posterior = "none"` in the scenario is the spec's defaults, as on the command line.
    let none = moved.replace("seed = 77", "seed = 77\nposterior = \"none\"");
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&none));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("at the spec's default parameters"), "{}", &body[..body.len().min(400)]);
    still_answers(&s);
}

#[test]
fn runs_go_through_the_memory_guard_of_stpsim_run() {
    let s = start_with(&[("STPSIM_MAX_MEMORY_GIB", "0.0001")]);
    let (status, body) = request(&s, "POST", "/api/run", &run_request(LEADS));
    assert_eq!(status, 400);
    assert!(json(&body)["error"].as_str().unwrap().contains("GiB of memory"), "{body}");
    still_answers(&s);
}

#[test]
fn an_uploaded_scenario_comes_back_resolved_for_editing() {
    let s = start();
    let text = stpsim::scenario::builtin::get("history").unwrap().1;
    let (status, body) = request(&s, "POST", "/api/scenario", text.as_bytes());
    assert_eq!(status, 200);
    let v = json(&body);
    assert_eq!(v["name"], "history");
    assert_eq!(v["levers"].as_array().unwrap().len(), 8, "baseline's joint working and history's seven");
    assert_eq!(v["levers"][3]["footprints"], serde_json::Value::Null, "a national lever");
    assert_eq!(v["footprints"].as_array().unwrap().len(), 44);
    // The parameters that differ from the dictionary's defaults, with their values.
    let changed = stpsim::scenario::load("history").unwrap().changed_params();
    let shown = v["params"].as_object().unwrap();
    assert_eq!(shown.len(), changed.len());
    for (k, x) in changed {
        assert_eq!(shown[k].as_f64(), Some(x), "{k}");
    }
}

/// Sends a run request and returns the connection once the response has begun.
fn begin_run(s: &Server, body: &[u8]) -> BufReader<TcpStream> {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr,
        body.len()
    );
    c.write_all(head.as_bytes()).unwrap();
    c.write_all(body).unwrap();
    let mut r = BufReader::new(c);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.contains(" 200 "), "{line}");
    r
}

#[test]
fn a_new_run_from_a_tab_cancels_its_running_one() {
    let s = start();
    let slow = LEADS.replace("replicates = 6", "replicates = 1000");
    let mut first = begin_run(&s, &run_request(&slow));
    let (status, body) = request(&s, "POST", "/api/run", &run_request(LEADS));
    assert_eq!(status, 200);
    assert!(body.contains("{\"status\":\"finished\"}"));
    let mut rest = String::new();
    first.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("{\"status\":\"cancelled\"}"), "the first run was cancelled");
    assert!(!rest.contains("\"done\":1000"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut s = start();
    still_answers(&s);
    let pid = s.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    for _ in 0..100 {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server did not stop within 5 s of Ctrl-C");
}

/// One saved scenario, every front: the explorer's final table (each
/// scenario's quantiles by quarter and metric) equals summary.csv of
/// `stpsim run` on the same files, which takes the saved file's replicates
/// and seed (6, 77) with no flag given.
#[test]
fn the_explorers_final_table_equals_the_summary_stpsim_run_writes() {
    let s = start();
    let (status, body) = request(&s, "POST", "/api/run", &run_request(LEADS));
    assert_eq!(status, 200);
    let last = body
        .split("\n\n")
        .filter(|e| e.starts_with("event: progress"))
        .map(|e| json(e.split_once("data: ").unwrap().1))
        .last()
        .unwrap();
    assert_eq!(last["done"], 6);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leads.toml"), LEADS).unwrap();
    let out = Command::new(BIN)
        // Over the England posterior, as the explorer runs by default.
        .args(["run", "baseline", "leads.toml", "--quiet", "--no-charts", "--out", "o"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = json(&std::fs::read_to_string(dir.path().join("o/manifest.json")).unwrap());
    assert_eq!((manifest["replicates"].as_u64(), manifest["seed"].as_u64()), (Some(6), Some(77)));

    let mut csv = csv::Reader::from_path(dir.path().join("o/summary.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let quantiles = ["p05", "p25", "p50", "p75", "p95"].map(col);
    let quarters = last["quarters"][0].as_array().unwrap().clone();
    let mut compared = 0;
    for row in csv.records() {
        let row = row.unwrap();
        let side = if &row[0] == "baseline" { "base" } else { "edited" };
        let k = quarters.iter().position(|q| q.as_str() == Some(&row[1])).unwrap();
        let shown = &last["series"][&row[2]][side][k];
        for (i, &c) in quantiles.iter().enumerate() {
            let written: f64 = row[c].parse().unwrap();
            // NaN (a metric with no value yet) travels as null in JSON.
            match shown[i].as_f64() {
                Some(v) => assert_eq!(v, written, "{side} {} {} column {}", &row[1], &row[2], &header[c]),
                None => assert!(written.is_nan(), "{side} {} {}", &row[1], &row[2]),
            }
        }
        compared += 1;
    }
    assert_eq!(compared, 2 * quarters.len() * stpsim::model::Metric::ALL.len());
}

// ---------------------------------------------------------------- requests from elsewhere (issue 21)

/// A request with the given head lines (no Host unless given), on its own connection.
fn raw(s: &Server, head: &str, body: &[u8]) -> (u16, String) {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!("{head}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    c.write_all(head.as_bytes()).unwrap();
    c.write_all(body).unwrap();
    let mut raw = Vec::new();
    let _ = c.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no response: {text:?}"));
    (head.split(' ').nth(1).unwrap().parse().unwrap(), rest.to_string())
}

#[test]
fn requests_another_web_page_could_send_are_refused() {
    let s = start();
    let port = s.addr.rsplit(':').next().unwrap().to_string();
    let run = run_request(LEADS);
    // What a script-free HTML form on any site can send: refused before any run starts.
    let form = format!("POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\n", s.addr);
    let (status, body) = raw(&s, &form, &run);
    assert_eq!(status, 415, "{body}");
    assert!(json(&body)["error"].as_str().unwrap().contains("accepts application/json only"));
    let none = format!("POST /api/run HTTP/1.1\r\nHost: {}\r\n", s.addr);
    assert_eq!(raw(&s, &none, &run).0, 415, "no Content-Type is refused too");
    // A page elsewhere, even sending JSON (the browser would ask first; a non-browser need not).
    let foreign = format!(
        "POST /api/run HTTP/1.1\r\nHost: {}\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\n",
        s.addr
    );
    let (status, body) = raw(&s, &foreign, &run);
    assert_eq!(status, 403, "{body}");
    assert!(json(&body)["error"].as_str().unwrap().contains("http://evil.example"));
    // DNS rebinding: another name that resolves to 127.0.0.1 is not this server's.
    let rebound = format!("GET /api/meta HTTP/1.1\r\nHost: evil.example:{port}\r\n");
    let (status, body) = raw(&s, &rebound, b"");
    assert_eq!(status, 421, "{body}");
    assert!(json(&body)["error"].as_str().unwrap().contains("answers only http://127.0.0.1:"));
    assert_eq!(raw(&s, "GET / HTTP/1.1\r\n", b"").0, 421, "a request without Host is refused");
    assert_eq!(
        raw(&s, &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", port.parse::<u16>().unwrap() + 1), b"").0,
        421
    );
    // The page's own requests, by either loopback name, from its own origin.
    let own = format!(
        "POST /api/run HTTP/1.1\r\nHost: localhost:{port}\r\nOrigin: http://localhost:{port}\r\nContent-Type: application/json; charset=utf-8\r\n"
    );
    let (status, body) = raw(&s, &own, &run);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("{\"status\":\"finished\"}"));
    // A value of the wrong type: the field and the kinds in the user's words, as validate says.
    let typed = LEADS.replace("start = \"2017Q2\"", "start = 2017");
    let (status, body) = request(&s, "POST", "/api/run", &run_request(&typed));
    assert_eq!(status, 400);
    let e = json(&body);
    assert_eq!(e["field"], "levers[0].start", "{body}");
    let message = e["error"].as_str().unwrap();
    assert!(
        message.contains("`levers[0].start` = 2017 is a whole number, where text in quotes is expected"),
        "{message}"
    );
    assert!(!message.contains("invalid type") && !message.contains("i64"), "{message}");
    // The page uploads a file's text as a JSON string.
    let upload = serde_json::to_string("name = \"up\"\nreplicates = 3\n").unwrap();
    let (status, body) = request(&s, "POST", "/api/scenario", upload.as_bytes());
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["name"], "up");
}

#[test]
fn half_sent_and_idle_connections_are_closed_after_the_timeout() {
    let s = start_with(&[("STPSIM_EXPLORE_TIMEOUT", "1")]);
    let started = std::time::Instant::now();
    let mut idle = TcpStream::connect(&s.addr).unwrap();
    let mut half = TcpStream::connect(&s.addr).unwrap();
    half.write_all(format!("GET /api/meta HTTP/1.1\r\nHost: {}\r\n", s.addr).as_bytes()).unwrap();
    let mut body = TcpStream::connect(&s.addr).unwrap();
    let head = format!(
        "POST /api/scenario HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\nname",
        s.addr
    );
    body.write_all(head.as_bytes()).unwrap();
    for c in [&mut idle, &mut half, &mut body] {
        // Bounded: a connection never closed fails the test instead of hanging it.
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    }
    let mut got = Vec::new();
    idle.read_to_end(&mut got).expect("the idle connection is closed");
    assert!(got.is_empty() || String::from_utf8_lossy(&got).contains(" 408 "));
    let mut got = Vec::new();
    half.read_to_end(&mut got).expect("the connection with half its headers is closed");
    assert!(!String::from_utf8_lossy(&got).contains(" 200 "));
    let mut got = Vec::new();
    body.read_to_end(&mut got).expect("the connection with half its body is closed");
    let got = String::from_utf8_lossy(&got);
    assert!(got.contains(" 408 ") && got.contains("did not arrive within 1 s"), "{got}");
    assert!(started.elapsed() < Duration::from_secs(15), "closed after about 1 s: {:?}", started.elapsed());
    still_answers(&s);
}

#[test]
fn connections_beyond_the_cap_are_closed_and_the_server_answers_once_idle_ones_go() {
    let s = start_with(&[("STPSIM_EXPLORE_TIMEOUT", "3")]);
    let held: Vec<TcpStream> = (0..64).map(|_| TcpStream::connect(&s.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut over = TcpStream::connect(&s.addr).unwrap();
    over.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = over.write_all(format!("GET /api/meta HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr).as_bytes());
    let mut got = Vec::new();
    match over.read_to_end(&mut got) {
        Ok(_) => assert!(got.is_empty(), "the 65th connection is closed unanswered"),
        Err(e) => assert!(
            matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe),
            "closed, not left waiting: {e}"
        ),
    }
    // The idle ones time out and free their places.
    std::thread::sleep(Duration::from_secs(5));
    still_answers(&s);
    drop(held);
}

/// A connection with a small receive buffer, so a client that does not read
/// soon fills what the system holds for it (as a slow or stuck client would).
#[cfg(unix)]
fn connect_small(addr: &str) -> TcpStream {
    use std::os::fd::FromRawFd;
    let sa: std::net::SocketAddrV4 = addr.parse().unwrap();
    // SAFETY: a socket made, sized and connected here, then owned by the TcpStream.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let size: libc::c_int = 4096;
        let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, &size as *const _ as *const libc::c_void, len);
        let sin = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: sa.port().to_be(),
            sin_addr: libc::in_addr { s_addr: u32::from(*sa.ip()).to_be() },
            sin_zero: [0; 8],
        };
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(libc::connect(fd, &sin as *const _ as *const libc::sockaddr, len), 0);
        TcpStream::from_raw_fd(fd)
    }
}

#[cfg(unix)]
#[test]
fn runs_whose_clients_stop_reading_are_dropped_and_free_their_slots() {
    let s = start_with(&[("STPSIM_EXPLORE_TIMEOUT", "2")]);
    // 100 quarters: each progress event is about half a megabyte, more than
    // the system buffers between server and client hold in a few events.
    let slow = LEADS.replace("replicates = 6", "replicates = 200\nend = \"2040Q4\"");
    // Four clients start long runs and never read a byte of their streams.
    let stalled: Vec<TcpStream> = (0..4)
        .map(|k| {
            let body =
                serde_json::json!({ "tab": format!("stall-{k}"), "base": { "builtin": "baseline" }, "scenario": slow })
                    .to_string();
            let mut c = connect_small(&s.addr);
            let head = format!(
                "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                s.addr,
                body.len()
            );
            c.write_all(head.as_bytes()).unwrap();
            c.write_all(body.as_bytes()).unwrap();
            // The response's head only: the run has its slot; not a byte of the stream is read.
            c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") {
                c.read_exact(&mut byte).unwrap();
                head.push(byte[0]);
            }
            assert!(String::from_utf8_lossy(&head).contains(" 200 "), "{}", String::from_utf8_lossy(&head));
            c
        })
        .collect();
    // Another tab gets a run slot once theirs are dropped; before the fix
    // they were held for as long as the clients stayed connected.
    let started = std::time::Instant::now();
    loop {
        let (status, body) = request(&s, "POST", "/api/run", &run_request(LEADS));
        if status == 200 {
            assert!(body.contains("{\"status\":\"finished\"}"), "{body}");
            break;
        }
        assert_eq!(status, 429, "{body}");
        assert!(started.elapsed() < Duration::from_secs(120), "the stalled runs still hold every slot");
    }
    drop(stalled);
}
