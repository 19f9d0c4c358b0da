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
    let spans: Vec<(usize, usize)> = wa.iter().map(|(_, s, e)| (*s, *e)).collect();
    passages_of(a, &spans, &covered)
}

/// Many remits compared pair by pair (CCN124 at national scale: every
/// HWB with every ICP it relates to). [`similarity`] and
/// [`shared_passages`] read both texts' words and index the longer one's
/// passages again for every pair; here each text is read and its
/// [`PASSAGE_WORDS`]-word passages indexed once ([`Remits::add`]), words
/// interned so a passage is five numbers, and a pair costs one look-up per
/// passage of its shorter text ([`Remits::similarity`]). The answers are
/// exactly those of the functions on the two texts.
#[derive(Default)]
pub struct Remits<'t> {
    vocabulary: rustc_hash::FxHashMap<String, u32>,
    texts: Vec<Remit<'t>>,
}

/// One text of [`Remits`]: its words as numbers, where each lies in the
/// text, and the set of its passages.
struct Remit<'t> {
    text: &'t str,
    words: Vec<u32>,
    spans: Vec<(usize, usize)>,
    passages: rustc_hash::FxHashSet<[u32; PASSAGE_WORDS]>,
}

impl<'t> Remits<'t> {
    pub fn new() -> Remits<'t> {
        Remits::default()
    }

    /// Reads a text and indexes its passages; returns its number.
    pub fn add(&mut self, text: &'t str) -> usize {
        let mut ids = Vec::new();
        let mut spans = Vec::new();
        for (w, s, e) in words(text) {
            let next = self.vocabulary.len() as u32;
            ids.push(*self.vocabulary.entry(w).or_insert(next));
            spans.push((s, e));
        }
        let passages = ids.windows(PASSAGE_WORDS).map(passage).collect();
        self.texts.push(Remit {
            text,
            words: ids,
            spans,
            passages,
        });
        self.texts.len() - 1
    }

    /// The number of words of text `a`.
    pub fn words(&self, a: usize) -> usize {
        self.texts[a].words.len()
    }

    /// [`similarity`] of texts `a` and `b`.
    pub fn similarity(&self, a: usize, b: usize) -> f64 {
        let (ra, rb) = (&self.texts[a], &self.texts[b]);
        let (short, long) = if ra.words.len() <= rb.words.len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        if short.words.is_empty() {
            return 0.0;
        }
        let covered = short.coverage(long);
        covered.iter().filter(|c| **c).count() as f64 / short.words.len() as f64
    }

    /// [`shared_passages`] of texts `a` and `b`.
    pub fn shared_passages(&self, a: usize, b: usize) -> Vec<String> {
        let (ra, rb) = (&self.texts[a], &self.texts[b]);
        passages_of(ra.text, &ra.spans, &ra.coverage(rb))
    }
}

fn passage(w: &[u32]) -> [u32; PASSAGE_WORDS] {
    let mut p = [0; PASSAGE_WORDS];
    p.copy_from_slice(w);
    p
}

impl Remit<'_> {
    /// Which words of this text lie in a passage of `other` ([`coverage`]).
    fn coverage(&self, other: &Remit) -> Vec<bool> {
        let n = PASSAGE_WORDS;
        let mut covered = vec![false; self.words.len()];
        if self.words.len() < n || other.words.len() < n {
            return covered;
        }
        for (i, w) in self.words.windows(n).enumerate() {
            if other.passages.contains(&passage(w)) {
                covered[i..i + n].iter_mut().for_each(|c| *c = true);
            }
        }
        covered
    }
}

