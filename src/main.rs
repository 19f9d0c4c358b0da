//! The `icslint` binary: the command line (`cli`) over the library. The
//! CLI is private to the binary, so nothing in the library can depend on it.

mod cli;

/// mimalloc rather than the system allocator: a check allocates millions
/// of small strings and nodes, on parsing workers and on the thread that
/// lowers. At 100x national (46 MB) it takes 2.3 s instead of 2.75 s with
/// glibc, and one 46 MB file 2.1 s instead of 3.0 s, at the same peak RSS
/// (about 320 MB for both). Its version 2 (`v2`) returns freed memory to
/// the system after 10 ms (at once, as `main` sets it), version 3 after a
/// second, which left 100x at 361 MB; `no_thp`: transparent huge pages
/// doubled a small check's RSS.
#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 2 and 3 (`mi_option_e` in
/// mimalloc.h); the Rust bindings leave options as numbers.
#[cfg(not(target_family = "wasm"))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Freed memory goes back to the system at once, not 10 ms later: the
    // end of a large check's rule phase gathers every rule's findings into
    // one vector and frees each rule's as it goes, and with the delay they
    // were all still held at the peak (at 100x national, 242 MB instead of
    // 255 MB, in the same time).
    // SAFETY: set once, before any thread is started (the function is not
    // thread-safe); the option is an integer number of milliseconds.
    #[cfg(not(target_family = "wasm"))]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0)
    };
    std::process::exit(cli::run());
}
