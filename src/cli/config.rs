//! `icslint config [PATH]`: the settings that apply to a file (or to the
//! files of a folder), each with its value and where it came from: the
//! default, an `icslint.yaml` and its line, or a command-line flag (as
//! ruff's `check --show-settings` and eslint's `--print-config`).

use super::Selection;
use icslint::diagnostic::Severity;
use icslint::workspace::{LoadOptions, Workspace};
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  icslint config northmoor/system.icg\n  icslint config . --format json\n  icslint config northmoor --config ci/icslint.yaml --select CCN\n\nExit status: 0 when the configuration was read without a problem; 2 when it (or a file named like one, such as icslint.yml) has a problem, which is printed."
)]
pub struct Args {
    /// The file, or folder, whose settings to show
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    format: ConfigFormat,
    /// Use this configuration file instead of the nearest icslint.yaml (as `check --config`)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    selection: Selection,
    #[command(flatten)]
    cache: super::cache::CacheArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ConfigFormat {
    Human,
    Json,
}

/// Where a setting's value came from.
enum Origin {
    Default,
    /// A configuration file and the line of the value.
    File(String, Option<usize>),
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The nearest `icslint.yaml` in the folder or one above it.
    Nearest,
}

impl Origin {
    fn human(&self) -> String {
        match self {
            Origin::Default => "default".into(),
            Origin::File(p, Some(l)) => format!("{p}:{l}"),
            Origin::File(p, None) => p.clone(),
            Origin::Flag(f) => format!("command line ({f})"),
            Origin::Env(v) => format!("the environment ({v})"),
            Origin::Nearest => "the nearest icslint.yaml in its folder or above".into(),
        }
    }
    fn json(&self) -> Value {
        match self {
            Origin::Default => json!({"from": "default"}),
            Origin::File(p, l) => json!({"from": "file", "file": p, "line": l}),
            Origin::Flag(f) => json!({"from": "flag", "flag": f}),
            Origin::Env(v) => json!({"from": "environment", "variable": v}),
            Origin::Nearest => json!({"from": "nearest"}),
        }
    }
}

struct Setting {
    key: String,
    value: Value,
    origin: Origin,
}

fn setting(key: impl Into<String>, value: Value, origin: Origin) -> Setting {
    Setting {
        key: key.into(),
        value,
        origin,
    }
}

pub fn run(args: Args) -> i32 {
    if !args.path.exists() {
        return super::error(format_args!(
            "{}: no such file or folder",
            super::shown(&args.path)
        ));
    }
    if let Some(code) = super::config_missing(args.config.as_deref()) {
        return code;
    }
    let opts = LoadOptions {
        config: args.config.clone(),
        ..LoadOptions::default()
    };
    let (ws, i) = Workspace::configuration_for(&args.path, &opts);
    let cf = &ws.configs[i];
    // Paths as the user sees them: relative to the current folder when under it.
    let cwd = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .unwrap_or_default();
    let rel =
        |p: &std::path::Path| -> String { p.strip_prefix(&cwd).unwrap_or(p).display().to_string() };
    let c = &cf.config;
    let file_name = cf.file.map(|f| rel(ws.sources.path(f)));
    let at = |span: icslint::source::Span| -> Origin {
        let f = cf.file.expect("a value with a span comes from a file");
        let (line, _) = ws.sources.get(f).line_col(span.start);
        Origin::File(rel(ws.sources.path(f)), Some(line))
    };
    let whole = || Origin::File(file_name.clone().unwrap_or_default(), None);
    let sel = &args.selection;
    let mut s = vec![setting(
        "configuration",
        file_name.as_deref().map_or(Value::Null, |p| json!(p)),
        match (&args.config, &file_name) {
            (Some(_), _) => Origin::Flag("--config"),
            (None, Some(_)) => Origin::Nearest,
            (None, None) => Origin::Default,
        },
    )];
    // A system's own `regime` statement comes first; this is the regime of
    // systems that state none.
    s.push(match (sel.regime, c.regime) {
        (Some(r), _) => setting("regime", json!(r.year()), Origin::Flag("--regime")),
        (None, Some(r)) => setting(
            "regime",
            json!(r.year()),
            c.at.regime.map_or_else(whole, at),
        ),
        (None, None) => setting("regime", json!(2022), Origin::Default),
    });
    s.push(match &c.packs {
        Some(p) => setting(
            "packs",
            json!(p),
            c.at.packs.first().copied().map_or_else(whole, at),
        ),
        None => setting("packs", json!("all built-in packs"), Origin::Default),
    });
    s.push(match (&sel.select, &c.select) {
        (f, _) if !f.is_empty() => setting("select", json!(f), Origin::Flag("--select")),
        (_, Some(v)) => setting(
            "select",
            json!(v),
            c.at.select.first().copied().map_or_else(whole, at),
        ),
        _ => setting("select", json!("every rule"), Origin::Default),
    });
    // Both apply: the configuration's and the flag's.
    if !c.ignore.is_empty() {
        s.push(setting(
            "ignore",
            json!(c.ignore),
            c.at.ignore.first().copied().map_or_else(whole, at),
        ));
    }
    if !sel.ignore.is_empty() {
        s.push(setting(
            "ignore",
            json!(sel.ignore),
            Origin::Flag("--ignore"),
        ));
    }
    if c.ignore.is_empty() && sel.ignore.is_empty() {
        s.push(setting("ignore", json!([]), Origin::Default));
    }
    s.push(match sel.as_of {
        Some(d) => setting("as-of", json!(d.to_string()), Origin::Flag("--as-of")),
        None => setting("as-of", json!("today"), Origin::Default),
    });
    // Where `check` of this path keeps its cache, or why it keeps none.
    s.push(match super::cache::off(&args.cache) {
        Some(why) => setting(
            "cache",
            json!("off"),
            if why.starts_with("--") {
                Origin::Flag("--no-cache")
            } else {
                Origin::Env("ICSLINT_NO_CACHE")
            },
        ),
        None => {
            let (dir, from) = super::cache::folder_of(&args.cache, Some(&args.path));
            let dir = rel(&dir);
            let origin = match from {
                "--cache-dir" => Origin::Flag("--cache-dir"),
                "ICSLINT_CACHE_DIR" => Origin::Env("ICSLINT_CACHE_DIR"),
                _ => Origin::Default,
            };
            setting("cache", json!(dir), origin)
        }
    });
    for (rule, sev) in &c.severity {
        s.push(setting(
            format!("severity.{rule}"),
            json!(Severity::as_str(*sev)),
            at(c.at.rule_id(rule)),
        ));
    }
    for (rule, params) in &c.params {
        for (name, value) in params {
            s.push(setting(
                format!("params.{rule}.{name}"),
                serde_json::to_value(value).unwrap_or(Value::Null),
                at(c.at.param(rule, name)),
            ));
        }
    }
    for (k, r) in c.rules.iter().enumerate() {
        s.push(setting(
            "rules",
            json!(r.display().to_string()),
            c.at.rules.get(k).copied().map_or_else(whole, at),
        ));
    }
    for (k, e) in c.exclude.iter().enumerate() {
        s.push(setting(
            "exclude",
            json!(e),
            c.at.exclude.get(k).copied().map_or_else(whole, at),
        ));
    }
    let problems: Vec<(&icslint::diagnostic::Finding, String, usize)> = ws
        .findings
        .iter()
        .map(|f| {
            let src = ws.sources.get(f.file);
            let (line, _) = src.line_col(f.span.start);
            (f, rel(&src.path), line)
        })
        .collect();
    let shown = args.path.display().to_string();
    let text = match args.format {
        ConfigFormat::Json => {
            let v = json!({
                "version": 1,
                "path": shown,
                "settings": s.iter().map(|x| json!({
                    "key": x.key,
                    "value": x.value,
                    "origin": x.origin.json(),
                })).collect::<Vec<_>>(),
                "problems": problems.iter().map(|(f, p, l)| json!({
                    "rule": f.rule,
                    "severity": f.severity.as_str(),
                    "file": p,
                    "line": l,
                    "message": f.message,
                    "help": f.help.as_deref(),
                })).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        ConfigFormat::Human => human(&shown, &s),
    };
    let mode = match args.format {
        ConfigFormat::Json => icslint::safe::Mode::Json,
        ConfigFormat::Human => icslint::safe::Mode::Text { colour: false },
    };
    if let Err(code) = super::emit(None, mode, &text) {
        return code;
    }
    for (f, p, l) in &problems {
        let help = f
            .help
            .as_deref()
            .map_or(String::new(), |h| format!(" ({h})"));
        super::note!(
            "{}: {}:{l}: {} [{}]{help}",
            f.severity.as_str(),
            icslint::safe::one_line(p),
            f.message,
            f.rule
        );
    }
    if problems
        .iter()
        .any(|(f, _, _)| f.severity == Severity::Error)
    {
        super::EXIT_ERROR
    } else {
        super::EXIT_CLEAN
    }
}

/// One setting a line: key, value, and where it came from, in columns.
fn human(path: &str, settings: &[Setting]) -> String {
    let value = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "none (the defaults)".into(),
        Value::Array(a) if a.is_empty() => "none".into(),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    let rows: Vec<(String, String, String)> = settings
        .iter()
        .map(|s| (s.key.clone(), value(&s.value), s.origin.human()))
        .collect();
    let kw = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let vw = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let mut out = format!("Settings for {}\n", icslint::safe::one_line(path));
    for (k, v, o) in rows {
        out.push_str(&format!("  {k:<kw$}  {v:<vw$}  from {o}\n"));
    }
    out
}
