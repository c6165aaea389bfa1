//! One England replicate, 2016Q1 to 2021Q1 (baseline and history), reported
//! as organisation-quarters per second on one thread.
//!
//!     cargo bench --bench england

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use stpsim::model::rng::Keys;
use stpsim::runner::simulate;

fn england(c: &mut Criterion) {
    let mut group = c.benchmark_group("england_replicate");
    for name in ["baseline", "history"] {
        let scenario = stpsim::scenario::load(name).expect("built-in scenario");
        let structure = scenario.build_structure(2016);
        let org_quarters = (structure.n_orgs() * scenario.quarters().len()) as u64;
        group.throughput(Throughput::Elements(org_quarters));
        let mut rep = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                rep += 1;
                black_box(simulate(&scenario, &structure, &Keys { seed: 2016, replicate: rep }, false))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, england);
criterion_main!(benches);
