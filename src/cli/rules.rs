use crate::workspace::Workspace;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> i32 {
    let ws = Workspace::from_texts(&[], crate::config::Config::default());
    if args.json {
        let rules: Vec<_> = ws
            .packs
            .iter()
            .flat_map(|(_, p)| p.rules.iter().map(move |r| (p, r)))
            .map(|(p, r)| serde_json::json!({"id": r.id, "name": r.name, "pack": p.name, "severity": r.severity, "regimes": r.regimes, "scope": r.scope, "provenance": r.provenance}))
            .collect();
        crate::cli::outln!(
            "{}",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        );
        return super::EXIT_CLEAN;
    }
    crate::cli::outln!(
        "{:<8} {:<40} {:<15} {:<8} {:<10} source",
        "id",
        "name",
        "pack",
        "severity",
        "regimes"
    );
    for (id, name, sev, _) in crate::diagnostic::icg::ALL {
        crate::cli::outln!(
            "{id:<8} {name:<40} {:<15} {:<8} {:<10} icslint language",
            "language",
            sev.as_str(),
            "all"
        );
    }
    for (_, p) in &ws.packs {
        for r in &p.rules {
            let regimes = if r.regimes.is_empty() {
                "all".to_string()
            } else {
                r.regimes
                    .iter()
                    .map(|g| g.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            crate::cli::outln!(
                "{:<8} {:<40} {:<15} {:<8} {:<10} {} {}",
                r.id,
                r.name,
                p.name,
                r.severity.as_str(),
                regimes,
                r.provenance.source,
                r.provenance.reference
            );
        }
    }
    super::EXIT_CLEAN
}
