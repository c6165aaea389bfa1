//! One England replicate of `baseline`, 2016Q1 to 2021Q1, on one thread,
//! nothing written: the workload of the instruction-count gate in `.ci/run`
//! (`valgrind --tool=callgrind`, whose count does not depend on how busy the
//! machine is). Prints England's transformation index at the end, so the
//! work cannot be optimised away.
//!
//!     cargo build --release --example england_replicate
//!     valgrind --tool=callgrind target/release/examples/england_replicate

use stpsim::model::Metric;
use stpsim::model::rng::Keys;
use stpsim::runner::simulate;

fn main() {
    let scenario = stpsim::scenario::load("baseline").expect("built-in scenario");
    let structure = scenario.build_structure(2016);
    let (england, _) = simulate(&scenario, &structure, &Keys { seed: 2016, replicate: 0 }, false, 1);
    let last = &england[england.len() - Metric::ALL.len()..];
    println!("transformation_index {}", last[Metric::TransformationIndex as usize]);
}
