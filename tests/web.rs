//! The offline page (`web/build.sh` → `target/web/index.html`) and the
//! WebAssembly module in it (`wasm/`): the module finds what the CLI finds
//! on every example and fixture (run in Node.js), the page opened as
//! `index.html#example` in headless Chromium lists the rules the CLI finds
//! on `examples/`, and hostile inputs never trap the module nor inject
//! anything into the page.
//!
//! The page is built once per run, by `web/build.sh` (into its own target
//! folder). A test skips, saying what is missing, when the wasm32-wasip1
//! target cannot be had (no rustup), when `node` is not installed (the
//! module's tests) or when `chromium` is not (the page's); under CI
//! (`CI` set) a missing Chromium or target is a failure, as `.ci/run`
//! installs both.

mod common;

use common::{icslint, root, stdout};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const DATE: &str = "2026-06-01";

/// The module and the page, built once; `None` (with a message) when the
/// target cannot be had.
fn built() -> Option<&'static (PathBuf, PathBuf)> {
    static BUILT: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let out = Command::new("bash")
                .arg(root().join("web/build.sh"))
                .current_dir(root())
                .output()
                .expect("bash runs web/build.sh");
            if out.status.code() == Some(3) {
                let why = String::from_utf8_lossy(&out.stderr);
                assert!(
                    std::env::var_os("CI").is_none() || !has_rustup(),
                    "CI is set and rustup is here, but: {why}"
                );
                eprintln!("skipped: {}", why.trim());
                return None;
            }
            assert!(
                out.status.success(),
                "web/build.sh failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let wasm = root().join("target/wasm-build/wasm32-wasip1/release/icslint_wasm.wasm");
            let page = root().join("target/web/index.html");
            assert!(wasm.is_file() && page.is_file());
            Some((wasm, page))
        })
        .as_ref()
}

fn has_rustup() -> bool {
    Command::new("rustup")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn found(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

fn node() -> Option<PathBuf> {
    let n = found("node");
    if n.is_none() {
        eprintln!("skipped: node (Node.js) is not installed; the module's tests run it");
    }
    n
}

fn chromium() -> Option<PathBuf> {
    let c = found("chromium");
    if c.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, and CI is set: .ci/run installs it with apt-get"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
    }
    c
}

/// The framing of `wasm/src/lib.rs` (`Input::decode`), written here
/// independently of it: a test of the module's reading, too.
fn frame(date: &str, config: Option<&[u8]>, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let put = |b: &[u8], out: &mut Vec<u8>| {
        out.extend((b.len() as u32).to_le_bytes());
        out.extend(b);
    };
    out.extend(1u32.to_le_bytes());
    put(date.as_bytes(), &mut out);
    match config {
        Some(c) => put(c, &mut out),
        None => out.extend(u32::MAX.to_le_bytes()),
    }
    out.extend((files.len() as u32).to_le_bytes());
    for (name, bytes) in files {
        put(name.as_bytes(), &mut out);
        put(bytes, &mut out);
    }
    out
}

/// Runs the module in Node.js on each input; one JSON value each.
fn run_module(node: &Path, wasm: &Path, inputs: &[Vec<u8>]) -> Vec<Value> {
    let mut child = Command::new(node)
        .arg(root().join("web/node-check.mjs"))
        .arg(wasm)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut stdin = child.stdin.take().unwrap();
    let all: Vec<u8> = inputs
        .iter()
        .flat_map(|i| (i.len() as u32).to_le_bytes().into_iter().chain(i.clone()))
        .collect();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&all);
    });
    let out = child.wait_with_output().expect("node runs");
    writer.join().unwrap();
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON value a line"))
        .collect();
    assert_eq!(values.len(), inputs.len());
    values
}

/// Every file under `dir` (links not followed), by its path from the
/// repository's root, as the CLI run from there names them.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let rel = p
                    .strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

type Key = (String, String, u64, String);

fn keys(doc: &Value) -> BTreeSet<Key> {
    doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("a findings array: {doc}"))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The workspaces the CLI is compared on: `examples/`, each shared example,
