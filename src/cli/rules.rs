//! `icslint rules`: the catalogue as a listing, JSON or the Markdown
//! reference (the renderings live in `icslint::catalogue`).

use icslint::catalogue;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print as JSON
    #[arg(long)]
    json: bool,
    /// Print the rule reference as Markdown (docs/rules.md is generated this way)
    #[arg(long, conflicts_with = "json")]
    markdown: bool,
}

pub fn run(args: Args) -> i32 {
    let packs = catalogue::builtin_packs();
    let text = if args.markdown {
        catalogue::markdown(packs)
    } else if args.json {
        catalogue::json(packs) + "\n"
    } else {
        catalogue::listing(packs)
    };
    if args.json {
        // JSON keeps its meaning: what a terminal acts on as `\uXXXX`.
        let _ = super::emit(None, icslint::safe::Mode::Json, &text);
    } else {
        crate::cli::text!("{text}");
    }
    super::EXIT_CLEAN
}
