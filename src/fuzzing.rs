//! Entry points shared by the fuzz targets (`fuzz/`) and the test that
//! replays their corpora, so CI checks every saved input on stable Rust.

use crate::core::quarter::Quarter;

/// Parses and validates a scenario; a valid one is run for one replicate of
/// at most eight quarters on a structure no larger than England's.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut s) = crate::scenario::load_text(text, "fuzz.toml", None) else { return };
    if let crate::scenario::StructureSpec::Synthetic { footprints } = s.structure {
        if footprints > 60 {
            return;
        }
    }
    if let Some(last) = Quarter::new(s.start.year(), s.start.q()).map(|q| q.offset(7)) {
        if s.end > last {
            s.end = last;
        }
    }
    s.levers.retain(|l| l.start <= s.end);
    let opts = crate::runner::RunOptions { replicates: 1, seed: 1, footprint_replicates: 1 };
    let results = crate::runner::run(std::slice::from_ref(&s), &opts);
    for r in results.rows() {
        assert!(r.value.is_finite(), "{} is not finite", r.metric.name());
    }
}

/// Parses a structure CSV and, if valid, builds the structure.
pub fn structure_csv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(rows) = crate::structure::parse_structure_csv(text) {
        let s = crate::structure::from_file(&rows, &crate::core::params::Params::default());
        assert_eq!(s.n_orgs(), rows.len());
    }
}
