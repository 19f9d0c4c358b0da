//! Bad input is normal input: nothing panics, nothing is silently skipped.

mod common;
use common::*;
use icslint::config::Config;
use icslint::engine::{Engine, Options};
use icslint::workspace::Workspace;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in [
        root().join("examples/riverbend"),
        shared_examples().join("northmoor"),
        shared_examples().join("wessex-vale"),
    ] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "icg"))
            .collect();
        paths.sort();
        for p in paths {
            files.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    files
}

/// Runs the whole pipeline (parse, lower, every rule, suppressions) on texts.
fn check(texts: &[(&str, &str)]) -> Vec<icslint::diagnostic::Finding> {
    let ws = Workspace::from_texts(texts, Config::default());
    let engine = Engine::new(&ws, Options::default());
    engine.run()
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "@",
    "£",
    "%",
    ";",
    "\n",
    "#",
    "every",
    "12 months",
    "to",
    "member",
    "@nowhere",
    "2023-02-30",
    "-",
    "_",
    "\u{FEFF}",
    "é",
    "\r\n",
];

#[test]
fn thousands_of_mutations_never_panic_and_broken_input_is_reported() {
    let files = corpus();
    assert!(!files.is_empty());
    let mut rng = Rng(0x001c_5117);
    let mut broken_cases = 0;
    for case in 0..4000 {
        let (name, text) = &files[rng.below(files.len())];
        let mut bytes = text.as_bytes().to_vec();
        let kind = case % 5;
        let pos = rng.below(bytes.len());
        // Mutations whose result is certainly not valid ICG are marked `broken`.
        let broken = match kind {
            0 => {
                // Truncate inside a block: braces no longer balance.
                let depth_at = |n: usize| {
                    text.as_bytes()[..n].iter().filter(|b| **b == b'{').count() as i64
                        - text.as_bytes()[..n].iter().filter(|b| **b == b'}').count() as i64
                };
                bytes.truncate(pos);
                // Bytes, not `&str`: `pos` may fall inside a character (`£`).
                let head = &text.as_bytes()[..pos];
                depth_at(pos) > 0
                    && !head.windows(3).any(|w| w == b"\"\"\"")
                    && !head.contains(&b'#')
            }
            1 => {
                let n = 1 + rng.below(40);
                let end = (pos + n).min(bytes.len());
                bytes.drain(pos..end);
                false
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(pos..pos, t.bytes());
                false
            }
            3 => {
                // Flip a byte to one that is never valid UTF-8.
                bytes[pos] = 0xFF;
                true
            }
            _ => {
                bytes[pos] ^= 1 << rng.below(8);
                false
            }
        };
        let path = name.to_string();
        let findings = match String::from_utf8(bytes.clone()) {
            Ok(t) => {
                let f = check(&[(&path, &t)]);
                if broken {
                    assert!(
                        f.iter().any(|x| x.rule == "ICG001"),
                        "case {case}: truncated input gave no syntax error:\n{t}"
                    );
                }
                f
            }
            Err(_) => {
                // Through the file system, as a user would meet it.
                let dir = scratch(&format!("mutation-{}", case % 4));
                std::fs::write(dir.join("m.icg"), &bytes).unwrap();
                let ws = Workspace::load(std::slice::from_ref(&dir), None).unwrap();
                let f = ws.findings.clone();
                assert!(
                    f.iter().any(|x| x.rule == "ICG009"),
                    "case {case}: invalid UTF-8 not reported"
                );
                f
            }
        };
        if broken {
            broken_cases += 1;
            assert!(
                !findings.is_empty(),
                "case {case}: broken input produced no finding"
            );
        }
        for f in &findings {
            assert!(
                f.span.start <= f.span.end,
                "case {case}: inverted span in {f:?}"
            );
        }
    }
    assert!(
        broken_cases > 500,
        "the generator exercised {broken_cases} certainly-broken inputs"
    );
}

