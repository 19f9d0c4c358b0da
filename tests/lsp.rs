//! `icslint lsp` driven over stdio as an editor would drive it: the
//! published diagnostics equal `check`'s findings, edits update them, and
//! hover, definition, completion and code actions work on a real workspace
//! (`../shared/examples/northmoor`). Nothing is written to disk: every edit
//! is an editor buffer.

mod common;

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// The latest diagnostics published for each file.
    latest: HashMap<String, Vec<Value>>,
    /// The document version of each publication, by file, in order.
    versions: HashMap<String, Vec<Option<i64>>>,
    /// Requests from the server (methods).
    server_requests: Vec<String>,
    next_id: i64,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn start(root: &Path) -> Client {
        Client::start_in(Some(root), json!({}))
    }

    fn start_in(root: Option<&Path>, capabilities: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_icslint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("icslint lsp starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            while let Some(m) = read_message(&mut stdout) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            incoming,
            latest: HashMap::new(),
            versions: HashMap::new(),
            server_requests: Vec::new(),
            next_id: 1,
        };
        let params = match root {
            Some(root) => json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "workspace"}],
                "capabilities": capabilities,
            }),
            None => json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        };
        let init = c.request("initialize", params);
        assert!(init["result"]["capabilities"]["hoverProvider"]
            .as_bool()
            .unwrap());
        c.notify("initialized", json!({}));
        c
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_string(&msg).unwrap();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        match self.incoming.recv_timeout(TIMEOUT) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Sends a request and returns its response (the whole message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            let m = self.next();
            if m["id"] == json!(id) && m.get("method").is_none() {
                return m;
            }
            if m.get("id").is_some() {
                if let Some(method) = m["method"].as_str() {
                    self.server_requests.push(method.to_string());
                }
            }
            if m["method"] == "textDocument/publishDiagnostics" {
                let uri = m["params"]["uri"].as_str().unwrap().to_string();
                let diags = m["params"]["diagnostics"].as_array().unwrap().clone();
                let version = m["params"]["version"].as_i64();
                self.versions.entry(uri.clone()).or_default().push(version);
                self.latest.insert(uri, diags);
            }
        }
        panic!("no response to {method}");
    }

    /// The latest diagnostics of a file, after every edit sent so far has
    /// been checked: requests are answered after the check their edits
    /// caused, so a round-trip brings every earlier publication.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.request("workspace/symbol", json!({"query": "zzz-no-such-symbol"}));
        self.last_published(uri)
    }

    fn last_published(&self, uri: &str) -> Vec<Value> {
        self.latest.get(uri).cloned().unwrap_or_default()
    }
}

fn uri(p: &Path) -> String {
    let s = p.to_string_lossy().replace(' ', "%20");
    format!("file://{s}")
}

fn northmoor() -> Option<PathBuf> {
    let dir = common::shared_examples().join("northmoor");
    if !dir.is_dir() {
        eprintln!(
            "skipped: {} is absent (the annotated examples sit beside the repository)",
            dir.display()
        );
        return None;
    }
    Some(std::fs::canonicalize(dir).unwrap())
}

