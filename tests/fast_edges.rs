//! The hand-written reader in front of the grammar (syntax::fast) against
//! pest on odd but sound texts: line ends, a BOM, explain and document
//! blocks, unicode and escapes in strings, deep nesting.

use icslint::syntax::assert_fast_reader_agrees;

#[test]
fn the_fast_reader_builds_the_grammars_tree_on_odd_texts() {
    let bodies = [
        "explain CCN161 \"x\" { approved_by @a; agreed 2025-01-01 }\n",
        "system s \"S\" { regime 2022 }\nicb a \"A\" { system @s\n explain ICG001 \"x\" { approved_by [@a, @b]; agreed [2025-01-01]; agreed 2024-01-01; review 2020-01-01 } }\n",
        "document \"Doc ü 文書 \\\"q\\\" \\\\ <&>\" { version \"1\" }\nicb a \"A\" { clause \"4.1 ü\"; agenda { strategic_share 40% } }\n",
        "document {}\ndocument x \"B\" { document \"C\" {} }\n",
        "icb a \"A\" {\n explain CCN161 \"\"\"\n  multi\n  line\n \"\"\" { approved_by @a; agreed 2025-06-01 }\n}\n",
        "icb a \"A\" { explain CCN161 \"x\" { approved_by @a; agreed 2025-06-01; review 2025-01-01 } explain CCN161 \"y\" { explain CCN161 \"z\" {} } }\n",
        "icb a \"A\" { x 1; y -2.5; z 50%; w £1.2m; v 12 months; u [a, b,]; t yes }\n",
        "icb a \"A\" { s \"tab\\there \\u{1F600} \u{1} \u{7f} \u{202e}\" }\n",
        "# only a comment",
        "",
        "icb a \"A\" {} # trailing",
    ];
    let mut texts: Vec<String> = Vec::new();
    for b in bodies {
        texts.push(b.to_string());
        texts.push(b.replace('\n', "\r\n"));
        texts.push(b.replace('\n', "\r"));
        texts.push(format!("\u{feff}{b}"));
        texts.push(b.replace('\n', " \t\n\n"));
    }
    let deep = format!(
        "icb a \"A\" {{ {}{} }}\n",
        "committee c \"C\" { ".repeat(200),
        "} ".repeat(200)
    );
    texts.push(deep);
    for t in &texts {
        assert_fast_reader_agrees(t);
    }
}
