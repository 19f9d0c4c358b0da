#![no_main]
//! Fuzz target: see `icslint::fuzzing::check_expr`. Crashes go in
//! `fuzz/regressions/check_expr/`, which `tests/fuzz_regressions.rs` replays.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| icslint::fuzzing::check_expr(data));
