//! The one neutral finding type. Every output (terminal, JSON, SARIF, GitHub
//! annotations, the test runner) renders this; nothing matches on error
//! variants a second time.

use crate::source::{FileId, Span};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Advice,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "advice" => Some(Severity::Advice),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        }
    }
}

/// Text that many findings carry alike (a rule's ID and name, and most
/// help): a built-in string is borrowed and any other is reference
/// counted, so a finding's copy is not an allocation of its own. It reads
/// as a `str` (`f.rule == "ICG001"`, `&*f.rule`, `f.rule.starts_with(..)`).
#[derive(Clone)]
pub struct Shared(SharedRepr);

/// 16 bytes: the counted text is a thin pointer (`Arc<String>`, not the
/// wide `Arc<str>`), so the variant tag fits where a `&str` cannot be null.
/// A finding carries two (its rule's ID and name), and findings are many.
#[derive(Clone)]
enum SharedRepr {
    Static(&'static str),
    Counted(std::sync::Arc<String>),
}

impl Shared {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            SharedRepr::Static(s) => s,
            SharedRepr::Counted(s) => s.as_str(),
        }
    }
}

impl Default for Shared {
    fn default() -> Shared {
        Shared(SharedRepr::Static(""))
    }
}

impl std::ops::Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&'static str> for Shared {
    fn from(s: &'static str) -> Shared {
        Shared(SharedRepr::Static(s))
    }
}

impl From<String> for Shared {
    fn from(s: String) -> Shared {
        Shared(SharedRepr::Counted(std::sync::Arc::new(s)))
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Shared) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Shared {}
impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}
impl PartialEq<Shared> for str {
    fn eq(&self, other: &Shared) -> bool {
        self == other.as_str()
    }
}
impl PartialEq<Shared> for &str {
    fn eq(&self, other: &Shared) -> bool {
        *self == other.as_str()
    }
}
impl PartialEq<Shared> for String {
    fn eq(&self, other: &Shared) -> bool {
        self.as_str() == other.as_str()
    }
}
impl PartialOrd for Shared {
    fn partial_cmp(&self, other: &Shared) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Shared {
    fn cmp(&self, other: &Shared) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}
impl std::hash::Hash for Shared {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}
impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}
impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
impl Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub source: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable ID (`CCN111`, `ICG004`): the same in every output and in suppressions.
    pub rule: Shared,
    /// Kebab-case name (`membership-review`).
    pub name: Shared,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<Shared>,
    /// Shared by every finding of the rule: findings are many, at scale.
    pub provenance: Option<std::sync::Arc<Provenance>>,
    /// A change that resolves the finding, if one is known.
    pub fix: Option<Box<Fix>>,
    /// The board's recorded departure ("comply or explain"), when the
    /// document explains this finding with an `explain` block. An explained
    /// finding is not a failure while its review date has not passed.
    pub explanation: Option<Box<Explanation>>,
    /// The published document and clause the finding's text comes from
    /// ("Constitution v3.2, clause 4.2.1"), when the document names them.
    pub citation: Option<std::sync::Arc<Citation>>,
}

/// Where a finding's text is in the published document: from a top-level
/// `document "Title" { version ..; adopted ..; url .. }` block and the
/// nearest enclosing `clause`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Citation {
    pub document: String,
    pub version: Option<String>,
    pub clause: Option<String>,
    pub url: Option<String>,
}

impl std::fmt::Display for Citation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.document)?;
        if let Some(v) = &self.version {
            write!(f, " v{v}")?;
        }
        if let Some(c) = &self.clause {
            write!(f, ", clause {c}")?;
        }
        Ok(())
    }
}

/// An `explain RULE "reason" { approved_by @x; agreed DATE; review DATE }`
/// block that matched a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub reason: String,
    /// The approving body's display name (the `approved_by` reference resolved).
    pub approved_by: String,
    /// ISO dates (`YYYY-MM-DD`).
    pub agreed: String,
    pub review: Option<String>,
    /// The review date is before the day the check runs as of (`--as-of`):
    /// the explanation has lapsed and the finding is a failure again, its
    /// message saying "explanation due for review since DATE".
    pub overdue: bool,
    /// Where the `explain` block is.
    #[serde(skip)]
    pub file: FileId,
    #[serde(skip)]
    pub span: Span,
}

/// Whether a fix keeps the document's meaning (`check --fix` applies it) or
/// changes what the document says (only with `--unsafe-fixes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Meaning-preserving: a did-you-mean spelling, a missing `;`.
    Safe,
    /// Changes what the document says, e.g. a skeleton the author must complete.
    Unsafe,
}

/// One text edit: replace the bytes of `span` in `file` with `insert`
/// (an empty span inserts, an empty `insert` deletes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub insert: String,
}

