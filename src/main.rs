//! The `icslint` binary: the command line (`cli`) over the library. The
//! CLI is private to the binary, so nothing in the library can depend on it.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