/// The runs of covered words of `text`, as written, spacing collapsed,
/// longest first, each once.
fn passages_of(text: &str, spans: &[(usize, usize)], covered: &[bool]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < spans.len() {
        if !covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < spans.len() && covered[i] {
            i += 1;
        }
        let text = &text[spans[start].0..spans[i - 1].1];
        out.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// The largest edit distance [`suggest`] accepts for a word: a third of its
/// length, and at least 2.
fn suggest_limit(word_len: usize) -> usize {
    (word_len / 3).max(2)
}

/// The nearest known spelling, if one is close enough to be a likely typo;
/// of equally near ones, the first in alphabetical order (candidates often
/// come from a hash map, whose order changes from run to run, and the
/// language server's re-check of part of a workspace must suggest what a
/// whole check does).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w: Vec<char> = word.chars().collect();
    let mut rows = Rows::default();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        // Equal distance wins only when alphabetically earlier.
        let bound = match best {
            None => suggest_limit(w.len()),
            Some((d, b)) if c < b => d,
            Some((0, _)) => continue,
            Some((d, _)) => d - 1,
        };
        let c_chars: Vec<char> = c.chars().collect();
        if let Some(d) = rows.bounded(&w, &c_chars, bound) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// [`suggest`] for many words against one large set of candidates (the IDs
/// of a workspace, for every reference to an ID that does not exist).
/// Built once; a query looks only at candidates whose length is within the
/// limit, nearest length first, skips in one step those whose characters
/// alone put them out of reach, and stops each edit distance as soon as it
/// exceeds the best found so far. The answer is [`suggest`]'s (ties go to
/// the alphabetically first, whatever the order given).
pub struct Suggester<'a> {
    /// Candidates by length in characters: (characters, the set of
    /// characters as a bit mask, order given, text).
    by_len: Vec<Vec<Candidate<'a>>>,
    /// Work left for every query together (see [`SUGGEST_WORK`]).
    work: std::cell::Cell<u64>,
}

/// The work a [`Suggester`] does over all its queries: a candidate looked
/// at is one unit, a character of one compared another. A workspace of
/// thousands of misspelt references among tens of thousands of IDs that
/// look alike (`a1`..`a19999`) compared every one with every other, for
/// seconds; past this, a reference gets no suggestion (it is still
/// reported). A misspelt reference costs about the number of IDs within
/// its length limit times its length: tens of thousands of units in a
/// national workspace, so hundreds of typos are answered in full.
pub const SUGGEST_WORK: u64 = 100_000_000;

struct Candidate<'a> {
    chars: Box<[char]>,
    mask: u64,
    order: usize,
    text: &'a str,
}

/// The classes of a word's characters as 64 bits (digits, lower- and
/// upper-case ASCII letters and `_` each their own, everything else one
/// class): each class of one word absent from the other costs at least one
/// edit, so the larger count of such classes is a lower bound of the distance.
fn char_mask(chars: &[char]) -> u64 {
    chars.iter().fold(0, |m, &c| {
        let bit = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'a'..='z' => 10 + c as u32 - 'a' as u32,
            'A'..='Z' => 36 + c as u32 - 'A' as u32,
            '_' => 62,
            _ => 63,
        };
        m | 1 << bit
    })
}

