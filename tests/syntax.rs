//! Parser tests over a readable AST dump, and syntax errors in plain words.

use icslint::syntax::{dump, parse};

#[test]
fn every_value_type_parses_to_a_readable_tree() {
    let text = r#"# a comment
icb x "NHS X ICB" {
    version "1.\"4\""; population 1_503_000
    share @hwe 21%
    change -8%
    budget £1.2bn
    limit £500k
    when 2023-04-01
    period 2023-04-01 to 2028-03-31
    review every 12 months
    horizon 3 years
    flag yes
    words [jsna, jhws,
           bcf_plan,]
    refs [@a, @b]
    remit """two
lines"""
    member "Chair" { role chair }
}
"#;
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let expected = "Block icb @12..386 id=x name=\"NHS X ICB\"
  Attr version @36..53: Str(\"1.\\\"4\\\"\")
  Attr population @55..75: Number(1503000)
  Attr share @80..94: Ref(@hwe) Percent(21)
  Attr change @99..109: Percent(-8)
  Attr budget @114..128: Money(£1200000000)
  Attr limit @133..145: Money(£500000)
  Attr when @150..165: Date(2023-04-01)
  Attr period @170..201: Range(2023-04-01 to 2028-03-31)
  Attr review @206..228: Every(12 months)
  Attr horizon @233..248: Duration(3 years)
  Attr flag @253..261: Word(yes)
  Attr words @266..306: List[Word(jsna), Word(jhws), Word(bcf_plan)]
  Attr refs @311..324: List[Ref(@a), Ref(@b)]
  Attr remit @329..350: Text(9 chars)
  Block member
";
    // Spans of nested blocks are checked separately; compare the rest.
    let got = dump(&p.file);
    let norm = |s: &str| {
        s.lines()
            .map(|l| {
                if l.trim_start().starts_with("Block member") {
                    "  Block member".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(norm(&got)[..15], norm(expected)[..15], "{got}");
    assert!(got.contains("name=\"Chair\""));
    assert!(got.contains("Attr role"));
    assert_eq!(p.comments.len(), 1);
    assert!(p.comments[0].own_line);
}

fn error_of(text: &str) -> (String, usize) {
    let p = parse(text);
    assert_eq!(p.errors.len(), 1, "{text:?}: {:?}", p.errors);
    (p.errors[0].message.clone(), p.errors[0].span.start)
}

#[test]
fn syntax_errors_say_what_was_expected_and_where() {
    let (m, at) = error_of("icp p \"P\" {\n    remit \"\"\"never closed\n}\n");
    assert_eq!((m.as_str(), at), ("this text is never closed", 22));
    let (m, at) = error_of("icb x \"X\" {\n    version \"1.4\n}\n");
    assert_eq!((m.as_str(), at), ("this string is never closed", 24));
    let (m, _) = error_of("icb x \"X\" {\n    role = chair\n}\n");
    assert!(m.contains("a value, found `=`"), "{m}");
    // An unclosed block points at its opening brace, not at the end of the file.
    let (m, at) = error_of("icb x \"X\" {\n    member \"A\" { role chair }\n    role chair\n");
    assert_eq!((m.as_str(), at), ("this block is never closed", 10));
    let (m, at) = error_of("icb x \"X\" {\n}\n}\n");
    assert_eq!((m.as_str(), at), ("this `}` closes nothing", 14));
    let (m, at) = error_of("icb x \"X\" {\n    disqualify [a, b\n}\n");
    assert_eq!(
        (m.as_str(), at),
        ("this list is never closed: a `}` comes before its `]`", 27)
    );
    let (m, at) = error_of("# a comment { with a brace\nregime 2022\n");
    assert_eq!((m.as_str(), at), ("`regime 2022` is outside any block", 27));
    let (m, _) = error_of("ICB x \"X\" {}\n");
    assert!(m.starts_with("expected a block, like `icb my_id"), "{m}");
    let p = parse("ICB x \"X\" {}\n");
    assert_eq!(p.errors[0].span.start, 0);
    assert!(
        p.errors[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("lower case"),
        "{:?}",
        p.errors
    );
    let p = parse("icb x \"X\" { disqualify [a, b\n}\n");
    assert_eq!(p.errors.len(), 1);
}

#[test]
fn comments_are_not_found_inside_strings() {
    let p =
        parse("icb x \"X # not a comment\" {\n    remit \"\"\"# nor this\"\"\" # but this\n}\n");
    assert!(p.errors.is_empty());
    assert_eq!(p.comments.len(), 1);
    assert!(!p.comments[0].own_line);
}

/// The kinds and IDs of the top-level blocks, and of their children.
fn outline(p: &icslint::syntax::Parsed) -> Vec<String> {
    let mut out = Vec::new();
    for b in &p.file.blocks {
        let id = b.id.as_ref().map_or("", |i| i.text.as_str());
        let attrs: Vec<&str> = b.attrs.iter().map(|a| a.key.text.as_str()).collect();
        let kids: Vec<&str> = b.children.iter().map(|c| c.kind.text.as_str()).collect();
        out.push(format!(
            "{} {id} [{}] [{}]",
            b.kind.text,
            attrs.join(" "),
            kids.join(" ")
        ));
    }
    out
}

#[test]
fn every_syntax_error_is_reported_and_every_sound_block_kept() {
    let text = "system s \"S\" { regime 2022 }
icb i \"NHS S ICB\" {
    system @s
    role = chair
    member \"A\" { role chair; post = x }
    member %chair { role chair }
    disqualify [a, b
    membership_review every 12 months
}
regime 2022
icb j \"J\" {
    version \"1.4
    remit \"\"\"never
    membership_review every 12 months
}
}
ICB k \"K\" {}
icb l \"L\" {
    system @s
";
    let p = parse(text);
    let got: Vec<(&str, &str)> = p
        .errors
        .iter()
        .map(|e| (&text[e.span.start..e.span.end], e.message.as_str()))
        .collect();
    let at = |line: usize| text.lines().nth(line - 1).unwrap().trim();
    assert_eq!(
        got.iter().map(|g| g.1).collect::<Vec<_>>(),
        [
            "expected an ID or a value, found `=`",
            "expected an ID or a value, found `=`",
            "expected an ID or a value, found `%chair`",
            "this list is never closed: a `}` comes before its `]`",
            "`regime 2022` is outside any block",
            "this string is never closed",
            "this text is never closed",
            "this `}` closes nothing",
            "expected a block, like `icb my_id \"Name\" { ... }`, found `ICB`",
            "this block is never closed",
        ],
        "{:#?}",
        p.errors
    );
    // Each error says what it left out, and that is exactly the statement.
    let lost: Vec<Option<&str>> = p
        .errors
        .iter()
        .map(|e| e.unchecked.map(|s| &text[s.start..s.end]))
        .collect();
    assert_eq!(
        lost,
        [
            Some(at(4)),
            Some("post = x"),
            Some(at(6)),
            Some("disqualify [a, b\n    membership_review every 12 months"),
            Some(at(10)),
            Some(at(12)),
            Some(at(13)),
            None,
            Some(at(17)),
            Some("icb l \"L\" {\n    system @s"),
        ]
    );
    let help = |i: usize| p.errors[i].help.clone().unwrap_or_default();
    assert!(help(0).ends_with("until this is fixed, the `role` line is not checked"));
    assert!(
        help(2).ends_with("the `member` block is not checked"),
        "{}",
        help(2)
    );
    assert!(
        help(3).ends_with("the `disqualify` list is not checked"),
        "{}",
        help(3)
    );
    assert!(
        help(9).ends_with("the rest of the file, from `icb` on, is not checked"),
        "{}",
        help(9)
    );
    assert_eq!(
        outline(&p),
        [
            "system s [regime] []",
            "icb i [system] [member]",
            "icb j [membership_review] []",
        ]
    );
    // The member block kept its sound attribute.
    assert_eq!(p.file.blocks[1].children[0].attrs.len(), 1);
}

#[test]
fn a_stray_closing_brace_loses_nothing() {
    let text = "hwb h \"H\" {\n    system @s\n    functions [jsna]\n}\n}\n";
    let p = parse(text);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].message, "this `}` closes nothing");
    assert_eq!(p.errors[0].unchecked, None);
    assert_eq!(outline(&p), ["hwb h [system functions] []"]);
    // Spans in later blocks are offsets into the whole file.
    let p = parse("hwb h \"H\" {\n}\n}\nicb i \"I\" { role = x; system @s }\n");
    assert_eq!(outline(&p), ["hwb h [] []", "icb i [system] []"]);
    let sys = &p.file.blocks[1].attrs[0];
    assert_eq!(
        &"hwb h \"H\" {\n}\n}\nicb i \"I\" { role = x; system @s }\n"[sys.span.start..sys.span.end],
        "system @s"
    );
    assert_eq!(sys.span.start, 38);
}

#[test]
fn too_deep_a_block_is_one_error_and_the_others_are_kept() {
    let n = 10_000;
    let text = format!(
        "system a \"A\" {{ regime 2022 }}\nsystem deep \"Deep\" {{\n{}{}}}\nsystem b \"B\" {{ regime 2022 }}\n",
        "member {\n".repeat(n),
        "}\n".repeat(n)
    );
    let p = parse(&text);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert!(p.errors[0].message.starts_with("nested too deeply"));
    let lost = p.errors[0].unchecked.unwrap();
    assert!(text[lost.start..lost.end].starts_with("system deep"));
    assert!(text[lost.start..lost.end].ends_with('}'));
    assert_eq!(
        outline(&p),
        ["system a [regime] []", "system b [regime] []"]
    );
}

#[test]
fn recovery_is_bounded_in_one_block() {
    // Thousands of bad lines in one block: a bounded number of attempts,
    // then the block is given up, and the next block is still read.
    let text = format!(
        "icb i \"I\" {{\n{}}}\nsystem s \"S\" {{ regime 2022 }}\n",
        "    role = chair\n".repeat(5_000)
    );
    let p = parse(&text);
    assert!(
        p.errors.len() > 30 && p.errors.len() < 40,
        "{}",
        p.errors.len()
    );
    let last = p.errors.last().unwrap();
    assert!(
        last.help
            .as_deref()
            .unwrap_or("")
            .ends_with("the `icb i` block is not checked"),
        "{last:?}"
    );
    assert_eq!(outline(&p), ["system s [regime] []"]);
    // Unterminated strings on every line are found in one pass.
    let text = format!(
        "icb i \"I\" {{\n{}    system @s\n}}\n",
        "    version \"1.4\n".repeat(5_000)
    );
    let p = parse(&text);
    assert_eq!(p.errors.len(), 5_000);
    assert_eq!(outline(&p), ["icb i [system] []"]);
}

#[test]
fn carriage_returns_alone_end_lines() {
    // Old Mac line endings: comments end at `\r`, and recovery finds lines.
    let text = "# note {\ricb i \"I\" {\r    role = chair\r    system @s # and {\r}\r";
    let p = parse(text);
    assert_eq!(p.comments.len(), 2);
    assert_eq!(
        &text[p.comments[0].span.start..p.comments[0].span.end],
        "# note {"
    );
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    let lost = p.errors[0].unchecked.unwrap();
    assert_eq!(&text[lost.start..lost.end], "role = chair");
    assert_eq!(outline(&p), ["icb i [system] []"]);
}

#[test]
fn numeric_values_are_read_once_and_mean_what_they_did() {
    // Numbers, percentages and durations share one rule, dates and ranges
    // another; each form still gives its own kind of value.
    let text = "icb x \"X\" {\n  a 1_503_000\n  b -2.5\n  c 21%\n  d -8.5%\n  e 3 years\n  f 1\tday\n  g 2023-04-01\n  h 2023-04-01 to 2028-03-31\n  i 2023-04-01\tto2028-03-31\n  j [1 week, 5%, 2024-01-01 to 2024-02-01, 7]\n  k every 2 weeks\n  l 2022\n  m 12 monthly\n}\n";
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let got = dump(&p.file);
    let want = "Block icb @0..236 id=x name=\"X\"
  Attr a @14..25: Number(1503000)
  Attr b @28..34: Number(-2.5)
  Attr c @37..42: Percent(21)
  Attr d @45..52: Percent(-8.5)
  Attr e @55..64: Duration(3 years)
  Attr f @67..74: Duration(1 day)
  Attr g @77..89: Date(2023-04-01)
  Attr h @92..118: Range(2023-04-01 to 2028-03-31)
  Attr i @121..146: Range(2023-04-01 to 2028-03-31)
  Attr j @149..192: List[Duration(1 week), Percent(5), Range(2024-01-01 to 2024-02-01), Number(7)]
  Attr k @195..210: Every(2 weeks)
  Attr l @213..219: Number(2022)
  Attr m @222..234: Number(12) Word(monthly)
";
    assert_eq!(got, want);
    // A number glued to letters is still an error at the number.
    let p = parse("icb x \"X\" {\n  a 12abc\n}\n");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].span.start, 16, "{:?}", p.errors);
}