/// (rule, line, column) of each primary diagnostic (not a copy of another
/// file's finding at one of its labels), sorted.
fn primary(diags: &[Value]) -> Vec<(String, u64, u64)> {
    let mut v: Vec<_> = diags
        .iter()
        .filter(|d| d["data"].get("labelOf").is_none())
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn codes(diags: &[Value]) -> Vec<String> {
    primary(diags).into_iter().map(|(c, _, _)| c).collect()
}

fn change(c: &mut Client, uri: &str, version: i64, changes: Value) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

fn pos(text: &str, needle: &str, extra: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in the text"))
        + extra;
    let line = text[..at].matches('\n').count();
    let col = text[..at]
        .rsplit('\n')
        .next()
        .unwrap()
        .encode_utf16()
        .count();
    json!({"line": line, "character": col})
}

#[test]
fn a_session_on_northmoor() {
    let Some(root) = northmoor() else { return };
    let hwb_path = root.join("health-wellbeing-boards.icg");
    let hwb = uri(&hwb_path);
    let icb = uri(&root.join("icb-constitution.icg"));
    let partnership = uri(&root.join("partnership.icg"));
    let original = std::fs::read_to_string(&hwb_path).unwrap();

    // What `check` says about the file, as (rule, line, column) 0-based.
    let out = common::icslint(&["check", "--format", "json", "."], &root);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut expected: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["location"]["path"]
                .as_str()
                .unwrap()
                .ends_with("health-wellbeing-boards.icg")
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap() - 1,
                f["location"]["column"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    expected.sort();
    assert!(
        expected.len() > 5,
        "northmoor's HWBs have findings: {expected:?}"
    );

    let mut c = Client::start(&root);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": hwb, "languageId": "icg", "version": 1, "text": original}}),
    );
    let diags = c.diagnostics(&hwb);
    assert_eq!(primary(&diags), expected, "the same findings as `check`");

    // A cross-file finding: CCN124 (the HWB's remit duplicates the ICP's)
    // carries the ICP's remit as related information, and shows in the ICP's file too.
    let ccn124 = diags.iter().find(|d| d["code"] == "CCN124").unwrap();
    let related = ccn124["relatedInformation"].as_array().unwrap();
    assert!(
        related.iter().any(|r| r["location"]["uri"] == partnership),
        "{related:?}"
    );
    let href = ccn124["codeDescription"]["href"].as_str().unwrap();
    assert!(href.contains("rules.md#ccn124-"), "{href}");
    assert!(ccn124["message"]
        .as_str()
        .unwrap()
        .contains("source: ccn-2022"));
    let in_icp = c.last_published(&partnership);
    assert!(
        in_icp.iter().any(|d| d["data"]["labelOf"] == "CCN124"),
        "the ICP's file shows the HWB's finding: {in_icp:?}"
    );
    let icb_before = primary(&c.last_published(&icb));
    assert!(!icb_before.is_empty());

    // Hover on the finding: its provenance and the rule's explanation.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": hwb}, "position": ccn124["range"]["start"]}),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("CCN124"), "{text}");
    assert!(text.contains("source: ccn-2022"), "{text}");
    assert!(
        text.contains("What it checks"),
        "the `explain` text: {text}"
    );

    // Go to the definition of `@nm_icp`: the ICP's block in partnership.icg.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": hwb}, "position": pos(&original, "@nm_icp", 2)}),
    );
    assert_eq!(def["result"]["uri"], partnership);
    assert_eq!(def["result"]["range"]["start"]["line"], 0);

    // References to the ICP: its declaration, and the HWB's `with @nm_icp`.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": hwb}, "position": pos(&original, "@nm_icp", 2),
               "context": {"includeDeclaration": true}}),
    );
    let refs = refs["result"].as_array().unwrap();
    assert!(refs.iter().any(|l| l["uri"] == hwb), "{refs:?}");
    assert!(refs.iter().any(|l| l["uri"] == partnership), "{refs:?}");

    // The outline: three HWBs, the first with its members and division.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": hwb}}),
    );
    let symbols = symbols["result"].as_array().unwrap();
    assert_eq!(symbols.len(), 3);
    assert_eq!(symbols[0]["name"], "Moorshire Health and Wellbeing Board");
    assert_eq!(symbols[0]["children"].as_array().unwrap().len(), 5);
    let folds = c.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": hwb}}),
    );
    assert!(folds["result"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["startLine"] == 0 && f["endLine"] == 22));
    let found = c.request("workspace/symbol", json!({"query": "dalesford"}));
    assert!(found["result"].as_array().unwrap().len() >= 2);

    // A garbage message, and an unknown method, in between: the server goes on.
    c.send_raw(b"Content-Length: 9\r\n\r\n{garbage!");
    c.send_raw(b"Content-Length: 12\r\n\r\n{\"foo\": 42}\n");
    let unknown = c.request("icslint/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);

    // Fix one finding: Dalesford's functions gain the Better Care Fund plan.
    assert!(expected.iter().any(|(r, l, _)| r == "STA011" && *l == 27));
    change(
        &mut c,
        &hwb,
        2,
        json!([{"range": {"start": pos(&original, "[jsna]", 5), "end": pos(&original, "[jsna]", 5)}, "text": ", bcf_plan"}]),
    );
    let fixed = c.diagnostics(&hwb);
    let now = primary(&fixed);
    assert!(
        !now.iter().any(|(r, l, _)| r == "STA011" && *l == 27),
        "{now:?}"
    );
    let mut rest = expected.clone();
    rest.retain(|(r, l, _)| !(r == "STA011" && *l == 27));
    assert!(
        rest.iter().all(|e| now.contains(e)),
        "the other findings stay: {now:?}"
    );
    let text = original.replacen("[jsna]", "[jsna, bcf_plan]", 1);

    // Completion after `role `: the role words.
    let with_role = text.replacen(
        "    member \"Chair\" { role chair; person \"Cllr Rita Moss\"",
        "    member \"Chair\" { role ",
        1,
    );
    assert!(with_role.contains("{ role ; category"));
    change(&mut c, &hwb, 3, json!([{"text": with_role}]));
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": hwb}, "position": pos(&with_role, "{ role ;", 7)}),
    );
    let labels: Vec<&str> = items["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"chair") && labels.contains(&"non_executive"),
        "{labels:?}"
    );

    // A syntax error: ICG001 here, and the other files' diagnostics stay.
    assert!(codes(&c.diagnostics(&hwb)).contains(&"ICG001".to_string()));
    assert_eq!(primary(&c.last_published(&icb)), icb_before);

    // An unknown key, its did-you-mean quick fix, and the fix applied.
    let typo = text.replacen(
        "    functions [jsna, jhws, bcf_plan, strategic",
        "    functoins [jsna, jhws, bcf_plan, strategic",
        1,
    );
    change(&mut c, &hwb, 4, json!([{"text": typo}]));
    let diags = c.diagnostics(&hwb);
    let unknown = diags
        .iter()
        .find(|d| d["code"] == "ICG002")
        .unwrap_or_else(|| panic!("an unknown-key finding: {diags:?}"))
        .clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": hwb}, "range": unknown["range"], "context": {"diagnostics": [unknown]}}),
    );
    let actions = actions["result"].as_array().unwrap();
    let quick = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("`functions`"))
        .unwrap_or_else(|| panic!("a did-you-mean fix: {actions:?}"));
    assert!(actions
        .iter()
        .any(|a| a["title"].as_str().unwrap().starts_with("Allow ICG002")));
    let edit = &quick["edit"]["changes"][&hwb][0];
    assert_eq!(edit["newText"], "functions");
    change(
        &mut c,
        &hwb,
        5,
        json!([{"range": edit["range"], "text": edit["newText"]}]),
    );
    let after = c.diagnostics(&hwb);
    assert!(!codes(&after).contains(&"ICG002".to_string()), "{after:?}");
    assert_eq!(primary(&after), now, "back to the fixed text's findings");

    // Shutdown and exit, as the protocol says: status 0.
    let shut = c.request("shutdown", Value::Null);
    assert!(shut["result"].is_null() && shut.get("error").is_none());
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
}