/// each fixture, and each boundary case on its own.
fn workspaces() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("examples")];
    let subdirs = |d: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(d))
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().unwrap().is_dir())
            .map(|e| Path::new(d).join(e.file_name()))
            .collect();
        v.sort();
        v
    };
    out.extend(subdirs("tests/shared/examples"));
    for f in subdirs("tests/fixtures") {
        if f.ends_with("boundary-cases") {
            out.extend(subdirs("tests/fixtures/boundary-cases"));
        } else {
            out.push(f);
        }
    }
    out
}

/// The module gives the same findings (rule, file, line, message) as
/// `icslint check --format json` on every example and fixture, with their
/// configurations and local packs given among the files.
#[test]
fn the_module_finds_what_the_cli_finds_on_every_example_and_fixture() {
    let Some((wasm, _)) = built() else { return };
    let Some(node) = node() else { return };
    let spaces = workspaces();
    assert!(spaces.len() > 100, "{} workspaces", spaces.len());
    let inputs: Vec<Vec<u8>> = spaces
        .iter()
        .map(|d| frame(DATE, None, &files_under(&root().join(d))))
        .collect();
    let started = Instant::now();
    let got = run_module(&node, wasm, &inputs);
    eprintln!(
        "the module checked {} workspaces in {:?} (Node.js, one instance each)",
        spaces.len(),
        started.elapsed()
    );
    let mut compared = 0;
    for (dir, result) in spaces.iter().zip(&got) {
        let d = dir.to_str().unwrap();
        let cli = icslint(&["check", d, "--format", "json", "--as-of", DATE], &root());
        let cli: Value = serde_json::from_str(&stdout(&cli))
            .unwrap_or_else(|e| panic!("{d}: the CLI's JSON: {e}"));
        assert!(
            result.get("trap").is_none(),
            "{d}: the module trapped: {result}"
        );
        let (want, have) = (keys(&cli), keys(&result["findings"]));
        assert_eq!(
            want.symmetric_difference(&have).collect::<Vec<_>>(),
            Vec::<&Key>::new(),
            "{d}: findings differ (CLI {} vs module {})",
            want.len(),
            have.len()
        );
        compared += want.len();
        // Every finding's rule is explained, as `icslint explain` would.
        for (rule, ..) in &have {
            assert!(
                result["rules"][rule]["explain"]
                    .as_str()
                    .is_some_and(|e| e.starts_with(rule.as_str())),
                "{d}: no explanation of {rule}"
            );
        }
    }
    assert!(compared > 250, "only {compared} findings compared");
}

/// Bytes the CLI diagnoses: Latin-1 and UTF-16 files, a configuration with
/// an unknown key and a bad regime, a folder's own configuration naming a
/// pack that is not there. The module gives the CLI's findings, word for word.
#[test]
fn the_module_diagnoses_bytes_and_configurations_as_the_cli_does() {
    let Some((wasm, _)) = built() else { return };
    let Some(node) = node() else { return };
    let dir = common::scratch("web-bytes");
    std::fs::write(
        dir.join("latin1.icg"),
        b"system s \"Sant\xe9\" { regime 2022 }\n",
    )
    .unwrap();
    std::fs::write(dir.join("utf16.icg"), [0xFF, 0xFE, b's', 0, b'y', 0]).unwrap();
    common::write(&dir, "icslint.yaml", "regime: 1999\nfrobnicate: yes\n");
    common::write(
        &dir,
        "sub/icslint.yaml",
        "rules:\n  - missing.yaml\n  - ../../outside.yaml\n",
    );
    common::write(&dir, "sub/a.icg", "system t \"T\" { regime 2022 }\n");
    let rel = dir
        .strip_prefix(root())
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let cli = icslint(
        &["check", &rel, "--format", "json", "--as-of", DATE],
        &root(),
    );
    let cli: Value = serde_json::from_str(&stdout(&cli)).unwrap();
    let input = frame(DATE, None, &files_under(&dir));
    let got = &run_module(&node, wasm, &[input])[0];
    let want = keys(&cli);
    let rules: BTreeSet<&str> = want.iter().map(|k| k.0.as_str()).collect();
    assert!(
        rules.contains("ICG009") && rules.contains("ICG013"),
        "{want:?}"
    );
    assert_eq!(keys(&got["findings"]), want);
    assert_eq!(got["exit"], 2);
}