/// Every `.icg` under `dir`, recursively.
fn icg_texts(dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            icg_texts(&p, out);
        } else if p.extension().is_some_and(|x| x == "icg") {
            if let Ok(t) = std::fs::read_to_string(&p) {
                out.push(t);
            }
        }
    }
}

/// A large file is parsed a run of top-level blocks at a time, so that its
/// whole tree never exists at once; put together, the pieces must be the
/// file's parse, errors, comments and recovery included.
#[test]
fn a_file_parsed_in_pieces_is_the_same_parse() {
    use icslint::syntax::parse_in_pieces;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in ["examples", "tests/shared", "tests/fixtures"] {
        icg_texts(&root.join(dir), &mut texts);
    }
    assert!(texts.len() > 50, "found only {} example files", texts.len());
    let sound: Vec<&String> = texts
        .iter()
        .filter(|t| parse(t).errors.is_empty())
        .collect();
    assert!(
        sound.len() > 30,
        "found only {} sound example files",
        sound.len()
    );
    let all: String = sound.into_iter().map(String::as_str).collect();
    let mid = all.len() / 2 + all[all.len() / 2..].find("\n  ").unwrap();
    let broken_late = format!("{}\n  = stray\n{}", &all[..mid], &all[mid..]);
    // After a top-level block's `}`: where a later piece would start.
    let top_end = mid + all[mid..].find("\n}\n").unwrap() + 2;
    for bom in ["\u{feff}", " \u{feff}", "\n \u{feff}", "\n\u{feff}"] {
        texts.push(format!("{}{bom}{}", &all[..top_end], &all[top_end..]));
    }
    texts.extend([all.clone(), all.replace('\n', "\r\n"), broken_late]);
    texts.push(format!("{all}# a comment at the end, no line end"));
    let mut pieces_of_all = 0;
    for text in &texts {
        let whole = parse(text);
        for size in [1, 300, 4096, 64 * 1024, usize::MAX] {
            let mut pieces = Vec::new();
            parse_in_pieces(text, size, |p| pieces.push(p));
            if text == &all && size == 4096 {
                pieces_of_all = pieces.len();
            }
            let mut joined = pieces.remove(0);
            assert!(pieces.iter().all(|p| p.comments.is_empty()));
            for p in pieces {
                joined.append(p);
            }
            assert_eq!(
                joined.file, whole.file,
                "blocks differ in pieces of {size} bytes"
            );
            assert_eq!(joined.comments, whole.comments);
            assert_eq!(
                joined.errors, whole.errors,
                "errors differ in pieces of {size} bytes"
            );
        }
    }
    // The examples put together come in many pieces, not one.
    assert!(
        pieces_of_all > all.len() / 8192,
        "{} bytes came in {pieces_of_all} pieces",
        all.len()
    );
}

