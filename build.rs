//! The key of the built-in packs' compiled form (`src/rules/pack.rs`,
//! `frozen`): a hash of every file whose content can change what compiling
//! the built-in packs gives (their texts, the check language's grammar and
//! compiler, the schema and derived fields its names resolve against, the
//! types the compiled form is made of). The form kept in the repository
//! (`src/rules/builtin-packs.postcard`) carries the key it was made with;
//! a binary whose key differs compiles the packs at run time instead, so a
//! stale form costs time, never a wrong answer, and `tests/frozen_packs.rs`
//! fails until it is made again.

use std::path::{Path, PathBuf};

/// Files and folders read for the key; a folder's files ending in one of
/// the extensions, sorted by path.
const INPUTS: &[(&str, &str)] = &[
    ("rules", "yaml"),
    ("grammar/check.pest", ""),
    ("src/rules", "rs"),
    ("src/model/schema.rs", ""),
    ("src/model/derived.rs", ""),
    ("src/model/regime.rs", ""),
    ("src/syntax/ast.rs", ""),
    ("src/diagnostic.rs", ""),
    ("src/source.rs", ""),
    ("src/yaml.rs", ""),
];

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = Vec::new();
    for (path, ext) in INPUTS {
        let full = root.join(path);
        println!("cargo:rerun-if-changed={path}");
        if full.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&full)
                .expect("a folder of the crate")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == *ext))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(full);
        }
    }
    let mut key = Fnv::default();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f);
        key.write(rel.to_string_lossy().replace('\\', "/").as_bytes());
        key.write(&[0]);
        key.write(&read(f));
        key.write(&[0]);
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(
        out.join("frozen_key.rs"),
        format!("pub const FROZEN_KEY: u64 = {:#018x};\n", key.0),
    )
    .expect("OUT_DIR is writable");
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms (std's
/// hasher is not promised to be).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
