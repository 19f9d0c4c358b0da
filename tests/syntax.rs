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
