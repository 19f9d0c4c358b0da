//! Text from the input, made safe for the place it lands. Names, remits,
//! reasons, titles, URLs, file and folder names, pack messages and
//! provenance are written by whoever wrote the documents, and icslint runs
//! on documents it has no reason to trust: in CI on a stranger's pull
//! request, in an editor on a repository just cloned, in a browser on a
//! board's desk. Each output escapes them for its format here, in one
//! place, rather than each with an escaper of its own:
//!
//! * a terminal or a CI log ([`Guard`], [`terminal`]): control characters
//!   (CSI, OSC 8 links, OSC 52 clipboard writes, C1 controls, a lone
//!   carriage return) and bidirectional overrides are written as escapes
//!   (`\u{1b}`); a line that would start a GitHub Actions workflow command
//!   (`::` after white space) or hold a legacy one (`##[`, or Azure
//!   Pipelines' `##vso[`, anywhere in a line) is broken with
//!   an invisible U+200B, so the runner reads it as text;
//! * Markdown ([`markdown`], [`code_fence`]): link, image, autolink and HTML
//!   syntax is inert;
//! * XML ([`xml_chars`]): characters XML 1.0 forbids are replaced;
//! * an HTML link ([`web_url`]): only `http` and `https`.
//!
//! This module knows no output format's shape, only the characters that
//! matter to it.

use std::borrow::Cow;
use std::io::{self, Write};

/// A character that must not reach a terminal raw: a control character
/// other than tab, line feed and carriage return (C0, DEL, C1, whose
/// U+009B is a CSI on its own), and the bidirectional marks and overrides
/// that reorder what the reader sees. A carriage return is judged by
/// [`terminal`], which lets one through only before a line feed.
pub fn unsafe_for_terminal(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with each character unsafe for a terminal written as an escape
/// (`\u{1b}`); a carriage return stays only as part of `\r\n`. Borrowed
/// when nothing needed changing (the usual case).
pub fn terminal(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let lone_cr = |i: usize| b[i] == b'\r' && b.get(i + 1) != Some(&b'\n');
    let bad = |(i, c): (usize, char)| {
        if c == '\r' {
            lone_cr(i)
        } else {
            unsafe_for_terminal(c)
        }
    };
    if !text.char_indices().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if bad((i, c)) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` on one line, for a name printed inside a message (a file or
/// folder name may hold a line end): [`terminal`], and tab, line feed and
/// carriage return escaped too.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| matches!(c, '\n' | '\r' | '\t')) {
        return terminal(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '\n' | '\r' | '\t') || unsafe_for_terminal(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The zero-width space that breaks a workflow command: invisible to the
/// reader, not white space to the runner (which trims white space before
/// looking for `::`).
const BREAK: char = '\u{200B}';

/// White space the runner trims from a line's start (.NET's, which is
/// Unicode's), and the invisible formatting characters, to be safe.
fn blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// `line` (one line, its line end included or not) with a GitHub Actions
/// workflow command made inert: `::` at its start (after white space and
/// colour codes) becomes `:` U+200B `:`, and every `##[` (and `##vso[`,
/// Azure Pipelines' logging command, in any case) becomes `##`
/// U+200B `[`. The runner reads `::stop-commands::TOKEN` or `::add-mask::`
/// in any line it logs, however the line came to be there.
pub fn ci_line(line: &str) -> Cow<'_, str> {
    let start = command_start(line);
    let starts = line[start..].starts_with("::");
    if !starts && !has_legacy(line) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 6);
    if starts {
        out.push_str(&line[..start + 1]);
        out.push(BREAK);
        out.push_str(&line[start + 1..]);
    } else {
        out.push_str(line);
    }
    Cow::Owned(break_legacy(&out, "##\u{200B}"))
}

/// Where a legacy command starts: `##[`, or `##vso[` in any case.
fn legacy_at(line: &str) -> impl Iterator<Item = usize> + '_ {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(2)).filter(move |&i| {
        let rest = &b[i + 2..];
        b[i] == b'#'
            && b[i + 1] == b'#'
            && (rest.first() == Some(&b'[')
                || rest
                    .get(..4)
                    .is_some_and(|v| v.eq_ignore_ascii_case(b"vso[")))
    })
}