/// A titled set of edits that resolves a finding. The CLI (`check --fix`),
/// JSON, SARIF and the language server's code actions all read this one
/// type; edits are byte spans into the original text, like every span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, as a command: "Change `chiar` to `chair`".
    pub title: String,
    pub safety: Safety,
    pub edits: Vec<Edit>,
    /// The one edit is a line still to be placed in a block: its span is
    /// the block's, its `insert` the bare line. A rule's fix is made so
    /// when the block's text was released (`LoadOptions::release_texts_over`);
    /// `Workspace::restore_texts` reads the text again and places it.
    pub pending: bool,
}

impl Fix {
    /// This fix, unsafe when `guess`: a did-you-mean that had to choose
    /// between names as near as each other, or whose name would clash with
    /// one already there, may change what the document says.
    pub fn unless_a_guess(mut self, guess: bool) -> Fix {
        if guess {
            self.safety = Safety::Unsafe;
        }
        self
    }

    /// A safe fix replacing one span.
    pub fn replace(
        title: impl Into<String>,
        file: FileId,
        span: impl Into<Span>,
        with: impl Into<String>,
    ) -> Fix {
        Fix {
            title: title.into(),
            safety: Safety::Safe,
            edits: vec![Edit {
                file,
                span: span.into(),
                insert: with.into(),
            }],
            pending: false,
        }
    }
}

impl Finding {
    pub fn new(
        rule: impl Into<Shared>,
        name: impl Into<Shared>,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            name: name.into(),
            severity,
            message: message.into(),
            file,
            span,
            labels: Vec::new(),
            help: None,
            provenance: None,
            fix: None,
            explanation: None,
            citation: None,
        }
    }
    /// Whether the board has explained this finding with an explanation
    /// that is still in force: such a finding is reported ("explained") but
    /// is not a failure (exit status, summary, statistics, baselines).
    pub fn is_explained(&self) -> bool {
        self.explanation.as_ref().is_some_and(|e| !e.overdue)
    }
    pub fn fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(Box::new(fix));
        self
    }
    pub fn help(mut self, help: impl Into<Shared>) -> Finding {
        self.help = Some(help.into());
        self
    }
    pub fn label(
        mut self,
        file: FileId,
        span: impl Into<Span>,
        message: impl Into<String>,
    ) -> Finding {
        self.labels.push(Label {
            file,
            span: span.into(),
            message: message.into(),
        });
        self
    }
}

/// Language-level diagnostics: each stated once, with its ID, name,
/// default severity and documentation.
pub mod icg {
    use super::Severity::{self, *};

    #[derive(Clone, Copy, Debug)]
    pub struct Icg {
        pub id: &'static str,
        pub name: &'static str,
        pub severity: Severity,
        pub doc: &'static str,
    }

    const fn d(id: &'static str, name: &'static str, severity: Severity, doc: &'static str) -> Icg {
        Icg {
            id,
            name,
            severity,
            doc,
        }
    }

    pub const SYNTAX: Icg = d(
        "ICG001",
        "syntax-error",
        Error,
        "The text is not valid ICG: the message says what was expected, in plain words.",
    );
    pub const UNKNOWN: Icg = d(
        "ICG002",
        "unknown-name",
        Error,
        "An unknown block kind, key or listed word, with the nearest known spelling.",
    );
    pub const WRONG_TYPE: Icg = d(
        "ICG003",
        "wrong-value-type",
        Error,
        "A value of the wrong type for its key, e.g. a number where a duration is expected.",
    );
    pub const DANGLING: Icg = d(
        "ICG004",
        "unknown-reference",
        Error,
        "A reference (`@id`) to an ID that no block in the workspace declares.",
    );
    pub const DUPLICATE: Icg = d(
        "ICG005",
        "duplicate-id",
        Error,
        "The same ID declared twice; both places are labelled.",
    );
    pub const SHARES: Icg = d(
        "ICG006",
        "shares-over-100",
        Error,
        "An authority's population shares add up to more than 100% (tolerance 0.5 points).",
    );
    pub const NO_SYSTEM: Icg = d("ICG007", "missing-system", Error, "A top-level block without `system`, or whose `system` names something that is not a system.");
    pub const NO_REASON: Icg = d(
        "ICG008",
        "suppression-without-reason",
        Error,
        "An `# icslint: allow` comment without `-- reason`.",
    );
    pub const UNREADABLE: Icg = d(
        "ICG009",
        "unreadable-file",
        Error,
        "A file that cannot be read, is not UTF-8 (with the byte offset of the first bad byte), or is 4 GiB or more.",
    );
    pub const UNUSED_ALLOW: Icg = d(
        "ICG010",
        "unused-suppression",
        Advice,
        "A suppression that suppressed nothing, for a rule enabled in this run.",
    );
    pub const POPULATION: Icg = d("ICG011", "system-population-mismatch", Warning, "A system's stated population differs by more than 2% from the sum of its authorities' shares.");
    pub const BAD_PACK: Icg = d("ICG012", "invalid-rule-pack", Error, "A rule pack that cannot be loaded: bad YAML, unknown fields, or a check expression with a syntax or type error.");
    pub const BAD_CONFIG: Icg = d(
        "ICG013",
        "invalid-configuration",
        Error,
        "An `icslint.yaml` that cannot be read or has unknown keys.",
    );
    pub const TYPOLOGY: Icg = d(
        "ICG014",
        "typology-undecided",
        Advice,
        "An authority's CCN typology cannot be decided (a population it needs is missing), or rests on an incomplete workspace (its shares add up to less than 99.5%), or none of its dated shares holds on the day checked.",
    );
    pub const EMPTY_TEXT: Icg = d(
        "ICG015",
        "empty-text",
        Warning,
        "An empty text (`\"\"` or only spaces) where a key expects words; every rule treats it as missing.",
    );

