//! The CI entry points (action.yml, .pre-commit-hooks.yaml) run commands
//! this icslint accepts; the wheel of pyproject.toml builds, installs and
//! runs without Rust (release suite); the README's install lines, set-up
//! commands, pins and rule counts are true; no test names ../shared.

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
    // A copy of the bundled example, as it is: both hooks start green.
    let dir = scratch("pre-commit");
    for e in std::fs::read_dir(root().join("examples/riverbend")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let file = dir.join("icb-constitution.icg");
    for h in hooks {
        assert_eq!(h["language"].as_str(), Some("python"));
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
    // A copy of the bundled example, as it is: every step starts green.
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for e in std::fs::read_dir(root().join("examples/riverbend")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, docs.join(p.file_name().unwrap())).unwrap();
    }
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
            .env("ICSLINT_FORMAT_PATHS", &docs)
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

/// The version the Action installs by default and the README's pins are
/// Cargo.toml's: a release bumps them together.
#[test]
fn the_pinned_versions_are_the_crates() {
    let version = env!("CARGO_PKG_VERSION");
    let action = yaml("action.yml");
    assert_eq!(
        action["inputs"]["version"]["default"].as_str(),
        Some(version),
        "action.yml's default version"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let pins: Vec<String> = readme
        .match_indices("icslint==")
        .map(|(at, pin)| {
            readme[at + pin.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect()
        })
        .collect();
    assert!(!pins.is_empty(), "the README pins no icslint== version");
    for pin in pins {
        assert_eq!(pin, version, "the README pins icslint=={pin}");
    }
}

/// `python3 -m venv DIR`, or why not.
fn venv(dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let _ = std::fs::remove_dir_all(dir);
    let out = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .output()
        .map_err(|e| format!("python3 cannot be run ({e})"))?;
    if !out.status.success() {
        return Err(format!(
            "python3's venv module failed (Debian: apt-get install python3-venv): {}",
            stderr(&out)
        ));
    }
    Ok(dir.join("bin"))
}

fn run_ok(cmd: &mut std::process::Command) -> Result<std::process::Output, String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!("{cmd:?}: {}{}", stdout(&out), stderr(&out)))
    }
}

