//! The `icslint` binary: the command line (`cli`) over the library. The
//! CLI is private to the binary, so nothing in the library can depend on it.

mod cli;

/// mimalloc rather than the system allocator: a check allocates millions
/// of small strings and nodes, on parsing workers and on the thread that
/// lowers. At 100x national (46 MB) it takes 2.3 s instead of 2.75 s with
/// glibc, and one 46 MB file 2.1 s instead of 3.0 s, at the same peak RSS
/// (about 320 MB for both). Its version 2 (`v2`) returns freed memory to
/// the system after 10 ms, version 3 after a second, which left 100x at
/// 361 MB; `no_thp`: transparent huge pages doubled a small check's RSS.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::run());
}
