//! Provenance: every rule's `ref` names a place that exists in the report it
//! cites, and what its `summary` and `why` quote or count is in that report.
//!
//! The reports are the text files in `../shared/seeds` (their README maps a
//! source key to a file). `tests/seeds` keeps a verbatim copy so the check
//! runs without the shared directory; when both are present they must agree.
//!
//! A `ref` is one or more parts separated by `;`. Each part is one of:
//! * `Recommendation N` / `Recommendations N and M`: a numbered item `N.`
//!   under a heading that mentions recommendations;
//! * `Paragraph N` / `Paragraphs N and M`: a numbered paragraph `N.`;
//! * `[Chapter, ]section N[.M][, title | (title)]`: a heading numbered N
//!   (inside the chapter's heading, if named) whose words include every word
//!   of the title;
//! * `Heading [(qualifier)]`: a heading with exactly that text, and every word
//!   of the qualifier in the text under it.
//!
//! Figures (numbers) in a `summary` must stand in the text the `ref` points at;
//! figures in a `why` somewhere in the cited report; double-quoted words in
//! either must occur in the cited report. Statutes and policy documents with
//! no seed text are exempt, but must be named in `NON_SEED_SOURCES`.

mod common;
use common::{root, shared_beside};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Sources with no seed text: statutes and national policy documents.
const NON_SEED_SOURCES: &[&str] = &[
    "nhs-act-2006",
    "lgpiha-2007",
    "hsca-2012",
    "bcf-policy-framework",
    "nhse-constitution-guidance",
    "nhse-councillor-policy-2024",
];

/// A Bill's sources (no seed text: the Bill's own text was not seen). A
/// rule citing one is checked against the 2026 dossier
/// (`../shared/spec/sources-2026.md`): its `ref` names a clause and the
/// secondary source that reports it, both in the dossier, and what its
/// `summary` and `why` quote is there.
const DOSSIER_SOURCES: &[&str] = &["health-bill-2026"];

/// The secondary sources the dossier reports the Bill through.
const SECONDARY: &[&str] = &[
    "County Councils Network",
    "Browne Jacobson",
    "Nuffield Trust",
    "Healthwatch Surrey",
];

fn dossier() -> Doc {
    let path = common::shared_spec().join("sources-2026.md");
    Doc::new(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Every way a Bill rule's `ref` and quotations depart from the dossier.
fn check_bill(doc: &Doc, reference: &str, texts: &[(&str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let lower = reference.to_lowercase();
    match lower.split("clause ").nth(1).map(|r| {
        r.chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    }) {
        Some(n) if !n.is_empty() => {
            if !doc.flat.contains(&format!("clause {n}")) {
                problems.push(format!("ref: clause {n} is not in the dossier"));
            }
        }
        _ => problems.push(format!("ref \"{reference}\" names no clause")),
    }
    match SECONDARY.iter().find(|s| reference.contains(*s)) {
        Some(s) if !doc.flat.contains(&normalise(s)) => {
            problems.push(format!("ref: {s} is not in the dossier"))
        }
        Some(_) => {}
        None => problems.push(format!(
            "ref \"{reference}\" names none of the secondary sources {SECONDARY:?}"
        )),
    }
    for (field, text) in texts {
        for q in quotations(text) {
            if !doc.flat.contains(&q) {
                problems.push(format!("{field}: \"{q}\" is not in the dossier"));
            }
        }
    }
    problems
}

const STOPWORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "its", "of", "on", "or", "s", "the",
    "their", "to", "with",
];

// ---------------------------------------------------------------- the seeds

/// The directory the check reads: `../shared/seeds` when it exists (after
/// checking that `tests/seeds` is an exact copy of it), else `tests/seeds`.
fn seed_dir() -> PathBuf {
    let local = root().join("tests/seeds");
    let Some(shared) = shared_beside()
        .map(|d| d.join("seeds"))
        .filter(|d| d.is_dir())
    else {
        eprintln!(
            "provenance: the shared seeds are absent; reading the copy in {}",
            local.display()
        );
        return local;
    };
    let mut names: Vec<_> = std::fs::read_dir(&local)
        .expect("tests/seeds is readable")
        .map(|e| e.expect("entry").file_name())
        .collect();
    names.sort();
    for key_file in seed_files(&shared).values() {
        assert!(
            names.iter().any(|n| n.to_str() == Some(key_file.as_str())),
            "tests/seeds lacks {key_file}: copy it from {}",
            shared.display()
        );
    }
    for name in names {
        let ours = std::fs::read(local.join(&name)).unwrap();
        let theirs = std::fs::read(shared.join(&name)).unwrap_or_default();
        assert!(
            ours == theirs,
            "tests/seeds/{} differs from {}: copy it again",
            name.to_string_lossy(),
            shared.join(&name).display()
        );
    }
    shared
}

/// Source key -> file name, from the table in the seeds' README.
fn seed_files(dir: &Path) -> BTreeMap<String, String> {
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("seeds README");
    let mut map = BTreeMap::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() > 2 {
            map.insert(cells[1].trim_matches('`').to_string(), cells[2].to_string());
        }
    }
    assert!(!map.is_empty(), "no source keys in {}", dir.display());
    map
}

fn load_seeds() -> BTreeMap<String, Doc> {
    let dir = seed_dir();
    seed_files(&dir)
        .into_iter()
        .map(|(key, file)| {
            let text = std::fs::read_to_string(dir.join(&file))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&file).display()));
            (key, Doc::new(&text))
        })
        .collect()
}

