//! `icslint report`: the conformance report. Snapshots of its JSON and
//! Markdown for ../shared/examples/northmoor and downshire; the HTML read
//! by a real HTML parser (every section, chart, text alternative and table
//! header) and by a strict XML reader (no tag left open); the statuses a
//! board relies on (explained, review due, not applicable and why); and
//! the HTML opened in headless Chromium, which saves a screenshot and a PDF
//! under target/report/.

mod common;
use common::*;
use icslint::conformance::{self, Status};
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const AS_OF: &str = "2026-01-01";

/// Runs in ../shared/examples (or its copy) so paths read `northmoor/...`.
fn report(args: &[&str]) -> String {
    let out = icslint(args, &shared_examples());
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn json_and_markdown_snapshots() {
    for ex in ["northmoor", "downshire"] {
        insta::assert_snapshot!(
            format!("report_{ex}_json"),
            report(&["report", ex, "--format", "json", "--as-of", AS_OF])
        );
        insta::assert_snapshot!(
            format!("report_{ex}_md"),
            report(&["report", ex, "--format", "md", "--as-of", AS_OF])
        );
    }
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

/// The packs' names and how many attestation items each lists.
fn packs() -> Vec<(String, usize)> {
    let mut sources = icslint::source::Sources::default();
    let (packs, findings) = icslint::rules::builtin_packs(&mut sources);
    assert!(findings.is_empty(), "{findings:?}");
    packs
        .iter()
        .map(|p| (p.name.clone(), p.attestation.len()))
        .collect()
}

/// Every `<x>` has its `</x>` (or is written `<x/>`), in order, to the end:
/// the report is XHTML-compatible markup, so a strict XML reader can check it.
fn assert_well_formed(html: &str) {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(html);
    r.config_mut().check_end_names = true;
    let mut open: Vec<String> = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => open.push(String::from_utf8_lossy(e.name().as_ref()).into()),
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at byte {}: {e}\n{}",
                r.error_position(),
                &html[(r.error_position() as usize).saturating_sub(200)
                    ..(r.error_position() as usize).min(html.len())]
            ),
        }
    }
    assert!(open.is_empty(), "left open at the end: {open:?}");
}