/// UTF-16 columns on a CRLF file with é, ’ and £; closing a file goes back
/// to the disk copy; a changed icslint.yaml applies at once; `exit`
/// without `shutdown` is status 1.
#[test]
fn positions_buffers_and_configuration() {
    let dir = std::fs::canonicalize(common::scratch("lsp-positions")).unwrap();
    let line1 = "icb t_icb \"NHS Tées’ £ ICB\" { system @tees; membrship_review every 12 months }";
    let disk = format!("system tees \"Tées Valley ICS\" {{ regime 2022 }}\r\n{line1}\r\n");
    let path = common::write(&dir, "tees.icg", &disk);
    common::write(&dir, "icslint.yaml", "select: [ICG]\n");
    let file = uri(&path);
    // A client that can watch files is asked to watch .icg and YAML files.
    let mut c = Client::start_in(
        Some(&dir),
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "icg", "version": 1, "text": disk}}),
    );
    let diags = c.diagnostics(&file);
    assert_eq!(codes(&diags), ["ICG002"], "{diags:?}");
    assert_eq!(c.server_requests, ["client/registerCapability"]);
    let at = line1.find("membrship_review").unwrap();
    let col = line1[..at].encode_utf16().count() as u64;
    assert_eq!(
        col as usize,
        at - 4,
        "é, ’ and £ are 2, 3 and 2 bytes but one unit each"
    );
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 1, "character": col})
    );
    assert_eq!(
        diags[0]["range"]["end"],
        json!({"line": 1, "character": col + 16})
    );

    // An unsaved second typo, then closing without saving: the disk copy again.
    let edited = disk.replace("regime 2022", "regim 2022");
    change(&mut c, &file, 2, json!([{"text": edited}]));
    assert_eq!(codes(&c.diagnostics(&file)), ["ICG002", "ICG002"]);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": file}}),
    );
    assert_eq!(codes(&c.diagnostics(&file)), ["ICG002"]);

    // Formatting: `icslint fmt`'s layout, as one edit of the whole buffer,
    // keeping CRLF; nothing to do for a file already formatted.
    let resp = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": file}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let edits = resp["result"].as_array().expect("a list of edits").clone();
    assert_eq!(edits.len(), 1, "{resp}");
    let formatted = edits[0]["newText"].as_str().unwrap();
    assert_eq!(
        formatted,
        icslint::fmt::format(&disk).expect("formats"),
        "the same layout as `icslint fmt`"
    );
    assert!(formatted.contains("\r\n") && !formatted.replace("\r\n", "").contains('\n'));
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );

    // The configuration changes on disk: ICG002 is ignored, and the file's
    // diagnostics are cleared.
    let config = common::write(&dir, "icslint.yaml", "select: [ICG]\nignore: [ICG002]\n");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(c.diagnostics(&file), Vec::<Value>::new());

    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(1), "exit without shutdown");
}