// ------------------------------------------------------ a report's structure

struct Heading {
    line: usize,
    /// Markdown `#` count; 7 for a heading written as a short line.
    level: usize,
    number: Option<String>,
    /// The heading's text without its number, normalised.
    title: String,
}

struct Doc {
    lines: Vec<String>,
    headings: Vec<Heading>,
    flat: String,
}

/// Lower case, straight quotes, hyphenated line breaks joined, one space.
fn normalise(s: &str) -> String {
    let s = s
        .replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"");
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' && chars.peek().is_some_and(|c| c.is_whitespace()) {
            let mut ws = String::new();
            while let Some(&w) = chars.peek().filter(|c| c.is_whitespace()) {
                ws.push(w);
                chars.next();
            }
            out.push('-');
            if !ws.contains('\n') {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    out.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words for matching titles: letters and digits, apostrophes split off.
fn words(s: &str) -> Vec<String> {
    normalise(s)
        .split(|c: char| !c.is_alphanumeric() && c != '£')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn content_words(s: &str) -> Vec<String> {
    words(s)
        .into_iter()
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .collect()
}

fn word_in(w: &str, set: &[String]) -> bool {
    set.iter()
        .any(|h| h == w || format!("{w}s") == *h || format!("{h}s") == w)
}

/// Strips markdown heading marks and bold around a line.
fn bare(line: &str) -> &str {
    line.trim()
        .trim_start_matches('#')
        .trim()
        .trim_matches('*')
        .trim()
}

/// `4.1 Title` / `7. Title` -> ("4.1", "Title").
fn leading_number(s: &str) -> Option<(String, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let num = s[..end].trim_end_matches('.');
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = &s[end..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('*')) {
        return None;
    }
    Some((num.to_string(), rest.trim_start_matches('*').trim()))
}

impl Doc {
    fn new(text: &str) -> Doc {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut headings = Vec::new();
        for (i, raw) in lines.iter().enumerate() {
            let t = raw.trim();
            if t.is_empty() || t.contains("http") {
                continue;
            }
            let hashes = t.chars().take_while(|&c| c == '#').count();
            let b = bare(t);
            let number = leading_number(b);
            let title = number.as_ref().map_or(b, |(_, rest)| rest);
            let short = b.split_whitespace().count() <= 12
                && !b.ends_with([
                    '.', ',', ';', ':', '!', '?', '\'', '"', '\u{2019}', '\u{201d}',
                ]);
            // A heading written as a plain line stands alone: a blank line
            // before it, no comma, a new sentence after it, and no trailing
            // space (the extraction leaves one where it wrapped a sentence).
            let prev_blank = i == 0 || lines[i - 1].trim().is_empty();
            let next_continues = lines
                .get(i + 1)
                .and_then(|l| l.trim().chars().next())
                .is_some_and(char::is_lowercase);
            let is_heading = hashes > 0
                || (short && number.is_some())
                || (short
                    && prev_blank
                    && !next_continues
                    && !b.contains(',')
                    && !raw.ends_with(char::is_whitespace)
                    && b.starts_with(|c: char| c.is_uppercase()));
            if is_heading && !b.is_empty() {
                headings.push(Heading {
                    line: i,
                    level: if hashes > 0 { hashes } else { 7 },
                    number: number.as_ref().map(|(n, _)| n.clone()),
                    title: normalise(title),
                });
            }
        }
        Doc {
            flat: normalise(text),
            lines,
            headings,
        }
    }

    /// The lines under heading `h`: up to the next heading of the same or a higher level.
    fn extent(&self, h: &Heading) -> (usize, usize) {
        let end = self
            .headings
            .iter()
            .find(|g| g.line > h.line && g.level <= h.level)
            .map_or(self.lines.len(), |g| g.line);
        (h.line, end)
    }

    fn text(&self, (start, end): (usize, usize)) -> String {
        normalise(&self.lines[start..end].join("\n"))
    }

    /// The heading whose whole text is `name`.
    fn named(&self, name: &str) -> Vec<&Heading> {
        let want = words(name);
        self.headings
            .iter()
            .filter(|h| {
                let mut w = h.number.iter().cloned().collect::<Vec<_>>();
                w.extend(words(&h.title));
                words(&h.title) == want || w == want
            })
            .collect()
    }

    /// A numbered item `n.` within `range`: its line up to the next numbered
    /// item, markdown heading or the end of the range.
    fn numbered_item(&self, n: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        let starts_item = |l: &str| {
            let b = bare(l);
            !l.contains("http") && leading_number(b).is_some_and(|(_, rest)| !rest.is_empty())
        };
        let first = (start..end).find(|&i| {
            let b = bare(&self.lines[i]);
            !self.lines[i].contains("http")
                && b.starts_with(&format!("{n}."))
                && leading_number(b).is_some_and(|(m, _)| m == n)
        })?;
        let last = (first + 1..end)
            .find(|&i| starts_item(&self.lines[i]) || self.lines[i].trim_start().starts_with('#'))
            .unwrap_or(end);
        Some((first, last))
    }
}

// ------------------------------------------------------------ resolving refs

/// Numbers in "3 and 17", "7, 11 and 14".
fn number_list(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tok in s.split([',', ' ']) {
        let tok = tok.trim();
        if tok.is_empty() || tok == "and" {
            continue;
        }
        if tok.chars().all(|c| c.is_ascii_digit()) {
            out.push(tok.to_string());
        } else {
            break;
        }
    }
    out
}

/// Resolves one part of a `ref` to the stretches of text it names.
fn resolve(doc: &Doc, part: &str) -> Result<Vec<(usize, usize)>, String> {
    // ASCII lower case keeps byte offsets, so `at` below indexes `part` too.
    let lower = part.to_ascii_lowercase();
    let whole = (0, doc.lines.len());
    for (word, in_recs) in [("recommendation", true), ("paragraph", false)] {
        let Some(rest) = lower.strip_prefix(word) else {
            continue;
        };
        let nums = number_list(rest.trim_start_matches('s'));
        if nums.is_empty() {
            return Err(format!("\"{part}\" names no number"));
        }
        let scopes: Vec<(usize, usize)> = if in_recs {
            doc.headings
                .iter()
                .filter(|h| h.title.contains("recommendation"))
                .map(|h| doc.extent(h))
                .collect()
        } else {
            vec![whole]
        };
        let mut found = Vec::new();
        for n in &nums {
            let hits: Vec<_> = scopes
                .iter()
                .filter_map(|&s| doc.numbered_item(n, s))
                .collect();
            if hits.is_empty() {
                return Err(format!("no {word} {n} in the source"));
            }
            found.extend(hits);
        }
        return Ok(found);
    }
    if let Some(at) = lower.find("section ") {
        let chapter = part[..at].trim().trim_end_matches(',').trim();
        let after = &part[at + "section ".len()..];
        let cut = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        let (num, rest) = (
            after[..cut].trim_end_matches('.').to_string(),
            &after[cut..],
        );
        if num.is_empty() {
            return Err(format!("\"{part}\" names no section number"));
        }
        let title = rest
            .trim_start_matches(',')
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')');
        let scopes: Vec<(usize, usize)> = if chapter.is_empty() {
            vec![whole]
        } else {
            let chapters = doc.named(chapter);
            if chapters.is_empty() {
                return Err(format!("no heading \"{chapter}\" in the source"));
            }
            chapters.iter().map(|h| doc.extent(h)).collect()
        };
        let numbered: Vec<&Heading> = doc
            .headings
            .iter()
            .filter(|h| h.number.as_deref() == Some(num.as_str()))
            .filter(|h| scopes.iter().any(|&(s, e)| h.line >= s && h.line < e))
            .collect();
        if numbered.is_empty() {
            return Err(format!(
                "no section {num} in the source{}",
                in_chapter(chapter)
            ));
        }
        let want = content_words(title);
        let matching: Vec<_> = numbered
            .iter()
            .filter(|h| want.iter().all(|w| word_in(w, &words(&h.title))))
            .map(|h| doc.extent(h))
            .collect();
        if matching.is_empty() {
            let titles: Vec<_> = numbered.iter().map(|h| h.title.clone()).collect();
            return Err(format!(
                "section {num}{} is {titles:?}, not \"{title}\"",
                in_chapter(chapter)
            ));
        }
        return Ok(matching);
    }
    let (name, qualifier) = match part.find('(') {
        Some(i) => (
            part[..i].trim(),
            part[i + 1..].trim_end().trim_end_matches(')'),
        ),
        None => (part.trim(), ""),
    };
    let headings = doc.named(name);
    if headings.is_empty() {
        return Err(format!("no heading \"{name}\" in the source"));
    }
    let want = content_words(qualifier);
    let matching: Vec<_> = headings
        .iter()
        .map(|h| doc.extent(h))
        .filter(|&r| {
            let there = words(&doc.text(r));
            want.iter().all(|w| word_in(w, &there))
        })
        .collect();
    if matching.is_empty() {
        return Err(format!(
            "the text under \"{name}\" does not mention \"{qualifier}\""
        ));
    }
    Ok(matching)
}

fn in_chapter(chapter: &str) -> String {
    if chapter.is_empty() {
        String::new()
    } else {
        format!(" under \"{chapter}\"")
    }
}

/// Numbers written with digits ("£19", "2.3", "1,600", "27 to 63 per cent").
fn figures(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || ((chars[j] == '.' || chars[j] == ',')
                        && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())))
            {
                j += 1;
            }
            out.push(chars[i..j].iter().collect());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// `figure` stands alone in `text` (not part of a longer number).