/// What every report must hold, read from the DOM (`html` is the file or
/// the DOM Chromium dumped).
fn assert_report_dom(html: &str, systems: &[(&str, usize)]) {
    let doc = Html::parse_document(html);
    let one = |s: &str| doc.select(&sel(s)).count();
    assert_eq!(
        doc.select(&sel("html"))
            .next()
            .and_then(|h| h.value().attr("lang")),
        Some("en-GB")
    );
    assert_eq!(one("h1"), 1);
    assert_eq!(one("#summary"), 1, "the summary section");
    // No script and nothing fetched: one self-contained file.
    assert_eq!(one("script, link, img, iframe, object, embed"), 0);
    if let Some(e) = doc.select(&sel("[src]")).next() {
        panic!("an external asset: {:?}", e.value());
    }
    let style: String = doc.select(&sel("style")).flat_map(|s| s.text()).collect();
    assert!(
        style.contains("@page") && style.contains("size: A4"),
        "A4 print rules"
    );
    assert!(
        style.contains("break-before: page"),
        "a page break between systems"
    );
    assert!(!style.contains("url(") && !style.contains("@import"));
    // Headings in order: never a level skipped on the way down.
    let mut last = 0;
    for h in doc.select(&sel("h1, h2, h3, h4, h5, h6")) {
        let level: usize = h.value().name()[1..].parse().unwrap();
        assert!(
            level <= last + 1,
            "h{level} \"{}\" follows h{last}",
            h.text().collect::<String>()
        );
        last = level;
    }
    // Real tables: a caption, column headers with a scope, row headers too.
    for t in doc.select(&sel("table")) {
        assert_eq!(t.select(&sel("caption")).count(), 1, "{}", t.html());
        assert!(t.select(&sel("thead th[scope=col]")).count() >= 2);
        for th in t.select(&sel("th")) {
            assert!(
                matches!(th.value().attr("scope"), Some("col" | "row")),
                "a header without scope: {}",
                th.html()
            );
        }
    }
    let packs = packs();
    for &(id, bodies) in systems {
        let sys = format!("#system-{id}");
        assert_eq!(one(&sys), 1, "{sys}");
        for part in ["glance", "findings", "membership", "typology", "provisions"] {
            assert_eq!(one(&format!("{sys}-{part}")), 1, "{sys}-{part}");
        }
        for (pack, attest) in &packs {
            let src = format!("{sys}-source-{pack}");
            assert_eq!(one(&src), 1, "{src}");
            assert_eq!(
                one(&format!("{src} table.attestation tbody tr")),
                *attest,
                "{src}: every attestation item listed"
            );
        }
        // The charts: findings, typology, and one per ICB or ICP.
        for chart in [
            format!("svg#chart-findings-{id}"),
            format!("svg#chart-typology-{id}"),
        ] {
            assert_eq!(one(&format!("{sys} {chart}")), 1, "{chart}");
        }
        assert_eq!(
            one(&format!("{sys} svg[id^=chart-membership-]")),
            bodies,
            "{sys}: membership charts"
        );
    }
    // Every chart: an image with a title and a description, in a figure
    // with a caption, followed by a table of the same numbers.
    let charts: Vec<_> = doc.select(&sel("svg")).collect();
    assert_eq!(
        charts.len(),
        systems.iter().map(|(_, b)| 2 + b).sum::<usize>()
    );
    let okabe_ito = [
        "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#999999",
    ];
    for svg in charts {
        let id = svg.value().attr("id").unwrap();
        assert_eq!(svg.value().attr("role"), Some("img"), "{id}");
        let labelled = svg.value().attr("aria-labelledby").unwrap_or_default();
        for part in labelled.split_whitespace() {
            let text: String = doc
                .select(&sel(&format!("#{part}")))
                .flat_map(|e| e.text())
                .collect();
            assert!(
                !text.trim().is_empty(),
                "{id}: aria-labelledby names {part}, which is empty"
            );
        }
        assert!(
            labelled.contains(&format!("{id}-title")) && labelled.contains(&format!("{id}-desc"))
        );
        let figure = svg.parent().and_then(scraper::ElementRef::wrap).unwrap();
        assert_eq!(figure.value().name(), "figure", "{id}");
        assert_eq!(figure.select(&sel("figcaption")).count(), 1);
        let next_table = figure
            .next_siblings()
            .filter_map(scraper::ElementRef::wrap)
            .next()
            .unwrap();
        assert_eq!(next_table.value().name(), "table", "{id}: its data table");
        // Bars are drawn in the colour-blind-safe palette.
        for rect in svg.select(&sel("rect")) {
            let fill = rect.value().attr("fill").unwrap_or("none").to_uppercase();
            let w = rect.value().attr("width").unwrap_or("0");
            if fill == "#FFFFFF" || fill == "NONE" || w == "0" {
                continue;
            }
            assert!(okabe_ito.contains(&fill.as_str()), "{id}: a bar in {fill}");
        }
    }
}

fn html_of(example: &str) -> String {
    report(&["report", example, "--format", "html", "--as-of", AS_OF])
}

const NORTHMOOR: &[(&str, usize)] = &[("northmoor", 2)];
const DOWNSHIRE: &[(&str, usize)] = &[("downs_riverside", 1), ("chalk_hills", 1)];

#[test]
fn the_html_has_every_section_and_chart_and_no_tag_left_open() {
    for (ex, systems) in [("northmoor", NORTHMOOR), ("downshire", DOWNSHIRE)] {
        let html = html_of(ex);
        assert_well_formed(&html);
        assert_report_dom(&html, systems);
    }
}

#[test]
fn the_strict_check_catches_an_unclosed_tag() {
    let html = html_of("northmoor");
    let broken = html.replacen("</caption>", "", 1);
    let caught = std::panic::catch_unwind(|| assert_well_formed(&broken));
    assert!(caught.is_err(), "a dropped </caption> passed");
    let truncated = &html[..html.find("</main>").unwrap()];
    assert!(std::panic::catch_unwind(|| assert_well_formed(truncated)).is_err());
}

