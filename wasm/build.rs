//! The module's stack: 8 MiB, as the native main thread's, rather than the
//! linker's 1 MiB default. The library's depth limits (nesting in `.icg`
//! files, in check expressions, in YAML) are set for the main thread's
//! stack, and a browser has no thread to give a bigger one to.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|x| x == "wasm")) {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=8388608");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
