//! A repository nobody has vetted, checked as a CI job on a pull request
//! would check it: its `icslint.yaml`, its links and its file names are
//! the attacker's. Nothing outside the folder checked is read, nothing that
//! is not a regular file is opened, every read has a limit, and no run
//! waits on input that never comes.

mod common;

use common::{root, scratch, write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What the CI runner holds that must never be printed.
const SECRET: &str = "s3cr3t-token-ab12cd34";

/// The binary in `cwd`, with a secret in its environment, killed (and the
/// test failed) if it has not finished within `secs`.
fn icslint_within(secs: u64, args: &[&str], cwd: &Path) -> Output {
    common::icslint_within_env(secs, args, cwd, &[("CI_SECRET_TOKEN", SECRET)])
}

fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn findings(o: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("JSON: {e}\n{}", all(o)));
    v["findings"].as_array().unwrap().clone()
}

fn with_rule<'a>(fs: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    fs.iter().filter(|f| f["rule"] == rule).collect()
}

const SYSTEM: &str = "system s \"S\" { regime 2022 }\n";

/// A workspace `ws` inside a scratch folder that also holds a secret file,
/// outside `ws`, whose content must never be printed.
fn workspace(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::fs::canonicalize(scratch(name)).unwrap();
    let secret = write(&dir, "secret.env", &format!("TOKEN={SECRET}\n"));
    let ws = dir.join("ws");
    write(&ws, "s.icg", SYSTEM);
    (ws, secret)
}

/// Every path in `rules:` that leaves the folder of its `icslint.yaml` is
/// an ICG013 at that value, its target never read: an absolute path, a
/// `..` (whether or not the file exists) and a link out of the folder.
#[test]
fn a_pack_outside_the_workspace_is_icg013_at_its_value_and_never_read() {
    let (ws, secret) = workspace("untrusted-pack-paths");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, ws.join("link.yaml")).unwrap();
    let cases: Vec<String> = vec![
        secret.display().to_string(),
        "/proc/self/environ".into(),
        "../secret.env".into(),
        "sub/../../secret.env".into(),
        "../no-such-file.yaml".into(),
        #[cfg(unix)]
        "link.yaml".into(),
    ];
    for path in cases {
        let yaml = format!("rules: [\"{path}\"]\n");
        write(&ws, "icslint.yaml", &yaml);
        let o = icslint_within(20, &["check", ".", "--format", "json"], &ws);
        assert!(
            !all(&o).contains(SECRET),
            "{path}: the secret was printed:\n{}",
            all(&o)
        );
        assert_eq!(o.status.code(), Some(2), "{path}: {}", all(&o));
        let fs = findings(&o);
        let bad = with_rule(&fs, "ICG013");
        assert_eq!(bad.len(), 1, "{path}: {fs:#?}");
        let at = &bad[0]["location"];
        assert_eq!(at["path"], "icslint.yaml");
        assert_eq!(at["line"], 1);
        // The span is the value's: it starts at its opening quote.
        assert_eq!(at["column"], 9, "{path}: {at}");
        let msg = bad[0]["message"].as_str().unwrap();
        assert!(
            msg.contains("was not read") && (msg.contains("outside") || msg.contains("absolute")),
            "{path}: {msg}"
        );
        assert!(
            with_rule(&fs, "ICG012").is_empty(),
            "{path}: a pack was loaded: {fs:#?}"
        );
    }
}

