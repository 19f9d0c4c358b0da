//! Throughput of parse + model, of a full check and of fmt, on a generated
//! workspace: N copies of examples/riverbend with their IDs renamed.
//!
//!     cargo bench --bench throughput            # 200 systems
//!     cargo bench --bench throughput -- 1000    # 1000 systems
//!
//! Prints MB/s; timings are the best of several runs.

use icslint::config::Config;
use icslint::engine::{Engine, Options};
use icslint::workspace::Workspace;
use std::time::{Duration, Instant};

mod corpus;
use corpus::corpus;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.unwrap())
}

fn main() {
    let systems: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let files = corpus(systems);
    let texts: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "workspace: {systems} systems, {} files, {:.2} MB",
        files.len(),
        mb
    );

    let (parse, errors) = best(10, || {
        texts
            .iter()
            .map(|(_, t)| icslint::syntax::parse(t).errors.len())
            .sum::<usize>()
    });
    assert_eq!(errors, 0);
    println!(
        "parse:                  {:>8.1} ms  {:>7.1} MB/s",
        parse.as_secs_f64() * 1e3,
        mb / parse.as_secs_f64()
    );
    let (load, ws) = best(10, || {
        Workspace::from_texts(
            &texts,
            Config {
                packs: Some(vec![]),
                ..Config::default()
            },
        )
    });
    assert!(
        ws.findings.is_empty(),
        "the generated workspace is valid ICG"
    );
    println!(
        "parse + model:          {:>8.1} ms  {:>7.1} MB/s  ({} blocks)",
        load.as_secs_f64() * 1e3,
        mb / load.as_secs_f64(),
        ws.model.blocks.len()
    );

    // Compiling the packs (a Workspace reuses a per-process compiled copy).
    let (packs, _) = best(10, || {
        icslint::rules::pack::BUILTIN_PACKS
            .iter()
            .map(|(_, text)| {
                icslint::rules::load_pack(text, icslint::source::FileId(0), true)
                    .0
                    .map_or(0, |p| p.rules.len())
            })
            .sum::<usize>()
    });
    println!(
        "compile the built-in packs: {:>6.1} ms",
        packs.as_secs_f64() * 1e3
    );

    let (check, findings) = best(7, || {
        let ws = Workspace::from_texts(&texts, Config::default());
        let engine = Engine::new(&ws, Options::default());
        engine.run().len()
    });
    println!(
        "full check (61 rules):  {:>8.1} ms  {:>7.1} MB/s  ({findings} findings)",
        check.as_secs_f64() * 1e3,
        mb / check.as_secs_f64()
    );

    // fmt: parse, lay out, and re-parse the result to verify it.
    let (fmt, changed) = best(5, || {
        texts
            .iter()
            .filter(|(_, t)| icslint::fmt::format(t).map_or(true, |f| f != *t))
            .count()
    });
    println!(
        "fmt (with its re-parse):{:>8.1} ms  {:>7.1} MB/s  ({changed} files changed)",
        fmt.as_secs_f64() * 1e3,
        mb / fmt.as_secs_f64()
    );
}