/// On the example the module's human text is the CLI's `--color never`
/// output, and its report is `icslint report --html`'s.
#[test]
fn the_module_prints_and_reports_as_the_cli_does() {
    let Some((wasm, _)) = built() else { return };
    let Some(node) = node() else { return };
    let input = frame(DATE, None, &files_under(&root().join("examples")));
    let got = &run_module(&node, wasm, &[input])[0];
    let human = icslint(
        &["check", "examples", "--color", "never", "--as-of", DATE],
        &root(),
    );
    assert_eq!(got["human"].as_str().unwrap(), stdout(&human));
    assert_eq!(got["exit"], human.status.code().unwrap());
    let report = icslint(
        &["report", "examples", "--format", "html", "--as-of", DATE],
        &root(),
    );
    assert_eq!(got["report"].as_str().unwrap(), stdout(&report));
}

/// Hostile inputs: each is checked to a result (never a trap), and what
/// must be refused is.
#[test]
fn hostile_inputs_never_trap_the_module() {
    let Some((wasm, _)) = built() else { return };
    let Some(node) = node() else { return };
    let f = |name: &str, bytes: Vec<u8>| (name.to_string(), bytes);
    // A few megabytes of garbage, the same on every run.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let garbage: Vec<u8> = (0..3 << 20)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    let deep = "system s \"S\" {\n".repeat(200_000).into_bytes();
    let brackets = format!(
        "system s \"S\" {{ x {}1{} }}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    let cases: Vec<(&str, Option<&[u8]>, Vec<(String, Vec<u8>)>)> = vec![
        ("garbage", None, vec![f("g.icg", garbage.clone())]),
        ("garbage as text", None, vec![f("g.icg", String::from_utf8_lossy(&garbage).into_owned().into_bytes())]),
        ("deep nesting", None, vec![f("deep.icg", deep)]),
        ("deep brackets", None, vec![f("b.icg", brackets.into_bytes())]),
        ("UTF-16", None, vec![f("u.icg", vec![0xFF, 0xFE, b's', 0])]),
        ("NUL and controls", None, vec![f("n.icg", b"system s \"\0\x1b[31m\x07\xe2\x80\xae\" { regime 2022 }".to_vec())]),
        ("an alias bomb as configuration", Some(bomb.as_bytes()), vec![f("x.icg", b"".to_vec())]),
        ("a pack outside the folder", Some(b"rules:\n  - ../../etc/passwd\n  - /etc/passwd\n"), vec![f("x.icg", b"".to_vec())]),
        ("a hostile local pack", None, vec![
            f("icslint.yaml", b"rules: [p.yaml]\n".to_vec()),
            f("p.yaml", format!("name: p\nrules:\n  - id: LOCAL001\n    name: x\n    severity: error\n    scope: system\n    check: {}true{}\n    message: m\n", "(".repeat(50_000), ")".repeat(50_000)).into_bytes()),
            f("x.icg", b"system s \"S\" { regime 2022 }".to_vec()),
        ]),
        ("hostile names", None, vec![
            f("<img src=x onerror=alert(1)>.icg", b"system s \"<script>alert(1)</script>\" { regime 2022 }".to_vec()),
            f("a\n::error::x.icg", b"".to_vec()),
        ]),
        ("no files at all", None, vec![]),
    ];
    let inputs: Vec<Vec<u8>> = cases
        .iter()
        .map(|(_, c, files)| frame(DATE, *c, files))
        .collect();
    let got = run_module(&node, wasm, &inputs);
    for ((what, ..), v) in cases.iter().zip(&got) {
        assert!(v.get("trap").is_none(), "{what}: the module trapped: {v}");
        assert!(v.get("error").is_none(), "{what}: {v}");
        assert!(v["findings"]["findings"].is_array(), "{what}: {v}");
        assert!(v["human"].is_string() && v["summary"].is_string(), "{what}");
    }
    let rules = |i: usize| -> Vec<String> {
        got[i]["findings"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        rules(0).contains(&"ICG009".to_string()),
        "garbage is not UTF-8"
    );
    assert!(rules(4).contains(&"ICG009".to_string()), "UTF-16 is named");
    assert!(
        rules(2).contains(&"ICG001".to_string()),
        "deep nesting is a syntax error"
    );
    assert!(
        rules(6).contains(&"ICG013".to_string()),
        "the alias bomb is refused"
    );
    let outside = &got[7]["findings"]["findings"];
    let messages: Vec<&str> = outside
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("was not read"))
            .count(),
        2,
        "{messages:?}"
    );
    // The human text carries no raw control character or bidirectional override.
    let human = got[5]["human"].as_str().unwrap();
    assert!(
        !human
            .chars()
            .any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}'),
        "{human:?}"
    );
}

