#![no_main]
//! Fuzz target: see `icslint::fuzzing::icg`. Crashes go in
//! `fuzz/regressions/icg/`, which `tests/fuzz_regressions.rs` replays.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| icslint::fuzzing::icg(data));
