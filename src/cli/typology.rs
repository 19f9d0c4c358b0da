use icslint::model::typology::Note;
use icslint::syntax::fmt_num;
use icslint::text::and_list;
use icslint::workspace::Workspace;
use std::path::PathBuf;

/// The table printed by `icslint typology`, in the layout of
/// `expected-typology.txt`: authority, type, shares.
pub fn table(ws: &Workspace) -> String {
    let m = &ws.model;
    let mut out = String::from("# authority    type   shares\n");
    let mut notes = String::new();
    for a in m.of_kind("authority") {
        let id = m.block(a).id.clone().unwrap_or_default();
        let shares = m.shares(a);
        let list = shares
            .iter()
            .map(|(s, p)| {
                format!(
                    "{} {}%",
                    m.block(*s).id.as_deref().unwrap_or("?"),
                    fmt_num(*p)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        match m.typology.get(&a) {
            Some(t) => {
                let mut list = t.shares.iter().map(|(s, p)| format!("{} {}%", m.block(*s).id.as_deref().unwrap_or("?"), fmt_num(*p))).collect::<Vec<_>>().join(", ");
                if t.remainder >= 0.05 {
                    list.push_str(&format!(", elsewhere {}%", fmt_num((t.remainder * 100.0).round() / 100.0)));
                }
                let kind = t.kind.map_or("?".to_string(), |k| k.to_string());
                out.push_str(&format!("{id:<14} {kind:<6} {list}\n"));
                match &t.note {
                    Some(Note::MissingPopulation(missing)) => {
                        let names: Vec<String> = missing.iter().map(|x| m.block(*x).id.as_deref().unwrap_or_default().to_string()).collect();
                        notes.push_str(&format!("# {id}: type undecided, the population of {} is not stated.\n", and_list(&names)));
                    }
                    Some(Note::Incomplete) => notes.push_str(&format!("# {id}: its shares are incomplete; the rest counts as one further system.\n")),
                    None => {}
                }
            }
            None if m.tier(a) == "strategic" => notes.push_str(&format!("# {id} is a strategic authority: it has no type and does not count towards system populations.\n")),
            None if m.tier(a) == "lower" => notes.push_str(&format!("# {id} is a lower-tier (district) council: it has no type.\n")),
            None => {
                let dated = m.block(a).attrs("share").any(|s| matches!(&s.value, icslint::model::Val::Tuple(v) if icslint::model::Period::of_share(v).is_dated()));
                let on = if dated { format!(" on {}", m.day()) } else { String::new() };
                notes.push_str(&format!("# {id} has no share in any system{on}{}.\n", if list.is_empty() { String::new() } else { format!(" ({list})") }));
            }
        }
    }
    out + &notes
}

pub fn run(paths: &[PathBuf], as_of: Option<icslint::syntax::Date>) -> i32 {
    let load = icslint::workspace::LoadOptions {
        as_of,
        ..Default::default()
    };
    let ws = match Workspace::load_with(paths, &load) {
        Ok(ws) => ws,
        Err(e) => return super::error(e),
    };
    if let Some(code) = super::nothing_to_check(&ws, &ws.findings, paths) {
        return code;
    }
    crate::cli::text!("{}", table(&ws));
    // A path that could not be read is an I/O error, as in `check`: the
    // table is printed without it, and the run exits 2.
    let unread: Vec<&str> = ws
        .findings
        .iter()
        .filter(|f| f.rule == "ICG009" && f.severity == icslint::diagnostic::Severity::Error)
        .map(|f| f.message.as_str())
        .collect();
    for m in &unread {
        super::note!("error: {m}");
    }
    if !unread.is_empty() {
        return super::EXIT_ERROR;
    }
    if ws.files.is_empty() {
        return super::empty_run(paths);
    }
    if ws
        .findings
        .iter()
        .any(|f| f.severity == icslint::diagnostic::Severity::Error)
    {
        super::note!("note: the workspace has language errors; run `icslint check` to see them");
    }
    super::EXIT_CLEAN
}