/// Without a workspace folder, the folder of the first file opened is the
/// workspace: references into its other files resolve.
#[test]
fn a_lone_file_takes_its_folder_as_the_workspace() {
    let dir = std::fs::canonicalize(common::scratch("lsp-lone-file")).unwrap();
    common::write(&dir, "system.icg", "system tees \"Tees\" { regime 2022 }\n");
    let text = "place p \"P\" { system @tees; horizon 5 years; lead icb }\n";
    let path = common::write(&dir, "place.icg", text);
    let file = uri(&path);
    let mut c = Client::start_in(None, json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "icg", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&file);
    assert!(!codes(&diags).contains(&"ICG004".to_string()), "{diags:?}");
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": file}, "position": pos(text, "@tees", 1)}),
    );
    assert_eq!(def["result"]["uri"], uri(&dir.join("system.icg")));
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
}

/// A workspace of three systems: examples/riverbend, twice more with its
/// IDs renamed (`rb_icb` → `rb_icb_1`), as the benchmarks build it.
fn three_systems(dir: &Path) -> Vec<PathBuf> {
    const IDS: &[&str] = &[
        "riverbend_place",
        "portmouth_place",
        "riverbend_hwb",
        "portmouth_hwb",
        "riverbend_cc",
        "rb_strategy",
        "rb_finance",
        "rb_quality",
        "rb_scheme",
        "rb_audit",
        "rb_icb",
        "rb_icp",
        "portmouth",
        "riverbend",
        "frailty",
        "discharge",
    ];
    let rename = |text: &str, n: usize| -> String {
        let mut out = String::new();
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once('\0')) {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                word.push(c);
                continue;
            }
            if n > 0 && IDS.contains(&word.as_str()) {
                out.push_str(&format!("{word}_{n}"));
            } else {
                out.push_str(&word);
            }
            word.clear();
            if c != '\0' {
                out.push(c);
            }
        }
        out
    };
    let src = common::root().join("examples/riverbend");
    let mut names: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".icg"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for n in 0..3 {
        for name in &names {
            let text = std::fs::read_to_string(src.join(name)).unwrap();
            out.push(common::write(
                dir,
                &format!("system{n}/{name}"),
                &rename(&text, n),
            ));
        }
    }
    out
}

