#![no_main]
//! Fuzz target: see `icslint::fuzzing::lsp_input`. Crashes go in
//! `fuzz/regressions/lsp_input/`, which `tests/fuzz_regressions.rs` replays.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| icslint::fuzzing::lsp_input(data));
