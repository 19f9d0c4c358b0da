//! Snapshots of rendered output (insta): miette without colour at a fixed
//! width, JSON and SARIF, with paths relative to the repository. Review a
//! change with `cargo insta review` (or `INSTA_UPDATE=always cargo test`).

mod common;
use common::*;

fn run(args: &[&str]) -> String {
    stdout(&icslint(args, &root()))
}

#[test]
fn human_output_for_a_troubled_system() {
    let dir = shared_examples().join("northmoor");
    let dir = dir
        .strip_prefix(root())
        .unwrap_or(&dir)
        .to_string_lossy()
        .into_owned();
    insta::assert_snapshot!("northmoor_human", run(&["check", &dir, "--no-color"]));
}

#[test]
fn human_output_for_language_errors() {
    insta::assert_snapshot!(
        "broken_human",
        run(&["check", "../shared/examples/broken", "--no-color"])
    );
}

#[test]
fn json_output() {
    insta::assert_snapshot!(
        "wessex_json",
        run(&[
            "check",
            "../shared/examples/wessex-vale",
            "--format",
            "json"
        ])
    );
}

#[test]
fn sarif_output() {
    insta::assert_snapshot!(
        "downshire_sarif",
        run(&["check", "../shared/examples/downshire", "--format", "sarif"])
    );
}

#[test]
fn github_output() {
    insta::assert_snapshot!(
        "examples_github",
        run(&["check", "examples", "--format", "github"])
    );
}