impl<'a> Suggester<'a> {
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Suggester<'a> {
        let mut by_len: Vec<Vec<Candidate<'a>>> = Vec::new();
        let mut sorted: Vec<&'a str> = candidates.into_iter().collect();
        sorted.sort_unstable();
        sorted.dedup();
        for (order, text) in sorted.into_iter().enumerate() {
            let chars: Box<[char]> = text.chars().collect();
            if by_len.len() <= chars.len() {
                by_len.resize_with(chars.len() + 1, Vec::new);
            }
            by_len[chars.len()].push(Candidate {
                mask: char_mask(&chars),
                chars,
                order,
                text,
            });
        }
        Suggester {
            by_len,
            work: std::cell::Cell::new(SUGGEST_WORK),
        }
    }

    pub fn suggest(&self, word: &str) -> Option<&'a str> {
        if self.work.get() == 0 {
            return None;
        }
        let w: Vec<char> = word.chars().collect();
        let mask = char_mask(&w);
        let limit = suggest_limit(w.len());
        let mut rows = Rows::default();
        // (distance, order, text) of the best so far.
        let mut best: Option<(usize, usize, &'a str)> = None;
        for delta in 0..=limit {
            // The length difference alone is a lower bound of the distance.
            if best.is_some_and(|(d, _, _)| delta > d) {
                break;
            }
            let lens = [w.len().checked_sub(delta), Some(w.len() + delta)];
            for len in lens
                .into_iter()
                .flatten()
                .take(if delta == 0 { 1 } else { 2 })
            {
                let here = self.by_len.get(len).map_or(&[][..], Vec::as_slice);
                let cost = (here.len() as u64).saturating_mul(1 + w.len() as u64);
                match self.work.get().checked_sub(cost) {
                    Some(left) => self.work.set(left),
                    None => {
                        // Spent: no answer rather than one a full search
                        // might not give.
                        self.work.set(0);
                        return None;
                    }
                }
                for c in here {
                    // Equal distance wins only when alphabetically earlier.
                    let bound = match best {
                        None => limit,
                        Some((d, o, _)) if c.order < o => d,
                        Some((0, _, _)) => continue,
                        Some((d, _, _)) => d - 1,
                    };
                    let missing = (mask & !c.mask)
                        .count_ones()
                        .max((c.mask & !mask).count_ones());
                    if missing as usize > bound {
                        continue;
                    }
                    if let Some(d) = rows.bounded(&w, &c.chars, bound) {
                        best = Some((d, c.order, c.text));
                    }
                }
            }
        }
        best.map(|(_, _, t)| t)
    }
}

/// Two rows of the edit-distance table, kept between calls.
#[derive(Default)]
struct Rows {
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Rows {
    /// The edit distance of `a` and `b` if it is at most `max`: only the
    /// diagonal band of width `2 max + 1` is filled, and the work stops at
    /// the first row whose every cell exceeds `max`.
    fn bounded(&mut self, a: &[char], b: &[char], max: usize) -> Option<usize> {
        let (n, m) = (a.len(), b.len());
        if n.abs_diff(m) > max {
            return None;
        }
        let big = max + 1;
        self.prev.clear();
        self.prev.extend((0..=m).map(|j| j.min(big)));
        self.cur.clear();
        self.cur.resize(m + 1, big);
        for i in 1..=n {
            let (prev, cur) = (&self.prev, &mut self.cur);
            let lo = if i > max { i - max } else { 1 };
            let hi = (i + max).min(m);
            cur[0] = if i <= max { i } else { big };
            let mut row_min = cur[0];
            if lo > 1 {
                cur[lo - 1] = big;
            }
            for j in lo..=hi {
                let v = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                    .min(prev[j] + 1)
                    .min(cur[j - 1] + 1)
                    .min(big);
                cur[j] = v;
                row_min = row_min.min(v);
            }
            if hi < m {
                cur[hi + 1] = big;
            }
            if row_min > max {
                return None;
            }
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        let d = self.prev[m];
        (d <= max).then_some(d)
    }
}

/// The full edit distance (insertions, deletions, substitutions of characters).
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

    /// The first implementation: every candidate's full distance.
    fn suggest_reference<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let limit = (word.chars().count() / 3).max(2);
        candidates
            .iter()
            .map(|c| (levenshtein(word, c), *c))
            .filter(|(d, _)| *d <= limit)
            .min()
            .map(|(_, c)| c)
    }

