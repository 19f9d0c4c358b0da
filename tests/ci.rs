//! The CI entry points (action.yml, .pre-commit-hooks.yaml) run commands
//! this icslint accepts.

mod common;
use common::*;

fn yaml(name: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&std::fs::read_to_string(root().join(name)).unwrap()).unwrap()
}

#[test]
fn pre_commit_hooks_run() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["icslint", "icslint-fmt"]);
    // A copy of the bundled example, formatted.
    let dir = scratch("pre-commit");
    for e in std::fs::read_dir(root().join("examples/riverbend")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    assert!(icslint(&["fmt", "."], &dir).status.success());
    let file = dir.join("icb-constitution.icg");
    for h in hooks {
        assert_eq!(h["language"].as_str(), Some("rust"));
        let entry: Vec<&str> = h["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "icslint");
        let mut args: Vec<&str> = entry[1..].to_vec();
        if h["pass_filenames"].as_bool() != Some(false) {
            args.push(file.to_str().unwrap());
        }
        let out = icslint(&args, &dir);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }
}

#[test]
fn the_action_runs_its_commands() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))));
    // The binary under test stands where the install step puts icslint.
    let dir = scratch("action");
    let bin = dir.join("runner/icslint/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_icslint"), bin.join("icslint")).unwrap();
    let sarif = dir.join("icslint.sarif");
    // A formatted copy of the bundled example.
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for e in std::fs::read_dir(root().join("examples/riverbend")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, docs.join(p.file_name().unwrap())).unwrap();
    }
    assert!(icslint(&["fmt", "."], &docs).status.success());
    let mut ran = 0;
    for step in steps {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        if !script.contains("$RUNNER_TEMP/icslint/bin/icslint") {
            continue;
        }
        let out = match std::process::Command::new("bash")
            .args(["-euc", script])
            .current_dir(root())
            .env("RUNNER_TEMP", dir.join("runner"))
            .env("ICSLINT_PATHS", &docs)
            .env("ICSLINT_ARGS", "--regime 2022")
            .env("ICSLINT_SARIF", &sarif)
            .env("ICSLINT_FAIL_ON", "error")
            .output()
        {
            Ok(o) => o,
            Err(e) => {
                eprintln!("skipped: bash cannot be run ({e})");
                return;
            }
        };
        assert_eq!(
            out.status.code(),
            Some(0),
            "{script}\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        ran += 1;
    }
    assert_eq!(ran, 3, "the SARIF, annotation and formatting steps");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
}

/// A clone that stands alone passes its tests: every test reads the shared
/// examples through `common::shared_examples` (which falls back to the copy
/// in tests/shared/), so no test names `../shared` in its code. Comments
/// may mention it.
#[test]
fn no_test_names_the_shared_folder_literally() {
    let mut found = Vec::new();
    for e in walkdir::WalkDir::new(root().join("tests")).max_depth(2) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.ends_with(".rs")
            || rel.starts_with("tests/common/")
            || rel.starts_with("tests/shared/")
        {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let shared = concat!("..", "/shared");
            if code.contains(&format!("\"{shared}")) || code.contains(&format!("/{shared}")) {
                found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "use common::shared_examples() (or shared_examples_rel(), shared_beside()) \
         instead of a literal ../shared path:\n{}",
        found.join("\n")
    );
}