fn has_legacy(line: &str) -> bool {
    legacy_at(line).next().is_some()
}

/// `line` with the `##` of each legacy command written as `hashes`.
fn break_legacy(line: &str, hashes: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut last = 0;
    for i in legacy_at(line) {
        if i < last {
            continue;
        }
        out.push_str(&line[last..i]);
        out.push_str(hashes);
        last = i + 2;
    }
    out.push_str(&line[last..]);
    out
}

/// Where a line's text starts for the runner: after white space and the
/// colour codes (SGR, `ESC [ ... m`) a coloured report puts first.
fn command_start(line: &str) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&0x1b) && b.get(i + 1) == Some(&b'[') {
            let mut j = i + 2;
            while b
                .get(j)
                .is_some_and(|c| c.is_ascii_digit() || matches!(c, b';' | b':'))
            {
                j += 1;
            }
            if b.get(j) == Some(&b'm') {
                i = j + 1;
                continue;
            }
            return i;
        }
        match line[i..].chars().next() {
            Some(c) if blank(c) => i += c.len_utf8(),
            _ => return i,
        }
    }
}

/// What a [`Guard`] lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Text for a person, on a terminal or in a CI log: controls escaped,
    /// workflow commands broken. With `colour`, the colour codes (SGR) the
    /// report itself writes pass; every text from the input has had its
    /// escape characters written as text before (a raw one left over is
    /// still escaped unless it is exactly a colour code).
    Text { colour: bool },
    /// `--format github`: every line is one of our own workflow commands,
    /// with the input percent-escaped inside it; controls are escaped and
    /// legacy `##[` commands broken.
    Annotations,
    /// JSON: C1 controls, DEL and bidirectional marks (which JSON allows
    /// raw, and serde writes raw) as `\uXXXX`; a legacy `##[` as `#\u0023[`.
    /// These can only be inside strings, where the escapes mean the same.
    Json,
    /// XML: the same characters as character references (a C0 control,
    /// which XML forbids even as a reference, as text: `\u{1}`).
    Xml,
}

/// A writer that makes each line safe for `mode` before it reaches
/// `inner`: the last step of every text output of the command line, so a
/// name that miette's wrapping put at the start of a line is caught too.
/// Lines are handled whole; a partial line waits for its end (or for
/// [`Guard::finish`], or the guard being dropped). Writers that write a
/// little at a time (serde) are best given a buffer in front of it.
pub struct Guard<W: Write> {
    inner: W,
    mode: Mode,
    partial: Vec<u8>,
}

impl<W: Write> Guard<W> {
    pub fn new(inner: W, mode: Mode) -> Guard<W> {
        Guard {
            inner,
            mode,
            partial: Vec::new(),
        }
    }

    /// Writes the last partial line and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line)?;
        }
        self.inner.flush()
    }

    fn line(&mut self, bytes: &[u8]) -> io::Result<()> {
        let text = String::from_utf8_lossy(bytes);
        let clean = clean_line(&text, self.mode);
        self.inner.write_all(clean.as_bytes())
    }
}

/// One line made safe for `mode`.
pub fn clean_line(line: &str, mode: Mode) -> Cow<'_, str> {
    match mode {
        Mode::Text { colour } => {
            let controls = controls(line, colour);
            match ci_line(&controls) {
                Cow::Borrowed(_) => controls,
                Cow::Owned(s) => Cow::Owned(s),
            }
        }
        Mode::Annotations => {
            let controls = controls(line, false);
            if has_legacy(&controls) {
                Cow::Owned(break_legacy(&controls, "##\u{200B}"))
            } else {
                controls
            }
        }
        Mode::Json | Mode::Xml => {
            let bad = |c: char| unsafe_for_terminal(c) || (mode == Mode::Xml && !xml_char(c));
            if !line.chars().any(bad) && !has_legacy(line) {
                return Cow::Borrowed(line);
            }
            let mut out = String::with_capacity(line.len() + 16);
            for c in line.chars() {
                if bad(c) {
                    out.push_str(&if mode == Mode::Json {
                        format!("\\u{:04x}", c as u32)
                    } else if xml_char(c) {
                        format!("&#x{:X};", c as u32)
                    } else {
                        // Not even a reference is allowed: as text.
                        c.escape_unicode().to_string()
                    });
                } else {
                    out.push(c);
                }
            }
            let legacy = if mode == Mode::Json {
                "#\\u0023"
            } else {
                "#&#x23;"
            };
            Cow::Owned(break_legacy(&out, legacy))
        }
    }
}