/// Installing without Rust: the wheel pyproject.toml describes builds
/// (maturin, from PyPI, into target/), installs with pip into a fresh
/// virtual environment, and its `icslint` checks the bundled examples; the
/// Action's install step installs it too (from the built wheel instead of
/// PyPI). The release suite does this (its release build is the one the
/// wheel reuses); the debug suite says so and skips, unless
/// `ICSLINT_TEST_WHEEL` is set.
#[test]
fn the_wheel_installs_and_runs() {
    if cfg!(debug_assertions) && std::env::var_os("ICSLINT_TEST_WHEEL").is_none() {
        eprintln!(
            "skipped: the wheel is built and tested by the release suite \
             (`cargo test --release`), which reuses its release build \
             (ICSLINT_TEST_WHEEL=1 runs it here too)"
        );
        return;
    }
    let base = root().join("target/wheel");
    let tools = match venv(&base.join("tools")) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skipped: no Python to build the wheel with: {e}");
            return;
        }
    };
    if let Err(e) = run_ok(
        std::process::Command::new(tools.join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("maturin>=1.5,<2"),
    ) {
        eprintln!("skipped: maturin could not be installed with pip (is PyPI reachable?): {e}");
        return;
    }
    let dist = base.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    run_ok(
        std::process::Command::new(tools.join("maturin"))
            .args(["build", "--release", "--locked", "--out"])
            .arg(&dist)
            .current_dir(root()),
    )
    .unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let wheels: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        wheels.len() == 1
            && wheels[0].starts_with(&format!("icslint-{version}-"))
            && wheels[0].ends_with(".whl"),
        "{wheels:?}"
    );

    // A fresh environment, nothing but the wheel, no Rust on the PATH.
    let bin = venv(&base.join("venv")).unwrap();
    let no_index = |c: &mut std::process::Command| {
        c.env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &dist)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    };
    let mut pip = std::process::Command::new(bin.join("python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        &format!("icslint=={version}"),
    ]);
    no_index(&mut pip);
    run_ok(&mut pip).unwrap();
    let installed = bin.join("icslint");
    let out = run_ok(
        std::process::Command::new(&installed)
            .args(["check", "examples/"])
            .env("NO_COLOR", "1")
            .env("PATH", &bin)
            .current_dir(root()),
    )
    .unwrap();
    let text = stdout(&out);
    for id in ["CCN161", "CCN171", "CCN041"] {
        assert!(text.contains(id), "{id}: {text}");
    }
    let v = stdout(&run_ok(std::process::Command::new(&installed).arg("--version")).unwrap());
    assert_eq!(v.trim(), format!("icslint {version}"));

    // The Action's install step, from the wheel just built.
    let action = yaml("action.yml");
    let step = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("Install icslint"))
        .expect("an install step");
    let runner = base.join("runner");
    let _ = std::fs::remove_dir_all(&runner);
    let mut sh = std::process::Command::new("bash");
    sh.args(["-euc", step["run"].as_str().unwrap()])
        .env("RUNNER_TEMP", &runner)
        .env("ICSLINT_VERSION", version);
    no_index(&mut sh);
    let out = run_ok(&mut sh).unwrap();
    assert_eq!(stdout(&out).trim(), format!("icslint {version}"));
    assert!(runner.join("icslint/bin/icslint").is_file());

    // The README's local pre-commit hooks, run by pre-commit itself on a
    // copy of the bundled example: they install the wheel (found here
    // through PIP_FIND_LINKS), pass, and fail once a file is broken.
    if let Err(e) = run_ok(std::process::Command::new(tools.join("python")).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "pre-commit",
    ])) {
        eprintln!("skipped the pre-commit part: pre-commit could not be installed with pip: {e}");
        return;
    }
    let repo = base.join("pre-commit-repo");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).unwrap();
    for e in std::fs::read_dir(root().join("examples/riverbend")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, repo.join(p.file_name().unwrap())).unwrap();
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme.find("  - repo: local\n").unwrap();
    let start = readme[..at].rfind("```yaml\n").unwrap() + 8;
    let end = at + readme[at..].find("```").unwrap();
    std::fs::write(repo.join(".pre-commit-config.yaml"), &readme[start..end]).unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args([
                "-c",
                "user.name=icslint",
                "-c",
                "user.email=tests@icslint.invalid",
            ])
            .args(args)
            .current_dir(&repo)
            .output()
    };
    if git(&["init", "-q"])
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!("skipped the pre-commit part: git cannot be run");
        return;
    }
    git(&["add", "-A"]).unwrap();
    let pre_commit = || {
        let mut c = std::process::Command::new(tools.join("pre-commit"));
        c.args(["run", "--all-files"])
            .current_dir(&repo)
            .env("PRE_COMMIT_HOME", base.join("pre-commit-home"))
            .env("PIP_FIND_LINKS", &dist)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        c.output().unwrap()
    };
    let out = pre_commit();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("icslint check") && text.contains("icslint fmt --check"),
        "{text}"
    );
    std::fs::write(
        repo.join("broken.icg"),
        "system s \"S\" { regime 2022 }\n}\n",
    )
    .unwrap();
    git(&["add", "-A"]).unwrap();
    let out = pre_commit();
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("ICG001"), "{}", stdout(&out));
}

