//! Each phase of one England quarter (2018Q1 of a `baseline` replicate, all
//! 42 footprints), and the whole quarter, in organisation-quarters per
//! second: where a quarter's time goes, phase by phase. Phases run again and
//! again on the same world, so its state drifts between iterations; that
//! changes the work of a phase little, and the cost is what is measured.
//!
//!     cargo bench --bench phases

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use stpsim::model::init::Setup;
use stpsim::model::part::Part;
use stpsim::model::phases::{decision, funding, implementation, learning, proposals, realise, stances, tally, votes};
use stpsim::model::rng::{Keys, Phase};
use stpsim::model::{Replicate, Workspace};

fn phases(c: &mut Criterion) {
    let scenario = stpsim::scenario::load("baseline").expect("built-in scenario");
    let structure = scenario.build_structure(2016);
    let setup = Setup { params: &scenario.params, levers: &scenario.levers, ready: &scenario.ready_index };
    let keys = Keys { seed: 2016, replicate: 0 };
    let mut rep = Replicate::new(&structure, setup, keys);
    let quarters = scenario.quarters();
    for &q in &quarters[..8] {
        rep.step(q);
    }
    let q = quarters[8];
    let mut group = c.benchmark_group("phases_england_quarter");
    group.throughput(Throughput::Elements(structure.n_orgs() as u64));
    group.bench_function("whole_quarter", |b| b.iter(|| black_box(rep.step(q)[0])));
    let mut w = rep.world.clone();
    let mut ws = Workspace::new(&w);
    let nf = w.fps.len();
    let prefix = keys.prefix();
    group.bench_function("2_funding", |b| b.iter(|| funding::pay(&mut w, &mut ws.order, q)));
    macro_rules! per_footprint {
        ($name:expr, |$part:ident, $f:ident| $body:expr) => {
            group.bench_function($name, |b| {
                b.iter(|| {
                    let mut $part = Part::new(&mut w, &mut ws.proposals, &mut ws.tallies, &mut ws.kept);
                    for $f in 0..nf {
                        black_box($body);
                    }
                })
            });
        };
    }
    per_footprint!("3_stances", |part, f| stances::decide(&mut part, f, &mut prefix.cell(q, f).stream(Phase::Stances)));
    per_footprint!("4_proposals", |part, f| proposals::raise(
        &mut part,
        f,
        &mut prefix.cell(q, f).stream(Phase::Proposals)
    ));
    per_footprint!("4_5_proposals_and_votes", |part, f| {
        let cell = prefix.cell(q, f);
        proposals::raise(&mut part, f, &mut cell.stream(Phase::Proposals));
        votes::cast(&mut part, f, &mut cell.stream(Phase::Votes));
    });
    per_footprint!("4_to_7_proposals_votes_decision_implementation", |part, f| {
        let cell = prefix.cell(q, f);
        proposals::raise(&mut part, f, &mut cell.stream(Phase::Proposals));
        votes::cast(&mut part, f, &mut cell.stream(Phase::Votes));
        decision::decide(&mut part, f, &mut cell.stream(Phase::Decision));
        implementation::implement(&mut part, f, q, &mut cell.stream(Phase::Implementation));
    });
    per_footprint!("8_realise_and_drift", |part, f| realise::realise_and_drift(&mut part, f, q));
    per_footprint!("9_learning", |part, f| learning::learn(
        &mut part,
        f,
        &mut prefix.cell(q, f).stream(Phase::Learning)
    ));
    per_footprint!("11_tally", |part, f| tally::tally(&mut part, f, (1.0, 0.0)));
    group.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
