//! The command line: raw arguments (clap) and one module per command.

mod calibrate_cmd;
mod decide_cmd;
mod params_cmd;
pub mod run;
mod scenarios_cmd;
mod sweep_cmd;
mod validate;

pub use crate::emit::emit;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "stpsim",
    version,
    about = "Agent-based simulator of collaboration in England's sustainability and transformation partnerships",
    long_about = "stpsim models NHS trusts, CCGs and councils weighing their own priorities against their STP's, \
                  applies governance levers at chosen times, and reports how transformation and social care's \
                  priority evolve across many replicates.\n\nWith no command it runs the built-in baseline and \
                  history scenarios on England and writes outputs/default/."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios and write timeseries.csv, summary.csv and manifest.json.
    Run(RunArgs),
    /// Fit the model to published figures: a posterior (ABC-SMC), or beta0 and p_unsure0 (bracket).
    Calibrate(CalibrateArgs),
    /// Run a sweep plan: a design over factors, every point's replicates.
    Sweep(SweepArgs),
    /// Run a sobol or morris plan and report the sensitivity indices.
    Sensitivity(SweepArgs),
    /// Rank governance options over plausible worlds: probability best, regret, satisficing, PRIM, value of information.
    Decide(decide_cmd::DecideArgs),
    /// Combine the folders of sharded sweeps (or decisions) into the files one run writes.
    Merge {
        /// The shards' output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged results.
        #[arg(long, default_value = stpsim::core::defaults::MERGED_OUT)]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Redraw the charts and report of an earlier run or sweep from its files alone.
    Plot {
        /// The run's or sweep's output folder.
        dir: PathBuf,
        /// Fit share axes to the data instead of starting them at zero.
        #[arg(long)]
        zoom: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Check scenario files and print what each resolves to.
    Validate {
        /// Scenario files or built-in names.
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Print nothing but errors (the exit code says whether the files are valid).
        #[arg(long)]
        quiet: bool,
    },
    /// List the built-in scenarios with the question each answers.
    Scenarios {
        /// Run the whole library and print docs/scenarios.md.
        #[arg(long)]
        markdown: bool,
    },
    /// Open a local web page to change levers and parameters and watch the results form.
    Explore {
        /// Port on 127.0.0.1 (0: any free port; the address is printed).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Print the address only; do not open a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Print the parameter dictionary.
    Params {
        /// Print the Markdown table of docs/parameters.md.
        #[arg(long)]
        markdown: bool,
    },
    /// Print every lever kind with its fields, ranges and defaults.
    Levers {
        /// Print the Markdown table of docs/levers.md.
        #[arg(long)]
        markdown: bool,
    },
}

/// The options every verb that runs the model shares (run, sweep,
/// sensitivity, calibrate), flattened into each; [`CommonArgs::common`]
/// turns them into the library's request options. Defaults come from
/// `stpsim::core::defaults`, through the library's `resolve()`.
#[derive(Debug, clap::Args, Default, Clone)]
pub struct CommonArgs {
    /// Replicates per scenario, design point, particle, evaluation or world
    /// and option (default: the scenario's or plan's, else run 200, sweep 100,
    /// calibrate 2 per particle or 200 with --method bracket, decide 2).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=stpsim::core::defaults::MAX_REPLICATES as i64))]
    pub replicates: Option<u32>,
    /// Run seed (default: the scenario's or plan's, else 2016).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: outputs/NAME for a run of one scenario,
    /// outputs/A+B for `run A B`, outputs/all for --all, outputs/default for
    /// the main job, outputs/sweep-PLAN for a sweep, outputs/calibration,
    /// outputs/decide-PLAN for a decision).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=stpsim::core::defaults::MAX_THREADS as i64))]
    pub threads: Option<u16>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Write the results only, without charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Memory the job may plan to use, in GiB (default: STPSIM_MAX_MEMORY_GIB, else 8).
    #[arg(long, value_name = "GIB")]
    pub memory_limit: Option<f64>,
    /// Write into an output folder that holds other files than this command's
    /// (only stpsim's own files are replaced).
    #[arg(long)]
    pub force: bool,
}

impl CommonArgs {
    /// The library's common request options.
    pub fn common(&self) -> stpsim::api::Common {
        stpsim::api::Common {
            seed: self.seed,
            replicates: self.replicates,
            threads: self.threads.map(usize::from),
            out: self.out.clone(),
            no_charts: self.no_charts,
            memory_limit: self.memory_limit,
            force: self.force,
        }
    }
}

#[derive(Debug, clap::Args, Default)]
pub struct RunArgs {
    /// Scenario files or built-in names (default: baseline history).
    pub scenarios: Vec<String>,
    /// Run the whole built-in library together (shared random numbers), then any SCENARIOs given.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write footprints.csv with every footprint's metrics.
    #[arg(long)]
    pub per_footprint: bool,
    /// With --per-footprint: keep footprint rows for the first N replicates only (default: all).
    #[arg(long, value_name = "N", requires = "per_footprint", value_parser = clap::value_parser!(u32).range(1..))]
    pub footprint_replicates: Option<u32>,
    /// Fit share axes of fan charts to the data instead of starting them at zero.
    #[arg(long)]
    pub zoom: bool,
    /// The posterior replicates draw parameters from: `england` (built in, the
    /// default), `none` (the spec's defaults), or a posterior.csv from `stpsim
    /// calibrate`. Replicate r takes a draw chosen by weight, the same in every
    /// scenario, so intervals include parameter uncertainty; a parameter a
    /// scenario sets in [params] is held at its value.
    #[arg(long, value_name = "england|none|FILE")]
    pub posterior: Option<PathBuf>,
    /// Also write timeseries.parquet (typed columns; needs a build with `--features parquet`).
    #[arg(long)]
    pub parquet: bool,
}

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// With --method bracket: the scenario file or built-in name to fit (default: baseline).
    pub scenario: Option<String>,
    /// abc: a posterior over the targets file's parameters (ABC-SMC);
    /// bracket: beta0 and p_unsure0 fitted to two --target figures.
    #[arg(long, value_enum, default_value_t = Method::Abc)]
    pub method: Method,
    /// Targets file (abc; default: the built-in England targets, data/targets.toml).
    #[arg(long)]
    pub targets: Option<PathBuf>,
    // Each method's own options are none unless given, so calibrate can
    // refuse one the method would ignore; their help states the default.
    #[arg(long = "target", help = format!(
        "With --method bracket: metric@quarter=value; repeat for several (default: {})",
        stpsim::api::calibrate::BRACKET_TARGETS.join(" ")))]
    pub target: Vec<String>,
    #[arg(long, help = format!("Particles (abc; default {})", stpsim::api::calibrate::PARTICLES),
          value_parser = clap::value_parser!(u32).range(stpsim::api::calibrate::PARTICLES_RANGE.0 as i64..=stpsim::api::calibrate::PARTICLES_RANGE.1 as i64))]
    pub particles: Option<u32>,
    #[arg(long, help = format!(
        "Share of the effective sample size each generation keeps as the tolerance falls (abc; default {})",
        stpsim::api::calibrate::ALPHA))]
    pub alpha: Option<f64>,
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000), help = format!(
        "Most ABC-MCMC moves of every particle per generation (abc; default {}); each generation makes enough \
         that a particle stays put with chance 1/2 at the last acceptance rate (Drovandi and Pettitt 2011), up to \
         this many", stpsim::api::calibrate::MOVES))]
    pub moves: Option<u32>,
    /// Final rejuvenation (abc): once the tolerance stops falling, keep moving
    /// every particle until this many distinct parameter vectors (0: none;
    /// default 1100, or 70% of fewer than 1572 particles) ...
    #[arg(long)]
    pub min_distinct: Option<u32>,
    #[arg(long, help = format!(
        "... or this many rejuvenation moves have run (abc; default {})", stpsim::api::calibrate::MAX_REJUVENATION))]
    pub max_rejuvenation: Option<u32>,
    #[arg(long, help = format!(
        "Stop once the tolerance, a root mean square of the targets' standardised errors, reaches this (abc; default {})",
        stpsim::api::calibrate::FINAL_TOLERANCE))]
    pub final_tolerance: Option<f64>,
    #[arg(long, help = format!(
        "With --method bracket: how close each replicate mean must come to its target (default {})",
        stpsim::api::calibrate::TOLERANCE))]
    pub tolerance: Option<f64>,
    /// Continue an interrupted calibration in --out from its last finished generation (abc).
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    Abc,
    Bracket,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The plan file (TOML).
    pub plan: PathBuf,
    /// Finish an interrupted sweep in the same folder, repeating no finished point.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (0-based): every n-th design point from i.
    /// Defaults from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT when set.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// The posterior replicates draw the parameters no factor sets from:
    /// `england` (built in, the default), `none` (the spec's defaults), or a
    /// posterior.csv. Replicate r takes the same draw at every design point;
    /// a factor, and a parameter the base scenario sets, is held at its value.
    #[arg(long, value_name = "england|none|FILE")]
    pub posterior: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Also write sweep.parquet (typed columns; needs a build with `--features parquet`).
    #[arg(long)]
    pub parquet: bool,
}