/// A small deterministic generator (no dependency for a test's dice).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One edit an author might make, or a typo anywhere; `None` if it does
/// not apply to this text.
fn mutate(text: &str, original: &str, dice: &mut Dice) -> Option<String> {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    match dice.below(11) {
        // A value changed inside a block.
        0 => Some(text.replacen("person \"", "person \"Dr ", 1)),
        // The file moves to another system, or back.
        1 => {
            let at = text.find("system @")? + "system @".len();
            let end = at + text[at..].find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
            let id = &text[at..end];
            let to = match id.strip_suffix("_1") {
                Some(base) => base.to_string(),
                None => format!("{id}_1"),
            };
            Some(format!("{}{to}{}", &text[..at], &text[end..]))
        }
        // A declared ID renamed: its references dangle.
        2 => {
            let at = text.find(" \"")?;
            let start = line_start(at);
            (text[start..at].split_whitespace().count() == 2)
                .then(|| format!("{}z{}", &text[..at], &text[at..]))
        }
        // A syntax error: the last closing brace removed.
        3 => {
            let at = text.rfind('}')?;
            Some(format!("{}{}", &text[..at], &text[at + 1..]))
        }
        // An unknown key and a reference to nothing.
        4 => {
            let at = text.find("{\n")? + 2;
            Some(format!(
                "{}    membrship_review every 12 months\n{}",
                &text[..at],
                &text[at..]
            ))
        }
        5 => {
            let at = text.find("{\n")? + 2;
            Some(format!("{}    lead @rb_iccb\n{}", &text[..at], &text[at..]))
        }
        // A suppression on the first line with a finding, or not.
        6 => {
            let at = text.find('\n')?;
            Some(format!(
                "{} # icslint: allow CCN111 -- agreed{}",
                &text[..at],
                &text[at..]
            ))
        }
        // Back to the file as it was.
        7 => (text != original).then(|| original.to_string()),
        // A typo: one character inserted or deleted anywhere.
        _ => {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            let at = *bounds.get(dice.below(bounds.len().max(1)))?;
            let ch = ["x", "}", "{", "\"", "@", "\n", " ", "#", "é"][dice.below(9)];
            if dice.below(2) == 0 {
                Some(format!("{}{ch}{}", &text[..at], &text[at..]))
            } else {
                let next = text[at..].chars().next()?.len_utf8();
                Some(format!("{}{}", &text[..at], &text[at + next..]))
            }
        }
    }
}

/// The correctness guard of the server's incremental re-check: after every
/// edit of a random sequence (values, a file moving to another system, IDs
/// renamed, syntax errors, typos, suppressions, reverts), the findings of
/// the re-check equal those of a fresh load and check of the same texts,
/// and so does the model that hover and navigation read. Some re-checks
/// take a part of the workspace, so the part's path is the one tested.
#[test]
fn incremental_rechecks_equal_a_fresh_check() {
    use icslint::engine::{Engine, Options};
    use icslint::lsp::{Checked, World};
    use icslint::workspace::Workspace;

    let dir = std::fs::canonicalize(common::scratch("lsp-incremental")).unwrap();
    let paths = three_systems(&dir);
    let originals: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut texts = originals.clone();
    let mut world = World::load(std::slice::from_ref(&dir));
    let files: Vec<_> = paths
        .iter()
        .zip(&texts)
        .map(|(p, t)| world.open(p, t.clone()).unwrap())
        .collect();
    world.refresh();
    let mut dice = Dice(11);
    let mut parts = 0;
    let mut wholes = 0;
    for step in 0..80 {
        // One file, or now and then two at once (a burst).
        for _ in 0..1 + usize::from(dice.below(5) == 0) {
            let i = dice.below(paths.len());
            if let Some(new) = mutate(&texts[i], &originals[i], &mut dice) {
                texts[i] = new;
                world.set(files[i], texts[i].clone());
            }
        }
        match world.refresh() {
            Some(Checked::Part(_)) => parts += 1,
            Some(Checked::All) => wholes += 1,
            None => {}
        }
        for (p, t) in paths.iter().zip(&texts) {
            std::fs::write(p, t).unwrap();
        }
        let fresh = Workspace::load(std::slice::from_ref(&dir), None).unwrap();
        let expected = Engine::new(&fresh, Options::default()).run();
        assert!(
            world.findings == expected,
            "step {step}: the re-check differs from a fresh check\n{}",
            similar::TextDiff::from_lines(
                &format!("{expected:#?}"),
                &format!("{:#?}", world.findings)
            )
            .unified_diff()
        );
        // Requests read the index the re-check kept, with no lowering:
        // they answer as a server freshly loaded on the same texts does.
        let mut again = World::load(std::slice::from_ref(&dir));
        again.refresh();
        requests_agree(&world, &again, &files, &texts, step);
        let model = &world.model().model;
        assert_eq!(
            format!("{:?}", model.blocks),
            format!("{:?}", fresh.model.blocks),
            "step {step}: the model"
        );
    }
    assert!(
        parts > 20 && wholes > 3,
        "{parts} re-checks of a part, {wholes} of the whole workspace"
    );
}