#[test]
fn html_flag_writes_the_file_and_usage_errors_exit_2() {
    let dir = scratch("report-cli");
    let out = dir.join("board.html");
    let o = icslint(
        &["report", "northmoor", "--html", out.to_str().unwrap()],
        &shared_examples(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    let o = icslint(
        &["report", "northmoor", "--as-of", "2026-02-30"],
        &shared_examples(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a day of the calendar"),
        "{}",
        stderr(&o)
    );
    let o = icslint(
        &[
            "report",
            "northmoor",
            "--html",
            "x.html",
            "--format",
            "json",
        ],
        &shared_examples(),
    );
    assert_eq!(o.status.code(), Some(2));
}

const SMALL: &str = r#"
system s "Example ICS" { regime 2022 }
authority a "Example County Council" { kind county; tier upper; population 500_000; share @s 100% }
icb e_icb "NHS Example ICB" {
    system @s
    membership_review every 24 months
    agenda { strategic_share 40% }
}
"#;

/// Builds the report of `SMALL` after `edit` changed the engine's findings.
fn small_report(edit: impl Fn(&mut Vec<icslint::diagnostic::Finding>)) -> conformance::Conformance {
    let ws = icslint::workspace::Workspace::from_texts(
        &[("small.icg", SMALL)],
        icslint::config::Config::default(),
    );
    let engine = icslint::engine::Engine::new(&ws, Default::default());
    let mut findings = engine.run();
    edit(&mut findings);
    conformance::build(&ws, &engine, &findings, AS_OF)
}

fn provision<'a>(r: &'a conformance::Conformance, id: &str) -> &'a conformance::Provision {
    r.systems[0]
        .sources
        .iter()
        .flat_map(|s| &s.provisions)
        .find(|p| *p.id == *id)
        .unwrap_or_else(|| panic!("no provision {id}"))
}

fn explain(review: &str) -> impl Fn(&mut Vec<icslint::diagnostic::Finding>) + '_ {
    move |fs| {
        for f in fs.iter_mut().filter(|f| f.rule == "CCN161") {
            f.explanation = Some(Box::new(icslint::diagnostic::Explanation {
                reason: "Board time is 40% strategic while the system is in financial recovery"
                    .into(),
                approved_by: "NHS Example ICB".into(),
                agreed: "2025-06-01".into(),
                review: Some(review.into()),
                overdue: review < AS_OF,
                file: f.file,
                span: f.span,
            }));
        }
    }
}

#[test]
fn an_explanation_counts_until_its_review_date() {
    let plain = small_report(|_| {});
    assert_eq!(provision(&plain, "CCN161").status, Status::NotMet);
    assert_eq!(provision(&plain, "CCN111").status, Status::NotMet);

    let explained = small_report(explain("2026-06-01"));
    let p = provision(&explained, "CCN161");
    assert_eq!(p.status, Status::Explained);
    assert_eq!(p.findings[0].severity, "explained");
    let e = p.findings[0].explanation.as_ref().unwrap();
    assert_eq!(
        (e.approved_by.as_str(), e.review_due),
        ("NHS Example ICB", false)
    );
    assert_eq!(
        explained.systems[0].totals.explained,
        plain.systems[0].totals.explained + 1
    );
    // The explanation reaches every rendering, with its approver and dates.
    let md = conformance::render::markdown(&explained).unwrap();
    assert!(
        md.contains("approved by NHS Example ICB, agreed 2025-06-01, review 2026-06-01"),
        "{md}"
    );
    let html = conformance::render::html(&explained).unwrap();
    assert!(html.contains("Board&#x27;s explanation") || html.contains("Board's explanation"));
    assert!(conformance::render::json(&explained).contains("\"review_due\": false"));

    // Review passed (as of 2026-01-01): a finding again.
    let due = small_report(explain("2025-12-31"));
    let p = provision(&due, "CCN161");
    assert_eq!(p.status, Status::NotMet);
    assert!(p.findings[0].explanation.as_ref().unwrap().review_due);
    assert!(conformance::render::markdown(&due)
        .unwrap()
        .contains("explanation due for review since 2025-12-31"));
}

