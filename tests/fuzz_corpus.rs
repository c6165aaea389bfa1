//! Replays every saved fuzz input (fuzz/corpus/) through the fuzz targets'
//! entry points: no input may panic.

fn replay(target: &str, run: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join("corpus").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{} panics", entry.path().display());
        n += 1;
    }
    assert!(n > 0, "no corpus for {target}");
}

#[test]
fn scenario_corpus_replays_without_panics() {
    replay("scenario", stpsim::fuzzing::scenario);
}

#[test]
fn structure_csv_corpus_replays_without_panics() {
    replay("structure_csv", stpsim::fuzzing::structure_csv);
}
