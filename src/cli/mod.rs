//! The command line: raw arguments (clap) and one module per command.

mod params_cmd;
pub mod run;
mod scenarios_cmd;
mod validate;

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
    /// Redraw the charts and report of an earlier run from its files alone.
    Plot {
        /// The run's output folder.
        dir: PathBuf,
    },
    /// Check scenario files and print what each resolves to.
    Validate {
        /// Scenario files or built-in names.
        #[arg(required = true)]
        scenarios: Vec<String>,
    },
    /// List the built-in scenarios.
    Scenarios,
    /// Print the parameter dictionary.
    Params {
        /// Print the Markdown table of docs/parameters.md.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Debug, clap::Args, Default)]
pub struct RunArgs {
    /// Scenario files or built-in names (default: baseline history).
    pub scenarios: Vec<String>,
    /// Replicates per scenario (default: the first scenario's, or 200).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replicates: Option<u32>,
    /// Run seed (default: the first scenario's, or 2016).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: outputs/NAME, or outputs/default for the main job).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Also write footprints.csv with every footprint's metrics.
    #[arg(long)]
    pub per_footprint: bool,
    /// With --per-footprint: keep footprint rows for the first N replicates only (default: all).
    #[arg(long, value_name = "N", requires = "per_footprint", value_parser = clap::value_parser!(u32).range(1..))]
    pub footprint_replicates: Option<u32>,
    /// Print nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Write the results only, without charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
}

/// Writes to standard output. A reader that closed the pipe early
/// (`stpsim params | head`) has all it wanted, so that is not an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A mistake in what the user asked for (exit code 2), beside scenario errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => run::main_job(),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Plot { dir }) => run::plot(&dir, false).map(|_| ()),
        Some(Command::Validate { scenarios }) => validate::validate(&scenarios),
        Some(Command::Scenarios) => scenarios_cmd::list(),
        Some(Command::Params { markdown }) => params_cmd::print(markdown),
    }
}
