//! The language server's re-check after a one-line edit: a 42-system
//! workspace (generated from examples/riverbend) in which one ICB
//! constitution is 2,000 lines long, edited one line at a time as an
//! editor would send it. Each iteration goes through the server's own
//! path (`World::set`, `World::refresh`): it re-parses the edited block,
//! reuses every other file's parse and the compiled packs, lowers and
//! checks the edited file's part of the workspace (its system's six
//! files), merges the findings with the rest's and converts the part's
//! findings to diagnostics.
//!
//!     cargo bench --bench lsp             # 42 systems, 200 edits
//!     cargo bench --bench lsp -- 200      # 200 systems
//!
//! Prints the median, the 10th and 90th percentiles, and each phase's
//! median; then hover, definition and completion at a reference of the
//! edited file straight after each edit (and, for comparison, what a
//! request cost before they read `World::symbols`: the whole model lowered
//! again).

mod corpus;

use icslint::lsp::World;
use std::path::Path;
use std::time::{Duration, Instant};

/// Committees with members, appended to the ICB until it is `lines` long.
fn long_constitution(base: &str, lines: usize) -> String {
    let mut extra = String::new();
    let mut i = 0;
    while base.lines().count() + extra.lines().count() < lines {
        extra.push_str(&format!(
            "    committee c{i} \"Committee {i}\" {{\n        operational yes\n        delegated [finance, quality]\n        member \"Committee member {i}a\" {{\n            role member\n            person \"Person {i}a\"\n        }}\n        member \"Committee member {i}b\" {{ role member; person \"Person {i}b\" }}\n    }}\n"
        ));
        i += 1;
    }
    let at = base
        .find("    review every 12 months\n")
        .expect("the ICB has a review line")
        + "    review every 12 months\n".len();
    format!("{}{extra}{}", &base[..at], &base[at..])
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let systems: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(42);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-lsp");
    let _ = std::fs::remove_dir_all(&dir);
    let mut big = None;
    for (name, text) in corpus::corpus(systems) {
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if name == "system0/icb-constitution.icg" {
            let t = long_constitution(&text, 2000);
            big = Some((path.clone(), t.clone()));
            t
        } else {
            text
        };
        std::fs::write(&path, text).unwrap();
    }
    let (big_path, big_text) = big.expect("system 0 has a constitution");
    let t = Instant::now();
    let mut world = World::load(&[std::fs::canonicalize(&dir).unwrap()]);
    let file = world
        .open(&std::fs::canonicalize(&big_path).unwrap(), big_text.clone())
        .expect("an .icg file");
    world.refresh();
    println!(
        "workspace: {systems} systems, {} files; the edited constitution has {} lines ({} KB); first check {:.1} ms, {} findings",
        world.files().count(),
        big_text.lines().count(),
        big_text.len() / 1024,
        ms(t.elapsed()),
        world.findings.len()
    );

    // The parts of re-parse + re-lower, alone.
    let mut parse = Vec::new();
    let mut lower = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        std::hint::black_box(icslint::syntax::parse(&big_text));
        parse.push(t.elapsed());
        let ws = &world.ws;
        let asts: Vec<_> = ws
            .files
            .iter()
            .filter_map(|f| ws.parsed.get(f).map(|p| (*f, &p.file)))
            .collect();
        let t = Instant::now();
        std::hint::black_box(icslint::model::lower(&asts, 2022));
        lower.push(t.elapsed());
    }
    parse.sort();
    lower.sort();
    println!(
        "  alone: parse the constitution {:.2} ms, lower the workspace {:.2} ms",
        ms(percentile(&parse, 0.5)),
        ms(percentile(&lower, 0.5))
    );

    // Alternate a one-line edit deep in the constitution.
    let edited = big_text.replacen("person \"Person 100a\"", "person \"Person 100z\"", 1);
    assert_ne!(edited, big_text);
    let runs = 200;
    let mut total = Vec::with_capacity(runs);
    let mut phases = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..runs {
        let text = if i % 2 == 0 { &edited } else { &big_text };
        let t0 = Instant::now();
        let (parse, check, convert) = world.recheck_timed(file, text.clone());
        total.push(t0.elapsed());
        phases[0].push(parse);
        phases[1].push(check);
        phases[2].push(convert);
    }
    // Hover, definition and completion straight after an edit: they read
    // the index of IDs the re-check kept (`World::symbols`), where they
    // lowered the whole workspace again before.
    let at = big_text.find("system @").expect("the ICB names its system") + "system @".len() + 1;
    let mut requests = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for i in 0..runs {
        let text = if i % 2 == 0 { &edited } else { &big_text };
        world.recheck_timed(file, text.clone());
        let t = Instant::now();
        assert!(std::hint::black_box(world.hover(file, at)).is_some());
        requests[0].push(t.elapsed());
        let t = Instant::now();
        assert!(std::hint::black_box(world.definition(file, at)).is_some());
        requests[1].push(t.elapsed());
        let t = Instant::now();
        assert!(!std::hint::black_box(world.completion(file, at)).is_empty());
        requests[2].push(t.elapsed());
        if i % 10 == 0 {
            // What a request after an edit cost before: the whole model
            // lowered again.
            let t = Instant::now();
            std::hint::black_box(world.model());
            requests[3].push(t.elapsed());
        }
    }
    for r in &mut requests {
        r.sort();
    }
    println!(
        "after an edit, medians (p90): hover {:.3} ms ({:.3}), definition {:.3} ms ({:.3}), completion of {} references {:.3} ms ({:.3}); the whole model lowered again (before) {:.2} ms",
        ms(percentile(&requests[0], 0.5)),
        ms(percentile(&requests[0], 0.9)),
        ms(percentile(&requests[1], 0.5)),
        ms(percentile(&requests[1], 0.9)),
        world.completion(file, at).len(),
        ms(percentile(&requests[2], 0.5)),
        ms(percentile(&requests[2], 0.9)),
        ms(percentile(&requests[3], 0.5)),
    );

    // The re-checks of a part end where a check of the whole workspace does.
    let whole = icslint::engine::Engine::new(world.model(), Default::default()).run();
    assert!(whole == world.findings, "the incremental findings differ");
    total.sort();
    for p in &mut phases {
        p.sort();
    }
    println!(
        "re-check after a one-line edit: median {:.2} ms (p10 {:.2}, p90 {:.2}) over {runs} edits",
        ms(percentile(&total, 0.5)),
        ms(percentile(&total, 0.1)),
        ms(percentile(&total, 0.9))
    );
    println!(
        "  medians: re-parse {:.2} ms, lower + rules of the part {:.2} ms, diagnostics {:.2} ms",
        ms(percentile(&phases[0], 0.5)),
        ms(percentile(&phases[1], 0.5)),
        ms(percentile(&phases[2], 0.5))
    );
}