    /// Words of a small alphabet (so that many are near one another), from
    /// a fixed seed.
    fn words(seed: u64, n: usize) -> Vec<String> {
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..n)
            .map(|_| {
                let len = (next() % 12) as usize;
                (0..len)
                    .map(|_| ['a', 'b', 'c', '_', '1', 'é'][(next() % 6) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_bounded_distance_is_the_distance_or_nothing() {
        let ws = words(7, 300);
        let mut rows = Rows::default();
        for a in &ws[..60] {
            for b in &ws {
                let full = levenshtein(a, b);
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for max in 0..6 {
                    let got = rows.bounded(&ac, &bc, max);
                    assert_eq!(got, (full <= max).then_some(full), "{a:?} {b:?} max {max}");
                }
            }
        }
    }

    #[test]
    fn suggestions_are_those_of_the_full_distance() {
        let candidates = words(3, 400);
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        let index = Suggester::new(refs.iter().copied());
        for w in words(5, 300) {
            let want = suggest_reference(&w, &refs);
            assert_eq!(suggest(&w, refs.iter().copied()), want, "{w:?}");
            assert_eq!(index.suggest(&w), want, "{w:?}");
        }
        assert_eq!(Suggester::new([]).suggest("abc"), None);
        // Of two equally near, the alphabetically first, in either order.
        assert_eq!(
            Suggester::new(["hwb_b", "hwb_a"]).suggest("hwb_c"),
            Some("hwb_a")
        );
        assert_eq!(
            Suggester::new(["hwb_a", "hwb_b"]).suggest("hwb_c"),
            Some("hwb_a")
        );
    }

    #[test]
    fn a_tie_suggests_the_same_word_whatever_the_order() {
        let a = ["portmouth_2", "portmouth_1", "riverbend"];
        let b = ["riverbend", "portmouth_1", "portmouth_2"];
        assert_eq!(suggest("portmouth", a), Some("portmouth_1"));
        assert_eq!(suggest("portmouth", b), Some("portmouth_1"));
    }

    const HWB: &str = "The Board assesses the health and wellbeing needs of the population, \
        sets the strategic direction for health and care, agrees the strategy for improving \
        health and wellbeing and reducing inequalities, and holds partners to account.";

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

    /// Remits of a small vocabulary (so five-word passages recur), with
    /// case, punctuation and spacing varied, from a fixed seed.
    fn remits(seed: u64, n: usize) -> Vec<String> {
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // Phrases that recur from remit to remit, and words that break them.
        let phrases = [
            "the board assesses the health and wellbeing needs",
            "agrees the joint Strategy, for care;",
            "it's the Better Care fund plan",
            "needs assessment. Ève — the board",
            "health and wellbeing",
        ];
        let words = ["the", "board", "and", "plan", "Ève", "—", "care,"];
        (0..n)
            .map(|_| {
                let len = (next() % 12) as usize;
                let mut t = String::new();
                for _ in 0..len {
                    let w = if next() % 3 == 0 {
                        words[(next() % 7) as usize]
                    } else {
                        phrases[(next() % 5) as usize]
                    };
                    t.push_str(if next() % 4 == 0 { "  " } else { " " });
                    if next() % 5 == 0 {
                        t.push_str(&w.to_uppercase());
                    } else {
                        t.push_str(w);
                    }
                }
                t
            })
            .collect()
    }

    #[test]
    fn indexed_remits_score_as_the_pairwise_comparison() {
        let texts = remits(11, 120);
        let mut index = Remits::new();
        let ids: Vec<usize> = texts.iter().map(|t| index.add(t)).collect();
        let mut shared = 0;
        for (a, ta) in ids.iter().zip(&texts) {
            for (b, tb) in ids.iter().zip(&texts) {
                let want = similarity(ta, tb);
                assert_eq!(
                    index.similarity(*a, *b).to_bits(),
                    want.to_bits(),
                    "{ta:?} {tb:?}"
                );
                assert_eq!(
                    index.shared_passages(*a, *b),
                    shared_passages(ta, tb),
                    "{ta:?} {tb:?}"
                );
                shared += usize::from(want > 0.0 && want < 1.0);
            }
        }
        // The random remits share some wording, not all or none.
        assert!(shared > 1000, "{shared}");
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

    #[test]
    fn a_suggester_stops_when_its_work_is_spent() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("a{i}")).collect();
        let near = Suggester::new(ids.iter().map(String::as_str));
        // While work is left, the answer is `suggest`'s.
        assert_eq!(
            near.suggest("a123x"),
            suggest("a123x", ids.iter().map(String::as_str))
        );
        let mut answered = 1;
        while near.suggest(&format!("a{answered}x")).is_some() {
            answered += 1;
            assert!(answered < 20_000, "never spent");
        }
        assert!(answered > 100, "{answered}");
        assert_eq!(near.suggest("a1x"), None);
    }
}
