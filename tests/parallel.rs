//! Rules run on every core, and the number of threads is not an input:
//! one worker and several give byte for byte the same report, on the
//! shared examples, every fixture and a generated national workspace
//! (where the engine would otherwise pick its threads by itself).

mod common;
use common::*;
use icslint::config::Config;
use icslint::engine::{Engine, Options};
use icslint::syntax::Date;
use icslint::workspace::Workspace;
use std::path::PathBuf;

#[path = "../benches/corpus/mod.rs"]
mod corpus;

fn options() -> Options {
    Options {
        // A fixed day: explanations' reviews and dated shares do not move.
        as_of: Some(Date::parse_iso("2026-06-01").unwrap()),
        ..Options::default()
    }
}

/// The JSON report of a run on `workers` threads.
fn json(ws: &Workspace, workers: usize) -> String {
    let findings = Engine::new(ws, options()).with_workers(workers).run();
    icslint::report::json(&findings, &ws.sources)
}

fn same_on_any_number_of_workers(what: &str, ws: &Workspace) -> usize {
    let one = json(ws, 1);
    for n in [2, 3, 8] {
        let many = json(ws, n);
        if one != many {
            let at = one
                .bytes()
                .zip(many.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(one.len().min(many.len()));
            let from = at.saturating_sub(300);
            panic!(
                "{what}: 1 worker and {n} differ at byte {at}:\n--- 1\n{}\n--- {n}\n{}",
                &one[from..(at + 300).min(one.len())],
                &many[from..(at + 300).min(many.len())]
            );
        }
    }
    one.matches("\"rule\":").count()
}

fn folders() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for parent in [shared_examples(), root().join("tests/fixtures")] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&parent)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        out.extend(dirs);
    }
    out.push(root().join("examples/riverbend"));
    out.push(root().join("examples/merged-icb"));
    out
}

#[test]
fn every_example_and_fixture_reports_the_same_on_one_worker_and_many() {
    let mut findings = 0;
    for dir in folders() {
        let ws = Workspace::load(std::slice::from_ref(&dir), None)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        findings += same_on_any_number_of_workers(&dir.display().to_string(), &ws);
    }
    // Not a vacuous comparison: the examples find hundreds of things.
    assert!(findings > 500, "{findings} findings in all");
}

#[test]
fn a_national_workspace_reports_the_same_on_one_worker_and_many() {
    let texts = corpus::corpus(84);
    let texts: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let ws = Workspace::from_texts(&texts, Config::default());
    let findings = same_on_any_number_of_workers("84 systems", &ws);
    assert!(findings > 2 * 84, "{findings} findings");
}
