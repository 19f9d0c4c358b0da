//! Two things the module needs from its build:
//!
//! - its stack: 8 MiB, as the native main thread's, rather than the
//!   linker's 1 MiB default. The library's depth limits (nesting in `.icg`
//!   files, in check expressions, in YAML) are set for the main thread's
//!   stack, and a browser has no thread to give a bigger one to;
//! - the bundled example (`examples/`, the workspace a new user runs
//!   first), compiled in so the page can load it with nothing else.
use std::path::{Path, PathBuf};

fn main() {
    if std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|x| x == "wasm")) {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=8388608");
        // No name section or debug information: a third of the module.
        println!("cargo:rustc-link-arg-cdylib=--strip-all");
    }
    println!("cargo:rerun-if-changed=build.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let examples = root.join("examples");
    println!("cargo:rerun-if-changed={}", examples.display());
    let mut files = Vec::new();
    walk(&examples, &mut files);
    files.sort();
    let mut out = String::from("/// The files of `examples/`, by their path from the repository's root.\npub const EXAMPLE: &[(&str, &[u8])] = &[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f.strip_prefix(&root).expect("under the root");
        let name = rel.to_string_lossy().replace('\\', "/");
        out.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            f.canonicalize().expect("an example file").display()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("example.rs");
    std::fs::write(dest, out).expect("example.rs written");
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir)
        .expect("examples/ is readable")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            walk(&p, out);
        } else if p.is_file() {
            out.push(p);
        }
    }
}
