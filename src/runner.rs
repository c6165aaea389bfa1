//! Scenarios x replicates in parallel. Every replicate draws from streams
//! keyed by (seed, replicate, ...), so all scenarios share random numbers and
//! the results do not depend on the number of threads. Results are collected
//! in a fixed order.

use crate::core::params::Params;
use crate::core::posterior::Posterior;
use crate::model::Replicate;
use crate::model::init::Setup;
use crate::model::metrics::N_METRICS;
use crate::model::rng::Keys;
use crate::results::{Results, ScenarioResult};
use crate::scenario::Scenario;
use crate::structure::Structure;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How many replicates, which seed, how many footprint rows (declared with the defaults).
pub use crate::core::defaults::RunOptions;
pub const DEFAULT_REPLICATES: u32 = crate::core::defaults::REPLICATES;
pub const DEFAULT_SEED: u64 = crate::core::defaults::SEED;

/// Worker threads: as asked, or one per core.
pub use crate::core::defaults::threads;

/// How many runs of footprints each replicate should step in parallel when
/// `jobs` replicates share the current pool: one (in sequence) when there are
/// replicates enough to keep every thread busy, otherwise a few per thread so
/// that uneven runs balance. Results are the same either way.
pub fn footprint_runs(jobs: usize) -> usize {
    let threads = rayon::current_num_threads();
    if jobs < threads { 4 * threads } else { 1 }
}

/// One replicate's metrics: England rows `[quarter][metric]`, and if asked,
/// footprint rows `[quarter][footprint][metric]`. Footprints are stepped in
/// `runs` parallel runs (see `footprint_runs`).
pub fn simulate(
    scenario: &Scenario,
    structure: &Structure,
    keys: &Keys,
    per_footprint: bool,
    runs: usize,
) -> (Vec<f64>, Option<Vec<f64>>) {
    simulate_with(scenario, &scenario.params, structure, keys, per_footprint, runs)
}

/// As `simulate`, with the scenario's parameters replaced by `params`.
pub fn simulate_with(
    scenario: &Scenario,
    params: &Params,
    structure: &Structure,
    keys: &Keys,
    per_footprint: bool,
    runs: usize,
) -> (Vec<f64>, Option<Vec<f64>>) {
    let setup = Setup { params, levers: &scenario.levers, ready: &scenario.ready_index };
    let mut rep = Replicate::new(structure, setup, *keys);
    rep.split_into(runs);
    let quarters = scenario.quarters();
    let nf = rep.world.fps.len();
    let mut england = vec![0.0; quarters.len() * N_METRICS];
    let mut footprints = per_footprint.then(|| vec![0.0; quarters.len() * nf * N_METRICS]);
    for (k, &q) in quarters.iter().enumerate() {
        let fp_rows = footprints.as_mut().map(|v| &mut v[k * nf * N_METRICS..(k + 1) * nf * N_METRICS]);
        england[k * N_METRICS..(k + 1) * N_METRICS].copy_from_slice(rep.step_into(q, fp_rows));
    }
    (england, footprints)
}

/// Runs every scenario for every replicate on the current rayon pool.
pub fn run(scenarios: &[Scenario], opts: &RunOptions) -> Results {
    let never = AtomicBool::new(false);
    run_batched(scenarios, opts, opts.replicates, &never, |_| {})
        .unwrap_or_else(|| unreachable!("a run that is never cancelled finishes"))
}

/// As `run`; with a posterior, replicate r of every scenario takes the same
/// draw (`Posterior::draw_for`), so intervals carry parameter uncertainty and
/// differences between scenarios stay paired. A parameter a scenario sets
/// itself is held at its value (`scenario::posterior::held`).
pub fn run_over(scenarios: &[Scenario], opts: &RunOptions, posterior: Option<&Posterior>) -> Results {
    let never = AtomicBool::new(false);
    run_batched_over(scenarios, opts, posterior, opts.replicates, &never, |_| {})
        .unwrap_or_else(|| unreachable!("a run that is never cancelled finishes"))
}

/// Runs replicates in batches of `batch` (0, 1, ... in order), every scenario
/// of a batch in parallel, and calls `on_batch` with the results so far after
/// each. Replicates are keyed, so the final results equal [`run`]'s and the
/// first n replicates are those of a run with n. Returns None, between
/// batches, once `cancel` is set.
pub fn run_batched(
    scenarios: &[Scenario],
    opts: &RunOptions,
    batch: u32,
    cancel: &AtomicBool,
    on_batch: impl FnMut(&Results),
) -> Option<Results> {
    run_batched_over(scenarios, opts, None, batch, cancel, on_batch)
}

