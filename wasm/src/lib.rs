//! icslint as a WebAssembly module: the checker of the offline page
//! (`web/build.sh` inlines it into `target/web/index.html`).
//!
//! One entry point, [`check`]: the files as bytes (names and contents),
//! the date the documents are checked as of, and an optional
//! `icslint.yaml`; it returns one JSON document with the findings (the
//! CLI's `--format json`), their human rendering (the CLI's, without
//! colour), each rule's explanation and the board's HTML report.
//!
//! The module exports plain functions (`icslint_alloc`, `icslint_free`,
//! `icslint_check`) rather than wasm-bindgen glue: the page's script is
//! twenty lines of `WebAssembly.instantiate` and a byte framing, and the
//! build needs only `rustup target add wasm32-unknown-unknown`, not a
//! `wasm-bindgen-cli` that must match the crate's version exactly and
//! takes minutes to install.
//!
//! The browser has no clock (the date is given), no file system
//! (`Workspace::from_files`) and no threads (the library's single-thread
//! paths: every `spawn` fails, and the work is done on this thread).

use icslint::diagnostic::Severity;
use icslint::engine::{Engine, Options};
use icslint::safe::{Guard, Mode};
use icslint::syntax::Date;
use icslint::workspace::{Workspace, CONFIG_NAME};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// The version of [`check`]'s JSON and of its input's framing.
pub const VERSION: u32 = 1;

/// What the page gives [`check`].
#[derive(Debug, Default)]
pub struct Input {
    /// `YYYY-MM-DD`: explanations whose review date is before it have lapsed.
    pub date: String,
    /// An `icslint.yaml` for every file given (a folder's own, given among
    /// the files, governs the files below it, as on disk).
    pub config: Option<Vec<u8>>,
    /// Every file, by its relative path (`.icg` files, configurations, packs).
    pub files: Vec<(String, Vec<u8>)>,
}

/// Why the input could not be read (a bug of the page, never of the documents).
#[derive(Debug, PartialEq, Eq)]
pub struct BadInput(pub String);

impl Input {
    /// Reads the framing the page writes, all integers `u32`, little-endian:
    /// the version (1); the date's length and bytes; the configuration's
    /// length and bytes, or `0xFFFF_FFFF` for none; the number of files,
    /// then each file's name (length, UTF-8 bytes) and content (length, bytes).
    pub fn decode(bytes: &[u8]) -> Result<Input, BadInput> {
        let mut r = Reader { bytes, at: 0 };
        let version = r.u32()?;
        if version != VERSION {
            return Err(BadInput(format!(
                "the page speaks version {version} of the module's input, not {VERSION}"
            )));
        }
        let date = r.text("the date")?;
        let config = match r.u32()? {
            u32::MAX => None,
            n => Some(r.take(n as usize, "the configuration")?.to_vec()),
        };
        let n = r.u32()? as usize;
        let mut files = Vec::new();
        for _ in 0..n {
            let name = r.text("a file's name")?;
            let len = r.u32()? as usize;
            files.push((name, r.take(len, "a file's content")?.to_vec()));
        }
        if r.at != bytes.len() {
            return Err(BadInput("the input goes on after its last file".into()));
        }
        Ok(Input {
            date,
            config,
            files,
        })
    }

    /// The framing [`Input::decode`] reads (the tests write it; the page's
    /// script writes the same bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let put = |b: &[u8], out: &mut Vec<u8>| {
            out.extend((b.len() as u32).to_le_bytes());
            out.extend(b);
        };
        out.extend(VERSION.to_le_bytes());
        put(self.date.as_bytes(), &mut out);
        match &self.config {
            Some(c) => put(c, &mut out),
            None => out.extend(u32::MAX.to_le_bytes()),
        }
        out.extend((self.files.len() as u32).to_le_bytes());
        for (name, bytes) in &self.files {
            put(name.as_bytes(), &mut out);
            put(bytes, &mut out);
        }
        out
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], BadInput> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or_else(|| BadInput(format!("the input ends inside {what}")))?;
        let got = &self.bytes[self.at..end];
        self.at = end;
        Ok(got)
    }

    fn u32(&mut self) -> Result<u32, BadInput> {
        let b = self.take(4, "a length")?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn text(&mut self, what: &str) -> Result<String, BadInput> {
        let n = self.u32()? as usize;
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| BadInput(format!("{what} is not UTF-8")))
    }
}