fn has_figure(text: &str, figure: &str) -> bool {
    text.match_indices(figure).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let mut after = text[at + figure.len()..].chars();
        let next = after.next();
        let next2 = after.next();
        let digit_before = before.is_some_and(|c| c.is_ascii_digit() || c == '.');
        let digit_after = next.is_some_and(|c| c.is_ascii_digit())
            || (matches!(next, Some('.' | ',')) && next2.is_some_and(|c| c.is_ascii_digit()));
        !digit_before && !digit_after
    })
}

/// Spans between double quotes (straight or curly).
fn quotations(s: &str) -> Vec<String> {
    let s = normalise(s);
    s.split('"')
        .skip(1)
        .step_by(2)
        .map(|q| {
            q.trim_matches(|c: char| c.is_whitespace() || ".,;:".contains(c))
                .to_string()
        })
        .filter(|q| !q.is_empty())
        .collect()
}

/// Every way in which `ref`, `summary` and `why` depart from the report.
fn check(doc: &Doc, reference: &str, summary: &str, why: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut cited = Vec::new();
    for part in reference
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match resolve(doc, part) {
            Ok(ranges) => cited.extend(ranges),
            Err(e) => problems.push(format!("ref \"{part}\": {e}")),
        }
    }
    if cited.is_empty() && problems.is_empty() {
        problems.push("the ref names nothing".to_string());
    }
    let cited_text: Vec<String> = cited.iter().map(|&r| doc.text(r)).collect();
    for fig in figures(summary) {
        if !cited.is_empty() && !cited_text.iter().any(|t| has_figure(t, &fig)) {
            problems.push(format!("summary: {fig} is not in the text the ref cites"));
        }
    }
    for fig in figures(why) {
        if !has_figure(&doc.flat, &fig) {
            problems.push(format!("why: {fig} is not in the cited source"));
        }
    }
    for (field, text) in [("summary", summary), ("why", why)] {
        for q in quotations(text) {
            if !doc.flat.contains(&q) {
                problems.push(format!("{field}: \"{q}\" is not in the cited source"));
            }
        }
    }
    problems
}

