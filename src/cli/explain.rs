//! `icslint explain RULE`: the catalogue's explanation of one rule.

use icslint::catalogue;
use icslint::workspace::Workspace;

pub fn run(query: &str) -> i32 {
    let q = query.trim();
    let ws = Workspace::from_texts(&[], icslint::config::Config::default());
    let Some(entry) = catalogue::find(&ws, q) else {
        let hint = catalogue::suggest(q, catalogue::ids(&ws))
            .map_or(String::new(), |s| format!("; did you mean {s}?"));
        return super::error(format_args!(
            "no rule is called {q}{hint} (`icslint rules` lists them)"
        ));
    };
    crate::cli::text!("{}", entry.explain());
    super::EXIT_CLEAN
}