/// `run_batched`, over a posterior if given (see `run_over`).
pub fn run_batched_over(
    scenarios: &[Scenario],
    opts: &RunOptions,
    posterior: Option<&Posterior>,
    batch: u32,
    cancel: &AtomicBool,
    mut on_batch: impl FnMut(&Results),
) -> Option<Results> {
    let structures: Vec<Structure> = scenarios.iter().map(|s| s.build_structure(opts.seed)).collect();
    let reps = opts.replicates as usize;
    let mut results = empty_results(scenarios, &structures, opts);
    let batch = (batch as usize).max(1);
    let mut done = 0;
    while done < reps {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let n = batch.min(reps - done);
        let fp_runs = footprint_runs(scenarios.len() * n);
        let runs: Vec<(Vec<f64>, Option<Vec<f64>>)> = (0..scenarios.len() * n)
            .into_par_iter()
            .map(|k| replicate(scenarios, &structures, opts, posterior, k / n, done + k % n, fp_runs))
            .collect();
        let mut runs = runs.into_iter();
        for sr in &mut results.scenarios {
            for (e, f) in runs.by_ref().take(n) {
                sr.values.extend(e);
                if let (Some(all), Some(f)) = (sr.footprint_values.as_mut(), f) {
                    all.extend(f);
                }
            }
            sr.replicates = done + n;
            sr.footprint_replicates = sr.replicates.min(opts.footprint_replicates as usize);
        }
        done += n;
        on_batch(&results);
    }
    Some(results)
}

/// What a streamed run hands on, declared with the results it writes.
pub use crate::results::stream::{Finished, Sink};