// --------------------------------------------------------------------- rules

struct Rule {
    id: String,
    source: String,
    reference: String,
    summary: String,
    why: String,
}

fn rules() -> Vec<Rule> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let pack: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let s = |v: &serde_yaml::Value| v.as_str().unwrap_or_default().to_string();
        for r in pack["rules"].as_sequence().expect("a rules list") {
            let p = &r["provenance"];
            out.push(Rule {
                id: s(&r["id"]),
                source: s(&p["source"]),
                reference: s(&p["ref"]),
                summary: s(&p["summary"]),
                why: s(&r["why"]),
            });
        }
    }
    assert!(out.len() > 50, "only {} rules read from rules/", out.len());
    out
}

// --------------------------------------------------------------------- tests

#[test]
fn every_ref_names_a_place_in_the_cited_report() {
    let seeds = load_seeds();
    let bill = dossier();
    let mut problems = Vec::new();
    let mut checked = 0;
    for r in rules() {
        match seeds.get(&r.source) {
            Some(doc) => {
                checked += 1;
                for p in check(doc, &r.reference, &r.summary, &r.why) {
                    problems.push(format!("{} ({}): {p}", r.id, r.source));
                }
            }
            None if DOSSIER_SOURCES.contains(&r.source.as_str()) => {
                for p in check_bill(
                    &bill,
                    &r.reference,
                    &[("summary", &r.summary), ("why", &r.why)],
                ) {
                    problems.push(format!("{} ({}): {p}", r.id, r.source));
                }
            }
            None if NON_SEED_SOURCES.contains(&r.source.as_str()) => {
                assert!(!r.reference.trim().is_empty(), "{} has no ref", r.id);
            }
            None => problems.push(format!(
                "{}: source \"{}\" is neither a key in the seeds' README nor a known statute or policy ({NON_SEED_SOURCES:?})",
                r.id, r.source
            )),
        }
    }
    assert!(checked > 30, "only {checked} rules cite a seed");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check is not a tautology: the first edition's known errors fail it,
/// and their corrections pass.
#[test]
fn the_first_editions_provenance_errors_are_caught() {
    let seeds = load_seeds();
    let state = &seeds["nhsconfed-state-2025"];
    let ccn = &seeds["ccn-2022"];
    let hfma = &seeds["hfma-2021"];

    // Section 4.2 exists, and even mentions £19, but is about ICBs' future functions.
    let old = check(
        state,
        "Section 4.2, the £19 per head target",
        "ICB running costs fall to £19 per head of population.",
        "",
    );
    assert!(old.iter().any(|p| p.contains("section 4.2 is")), "{old:?}");
    assert!(check(
        state,
        "Section 4.1, barriers to delivering ICB cost reductions",
        "£19 per head",
        ""
    )
    .is_empty());
    // A figure the cited section does not give.
    let wrong_figure = check(
        state,
        "Section 4.1, barriers to delivering ICB cost reductions",
        "£21 per head",
        "",
    );
    assert!(
        wrong_figure.iter().any(|p| p.contains("21")),
        "{wrong_figure:?}"
    );
    // A section that does not exist at all.
    assert!(!check(state, "Section 4.7", "", "").is_empty());

    // The roundtable report has no closing remarks.
    let old = check(hfma, "Integration roundtable: closing remarks", "", "");
    assert!(old.iter().any(|p| p.contains("no heading")), "{old:?}");
    assert!(check(hfma, "Questions of autonomy (the roundtable chair)", "", "").is_empty());
    // A heading that exists, with a passage that is not under it.
    assert!(!check(hfma, "Key issues (Lewisham)", "", "").is_empty());

    // "Nine of 777" is the press coverage's figure, not the report's.
    let old = check(
        ccn,
        "Recommendation 11",
        "",
        "only nine of 777 ICB members were councillors",
    );
    assert!(old.iter().any(|p| p.contains("777")), "{old:?}");
    assert!(check(
        ccn,
        "Recommendation 11; Governance, section 4 (the role of local politicians)",
        "only nine of the 91 local authority members of ICBs are councillors",
        ""
    )
    .is_empty());
    assert!(!check(&seeds["ccn-press-2022"], "Recommendation 11", "", "").is_empty());

    // Recommendations are counted: there is no twenty-first.
    assert!(!check(ccn, "Recommendation 21", "", "").is_empty());
    assert!(check(ccn, "Recommendations 3 and 17", "", "").is_empty());
    // A quotation the report does not contain.
    let q = check(
        ccn,
        "Recommendation 17",
        "",
        "ICBs were \"hoarding\" decisions",
    );
    assert!(q.iter().any(|p| p.contains("hoarding")), "{q:?}");
    // Numbered paragraphs.
    let lgfs = &seeds["nhsconfed-lgfs-2025"];
    assert!(check(lgfs, "Paragraph 17", "", "").is_empty());
    assert!(!check(lgfs, "Paragraph 40", "", "").is_empty());
}

/// A pack's `attestation:` items (what the source recommends that no
/// document can show): (pack file, source, ref, summary). An item without a
/// `source` cites the pack's.
fn attestations() -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for f in std::fs::read_dir(root().join("rules")).expect("rules/") {
        let f = f.unwrap().path();
        if f.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let pack: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let s = |v: &serde_yaml::Value| v.as_str().unwrap_or_default().to_string();
        for a in pack["attestation"].as_sequence().into_iter().flatten() {
            let source = match a.get("source") {
                Some(v) => s(v),
                None => s(&pack["source"]),
            };
            out.push((
                f.file_name().unwrap().to_string_lossy().into_owned(),
                source,
                s(&a["ref"]),
                s(&a["summary"]),
            ));
        }
    }
    out
}