#[test]
fn not_applicable_says_why() {
    let r = small_report(|_| {});
    let why = |id: &str| {
        let p = provision(&r, id);
        assert_eq!(p.status, Status::NotApplicable, "{id}");
        p.reason.as_ref().unwrap().kind
    };
    use conformance::ReasonKind::*;
    assert_eq!(why("CCN141"), NoIcp);
    assert_eq!(why("NHC003"), Regime);
    assert_eq!(why("CCN072"), Typology);
    assert_eq!(why("HFM002"), NoBlock);
    // One ICB, one upper-tier council: the membership rows and minimums.
    let icb = &r.systems[0].membership[0];
    let la = icb
        .rows
        .iter()
        .find(|x| x.category == conformance::Category::LocalAuthority)
        .unwrap();
    assert_eq!((la.members, la.recommended), (0, Some(1)));
    // A citation, where the document names one, reaches the report.
    let cited = small_report(|fs| {
        for f in fs.iter_mut() {
            f.citation = Some(std::sync::Arc::new(icslint::diagnostic::Citation {
                document: "NHS Example ICB Constitution".into(),
                version: Some("3.2".into()),
                clause: Some("4.2.1".into()),
                url: None,
            }));
        }
    });
    assert_eq!(
        provision(&cited, "CCN111").findings[0].citation.as_deref(),
        Some("NHS Example ICB Constitution v3.2, clause 4.2.1")
    );
}

/// Debian's `chromium`, or why the test cannot run. Under CI it must exist
/// (`.ci/run` installs it).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromium"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, and CI is set: .ci/run installs it with apt-get"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
    }
    found
}

/// Runs headless Chromium with a profile under target/, within two minutes.
fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> std::process::Output {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Read both pipes while waiting: a DOM larger than a pipe's buffer
    // would otherwise block Chromium forever.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    use std::io::Read as _;
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

#[test]
fn headless_chromium_renders_the_report_to_a_screenshot_and_a_pdf() {
    let Some(bin) = chromium() else { return };
    let out_dir = root().join("target/report");
    std::fs::create_dir_all(&out_dir).unwrap();
    let profile = scratch("chromium-profile");
    for (ex, systems) in [("northmoor", NORTHMOOR), ("downshire", DOWNSHIRE)] {
        let page = out_dir.join(format!("{ex}.html"));
        std::fs::write(&page, html_of(ex)).unwrap();
        let url = format!("file://{}", page.display());

        let dom = run_chromium(&bin, &profile, &["--dump-dom".into(), url.clone()]);
        let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
        assert!(dom.contains("<main>"), "no DOM dumped for {ex}");
        assert_report_dom(&dom, systems);

        let png = out_dir.join(format!("{ex}.png"));
        let pdf = out_dir.join(format!("{ex}.pdf"));
        let _ = std::fs::remove_file(&png);
        let _ = std::fs::remove_file(&pdf);
        run_chromium(
            &bin,
            &profile,
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1280,2000".into(),
                url.clone(),
            ],
        );
        run_chromium(
            &bin,
            &profile,
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".into(),
                url,
            ],
        );
        let png_bytes = std::fs::read(&png).unwrap_or_default();
        assert!(
            png_bytes.starts_with(b"\x89PNG") && png_bytes.len() > 50_000,
            "{}: {} bytes",
            png.display(),
            png_bytes.len()
        );
        let pdf_bytes = std::fs::read(&pdf).unwrap_or_default();
        assert!(
            pdf_bytes.starts_with(b"%PDF") && pdf_bytes.len() > 30_000,
            "{}: {} bytes",
            pdf.display(),
            pdf_bytes.len()
        );
        // A4 pages (595 x 842 points), more than one per system.
        let text = String::from_utf8_lossy(&pdf_bytes);
        let boxes: Vec<&str> = text
            .match_indices("/MediaBox [")
            .map(|(at, _)| {
                let rest = &text[at + 11..];
                &rest[..rest.find(']').unwrap_or(0)]
            })
            .collect();
        let pages = boxes.len();
        eprintln!(
            "{ex}: {} and {} ({pages} pages)",
            png.display(),
            pdf.display()
        );
        for b in &boxes {
            let v: Vec<f64> = b
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            assert!(
                v.len() == 4 && (v[2] - 595.0).abs() < 1.0 && (v[3] - 842.0).abs() < 1.0,
                "{}: a page of {b}, not A4",
                pdf.display()
            );
        }
        assert!(pages > systems.len(), "{}: {pages} pages", pdf.display());
        assert_no_heading_at_a_page_foot(&pdf, &dom);
    }
}

