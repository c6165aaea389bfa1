//! Any bytes as a structure CSV: an organisation list or a row error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    stpsim::fuzzing::structure_csv(data);
});