/// A pack that is a FIFO, a device, a folder or endless is an error at
/// once: never a read without end, never a block.
#[test]
#[cfg(unix)]
fn a_pack_that_is_not_a_regular_file_is_refused_at_once() {
    let (ws, _) = workspace("untrusted-pack-kinds");
    std::fs::create_dir_all(ws.join("folder.yaml")).unwrap();
    let fifo = ws.join("fifo.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink("/dev/zero", ws.join("zero.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/stdin", ws.join("stdin.yaml")).unwrap();
    // A link to a FIFO inside the folder: allowed as a path, refused as a kind.
    std::os::unix::fs::symlink(&fifo, ws.join("to-fifo.yaml")).unwrap();
    for (name, why) in [
        ("folder.yaml", "a folder"),
        ("fifo.yaml", "a named pipe (FIFO)"),
        ("to-fifo.yaml", "a named pipe (FIFO)"),
        ("zero.yaml", "outside"),
        // Through /proc/self/fd/0, a pipe: no path to resolve.
        ("stdin.yaml", "the rule pack stdin.yaml"),
    ] {
        write(&ws, "icslint.yaml", &format!("rules: [{name}]\n"));
        let o = icslint_within(20, &["check", ".", "--format", "json"], &ws);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", all(&o));
        let fs = findings(&o);
        let bad = with_rule(&fs, "ICG013");
        assert_eq!(bad.len(), 1, "{name}: {fs:#?}");
        let msg = bad[0]["message"].as_str().unwrap();
        assert!(msg.contains(why), "{name}: {msg}");
    }
}

/// An `icslint.yaml` that is a link out of its folder, a FIFO or a folder
/// is reported at that file, never read and never passed over.
#[test]
#[cfg(unix)]
fn a_configuration_that_is_a_link_out_or_a_fifo_is_icg013_and_never_read() {
    let (ws, secret) = workspace("untrusted-config");
    let config = ws.join("icslint.yaml");
    for (setup, why) in [
        (0, "outside its folder"),
        (1, "a named pipe (FIFO)"),
        (2, "a folder"),
    ] {
        let _ = std::fs::remove_file(&config);
        let _ = std::fs::remove_dir(&config);
        match setup {
            0 => std::os::unix::fs::symlink(&secret, &config).unwrap(),
            1 => assert!(Command::new("mkfifo")
                .arg(&config)
                .status()
                .unwrap()
                .success()),
            _ => std::fs::create_dir(&config).unwrap(),
        }
        let o = icslint_within(20, &["check", ".", "--format", "json"], &ws);
        assert!(!all(&o).contains(SECRET), "{}", all(&o));
        assert_eq!(o.status.code(), Some(2), "{why}: {}", all(&o));
        let fs = findings(&o);
        let bad = with_rule(&fs, "ICG013");
        assert_eq!(bad.len(), 1, "{why}: {fs:#?}");
        assert!(
            bad[0]["message"].as_str().unwrap().contains(why),
            "{:#?}",
            bad[0]
        );
    }
}

/// An `.icg` link whose target is outside the folder checked is not
/// followed and a warning says so; links to `/` and to a parent folder are
/// not walked; nothing of the target is shown.
#[test]
#[cfg(unix)]
fn links_out_of_the_workspace_are_not_followed() {
    let (ws, secret) = workspace("untrusted-links");
    let outside = write(
        ws.parent().unwrap(),
        "outside.icg",
        &format!("{SECRET} {{ broken\n"),
    );
    std::os::unix::fs::symlink(&outside, ws.join("evil.icg")).unwrap();
    std::os::unix::fs::symlink(&secret, ws.join("env.icg")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", ws.join("proc.icg")).unwrap();
    std::os::unix::fs::symlink("/", ws.join("root")).unwrap();
    std::os::unix::fs::symlink("..", ws.join("up")).unwrap();
    // A link inside the folder is followed as before.
    write(&ws, "real/inner.icg", "");
    std::os::unix::fs::symlink(ws.join("real/inner.icg"), ws.join("inner-link.icg")).unwrap();
    let o = icslint_within(30, &["check", ".", "--format", "json", "--verbose"], &ws);
    assert!(!all(&o).contains(SECRET), "{}", all(&o));
    let fs = findings(&o);
    let mut warned: Vec<&str> = with_rule(&fs, "ICG009")
        .iter()
        .map(|f| {
            assert_eq!(f["severity"], "warning", "{f:#?}");
            assert!(f["message"]
                .as_str()
                .unwrap()
                .contains("outside the folder"));
            f["location"]["path"].as_str().unwrap()
        })
        .collect();
    warned.sort();
    assert_eq!(warned, ["env.icg", "evil.icg", "proc.icg"], "{fs:#?}");
    // Nothing from `/` or the parent folder was walked: every finding is in the workspace.
    for f in &fs {
        let p = f["location"]["path"].as_str().unwrap_or("");
        assert!(
            !p.starts_with("..")
                && !p.starts_with('/')
                && !p.starts_with("root/")
                && !p.starts_with("up/"),
            "{f:#?}"
        );
    }
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("root (a link to a folder outside"), "{err}");
    assert!(err.contains("up (a link to a folder outside"), "{err}");
    // The links are warnings, not errors of reading: the exit is the
    // findings' (STA008: the system has no partnership).
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
}

/// `--baseline` must name a regular file: `/dev/stdin`, a FIFO or a folder
/// is an error at once, and a baseline that is not JSON prints none of its
/// text.
#[test]
#[cfg(unix)]
fn a_baseline_that_is_not_a_regular_file_is_an_error_at_once() {
    let (ws, secret) = workspace("untrusted-baseline");
    let fifo = ws.join("b.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for (path, why) in [
        ("/dev/stdin", "not a regular file"),
        ("/dev/zero", "a device"),
        ("b.fifo", "a named pipe (FIFO)"),
        (".", "a folder"),
    ] {
        let o = icslint_within(20, &["check", ".", "--baseline", path], &ws);
        assert_eq!(o.status.code(), Some(2), "{path}: {}", all(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("cannot read the baseline") && err.contains(why),
            "{path}: {err}"
        );
    }
    let o = icslint_within(
        20,
        &["check", ".", "--baseline", secret.to_str().unwrap()],
        &ws,
    );
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(!all(&o).contains(SECRET), "{}", all(&o));
}

/// Every read has a limit, and a file over it is an error naming the limit
/// (the files are sparse: nothing of their size is written or read).
#[test]
fn files_over_their_limit_are_refused_naming_the_limit() {
    let (ws, _) = workspace("untrusted-limits");
    let big = |name: &str, size: u64| {
        let f = std::fs::File::create(ws.join(name)).unwrap();
        f.set_len(size).unwrap();
    };
    // One ICG013 whose message names the limit.
    let refused_naming = |limit: &str| {
        let o = icslint_within(20, &["check", ".", "--format", "json"], &ws);
        let fs = findings(&o);
        let bad = with_rule(&fs, "ICG013");
        assert_eq!(bad.len(), 1, "{fs:#?}");
        assert!(
            bad[0]["message"].as_str().unwrap().contains(limit),
            "{:#?}",
            bad[0]
        );
    };
    big("huge.yaml", icslint::files::MAX_PACK + 1);
    write(&ws, "icslint.yaml", "rules: [huge.yaml]\n");
    refused_naming("up to 16 MiB");

    std::fs::remove_file(ws.join("icslint.yaml")).unwrap();
    big("icslint.yaml", icslint::files::MAX_CONFIG + 1);
    refused_naming("up to 1 MiB");
    std::fs::remove_file(ws.join("icslint.yaml")).unwrap();

    big("b.json", icslint::files::MAX_BASELINE + 1);
    let o = icslint_within(20, &["check", ".", "--baseline", "b.json"], &ws);
    assert_eq!(o.status.code(), Some(2));
    assert!(all(&o).contains("up to 512 MiB"), "{}", all(&o));
}

/// The README states each limit, as the code has it.
#[test]
fn the_readme_states_the_limits() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    use icslint::files::{bytes, MAX_BASELINE, MAX_CONFIG, MAX_ICG, MAX_PACK};
    for limit in [MAX_ICG + 1, MAX_CONFIG, MAX_PACK, MAX_BASELINE] {
        assert!(
            readme.contains(&bytes(limit)),
            "README does not state {}",
            bytes(limit)
        );
    }
    let lsp = bytes(icslint::lsp::transport::MAX_MESSAGE);
    assert!(
        readme.contains(&lsp),
        "README does not state the server's {lsp}"
    );
}

/// The language server loads the workspace of its root on `initialize`: a
/// hostile configuration there (a FIFO as a pack, a link to a secret) must
/// not make it hang or print the secret, and it answers `initialize`.
#[test]
#[cfg(unix)]
fn a_hostile_configuration_cannot_hang_the_language_server() {
    use std::io::{BufRead, BufReader, Read, Write};
    let (ws, secret) = workspace("untrusted-lsp");
    let fifo = ws.join("fifo.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(&secret, ws.join("env.yaml")).unwrap();
    write(
        &ws,
        "icslint.yaml",
        "rules: [fifo.yaml, env.yaml, /dev/zero]\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_icslint"))
        .arg("lsp")
        .current_dir(&ws)
        .env("CI_SECRET_TOKEN", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let uri = format!("file://{}", ws.display());
    let send = |stdin: &mut std::process::ChildStdin, body: String| {
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let mut stdin = child.stdin.take().unwrap();
    send(
        &mut stdin,
        format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"capabilities":{{}},"rootUri":"{uri}","workspaceFolders":[{{"uri":"{uri}","name":"ws"}}]}}}}"#
        ),
    );
    // An absurd Content-Length after it is refused, not allocated.
    write!(stdin, "Content-Length: 99999999999999\r\n\r\n").unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut got = String::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(n) = line.trim().strip_prefix("Content-Length: ") {
                let n: usize = n.parse().unwrap();
                r.read_line(&mut line).unwrap();
                let mut body = vec![0; n];
                r.read_exact(&mut body).unwrap();
                got.push_str(&String::from_utf8_lossy(&body));
                got.push('\n');
                let _ = tx.send(got.clone());
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    while !seen.contains(r#""id":1"#) {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(s) => seen = s,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not answer initialize within 30 s: {seen}");
            }
        }
    }
    assert!(seen.contains("capabilities"), "{seen}");
    drop(stdin); // end of input: the server exits
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit at the end of its input");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        !seen.contains(SECRET) && !err.contains(SECRET),
        "{seen}\n{err}"
    );
}

