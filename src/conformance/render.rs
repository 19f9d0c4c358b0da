//! The report's three renderings of one `Conformance`: HTML (one
//! self-contained file: styles inline, charts as inline SVG, no script, A4
//! print rules), Markdown, and JSON. HTML and Markdown come from minijinja
//! templates in `templates/`, compiled in; values are escaped by the
//! template engine (HTML auto-escaping by the template's name) after
//! `safe::xml_chars`, and by `safe`'s Markdown escaper in Markdown, never by
//! hand-built strings. The HTML links only `http` and `https` addresses,
//! and its Content-Security-Policy forbids script.
//!
//! Each is written as it is made (`write_html`, `write_markdown`,
//! `write_json`), never held whole: at national scale the HTML is about ten
//! times the documents. The templates see the systems through [`Systems`],
//! which makes a system into template values (and draws its charts) only
//! when the template reaches it, and lets it go after: one system's values
//! are alive at a time, not the whole report's.

use super::charts::{self, Chart};
use super::{Conformance, SystemReport};
use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{Environment, ErrorKind, Value};
use std::io;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex, OnceLock};

const HTML: &str = include_str!("../../templates/report.html");
const CSS: &str = include_str!("../../templates/report.css");
const MARKDOWN: &str = include_str!("../../templates/report.md");

/// Why a report could not be written: a template that failed (a bug; the
/// message says where), or the output that could not be written to.
#[derive(Debug)]
pub enum WriteError {
    Template(String),
    Io(io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Template(msg) => f.write_str(msg),
            WriteError::Io(e) => write!(f, "{e}"),
        }
    }
}

fn env() -> Environment<'static> {
    let mut env = crate::templating::environment();
    env.add_filter("thousands", |v: f64| super::thousands(v));
    env.add_filter("pct", |v: f64| {
        format!("{}%", crate::syntax::fmt_num((v * 10.0).round() / 10.0))
    });
    env.add_template("report.html", HTML)
        .expect("templates/report.html compiles (tested)");
    env.add_template("report.md", MARKDOWN)
        .expect("templates/report.md compiles (tested)");
    env
}

/// The report's systems as the templates see them: a sequence whose items
/// are made when the template reaches them (see the module's note).
#[derive(Debug)]
struct Systems {
    report: Arc<Conformance>,
    /// Charts drawn ahead on a second thread (`html`), in system order.
    charts: Option<Mutex<Drawn>>,
}

/// One system's three charts.
#[derive(Debug)]
struct Charts {
    findings: Chart,
    typology: Chart,
    membership: Vec<Chart>,
}

fn draw(s: &SystemReport) -> Charts {
    Charts {
        findings: charts::findings(s),
        typology: charts::typology(s),
        membership: s
            .membership
            .iter()
            .map(|b| charts::membership(s, b))
            .collect(),
    }
}

/// What the drawing thread has sent and not yet been taken.
#[derive(Debug)]
struct Drawn {
    from: Receiver<(usize, Charts)>,
    next: Option<(usize, Charts)>,
}

impl Systems {
    /// System `index`'s charts: from the drawing thread when it has them
    /// (the template asks in system order), else drawn here.
    fn charts(&self, index: usize) -> Charts {
        let s = &self.report.systems[index];
        let Some(drawn) = &self.charts else {
            return draw(s);
        };
        let mut drawn = drawn.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match drawn.next.take() {
                Some((i, c)) if i == index => return c,
                Some(ahead) if ahead.0 > index => {
                    drawn.next = Some(ahead);
                    return draw(s);
                }
                _ => match drawn.from.recv() {
                    Ok(next) => drawn.next = Some(next),
                    Err(_) => return draw(s),
                },
            }
        }
    }
}

impl Object for Systems {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = key.as_usize()?;
        (index < self.report.systems.len()).then(|| {
            Value::from_object(System {
                systems: Arc::clone(self),
                index,
                whole: OnceLock::new(),
                charts: OnceLock::new(),
            })
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.report.systems.len())
    }
}

/// One system: what the summary reads (name, ID, regime, totals) without
/// the rest; the rest made into values once, on the first field that needs
/// it; the charts (`findings_chart`, `typology_chart`, `membership_charts`)
/// drawn only when asked for.
#[derive(Debug)]
struct System {
    systems: Arc<Systems>,
    index: usize,
    whole: OnceLock<Value>,
    /// The charts, as values: findings, typology, membership.
    charts: OnceLock<[Value; 3]>,
}

impl System {
    fn system(&self) -> &SystemReport {
        &self.systems.report.systems[self.index]
    }

    fn chart(&self, which: usize) -> Value {
        self.charts.get_or_init(|| {
            let c = self.systems.charts(self.index);
            [
                Value::from(Serde(c.findings)),
                Value::from(Serde(c.typology)),
                Value::from(Serde(c.membership)),
            ]
        })[which]
            .clone()
    }
}

impl Object for System {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let s = self.system();
        let value = match key.as_str()? {
            "id" => Value::from(s.id.as_str()),
            "name" => Value::from(s.name.as_str()),
            "regime" => Value::from(s.regime),
            "totals" => Value::from(Serde(&s.totals)),
            "findings_chart" => self.chart(0),
            "typology_chart" => self.chart(1),
            "membership_charts" => self.chart(2),
            other => {
                let whole = self.whole.get_or_init(|| Value::from(Serde(s)));
                return whole.get_attr(other).ok().filter(|v| !v.is_undefined());
            }
        };
        Some(value)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::NonEnumerable
    }
}