/// No page of the PDF ends with a heading or a table's caption: each
/// page's last line of text (`pdftotext`, Debian's poppler-utils) is
/// none of the report's headings and captions (read from the DOM).
/// Without pdftotext the check is skipped, with a note.
fn assert_no_heading_at_a_page_foot(pdf: &Path, dom: &str) {
    let doc = scraper::Html::parse_document(dom);
    let headings: std::collections::HashSet<String> = doc
        .select(&sel("h2, h3, h4, h5, caption"))
        .map(|h| {
            h.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let Ok(out) = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
    else {
        eprintln!("skipped: pdftotext is not installed (apt-get install poppler-utils)");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // pdftotext ends each page with a form feed.
    // The last two lines: a caption followed only by its table's header
    // row is a heading left alone too.
    for (n, page) in text.split('\u{c}').enumerate() {
        let lines: Vec<String> = page
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        for last in lines.iter().rev().take(2) {
            assert!(
                !headings.contains(last),
                "{}: page {} ends with the heading {last:?}",
                pdf.display(),
                n + 1
            );
        }
    }
}

/// The findings chart names each source by its title, as the tables do,
/// not by its pack's ID; long titles wrap rather than being cut off.
#[test]
fn chart_rows_use_the_sources_titles() {
    let html = html_of("northmoor");
    let doc = Html::parse_document(&html);
    let svg = doc
        .select(&sel("svg[id^=chart-findings-]"))
        .next()
        .expect("a findings chart");
    let texts: Vec<String> = svg
        .select(&sel("text"))
        .map(|t| t.text().collect::<String>().trim().to_string())
        .collect();
    let all = texts.join(" | ");
    for id in ["ccn-2022", "statutory", "hfma-2021", "nhsconfed-2025"] {
        assert!(!texts.iter().any(|t| t == id), "{id} as a label: {all}");
    }
    assert!(
        texts.iter().any(|t| t == "System financial frameworks"),
        "{all}"
    );
    // "The evolving role of county authorities in ICSs", on two lines.
    assert!(
        texts.iter().any(|t| t.starts_with("The evolving role of")),
        "{all}"
    );
    assert!(texts.iter().any(|t| t.ends_with("in ICSs")), "{all}");
}

/// A workspace with unreadable and broken files still gets its report:
/// the problems are named, deselected packs are "not checked" (never
/// "complied" or "not applicable"), and the exit status says a file could
/// not be read, as `check` does.
#[test]
fn a_broken_workspace_is_reported_with_its_problems_and_exit_2() {
    let o = icslint(
        &["report", "broken", "--format", "json", "--as-of", AS_OF],
        &shared_examples(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("could not be read"), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let unplaced: Vec<&str> = r["unplaced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(unplaced.contains(&"ICG009"), "{unplaced:?}");
    let sys = &r["systems"][0];
    assert!(!sys["document_problems"].as_array().unwrap().is_empty());
    // `packs: []` in broken/icslint.yaml: nothing was checked.
    assert_eq!(sys["totals"]["complied"], 0);
    assert_eq!(sys["totals"]["not_applicable"], 0);
    assert!(sys["totals"]["not_checked"].as_u64().unwrap() > 50);
    let html = icslint(
        &["report", "broken", "--format", "html"],
        &shared_examples(),
    );
    let html = stdout(&html);
    assert_well_formed(&html);
    assert!(html.contains("Document problems"));
}

/// URLs a document may give that must never become a link: every case,
/// white space, control character and entity trick, and other schemes.
const BAD_URLS: &[&str] = &[
    "javascript:document.title='pwned-url'",
    "JaVaScRiPt:document.title='pwned-url'",
    " javascript:document.title='pwned-url'",
    "\u{1}javascript:document.title='pwned-url'",
    "java\tscript:document.title='pwned-url'",
    "javascript&#58;document.title='pwned-url'",
    "data:text/html,<script>document.title='pwned-url'</script>",
    "vbscript:msgbox(1)",
];

/// A web address holding entities: they must reach the browser as text.
const ENTITY_URL: &str = "https://example.org/a&#34;onmouseover=alert(1)//&quot;";

/// A script that would change the page's title, were it to run.
const SCRIPT: &str = "<script>document.title='pwned'</script>";
/// A handler that would do the same.
const HANDLER: &str = "<img src=x onerror=\\\"document.title='pwned'\\\">";

/// A workspace whose names, reasons, titles, URLs and file names are an
/// attacker's: markup, handlers, scripts, links, every C0 control
/// character, U+FFFE and U+FFFF, `]]>` and quotes.
fn hostile_workspace(name: &str) -> PathBuf {
    let dir = scratch(&format!("hostile-report-{name}"));
    let controls: String = (1u8..0x20)
        .filter(|c| !matches!(c, b'\n' | b'\r' | b'"' | b'\\'))
        .map(char::from)
        .chain(['\u{FFFE}', '\u{FFFF}'])
        .collect();
    let evil = format!(
        "{SCRIPT}{HANDLER} [x](javascript:alert(1)) ![t](http://tracker/p.png) <http://auto> [r]: http://ref ]]> \\\"q\\\" 'a' {controls}"
    );
    write(&dir, "icslint.yaml", "rules: [hostile.yaml]\n");
    write(
        &dir,
        "hostile.yaml",
        "pack: hostile\ntitle: \"<script>document.title='pwned'</script> [t](javascript:x)\"\nsource: \"<b onmouseover=x>src</b>\"\nrules:\n  - id: LOC001\n    name: icb-named\n    provenance:\n      source: \"<b onmouseover=x>src</b>\"\n      ref: \"<script>document.title='pwned'</script>\"\n      summary: \"<img src=x onerror=alert(1)> [s](javascript:x)\"\n    severity: error\n    scope: icb\n    assert: exists(membership_review)\n    at: header\n    help: h\n    message: \"{self.name} <script>document.title='pwned'</script> [m](javascript:x)\"\n    description: d\n    why: w\n    examples:\n      fail: |\n        icb i \"I\" { system @s }    # expect: LOC001\n      pass: |\n        system s \"S\" { regime 2022 }\n\nattestation:\n  - ref: \"<script>document.title='pwned'</script>\"\n    summary: \"<img src=x onerror=alert(1)> [a](javascript:x) ]]>\"\n",
    );
    write(
        &dir,
        // Every C0 control but NUL, U+FFFE and U+FFFF in the file's name.
        &format!(
            "sys \"'<&>{}]]>\u{FFFE}\u{FFFF}.icg",
            (1u8..0x20).map(char::from).collect::<String>()
        ),
        &format!(
            "document \"{evil}\" {{ version \"1\"; url \"https://example.org/constitution\" }}\n\
             system s \"{evil}\" {{ regime 2022 }}\n\
             authority la \"{evil}\" {{ tier upper; population 1000; share @s 100% }}\n"
        ),
    );
    // A web address whose entities would, decoded, close the attribute
    // and add a handler: linked, and its `&` written `&amp;`.
    write(
        &dir,
        "entity.icg",
        &format!(
            "document \"Entity\" {{ version \"1\"; url \"{ENTITY_URL}\" }}\n\
             icb e \"E\" {{\n    system @s\n    agenda {{ strategic_share 40% }}\n}}\n"
        ),
    );
    for (i, url) in BAD_URLS.iter().enumerate() {
        write(
            &dir,
            &format!("icb{i}.icg"),
            &format!(
                "document \"Doc {i} {evil}\" {{ version \"1\"; url \"{url}\" }}\n\
                 icb b{i} \"{evil}\" {{\n    system @s\n    agenda {{ strategic_share 40% }}\n    \
                 member \"{evil}\" {{ role chair; person \"{evil}\" }}\n    \
                 explain CCN161 \"{evil}\" {{ approved_by @b{i}; agreed 2023-06-01 }}\n}}\n"
            ),
        );
    }
    dir
}

fn hostile_report(format: &str) -> String {
    let dir = hostile_workspace(format);
    let out = icslint(&["report", ".", "--format", format, "--as-of", AS_OF], &dir);
    let text = stdout(&out);
    assert!(
        text.contains("pwned"),
        "{format}: the names are shown\n{text}{}",
        stderr(&out)
    );
    text
}

/// Every character is one XML 1.0 allows; every entity and attribute
/// reads; every tag closes.
fn assert_strict_xml(xml: &str) {
    use quick_xml::events::Event;
    if let Some(c) = xml.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    }) {
        let i = xml.find(c).unwrap();
        panic!(
            "{c:?} is not an XML character: {:?}",
            &xml[i.saturating_sub(80)..i + c.len_utf8()]
        );
    }
    let mut r = quick_xml::Reader::from_str(xml);
    r.config_mut().check_end_names = true;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                for a in e.attributes() {
                    let a = a.unwrap_or_else(|e| panic!("an attribute: {e}"));
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap_or_else(|e| panic!("an attribute value: {e}"));
                }
            }
            Ok(Event::Text(t)) => {
                t.decode().unwrap_or_else(|e| panic!("text: {e}"));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at byte {}: {e}\n{}",
                r.error_position(),
                &xml[(r.error_position() as usize).saturating_sub(200)
                    ..(r.error_position() as usize).min(xml.len())]
            ),
        }
    }
    assert_well_formed(xml);
}

#[test]
fn hostile_markdown_is_inert() {
    let md = hostile_report("md");
    // Shown, escaped.
    assert!(md.contains("\\[x\\](javascript:alert(1))"), "{md}");
    for raw in [
        "[x](javascript",
        "![t](",
        "<http://auto>",
        "<script",
        "<img",
        "<b ",
        "[m](javascript",
        "[a](javascript",
        "[r]: http",
    ] {
        assert!(!md.contains(raw), "{raw} in\n{md}");
    }
}

#[test]
fn hostile_html_is_well_formed_and_links_only_the_web() {
    let html = hostile_report("html");
    assert_strict_xml(&html);
    let doc = Html::parse_document(&html);
    // No element or handler of the input's: only the report's own.
    assert_eq!(doc.select(&sel("script")).count(), 0, "a script element");
    assert_eq!(doc.select(&sel("body img")).count(), 0, "an img element");
    for e in doc.select(&sel("*")) {
        for (name, _) in e.value().attrs() {
            assert!(
                !name.starts_with("on"),
                "a handler {name} on <{}>",
                e.value().name()
            );
        }
    }
    let hrefs: Vec<&str> = doc
        .select(&sel("a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs.contains(&"https://example.org/constitution"),
        "{hrefs:?}"
    );
    for h in &hrefs {
        assert!(
            h.starts_with('#') || h.starts_with("https://") || h.starts_with("http://"),
            "a link to {h:?}"
        );
    }
    // The bad addresses are still shown, as text, entities not decoded.
    assert!(html.contains("vbscript:msgbox(1)"), "the address is shown");
    let text: String = doc.root_element().text().collect();
    assert!(
        text.contains("javascript&#58;document.title"),
        "an entity was decoded"
    );
    assert!(hrefs.contains(&ENTITY_URL), "{hrefs:?}");
    // A policy that forbids script, before anything the input wrote.
    let csp = doc
        .select(&sel("meta[http-equiv=\"Content-Security-Policy\"]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("a Content-Security-Policy meta tag");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    let head = &html[..html.find("<title>").unwrap()];
    assert!(
        head.contains("Content-Security-Policy"),
        "the policy comes first"
    );
}

#[test]
fn hostile_junit_and_charts_are_well_formed() {
    let dir = hostile_workspace("junit");
    let out = icslint(&["check", ".", "--format", "junit", "--as-of", AS_OF], &dir);
    let xml = stdout(&out);
    assert!(xml.contains("<testsuite"), "{xml}{}", stderr(&out));
    assert_strict_xml(&xml);
    // Each chart of the report on its own, as SVG.
    let html = hostile_report("html");
    let doc = Html::parse_document(&html);
    let mut charts = 0;
    for svg in doc.select(&sel("svg")) {
        charts += 1;
        assert_strict_xml(&svg.html());
    }
    assert!(charts > 0);
}

#[test]
fn headless_chromium_runs_no_script_of_the_input() {
    let Some(bin) = chromium() else { return };
    let out_dir = root().join("target/report");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("hostile.html");
    let dir = hostile_workspace("chromium");
    let out = icslint(
        &["report", ".", "--html", "report.html", "--as-of", AS_OF],
        &dir,
    );
    assert!(
        stderr(&out).is_empty() || out.status.code() == Some(0),
        "{}",
        stderr(&out)
    );
    std::fs::copy(dir.join("report.html"), &page).unwrap();
    let profile = scratch("chromium-profile-hostile");
    let dom = run_chromium(
        &bin,
        &profile,
        &[
            "--dump-dom".into(),
            "--virtual-time-budget=2000".into(),
            format!("file://{}", page.display()),
        ],
    );
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(dom.contains("<main>"), "no DOM dumped");
    let doc = Html::parse_document(&dom);
    let title: String = doc.select(&sel("title")).flat_map(|t| t.text()).collect();
    // The injected scripts set the title to `pwned`: it is the report's own.
    assert!(
        title.starts_with("Governance conformance report"),
        "a script ran: the title is {title:?}"
    );
    assert_eq!(
        doc.select(&sel("script")).count(),
        0,
        "a script element in the DOM"
    );
    assert_eq!(
        doc.select(&sel("body img")).count(),
        0,
        "an img element in the DOM"
    );
    for e in doc.select(&sel("*")) {
        for (name, _) in e.value().attrs() {
            assert!(!name.starts_with("on"), "a handler {name} survived");
        }
    }
    let text: String = doc.root_element().text().collect();
    assert!(
        text.contains("javascript&#58;document.title"),
        "an entity was decoded"
    );
    assert!(
        doc.select(&sel("a[href]"))
            .any(|a| a.value().attr("href") == Some(ENTITY_URL)),
        "the web address with entities is linked as written"
    );
    for a in doc.select(&sel("a[href]")) {
        let h = a.value().attr("href").unwrap();
        assert!(
            h.starts_with('#') || h.to_ascii_lowercase().starts_with("http"),
            "a link to {h:?} in the DOM"
        );
    }
    // Charts and styles still render under the policy.
    assert!(doc.select(&sel("svg")).count() > 0);

    // Were an escaping bug to let markup through, the policy still stops
    // it: a script and a handler written into the page do not run, and
    // the same page without the policy shows they would have.
    let report = std::fs::read_to_string(&page).unwrap();
    let injected = report.replacen(
        "<body>",
        "<body><script>document.title='pwned-script'</script><img src=\"data:,x\" onerror=\"document.title='pwned-handler'\" />",
        1,
    );
    let title_of = |html: &str, name: &str| {
        let p = out_dir.join(name);
        std::fs::write(&p, html).unwrap();
        let dom = run_chromium(
            &bin,
            &profile,
            &[
                "--dump-dom".into(),
                "--virtual-time-budget=2000".into(),
                format!("file://{}", p.display()),
            ],
        );
        let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
        Html::parse_document(&dom)
            .select(&sel("title"))
            .flat_map(|t| t.text())
            .collect::<String>()
    };
    let guarded = title_of(&injected, "hostile-injected.html");
    assert!(
        guarded.starts_with("Governance conformance report"),
        "the policy let a script run: the title is {guarded:?}"
    );
    let start = injected
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let end = start + injected[start..].find("/>").unwrap() + 2;
    let open = format!("{}{}", &injected[..start], &injected[end..]);
    let unguarded = title_of(&open, "hostile-no-policy.html");
    assert!(
        unguarded.starts_with("pwned"),
        "without the policy the script should have run (the check would prove nothing): {unguarded:?}"
    );
}
