use icslint::report;
use icslint::source::Sources;
use std::path::Path;

pub fn run(file: &Path) -> i32 {
    let bytes = match icslint::files::read(file, icslint::files::MAX_ICG) {
        Ok(b) => b,
        Err(e) => return super::error(format_args!("{}: {e}", super::shown(file))),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return super::error(format_args!(
                "{} is not UTF-8: byte {} is invalid",
                super::shown(file),
                e.utf8_error().valid_up_to()
            ))
        }
    };
    let parsed = icslint::syntax::parse(&text);
    crate::cli::text!("{}", icslint::syntax::dump(&parsed.file));
    if parsed.errors.is_empty() {
        return super::EXIT_CLEAN;
    }
    let mut sources = Sources::default();
    let id = sources.add(std::path::Path::new(&super::shown(file)), text);
    let findings: Vec<_> = parsed
        .errors
        .iter()
        .map(|e| {
            let mut f = icslint::diagnostic::icg::finding(
                icslint::diagnostic::icg::SYNTAX,
                id,
                e.span,
                e.message.clone(),
            );
            f.help = e.help.clone().map(Into::into);
            if let Some(span) = e.unchecked_head(&sources.get(id).text) {
                f.labels.push(icslint::diagnostic::Label {
                    file: id,
                    span,
                    message: "not checked".into(),
                });
            }
            f
        })
        .collect();
    let (findings, sources) = match super::check::terminal_safe(&findings, &sources, true) {
        Some(safe) => safe,
        None => (findings, sources),
    };
    let mut g = icslint::safe::Guard::new(
        std::io::stderr().lock(),
        icslint::safe::Mode::Text { colour: false },
    );
    let _ = report::write_human(&findings, &sources, false, 100, &mut g);
    let _ = g.finish();
    super::EXIT_FINDINGS
}