/// Checks the files of `input` as `icslint check` checks a folder holding
/// them, and writes the board's report as `icslint report --html` does.
/// The result is one JSON object:
///
/// - `findings`: the document `icslint check --format json` writes;
/// - `human`: the findings as `icslint check --color never` shows them,
///   with its summary line; every line through `safe::Guard`;
/// - `summary`: that summary line alone;
/// - `rules`: for each rule with a finding, `explain` (what `icslint
///   explain` prints) and `anchor` (its heading in `docs/rules.md`);
/// - `report`: the HTML report, or `null` with `report_error`;
/// - `files`: how many `.icg` files were checked; `exit`: the CLI's exit
///   status for these findings (0, 1 with an error left, 2 when a file,
///   pack or configuration could not be read or used).
///
/// An input the page should never write (a bad framing, a bad date) is
/// `{"error": ...}`. Configuration problems are ICG013 findings, as in
/// the CLI; nothing is dropped.
pub fn check(input: &Input) -> Value {
    let Some(as_of) = Date::parse_iso(&input.date) else {
        return json!({
            "version": VERSION,
            "error": format!("the date {:?} is not a date of the form 2026-06-01", input.date),
        });
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = input
        .files
        .iter()
        .map(|(name, bytes)| (PathBuf::from(name), bytes.clone()))
        .collect();
    // The configuration given beside the files governs them all, unless a
    // folder holds its own (or one is given at the top already).
    if let Some(c) = &input.config {
        if !files.iter().any(|(p, _)| p.as_os_str() == CONFIG_NAME) {
            files.push((PathBuf::from(CONFIG_NAME), c.clone()));
        }
    }
    // The model is as of the day given, as the CLI's `--as-of`: shares
    // hold on their dates, and the browser has no clock.
    let ws = Workspace::from_files(files, None, Some(as_of));
    let engine = Engine::new(
        &ws,
        Options {
            as_of: Some(as_of),
            ..Options::default()
        },
    );
    let findings = engine.run();
    let json_doc: Value =
        serde_json::from_str(&icslint::report::json(&findings, &ws.sources)).unwrap_or(Value::Null);
    let summary = icslint::report::summary(&findings, ws.files.len());
    let mut human = Vec::new();
    {
        let mut g = Guard::new(&mut human, Mode::Text { colour: false });
        let _ = icslint::report::write_human(&findings, &ws.sources, false, 100, &mut g);
        let _ = g.write_all(summary.as_bytes());
        let _ = g.finish();
    }
    let mut rules = BTreeMap::new();
    for f in &findings {
        if rules.contains_key(f.rule.as_str()) {
            continue;
        }
        if let Some(entry) = icslint::catalogue::find(&ws, &f.rule) {
            rules.insert(
                f.rule.to_string(),
                json!({ "explain": entry.explain(), "anchor": entry.anchor() }),
            );
        }
    }
    let report = icslint::conformance::build(&ws, &engine, &findings, &as_of.to_string());
    let (html, report_error) = match icslint::conformance::render::html(&report) {
        Ok(h) => (Some(h), None),
        Err(e) => (None, Some(e)),
    };
    let exit = if findings.iter().any(|f| {
        matches!(f.rule.as_str(), "ICG009" | "ICG012" | "ICG013") && f.severity == Severity::Error
    }) {
        2
    } else if findings
        .iter()
        .any(|f| f.severity >= Severity::Error && !f.is_explained())
    {
        1
    } else {
        0
    };
    json!({
        "version": VERSION,
        "findings": json_doc,
        "human": String::from_utf8_lossy(&human),
        "summary": summary.trim_end(),
        "rules": rules,
        "report": html,
        "report_error": report_error,
        "files": ws.files.len(),
        "exit": exit,
    })
}

/// [`check`] of the framed input, as JSON text.
pub fn check_bytes(bytes: &[u8]) -> String {
    let value = match Input::decode(bytes) {
        Ok(input) => check(&input),
        Err(BadInput(e)) => json!({ "version": VERSION, "error": e }),
    };
    value.to_string()
}

/// Memory for `len` bytes the page writes its input into (freed by
/// [`icslint_check`]). Null when `len` is 0 or too large.
#[no_mangle]
pub extern "C" fn icslint_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return std::ptr::null_mut();
    }
    let mut v: Vec<u8> = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        return std::ptr::null_mut();
    }
    v.resize(len, 0);
    Box::into_raw(v.into_boxed_slice()) as *mut u8
}

/// Frees what [`icslint_alloc`] or [`icslint_check`] returned, with its length.
///
/// # Safety
/// `ptr` and `len` must be one allocation those functions returned, freed once.
#[no_mangle]
pub unsafe extern "C" fn icslint_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() && len > 0 {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)));
    }
}

/// Checks the framed input at `ptr` (`len` bytes from [`icslint_alloc`],
/// freed here) and returns the JSON of [`check`] as a buffer: a `u32`
/// length, little-endian, then that many bytes of UTF-8. The caller frees
/// it with `icslint_free(ptr, 4 + length)`.
///
/// # Safety
/// `ptr` and `len` must be an allocation of [`icslint_alloc`] holding the input.
#[no_mangle]
pub unsafe extern "C" fn icslint_check(ptr: *mut u8, len: usize) -> *mut u8 {
    let input: Box<[u8]> = if ptr.is_null() || len == 0 {
        Box::new([])
    } else {
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len))
    };
    let out = check_bytes(&input);
    drop(input);
    buffer(&out)
}

