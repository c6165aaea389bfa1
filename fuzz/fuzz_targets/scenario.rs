//! Any text as a scenario file: parsing and validation must return a value or
//! an error, never panic; a valid scenario must also run a short replicate.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    stpsim::fuzzing::scenario(data);
});