/// [`terminal`] for one line of output: a carriage return before the
/// line's end stays, and with `colour` an exact colour code passes.
fn controls(line: &str, colour: bool) -> Cow<'_, str> {
    if !colour || !line.contains('\x1b') {
        return terminal(line);
    }
    let mut out = String::with_capacity(line.len() + 16);
    let mut rest = line;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&terminal(&rest[..i]));
        let b = rest.as_bytes();
        let mut j = i + 1;
        if b.get(j) == Some(&b'[') {
            j += 1;
            while b
                .get(j)
                .is_some_and(|c| c.is_ascii_digit() || matches!(c, b';' | b':'))
            {
                j += 1;
            }
        }
        if j > i + 1 && b.get(j) == Some(&b'm') {
            out.push_str(&rest[i..=j]);
        } else {
            out.push_str("\\u{1b}");
            j = i;
        }
        rest = &rest[j + 1..];
    }
    out.push_str(&terminal(rest));
    Cow::Owned(out)
}

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        if !self.partial.is_empty() {
            let Some(i) = rest.iter().position(|&b| b == b'\n') else {
                self.partial.extend_from_slice(rest);
                return Ok(buf.len());
            };
            let mut whole = std::mem::take(&mut self.partial);
            whole.extend_from_slice(&rest[..=i]);
            if needs_work(&whole, self.mode) {
                self.line(&whole)?;
            } else {
                self.inner.write_all(&whole)?;
            }
            // The buffer is kept for the next partial line.
            whole.clear();
            self.partial = whole;
            rest = &rest[i + 1..];
        }
        // Lines that need nothing (nearly all) go out together, after one
        // pass over their bytes: a line is looked at closely only when it
        // holds a byte that may matter (`MAY_MATTER`), or may start a
        // command.
        let text = matches!(self.mode, Mode::Text { .. });
        let mut clean = 0;
        let mut start = 0;
        let mut suspect = text && starts_suspect(rest);
        for (i, &c) in rest.iter().enumerate() {
            if !MAY_MATTER[c as usize] {
                continue;
            }
            if c != b'\n' {
                suspect = true;
                continue;
            }
            let line = &rest[start..=i];
            if suspect && needs_work(line, self.mode) {
                self.inner.write_all(&rest[clean..start])?;
                self.line(line)?;
                clean = i + 1;
            }
            start = i + 1;
            suspect = text && starts_suspect(&rest[start..]);
        }
        self.inner.write_all(&rest[clean..start])?;
        self.partial.extend_from_slice(&rest[start..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // A partial line is not written before its end: its start decides
        // whether it reads as a command.
        self.inner.flush()
    }
}

/// The bytes [`needs_work`] looks closer at, and the line end.
static MAY_MATTER: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = c != b'\t' as usize;
        c += 1;
    }
    t[0x7f] = true;
    t[b'#' as usize] = true;
    t[0xC2] = true;
    t[0xD8] = true;
    t[0xE2] = true;
    t[0xEF] = true;
    t
};

/// Whether a line starting at `rest` may start a workflow command: after
/// spaces and tabs, `:` or anything but ASCII.
fn starts_suspect(rest: &[u8]) -> bool {
    rest.iter()
        .find(|&&c| c != b' ' && c != b'\t')
        .is_some_and(|&c| c == b':' || c >= 0x80)
}

