use crate::workspace::Workspace;

pub fn run(query: &str) -> i32 {
    let q = query.trim();
    if let Some(d) = crate::diagnostic::icg::ALL
        .iter()
        .find(|x| x.id.eq_ignore_ascii_case(q) || x.name == q)
    {
        crate::cli::outln!(
            "{} {} ({}, language)\n\n{}",
            d.id,
            d.name,
            d.severity.as_str(),
            d.doc
        );
        return super::EXIT_CLEAN;
    }
    let ws = Workspace::from_texts(&[], crate::config::Config::default());
    let all: Vec<_> = ws
        .packs
        .iter()
        .flat_map(|(_, p)| p.rules.iter().map(move |r| (p, r)))
        .collect();
    let Some((pack, r)) = all
        .iter()
        .find(|(_, r)| r.id.eq_ignore_ascii_case(q) || r.name == q)
    else {
        let ids = all
            .iter()
            .map(|(_, r)| r.id.as_str())
            .chain(crate::diagnostic::icg::ALL.iter().map(|x| x.id));
        let hint = crate::model::schema::suggest(&q.to_uppercase(), ids)
            .map_or(String::new(), |s| format!("; did you mean {s}?"));
        return super::error(format_args!(
            "no rule is called {q}{hint} (`icslint rules` lists them)"
        ));
    };
    crate::cli::out!("{}", explain(pack, r));
    super::EXIT_CLEAN
}

pub fn explain(pack: &crate::rules::Pack, r: &crate::rules::Rule) -> String {
    let regimes = r.regimes_text();
    let mut s = format!(
        "{} {} ({}, {}, pack {})\n\n",
        r.id,
        r.name,
        r.severity.as_str(),
        regimes,
        pack.name
    );
    s.push_str(&format!(
        "Source: {}, {}\n  {}\n\n",
        r.provenance.source, r.provenance.reference, r.provenance.summary
    ));
    if !r.description.trim().is_empty() {
        s.push_str(&format!(
            "What it checks\n  {}\n\n",
            r.description.trim().replace('\n', "\n  ")
        ));
    }
    if !r.why.trim().is_empty() {
        s.push_str(&format!(
            "Why\n  {}\n\n",
            r.why.trim().replace('\n', "\n  ")
        ));
    }
    s.push_str(&format!("What to write\n  {}\n\n", r.help_doc().trim()));
    for (title, text) in [("Fails", &r.examples.fail), ("Passes", &r.examples.pass)] {
        if !text.trim().is_empty() {
            s.push_str(&format!("{title}\n"));
            for line in text.trim_end().lines() {
                s.push_str(&format!("    {line}\n"));
            }
            s.push('\n');
        }
    }
    s
}
