//! Throughput of the model, in organisation-quarters per second:
//! (a) one England replicate, 2016Q1 to 2021Q1, on one thread;
//! (b) a 200-replicate England run on one thread and on all threads;
//! (c) synthetic systems of about 10^3 to 10^6 organisations, one replicate;
//! (e) one replicate with its footprints stepped in parallel runs, on one
//!     thread and on all threads (England, and synthetic 10^5 and 10^6).
//! Peak memory (d) is measured outside criterion: see docs/performance.md.
//!
//!     cargo bench --bench england

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use stpsim::model::rng::Keys;
use stpsim::runner::simulate;
use stpsim::{RunOptions, Scenario};

fn load(name: &str) -> Scenario {
    stpsim::scenario::load(name).expect("built-in scenario")
}

fn england(c: &mut Criterion) {
    let mut group = c.benchmark_group("a_england_replicate");
    for name in ["baseline", "history"] {
        let scenario = load(name);
        let structure = scenario.build_structure(2016);
        group.throughput(Throughput::Elements((structure.n_orgs() * scenario.quarters().len()) as u64));
        let mut rep = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                rep += 1;
                black_box(simulate(&scenario, &structure, &Keys { seed: 2016, replicate: rep }, false, 1))
            })
        });
    }
    group.finish();
}

fn threads(c: &mut Criterion) {
    let scenario = load("baseline");
    let orgs = scenario.build_structure(2016).n_orgs();
    let mut group = c.benchmark_group("b_england_200_replicates");
    group.sample_size(10);
    group.throughput(Throughput::Elements((orgs * scenario.quarters().len() * 200) as u64));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for t in [1, cores] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().expect("thread pool");
        let opts = RunOptions { replicates: 200, seed: 2016, footprint_replicates: 0 };
        group.bench_function(format!("{t}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(stpsim::run(std::slice::from_ref(&scenario), &opts))))
        });
    }
    group.finish();
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("c_synthetic_one_replicate");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    // About 16.2 organisations per synthetic footprint.
    for (label, footprints) in [("1e3", 62), ("1e4", 617), ("1e5", 6_170), ("1e6", 61_700)] {
        let scenario = synthetic(footprints);
        let structure = scenario.build_structure(1);
        group.throughput(Throughput::Elements((structure.n_orgs() * scenario.quarters().len()) as u64));
        group.bench_function(label, |b| {
            b.iter(|| black_box(simulate(&scenario, &structure, &Keys { seed: 1, replicate: 0 }, false, 1)))
        });
    }
    group.finish();
}

fn synthetic(footprints: usize) -> Scenario {
    let text = format!("name = \"s\"\n[structure]\nkind = \"synthetic\"\nfootprints = {footprints}\n");
    stpsim::scenario::load_text(&text, "bench.toml", None).expect("scenario")
}

fn within(c: &mut Criterion) {
    let mut group = c.benchmark_group("e_one_replicate_in_parallel_runs");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (label, scenario) in [("england", load("baseline")), ("1e5", synthetic(6_170)), ("1e6", synthetic(61_700))] {
        let structure = scenario.build_structure(1);
        group.throughput(Throughput::Elements((structure.n_orgs() * scenario.quarters().len()) as u64));
        for t in [1, cores] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().expect("thread pool");
            // What the runner asks for when one replicate has the pool to itself.
            let runs = pool.install(|| stpsim::runner::footprint_runs(1));
            group.bench_function(format!("{label}_{t}_threads"), |b| {
                b.iter(|| {
                    pool.install(|| {
                        black_box(simulate(&scenario, &structure, &Keys { seed: 1, replicate: 0 }, false, runs))
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, england, threads, scaling, within);
criterion_main!(benches);