/// Whether [`clean_line`] could change `line` (its line end included):
/// one pass over the bytes, looking for what any mode changes (a control
/// byte, a C1 control, a bidirectional mark, U+FFFE or U+FFFF, `##`,
/// and, in text, `::` or anything but ASCII white space before the
/// line's text). `false` means `clean_line` returns it unchanged.
fn needs_work(line: &[u8], mode: Mode) -> bool {
    let body = line
        .strip_suffix(b"\r\n")
        .or_else(|| line.strip_suffix(b"\n"))
        .unwrap_or(line);
    if let Mode::Text { .. } = mode {
        let start = body
            .iter()
            .position(|&c| c != b' ' && c != b'\t')
            .unwrap_or(body.len());
        match body.get(start..) {
            Some([b':', b':', ..]) => return true,
            Some([c, ..]) if *c >= 0x80 => return true,
            _ => {}
        }
    }
    let at = |i: usize| body.get(i).copied().unwrap_or(0);
    body.iter().enumerate().any(|(i, &c)| match c {
        0x00..=0x08 | 0x0a..=0x1f | 0x7f => true,
        b'#' => at(i + 1) == b'#',
        0xC2 => (0x80..=0x9F).contains(&at(i + 1)),
        0xD8 => at(i + 1) == 0x9C,
        0xE2 => matches!(
            (at(i + 1), at(i + 2)),
            (0x80, 0x8E | 0x8F | 0xAA..=0xAE) | (0x81, 0xA6..=0xA9)
        ),
        0xEF => at(i + 1) == 0xBF && matches!(at(i + 2), 0xBE | 0xBF),
        _ => false,
    })
}

impl<W: Write> Drop for Guard<W> {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Text from the input for Markdown (the conformance report, hover): one
/// line, and inert. Outside code spans (backtick runs matched as
/// CommonMark matches them: a run closes only at a later run of the same
/// length) `\`, `[`, `]` and `|` are backslash-escaped (no link, image,
/// reference, footnote or table cell can start), and `&`, `<`, `>` are
/// entities (no raw HTML, no autolink, no entity decoded from the input).
/// Emphasis characters are left as written: they change how a word looks,
/// not where a click goes or what a page loads. Code spans are kept (the
/// messages quote ICG in them), with `|` escaped as GFM tables need.
pub fn markdown(s: &str) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    let mut text_from = 0;
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let run = b[i..].iter().take_while(|&&c| c == b'`').count();
        // A closing run of exactly `run` backticks, if any.
        let mut j = i + run;
        let mut close = None;
        while j < b.len() {
            if b[j] == b'`' {
                let n = b[j..].iter().take_while(|&&c| c == b'`').count();
                if n == run {
                    close = Some(j);
                    break;
                }
                j += n;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                markdown_text(&line[text_from..i], &mut out);
                out.push_str(&line[i..j + run].replace('|', "\\|"));
                i = j + run;
                text_from = i;
            }
            None => {
                // A run with no partner is literal text: escaped, so it
                // cannot pair with a backtick that follows us.
                markdown_text(&line[text_from..i], &mut out);
                for _ in 0..run {
                    out.push_str("\\`");
                }
                i += run;
                text_from = i;
            }
        }
    }
    markdown_text(&line[text_from..], &mut out);
    out
}

fn markdown_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// `s` as a Markdown code span, whatever backticks it holds: fenced by a
/// run one longer than its longest.
pub fn code_span(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    // A space each side keeps a backtick at either end of the text inside
    // (CommonMark strips one each side when both are there).
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// `s` as a fenced Markdown code block (` ```text `) that `s` cannot
/// close: the fence is longer than any run of backticks in it.
pub fn code_fence(s: &str) -> String {
    let fence = "`".repeat(longest_run(s, '`').max(2) + 1);
    let mut out = format!("{fence}text\n{s}");
    if !s.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut n = 0;
    for x in s.chars() {
        n = if x == c { n + 1 } else { 0 };
        best = best.max(n);
    }
    best
}

/// A character XML 1.0 allows in a document: not a control character
/// other than tab, line feed and carriage return, not U+FFFE or U+FFFF.
pub fn xml_char(c: char) -> bool {
    !((c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// `s` with each character XML 1.0 forbids (even as a reference) written
/// as an escape (`\u{1b}`): a report with one is read by no XML reader.
pub fn xml_chars(s: &str) -> Cow<'_, str> {
    if s.chars().all(xml_char) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if xml_char(c) {
                    c.to_string()
                } else {
                    c.escape_unicode().to_string()
                }
            })
            .collect(),
    )
}

