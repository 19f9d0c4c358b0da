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
    insta::assert_snapshot!(
        "northmoor_human",
        run_in_examples(&["check", "northmoor", "--no-color"])
    );
}

#[test]
fn human_output_for_language_errors() {
    insta::assert_snapshot!(
        "broken_human",
        run_in_examples(&["check", "broken", "--no-color"])
    );
}

#[test]
fn json_output() {
    insta::assert_snapshot!(
        "wessex_json",
        run_in_examples(&["check", "wessex-vale", "--format", "json"])
    );
}

#[test]
fn sarif_output() {
    insta::assert_snapshot!(
        "downshire_sarif",
        run_in_examples(&["check", "downshire", "--format", "sarif"])
    );
}

#[test]
fn github_output() {
    insta::assert_snapshot!(
        "examples_github",
        run(&["check", "examples", "--format", "github"])
    );
}

/// Runs in the shared examples (../shared/examples or the copy in
/// tests/shared) so that paths (and SARIF URIs) are
/// `northmoor/...` on every machine; SARIF's SRCROOT is the one absolute
/// URI, and is redacted.
fn run_in_examples(args: &[&str]) -> String {
    let out = stdout(&icslint(args, &shared_examples()));
    let base = shared_examples().canonicalize().unwrap();
    let uri = format!("file://{}/", base.to_string_lossy().replace(' ', "%20"));
    out.replace(&uri, "file:///[SHARED_EXAMPLES]/")
}

#[test]
fn plain_output() {
    insta::assert_snapshot!(
        "northmoor_plain",
        run_in_examples(&["check", "northmoor", "--format", "plain"])
    );
}

#[test]
fn junit_output() {
    insta::assert_snapshot!(
        "northmoor_junit",
        run_in_examples(&["check", "northmoor", "--format", "junit"])
    );
}

#[test]
fn gitlab_output() {
    insta::assert_snapshot!(
        "northmoor_gitlab",
        run_in_examples(&["check", "northmoor", "--format", "gitlab"])
    );
}

#[test]
fn sarif_output_for_northmoor() {
    insta::assert_snapshot!(
        "northmoor_sarif",
        run_in_examples(&["check", "northmoor", "--format", "sarif"])
    );
}

/// Comply or explain, as of a fixed day: in `expired`, Wessex Vale's
/// explanation has lapsed (a failure, "due for review") and Southvale's is
/// in force (status `explained`, a SARIF in-source suppression).
fn explained(format: &str) -> String {
    let out = run(&[
        "check",
        "tests/fixtures/explanations/expired",
        "--as-of",
        "2025-07-01",
        "--format",
        format,
    ]);
    let base = root().canonicalize().unwrap();
    let uri = format!("file://{}/", base.to_string_lossy().replace(' ', "%20"));
    out.replace(&uri, "file:///[ROOT]/")
}

#[test]
fn json_output_of_an_explained_finding() {
    insta::assert_snapshot!("explained_json", explained("json"));
}

#[test]
fn sarif_output_of_an_explained_finding() {
    insta::assert_snapshot!("explained_sarif", explained("sarif"));
}

#[test]
fn human_output_of_an_explained_finding_cites_its_document() {
    insta::assert_snapshot!(
        "explained_human",
        run(&[
            "check",
            "tests/fixtures/explanations/valid",
            "--as-of",
            "2025-07-01",
            "--no-color"
        ])
    );
}