/// A mistake in what the user asked for (exit code 2), beside scenario errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => run::main_job(),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Calibrate(args)) => calibrate_cmd::calibrate(args),
        Some(Command::Sweep(args)) => sweep_cmd::sweep(args, false),
        Some(Command::Sensitivity(args)) => sweep_cmd::sweep(args, true),
        Some(Command::Decide(args)) => decide_cmd::decide(args),
        Some(Command::Merge { dirs, out, quiet })
            if dirs.first().is_some_and(|d| stpsim::api::decide::is_decision(d)) =>
        {
            decide_cmd::merge(&dirs, &out, quiet)
        }
        Some(Command::Merge { dirs, out, quiet }) => sweep_cmd::merge(&dirs, &out, quiet),
        Some(Command::Plot { dir, quiet, .. }) if stpsim::api::decide::is_decision(&dir) => {
            decide_cmd::plot(&dir, quiet)
        }
        Some(Command::Plot { dir, zoom, quiet }) => run::plot(&dir, quiet, zoom).map(|_| ()),
        Some(Command::Validate { scenarios, quiet }) => validate::validate(&scenarios, quiet),
        Some(Command::Scenarios { markdown: false }) => scenarios_cmd::list(),
        Some(Command::Scenarios { markdown: true }) => scenarios_cmd::markdown(),
        Some(Command::Params { markdown }) => params_cmd::print(markdown),
        Some(Command::Explore { port, no_browser }) => crate::explore::serve(port, !no_browser),
        Some(Command::Levers { markdown: false }) => emit(&stpsim::model::levers::table()),
        Some(Command::Levers { markdown: true }) => emit(&stpsim::model::levers::markdown()),
    }
}
