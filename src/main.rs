fn main() {
    std::process::exit(icslint::cli::run());
}