/// `url` when it is one a report may link to: `http://` or `https://`
/// (any case) after white space and control characters are trimmed, and
/// no white space or control character inside (a browser drops a tab or
/// a line end inside a URL, so `java\tscript:` would be `javascript:`).
/// Anything else (`javascript:`, `data:`, `vbscript:`, a relative path,
/// an entity such as `javascript&#58;`) is `None`, shown as text.
pub fn web_url(url: &str) -> Option<&str> {
    let u = url.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let lower = u.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    let scheme = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !u.chars().any(|c| c.is_whitespace() || c.is_control());
    (scheme && clean && u.len() > "https://".len()).then_some(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_and_lone_carriage_returns() {
        assert_eq!(terminal("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(
            terminal("osc\x1b]52;c;SGVsbG8=\x07"),
            "osc\\u{1b}]52;c;SGVsbG8=\\u{7}"
        );
        assert_eq!(terminal("c1 \u{9b}31m"), "c1 \\u{9b}31m");
        assert_eq!(terminal("over\rwrite"), "over\\u{d}write");
        assert_eq!(terminal("dos\r\nline\n\ttab"), "dos\r\nline\n\ttab");
        assert_eq!(terminal("\u{202E}evil"), "\\u{202e}evil");
        assert!(matches!(terminal("plain £ text"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_name_in_a_message_stays_on_one_line() {
        assert_eq!(
            one_line("x\n::error::y\r\tz\u{1b}[2J.icg"),
            "x\\u{a}::error::y\\u{d}\\u{9}z\\u{1b}[2J.icg"
        );
        assert!(matches!(one_line("plain/path.icg"), Cow::Borrowed(_)));
    }

    #[test]
    fn workflow_commands_cannot_start_a_line() {
        for line in [
            "::error::pwned",
            "   ::add-mask::x\n",
            "\t::stop-commands::tok",
            "\u{a0}\u{3000}::warning::x",
            "\u{feff}::error::x",
            "\x1b[31m::error::x",
        ] {
            let got = ci_line(line);
            let start = command_start(&got);
            assert!(!got[start..].starts_with("::"), "{got:?}");
        }
        assert_eq!(
            ci_line("a ##[error]b ###[c"),
            "a ##\u{200B}[error]b ###\u{200B}[c"
        );
        assert!(!ci_line("x ##[##[y").contains("##["));
        assert!(!ci_line("x ##vso[task.setvariable variable=a]b ##VSO[c")
            .to_lowercase()
            .contains("##vso["));
        assert!(!ci_line("####[x").contains("##["), "{}", ci_line("####[x"));
        assert!(matches!(ci_line("note: a::b"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_guard_handles_lines_split_across_writes() {
        let mut out = Vec::new();
        {
            let mut g = Guard::new(&mut out, Mode::Text { colour: false });
            g.write_all(b"ok\n   :").unwrap();
            g.write_all(b":error::x\x1b[2J\r").unwrap();
            g.write_all(b"\nlast ::").unwrap();
        }
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s, "ok\n   :\u{200B}:error::x\\u{1b}[2J\r\nlast ::");
    }

    /// The fast path never lets through a line `clean_line` would change.
    #[test]
    fn needs_work_is_never_wrong_when_it_says_no() {
        let pieces = [
            "a", " ", "\t", "::", ":", "#", "##", "[", "vso[", "\r", "\n", "\x1b", "\x1b[1m",
            "\u{9b}", "\u{85}", "\u{a0}", "\u{202e}", "\u{2066}", "\u{200e}", "\u{61c}",
            "\u{fffe}", "\u{ffff}", "\u{feff}", "\u{200b}", "£", "\u{7f}", "\u{1}", "\u{3000}",
        ];
        let mut seed = 1u64;
        for _ in 0..50_000 {
            let mut line = String::new();
            for _ in 0..1 + (seed % 6) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                line.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            for mode in [
                Mode::Text { colour: false },
                Mode::Text { colour: true },
                Mode::Annotations,
                Mode::Json,
                Mode::Xml,
            ] {
                for l in line.split_inclusive('\n') {
                    if !needs_work(l.as_bytes(), mode) {
                        assert_eq!(clean_line(l, mode), l, "{l:?} {mode:?}");
                    }
                }
                // Through a guard, in pieces: line by line the same.
                let want: String = line
                    .split_inclusive('\n')
                    .map(|l| clean_line(l, mode))
                    .collect();
                let mut got = Vec::new();
                {
                    let mut g = Guard::new(&mut got, mode);
                    let cut = (seed as usize >> 7) % (line.len() + 1);
                    g.write_all(&line.as_bytes()[..cut]).unwrap();
                    g.write_all(&line.as_bytes()[cut..]).unwrap();
                }
                assert_eq!(String::from_utf8_lossy(&got), want, "{line:?} {mode:?}");
            }
        }
    }

    #[test]
    fn colour_mode_keeps_colour_codes_only() {
        let s = clean_line(
            "\x1b[1;31merror\x1b[0m \x1b]8;;http://x\x1b\\ \x1b[2J",
            Mode::Text { colour: true },
        );
        assert_eq!(
            s,
            "\x1b[1;31merror\x1b[0m \\u{1b}]8;;http://x\\u{1b}\\ \\u{1b}[2J"
        );
    }

    #[test]
    fn json_and_xml_modes_escape_within_their_syntax() {
        assert_eq!(
            clean_line("\"a\u{9b}b\u{202e}\" ##[x", Mode::Json),
            "\"a\\u009bb\\u202e\" #\\u0023[x"
        );
        assert_eq!(
            clean_line("<a>\u{85}\u{1}</a>", Mode::Xml),
            "<a>&#x85;\\u{1}</a>"
        );
    }

    #[test]
    fn markdown_links_images_html_and_autolinks_are_inert() {
        assert_eq!(
            markdown("[x](javascript:alert(1)) ![t](http://tracker/p.png)"),
            "\\[x\\](javascript:alert(1)) !\\[t\\](http://tracker/p.png)"
        );
        assert_eq!(
            markdown("<http://x> <img src=x onerror=y>"),
            "&lt;http://x&gt; &lt;img src=x onerror=y&gt;"
        );
        assert_eq!(markdown("[a]: http://evil"), "\\[a\\]: http://evil");
        assert_eq!(markdown("&#106;s"), "&amp;#106;s");
        // Code spans as CommonMark pairs them.
        assert_eq!(
            markdown("write `employee yes` here"),
            "write `employee yes` here"
        );
        assert_eq!(markdown("`[x](y)``"), "\\`\\[x\\](y)\\`\\`");
        assert_eq!(markdown("``a`b`` [c]"), "``a`b`` \\[c\\]");
        assert_eq!(markdown("a\\[b]"), "a\\\\\\[b\\]");
        assert_eq!(markdown("two\n lines | x"), "two lines \\| x");
    }

    #[test]
    fn code_spans_and_fences_cannot_be_closed_from_inside() {
        assert_eq!(code_span("a``b"), "```a``b```");
        assert_eq!(code_span("`a"), "`` `a ``");
        assert_eq!(code_span("s"), "`s`");
        let f = code_fence("x\n```\n[y](z)\n");
        assert!(
            f.starts_with("````text\n") && f.ends_with("\n````\n"),
            "{f}"
        );
    }

    #[test]
    fn xml_chars_replaces_what_xml_forbids() {
        assert_eq!(
            xml_chars("a\u{1}\u{fffe}\t\n]]>"),
            "a\\u{1}\\u{fffe}\t\n]]>"
        );
    }

    #[test]
    fn only_web_urls_are_links() {
        assert_eq!(
            web_url(" https://example.org/a "),
            Some("https://example.org/a")
        );
        assert_eq!(web_url("HTTP://EXAMPLE.ORG"), Some("HTTP://EXAMPLE.ORG"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "javascript&#58;alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "https://x\ty",
            "//evil.example",
            "https://",
            "/relative",
        ] {
            assert_eq!(web_url(bad), None, "{bad:?}");
        }
    }
}
