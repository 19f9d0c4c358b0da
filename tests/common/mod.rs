//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared examples: `../shared/examples`, beside the clone in CI; the
/// copy in `tests/shared/examples` when the clone stands alone (a test fails
/// when the two differ: see tests/shared_copy.rs). Every test reads them
/// through this helper (tests/layers.rs fails on a literal `../shared`).
pub fn shared_examples() -> PathBuf {
    shared("examples")
}

/// `../shared/spec`, or its copy in `tests/shared/spec`.
pub fn shared_spec() -> PathBuf {
    shared("spec")
}

/// The shared examples as a path relative to the repository
/// (`../shared/examples` or `tests/shared/examples`), for a run whose
/// working directory is [`root`].
pub fn shared_examples_rel() -> String {
    let p = shared_examples();
    p.strip_prefix(root())
        .unwrap_or(&p)
        .to_string_lossy()
        .into_owned()
}

/// The folder beside the clone that holds the shared material, when it is
/// there: `$ICSLINT_SHARED` if set (CI sets it to a missing folder to prove
/// that a clone alone passes), else `../shared`. When it is absent, says
/// once, on standard error, that the copies in `tests/` are used.
pub fn shared_beside() -> Option<PathBuf> {
    let dir = match std::env::var_os("ICSLINT_SHARED") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => root().join("..").join("shared"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        eprintln!(
            "shared: {} is absent; the tests read the copies in tests/shared/ and tests/seeds/",
            dir.display()
        )
    });
    None
}

fn shared(part: &str) -> PathBuf {
    match shared_beside() {
        Some(dir) if dir.join(part).is_dir() => dir.join(part),
        _ => root().join("tests/shared").join(part),
    }
}

pub fn icslint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the icslint binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory under the target directory (tests use no state outside the repository).
pub fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target").join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("parent directory");
    }
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// Every file of a folder with its bytes, by name: to tell whether a run wrote anything.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// `icslint ARGS` in `cwd`, with `env` set, killed (and the test failed)
/// if it has not finished within `secs`: a run that blocks or never ends
/// must fail, not stall the suite. Standard input is a pipe held open, so
/// a read of it blocks as it would in a terminal.
pub fn icslint_within_env(secs: u64, args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .expect("the icslint binary runs");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("icslint {args:?} did not finish within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: std::fs::read(out.path()).unwrap(),
        stderr: std::fs::read(err.path()).unwrap(),
    }
}

/// [`icslint_within_env`] with no more environment.
pub fn icslint_within(secs: u64, args: &[&str], cwd: &Path) -> Output {
    icslint_within_env(secs, args, cwd, &[])
}

/// `icslint ARGS` with `input` on its standard input (`fmt -`).
pub fn icslint_with_input(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_icslint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the icslint binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}