/// A share's days (`from DATE`, `until DATE`, both in either order) are
/// words and dates after its percentage, each with its own span, so a
/// malformed period can be pointed at; the fast reader reads them as the
/// grammar does.
#[test]
fn a_share_states_its_days_as_words_and_dates_with_spans() {
    let text = "authority a \"A\" {\n    share @old 56% until 2026-03-31\n    share @new 100% from 2026-04-01\n    share @mid 10%  from 2025-04-01   until 2026-03-31\n    share @bad 10% until\n}\n";
    icslint::syntax::assert_fast_reader_agrees(text);
    let p = parse(text);
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let got = dump(&p.file);
    for line in [
        "Attr share @22..53: Ref(@old) Percent(56) Word(until) Date(2026-03-31)",
        "Attr share @58..89: Ref(@new) Percent(100) Word(from) Date(2026-04-01)",
        "Attr share @94..144: Ref(@mid) Percent(10) Word(from) Date(2025-04-01) Word(until) Date(2026-03-31)",
        "Attr share @149..169: Ref(@bad) Percent(10) Word(until)",
    ] {
        assert!(got.contains(line), "{line} not in\n{got}");
    }
    let attrs = &p.file.blocks[0].attrs;
    let until = &attrs[0].values[2];
    assert_eq!(&text[until.span.start..until.span.end], "until");
    let day = &attrs[2].values[5];
    assert_eq!(&text[day.span.start..day.span.end], "2026-03-31");
}