/// Hover, definition and completion just after every `@` of the texts, at the start of every word after a block's kind (its ID) and
/// at random offsets, and the workspace's symbols, are the same in the
/// server re-checked after edits (`edited`) and in one loaded afresh.
fn requests_agree(
    edited: &icslint::lsp::World,
    fresh: &icslint::lsp::World,
    files: &[icslint::source::FileId],
    texts: &[String],
    step: usize,
) {
    // Its own dice: the edits' sequence is the test's without this.
    let mut dice = Dice(step as u64);
    let all = |w: &icslint::lsp::World| w.symbols().all().cloned().collect::<Vec<_>>();
    assert_eq!(all(edited), all(fresh), "step {step}: the symbols");
    assert_eq!(
        edited.workspace_symbols(""),
        fresh.workspace_symbols(""),
        "step {step}: workspace symbols"
    );
    for (f, text) in files.iter().zip(texts) {
        let mut at: Vec<usize> = text.match_indices('@').map(|(i, _)| i + 1).collect();
        at.extend(text.match_indices(" \"").map(|(i, _)| i.saturating_sub(2)));
        at.extend((0..5).map(|_| dice.below(text.len() + 1)));
        for offset in at.into_iter().filter(|o| text.is_char_boundary(*o)) {
            assert_eq!(
                edited.hover(*f, offset),
                fresh.hover(*f, offset),
                "step {step}: hover at {offset}"
            );
            assert_eq!(
                edited.definition(*f, offset),
                fresh.definition(*f, offset),
                "step {step}: definition at {offset}"
            );
            assert_eq!(
                edited.completion(*f, offset),
                fresh.completion(*f, offset),
                "step {step}: completion at {offset}"
            );
        }
    }
}

/// The LSP position of a byte offset: line, and UTF-16 units into it.
fn position_of(text: &str, at: usize) -> Value {
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": text[start..at].encode_utf16().count()})
}

