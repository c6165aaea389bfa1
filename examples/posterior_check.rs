//! The published figures of a targets file against a posterior's predictive
//! intervals under the current code: what `stpsim calibrate` reports at its
//! end, recomputed without calibrating again (after a change of random bits,
//! say). Each posterior draw runs `M` simulations, each on its own keyed
//! streams, as calibration does.
//!
//!     cargo run --release --example posterior_check [TARGETS] [POSTERIOR] [M]
//!
//! Defaults: data/targets.toml, data/posterior-england.csv, 4.

use rayon::prelude::*;
use stpsim::calibrate::posterior::Posterior;
use stpsim::calibrate::problem::Problem;
use stpsim::calibrate::targets;
use stpsim::core::stats::quantile;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let targets_path = args.first().map_or("data/targets.toml", String::as_str);
    let posterior_path = args.get(1).map_or("data/posterior-england.csv", String::as_str);
    let m: u64 = args.get(2).map_or(Ok(4), |s| s.parse())?;
    let t = targets::load(std::path::Path::new(targets_path))?;
    let problem = Problem::new(&t, stpsim::scenario::load)?;
    let post = Posterior::load(std::path::Path::new(posterior_path))?;
    // Each draw's values in the order of the targets file's priors.
    let order: Vec<usize> = problem
        .priors
        .iter()
        .map(|p| post.names.iter().position(|n| *n == p.name).ok_or(format!("the posterior has no {}", p.name)))
        .collect::<Result<_, _>>()?;
    let sims: Vec<(usize, Vec<f64>)> = (0..post.draws.len())
        .into_par_iter()
        .flat_map_iter(|d| {
            let theta: Vec<f64> = order.iter().map(|&k| post.draws[d][k]).collect();
            let problem = &problem;
            (0..m).map(move |r| (d, problem.simulate(&theta, 1_000_000 + d as u64 * m + r).values))
        })
        .collect();
    let nt = problem.targets.len();
    let w: Vec<f64> = sims.iter().map(|(d, _)| post.weights[*d]).collect();
    let q = |k: usize| -> [f64; 3] {
        let x: Vec<f64> = sims.iter().map(|(_, v)| v[k]).collect();
        [0.05, 0.5, 0.95].map(|p| quantile(&x, &w, p))
    };
    println!("| target | figure (sd) | reported, 90% | model, 90% (median) | verdict |");
    println!("|---|---|---|---|---|");
    let mut inside = 0;
    for (j, tg) in problem.targets.iter().enumerate() {
        let (model, reported) = (q(j), q(nt + j));
        let ok = tg.value >= reported[0] && tg.value <= reported[2];
        inside += ok as usize;
        println!(
            "| `{}` {}, {} | {} ({:.3}) | {:.3} to {:.3} | {:.3} to {:.3} ({:.3}) | {} |",
            tg.metric.name(),
            tg.when,
            tg.scenario,
            tg.value,
            tg.sd(),
            reported[0],
            reported[2],
            model[0],
            model[2],
            model[1],
            if ok { "inside" } else { "OUTSIDE" }
        );
    }
    println!("\n{inside} of {nt} figures inside; {} simulations.", sims.len());
    Ok(())
}