/// Runs headless Chromium on `url` and returns the DOM after its scripts ran.
fn dump_dom(bin: &Path, name: &str, url: &str, extra: &[&str]) -> String {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let profile = common::scratch(&format!("web-chromium-{name}"));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--virtual-time-budget=30000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let mut err = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium did not finish within 180 s: {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = reader.join().unwrap();
    let _ = err_reader.join();
    dom
}

/// The page's DOM once its check has ended (`data-state` "checked" or
/// "failed"). `--virtual-time-budget` does not wait for an asynchronous
/// `WebAssembly.compile`: on a loaded machine the budget can run out
/// before the module is ready, and Chromium dumps a page still loading.
/// So Chromium runs one at a time (`dump_dom`), and a run that dumped too
/// early is run again (three tries) before the test says what state it saw.
fn settled_dom(bin: &Path, name: &str, url: &str) -> String {
    let mut states = Vec::new();
    for _ in 0..3 {
        let dom = dump_dom(bin, name, url, &["--dump-dom"]);
        let doc = scraper::Html::parse_document(&dom);
        let body = scraper::Selector::parse("body").unwrap();
        let state = doc
            .select(&body)
            .next()
            .and_then(|b| b.value().attr("data-state"))
            .unwrap_or("(none)")
            .to_string();
        if state == "checked" || state == "failed" {
            return dom;
        }
        eprintln!("the page at {url} was dumped in state {state:?}; running it again");
        states.push(state);
    }
    panic!("the page at {url} never finished its check; states seen: {states:?}");
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.canonicalize().unwrap().display())
}

/// The rule IDs the page lists (`data-rule` of each finding).
fn dom_rules(dom: &str) -> BTreeSet<String> {
    let doc = scraper::Html::parse_document(dom);
    let sel = scraper::Selector::parse("#findings li[data-rule]").unwrap();
    doc.select(&sel)
        .map(|e| e.value().attr("data-rule").unwrap().to_string())
        .collect()
}

