//! The generated workspace both benchmarks use: N copies of
//! examples/riverbend (six files, one system each) with their IDs renamed.
#![allow(dead_code)]

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

pub fn rename(text: &str, n: usize) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if IDS.contains(&word.as_str()) {
            out.push_str(&format!("{word}_{n}"));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

pub fn corpus(systems: usize) -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/riverbend");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for n in 0..systems {
        for (name, text) in &texts {
            out.push((format!("system{n}/{name}"), rename(text, n)));
        }
    }
    out
}
