#![no_main]
//! Fuzz target: see `icslint::fuzzing::pack`. Crashes go in
//! `fuzz/regressions/pack/`, which `tests/fuzz_regressions.rs` replays.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| icslint::fuzzing::pack(data));
