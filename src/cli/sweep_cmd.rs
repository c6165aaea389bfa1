//! `stpsim sweep`, `stpsim sensitivity` and `stpsim merge`.

use super::{SweepArgs, UsageError, emit};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use stpsim::api::sweep::SweepRequest;
use stpsim::experiment::plan::Design;
use stpsim::experiment::sweep;

/// `i/n`, or the Slurm array variables when no --shard is given.
pub(super) fn shard(arg: Option<&str>) -> anyhow::Result<Option<(usize, usize)>> {
    let parse = stpsim::api::sweep::parse_shard;
    if let Some(a) = arg {
        return parse(a)
            .map(Some)
            .ok_or_else(|| UsageError(format!("--shard {a} is not a shard: i/n with 0 <= i < n, such as 0/3")).into());
    }
    // A variable that is set must be a number: a typo in a job script must
    // not run every point in every task.
    let var = |k: &str| -> anyhow::Result<Option<usize>> {
        match std::env::var(k) {
            Err(std::env::VarError::NotPresent) => Ok(None),
            Ok(v) if v.trim().is_empty() => Ok(None),
            Ok(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
                UsageError(format!(
                    "{k} = \"{}\" is not a whole number; set it to the array task's number (Slurm does), \
                     or unset it, or give --shard i/n",
                    stpsim::core::text::shorten(&v, 40)
                ))
                .into()
            }),
            Err(_) => Err(UsageError(format!("{k} is not text; unset it, or give --shard i/n")).into()),
        }
    };
    match (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_COUNT")?) {
        (Some(id), Some(n)) => {
            let i = id.saturating_sub(var("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0));
            parse(&format!("{i}/{n}"))
                .map(Some)
                .ok_or_else(|| UsageError(format!("SLURM_ARRAY_TASK_ID {id} does not fit {n} tasks")).into())
        }
        _ => Ok(None),
    }
}

/// Progress: a bar on a terminal; elsewhere (CI, cluster logs) one plain
/// line every 10% with points done, rate and time left.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    start: Instant,
    last_decile: Mutex<usize>,
    quiet: bool,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} points  {per_sec}  eta {eta}  ({elapsed} so far)",
            ) {
                b.set_style(style);
            }
            b
        });
        Progress { bar, start: Instant::now(), last_decile: Mutex::new(0), quiet }
    }

    fn tick(&self, done: usize, total: usize) {
        if self.quiet {
            return;
        }
        if let Some(b) = &self.bar {
            b.set_length(total as u64);
            b.set_position(done as u64);
            return;
        }
        if total == 0 || done == 0 {
            return;
        }
        let decile = done * 10 / total;
        let Ok(mut last) = self.last_decile.lock() else { return };
        if decile > *last {
            *last = decile;
            let secs = self.start.elapsed().as_secs_f64();
            let rate = done as f64 / secs.max(1e-9);
            let eta = (total - done) as f64 / rate.max(1e-9);
            eprintln!("sweep: {}% ({done}/{total} points), {rate:.1} points/s, eta {eta:.0}s", decile * 10);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// The progress bar hears the sweep's points.
impl stpsim::api::Hooks for Progress {
    fn points(&self, done: usize, total: usize) {
        self.tick(done, total);
    }
}

pub fn sweep(args: SweepArgs, sensitivity: bool) -> anyhow::Result<()> {
    let quiet = args.common.quiet;
    let request = SweepRequest {
        plan: args.plan.clone(),
        sensitivity,
        resume: args.resume,
        shard: shard(args.shard.as_deref())?,
        posterior: args.posterior.clone(),
        common: args.common.common(),
        parquet: args.parquet,
    };
    let job = request.resolve()?;
    let (plan, out, shard, threads) = (&job.plan, &job.out, job.shard, job.threads);
    let n = plan.design_points.len();
    let mine = job.points();
    if !quiet {
        eprintln!(
            "sweep {}: {:?} design, {n} points{} x {} replicates, seed {}, {threads} threads -> {}",
            args.plan.display(),
            plan.design,
            shard.map_or(String::new(), |(i, k)| format!(" (shard {i}/{k}: {mine})")),
            plan.replicates,
            plan.seed,
            out.display()
        );
        eprintln!("  replicates ran {}{}", plan.parameters, held_line(plan));
    }
    // One writer per folder: a second sweep (or --resume) into it fails here.
    let _lock = job.claim()?;
    let progress = Progress::new(quiet);
    let clock = Instant::now();
    job.run(&progress)?;
    progress.finish();
    if shard.is_some() {
        if !quiet {
            emit(&format!(
                "shard done in {:.1}s: {} points in {}; combine the shards with `stpsim merge`\n",
                clock.elapsed().as_secs_f64(),
                mine,
                out.join(sweep::PARTS).display()
            ))?;
        }
        return Ok(());
    }
    let charts = job.write()?;
    if !quiet {
        let mut files = vec!["sweep.csv", "sweep_summary.csv"];
        if matches!(plan.design, Design::Sobol | Design::Morris) {
            files.push("sensitivity.csv");
        }
        if plan.parquet || args.parquet {
            files.push("sweep.parquet");
        }
        files.extend(["tables.xlsx", "plan.json"]);
        let drawn = if charts > 0 { format!(", {charts} charts and report.html") } else { String::new() };
        let mut s = format!(
            "swept {n} points x {} replicates in {:.1}s; wrote {}{drawn} in {}\n",
            plan.replicates,
            clock.elapsed().as_secs_f64(),
            files.join(", "),
            out.display()
        );
        if sensitivity {
            let text = stpsim::fsx::read_text(&out.join("sensitivity.csv"), 1 << 30).unwrap_or_default();
            s += &indices_table(&text);
        }
        emit(&s)?;
    }
    Ok(())
}

pub fn merge(dirs: &[PathBuf], out: &Path, quiet: bool) -> anyhow::Result<()> {
    let (frame, charts) = stpsim::api::sweep::merge(dirs, out)?;
    if !quiet {
        emit(&format!(
            "merged {} folders: {} design points; wrote sweep.csv, sweep_summary.csv and {charts} charts in {}\n",
            dirs.len(),
            frame.design_points,
            out.display()
        ))?;
    }
    Ok(())
}

/// Which of the posterior's parameters the sweep holds at the plan's values.
fn held_line(plan: &stpsim::experiment::plan::Plan) -> String {
    if plan.held.is_empty() {
        return String::new();
    }
    format!(
        "\n  held at the plan's values in every replicate (factors win over the posterior): {}",
        plan.held.join(", ")
    )
}

/// sensitivity.csv as the terminal shows it: each output, then each
/// factor's indices to three decimals (Sobol: first-order and total with
/// their bootstrap 95% intervals; Morris: mu* and sigma). The CSV keeps
/// every digit.
fn indices_table(csv: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let n = |cells: &[&str], k: Option<usize>| -> String {
        k.and_then(|k| cells.get(k))
            .and_then(|c| c.parse::<f64>().ok())
            .map_or("-".into(), |v| stpsim::results::numbers::minus(&format!("{v:.3}")))
    };
    let mut out = String::new();
    let mut current = "";
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let (Some(&metric), Some(&factor)) = (cells.first(), cells.get(1)) else { continue };
        if metric != current {
            current = metric;
            let head = if col("first").is_some() {
                "first-order [95% interval]     total [95% interval]"
            } else {
                "mu*        sigma"
            };
            out += &format!("\n{metric}\n  {:<48} {head}\n", "factor");
        }
        let values = if col("first").is_some() {
            format!(
                "{:>6} [{:>6}, {:>6}]    {:>6} [{:>6}, {:>6}]",
                n(&cells, col("first")),
                n(&cells, col("first_low")),
                n(&cells, col("first_high")),
                n(&cells, col("total")),
                n(&cells, col("total_low")),
                n(&cells, col("total_high"))
            )
        } else {
            format!("{:>9}  {:>9}", n(&cells, col("mu_star")), n(&cells, col("sigma")))
        };
        out += &format!("  {factor:<48} {values}\n");
    }
    out
}