include!(concat!(env!("OUT_DIR"), "/example.rs"));

/// The bundled example ([`EXAMPLE`]) as JSON: `[{"name", "text"}]`, in
/// the order a folder's files are walked.
pub fn example_json() -> String {
    let files: Vec<Value> = EXAMPLE
        .iter()
        .map(|(name, bytes)| json!({ "name": name, "text": String::from_utf8_lossy(bytes) }))
        .collect();
    Value::Array(files).to_string()
}

/// A result buffer: a `u32` length, little-endian, then the bytes.
fn buffer(out: &str) -> *mut u8 {
    let mut buf = Vec::with_capacity(4 + out.len());
    buf.extend((out.len() as u32).to_le_bytes());
    buf.extend(out.as_bytes());
    Box::into_raw(buf.into_boxed_slice()) as *mut u8
}

/// The bundled example as [`example_json`], in a buffer as
/// [`icslint_check`] returns one.
#[no_mangle]
pub extern "C" fn icslint_example() -> *mut u8 {
    buffer(&example_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(files: &[(&str, &[u8])]) -> Input {
        Input {
            date: "2026-06-01".into(),
            config: None,
            files: files
                .iter()
                .map(|(n, b)| (n.to_string(), b.to_vec()))
                .collect(),
        }
    }

    /// The framing read back is what was written; a cut or a trailing
    /// byte is an error, never a guess.
    #[test]
    fn the_framing_round_trips_and_refuses_cut_input() {
        let mut i = input(&[("a/b.icg", b"system s \"S\" {}"), ("c.icg", b"\xff")]);
        i.config = Some(b"regime: 2022\n".to_vec());
        let bytes = i.encode();
        let back = Input::decode(&bytes).unwrap();
        assert_eq!(back.date, i.date);
        assert_eq!(back.config, i.config);
        assert_eq!(back.files, i.files);
        for cut in 0..bytes.len() {
            assert!(Input::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Input::decode(&longer).is_err());
        // A length near 4 GiB is refused without being allocated.
        let mut huge = 1u32.to_le_bytes().to_vec();
        huge.extend(u32::MAX.to_le_bytes().iter().take(3));
        huge.extend([0xFE]);
        assert!(Input::decode(&huge).is_err());
    }

    /// A bad date is an error of the input, named; a file that is not
    /// UTF-8 is the CLI's ICG009 at its first bad byte.
    #[test]
    fn a_bad_date_is_an_error_and_bad_bytes_an_icg009() {
        let mut i = input(&[]);
        i.date = "6/1/2026".into();
        assert!(check(&i)["error"].as_str().unwrap().contains("6/1/2026"));
        let v = check(&input(&[("x.icg", b"system s \"S\xe9\" {}")]));
        let f = &v["findings"]["findings"][0];
        assert_eq!(f["rule"], "ICG009", "{v}");
        assert_eq!(
            f["message"],
            "x.icg is not UTF-8 text: byte 11 (0xE9) is not valid UTF-8"
        );
        assert_eq!(v["exit"], 2);
    }

    /// The bundled example is every file of `examples/`, and checked it
    /// gives findings (the page's example button shows something).
    #[test]
    fn the_example_is_examples_and_has_findings() {
        let names: Vec<&str> = EXAMPLE.iter().map(|(n, _)| *n).collect();
        assert!(
            names.contains(&"examples/riverbend/system.icg"),
            "{names:?}"
        );
        let i = Input {
            date: "2026-06-01".into(),
            config: None,
            files: EXAMPLE
                .iter()
                .map(|(n, b)| (n.to_string(), b.to_vec()))
                .collect(),
        };
        let v = check(&i);
        assert_eq!(
            v["files"],
            names.iter().filter(|n| n.ends_with(".icg")).count()
        );
        assert!(!v["findings"]["findings"].as_array().unwrap().is_empty());
        assert!(v["report"].as_str().unwrap().contains("<html"));
    }

    /// A configuration given beside the files that cannot be used is an
    /// ICG013 finding in the output, never a quiet fall-back.
    #[test]
    fn a_bad_configuration_is_an_icg013() {
        let mut i = input(&[("x.icg", b"")]);
        i.config = Some(b"regime: 1999\nfrobnicate: yes\n".to_vec());
        let v = check(&i);
        let rules: Vec<&str> = v["findings"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"ICG013"), "{v}");
        assert!(v["human"].as_str().unwrap().contains("ICG013"));
    }
}
