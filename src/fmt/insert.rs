//! Where a new line goes in a block, in the canonical layout: the edit a
//! rule's fix makes (`fix: { insert: ..., into: self }`).

use super::INDENT;
use crate::source::Span;

/// The edit (a span to replace and its new text) that adds `line` to the
/// block spanning `block` in `text`: replacing the attribute at `replace`
/// when there is one (the same key, written again), else as the block's
/// last line, indented one level deeper than the block, with the file's
/// line ending. A block written on one line gets `; line` before its `}`.
pub fn insert_into_block(
    text: &str,
    block: Span,
    replace: Option<Span>,
    line: &str,
) -> (Span, String) {
    let line = line.trim();
    if let Some(at) = replace {
        return (at, line.to_string());
    }
    let close = block.end.saturating_sub(1).max(block.start);
    let inside = &text[block.start..close];
    if !inside.contains('\n') {
        // One line: `member "X" { role chair }` or `conflicts {}`.
        let before = inside.trim_end();
        let at = block.start + before.len();
        return match before.chars().last() {
            Some('{') => (Span::new(at, close), format!(" {line} ")),
            Some(';') => (Span::new(at, at), format!(" {line}")),
            _ => (Span::new(at, at), format!("; {line}")),
        };
    }
    // The line ending of the block's first line: looking at the whole file
    // for each fix made the fixes of one large file quadratic.
    let first_end = block.start + inside.find('\n').unwrap_or(0);
    let nl = if text[..first_end].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    let header_line = text[..block.start].rfind('\n').map_or(0, |n| n + 1);
    let outer: String = text[header_line..block.start]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let inner = format!("{outer}{}", " ".repeat(INDENT));
    let body: String = line
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{inner}{l}")
            } else {
                format!("{nl}{inner}{l}")
            }
        })
        .collect();
    let close_line = text[..close].rfind('\n').map_or(0, |n| n + 1);
    if text[close_line..close].trim().is_empty() {
        (Span::new(close_line, close_line), format!("{body}{nl}"))
    } else {
        // `    last 1 }`: the `}` goes on a line of its own.
        (Span::new(close, close), format!("{nl}{body}{nl}{outer}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, block: &str, replace: Option<&str>, line: &str) -> String {
        let start = text.find(block).unwrap();
        let span = Span::new(start, start + block.len());
        let replace = replace.map(|r| {
            let s = text.find(r).unwrap();
            Span::new(s, s + r.len())
        });
        let (at, new) = insert_into_block(text, span, replace, line);
        format!("{}{}{}", &text[..at.start], new, &text[at.end..])
    }

    #[test]
    fn a_line_goes_last_in_the_block_at_its_indentation() {
        let text =
            "icb i \"I\" {\n    system @s\n    conflicts {\n        register yes\n    }\n}\n";
        assert_eq!(
            apply(text, &text[..text.len() - 1], None, "membership_review every 12 months"),
            "icb i \"I\" {\n    system @s\n    conflicts {\n        register yes\n    }\n    membership_review every 12 months\n}\n"
        );
        let inner = "conflicts {\n        register yes\n    }";
        assert_eq!(
            apply(text, inner, None, "la_partner_protocol yes"),
            "icb i \"I\" {\n    system @s\n    conflicts {\n        register yes\n        la_partner_protocol yes\n    }\n}\n"
        );
    }

    #[test]
    fn the_same_key_is_replaced_not_repeated() {
        let text = "icb i \"I\" {\n    membership_review every 24 months\n}\n";
        assert_eq!(
            apply(
                text,
                &text[..text.len() - 1],
                Some("membership_review every 24 months"),
                "membership_review every 12 months"
            ),
            "icb i \"I\" {\n    membership_review every 12 months\n}\n"
        );
    }

    #[test]
    fn one_line_blocks_stay_on_one_line_and_crlf_is_kept() {
        let text = "x {\r\n    member \"M\" { role chair }\r\n    conflicts {}\r\n}\r\n";
        assert_eq!(
            apply(text, "member \"M\" { role chair }", None, "senior yes"),
            "x {\r\n    member \"M\" { role chair; senior yes }\r\n    conflicts {}\r\n}\r\n"
        );
        assert_eq!(
            apply(text, "conflicts {}", None, "register yes"),
            "x {\r\n    member \"M\" { role chair }\r\n    conflicts { register yes }\r\n}\r\n"
        );
        let multi = apply(
            text,
            &text[..text.len() - 2],
            None,
            "agenda { strategic_share 50% }",
        );
        assert!(
            multi.ends_with("    conflicts {}\r\n    agenda { strategic_share 50% }\r\n}\r\n"),
            "{multi:?}"
        );
    }

    #[test]
    fn the_line_ending_is_the_blocks_own_not_searched_for_in_the_file() {
        // A block with `\n` in a file that has `\r\n` elsewhere (after it):
        // its new line ends as its own lines do. The file is not searched,
        // so a large file's fixes stay linear.
        let text = "icb i \"I\" {\n    chair @c\n}\r\nicp p \"P\" {\r\n}\r\n";
        assert_eq!(
            apply(text, "icb i \"I\" {\n    chair @c\n}", None, "membership_review every 12 months"),
            "icb i \"I\" {\n    chair @c\n    membership_review every 12 months\n}\r\nicp p \"P\" {\r\n}\r\n"
        );
    }
}