/// `icslint test` searches a folder for workspaces: a link to `/` or to a
/// parent folder is not searched, and a pack that is a link out of the
/// folder is not read.
#[test]
#[cfg(unix)]
fn icslint_test_does_not_follow_links_out() {
    let (ws, secret) = workspace("untrusted-test-links");
    let top = ws.parent().unwrap().join("cases");
    std::fs::create_dir_all(&top).unwrap();
    for k in 0..3 {
        std::os::unix::fs::symlink("..", top.join(format!("up{k}"))).unwrap();
    }
    std::os::unix::fs::symlink("/", top.join("root")).unwrap();
    let case = top.join("one");
    write(&case, "s.icg", "system s \"S\" { regime 2022 }\n");
    let o = icslint_within(30, &["test", "cases"], ws.parent().unwrap());
    let out = all(&o);
    assert!(out.contains("cases/one"), "{out}");
    assert!(!out.contains("up0") && !out.contains("root/"), "{out}");
    // A folder of packs: the one that is a link out of it is not read.
    let packs = ws.parent().unwrap().join("packs");
    std::fs::create_dir_all(&packs).unwrap();
    std::os::unix::fs::symlink(&secret, packs.join("pack.yaml")).unwrap();
    let o = icslint_within(30, &["test", "packs"], ws.parent().unwrap());
    let out = all(&o);
    assert!(!out.contains(SECRET), "{out}");
    assert!(
        out.contains("pack.yaml") && out.contains("not read: it leads outside"),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(1), "{out}");
}