/// The README's rule counts and its table of packs are the rules
/// `icslint rules --json` lists, so they are never stale: the total, and
/// for each pack its count and IDs (a range `A–B` without a note in
/// brackets has every ID between; with one, it is sparse, but begins and
/// ends with rules of the pack).
#[test]
fn the_readmes_rule_counts_are_the_rules() {
    let out = icslint(&["rules", "--json"], &root());
    assert!(out.status.success(), "{}", stderr(&out));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut packs: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &rules {
        packs
            .entry(r["pack"].as_str().unwrap().to_string())
            .or_default()
            .push(r["id"].as_str().unwrap().to_string());
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let total = format!("`icslint rules` lists all {} rules", rules.len());
    assert!(
        readme.contains(&total),
        "README.md should say \"{total}\" (Rule packs)"
    );
    let num = |id: &str| -> u32 { id[3..].parse().unwrap() };
    for (pack, ids) in &packs {
        let start = format!("| `{pack}` |");
        let row = readme
            .lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("README.md's table of packs has no row for {pack}"));
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        assert_eq!(cells.len(), 4, "{row}");
        assert_eq!(
            cells[2],
            ids.len().to_string(),
            "README.md: the number of rules in {pack}"
        );
        let (list, sparse) = match cells[3].split_once(" (") {
            Some((list, _)) => (list, true),
            None => (cells[3], false),
        };
        let mut covered = Vec::new();
        for item in list.split(", ") {
            let (a, b) = item.split_once('–').unwrap_or((item, item));
            for end in [a, b] {
                assert!(
                    ids.iter().any(|i| i == end),
                    "README.md names {end} in {pack}, which has no such rule: {ids:?}"
                );
            }
            let prefix = &a[..3];
            for n in num(a)..=num(b) {
                let id = format!("{prefix}{n:03}");
                if ids.contains(&id) {
                    covered.push(id);
                } else {
                    assert!(
                        sparse,
                        "README.md's {item} in {pack} includes {id}, which is not a rule"
                    );
                }
            }
        }
        covered.sort();
        let mut all = ids.clone();
        all.sort();
        assert_eq!(covered, all, "README.md: the IDs of {pack} ({})", cells[3]);
    }
}

/// The README opens with how to install, then exactly the two set-up
/// commands; `.ci/run` runs the second, so CI proves the README.
#[test]
fn the_readmes_set_up_commands_are_cis() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    assert_eq!(lines[0], "# icslint");
    assert_eq!(lines[2], "## Install");
    let at = readme
        .find("## Set up from source\n\n```sh\n")
        .expect("a Set up section");
    let block = &readme[at..];
    let block = &block[block.find("```sh\n").unwrap() + 6..];
    let commands: Vec<&str> = block[..block.find("```").unwrap()].lines().collect();
    assert_eq!(
        commands,
        [
            "cargo run --release -- check examples/",
            "cargo test --release --locked"
        ]
    );
    assert!(at < readme.find("## A tour").unwrap());
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == commands[1]),
        ".ci/run should run `{}`",
        commands[1]
    );
}

/// The README's local pre-commit hooks (which install the published wheel)
/// are the manifest's hooks, with the crate's version.
#[test]
fn the_readmes_local_hooks_are_the_manifests() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("  - repo: local\n")
        .expect("README.md shows local pre-commit hooks");
    let start = readme[..at].rfind("```yaml\n").unwrap() + 8;
    let end = at + readme[at..].find("```").unwrap();
    let config: serde_yaml::Value = serde_yaml::from_str(&readme[start..end]).unwrap();
    let local = config["repos"][0]["hooks"].as_sequence().unwrap();
    let manifest = yaml(".pre-commit-hooks.yaml");
    let manifest = manifest.as_sequence().unwrap();
    assert_eq!(local.len(), manifest.len());
    let pin = format!("icslint=={}", env!("CARGO_PKG_VERSION"));
    for (l, m) in local.iter().zip(manifest) {
        for key in ["id", "name", "entry", "language", "files", "pass_filenames"] {
            assert_eq!(l[key], m[key], "{key} of {:?}", m["id"]);
        }
        assert_eq!(
            l["additional_dependencies"].as_sequence().unwrap(),
            &[serde_yaml::Value::from(pin.as_str())]
        );
    }
}

/// The bundled examples are in icslint's layout, so the Action's
/// `check-format` step and the `icslint-fmt` hook start green on them.
/// (The shared examples are checked by their own project: not all of them
/// are formatted, and tests/shared must stay a byte-for-byte copy.)
#[test]
fn the_bundled_examples_are_formatted() {
    let out = icslint(&["fmt", "--check", "examples/"], &root());
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `icslint fmt examples/`:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
}
