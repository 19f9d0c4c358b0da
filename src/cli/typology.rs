use crate::syntax::fmt_num;
use crate::workspace::Workspace;
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
                let list = t.shares.iter().map(|(s, p)| format!("{} {}%", m.block(*s).id.as_deref().unwrap_or("?"), fmt_num(*p))).collect::<Vec<_>>().join(", ");
                out.push_str(&format!("{id:<14} {:<6} {list}\n", t.kind));
            }
            None if m.tier(a) == "strategic" => notes.push_str(&format!("# {id} is a strategic authority: it has no type and does not count towards system populations.\n")),
            None => notes.push_str(&format!("# {id} has no share in any system{}.\n", if list.is_empty() { String::new() } else { format!(" ({list})") })),
        }
    }
    out + &notes
}

pub fn run(paths: &[PathBuf]) -> i32 {
    let ws = match Workspace::load(paths, None) {
        Ok(ws) => ws,
        Err(e) => return super::error(e),
    };
    crate::cli::out!("{}", table(&ws));
    if ws
        .findings
        .iter()
        .any(|f| f.severity == crate::diagnostic::Severity::Error)
    {
        eprintln!("note: the workspace has language errors; run `icslint check` to see them");
    }
    super::EXIT_CLEAN
}