/// `fmt` writes through a link inside the folder, but never through a link
/// out of it: a repository cannot make `fmt` rewrite a file elsewhere.
#[test]
#[cfg(unix)]
fn fmt_never_writes_through_a_link_out_of_the_folder() {
    let (ws, _) = workspace("untrusted-fmt-links");
    let ugly = "system   t \"T\" {regime 2022}\n";
    let outside = write(ws.parent().unwrap(), "victim.icg", ugly);
    std::os::unix::fs::symlink(&outside, ws.join("evil.icg")).unwrap();
    let o = icslint_within(20, &["fmt", "."], &ws);
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        ugly,
        "{}",
        all(&o)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("evil.icg is a link to a file outside the folder being formatted"),
        "{err}"
    );
}

/// A file `fmt` cannot parse is reported as `check` reports it: its
/// syntax errors, its text and its name (which may hold a line end) pass
/// the same guard, so no workflow command or escape sequence gets out.
#[test]
#[cfg(unix)]
fn fmt_s_syntax_errors_cannot_steer_a_ci_log_or_a_terminal() {
    let (ws, _) = workspace("untrusted-fmt-errors");
    write(&ws, "x\n::error title=Injected::forged\nf.icg", "place {\n");
    write(
        &ws,
        "b.icg",
        "place p \"a\n##[error]Injected \u{1b}]52;c;aGk=\u{7} \u{1b}[2J\n\t::warning::x\n",
    );
    for args in [
        &["fmt", "--check", "."][..],
        &["fmt", "."],
        &["fmt", "--diff", "."],
    ] {
        let o = icslint_within(20, args, &ws);
        let text = all(&o);
        assert!(text.contains("never closed"), "{args:?}: {text}");
        for line in text.lines() {
            assert!(!line.trim().starts_with("::"), "{args:?}: {line:?}");
            assert!(!line.contains("##["), "{args:?}: {line:?}");
            assert!(
                !line.contains(['\u{1b}', '\u{7}', '\r']),
                "{args:?}: {line:?}"
            );
        }
    }
    let o = common::icslint_with_input(
        &["fmt", "-"],
        b"place p \"a\n\x1b]52;c;aGk=\x07\n::error::x\n",
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains('\u{1b}'), "{err}");
    assert!(err.lines().all(|l| !l.trim().starts_with("::")), "{err}");
}
