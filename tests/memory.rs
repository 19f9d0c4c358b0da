//! Peak memory of a check, counted by the allocator: a check must not hold
//! every file's syntax tree, nor its whole report, at once. The bound is in
//! multiples of the documents' size, so it holds at any scale (the release
//! binary's peak RSS at 1x to 1000x national is in README, "Speed").
//!
//! One test in this binary: the counters are process-wide.

use icslint::engine::{Engine, Options};
use icslint::workspace::{LoadOptions, Workspace};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

#[path = "../benches/corpus/mod.rs"]
mod corpus;

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(by: usize) {
        let now = NOW.fetch_add(by, Relaxed) + by;
        PEAK.fetch_max(now, Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            Counting::grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            Counting::grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new) };
        if !q.is_null() {
            // Both blocks may be alive during the move: count the larger.
            Counting::grew(new);
            NOW.fetch_sub(layout.size(), Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// A report written to its writer.
type Report<'a> = dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + 'a;

/// Tests take turns: the counters are process-wide.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The heap a check of the files `make` gives reaches above what was
/// allocated before it, and the documents' size, both in bytes. The files
/// are made in turn too: another test making its own would count here.
fn check_peak(make: impl FnOnce() -> Vec<(String, String)>) -> (usize, usize) {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let files = make();
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = 0;
    let count = files.len();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        bytes += text.len();
    }
    // The built-in packs are compiled once per process: not part of a check's growth.
    icslint::rules::warm_builtin_packs();
    let base = NOW.load(Relaxed);
    PEAK.store(base, Relaxed);
    // As `icslint check` does at scale: each text let go once its file is
    // lowered, and read again for the report once the model is freed.
    let opts = LoadOptions {
        release_texts_over: Some(0),
        ..LoadOptions::default()
    };
    let mut ws = Workspace::load_with(&[dir.path().to_path_buf()], &opts).unwrap();
    let language = std::mem::take(&mut ws.findings);
    let mut findings = Engine::new(&ws, Options::default()).run_on(language);
    ws.restore_texts(&mut findings).unwrap();
    // Every report `check` writes is written as it is made: writing one
    // holds under half the documents' size beyond the findings and texts
    // (the terminal's index of a large file; JUnit's findings by file and
    // rule), never the report whole (two to four times the documents, the
    // terminal's ten; JUnit built whole fails here).
    let (sink, sources) = (&mut std::io::sink(), &ws.sources);
    let rules = icslint::report::sarif::rule_infos(&ws.packs);
    let reports: [(&str, &Report); 7] = [
        ("json", &|w| {
            icslint::report::write_json(&findings, sources, w)
        }),
        ("human", &|w| {
            icslint::report::write_human(&findings, sources, false, 100, w)
        }),
        ("plain", &|w| {
            icslint::report::write_plain(&findings, sources, w)
        }),
        ("sarif", &|w| {
            icslint::report::write_sarif(&findings, sources, &rules, w)
        }),
        ("gitlab", &|w| {
            icslint::report::write_gitlab(&findings, sources, w)
        }),
        ("github", &|w| {
            icslint::report::write_github(&findings, sources, w)
        }),
        ("junit", &|w| {
            icslint::report::write_junit(&findings, sources, &ws.files, w)
        }),
    ];
    for (format, write) in reports {
        let (peak, before) = (PEAK.load(Relaxed), NOW.load(Relaxed));
        PEAK.store(before, Relaxed);
        write(sink).unwrap();
        let grew = PEAK.load(Relaxed) - before;
        PEAK.fetch_max(peak, Relaxed);
        assert!(
            grew * 2 < bytes,
            "writing the {format} report held {grew} bytes for {bytes} of documents"
        );
    }
    assert_eq!(ws.files.len(), count);
    (PEAK.load(Relaxed) - base, bytes)
}

fn ratio(what: &str, (peak, bytes): (usize, usize)) -> f64 {
    let ratio = peak as f64 / bytes as f64;
    eprintln!(
        "{what}: peak heap {:.1} MB for {:.2} MB of documents: {ratio:.1}x",
        peak as f64 / 1e6,
        bytes as f64 / 1e6
    );
    ratio
}

/// `systems` generated systems' files put together into one file.
fn one_file(name: &str, systems: std::ops::Range<usize>) -> (String, String) {
    let all = corpus::corpus(systems.end);
    let text = all[systems.start * 6..]
        .iter()
        .map(|(_, t)| t.as_str())
        .collect();
    (name.to_string(), text)
}

#[test]
fn a_check_holds_a_few_times_the_size_of_its_documents() {
    let ratio = ratio("60 systems", check_peak(|| corpus::corpus(60)));
    // Today 3.4x. With every text kept until the report, 4.8x; before
    // 32-bit spans in the model, findings gathered into one exact
    // allocation and a terminal report that indexed every file at once (a
    // copy of every text), 6.0x; keeping every syntax tree until the model
    // was built measured 16x, before the report (twice the documents) was
    // built whole.
    assert!(
        ratio < 4.2,
        "a check's heap peaked at {ratio:.1}x its documents"
    );
}

/// One large file is parsed and lowered a run of top-level blocks at a
/// time: its whole syntax tree (ten times its text) never exists.
#[test]
fn one_large_file_is_never_a_whole_tree() {
    let ratio = ratio(
        "one file of 200 systems",
        check_peak(|| vec![one_file("all.icg", 0..200)]),
    );
    // Today 4.4x (6.2x before the changes named above); the whole file's
    // tree beside its model measured 10.9x. Its text is let go only once
    // the whole file is lowered, so releasing texts does not lower this.
    assert!(
        ratio < 5.5,
        "a check of one large file peaked at {ratio:.1}x its text"
    );
}

/// A large file first and many small ones after: the small files' trees
/// must not pile up, parsed, while the large one is still being parsed.
#[test]
fn small_files_do_not_pile_up_behind_a_large_one() {
    let files = || {
        let mut files = vec![one_file("a-large.icg", 0..200)];
        files.extend(
            corpus::corpus(400)
                .into_iter()
                .skip(200 * 6)
                .map(|(name, text)| (format!("b/{name}"), text)),
        );
        files
    };
    let ratio = ratio("a large file, then 1,200 small ones", check_peak(files));
    // Today 3.3x (4.4x with every text kept, 5.8x before the changes named
    // above); parsing the small files ahead while the large one was
    // parsed, and keeping their trees until it was lowered, measured 9.5x.
    assert!(
        ratio < 4.2,
        "a check of a large file and small ones peaked at {ratio:.1}x their text"
    );
}

/// Counts what goes through it, and keeps none of it.
struct CountingSink(usize);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The board's report (`icslint report`) is written as it is made: its
/// HTML is about ten times the documents, and was held whole, beside every
/// system made into template values at once (242 MB peak RSS at 10x
/// national). Writing it now holds one system's values and charts at a
/// time: a small part of what it writes. The typed report shares each
/// rule's texts between the systems.
#[test]
fn the_board_report_is_written_as_it_is_made() {
    use icslint::conformance::{self, render};
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let files = corpus::corpus(60);
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = 0;
    for (name, text) in &files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        bytes += text.len();
    }
    drop(files);
    icslint::rules::warm_builtin_packs();
    let ws = Workspace::load_with(&[dir.path().to_path_buf()], &LoadOptions::default()).unwrap();
    let engine = Engine::new(&ws, Options::default());
    let findings = engine.run();
    let before = NOW.load(Relaxed);
    let report = conformance::build(&ws, &engine, &findings, "2026-01-01");
    let built = NOW.load(Relaxed) - before;
    assert_eq!(report.systems.len(), 60);
    drop(engine);
    drop((findings, ws));
    let report = std::sync::Arc::new(report);
    type Write = fn(
        std::sync::Arc<conformance::Conformance>,
        &mut dyn std::io::Write,
    ) -> Result<(), render::WriteError>;
    for (format, write, at_least) in [
        ("html", render::write_html as Write, 5),
        ("markdown", render::write_markdown as Write, 1),
    ] {
        let mut sink = CountingSink(0);
        let before = NOW.load(Relaxed);
        PEAK.store(before, Relaxed);
        write(std::sync::Arc::clone(&report), &mut sink).unwrap();
        let grew = PEAK.load(Relaxed) - before;
        eprintln!(
            "{format}: wrote {:.1} MB for {:.2} MB of documents (report {:.1} MB), holding {:.2} MB",
            sink.0 as f64 / 1e6,
            bytes as f64 / 1e6,
            built as f64 / 1e6,
            grew as f64 / 1e6
        );
        assert!(
            sink.0 > at_least * bytes,
            "the {format} report is {} bytes for {bytes} of documents",
            sink.0
        );
        // Today about a tenth of the HTML, of which 384 KiB are the chunks
        // between the rendering thread and the writer (six of 64 KiB at
        // most, whatever the size); built whole it was more than the HTML
        // itself.
        assert!(
            grew < sink.0 / 8 + 6 * 65536,
            "writing the {format} report held {grew} bytes to write {}",
            sink.0
        );
    }
    // Each rule's ID, name, reference and summary, and each pack's
    // attestation items, once for every system: today the typed report is
    // 2.2x the documents (at 10x national it added 20 MB of peak RSS; with
    // a copy of them per system, 31 MB).
    assert!(
        built * 10 < bytes * 28,
        "the typed report is {built} bytes for {bytes} of documents"
    );
}