/// `index.html#example` in headless Chromium lists the rules `icslint
/// check examples/ --format json` finds, shows the board report in a
/// sandboxed frame, and makes no request (its policy forbids every one).
#[test]
fn the_page_opened_as_example_lists_the_rules_the_cli_finds() {
    let Some((_, page)) = built() else { return };
    let Some(bin) = chromium() else { return };
    let html = std::fs::read_to_string(page).unwrap();
    // One file: nothing linked, loaded or fetched.
    let policy = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'";
    assert!(html.contains(policy), "the page's policy");
    for needle in [
        "<link",
        " src=\"",
        "fetch(",
        "XMLHttpRequest",
        "http://",
        "https://",
    ] {
        assert!(!html.contains(needle), "the page holds {needle:?}");
    }
    let url = format!("{}#example", file_url(page));
    let dom = settled_dom(&bin, "example", &url);
    assert!(
        dom.contains("data-state=\"checked\""),
        "the example was checked: {}",
        &dom[..dom.len().min(3000)]
    );
    let cli = icslint(&["check", "examples/", "--format", "json"], &root());
    let cli: Value = serde_json::from_str(&stdout(&cli)).unwrap();
    let want: BTreeSet<String> = keys(&cli).into_iter().map(|k| k.0).collect();
    assert!(!want.is_empty());
    assert_eq!(dom_rules(&dom), want);
    let doc = scraper::Html::parse_document(&dom);
    let frame = scraper::Selector::parse("iframe#report").unwrap();
    let frame = doc.select(&frame).next().expect("the report's frame");
    assert_eq!(
        frame.value().attr("sandbox"),
        Some(""),
        "no script in the report"
    );
    assert!(frame
        .value()
        .attr("srcdoc")
        .is_some_and(|s| s.contains("Content-Security-Policy")));
    // Each finding names its severity in words, not by colour alone.
    let sev = scraper::Selector::parse("#findings li .sev").unwrap();
    assert!(doc.select(&sev).all(|e| ["Error", "Warning", "Advice"]
        .iter()
        .any(|w| e.text().collect::<String>().contains(w))));
    // Every control has a name a screen reader reads: a field its label,
    // a button or tab its text; tabs name the panel they control.
    let labels: BTreeSet<String> = doc
        .select(&scraper::Selector::parse("label[for]").unwrap())
        .map(|l| l.value().attr("for").unwrap().to_string())
        .collect();
    for field in doc.select(&scraper::Selector::parse("input, textarea, select").unwrap()) {
        let id = field.value().attr("id").unwrap_or_default();
        assert!(labels.contains(id), "the field {id:?} has no label");
    }
    for b in doc.select(&scraper::Selector::parse("button").unwrap()) {
        assert!(
            !b.text().collect::<String>().trim().is_empty(),
            "a button without a name"
        );
    }
    for t in doc.select(&scraper::Selector::parse("[role=tab]").unwrap()) {
        let panel = t
            .value()
            .attr("aria-controls")
            .expect("a tab controls a panel");
        assert!(dom.contains(&format!("id=\"{panel}\"")), "no panel {panel}");
    }
    // A screenshot to look at (target/web/example.png).
    let shot = root().join("target/web/example.png");
    let _ = std::fs::remove_file(&shot);
    dump_dom(
        &bin,
        "example-shot",
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1800",
        ],
    );
    assert!(shot.is_file(), "a screenshot");
}

/// Files whose names and texts are markup and script: the page shows them
/// as text; no element or handler of theirs exists, and no script of
/// theirs runs (the page's title would change).
#[test]
fn hostile_files_never_inject_into_the_page() {
    let Some((_, page)) = built() else { return };
    let Some(bin) = chromium() else { return };
    let evil = "<img src=x onerror=\"document.title='PWNED'\">";
    let files = serde_json::json!([
        [format!("{evil}.icg"), format!("system s \"{evil}</script><script>document.title='PWNED'</script>\" {{ regime 2022 }}\nicb i \"{evil}\" {{ }}\n")],
        ["b.icg", "system t \"T\" { regime 2022 }\nicb j \"<svg onload=document.title='PWNED'>\" { system t }\n"],
    ]);
    // `<` written as an escape: the data cannot close the script it is in.
    let data = files.to_string().replace('<', "\\u003c");
    let html = std::fs::read_to_string(page).unwrap().replace(
        "</body>",
        &format!("<script>icslintPage.checkFiles({data});</script>\n</body>"),
    );
    let hostile = root().join("target/web/hostile-test.html");
    std::fs::write(&hostile, html).unwrap();
    let dom = settled_dom(&bin, "hostile", &file_url(&hostile));
    assert!(
        dom.contains("data-state=\"checked\""),
        "checked: {}",
        &dom[..dom.len().min(3000)]
    );
    let doc = scraper::Html::parse_document(&dom);
    let title = scraper::Selector::parse("title").unwrap();
    let title: String = doc.select(&title).next().unwrap().text().collect();
    assert!(!title.contains("PWNED"), "a script of the input ran");
    for tag in ["img", "svg"] {
        let sel = scraper::Selector::parse(tag).unwrap();
        assert_eq!(
            doc.select(&sel).count(),
            0,
            "an <{tag}> of the input is in the page"
        );
    }
    let handlers = scraper::Selector::parse("[onerror], [onload]").unwrap();
    assert_eq!(doc.select(&handlers).count(), 0);
    // The names are there, as text.
    let list = scraper::Selector::parse("#file-list li").unwrap();
    assert!(doc
        .select(&list)
        .any(|li| li.text().collect::<String>().contains(evil)));
    assert!(!dom_rules(&dom).is_empty());
}
