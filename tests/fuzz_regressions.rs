//! Replays every input a fuzzer ever crashed on (`fuzz/regressions/TARGET/`)
//! and the fuzzers' seed corpus (`fuzz/seeds/TARGET/`) through the same
//! library functions the fuzz targets call, on stable Rust and in every
//! profile. A crash found by `cargo fuzz` is fixed and then kept here.

mod common;
use common::root;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("icg", icslint::fuzzing::icg),
    ("check_expr", icslint::fuzzing::check_expr),
    ("pack", icslint::fuzzing::pack),
    ("config", icslint::fuzzing::config),
    ("lsp_input", icslint::fuzzing::lsp_input),
];

#[test]
fn every_kept_fuzz_input_runs_without_a_panic() {
    let mut ran = 0;
    for (name, target) in TARGETS {
        for dir in ["regressions", "seeds"] {
            let d = root().join("fuzz").join(dir).join(name);
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files {
                let data = std::fs::read(&f).unwrap();
                // On a small stack, as an editor's worker thread would run it.
                let t = *target;
                let r = std::thread::Builder::new()
                    .stack_size(4 << 20)
                    .spawn(move || t(&data))
                    .unwrap()
                    .join();
                assert!(r.is_ok(), "{} panicked on {}", name, f.display());
                ran += 1;
            }
        }
    }
    assert!(ran > 50, "the seed corpus is missing ({ran} inputs)");
}