    pub const NOT_EXPLAINABLE: Icg = d(
        "ICG016",
        "explanation-of-a-duty",
        Error,
        "An `explain` block for a rule that cannot be explained: a statutory duty (or a language diagnostic) must be complied with; only recommendations a pack marks `explainable` accept a board's explanation.",
    );
    pub const EXPLAINED_UNKNOWN: Icg = d(
        "ICG017",
        "explanation-of-unknown-rule",
        Error,
        "An `explain` block naming a rule ID that no pack declares, with the nearest known ID.",
    );
    pub const EXPLANATION_INCOMPLETE: Icg = d(
        "ICG018",
        "explanation-incomplete",
        Error,
        "An `explain` block without its reason, `approved_by` (who owns it) or `agreed` (when): until complete it explains nothing.",
    );
    pub const STALE_EXPLANATION: Icg = d(
        "ICG019",
        "stale-explanation",
        Warning,
        "An `explain` block that matches no finding of its rule in the block it stands in: the document now complies, or the explanation is in the wrong place.",
    );
    pub const TWO_DOCUMENTS: Icg = d(
        "ICG020",
        "document-twice",
        Error,
        "A file with a second `document` block: a file records one published document, which its findings cite.",
    );
    pub const UNTITLED_DOCUMENT: Icg = d(
        "ICG021",
        "untitled-document",
        Warning,
        "A `document` block without its title in quotes: findings cannot cite a document that has no name.",
    );
    pub const SHARE_OVERLAP: Icg = d(
        "ICG022",
        "share-periods-overlap",
        Error,
        "Two shares of an authority in the same system that hold on the same days (`share @s 56% until 2026-03-31` and `share @s 100% from 2026-03-01`): on those days only the first is counted; or a hand-over between two systems whose days meet, so that on some day the shares add up to more than 100%.",
    );
    pub const SHARE_GAP: Icg = d(
        "ICG023",
        "share-periods-gap",
        Warning,
        "An authority's dated shares leave days between its first and last period in no system (`until 2026-03-31`, then `from 2026-04-02`): on those days its typology and every rule see no share.",
    );

    pub const ALL: &[Icg] = &[
        SYNTAX,
        UNKNOWN,
        WRONG_TYPE,
        DANGLING,
        DUPLICATE,
        SHARES,
        NO_SYSTEM,
        NO_REASON,
        UNREADABLE,
        UNUSED_ALLOW,
        POPULATION,
        BAD_PACK,
        BAD_CONFIG,
        TYPOLOGY,
        EMPTY_TEXT,
        NOT_EXPLAINABLE,
        EXPLAINED_UNKNOWN,
        EXPLANATION_INCOMPLETE,
        STALE_EXPLANATION,
        TWO_DOCUMENTS,
        UNTITLED_DOCUMENT,
        SHARE_OVERLAP,
        SHARE_GAP,
    ];

    pub fn finding(
        d: Icg,
        file: crate::source::FileId,
        span: impl Into<crate::source::Span>,
        msg: impl Into<String>,
    ) -> super::Finding {
        super::Finding::new(d.id, d.name, d.severity, file, span.into(), msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Findings are many at scale (84,000 at 100x national), each held
    /// twice for a moment while the rules' findings are gathered: their
    /// record stays small.
    #[test]
    fn a_finding_stays_small() {
        assert_eq!(std::mem::size_of::<Shared>(), 16);
        assert!(
            std::mem::size_of::<Finding>() <= 160,
            "{}",
            std::mem::size_of::<Finding>()
        );
        let counted = Shared::from("CCN111".to_string());
        assert_eq!(counted, Shared::from("CCN111"));
        assert_eq!(&*counted, "CCN111");
    }
}
