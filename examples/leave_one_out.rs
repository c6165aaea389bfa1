//! Leave-one-target-out check of the England calibration: for each of the
//! seven figures of data/targets.toml, calibrate on the other six (ABC-SMC,
//! as `stpsim calibrate --targets`), then predict the held-out figure from
//! that posterior: the 90% interval of what its survey or account would
//! report, as the calibration's own check computes it (`posterior_check`).
//! An honest out-of-sample test: the posterior never saw the figure.
//!
//!     cargo run --release --example leave_one_out -- OUT [PARTICLES] [M]
//!
//! PARTICLES (default 400, as docs/calibration.md's table) is a reduced budget beside the shipped fit's
//! 1,500; M (default 4) is the predictive simulations per posterior row.
//! Each leave-out keeps its calibration in OUT/without-K (resumable: a
//! finished one is not run again, an interrupted one goes on from its
//! checkpoint) and its prediction in OUT/without-K/held_out.txt; the table
//! of all seven is printed and written to OUT/leave_one_out.md.

use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use stpsim::api::calibrate::{CalibrateRequest, ENGLAND_TARGETS, Fitted};
use stpsim::calibrate::posterior::Posterior;
use stpsim::calibrate::problem::Problem;
use stpsim::calibrate::targets;
use stpsim::core::stats::quantile;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The England targets file without its `k`-th `[[target]]` block.
fn without(text: &str, k: usize) -> String {
    // Table headers only (the comment above them names `[[target]]` too).
    let starts: Vec<usize> = text.match_indices("\n[[target]]\n").map(|(i, _)| i + 1).collect();
    let end =
        starts.get(k + 1).copied().or_else(|| text.find("\n# Parameters fitted").map(|i| i + 1)).unwrap_or(text.len());
    format!("{}{}", &text[..starts[k]], &text[end..])
}

/// Calibrates on every target but `k` into `dir` (or goes on from its
/// checkpoint); returns the posterior file.
fn calibrate(dir: &Path, k: usize, particles: u32) -> Result<PathBuf, Error> {
    let posterior = dir.join("posterior.csv");
    if dir.join("calibration.json").is_file() && posterior.is_file() {
        return Ok(posterior);
    }
    std::fs::create_dir_all(dir)?;
    let file = dir.join("targets.toml");
    std::fs::write(&file, without(ENGLAND_TARGETS, k))?;
    let request = CalibrateRequest {
        targets: Some(file),
        particles: Some(particles),
        resume: dir.join(stpsim::api::calibrate::CHECKPOINT).is_file(),
        common: stpsim::api::Common { out: Some(dir.to_path_buf()), force: true, ..Default::default() },
        ..Default::default()
    };
    let job = request.resolve()?;
    let _lock = job.claim()?;
    struct Say;
    impl stpsim::api::Hooks for Say {
        fn generation(&self, st: &stpsim::calibrate::smc::State) {
            if let Some(g) = st.generations.last() {
                eprintln!(
                    "  generation {}: tolerance {:.3}, acceptance {:.3}, {} distinct, {} simulations, {:.0}s",
                    g.generation, g.tolerance, g.acceptance, g.distinct, g.simulations, g.seconds
                );
            }
        }
    }
    let fitted = job.run(&Say)?;
    if let Fitted::Abc(st) = &fitted {
        let last = st.generations.last();
        eprintln!(
            "without target {k}: stopped ({:?}) at tolerance {:.3} after {} simulations",
            st.stop,
            last.map_or(f64::NAN, |g| g.tolerance),
            last.map_or(0, |g| g.simulations)
        );
    }
    job.write(&fitted)?;
    Ok(posterior)
}

fn main() -> Result<(), Error> {
    // Each leave-out drops one figure and keeps the rest, priors included.
    for k in 0..7 {
        let t = without(ENGLAND_TARGETS, k);
        assert_eq!(t.matches("\n[[target]]\n").count(), 6, "leave-out {k}");
        assert!(t.contains("[priors]"));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().ok_or("usage: leave_one_out OUT [PARTICLES] [M]")?);
    let particles: u32 = args.get(1).map_or(Ok(400), |s| s.parse())?;
    let m: u64 = args.get(2).map_or(Ok(4), |s| s.parse())?;
    let all = targets::parse(ENGLAND_TARGETS, "data/targets.toml")?;
    let problem = Problem::new(&all, stpsim::scenario::load)?;
    let nt = problem.targets.len();
    let mut rows = Vec::new();
    for k in 0..nt {
        let t = &problem.targets[k];
        let dir = out.join(format!("without-{k}"));
        eprintln!("leave-out {k}: {} {} ({})", t.metric.name(), t.when, t.scenario);
        let post = Posterior::load(&calibrate(&dir, k, particles)?)?;
        let order: Vec<usize> = problem
            .priors
            .iter()
            .map(|p| post.names.iter().position(|n| *n == p.name).ok_or(format!("the posterior has no {}", p.name)))
            .collect::<Result<_, _>>()?;
        // What the held-out figure's survey or account would report, over the posterior.
        let sims: Vec<(usize, f64, f64)> = (0..post.draws.len())
            .into_par_iter()
            .flat_map_iter(|d| {
                let theta: Vec<f64> = order.iter().map(|&j| post.draws[d][j]).collect();
                let problem = &problem;
                (0..m).map(move |r| {
                    let v = problem.simulate(&theta, 1_000_000 + d as u64 * m + r).values;
                    (d, v[k], v[nt + k])
                })
            })
            .collect();
        let w: Vec<f64> = sims.iter().map(|s| post.weights[s.0]).collect();
        let reported: Vec<f64> = sims.iter().map(|s| s.2).collect();
        let model: Vec<f64> = sims.iter().map(|s| s.1).collect();
        let [lo, hi] = [0.05, 0.95].map(|p| quantile(&reported, &w, p));
        let median = quantile(&model, &w, 0.5);
        let inside = t.value >= lo && t.value <= hi;
        let (distinct, ess) = stpsim::calibrate::smc::distinct_ess(&post.draws, &post.weights);
        let row = format!(
            "| `{}` {}, {} | {} | {} to {} | {} | {} | {distinct} / {ess:.0} |",
            t.metric.name(),
            t.when,
            t.scenario,
            fmt(t.value),
            fmt(lo),
            fmt(hi),
            fmt(median),
            if inside { "inside" } else { "OUTSIDE" }
        );
        std::fs::write(dir.join("held_out.txt"), format!("{row}\n"))?;
        eprintln!("{row}");
        rows.push(row);
    }
    let mut table = String::from(
        "| held-out target | figure | predicted report, 90% | model median | verdict | distinct / ESS |\n|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        table += r;
        table += "\n";
    }
    let inside = rows.iter().filter(|r| r.contains("| inside |")).count();
    table += &format!(
        "\n{inside} of {nt} held-out figures inside their 90% predictive intervals ({particles} particles per fit, {m} simulations per posterior row).\n"
    );
    std::io::stdout().write_all(table.as_bytes())?;
    std::fs::write(out.join("leave_one_out.md"), table)?;
    Ok(())
}

/// Three significant figures, with thousands separated.
fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 {
        let r = x.round() as i64;
        let s = r.abs().to_string();
        let mut grouped = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{}{grouped}", if r < 0 { "-" } else { "" })
    } else {
        format!("{x:.3}")
    }
}
