#![no_main]
//! Fuzz target: see `icslint::fuzzing::config`. Crashes go in
//! `fuzz/regressions/config/`, which `tests/fuzz_regressions.rs` replays.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| icslint::fuzzing::config(data));
