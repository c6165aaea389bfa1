//! The quarter loop allocates nothing once a replicate is set up (lever
//! starts aside, which save what they replace), and model state stays within
//! 256 bytes per organisation. A counting allocator wraps the system one in
//! this test binary only.
//!
//! Only the threads that step the model count: the test's own thread and
//! the pool's workers. The test harness's thread allocates when it warns
//! that a test has run for over 60 seconds (as it can on a loaded machine),
//! and that is not the model's doing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use stpsim::model::Replicate;
use stpsim::model::init::Setup;
use stpsim::model::rng::Keys;

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // A const initialiser and no destructor: reading it never allocates.
    static STEPS_THE_MODEL: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    COUNTING.load(Ordering::Relaxed) && STEPS_THE_MODEL.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        if counted() {
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

/// Allocations counted while `f` runs.
fn count(f: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn the_quarter_loop_does_not_allocate() {
    // One test function, so no other test allocates while counting is on.
    STEPS_THE_MODEL.with(|c| c.set(true));
    let baseline = allocations_per_quarter("baseline", 1);
    assert!(baseline.iter().all(|(_, n)| *n == 0), "baseline allocates: {baseline:?}");
    // Footprints in parallel runs: the runs' proposal lists are made at set-up.
    // The pool's threads must have started before counting, as starting a
    // thread allocates (the counter is global).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .start_handler(|_| STEPS_THE_MODEL.with(|c| c.set(true)))
        .build()
        .unwrap();
    pool.broadcast(|_| ());
    // The counter sees the test's thread and the pool's workers.
    assert_eq!(count(|| drop(std::hint::black_box(vec![1u8; 8]))), 1);
    assert_eq!(pool.install(|| count(|| drop(std::hint::black_box(vec![1u8; 8])))), 1, "a worker's allocation counts");
    // ... and not a thread outside the model, such as the harness's.
    let meet = std::sync::Arc::new(std::sync::Barrier::new(2));
    let other = std::thread::spawn({
        let meet = meet.clone();
        move || {
            meet.wait();
            drop(std::hint::black_box(vec![1u8; 8]));
            meet.wait();
        }
    });
    assert_eq!(
        count(|| {
            meet.wait();
            meet.wait();
        }),
        0,
        "another thread's allocation does not count"
    );
    other.join().unwrap();
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
