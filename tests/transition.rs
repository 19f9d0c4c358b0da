//! `icslint transition`: the differences a move of regime or of pack
//! edition implies, per system.
//!
//! The Downshire list below was written by hand from the rules before the
//! command existed (rules/*.yaml `regimes` and `by_regime`, the
//! `system.regime` of STA006, and src/rules/builtin.rs, none of whose
//! checks depends on the regime):
//!
//! * Only NHC002–NHC005 (`regimes: [2025]`), STA009 and STA013
//!   (`regimes: [2022]`), STA008 (`by_regime: 2025` → advice, another
//!   message) and STA006 (a mayor's nominee counts under 2025) can differ.
//! * Downshire has no ICP and no strategy: STA009, STA013 (scope `icp`) and
//!   NHC005 (scope `strategy`) have nothing to run on under either regime.
//! * STA008 fires for both systems under both regimes (no `icp`): it changes
//!   from error to advice with the 2025 message, at each system's header.
//! * NHC002 (scope `system`, `when: not exists(icp)`): both systems have no
//!   ICP and no strategy with an owner, so it appears for both, at the header.
//! * NHC003: the Downs and Riverside Combined Authority (`tier strategic`,
//!   `mayor yes`) has a share in downs_riverside; dr_icb has no partner
//!   `nominated_by mayor`: it appears at dr_icb's header. Chalk Hills has no
//!   strategic authority.
//! * NHC004: dr_icb records `running_cost_per_head £23` (> £19): it appears
//!   at that line. ch_icb records none (`when: exists(...)`).
//! * STA006: both ICBs have a partner `nominated_by local_authorities`, so
//!   the 2025 allowance for a mayor's nominee changes nothing.
//! * Nothing disappears: no rule of Downshire's findings is 2022-only.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

/// One expected difference: (system, kind, rule, file, line, severity
/// before, severity after).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    Option<&'static str>,
    Option<&'static str>,
);

/// A [`Row`] as read back from the JSON.
type Got = (
    String,
    String,
    String,
    String,
    u64,
    Option<String>,
    Option<String>,
);

/// Downshire moving from 2022 to 2025, by hand (see the module comment), in
/// the order of the work list: by system, then appear, disappear, change,
/// each in file (name) and position order.
const DOWNSHIRE_2022_TO_2025: &[Row] = &[
    (
        "downs_riverside",
        "appear",
        "NHC003",
        "icbs.icg",
        1,
        None,
        Some("advice"),
    ),
    (
        "downs_riverside",
        "appear",
        "NHC004",
        "icbs.icg",
        17,
        None,
        Some("advice"),
    ),
    (
        "downs_riverside",
        "appear",
        "NHC002",
        "systems.icg",
        4,
        None,
        Some("warning"),
    ),
    (
        "downs_riverside",
        "change",
        "STA008",
        "systems.icg",
        4,
        Some("error"),
        Some("advice"),
    ),
    (
        "chalk_hills",
        "appear",
        "NHC002",
        "systems.icg",
        8,
        None,
        Some("warning"),
    ),
    (
        "chalk_hills",
        "change",
        "STA008",
        "systems.icg",
        8,
        Some("error"),
        Some("advice"),
    ),
];

fn transition_json(args: &[&str], cwd: &Path) -> (Option<i32>, Value) {
    let mut a = vec!["transition"];
    a.extend(args);
    a.extend(["--format", "json"]);
    let out = icslint(&a, cwd);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}{}", stdout(&out), stderr(&out)));
    (out.status.code(), v)
}

