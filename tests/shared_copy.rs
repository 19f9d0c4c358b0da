//! The repository keeps a copy of `../shared/examples` and `../shared/spec`
//! in `tests/shared/`, so a clone alone passes its tests. This test fails
//! when the copy and `../shared` differ, so the copy never goes stale
//! unnoticed; it is skipped, with a message, where `../shared` is absent.

mod common;
use common::{root, shared_beside};
use std::collections::BTreeMap;
use std::path::Path;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.expect("readable");
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap();
            out.insert(
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).expect("readable file"),
            );
        }
    }
    out
}

#[test]
fn the_copy_of_shared_matches_shared() {
    for part in ["examples", "spec"] {
        let copy = root().join("tests/shared").join(part);
        assert!(copy.is_dir(), "tests/shared/{part} is missing");
        let Some(shared) = shared_beside().map(|d| d.join(part)).filter(|d| d.is_dir()) else {
            eprintln!(
                "skipped: ../shared/{part} is absent (or ICSLINT_SHARED names a missing folder), \
                 so the copy in tests/shared/{part} is used as it is"
            );
            continue;
        };
        let (a, b) = (files(&shared), files(&copy));
        let only_shared: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
        let only_copy: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
        let changed: Vec<&String> = a
            .iter()
            .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
            .map(|(k, _)| k)
            .collect();
        assert!(
            only_shared.is_empty() && only_copy.is_empty() && changed.is_empty(),
            "tests/shared/{part} differs from ../shared/{part}: new {only_shared:?}, \
             removed {only_copy:?}, changed {changed:?}; refresh it with \
             `rm -r tests/shared/{part} && cp -r ../shared/{part} tests/shared/{part}`"
        );
    }
}