#[test]
fn every_attestation_item_names_a_place_in_the_cited_report() {
    let seeds = load_seeds();
    let items = attestations();
    // Every pack that cites a report lists what the documents cannot show.
    for pack in ["ccn-2022.yaml", "hfma-2021.yaml", "nhsconfed-2025.yaml"] {
        assert!(
            items.iter().any(|(f, ..)| f == pack),
            "{pack} has no attestation items"
        );
    }
    let mut problems = Vec::new();
    for (file, source, reference, summary) in &items {
        match seeds.get(source) {
            Some(doc) => {
                for p in check(doc, reference, summary, "") {
                    problems.push(format!("{file}: attestation \"{reference}\": {p}"));
                }
            }
            None => problems.push(format!(
                "{file}: attestation \"{reference}\" cites \"{source}\", which is not a key in the seeds' README"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// How a recommendation is accounted for.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Needs {
    /// A rule checks it, or the pack lists it for attestation.
    Either,
    /// It has a local half a rule checks and a national half (DHSC, NHS
    /// England) that no document can show: both are needed.
    Both,
}

/// Every recommendation of every source the packs cite, from the seed text:
/// (source, the ref part that names it, what accounts for it). A numbered
/// recommendation or paragraph is named by its number ("Recommendations 3
/// and 17" names both); an unnumbered one by its heading and the words
/// under it that tell it from its neighbours, as `check` resolves them.
fn whole_sets() -> Vec<(&'static str, String, Needs)> {
    let mut out = Vec::new();
    // CCN (2022): the 20 numbered recommendations. 5, 6, 10 and 12 ask
    // something of councils and ICBs and something of DHSC or NHS England.
    for n in 1..=20 {
        let needs = if [5, 6, 10, 12].contains(&n) {
            Needs::Both
        } else {
            Needs::Either
        };
        out.push(("ccn-2022", format!("Recommendation {n}"), needs));
    }
    // NHS Confederation, State of ICSs 2025: the recommendations to DHSC and
    // NHS England, unnumbered, in the order of its summary; the last has
    // three parts (the summary in the seed lost the third, which section
    // 6.3 keeps).
    for part in [
        "Conclusion and summary of recommendations (HM Treasury redundancies)",
        "Conclusion and summary of recommendations (regular communication)",
        "Conclusion and summary of recommendations (strategic commissioning skills)",
        "Conclusion and summary of recommendations (senior commissioning lead)",
        "Conclusion and summary of recommendations (other government departments)",
        "Conclusion and summary of recommendations (levers autonomy aircover)",
        "Conclusion and summary of recommendations (co-produce tools)",
        "A new operating model (locally-led with national principles)",
    ] {
        out.push(("nhsconfed-state-2025", part.to_string(), Needs::Either));
    }
    // NHS Confederation, Local Government Financial Sustainability (2025):
    // the policy changes ICS leaders ask for, by paragraph.
    for n in [17, 18, 19, 20, 22] {
        out.push((
            "nhsconfed-lgfs-2025",
            format!("Paragraph {n}"),
            Needs::Either,
        ));
    }
    // HFMA and Newton Europe roundtable (2021): unnumbered; what the
    // roundtables agreed a system financial framework should hold, and what
    // its speakers asked of partners.
    for part in [
        "Key issues (the first roundtable on a system financial framework)",
        "Key issues (incentives)",
        "Key issues (system oversight)",
        "Key issues (Tameside and Glossop)",
        "Key issues (Tameside's principles)",
        "Key issues (trust)",
        "Questions of autonomy (the roundtable chair)",
        "Questions of autonomy (Nottinghamshire)",
        "Questions of autonomy (Lewisham)",
        "Questions of autonomy (Barking)",
        "Questions of autonomy (front line)",
        "Questions of autonomy (national programmes)",
        "Questions of autonomy (pick a few areas)",
        "Questions of autonomy (networks)",
        "Framework concerns (organisational development)",
    ] {
        out.push(("hfma-2021", part.to_string(), Needs::Either));
    }
    out
}

/// The names a `ref` gives: each part, lower case, with a list of numbers
/// ("Recommendations 3 and 17", "Paragraphs 17 and 19") split into one
/// name per number.
fn names_in(reference: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in reference
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let lower = part.to_lowercase();
        let numbered = ["recommendation", "paragraph"]
            .into_iter()
            .find_map(|w| lower.strip_prefix(w).map(|rest| (w, rest)));
        match numbered {
            Some((w, rest)) => out.extend(
                number_list(rest.trim_start_matches('s'))
                    .into_iter()
                    .map(|n| format!("{w} {n}")),
            ),
            None => out.push(lower),
        }
    }
    out
}

/// Each recommendation of `sets` that the rules' refs and the attestation
/// items' refs, (source, ref) each, do not account for.
fn unaccounted(
    sets: &[(&'static str, String, Needs)],
    rules: &[(String, String)],
    attested: &[(String, String)],
) -> Vec<String> {
    let names = |list: &[(String, String)], source: &str| -> Vec<String> {
        list.iter()
            .filter(|(s, _)| s == source)
            .flat_map(|(_, r)| names_in(r))
            .collect()
    };
    let mut out = Vec::new();
    for (source, part, needs) in sets {
        let want = part.to_lowercase();
        let by_rule = names(rules, source).contains(&want);
        let listed = names(attested, source).contains(&want);
        let ok = match needs {
            Needs::Either => by_rule || listed,
            Needs::Both => by_rule && listed,
        };
        if !ok {
            out.push(format!(
                "{source}: {part} ({})",
                match (needs, by_rule, listed) {
                    (Needs::Both, true, false) => "its national half is not listed for attestation",
                    (Needs::Both, false, true) => "no rule checks its local half",
                    _ => "neither checked by a rule nor listed for attestation",
                }
            ));
        }
    }
    out
}

/// Every source's whole set of recommendations is accounted for: each is
/// checked by a rule or listed in its pack's `attestation:`, and each with a
/// national half has both. The set itself is read from the seeds: each name
/// resolves to its place in the cited report.
#[test]
fn every_recommendation_of_every_source_is_checked_or_listed_for_attestation() {
    let seeds = load_seeds();
    let sets = whole_sets();
    let mut problems = Vec::new();
    for (source, part, _) in &sets {
        for p in check(&seeds[*source], part, "", "") {
            problems.push(format!("the whole set of {source}: {part}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for source in [
        "ccn-2022",
        "nhsconfed-state-2025",
        "nhsconfed-lgfs-2025",
        "hfma-2021",
    ] {
        assert!(sets.iter().any(|s| s.0 == source), "no set for {source}");
    }
    let rules: Vec<(String, String)> = rules()
        .into_iter()
        .map(|r| (r.source, r.reference))
        .collect();
    let attested: Vec<(String, String)> = attestations().into_iter().map(|a| (a.1, a.2)).collect();
    let missing = unaccounted(&sets, &rules, &attested);
    assert!(
        missing.is_empty(),
        "recommendations not accounted for:\n{}",
        missing.join("\n")
    );

    // Not a tautology: without the national half of CCN recommendation 5,
    // or without HFMA's incentives, the check fails and says which.
    let without = |gone: &str| -> Vec<(String, String)> {
        attested.iter().filter(|a| a.1 != gone).cloned().collect()
    };
    assert_eq!(
        unaccounted(&sets, &rules, &without("Recommendation 5")),
        ["ccn-2022: Recommendation 5 (its national half is not listed for attestation)"]
    );
    assert_eq!(
        unaccounted(&sets, &rules, &without("Key issues (incentives)")),
        ["hfma-2021: Key issues (incentives) (neither checked by a rule nor listed for attestation)"]
    );
    // A list of numbers names each of them.
    assert_eq!(
        names_in("Recommendations 3 and 17; Key issues (trust)"),
        [
            "recommendation 3",
            "recommendation 17",
            "key issues (trust)"
        ]
    );
}

/// A Bill's pack: what its `unconfirmed:` and `context:` notes quote is in
/// the dossier; and the check is not a tautology (a clause, a source or a
/// quotation the dossier lacks fails it).
#[test]
fn the_bill_packs_notes_quote_the_dossier() {
    let doc = dossier();
    let text = std::fs::read_to_string(root().join("rules/health-bill-2026.yaml")).unwrap();
    let pack: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut problems = Vec::new();
    let mut quoted = 0;
    for key in ["unconfirmed", "context"] {
        for item in pack[key].as_sequence().expect(key) {
            let summary = item["summary"].as_str().unwrap_or_default();
            quoted += quotations(summary).len();
            for q in quotations(summary) {
                if !doc.flat.contains(&q) {
                    problems.push(format!("{key}: \"{q}\" is not in the dossier"));
                }
            }
        }
    }
    assert!(quoted >= 5, "only {quoted} quotations checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let ok = "Clause 21, as introduced; reported by the County Councils Network";
    assert!(check_bill(&doc, ok, &[]).is_empty());
    assert!(!check_bill(&doc, "Clause 99; County Councils Network", &[]).is_empty());
    assert!(!check_bill(&doc, "Clause 21; The Daily Planet", &[]).is_empty());
    assert!(!check_bill(&doc, "County Councils Network", &[]).is_empty());
    let made_up = [(
        "summary",
        "It would \"abolish every council seat forever\".",
    )];
    assert!(!check_bill(&doc, ok, &made_up).is_empty());
}
