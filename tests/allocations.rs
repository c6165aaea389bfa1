//! The quarter loop allocates nothing once a replicate is set up (lever
//! starts aside, which save what they replace), and model state stays within
//! 256 bytes per organisation. A counting allocator wraps the system one in
//! this test binary only.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use stpsim::model::Replicate;
use stpsim::model::init::Setup;
use stpsim::model::rng::Keys;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by each quarter's step of one replicate, its footprints
/// stepped in `runs` parallel runs.
fn allocations_per_quarter(name: &str, runs: usize) -> Vec<(String, usize)> {
    let s = stpsim::scenario::load(name).unwrap();
    let st = s.build_structure(1);
    let keys = Keys { seed: 1, replicate: 0 };
    let mut rep = Replicate::new(&st, Setup { params: &s.params, levers: &s.levers, ready: &s.ready_index }, keys);
    rep.split_into(runs);
    let mut out = Vec::with_capacity(s.quarters().len());
    for q in s.quarters() {
        ALLOCATIONS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        rep.step(q);
        COUNTING.store(false, Ordering::SeqCst);
        out.push((q.to_string(), ALLOCATIONS.load(Ordering::SeqCst)));
    }
    out
}

#[test]
fn the_quarter_loop_does_not_allocate() {
    // One test function, so no other test allocates while counting is on.
    let baseline = allocations_per_quarter("baseline", 1);
    assert!(baseline.iter().all(|(_, n)| *n == 0), "baseline allocates: {baseline:?}");
    // Footprints in parallel runs: the runs' proposal lists are made at set-up.
    // The pool's threads must have started before counting, as starting a
    // thread allocates (the counter is global).
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    pool.broadcast(|_| ());
    let parallel = pool.install(|| allocations_per_quarter("baseline", 8));
    assert!(parallel.iter().all(|(_, n)| *n == 0), "baseline in parallel runs allocates: {parallel:?}");
    // In history, only the quarters in which levers start may allocate (they save what they replace).
    let starts = ["2017Q2", "2017Q3", "2018Q2", "2019Q2", "2020Q2"];
    for (q, n) in allocations_per_quarter("history", 1) {
        if !starts.contains(&q.as_str()) {
            assert_eq!(n, 0, "history allocates in {q}");
        }
    }

    for name in ["baseline", "synthetic-large"] {
        let s = stpsim::scenario::load(name).unwrap();
        let st = s.build_structure(1);
        let rep = Replicate::new(
            &st,
            Setup { params: &s.params, levers: &s.levers, ready: &s.ready_index },
            Keys { seed: 1, replicate: 0 },
        );
        let w = &rep.world;
        assert_eq!(rep.bytes(), Replicate::bytes_for(w.n_orgs(), w.fps.len()), "{name}: the estimate is the state");
        let per_org = rep.bytes() as f64 / w.n_orgs() as f64;
        println!("{name}: {per_org:.0} bytes of state per organisation");
        assert!(per_org <= 256.0, "{name}: {per_org:.0} bytes of state per organisation");
    }
}