/// The context both templates read: `report` (its `as_of`, `unplaced` and
/// `systems`) and `systems`, the same systems (with their charts, for
/// `html`: drawn ahead on a second thread, at most two systems ahead of the
/// template, a fifth of the time of the report).
///
/// The drawing thread is not joined: it ends at its next chart once the
/// context (and with it the channel) is dropped, and by then it has drawn
/// every chart anyway.
fn context(report: Arc<Conformance>, html: bool) -> Value {
    let charts = if html && report.systems.len() > 1 {
        let (to, from) = sync_channel(2);
        let mine = Arc::clone(&report);
        let drawing = std::thread::Builder::new()
            .name("charts".into())
            .spawn(move || {
                for (i, s) in mine.systems.iter().enumerate() {
                    if to.send((i, draw(s))).is_err() {
                        return;
                    }
                }
            })
            .ok();
        drawing.map(|_| Mutex::new(Drawn { from, next: None }))
    } else {
        None
    };
    let systems = Value::from_object(Systems {
        report: Arc::clone(&report),
        charts,
    });
    let tool_version = env!("CARGO_PKG_VERSION");
    let report_value = minijinja::context! {
        version => report.version,
        as_of => report.as_of.as_str(),
        unplaced => Serde(&report.unplaced),
        systems => systems.clone(),
    };
    let ctx = if html {
        minijinja::context! {
            report => report_value,
            systems => systems,
            css => CSS,
            tool_version => tool_version,
        }
    } else {
        minijinja::context! {
            report => report_value,
            systems => systems,
            tool_version => tool_version,
        }
    };
    ctx
}

/// Renders `name` to `w`. A template that fails to render is a bug; the
/// error says where.
fn render_to(name: &str, ctx: Value, w: &mut dyn io::Write) -> Result<(), WriteError> {
    // The template is rendered on a second thread while this one writes
    // what it made (through the caller's guard, a sixth of the time at
    // national scale), a few chunks behind. Where no thread can be
    // started (WebAssembly), it is rendered here.
    let (to, from) = sync_channel::<Vec<u8>>(4);
    let again = ctx.clone();
    std::thread::scope(|s| {
        let rendering = std::thread::Builder::new()
            .name("render".into())
            .spawn_scoped(s, move || {
                let mut chunks = Chunks {
                    to,
                    buf: Vec::with_capacity(CHUNK),
                };
                let rendered = render_with(name, ctx, &mut chunks);
                rendered.and_then(|()| chunks.send().map_err(WriteError::Io))
            });
        let Ok(rendering) = rendering else {
            return render_with(name, again, w);
        };
        drop(again);
        let mut failed = None;
        for chunk in &from {
            if let Err(e) = w.write_all(&chunk) {
                failed = Some(e);
                break;
            }
        }
        // The renderer stops at its next chunk once no one reads them.
        drop(from);
        let rendered = rendering
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match failed {
            Some(e) => Err(WriteError::Io(e)),
            None => rendered,
        }
    })
}

/// How much the renderer sends at a time.
const CHUNK: usize = 1 << 16;

/// What the rendering thread writes, sent on in chunks.
struct Chunks {
    to: std::sync::mpsc::SyncSender<Vec<u8>>,
    buf: Vec<u8>,
}

impl Chunks {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.to
            .send(full)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the report's reader stopped"))
    }
}

impl io::Write for Chunks {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn render_with(name: &str, ctx: Value, w: &mut dyn io::Write) -> Result<(), WriteError> {
    let env = env();
    let template = env
        .get_template(name)
        .map_err(|e| WriteError::Template(format!("the {name} template failed: {e:#}")))?;
    let rendered = template.render_captured_to(ctx, &mut *w).map(drop);
    match rendered {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::WriteFailure => Err(WriteError::Io(
            std::error::Error::source(&e)
                .and_then(|s| s.downcast_ref::<io::Error>())
                .map(|io| io::Error::new(io.kind(), io.to_string()))
                .unwrap_or_else(|| io::Error::other(e.to_string())),
        )),
        Err(e) => Err(WriteError::Template(format!(
            "the {name} template failed: {e:#}"
        ))),
    }
}

fn to_string(
    write: impl FnOnce(&mut dyn io::Write) -> Result<(), WriteError>,
) -> Result<String, String> {
    let mut out = Vec::new();
    write(&mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).expect("the templates write UTF-8"))
}

/// The HTML report: one file a board can open, print or archive, written
/// to `w` as it is made.
pub fn write_html(report: Arc<Conformance>, w: &mut dyn io::Write) -> Result<(), WriteError> {
    render_to("report.html", context(report, true), w)
}

/// [`write_html`] into a string.
pub fn html(report: &Conformance) -> Result<String, String> {
    to_string(|w| write_html(Arc::new(report.clone()), w))
}

/// The same report in Markdown (for a pull request or a wiki), written to
/// `w` as it is made.
pub fn write_markdown(report: Arc<Conformance>, w: &mut dyn io::Write) -> Result<(), WriteError> {
    render_to("report.md", context(report, false), w)
}

/// [`write_markdown`] into a string.
pub fn markdown(report: &Conformance) -> Result<String, String> {
    to_string(|w| write_markdown(Arc::new(report.clone()), w))
}

/// The same report as JSON (`"version": 1`; fields are only added), written
/// to `w` as it is made.
pub fn write_json(report: &Conformance, w: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    w.write_all(b"\n")
}

/// [`write_json`] into a string.
pub fn json(report: &Conformance) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("the report serialises");
    s.push('\n');
    s
}
