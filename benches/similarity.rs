//! CCN124's remit comparison at national scale: every HWB's remit against
//! the remit of each ICP it relates to (its own system's, and that of each
//! system holding 5% or more of its authority's population), as the rule
//! makes it, in two ways over the same pairs: pair by pair with
//! `text::similarity` and `text::shared_passages` (the rule before: both
//! texts read and the longer one's passages indexed again for every pair),
//! and with `text::Remits` (each distinct text read and indexed once, each
//! distinct pair of texts scored once; the rule now, on one thread). The
//! generated copies share their remits word for word, which the index
//! exploits; so the run is repeated with a sentence of its own added to
//! every remit (no two texts alike), where only the indexing helps, and on
//! a workspace whose councils each hold a share of 20 systems (each HWB
//! compared with 20 ICPs, each ICP with 20 HWBs: each text read once, not
//! 20 times).
//!
//!     cargo bench --bench similarity            # 420 systems (10x)
//!     cargo bench --bench similarity -- 4200    # 100x
//!
//! Prints the median of 5 runs of each way; the scores are asserted equal.

mod corpus;

use icslint::model::{Model, Val};
use icslint::text::{shared_passages, similarity, Remits};
use icslint::workspace::Workspace;
use std::time::{Duration, Instant};

const THRESHOLD: f64 = 0.5;

fn pairs(model: &Model) -> Vec<(&str, &str)> {
    let remit = |b| match model.block(b).attr("remit").map(|a| &a.value) {
        Some(Val::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    let mut out = Vec::new();
    for h in model.of_kind("hwb") {
        let Some(ht) = remit(h) else { continue };
        for s in model.hwb_systems(h, 5.0) {
            if let Some(it) = model.one_of_system(s, "icp").and_then(remit) {
                out.push((ht, it));
            }
        }
    }
    out
}

/// The rule before: every pair compared afresh.
fn pairwise(pairs: &[(&str, &str)]) -> Vec<(f64, usize)> {
    pairs
        .iter()
        .map(|(a, b)| {
            let s = similarity(a, b);
            let shared = if s >= THRESHOLD {
                shared_passages(a, b).len()
            } else {
                0
            };
            (s, shared)
        })
        .collect()
}

/// The rule now (one thread): texts indexed once, distinct pairs once.
fn indexed(pairs: &[(&str, &str)]) -> Vec<(f64, usize)> {
    let mut remits = Remits::new();
    let mut numbered = std::collections::HashMap::new();
    let mut number = |t| *numbered.entry(t).or_insert_with(|| remits.add(t));
    let numbers: Vec<(usize, usize)> = pairs.iter().map(|(a, b)| (number(a), number(b))).collect();
    let mut memo = std::collections::HashMap::new();
    numbers
        .iter()
        .map(|&p| {
            *memo.entry(p).or_insert_with(|| {
                let s = remits.similarity(p.0, p.1);
                let shared = if s >= THRESHOLD {
                    remits.shared_passages(p.0, p.1).len()
                } else {
                    0
                };
                (s, shared)
            })
        })
        .collect()
}

fn median(f: impl Fn() -> Vec<(f64, usize)>) -> (Duration, Vec<(f64, usize)>) {
    let mut times = Vec::new();
    let mut out = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        out = std::hint::black_box(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times[2], out)
}

/// Councils shared by many systems: `systems` systems with an ICP each,
/// and as many upper-tier councils, each holding 5% of its population in
/// each of 20 systems, with an HWB: every HWB relates to 20 ICPs and every
/// ICP to 20 HWBs. Every remit is its own text, drawn from recurring
/// sentences so that pairs share passages.
fn shared_councils(systems: usize) -> Vec<(String, String)> {
    let sentences = [
        "The Board publishes the joint strategic needs assessment for the area.",
        "It owns the joint local health and wellbeing strategy and reviews it every year.",
        "It signs off the Better Care Fund plan and leads primary prevention.",
        "The Partnership agrees the integrated care strategy for the system.",
        "Partners set a few shared ambitions on frailty and discharge together.",
        "No partner can deliver these ambitions alone.",
    ];
    let remit = |i: usize, k: usize| {
        let mut t = format!("Body {k} number {i} says this first.");
        for j in 0..4 {
            t.push(' ');
            t.push_str(sentences[(i * 7 + j * (k + 2)) % sentences.len()]);
        }
        t
    };
    let mut out = Vec::new();
    for s in 0..systems {
        out.push((
            format!("s{s}.icg"),
            format!(
                "system s{s} \"System {s}\" {{ regime 2022 }}\nicp p{s} \"ICP {s}\" {{ system @s{s}; remit \"{}\" }}\n",
                remit(s, 1)
            ),
        ));
    }
    for a in 0..systems {
        let shares: String = (0..20)
            .map(|k| format!("share @s{} 5%; ", (a + k * 7) % systems))
            .collect();
        out.push((
            format!("a{a}.icg"),
            format!(
                "authority a{a} \"Council {a}\" {{ kind county; tier upper; population 100_000; {shares}}}\nhwb h{a} \"HWB {a}\" {{ system @s{}; authority @a{a}; remit \"{}\" }}\n",
                a % systems,
                remit(a, 0)
            ),
        ));
    }
    out
}

fn main() {
    let systems: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(420);
    for case in 0..3 {
        let distinct = case == 1;
        let texts: Vec<(String, String)> = if case == 2 {
            shared_councils(systems)
        } else {
            corpus::corpus(systems)
        };
        let texts: Vec<(String, String)> = texts
            .into_iter()
            .enumerate()
            .map(|(i, (name, text))| {
                let text = if distinct {
                    text.replace(
                        "remit \"\"\"",
                        &format!("remit \"\"\"\n    Text number {i} is this board's own sentence."),
                    )
                } else {
                    text
                };
                (name, text)
            })
            .collect();
        let refs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let ws = Workspace::from_texts(&refs, Default::default());
        let pairs = pairs(&ws.model);
        let words: usize = pairs.iter().map(|(a, b)| a.len() + b.len()).sum();
        let (before, want) = median(|| pairwise(&pairs));
        let (now, got) = median(|| indexed(&pairs));
        assert_eq!(want.len(), got.len());
        for (w, g) in want.iter().zip(&got) {
            assert_eq!((w.0.to_bits(), w.1), (g.0.to_bits(), g.1));
        }
        println!(
            "{systems} systems, {} HWB x ICP pairs ({:.1} MB of remits compared), {}: pair by pair {:.2} ms, indexed {:.2} ms ({:.1}x)",
            pairs.len(),
            words as f64 / 1e6,
            ["remits as generated", "every remit its own", "councils shared by 20 systems"][case],
            before.as_secs_f64() * 1e3,
            now.as_secs_f64() * 1e3,
            before.as_secs_f64() / now.as_secs_f64()
        );
    }
}
