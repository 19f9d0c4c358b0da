//! Peak memory of a check, counted by the allocator: a check must not hold
//! every file's syntax tree, nor its whole report, at once. The bound is in
//! multiples of the documents' size, so it holds at any scale (the release
//! binary's peak RSS at 1x to 1000x national is in README, "Speed").
//!
//! One test in this binary: the counters are process-wide.

use icslint::engine::{Engine, Options};
use icslint::workspace::Workspace;
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

/// The heap a check of `systems` generated systems reaches above what was
/// allocated before it, and the documents' size, both in bytes.
fn check_peak(systems: usize) -> (usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = 0;
    for (name, text) in corpus::corpus(systems) {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
        bytes += text.len();
    }
    // The built-in packs are compiled once per process: not part of a check's growth.
    icslint::rules::warm_builtin_packs();
    let base = NOW.load(Relaxed);
    PEAK.store(base, Relaxed);
    let ws = Workspace::load(&[dir.path().to_path_buf()], None).unwrap();
    let findings = Engine::new(&ws, Options::default()).run();
    icslint::report::write_json(&findings, &ws.sources, &mut std::io::sink()).unwrap();
    assert_eq!(ws.files.len(), systems * 6);
    (PEAK.load(Relaxed) - base, bytes)
}

#[test]
fn a_check_holds_a_few_times_the_size_of_its_documents() {
    let (peak, bytes) = check_peak(60);
    let ratio = peak as f64 / bytes as f64;
    eprintln!(
        "peak heap {:.1} MB for {:.2} MB of documents: {ratio:.1}x",
        peak as f64 / 1e6,
        bytes as f64 / 1e6
    );
    // Today 5.9x when the threads take turns, up to about 7x when parsing
    // workers or rules running side by side hold their temporaries at the
    // same moment. Keeping every syntax tree until the model was built
    // measured 16x, before the report (twice the documents) was built whole.
    assert!(
        ratio < 10.0,
        "a check's heap peaked at {ratio:.1}x its documents"
    );
}
