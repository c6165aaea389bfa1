//! One quarter, as the ordered phases of the spec (section 3).

use super::levers::{self, Lever, Running};
use super::part::Part;
use super::phases::{acs, decision, funding, implementation, learning, proposals, realise, stances, tally, votes};
use super::rng::{Keys, Phase, QuarterKey};
use super::state::{Counts, World};
use super::workspace::Workspace;
use crate::core::quarter::Quarter;

/// Advances the world one quarter, phases 1 to 10 and each footprint's
/// tally; `Replicate::step` adds the record (11).
pub(crate) fn step(
    w: &mut World,
    ws: &mut Workspace,
    levers_: &[Lever],
    running: &mut [Running],
    q: Quarter,
    keys: &Keys,
) {
    levers::apply(w, levers_, running, q); // 1
    // Footprints the national bodies designated are accountable care systems from now on, for good.
    for fp in &mut w.fps {
        fp.acs |= fp.gov.acs_designated;
    }
    funding::pay(w, &mut ws.order, q); // 2, over all footprints at once
    let keys = keys.prefix().quarter(q);
    // Phases 3 to 10 touch one footprint only, so runs of footprints may go
    // in parallel; each footprint draws from its own keyed streams.
    let (all, runs) = ws.parts(w);
    runs.for_each(all, &|part, f| footprint(part, f, q, &keys));
    w.national.first_quarter = false;
}

/// Phases 3 to 11 for footprint `f`.
fn footprint(w: &mut Part, f: usize, q: Quarter, keys: &QuarterKey) {
    w.fps[f].counts = Counts::default();
    let cell = keys.cell(f);
    let deficit = stances::decide(w, f, &mut cell.stream(Phase::Stances)); // 3
    proposals::raise(w, f, &mut cell.stream(Phase::Proposals)); // 4
    // Phases 5 to 7 work proposal by proposal: without one they draw nothing
    // and change nothing, so their streams need not be opened.
    if !w.proposals.is_empty() {
        votes::cast(w, f, &mut cell.stream(Phase::Votes)); // 5
        decision::decide(w, f, &mut cell.stream(Phase::Decision)); // 6
        implementation::implement(w, f, q, &mut cell.stream(Phase::Implementation)); // 7
    }
    realise::realise_and_drift(w, f, q); // 8
    learning::learn(w, f, &mut cell.stream(Phase::Learning)); // 9
    acs::evolve(w, f); // 10
    close_footprint(w, f);
    tally::tally(w, f, deficit); // 11, footprint by footprint while its data are in cache
}

/// End of the quarter: the reported balance, and this quarter's rates become
/// "last quarter" for the next.
fn close_footprint(w: &mut Part, f: usize) {
    let cost = w.p.collab_cost;
    let r = w.fps[f].members();
    let n = r.len();
    let (structural, support, collab) =
        (&w.structural.run(r.clone())[..n], &w.support.run(r.clone())[..n], &w.collab.run(r.clone())[..n]);
    let balance = &mut w.balance.run_mut(r)[..n];
    for j in 0..n {
        balance[j] = structural[j] + support[j] - if collab[j] { cost } else { 0.0 };
    }
    let fp = &mut w.fps[f];
    fp.prev_collab = fp.collab_rate;
    fp.prev_engagement = fp.engagement;
}
