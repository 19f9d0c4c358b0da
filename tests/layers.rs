//! The layers of ARCHITECTURE.md, enforced: a module may use only modules of
//! a lower layer. The test reads every `crate::` path in `src/`, so an arrow
//! against the grain fails the build instead of waiting for a review.

mod common;
use common::root;

/// Lowest first; the same list as ARCHITECTURE.md's "Layers".
const LAYERS: &[&[&str]] = &[
    &["source", "text", "files", "safe"],
    &["diagnostic", "yaml", "templating"],
    &["syntax"],
    &["model", "fmt"],
    &["rules", "config"],
    &["workspace"],
    &["engine", "catalogue", "cache"],
    &["transition"],
    &["report", "conformance"],
    &["testing", "lsp"],
    &["fuzzing"],
    &["cli"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = root().join("src");
    let mut wrong = Vec::new();
    let mut unplaced = Vec::new();
    for e in walkdir::WalkDir::new(&src) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let Some(mine) = layer(&module) else {
            unplaced.push(module);
            continue;
        };
        let text = std::fs::read_to_string(e.path()).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let mut rest = code;
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + 7..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // `use crate::{a, b}` names several modules at once.
                let used: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                    group
                        .split('}')
                        .next()
                        .unwrap_or_default()
                        .split(',')
                        .map(|s| s.trim().split("::").next().unwrap_or_default().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                } else {
                    vec![used]
                };
                for u in used {
                    if u == module {
                        continue;
                    }
                    match layer(&u) {
                        Some(theirs) if theirs < mine => {}
                        _ => wrong.push(format!("src/{rel}:{}: {module} uses {u}", n + 1)),
                    }
                }
            }
        }
    }
    unplaced.sort();
    unplaced.dedup();
    assert!(
        unplaced.is_empty(),
        "modules not placed in a layer (add them to LAYERS and ARCHITECTURE.md): {unplaced:?}"
    );
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}