#[test]
fn a_file_nested_100_000_deep_is_one_icg001() {
    // What ../shared/examples/broken/deep.sh writes.
    let n = 100_000;
    let text = format!(
        "system deep \"Deep\" {{\n{}{}}}\n",
        "member {\n".repeat(n),
        "}\n".repeat(n)
    );
    let dir = scratch("deep");
    std::fs::write(dir.join("deep.icg"), &text).unwrap();
    let out = icslint(&["check", ".", "--format", "json"], &dir);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v}");
    assert_eq!(f[0]["rule"], "ICG001");
    assert!(f[0]["message"]
        .as_str()
        .unwrap()
        .contains("nested too deeply: more than 64 levels"));
    // Deep lists are bounded the same way.
    let lists = format!(
        "system s \"S\" {{ regime {}{} }}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let found = check(&[("lists.icg", &lists)]);
    assert!(found
        .iter()
        .any(|f| f.rule == "ICG001" && f.message.contains("nested too deeply")));
}

#[test]
fn a_broken_file_does_not_stop_the_others() {
    let found = check(&[
        ("a.icg", "system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" {\n    system @s\n    membership_review every 24 months\n"),
        ("b.icg", "icb j \"NHS T ICB\" {\n    system @s\n    membership_review every 24 months\n}\n"),
    ]);
    assert!(found.iter().any(|f| f.rule == "ICG001"));
    assert!(
        found
            .iter()
            .any(|f| f.rule == "CCN111" && f.message.contains("NHS T ICB")),
        "{found:?}"
    );
}

#[test]
fn crlf_and_bom_are_accepted() {
    let text = "\u{FEFF}system s \"S\" {\r\n    regime 2022\r\n}\r\n";
    let found = check(&[("crlf.icg", text)]);
    assert!(
        found.iter().all(|f| !f.rule.starts_with("ICG")),
        "{found:?}"
    );
}

#[test]
fn cyclic_and_dangling_references_are_reported_not_followed_forever() {
    let text = "system s \"S\" { regime 2022 }\nicb i \"I\" { system @s; member \"X\" { chairs @c } ; committee c \"C\" { member \"Y\" { chairs @c } } }\nplace p \"P\" { system @p }\nicp q \"Q\" { system @s; established_by [@q, @nobody] }\n";
    let found = check(&[("cycle.icg", text)]);
    let ids: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    assert!(ids.contains(&"ICG004"), "{ids:?}");
    assert!(ids.contains(&"ICG007"), "{ids:?}");
    assert!(
        ids.contains(&"ICG003"),
        "@q is an icp, not an icb or authority: {ids:?}"
    );
}

fn findings_of(out: &std::process::Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON: {e}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["findings"].as_array().unwrap().clone()
}

const SMALL_SYSTEM: &str = "system s \"S\" { regime 2022 }\n";

#[test]
fn hostile_exclude_patterns_are_matched_in_linear_time() {
    let dir = scratch("hostile-globs");
    // A backtracking matcher takes exponential time on this pair.
    let name = format!("{}.icg", "a".repeat(200));
    write(&dir, &name, SMALL_SYSTEM);
    write(
        &dir,
        "icslint.yaml",
        "select: [ICG]\nexclude: ['*a*a*a*a*a*a*a*a*a*a*b']\n",
    );
    let out = icslint_within(20, &["check", "."], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("No findings in 1 file."),
        "the file was checked, not excluded: {}",
        stdout(&out)
    );

    // A recursive matcher overflows its stack on a million `*`.
    write(
        &dir,
        "icslint.yaml",
        &format!(
            "select: [ICG]\nexclude: ['{}', '{name}']\n",
            "*".repeat(1_000_000)
        ),
    );
    let out = icslint_within(20, &["check", ".", "--format", "json"], &dir);
    let found = findings_of(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["rule"], "ICG013");
    assert!(found[0]["message"].as_str().unwrap().contains("exclude"));
    assert_eq!(
        (
            &found[0]["location"]["line"],
            &found[0]["location"]["column"]
        ),
        (&2.into(), &11.into()),
        "points at the pattern"
    );
    assert_eq!(out.status.code(), Some(2));
    let out = icslint_within(20, &["check", "."], &dir);
    assert!(
        stdout(&out).contains("in 0 files."),
        "the valid pattern still excludes its file: {}",
        stdout(&out)
    );
}

#[test]
fn a_hostile_configuration_is_refused_quickly() {
    let dir = scratch("hostile-config");
    write(&dir, "a.icg", SMALL_SYSTEM);
    let n = 100_000;
    let deep_flow = format!("select: {}{}\n", "[".repeat(n), "]".repeat(n));
    let deep_value = format!(
        "params:\n  CCN131:\n    max_priorities: {}{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let deep_dashes = format!("params:\n  CCN131:\n    x:\n      {}y\n", "- ".repeat(n));
    let deep_block = format!("params:\n  CCN131:\n    x:\n{}", "      - \n".repeat(n));
    // Eleven levels of ten aliases: 10^11 values if expanded.
    let mut bomb = String::from("params:\n  CCN131:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
        bomb.push_str(&format!("    a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    for (what, yaml, says) in [
        ("deep flow list", deep_flow, "nested more than"),
        ("deep value", deep_value, "nested more than"),
        ("deep block list", deep_dashes, "nested more than"),
        ("long list", deep_block, "more than 20000 values"),
        ("alias bomb", bomb, "more than 20000 values"),
    ] {
        write(&dir, "icslint.yaml", &yaml);
        let out = icslint_within(20, &["check", ".", "--format", "json"], &dir);
        assert_eq!(out.status.code(), Some(2), "{what}");
        let found = findings_of(&out);
        assert!(
            found
                .iter()
                .any(|f| f["rule"] == "ICG013" && f["message"].as_str().unwrap().contains(says)),
            "{what}: {found:?}"
        );
    }
}

#[test]
fn an_alias_bomb_in_a_pack_is_refused_quickly() {
    let dir = scratch("hostile-pack");
    write(&dir, "a.icg", SMALL_SYSTEM);
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    write(&dir, "pack.yaml", &bomb);
    write(&dir, "icslint.yaml", "rules: [pack.yaml]\n");
    let out = icslint_within(20, &["check", ".", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(findings_of(&out).iter().any(|f| f["rule"] == "ICG012"));
}

/// `(rule, file, line)` of every finding of `icslint check` in `dir`.
fn findings_in(dir: &std::path::Path) -> Vec<(String, String, u64)> {
    let out = icslint(&["check", ".", "--format", "json"], dir);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut f: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    f.sort();
    f
}

#[test]
fn a_syntax_error_hides_nothing_else_in_its_file() {
    // The example workspace, with its health and wellbeing boards' file
    // broken in the ways people break files.
    let copy = |name: &str| {
        let dir = scratch(name);
        let src = root().join("examples/riverbend");
        for e in std::fs::read_dir(&src).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
        dir
    };
    let hwb = "health-wellbeing-boards.icg";
    let clean = findings_in(&copy("recover-clean"));
    assert!(clean.iter().all(|f| f.0 != "STA010" && f.0 != "ICG004"));

    // A stray `}` at the end: one ICG001 and nothing else changes (no
    // "needs a health and wellbeing board", no unknown references).
    let dir = copy("recover-stray");
    let text = std::fs::read_to_string(dir.join(hwb)).unwrap();
    std::fs::write(dir.join(hwb), format!("{text}}}\n")).unwrap();
    let mut want = clean.clone();
    let line = text.lines().count() as u64 + 1;
    want.push(("ICG001".into(), hwb.into(), line));
    want.sort();
    assert_eq!(findings_in(&dir), want);

    // An error in the second board: the first board is still checked by
    // the rules (it lacks `jsna` here, which STA010 reports), the second
    // keeps its sound lines, and nothing else appears.
    let dir = copy("recover-inside");
    let text = text
        .replace(
            "functions [jsna, jhws, bcf_plan, primary_prevention]",
            "functions [jhws, bcf_plan, primary_prevention]",
        )
        .replace(
            "    functions [jsna, jhws, bcf_plan]\n",
            "    functions [jsna, jhws, bcf_plan]\n    chair = \"Cllr Omar Reid\"\n",
        );
    std::fs::write(dir.join(hwb), &text).unwrap();
    let got = findings_in(&dir);
    let extra: Vec<_> = got.iter().filter(|f| !clean.contains(f)).collect();
    let bad_line = text
        .lines()
        .position(|l| l.starts_with("    chair = "))
        .unwrap() as u64
        + 1;
    assert_eq!(
        extra
            .iter()
            .map(|f| (f.0.as_str(), f.2))
            .collect::<Vec<_>>(),
        [("ICG001", bad_line), ("STA010", 4)],
        "{got:?}"
    );
}

#[test]
fn hostile_pack_expressions_are_icg012_on_a_small_stack() {
    // A local pack whose rules chain 10,000 operators or path steps, and
    // rules at the limit that must still load and run; all on a thread
    // with a 1 MiB stack, in whatever build runs the tests.
    let n = 10_000;
    let m = icslint::rules::check::MAX_EXPR_DEPTH - 1;
    let rule = |id: &str, assert: String| {
        format!(
            "  - id: {id}\n    name: r-{}\n    provenance: {{ source: tests, ref: here, summary: deep }}\n    severity: warning\n    scope: icb\n    assert: '{assert}'\n    message: 'deep'\n    help: 'split it'\n",
            id.to_lowercase()
        )
    };
    let hostile = [
        ("LOC101", "not ".repeat(n) + "yes"),
        ("LOC102", "yes and ".repeat(n) + "yes"),
        ("LOC103", "yes or ".repeat(n) + "yes"),
        ("LOC104", "1 + ".repeat(n) + "1 > 0"),
        (
            "LOC105",
            "parent".to_string() + &".parent".repeat(n) + " is icb",
        ),
        ("LOC106", "(".repeat(n) + "yes" + &")".repeat(n)),
    ];
    let fine = [
        // Even number of `not`: true, so no finding.
        ("LOC201", "not ".repeat(m - 1) + "yes"),
        // False: one finding per ICB.
        ("LOC202", "yes and ".repeat(m) + "no"),
        ("LOC203", "1 + ".repeat(m - 1) + "1 > 100"),
    ];
    let mut pack = String::from("pack: deep\ntitle: Deep\nsource: tests\nrules:\n");
    for (id, a) in hostile.iter().chain(fine.iter()) {
        pack.push_str(&rule(id, a.clone()));
    }
    let dir = scratch("deep-pack");
    write(&dir, "icslint.yaml", "rules: [deep.yaml]\nselect: [LOC]\n");
    write(&dir, "deep.yaml", &pack);
    write(
        &dir,
        "s.icg",
        "system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" { system @s }\n",
    );
    let found = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let ws = Workspace::load(std::slice::from_ref(&dir), None).unwrap();
            let engine = Engine::new(&ws, Options::default());
            engine
                .run()
                .into_iter()
                .map(|f| (f.rule, f.message, f.span))
                .collect::<Vec<_>>()
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    let deep: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "ICG012" && f.1.contains("nested more than 64 levels deep"))
        .collect();
    assert_eq!(deep.len(), hostile.len(), "{found:#?}");
    let ran: Vec<&str> = found
        .iter()
        .filter(|f| f.0.starts_with("LOC"))
        .map(|f| f.0.as_str())
        .collect();
    assert_eq!(ran, ["LOC202", "LOC203"], "{found:#?}");
}

#[test]
fn carriage_return_line_endings_give_the_right_lines() {
    // The same file with each line ending; the misspelt key is on line 3.
    let text = "system s \"S\" { regime 2022 }\nicb i \"NHS S ICB\" {\n    membershp_review every 12 months\n    system @s\n}\n";
    for (name, nl) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let dir = scratch(&format!("line-endings-{name}"));
        write(&dir, "icslint.yaml", "select: [ICG]\n");
        write(&dir, "s.icg", &text.replace('\n', nl));
        let out = icslint(&["check", ".", "--format", "json"], &dir);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = &v["findings"][0];
        assert_eq!(f["rule"], "ICG002", "{name}: {v}");
        assert_eq!(
            (&f["location"]["line"], &f["location"]["column"]),
            (&serde_json::json!(3), &serde_json::json!(5)),
            "{name}"
        );
        let human = stdout(&icslint(&["check", "."], &dir));
        assert!(
            human.contains("[s.icg:3:5]") && human.contains(" 3 │     membershp_review"),
            "{name}: {human}"
        );
    }
}
/// A valid pack of three rules whose IDs are quoted (valid YAML); the
/// second and third have a type error inside an expression, one in a
/// double-quoted string, one in a folded block scalar.
const QUOTED_PACK: &str = r#"pack: quoted
title: Quoted IDs
source: test
rules:
  - id: "LOC001"
    name: first
    provenance: { source: test, ref: "1", summary: "A rule that loads." }
    severity: error
    scope: icp
    assert: name != ""
    message: "m"
    help: "h"
  - id: "LOC002"
    name: second
    provenance: { source: test, ref: "1", summary: "A rule with a type error." }
    severity: error
    scope: icp
    when: "name != none"
    assert: "name != none and name + 5 > 3"
    message: "m"
    help: "h"
  - id: 'LOC003'
    name: third
    provenance: { source: test, ref: "1", summary: "A type error in a block scalar." }
    severity: error
    scope: icp
    assert: name != ""
    message: >-
      The ICP {name}
      has {name + 7} members
    help: "h"
"#;

/// `(line, column)`, from 1, of byte `at` of `text`.
fn line_col(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = at - before.rfind('\n').map_or(0, |n| n + 1) + 1;
    (line as u64, col as u64)
}

/// The ICG012 findings of `icslint check` on `dir`, as `(line, column, message)`.
fn pack_errors(dir: &std::path::Path) -> Vec<(u64, u64, String)> {
    let out = icslint_within(60, &["check", ".", "--format", "json"], dir);
    let mut v: Vec<_> = findings_of(&out)
        .iter()
        .filter(|f| f["rule"] == "ICG012")
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_type_error_in_a_pack_with_quoted_ids_points_at_its_characters() {
    let dir = scratch("quoted-pack");
    write(&dir, "a.icg", SMALL_SYSTEM);
    write(&dir, "icslint.yaml", "rules: [pack.yaml]\nselect: [LOC]\n");
    write(&dir, "pack.yaml", QUOTED_PACK);
    let expect = |needle: &str| line_col(QUOTED_PACK, QUOTED_PACK.find(needle).unwrap());
    let got = pack_errors(&dir);
    assert_eq!(got.len(), 2, "{got:?}");
    // Inside the double-quoted string of the second rule, not at the top of the file.
    assert_eq!((got[0].0, got[0].1), expect("name + 5"), "{got:?}");
    assert_eq!((got[0].0, got[0].1), (19, 31));
    assert!(got[0].2.starts_with("rule LOC002: in `assert`:"), "{got:?}");
    // On the second line of the folded message of the third rule.
    assert_eq!((got[1].0, got[1].1), expect("name + 7"), "{got:?}");
    assert!(
        got[1].2.starts_with("rule LOC003: in `message`:"),
        "{got:?}"
    );

    // A value of the wrong kind points at that value.
    let wrong = QUOTED_PACK.replacen(
        "severity: error\n    scope: icp\n    when",
        "severity: eror\n    scope: icp\n    when",
        1,
    );
    write(&dir, "pack.yaml", &wrong);
    let got = pack_errors(&dir);
    let at = line_col(&wrong, wrong.find("eror").unwrap());
    assert!(
        got.iter()
            .any(|(l, c, m)| (*l, *c) == at && m.contains("severity `eror`")),
        "{got:?}"
    );

    // An unknown field is refused where it is written, with a suggestion.
    let typo = QUOTED_PACK.replacen("    when:", "    wehn:", 1);
    write(&dir, "pack.yaml", &typo);
    let got = pack_errors(&dir);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(
        (got[0].0, got[0].1),
        line_col(&typo, typo.find("wehn").unwrap())
    );
    assert!(got[0].2.contains("did you mean `when`?"), "{got:?}");
}

#[test]
fn a_pack_with_a_byte_order_mark_loads() {
    let dir = scratch("bom-pack");
    write(&dir, "a.icg", SMALL_SYSTEM);
    write(&dir, "icslint.yaml", "rules: [pack.yaml]\nselect: [LOC]\n");
    let fixed = QUOTED_PACK
        .replace("name + 5 > 3", "name != none")
        .replace("{name + 7}", "{name}");
    std::fs::write(dir.join("pack.yaml"), format!("\u{FEFF}{fixed}")).unwrap();
    assert_eq!(pack_errors(&dir), vec![], "the pack loads");
    let out = icslint(&["check", "."], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Positions count from after the mark.
    std::fs::write(dir.join("pack.yaml"), format!("\u{FEFF}{QUOTED_PACK}")).unwrap();
    let got = pack_errors(&dir);
    assert_eq!(
        (got[0].0, got[0].1),
        line_col(QUOTED_PACK, QUOTED_PACK.find("name + 5").unwrap())
    );
}

#[test]
fn a_pack_that_is_not_utf8_is_icg012_at_the_bad_byte() {
    let dir = scratch("latin1-pack");
    write(&dir, "a.icg", SMALL_SYSTEM);
    write(&dir, "icslint.yaml", "rules: [pack.yaml]\n");
    let at = QUOTED_PACK.find("A rule that loads").unwrap() + 2;
    let mut bytes = QUOTED_PACK.as_bytes().to_vec();
    bytes[at] = 0xE9; // "é" in Latin-1
    std::fs::write(dir.join("pack.yaml"), &bytes).unwrap();
    let out = icslint_within(60, &["check", ".", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let found = findings_of(&out);
    let f = found
        .iter()
        .find(|f| f["rule"] == "ICG012")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains(&format!("byte {at} (0xE9)")),
        "{f}"
    );
    assert_eq!(
        (&f["location"]["line"], &f["location"]["column"]),
        (&7.into(), &55.into()),
        "{f}"
    );
    assert_eq!(line_col(QUOTED_PACK, at), (7, 55));
    assert_eq!(f["location"]["start"], at);
}

/// Runs `icslint` under a limit of address space (`ulimit -v`, in KiB), so
/// that expanding what it must refuse would fail the run.
fn icslint_in_memory(
    kib: u64,
    args: &[&str],
    cwd: &std::path::Path,
) -> Option<std::process::Output> {
    if std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1000000")
        .status()
        .map_or(true, |s| !s.success())
    {
        eprintln!("skipping the memory bound: needs `sh` with `ulimit -v`");
        return None;
    }
    let script = format!("ulimit -v {kib} && exec \"$0\" \"$@\"");
    let mut full = vec!["-c", script.as_str(), env!("CARGO_BIN_EXE_icslint")];
    full.extend_from_slice(args);
    Some(icslint_within_cmd(60, "sh", &full, cwd))
}

fn icslint_within_cmd(
    secs: u64,
    program: &str,
    args: &[&str],
    cwd: &std::path::Path,
) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not finish within {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn an_alias_bomb_inside_a_rule_is_refused_in_bounded_time_and_memory() {
    let dir = scratch("pack-bomb-in-rule");
    write(&dir, "a.icg", SMALL_SYSTEM);
    write(&dir, "icslint.yaml", "rules: [pack.yaml]\n");
    // Twelve levels of ten aliases under `let:`: 10^12 values if expanded.
    let mut bomb = String::from("    let:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..13 {
        let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
        bomb.push_str(&format!("      a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    let pack = QUOTED_PACK.replacen("    when:", &format!("{bomb}    when:"), 1);
    write(&dir, "pack.yaml", &pack);
    let started = std::time::Instant::now();
    // 1 GiB of address space: the refusal needs a few MiB, the expansion terabytes.
    let Some(out) = icslint_in_memory(1 << 20, &["check", ".", "--format", "json"], &dir) else {
        return;
    };
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let found = findings_of(&out);
    let f = found
        .iter()
        .find(|f| f["rule"] == "ICG012")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("more than 50000 values"),
        "{f}"
    );
    let line = f["location"]["line"].as_u64().unwrap();
    assert!(
        (17..=31).contains(&line),
        "inside the bomb, line {line}: {f}"
    );
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
}

/// A check drops each file's syntax tree once it is lowered; the language
/// server keeps them. Both load the same model and findings, and a
/// workspace whose trees were dropped re-lowers (parsing again) to the
/// same again: nothing a rule sees depends on which trees were kept.
#[test]
fn dropping_syntax_trees_changes_nothing_a_rule_sees() {
    use icslint::workspace::LoadOptions;
    let roots = [
        shared_examples().join("northmoor"),
        shared_examples().join("broken"),
    ];
    let run = |ws: &Workspace| {
        let findings = Engine::new(ws, Options::default()).run();
        let json = icslint::report::json(&findings, &ws.sources);
        (ws.model.blocks.len(), json)
    };
    let lean = Workspace::load(&roots, None).unwrap();
    let kept = Workspace::load_with(
        &roots,
        &LoadOptions {
            keep_syntax: true,
            ..Default::default()
        },
    )
    .unwrap();
    // The trees a check keeps: only those of files with syntax errors.
    let with_tree = |ws: &Workspace| {
        ws.files
            .iter()
            .filter(|f| ws.parsed.get(f).is_some_and(|p| !p.file.blocks.is_empty()))
            .count()
    };
    let broken = lean
        .files
        .iter()
        .filter(|f| lean.parsed.get(f).is_some_and(|p| !p.errors.is_empty()))
        .count();
    assert!(broken > 0, "the broken examples have syntax errors");
    assert!(with_tree(&lean) <= broken && with_tree(&kept) > broken);
    let first = run(&lean);
    assert!(first.0 > 0);
    assert_eq!(first, run(&kept));
    let mut lean = lean;
    lean.relower();
    assert_eq!(first, run(&lean));
}
