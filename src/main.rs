//! stpsim's binary: parse the arguments, run the command, map errors to exit
//! codes: 0 success, 1 a failure while running, 2 bad input.

mod cli;
mod emit;
mod explore;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad_input =
                e.downcast_ref::<stpsim::ScenarioError>().is_some() || e.downcast_ref::<cli::UsageError>().is_some();
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}