/// The differences of a JSON work list as rows, in output order.
fn rows(v: &Value) -> Vec<Got> {
    let mut out = Vec::new();
    for sys in v["systems"].as_array().unwrap() {
        let name = sys["system"].as_str().unwrap_or("-").to_string();
        for kind in ["appear", "disappear", "change"] {
            for d in sys[kind].as_array().unwrap() {
                let loc = &d["location"];
                let file = Path::new(loc["path"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let sev = |x: &Value| x.as_str().map(str::to_string);
                let (before, after) = match kind {
                    "appear" => (None, sev(&d["severity"])),
                    "disappear" => (sev(&d["severity"]), None),
                    _ => (sev(&d["before"]["severity"]), sev(&d["after"]["severity"])),
                };
                out.push((
                    name.clone(),
                    kind.to_string(),
                    d["rule"].as_str().unwrap().to_string(),
                    file,
                    loc["line"].as_u64().unwrap(),
                    before,
                    after,
                ));
            }
        }
    }
    out
}

fn owned(rows: &[Row]) -> Vec<Got> {
    rows.iter()
        .map(|(s, k, r, f, l, b, a)| {
            (
                s.to_string(),
                k.to_string(),
                r.to_string(),
                f.to_string(),
                *l,
                b.map(str::to_string),
                a.map(str::to_string),
            )
        })
        .collect()
}

/// The same rows with appear and disappear swapped, and before and after.
fn reversed(rows: &[Row]) -> Vec<Row> {
    rows.iter()
        .map(|&(s, k, r, f, l, b, a)| {
            let k = match k {
                "appear" => "disappear",
                "disappear" => "appear",
                k => k,
            };
            (s, k, r, f, l, a, b)
        })
        .collect()
}

fn downshire_copies() -> Vec<std::path::PathBuf> {
    let mut v = vec![root().join("tests/shared/examples/downshire")];
    let beside = shared_examples().join("downshire");
    if beside != v[0] {
        v.push(beside);
    }
    v
}

#[test]
fn downshire_2022_to_2025_is_the_hand_written_list() {
    for dir in downshire_copies() {
        let d = dir.to_string_lossy();
        let (code, v) = transition_json(&["--from", "2022", "--to", "2025", &d], &root());
        assert_eq!(code, Some(0), "{v}");
        assert_eq!(rows(&v), owned(DOWNSHIRE_2022_TO_2025), "{d}");
        assert_eq!(v["summary"]["appear"], 4);
        assert_eq!(v["summary"]["disappear"], 0);
        assert_eq!(v["summary"]["change"], 2);
        // What a governance lead reads: the 2025 wording of STA008 and what to write for NHC003.
        let dr = &v["systems"][0];
        assert_eq!(dr["name"], "Downs and Riverside Integrated Care System");
        assert_eq!(dr["states_regime"], 2025);
        let sta008 = &dr["change"][0];
        assert!(sta008["before"]["message"].as_str().unwrap().starts_with(
            "Downs and Riverside Integrated Care System needs an integrated care partnership"
        ));
        assert!(sta008["after"]["message"]
            .as_str()
            .unwrap()
            .contains("under the 2025 regime this is advice"));
        assert_eq!(
            dr["appear"][0]["message"],
            "NHS Downs and Riverside Integrated Care Board has no partner member nominated by the mayor of Downs and Riverside Combined Authority"
        );
    }
}

#[test]
fn the_reverse_move_mirrors_the_list() {
    let d = root().join("tests/shared/examples/downshire");
    let (_, v) = transition_json(
        &["--from", "2025", "--to", "2022", &d.to_string_lossy()],
        &root(),
    );
    let mut expected = reversed(DOWNSHIRE_2022_TO_2025);
    // Within a system the lists come in the order appear, disappear, change.
    expected.sort_by_key(|r| {
        (
            r.0 != "downs_riverside",
            ["appear", "disappear", "change"]
                .iter()
                .position(|k| *k == r.1),
        )
    });
    assert_eq!(rows(&v), owned(&expected));
}

#[test]
fn without_from_each_system_starts_from_its_own_regime() {
    // downs_riverside already states 2025: nothing changes for it.
    let d = root().join("tests/shared/examples/downshire");
    let (_, v) = transition_json(&["--to", "2025", &d.to_string_lossy()], &root());
    let expected: Vec<Row> = DOWNSHIRE_2022_TO_2025
        .iter()
        .copied()
        .filter(|r| r.0 == "chalk_hills")
        .collect();
    assert_eq!(rows(&v), owned(&expected));
    assert_eq!(v["from"]["regime"], Value::Null);
    assert_eq!(v["to"]["regime"], 2025);
    let dr = &v["systems"][0];
    assert_eq!(dr["system"], "downs_riverside");
    assert!(
        dr["appear"].as_array().unwrap().is_empty() && dr["change"].as_array().unwrap().is_empty()
    );
}

#[test]
fn human_output_is_a_work_list_by_system() {
    let out = icslint(
        &[
            "transition",
            "--from",
            "2022",
            "--to",
            "2025",
            "tests/shared/examples/downshire",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let dr = text
        .find("Downs and Riverside Integrated Care System (downs_riverside; states regime 2025)")
        .expect(&text);
    let ch = text
        .find("Chalk Hills Integrated Care System (chalk_hills; states regime 2022)")
        .expect(&text);
    assert!(dr < ch, "{text}");
    let block = &text[dr..ch];
    assert!(block.contains("would appear (3):"), "{block}");
    assert!(
        block.contains("+ NHC004 advice at tests/shared/examples/downshire/icbs.icg:17:5:"),
        "{block}"
    );
    assert!(
        block.contains("to do: Add a partner member with `nominated_by mayor`"),
        "{block}"
    );
    assert!(
        block
            .contains("~ STA008 error → advice at tests/shared/examples/downshire/systems.icg:4:1"),
        "{block}"
    );
    assert!(
        block.contains("was: ") && block.contains("now: "),
        "{block}"
    );
    assert!(!block.contains("would disappear"), "{block}");
    assert!(
        text.trim_end()
            .ends_with("4 findings would appear, 0 would disappear, 2 would change, in 2 systems."),
        "{text}"
    );
}

#[test]
fn regime_errors_are_usage_errors() {
    let d = "tests/shared/examples/downshire";
    let out = icslint(
        &["transition", "--from", "2023", "--to", "2025", d],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the regime must be 2022, 2025 or 2026"),
        "{}",
        stderr(&out)
    );
    let out = icslint(&["transition", d], &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("say what to compare"),
        "{}",
        stderr(&out)
    );
    let out = icslint(
        &["transition", "--packs-to", "tests/data/no-such-folder", d],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the folder of rule packs tests/data/no-such-folder does not exist"),
        "{}",
        stderr(&out)
    );
    let out = icslint(
        &[
            "transition",
            "--packs-to",
            "tests/data/pack-editions/documents",
            d,
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds no rule packs"),
        "{}",
        stderr(&out)
    );
}

/// Two editions of a small pack over the same documents: a rule whose
/// severity changes, one whose message changes, one removed, one added,
/// one unchanged (never listed), and a 2025-only rule.
#[test]
fn two_pack_editions_on_the_same_documents() {
    let base = "tests/data/pack-editions";
    let args = [
        "--packs-from",
        &format!("{base}/edition-1"),
        "--packs-to",
        &format!("{base}/edition-2"),
        &format!("{base}/documents"),
    ]
    .map(String::from);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, v) = transition_json(&a, &root());
    assert_eq!(code, Some(0), "{v}");
    let expected: &[Row] = &[
        (
            "hilltop",
            "appear",
            "EDN003",
            "hilltop.icg",
            6,
            None,
            Some("warning"),
        ),
        (
            "hilltop",
            "disappear",
            "EDN002",
            "hilltop.icg",
            6,
            Some("advice"),
            None,
        ),
        (
            "hilltop",
            "change",
            "EDN001",
            "hilltop.icg",
            8,
            Some("warning"),
            Some("error"),
        ),
        (
            "hilltop",
            "change",
            "EDN004",
            "hilltop.icg",
            6,
            Some("warning"),
            Some("warning"),
        ),
    ];
    let mut got = rows(&v);
    got.sort();
    let mut want = owned(expected);
    want.sort();
    assert_eq!(got, want);
    assert_eq!(v["from"]["packs"], format!("{base}/edition-1"));
    // EDN004: the same severity, a new message.
    let change = &v["systems"][0]["change"];
    let edn004 = change
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "EDN004")
        .unwrap();
    assert_ne!(edn004["before"]["message"], edn004["after"]["message"]);

    // Combined with a regime move: edition 2's EDN005 runs under 2025 only.
    let mut b = a.clone();
    b.extend(["--from", "2022", "--to", "2025"]);
    let (_, v) = transition_json(&b, &root());
    let got: Vec<String> = rows(&v)
        .into_iter()
        .map(|r| format!("{} {}", r.1, r.2))
        .collect();
    assert!(got.contains(&"appear EDN005".to_string()), "{got:?}");
    // The same edition on both sides and no regime move: nothing differs.
    let (_, v) = transition_json(
        &[
            "--packs-from",
            &format!("{base}/edition-2"),
            "--packs-to",
            &format!("{base}/edition-2"),
            &format!("{base}/documents"),
        ],
        &root(),
    );
    assert!(rows(&v).is_empty(), "{v}");
}

/// A path that cannot be read leaves part of the workspace unchecked: the
/// list must not claim that every finding is the same on both sides.
#[test]
fn an_unchecked_workspace_is_not_called_the_same() {
    let out = icslint(
        &[
            "transition",
            "--from",
            "2022",
            "--to",
            "2025",
            "no-such-folder",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains("No differences among what could be checked"),
        "{text}"
    );
    assert!(!text.contains("every finding is the same"), "{text}");
}

// ------------------------------------------------ regime 2026: the Health Bill

const BILL: &str = "tests/fixtures/regime-2026";

fn briefing(format: &str, dir: &str) -> String {
    let out = icslint(
        &[
            "transition",
            "--from",
            "2025",
            "--to",
            "2026",
            dir,
            "--format",
            format,
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// The section of `text` from `start` to the next `end` (or the end).
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let i = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{text}"));
    let rest = &text[i + start.len()..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The fixture's move from 2025 to 2026, by hand from the packs: Tynemarsh
/// (two mayoral strategic authorities, one nominee, no ICP, an HWB without
/// Healthwatch) gains STA030 and loses STA008 and the Healthwatch member
/// (STA012, its only missing member); Fellbridge (a voluntary ICP, a
/// council seat-less ICB) loses STA006, and its ICP findings stay.
#[test]
fn the_bill_as_a_work_list() {
    let (code, v) = transition_json(&["--from", "2025", "--to", "2026", BILL], &root());
    assert_eq!(code, Some(0));
    let got: Vec<(String, String, String, u64)> = rows(&v)
        .into_iter()
        .map(|(sys, kind, rule, file, line, _, _)| (sys, kind, rule, file, line))
        .map(|(s, k, r, f, l)| (s, k, r, f.rsplit('/').next().unwrap().to_string(), l))
        .map(|(s, k, r, _, l)| (s, k, r, l))
        .collect();
    let want = [
        ("fellbridge", "disappear", "STA006", 11),
        ("fellbridge", "change", "STA008", 15),
        ("tynemarsh", "appear", "STA030", 18),
        ("tynemarsh", "disappear", "STA008", 7),
        ("tynemarsh", "disappear", "STA012", 24),
    ];
    let want: Vec<(String, String, String, u64)> = want
        .iter()
        .map(|(s, k, r, l)| (s.to_string(), k.to_string(), r.to_string(), *l))
        .collect();
    assert_eq!(got, want);
    // Every finding of the Bill's pack is provisional, cites the clause and
    // is at most a warning (STA030 is an error in the pack).
    let sta030 = &v["systems"][1]["appear"][0];
    assert_eq!(sta030["severity"], "warning", "{sta030}");
    let msg = sta030["message"].as_str().unwrap();
    assert!(
        msg.starts_with("provisional (Health Bill clause 21, not yet law)")
            && msg.contains("South Marsh Strategic Authority")
            && !msg.contains("North Tynemarsh"),
        "{msg}"
    );
}

#[test]
fn the_briefing_in_markdown() {
    let md = briefing("markdown", BILL);
    insta::assert_snapshot!("briefing_regime_2026_md", md);
    assert!(md.contains("> **Provisional.** The Health Bill 2026 as introduced"));
    // The CCN's position on clause 21, with its source.
    let context = between(&md, "## Context", "\n## ");
    assert!(
        context.contains(
            "We do not believe it is possible to mitigate the negative impacts of clause 21."
        ) && context.contains("County Councils Network"),
        "{context}"
    );
    let tyne = between(&md, "## Tynemarsh Integrated Care System", "\n## ");
    let require = between(tyne, "### What the Bill would require", "### ");
    assert!(
        require.contains("**provisional warning**") && require.contains("STA030"),
        "{require}"
    );
    let gone = between(tyne, "### What it would no longer require", "### ");
    assert!(
        gone.contains("STA008") && gone.contains("a representative of local Healthwatch"),
        "{gone}"
    );
    assert!(
        !gone.contains("What to write"),
        "nothing to write for what falls away: {gone}"
    );
    let fell = between(&md, "## Fellbridge Integrated Care System", "\n## ");
    let stays = between(fell, "### What stays", "\n## ");
    assert!(
        stays.contains("Today it reads:") && stays.contains("CCN202") && stays.contains("STA012"),
        "{stays}"
    );
    // What the sources do not confirm is listed, not guessed.
    let unconfirmed = between(&md, "## What the sources do not confirm", "\u{0}");
    assert!(
        unconfirmed.contains("STA001, STA002, STA023, STA029, CCN101"),
        "{unconfirmed}"
    );
}

/// A move without a Bill is not called one.
#[test]
fn a_move_without_a_bill_has_no_banner() {
    let out = icslint(
        &[
            "transition",
            "--from",
            "2022",
            "--to",
            "2025",
            "tests/shared/examples/downshire",
            "--format",
            "markdown",
        ],
        &root(),
    );
    let md = stdout(&out);
    assert!(
        !md.contains("Provisional") && !md.contains("the Bill"),
        "{md}"
    );
    assert!(md.contains("### What the move would require"), "{md}");
}

fn assert_xhtml(html: &str) {
    let mut r = quick_xml::Reader::from_str(html);
    r.config_mut().check_end_names = true;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at byte {}: {e}", r.error_position()),
        }
    }
}

#[test]
fn the_briefing_in_html() {
    let html = briefing("html", BILL);
    assert_xhtml(&html);
    let doc = scraper::Html::parse_document(&html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let csp = doc
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .expect("a CSP");
    assert!(csp
        .value()
        .attr("content")
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(doc.select(&sel("script")).count(), 0);
    let banner: String = doc.select(&sel(".banner")).next().unwrap().text().collect();
    assert!(banner.contains("is not law"), "{banner}");
    let h2: Vec<String> = doc.select(&sel("h2")).map(|h| h.text().collect()).collect();
    assert_eq!(
        h2,
        [
            "Context",
            "Fellbridge Integrated Care System",
            "Tynemarsh Integrated Care System",
            "What the sources do not confirm"
        ]
    );
    let h3: Vec<String> = doc.select(&sel("h3")).map(|h| h.text().collect()).collect();
    assert_eq!(
        &h3[..3],
        [
            "What the Bill would require",
            "What it would no longer require",
            "What stays"
        ]
    );
    // The CCN's page is linked: an https address.
    let link = doc
        .select(&sel("#context a"))
        .next()
        .expect("a source link");
    assert!(link
        .value()
        .attr("href")
        .unwrap()
        .starts_with("https://www.countycouncilsnetwork.org.uk/"));
    // Code spans in messages are <code>.
    let require = doc
        .select(&sel("#system-2-require + ul li"))
        .next()
        .unwrap();
    assert!(
        require
            .html()
            .contains("<code>nominated_by mayor; authority @id</code>")
            || require.html().contains("<code>"),
        "{}",
        require.html()
    );
}

/// An attacker names the system, the ICB and the authority: nothing of it
/// runs in the HTML, nothing of it links or becomes markup in Markdown.
#[test]
fn an_attacker_named_system_is_inert_in_the_briefing() {
    let dir = scratch("briefing-attacker");
    let evil = "Evil <script>alert(1)</script> [x](javascript:alert(1)) `code` ![i](http://x/i.png) ::error::pwned";
    let text = format!(
        "system s \"{evil}\" {{ regime 2025 }}\n\
         authority m \"{evil} CA\" {{ kind combined; tier strategic; mayor yes; share @s 100% }}\n\
         icb i \"{evil} ICB\" {{ system @s }}\n"
    );
    write(&dir, "evil.icg", &text);
    let html = briefing("html", dir.to_str().unwrap());
    assert_xhtml(&html);
    assert!(
        !html.contains("<script") && !html.contains("href=\"javascript"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{html}"
    );
    let doc = scraper::Html::parse_document(&html);
    assert_eq!(
        doc.select(&scraper::Selector::parse("script, img").unwrap())
            .count(),
        0
    );
    let md = briefing("markdown", dir.to_str().unwrap());
    for raw in ["<script", "[x](javascript", "![i](", "\n::error"] {
        assert!(!md.contains(raw), "{raw} raw in\n{md}");
    }
    assert!(md.contains("STA030"), "{md}");
}

/// A Bill's pack cannot say more than a warning, whatever a configuration
/// asks, and a rule of it whose message does not say "provisional" is not
/// loaded (ICG012).
#[test]
fn a_bill_pack_is_capped_and_says_provisional() {
    let dir = scratch("bill-pack");
    write(
        &dir,
        "icslint.yaml",
        "regime: 2026\nselect: [BIL, ICG]\nseverity:\n  BIL001: error\nrules: [bill.yaml]\n",
    );
    write(
        &dir,
        "bill.yaml",
        "pack: bill\ntitle: A Bill\nsource: a-bill\nenacted: false\nrules:\n\
         - id: BIL001\n  name: one\n  provenance: { source: a-bill, ref: \"Clause 1\", summary: S }\n  severity: error\n  scope: icb\n  assert: exists(running_cost_per_head)\n  message: \"provisional (clause 1): {name} has no budget\"\n  help: h\n\
         - id: BIL002\n  name: two\n  provenance: { source: a-bill, ref: \"Clause 2\", summary: S }\n  severity: advice\n  scope: icb\n  assert: exists(running_cost_per_head)\n  message: \"{name} has no budget\"\n  help: h\n",
    );
    write(
        &dir,
        "a.icg",
        "system s \"S\" {}\nicb i \"I\" { system @s }\n",
    );
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let found: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .any(|(r, s, _)| r == "BIL001" && s == "warning"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(r, _, m)| r == "ICG012"
            && m.contains("BIL002")
            && m.contains("must say it is provisional")),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _, _)| r == "BIL002"), "{found:?}");
}

/// `explain` says, under its own heading, what the Bill leaves unconfirmed.
#[test]
fn explain_lists_what_the_bill_leaves_unconfirmed() {
    for id in ["STA001", "STA002", "STA023", "CCN101"] {
        let text = stdout(&icslint(&["explain", id], &root()));
        let section = between(
            &text,
            "Unconfirmed under The Health Bill 2026 as introduced\n",
            "\n\n",
        );
        assert!(
            section.contains("HB01 and HB07") && section.contains("NHS England"),
            "{id}: {section}"
        );
    }
    let text = stdout(&icslint(&["explain", "STA004"], &root()));
    assert!(!text.contains("Unconfirmed"), "{text}");
}

/// The conformance report says, in plain English, why the ICP rules did
/// not apply to a system without an ICP under 2026.
#[test]
fn the_report_says_icp_rules_apply_only_where_an_icp_exists() {
    let out = icslint(&["report", BILL, "--format", "md"], &root());
    let md = stdout(&out);
    let tyne = between(
        &md,
        "## Tynemarsh Integrated Care System",
        "\n## Fellbridge",
    );
    assert!(
        tyne.contains(
            "Under the 2026 regime it applies only where an ICP exists; the system has none"
        ),
        "{tyne}"
    );
}

/// `regime 2026` in a system block, in `icslint.yaml` and on the command line.
#[test]
fn regime_2026_is_read_everywhere() {
    let out = icslint(&["test", BILL], &root());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let (_, v) = transition_json(&["--from", "2022", "--to", "2026", BILL], &root());
    assert_eq!(v["to"]["regime"], 2026);
    let dir = scratch("regime-2026-inline");
    write(
        &dir,
        "a.icg",
        "system s \"S\" { regime 2026 }\nauthority m \"M\" { kind combined; tier strategic; mayor yes; share @s 100% }\nicb i \"I\" { system @s }\n",
    );
    let out = icslint(
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "STA030,STA006,ICG",
        ],
        &dir,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["STA030"]);
    let out = icslint(
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "STA030,STA006,ICG",
            "--regime",
            "2026",
        ],
        &dir,
    );
    assert!(stdout(&out).contains("STA030"));
}

/// `by_regime: { 2026: { requires: KIND } }` takes a block kind, with a
/// suggestion for a misspelt one; the rule is left out, the pack loads.
#[test]
fn a_regime_requirement_names_a_block_kind() {
    let dir = scratch("requires-kind");
    write(
        &dir,
        "icslint.yaml",
        "select: [REQ, ICG]\nrules: [p.yaml]\n",
    );
    write(
        &dir,
        "p.yaml",
        "pack: p\ntitle: P\nsource: p\nrules:\n\
         - id: REQ001\n  name: one\n  provenance: { source: p, ref: r, summary: s }\n  severity: warning\n  by_regime: { 2026: { requires: icpp } }\n  scope: system\n  assert: exists(icp)\n  message: m\n  help: h\n\
         - id: REQ002\n  name: two\n  provenance: { source: p, ref: r, summary: s }\n  severity: warning\n  by_regime: { 2026: { requires: icp } }\n  scope: system\n  assert: \"false\"\n  message: \"{name} fails\"\n  help: h\n",
    );
    write(
        &dir,
        "a.icg",
        "system s \"S\" { regime 2026 }\nsystem t \"T\" { regime 2025 }\n",
    );
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        found.iter().any(|(r, m)| r == "ICG012"
            && m.contains("`requires: icpp` is not a block kind; did you mean `icp`?")),
        "{found:?}"
    );
    // Under 2026 REQ002 needs an ICP, which S lacks; under 2025 T is checked.
    let req: Vec<&str> = found
        .iter()
        .filter(|(r, _)| r == "REQ002")
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(req, ["T fails"], "{found:?}");
}