/// As [`run_over`], with `sink` called on each replicate as soon as it and
/// every replicate before it in the tidy table's order are done, on a
/// thread of its own beside the pool: a writer can format and write rows
/// while later replicates run. The pool's threads take (scenario,
/// replicate) pairs in that order, one at a time, so few finished ones wait
/// for an earlier one. Replicates are keyed, so the results equal
/// `run_over`'s on any thread count. `simulated` is called once the last
/// replicate is done (its rows perhaps not yet handed over).
pub fn run_streamed<S: Sink, T>(
    scenarios: &[Scenario],
    opts: &RunOptions,
    posterior: Option<&Posterior>,
    mut sink: S,
    simulated: impl FnOnce() -> T,
) -> (Results, S, T) {
    let structures: Vec<Structure> = scenarios.iter().map(|s| s.build_structure(opts.seed)).collect();
    let reps = opts.replicates as usize;
    let total = scenarios.len() * reps;
    let fp_runs = footprint_runs(total);
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, (Vec<f64>, Option<Vec<f64>>))>();
    let mut results = empty_results(scenarios, &structures, opts);
    let sink = std::thread::scope(|threads| {
        let results = &mut results;
        // Puts replicates in order as they arrive and hands each to the sink.
        let collector = threads.spawn(move || {
            let mut waiting = std::collections::BTreeMap::new();
            let mut expected = 0;
            for (k, run) in rx {
                waiting.insert(k, run);
                while let Some((e, f)) = waiting.remove(&expected) {
                    let (s, r) = (expected / reps, expected % reps);
                    let sr = &mut results.scenarios[s];
                    let (e0, f0) = (sr.values.len(), sr.footprint_values.as_ref().map_or(0, Vec::len));
                    sr.values.extend(e);
                    let kept = match (sr.footprint_values.as_mut(), f) {
                        (Some(all), Some(f)) => {
                            all.extend(f);
                            true
                        }
                        _ => false,
                    };
                    sr.replicates = r + 1;
                    sr.footprint_replicates = sr.replicates.min(opts.footprint_replicates as usize);
                    let sr = &results.scenarios[s];
                    sink.replicate(&Finished {
                        scenario: s,
                        result: sr,
                        replicate: r,
                        values: &sr.values[e0..],
                        footprint_values: kept.then(|| &sr.footprint_values.as_ref().expect("kept")[f0..]),
                    });
                    expected += 1;
                }
            }
            sink.end();
            sink
        });
        rayon::scope(|pool| {
            for _ in 0..rayon::current_num_threads().min(total) {
                let tx = tx.clone();
                let (next, structures) = (&next, &structures);
                pool.spawn(move |_| {
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= total {
                            break;
                        }
                        let run = replicate(scenarios, structures, opts, posterior, k / reps, k % reps, fp_runs);
                        if tx.send((k, run)).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let simulated = simulated();
        drop(tx);
        (collector.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), simulated)
    });
    (results, sink.0, sink.1)
}

/// A scenario's results before any replicate has run.
fn empty_results(scenarios: &[Scenario], structures: &[Structure], opts: &RunOptions) -> Results {
    Results {
        scenarios: scenarios
            .iter()
            .zip(structures)
            .map(|(s, st)| ScenarioResult {
                name: s.name.clone(),
                quarters: s.quarters(),
                footprints: st.footprints.iter().map(|f| f.name.clone()).collect(),
                replicates: 0,
                footprint_replicates: 0,
                values: Vec::new(),
                footprint_values: (opts.footprint_replicates > 0).then(Vec::new),
            })
            .collect(),
    }
}

/// Replicate `r` of scenario `s`, over the posterior's draw for it if any.
fn replicate(
    scenarios: &[Scenario],
    structures: &[Structure],
    opts: &RunOptions,
    posterior: Option<&Posterior>,
    s: usize,
    r: usize,
    fp_runs: usize,
) -> (Vec<f64>, Option<Vec<f64>>) {
    let keys = Keys { seed: opts.seed, replicate: r as u64 };
    let sc = &scenarios[s];
    let drawn = posterior.map(|p| {
        let held = crate::scenario::posterior::held(p, sc);
        p.apply_holding(&sc.params, p.draw_for(opts.seed, r as u64), &held)
    });
    let params = drawn.as_ref().unwrap_or(&sc.params);
    simulate_with(sc, params, &structures[s], &keys, (r as u32) < opts.footprint_replicates, fp_runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_give_the_same_results_as_one_run_and_stop_when_cancelled() {
        let s = [crate::scenario::load("baseline").unwrap(), crate::scenario::load("history").unwrap()];
        let opts = RunOptions { replicates: 7, seed: 11, footprint_replicates: 2 };
        let whole = run(&s, &opts);
        let mut seen = Vec::new();
        let never = AtomicBool::new(false);
        let batched = run_batched(&s, &opts, 3, &never, |r| seen.push(r.scenarios[1].replicates)).unwrap();
        assert_eq!(batched, whole);
        assert_eq!(seen, [3, 6, 7]);

        // The first batch is a run of its own size.
        let cancel = AtomicBool::new(false);
        let mut first = None;
        let stopped = run_batched(&s, &opts, 3, &cancel, |r| {
            first.get_or_insert_with(|| r.clone());
            cancel.store(true, Ordering::Relaxed);
        });
        assert!(stopped.is_none());
        assert_eq!(first.unwrap(), run(&s, &RunOptions { replicates: 3, ..opts }));
    }

    /// Records what a streaming run hands over, in order.
    #[derive(Default)]
    struct Seen {
        order: Vec<(usize, usize, bool)>,
        values: Vec<f64>,
        ended: bool,
    }

    impl Sink for Seen {
        fn replicate(&mut self, d: &Finished) {
            assert!(!self.ended);
            self.order.push((d.scenario, d.replicate, d.footprint_values.is_some()));
            self.values.extend_from_slice(d.values);
        }
        fn end(&mut self) {
            self.ended = true;
        }
    }

    #[test]
    fn a_streamed_run_equals_a_run_and_hands_over_replicates_in_table_order() {
        let s = [crate::scenario::load("baseline").unwrap(), crate::scenario::load("history").unwrap()];
        let opts = RunOptions { replicates: 5, seed: 3, footprint_replicates: 2 };
        let whole = run(&s, &opts);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (streamed, seen, ()) = pool.install(|| run_streamed(&s, &opts, None, Seen::default(), || ()));
            assert_eq!(streamed, whole, "{threads} threads");
            assert!(seen.ended);
            let expected: Vec<(usize, usize, bool)> =
                (0..2).flat_map(|sc| (0..5).map(move |r| (sc, r, r < 2))).collect();
            assert_eq!(seen.order, expected);
            let all: Vec<f64> = whole.scenarios.iter().flat_map(|sc| sc.values.iter().copied()).collect();
            assert_eq!(seen.values, all);
        }
        // Fewer replicates than threads: footprints run in parallel inside each.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let one = RunOptions { replicates: 1, ..opts };
        assert_eq!(pool.install(|| run_streamed(&s, &one, None, Seen::default(), || ())).0, run(&s, &one));
    }
}
