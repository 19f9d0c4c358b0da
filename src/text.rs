//! Text utilities every layer shares: lists in words, spelling suggestions,
//! and the word-level similarity of two remits (CCN124 and the check
//! language's `similarity`).
//! Depends on nothing else in the crate.

use std::collections::HashSet;

/// "A, B and C".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A whole number as people write it: 1,300,000.
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// The shortest passage, in words, that counts as shared wording.
pub const PASSAGE_WORDS: usize = 5;

/// The words of a text, case-folded, without punctuation or spacing: the
/// unit of comparison. `word` spans are byte ranges into the original text,
/// so shared passages can be shown as the author wrote them.
fn words(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let is_word = |c: char| c.is_alphanumeric() || c == '\'' || c == '’';
    for (i, c) in text.char_indices() {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                push_word(&mut out, text, s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push_word(&mut out, text, s, text.len());
    }
    out
}

fn push_word(out: &mut Vec<(String, usize, usize)>, text: &str, s: usize, e: usize) {
    let w: String = text[s..e]
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if !w.is_empty() {
        out.push((w, s, e));
    }
}

/// How much of two texts is the same wording, 0–1: the share of the
/// shorter text's words that lie in passages of at least
/// [`PASSAGE_WORDS`] consecutive words also found, in the same order, somewhere
/// in the other text. Case, punctuation and spacing are ignored and never
/// count as shared; reordered sentences still count; texts with no word in
/// common score 0.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if short.is_empty() {
        return 0.0;
    }
    let covered = coverage(short, long);
    covered.iter().filter(|c| **c).count() as f64 / short.len() as f64
}

/// Which words of `short` lie in a shared passage of `long`.
fn coverage(short: &[(String, usize, usize)], long: &[(String, usize, usize)]) -> Vec<bool> {
    let n = PASSAGE_WORDS;
    let mut covered = vec![false; short.len()];
    if short.len() < n || long.len() < n {
        return covered;
    }
    let grams: HashSet<Vec<&str>> = long
        .windows(n)
        .map(|w| w.iter().map(|(s, _, _)| s.as_str()).collect())
        .collect();
    for (i, w) in short.windows(n).enumerate() {
        let key: Vec<&str> = w.iter().map(|(s, _, _)| s.as_str()).collect();
        if grams.contains(&key) {
            covered[i..i + n].iter_mut().for_each(|c| *c = true);
        }
    }
    covered
}

/// The passages of `a` (as written, spacing collapsed) that are shared with
/// `b` in the sense of [`similarity`], longest first.
pub fn shared_passages(a: &str, b: &str) -> Vec<String> {
    let (wa, wb) = (words(a), words(b));
    let covered = coverage(&wa, &wb);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < wa.len() {
        if !covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < wa.len() && covered[i] {
            i += 1;
        }
        let text = &a[wa[start].1..wa[i - 1].2];
        out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// The nearest known spelling, if one is close enough to be a likely typo;
/// of equally near ones, the first in alphabetical order (candidates often
/// come from a hash map, whose order changes from run to run).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const HWB: &str = "The Board assesses the health and wellbeing needs of the population, \
        sets the strategic direction for health and care, agrees the strategy for improving \
        health and wellbeing and reducing inequalities, and holds partners to account.";

    #[test]
    fn a_tie_suggests_the_same_word_whatever_the_order() {
        let a = ["portmouth_2", "portmouth_1", "riverbend"];
        let b = ["riverbend", "portmouth_1", "portmouth_2"];
        assert_eq!(suggest("portmouth", a), Some("portmouth_1"));
        assert_eq!(suggest("portmouth", b), Some("portmouth_1"));
    }

    #[test]
    fn identical_texts_score_one() {
        assert_eq!(similarity(HWB, HWB), 1.0);
        assert_eq!(similarity(HWB, &HWB.to_uppercase().replace(',', " ;")), 1.0);
    }

    #[test]
    fn texts_with_no_word_in_common_score_zero() {
        // Spacing between words is never shared text.
        assert_eq!(
            similarity(
                "alpha bravo charlie delta echo foxtrot",
                "golf hotel india juliet kilo lima"
            ),
            0.0
        );
    }

    #[test]
    fn reordered_sentences_still_count() {
        let a = "The board owns the joint strategic needs assessment. It signs off the Better Care Fund plan every year.";
        let b = "It signs off the Better Care Fund plan every year. The board owns the joint strategic needs assessment.";
        assert_eq!(similarity(a, b), 1.0);
    }

    #[test]
    fn a_short_run_of_common_words_is_not_a_shared_passage() {
        // Four words in common ("health and wellbeing board") is vocabulary, not copying.
        let a = "The health and wellbeing board leads prevention for children.";
        let b = "Members of our health and wellbeing board attend quarterly.";
        assert_eq!(similarity(a, b), 0.0);
    }

    #[test]
    fn shared_passages_are_shown_as_written() {
        let a = "We agree: the strategy for improving health and wellbeing, then more.";
        let b = "They adopt the strategy for improving health and wellbeing together.";
        assert_eq!(
            shared_passages(a, b),
            vec!["the strategy for improving health and wellbeing"]
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(1_300_000.0), "1,300,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1_000.0), "-1,000");
    }

    #[test]
    fn and_list_reads_as_english() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&v(&[])), "");
        assert_eq!(and_list(&v(&["A"])), "A");
        assert_eq!(and_list(&v(&["A", "B", "C"])), "A, B and C");
    }
}