/// The one range edit that turns `old` into `new` (an editor's incremental change).
fn range_edit(old: &str, new: &str) -> Value {
    let prefix: usize = old
        .chars()
        .zip(new.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let suffix: usize = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    json!([{
        "range": {"start": position_of(old, prefix), "end": position_of(old, old.len() - suffix)},
        "text": &new[prefix..new.len() - suffix],
    }])
}

/// The correctness guard, end to end: a sequence of edits sent to the
/// server (incremental and whole-text changes, across three systems) ends
/// with the diagnostics a fresh `icslint check` gives for the final texts,
/// in every file, and each file's last publication carries its latest version.
#[test]
fn an_edit_sequence_ends_with_the_findings_of_check() {
    let dir = std::fs::canonicalize(common::scratch("lsp-edit-sequence")).unwrap();
    let paths = three_systems(&dir);
    let originals: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut texts = originals.clone();
    let mut versions = vec![1i64; paths.len()];
    let mut c = Client::start(&dir);
    for (p, t) in paths.iter().zip(&texts) {
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(p), "languageId": "icg", "version": 1, "text": t}}),
        );
    }
    let mut dice = Dice(7);
    for step in 0..40 {
        let i = dice.below(paths.len());
        let Some(new) = mutate(&texts[i], &originals[i], &mut dice) else {
            continue;
        };
        versions[i] += 1;
        let changes = if step % 3 == 0 {
            json!([{"text": new}])
        } else {
            range_edit(&texts[i], &new)
        };
        change(&mut c, &uri(&paths[i]), versions[i], changes);
        texts[i] = new;
        // Now and then a request in between, as an editor's hover would.
        if step % 4 == 0 {
            c.diagnostics(&uri(&paths[i]));
        }
    }
    c.diagnostics(&uri(&paths[0]));
    for (p, t) in paths.iter().zip(&texts) {
        std::fs::write(p, t).unwrap();
    }
    let out = common::icslint(&["check", "--format", "json", "."], &dir);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut expected: HashMap<String, Vec<(String, u64, u64, String)>> = HashMap::new();
    for f in report["findings"].as_array().unwrap() {
        let path = f["location"]["path"].as_str().unwrap();
        let path = path.trim_start_matches("./").to_string();
        expected.entry(path).or_default().push((
            f["rule"].as_str().unwrap().to_string(),
            f["location"]["line"].as_u64().unwrap() - 1,
            f["location"]["end_line"].as_u64().unwrap() - 1,
            f["message"].as_str().unwrap().to_string(),
        ));
    }
    let mut total = 0;
    for (k, p) in paths.iter().enumerate() {
        let rel = p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        let mut want = expected.remove(&rel).unwrap_or_default();
        want.sort();
        let mut got: Vec<(String, u64, u64, String)> = c
            .last_published(&uri(p))
            .iter()
            .filter(|d| d["data"].get("labelOf").is_none())
            .map(|d| {
                let m = d["message"].as_str().unwrap();
                // The editor's message adds the help, the explanation, the
                // document and the source to `check`'s message.
                let m = ["\nhelp: ", "\nexplained: ", "\ndocument: ", "\nsource: "]
                    .iter()
                    .fold(m, |m, tail| m.split(tail).next().unwrap());
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["range"]["start"]["line"].as_u64().unwrap(),
                    d["range"]["end"]["line"].as_u64().unwrap(),
                    m.to_string(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{rel}: the server's diagnostics and `check`'s");
        total += want.len();
        // Publications of an open file carry its version, never going back
        // (those before it was opened have none).
        let seen: Vec<i64> = c
            .versions
            .get(&uri(p))
            .into_iter()
            .flatten()
            .flatten()
            .copied()
            .collect();
        assert!(seen.iter().all(|v| *v <= versions[k]), "{rel}: {seen:?}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{rel}: {seen:?}");
    }
    assert!(
        total > 20,
        "the final texts have findings to compare: {total}"
    );
    assert!(
        expected.is_empty(),
        "files only `check` reports: {expected:?}"
    );
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
}

/// The byte offset of an LSP position in an ASCII text.
fn offset_of(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + p["character"].as_u64().unwrap() as usize
}

/// A pack rule's fix (the shared `Fix` a finding carries) is a code
/// action: CCN111's inserts `membership_review every 12 months` into the
/// ICB; it changes what the document says, so it is offered but not
/// preferred, and applying it removes the finding.
#[test]
fn a_rule_fix_is_a_code_action() {
    let dir = std::fs::canonicalize(common::scratch("lsp-rule-fix")).unwrap();
    common::write(&dir, "icslint.yaml", "select: [CCN111]\n");
    let text = "system s \"Example ICS\" { regime 2022 }\nicb e_icb \"NHS Example ICB\" {\n    system @s\n    membership_review every 24 months\n}\n";
    let path = common::write(&dir, "icb.icg", text);
    let file = uri(&path);
    let mut c = Client::start(&dir);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "icg", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&file);
    assert_eq!(codes(&diags), ["CCN111"], "{diags:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file}, "range": diags[0]["range"], "context": {"diagnostics": [diags[0]]}}),
    );
    let actions = actions["result"].as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Review the board's membership every 12 months")
        .unwrap_or_else(|| panic!("the rule's fix: {actions:?}"));
    assert_eq!(fix["isPreferred"], false, "{fix}");
    let edits = fix["edit"]["changes"][&file].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let (start, end) = (
        offset_of(text, &edits[0]["range"]["start"]),
        offset_of(text, &edits[0]["range"]["end"]),
    );
    let fixed = format!(
        "{}{}{}",
        &text[..start],
        edits[0]["newText"].as_str().unwrap(),
        &text[end..]
    );
    assert!(
        fixed.contains("membership_review every 12 months"),
        "{fixed}"
    );
    change(&mut c, &file, 2, json!([{"text": fixed}]));
    assert_eq!(c.diagnostics(&file), Vec::<Value>::new());
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
}

/// A pack rule using `kinds(...)` looks at blocks no ID links to the edited
/// file: the server then re-checks the whole workspace, so removing the
/// only HWB (in another system's file) gives every system the finding.
#[test]
fn a_rule_looking_beyond_links_rechecks_the_whole_workspace() {
    use icslint::lsp::{Checked, World};

    let dir = std::fs::canonicalize(common::scratch("lsp-kinds")).unwrap();
    common::write(&dir, "icslint.yaml", "rules: [ours.yaml]\nselect: [LOC]\n");
    common::write(
        &dir,
        "ours.yaml",
        r#"pack: ours
title: Our rules
source: our-handbook
rules:
  - id: LOC900
    name: some-board
    provenance:
      source: our-handbook
      ref: "Section 1"
      summary: Some health and wellbeing board is described.
    severity: warning
    scope: system
    assert: count(kinds(hwb)) > 0
    message: "{name}: the workspace describes no health and wellbeing board"
    help: "Describe the boards of the area."
    description: Some HWB is described.
    why: A workspace without boards checks little.
    examples:
      fail: |
        system s "S" { regime 2022 }    # expect: LOC900
      pass: |
        system s "S" { regime 2022 }
        hwb h "H" { system @s }
"#,
    );
    common::write(&dir, "a.icg", "system s \"S\" { regime 2022 }\n");
    let b = "system t \"T\" { regime 2022 }\nhwb h \"H\" { system @t }\n";
    let b_path = common::write(&dir, "b.icg", b);
    let mut world = World::load(std::slice::from_ref(&dir));
    world.refresh();
    let loc = |w: &World| w.findings.iter().filter(|f| f.rule == "LOC900").count();
    assert_eq!(loc(&world), 0);
    let file = world.open(&b_path, b.to_string()).unwrap();
    world.set(file, "system t \"T\" { regime 2022 }\n".to_string());
    assert_eq!(world.refresh(), Some(Checked::All));
    assert_eq!(loc(&world), 2, "{:#?}", world.findings);
}

/// Comply or explain in the editor: an explained finding is a hint whose
/// text says who approved the departure, and hover cites the document.
#[test]
fn an_explained_finding_is_a_hint_citing_its_document() {
    let dir = std::fs::canonicalize(common::scratch("lsp-explained")).unwrap();
    let fixture = common::root().join("tests/fixtures/explanations/valid");
    common::write(&dir, "icslint.yaml", "select: [CCN111, ICG]\n");
    let text = std::fs::read_to_string(fixture.join("wessex.icg")).unwrap();
    let path = common::write(&dir, "wessex.icg", &text);
    let file = uri(&path);
    let mut c = Client::start(&dir);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "icg", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(&file);
    assert_eq!(codes(&diags), ["CCN111"], "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 4, "a hint: {d}");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("explained: approved by NHS Wessex Vale ICB on 2025-06-01"),
        "{message}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": d["range"]["start"]}),
    );
    let shown = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("(explained)"), "{shown}");
    assert!(
        shown.contains("document: NHS Wessex Vale ICB Constitution v3.2, clause 3.4.1"),
        "{shown}"
    );
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(0));
}
