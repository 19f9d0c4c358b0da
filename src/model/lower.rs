//! AST → model: schema validation (ICG002, ICG003), the symbol table
//! (ICG005), reference resolution (ICG004), systems (ICG007), shares
//! (ICG006) and system populations (ICG011).

use super::schema::{self, article, KindSpec, Ty, Vocab};
use super::typology::{self, Note, Typology};
use super::{Attr, Block, BlockId, Model, Period, Str, Val};
use crate::diagnostic::{icg, Finding, Fix};
use crate::source::{FileId, Span};
use crate::syntax::{self, Date, ValueKind};

struct Lowerer {
    model: Model,
    findings: Vec<Finding>,
    /// Every reference value, to resolve once all IDs are known.
    refs: Vec<PendingRef>,
}

/// A reference seen while lowering, resolved once all IDs are known: its
/// block, its attribute, its place among the attribute's values (in a
/// list; 0 otherwise) and where it is written. Its name, and the kinds it
/// may name, are read from the model and the schema then rather than
/// copied here: a workspace has a reference every few lines, and these
/// wait until the last file is lowered.
struct PendingRef {
    block: BlockId,
    attr: u32,
    item: u32,
    span: Span,
}

impl PendingRef {
    fn new(block: BlockId, attr: usize, item: usize, span: Span) -> PendingRef {
        PendingRef {
            block,
            attr: attr as u32,
            item: item as u32,
            span,
        }
    }

    /// The reference's value in the model.
    fn value<'m>(&self, model: &'m Model) -> Option<&'m Val> {
        let v = &model.block(self.block).attrs.get(self.attr as usize)?.value;
        match v {
            Val::List(items) | Val::Tuple(items) => items.get(self.item as usize),
            v => Some(v),
        }
    }

    /// The ID it names.
    fn name<'m>(&self, model: &'m Model) -> &'m str {
        match self.value(model) {
            Some(Val::Ref(_, name)) => name,
            _ => "",
        }
    }

    /// The kinds of block it may name (empty: any), from its key's type.
    fn kinds(&self, model: &Model) -> &'static [&'static str] {
        let attr = model.block(self.block).attrs.get(self.attr as usize);
        match attr.map(|a| a.key.spec().ty) {
            Some(Ty::Ref(kinds) | Ty::Refs(kinds)) => kinds,
            Some(Ty::RefPercent) => &["system"],
            _ => &[],
        }
    }
}

/// Lower every parsed file of a workspace into one model.
pub fn lower(files: &[(FileId, &syntax::File)], default_regime: i64) -> (Model, Vec<Finding>) {
    lower_beside(files, default_regime, &[])
}

/// [`lower`] for a part of a workspace whose other files declare
/// `other_ids`: an unknown reference's did-you-mean is chosen among those
/// too, as in a lowering of the whole workspace (the language server's
/// re-check of a part).
pub fn lower_beside(
    files: &[(FileId, &syntax::File)],
    default_regime: i64,
    other_ids: &[&str],
) -> (Model, Vec<Finding>) {
    let mut l = Lowering::new(default_regime);
    for (file, ast) in files {
        l.file(*file, ast);
    }
    l.finish(other_ids)
}

/// A lowering fed one file at a time, in the workspace's order, so that a
/// file's syntax tree can be dropped as soon as it is lowered (a check
/// never holds every tree at once); [`Lowering::finish`] then resolves
/// references across files and computes systems, shares and typologies.
pub struct Lowering(Lowerer);

impl Lowering {
    pub fn new(default_regime: i64) -> Lowering {
        Lowering(Lowerer {
            model: Model {
                default_regime,
                ..Model::default()
            },
            findings: Vec::new(),
            refs: Vec::new(),
        })
    }

    /// The day the run is as of: the shares in force on it are the ones
    /// the typology, the shares' diagnostics and every rule read.
    pub fn as_of(&mut self, day: crate::syntax::Date) {
        self.0.model.as_of = Some(day);
    }

    /// Makes room for `n` more blocks at once (see `parse_and_lower`).
    pub fn reserve_blocks(&mut self, n: usize) {
        self.0.model.blocks.reserve_exact(n);
    }

    /// [`Lowering::file`] for a tree no one needs after: each top-level
    /// block is dropped as soon as it is lowered, so one large file's tree
    /// and its model are not both whole at once.
    pub fn file_consumed(&mut self, file: FileId, ast: syntax::File) {
        for b in ast.blocks {
            self.top_level(file, &b);
        }
    }

    /// Lowers one file's blocks into the model.
    pub fn file(&mut self, file: FileId, ast: &syntax::File) {
        for b in &ast.blocks {
            self.top_level(file, b);
        }
    }

    fn top_level(&mut self, file: FileId, b: &syntax::Block) {
        if let Some(id) = self.0.block(file, b, None) {
            self.0.model.top.push(id);
        }
    }

    /// The model of every file given, beside other files that declare
    /// `other_ids` (see [`lower_beside`]), and the lowering's findings.
    pub fn finish(self, other_ids: &[&str]) -> (Model, Vec<Finding>) {
        let mut l = self.0;
        // A lowering given no day is as of today, read once here.
        l.model.as_of.get_or_insert_with(Date::today);
        l.resolve(other_ids);
        l.systems();
        l.model.build_index();
        l.shares();
        let Lowerer {
            mut model,
            mut findings,
            ..
        } = l;
        for (a, t) in typology::compute(&model) {
            if let Some(note) = &t.note {
                findings.push(typology_note(&model, a, &t, note));
            }
            model.typology.insert(a, t);
        }
        populations(&model, &mut findings);
        (model, findings)
    }
}

impl Lowerer {
    fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }

    fn block(
        &mut self,
        file: FileId,
        b: &syntax::Block,
        parent: Option<BlockId>,
    ) -> Option<BlockId> {
        let parent_kind = parent.map(|p| self.model.block(p).kind);
        let spec = match schema::kind(&b.kind.text) {
            Some(spec) => spec,
            None => {
                let known: Vec<&str> = match &parent_kind {
                    Some(pk) => pk.spec().children.to_vec(),
                    None => schema::KINDS
                        .iter()
                        .filter(|k| k.top_level())
                        .map(|k| k.name)
                        .collect(),
                };
                let mut f = icg::finding(
                    icg::UNKNOWN,
                    file,
                    b.kind.span,
                    format!("unknown block kind `{}`", b.kind.text),
                );
                f = match schema::suggest(&b.kind.text, known.iter().copied()) {
                    Some(s) => f.help(format!("did you mean `{s}`?")).fix(
                        Fix::replace(
                            format!("Change `{}` to `{s}`", b.kind.text),
                            file,
                            b.kind.span,
                            s,
                        )
                        .unless_a_guess(ambiguous(
                            &b.kind.text,
                            s,
                            known.iter().copied(),
                        )),
                    ),
                    None => f.help(format!("known kinds here: {}", known.join(", "))),
                };
                self.push(f);
                return None;
            }
        };
        match (&parent_kind, spec.top_level()) {
            (None, false) if spec.name == "explain" => {
                self.push(
                    icg::finding(
                        icg::UNKNOWN,
                        file,
                        b.kind.span,
                        "an `explain` block goes inside the block its rule reports on, not at the top level",
                    )
                    .help("move it into that block (the icb, the member, the strategy...)"),
                );
                return None;
            }
            (None, false) => {
                let parents = spec.parents.join(", ");
                self.push(
                    icg::finding(
                        icg::UNKNOWN,
                        file,
                        b.kind.span,
                        format!(
                            "`{}` blocks go inside {parents}, not at the top level",
                            spec.name
                        ),
                    )
                    .help(format!("move this block inside a {parents} block")),
                );
                return None;
            }
            (Some(pk), _) if !spec.parents.contains(&pk.as_str()) => {
                let allowed = pk.spec().children.join(", ");
                self.push(
                    icg::finding(
                        icg::UNKNOWN,
                        file,
                        b.kind.span,
                        format!("`{}` cannot appear inside `{pk}`", spec.name),
                    )
                    .help(format!("a `{pk}` block may contain: {allowed}")),
                );
                return None;
            }
            _ => {}
        }
        // An explanation's ident is the rule it explains; every other ID is
        // lower case (the grammar reads both, so the error can say so).
        let mut ident_lower = None;
        let rule_id = spec.name == "explain";
        if let Some(ident) =
            b.id.as_ref()
                .filter(|i| !rule_id && i.text.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            let lower = ident.text.to_ascii_lowercase().replace('-', "_");
            self.push(
                icg::finding(
                    icg::SYNTAX,
                    file,
                    ident.span,
                    format!(
                        "the ID `{}` has capital letters; IDs are lower case",
                        ident.text
                    ),
                )
                .help(format!("write `{lower}` (and refer to it as `@{lower}`)"))
                .fix(Fix::replace(
                    format!("Change `{}` to `{lower}`", ident.text),
                    file,
                    ident.span,
                    lower.clone(),
                )),
            );
            // Checked under the lower-case ID, so the rest of the block,
            // and references to it written in lower case, still count.
            ident_lower = Some(syntax::Name {
                text: lower,
                span: ident.span,
            });
        }
        let ident = ident_lower.as_ref().or(b.id.as_ref());
        if rule_id && b.id.is_none() {
            self.push(
                icg::finding(
                    icg::EXPLANATION_INCOMPLETE,
                    file,
                    b.header,
                    "this explanation does not name the rule it explains",
                )
                .help("write the rule's ID after `explain`: `explain CCN161 \"reason\" { ... }`"),
            );
            return None;
        }
        if spec.top_level() && b.id.is_none() && spec.name != "document" {
            self.push(
                icg::finding(
                    icg::SYNTAX,
                    file,
                    b.header,
                    format!("this `{}` block has no ID", spec.name),
                )
                .help(format!(
                    "top-level blocks need a unique ID: `{} my_id \"Display name\" {{`",
                    spec.name
                )),
            );
        }
        let id = BlockId(self.model.blocks.len() as u32);
        if spec.name == "document" && b.name.is_none() {
            self.push(
                icg::finding(
                    icg::UNTITLED_DOCUMENT,
                    file,
                    b.header,
                    "this `document` block has no title, so the findings in this file cannot cite it",
                )
                .help("write the published document's title in quotes: `document \"NHS Example ICB Constitution\" { version \"1.0\" }`"),
            );
        } else if spec.name == "document" {
            if let Some(first) = self.model.documents.get(&file) {
                let f = icg::finding(
                    icg::TWO_DOCUMENTS,
                    file,
                    b.header,
                    "this file already names its published document",
                )
                .label(file, self.model.block(*first).header, "the file's document")
                .help("keep one `document` block per file; put another document's blocks in a file of their own");
                self.push(f);
            } else {
                self.model.documents.insert(file, id);
            }
        }
        self.model.blocks.push(Block {
            kind: super::Kind(spec),
            id: ident.map(|i| Str::from(i.text.as_str())),
            name: b.name.as_ref().map(|n| Str::from(n.0.as_str())),
            file,
            span: b.span.into(),
            header: b.header.into(),
            attrs: Box::default(),
            children: Box::default(),
            parent,
            system: None,
        });
        if let Some(ident) = ident.filter(|_| !rule_id) {
            if let Some(prev) = self.model.ids.get(ident.text.as_str()).copied() {
                let p = self.model.block(prev);
                let f = icg::finding(icg::DUPLICATE, file, ident.span, format!("the ID `{}` is already used by {} \"{}\"", ident.text, p.kind, p.display()))
                    .label(p.file, p.header, "first declared here")
                    .help("IDs must be unique across the whole workspace: rename one of them and update its references");
                self.push(f);
            } else {
                self.model.ids.insert(Str::from(ident.text.as_str()), id);
            }
        }
        let mut attrs: Vec<Attr> = Vec::with_capacity(b.attrs.len());
        for a in &b.attrs {
            let Some(key) = spec.key(&a.key.text) else {
                let mut f = icg::finding(
                    icg::UNKNOWN,
                    file,
                    a.key.span,
                    format!(
                        "unknown key `{}` in {} `{}` block",
                        a.key.text,
                        article(spec.name),
                        spec.name
                    ),
                );
                f = match schema::suggest(&a.key.text, spec.all_keys().map(|k| k.name)) {
                    Some(s) => f.help(format!("did you mean `{s}`?")).fix(
                        Fix::replace(
                            format!("Change `{}` to `{s}`", a.key.text),
                            file,
                            a.key.span,
                            s,
                        )
                        // The block may have the key already: two would clash.
                        .unless_a_guess(
                            b.attrs.iter().any(|other| other.key.text == s)
                                || ambiguous(&a.key.text, s, spec.all_keys().map(|k| k.name)),
                        ),
                    ),
                    None => f.help(format!(
                        "known keys: {}",
                        spec.all_keys()
                            .map(|k| k.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                self.push(f);
                continue;
            };
            if !key.repeatable && attrs.iter().any(|x| x.key == key.name) {
                self.push(
                    icg::finding(
                        icg::WRONG_TYPE,
                        file,
                        a.key.span,
                        format!("`{}` is given twice in this block", key.name),
                    )
                    .help("give it once; the first value is used"),
                );
                continue;
            }
            let index = attrs.len();
            if let Some(value) = self.value(file, id, index, spec, key.name, key.ty, a) {
                attrs.push(Attr {
                    key: super::Key(key),
                    value,
                    span: a.span.into(),
                });
            }
        }
        self.model.blocks[id.0 as usize].attrs = attrs.into_boxed_slice();
        let mut children = Vec::with_capacity(b.children.len());
        for c in &b.children {
            if let Some(cid) = self.block(file, c, Some(id)) {
                children.push(cid);
            }
        }
        self.model.blocks[id.0 as usize].children = children.into_boxed_slice();
        Some(id)
    }

    /// The days a share holds, written after its percentage: `from
    /// DATE`, `until DATE` or both (in either order), each once, appended
    /// to `out` as a word and a date. A malformed period is reported
    /// (ICG003, pointing at the words at fault) and `false` returned: the
    /// share is left out rather than counted on the wrong days.
    fn share_period(
        &mut self,
        file: FileId,
        system: &str,
        a: &syntax::Attr,
        out: &mut Vec<Val>,
    ) -> bool {
        let rest = &a.values[2..];
        let mut i = 0;
        // Each end's day and where it is written (`from 2026-04-01`).
        type End = Option<(Date, Span)>;
        let (mut from, mut until): (End, End) = (None, None);
        let example = format!(
            "`share @{system} 56% until 2026-03-31` or `share @{system} 100% from 2026-04-01`"
        );
        while i < rest.len() {
            let v = &rest[i];
            let word = match &v.kind {
                ValueKind::Word(w) if w == "from" || w == "until" => w.as_str(),
                ValueKind::Range(..) => {
                    self.push(
                        icg::finding(icg::WRONG_TYPE, file, v.span, format!("the days a share holds are written with `from` and `until`, found {}", v.kind.describe()))
                            .help(format!("write the first and last day as `from DATE until DATE`, like {example}")),
                    );
                    return false;
                }
                other => {
                    self.push(
                        icg::finding(icg::WRONG_TYPE, file, v.span, format!("after a share's percentage only `from DATE` and `until DATE` may follow, found {}", other.describe()))
                            .help(format!("write {example}")),
                    );
                    return false;
                }
            };
            let Some(date) = rest.get(i + 1) else {
                self.push(
                    icg::finding(
                        icg::WRONG_TYPE,
                        file,
                        v.span,
                        format!("`{word}` needs a date after it"),
                    )
                    .help(format!("write the day as YYYY-MM-DD, like {example}")),
                );
                return false;
            };
            let ValueKind::Date(d) = &date.kind else {
                self.push(
                    icg::finding(
                        icg::WRONG_TYPE,
                        file,
                        date.span,
                        format!(
                            "`{word}` needs a date after it, found {}",
                            date.kind.describe()
                        ),
                    )
                    .help(format!("write the day as YYYY-MM-DD, like {example}")),
                );
                return false;
            };
            if !d.is_valid() {
                self.push(
                    icg::finding(
                        icg::WRONG_TYPE,
                        file,
                        date.span,
                        format!("{d} is not a calendar date"),
                    )
                    .help("write a real date as YYYY-MM-DD"),
                );
                return false;
            }
            let span = Span::new(v.span.start, date.span.end);
            let slot = if word == "from" {
                &mut from
            } else {
                &mut until
            };
            if let Some((_, first)) = slot {
                let first = *first;
                self.push(
                    icg::finding(icg::WRONG_TYPE, file, span, format!("this share says `{word}` twice"))
                        .help(format!("a share holds from one day until another: write `{word}` once, or one `share` for each period"))
                        .label(file, first, "first here"),
                );
                return false;
            }
            *slot = Some((*d, span));
            i += 2;
        }
        if let (Some((f, fs)), Some((u, us))) = (from, until) {
            if f > u {
                self.push(
                    icg::finding(icg::WRONG_TYPE, file, Span::new(fs.start.min(us.start), fs.end.max(us.end)), format!("this share of @{system} holds from {f} until {u}: it ends before it starts"))
                        .help("the `from` day must be on or before the `until` day; check which dates were swapped"),
                );
                return false;
            }
        }
        for (word, d) in [("from", from), ("until", until)] {
            if let Some((d, _)) = d {
                out.push(Val::Word(Str::const_new(word)));
                out.push(Val::Date(d));
            }
        }
        true
    }

    fn wrong(
        &mut self,
        file: FileId,
        span: Span,
        spec: &KindSpec,
        key: &str,
        ty: Ty,
        found: &ValueKind,
    ) {
        let extra = match (ty, found) {
            (Ty::Every, ValueKind::Number { value, .. }) => {
                format!(": write `{key} every {} months`", syntax::fmt_num(*value))
            }
            (Ty::Every, ValueKind::Duration(d)) => format!(": write `{key} every {d}`"),
            (Ty::Duration, ValueKind::Number { value, .. }) => format!(
                ": add a unit, e.g. `{key} {} years`",
                syntax::fmt_num(*value)
            ),
            (Ty::Percent, ValueKind::Number { value, .. }) => {
                format!(": write `{key} {}%`", syntax::fmt_num(*value))
            }
            (Ty::Money, ValueKind::Number { value, .. }) => {
                format!(": write `{key} £{}`", syntax::fmt_num(*value))
            }
            _ => String::new(),
        };
        let help = if extra.is_empty() {
            format!("write {}", ty.example())
        } else {
            extra.trim_start_matches(": ").to_string()
        };
        self.push(
            icg::finding(
                icg::WRONG_TYPE,
                file,
                span,
                format!(
                    "`{key}` in {} `{}` block expects {}, found {}",
                    article(spec.name),
                    spec.name,
                    ty.example(),
                    found.describe()
                ),
            )
            .help(help),
        );
    }

    fn word(&mut self, file: FileId, v: &syntax::Value, key: &str, vocab: Vocab) -> Option<Val> {
        let w = match &v.kind {
            ValueKind::Word(w) => w,
            _ => return None,
        };
        if let Vocab::Closed(allowed) = vocab {
            // A known word is the schema's own: words are many, and few.
            if let Some(known) = allowed.iter().find(|a| **a == w.as_str()) {
                return Some(Val::Word(Str::const_new(known)));
            } else {
                let mut f = icg::finding(
                    icg::UNKNOWN,
                    file,
                    v.span,
                    format!("`{w}` is not a known value for `{key}`"),
                );
                f = match schema::suggest(w, allowed.iter().copied()) {
                    Some(s) => f
                        .help(format!(
                            "did you mean `{s}`? `{key}` takes {}",
                            schema::Ty::Word(vocab).example()
                        ))
                        .fix(
                            Fix::replace(format!("Change `{w}` to `{s}`"), file, v.span, s)
                                .unless_a_guess(ambiguous(w, s, allowed.iter().copied())),
                        ),
                    None => f.help(format!(
                        "`{key}` takes {}",
                        schema::Ty::Word(vocab).example()
                    )),
                };
                self.push(f);
                return None;
            }
        }
        Some(Val::Word(Str::from(w.as_str())))
    }

    /// Converts an attribute's values to a typed value. `None` means a
    /// finding was reported (or the value was unusable) and the attribute is
    /// left out of the model, so rules see it as missing.
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        file: FileId,
        block: BlockId,
        index: usize,
        spec: &KindSpec,
        key: &str,
        ty: Ty,
        a: &syntax::Attr,
    ) -> Option<Val> {
        let first = &a.values[0];
        // References seen below are resolved later by attribute index: a
        // value refused after them must take them back.
        let refs_before = self.refs.len();
        let expected_len = match ty {
            Ty::RefPercent | Ty::RefStr => 2,
            _ => 1,
        };
        // A share may state the days it holds after its percentage
        // (`from DATE`, `until DATE`): read by `share_period`.
        let dated_share = ty == Ty::RefPercent && a.values.len() > 2;
        if a.values.len() != expected_len && !dated_share {
            let extra = a.values.get(expected_len).unwrap_or(first);
            let span = Span::new(
                extra.span.start,
                a.values.last().map_or(extra.span.end, |v| v.span.end),
            );
            self.push(
                icg::finding(
                    icg::WRONG_TYPE,
                    file,
                    if a.values.len() > expected_len {
                        span
                    } else {
                        a.span
                    },
                    format!(
                        "`{key}` takes {}, found {} value{}",
                        ty.example(),
                        a.values.len(),
                        if a.values.len() == 1 { "" } else { "s" }
                    ),
                )
                .help(format!("write {}", ty.example())),
            );
            return None;
        }
        let val = match (ty, &first.kind) {
            (Ty::Str | Ty::Text, ValueKind::Str(s) | ValueKind::Text(s)) if s.trim().is_empty() => {
                self.push(
                    icg::finding(
                        icg::EMPTY_TEXT,
                        file,
                        first.span,
                        format!("`{key}` is empty, so every rule reads it as not stated"),
                    )
                    .help(format!(
                        "write what the document says in the quotes, or remove `{key}`"
                    )),
                );
                return None;
            }
            (Ty::Str, ValueKind::Str(s)) => Some(Val::Str(Str::from(s.as_str()))),
            (Ty::Text, ValueKind::Text(s)) | (Ty::Text, ValueKind::Str(s)) => {
                Some(Val::Text(Str::from(s.as_str())))
            }
            (
                Ty::Int,
                ValueKind::Number {
                    value,
                    is_int: true,
                },
            ) => Some(Val::Num(*value)),
            (
                Ty::Year,
                ValueKind::Number {
                    value,
                    is_int: true,
                },
            ) if (1000.0..=9999.0).contains(value) => Some(Val::Num(*value)),
            (
                Ty::OneOfYears(ys),
                ValueKind::Number {
                    value,
                    is_int: true,
                },
            ) => {
                if ys.contains(&(*value as i64)) {
                    Some(Val::Num(*value))
                } else {
                    self.push(
                        icg::finding(
                            icg::UNKNOWN,
                            file,
                            first.span,
                            format!(
                                "`{key}` must be {}, found {}",
                                ty.example(),
                                syntax::fmt_num(*value)
                            ),
                        )
                        .help(format!("write {}", ty.example())),
                    );
                    return None;
                }
            }
            (Ty::Percent, ValueKind::Percent(p)) => Some(Val::Percent(*p)),
            (Ty::Money, ValueKind::Money(m)) => Some(Val::Money(*m)),
            (Ty::Date, ValueKind::Date(d)) => Some(Val::Date(*d)),
            (Ty::Duration, ValueKind::Duration(d)) => Some(Val::Duration(*d)),
            (Ty::Every, ValueKind::Every(d)) => Some(Val::Duration(*d)),
            (Ty::Range, ValueKind::Range(a, b)) => {
                if b < a {
                    self.push(
                        icg::finding(
                            icg::WRONG_TYPE,
                            file,
                            first.span,
                            format!("the range for `{key}` ends before it starts"),
                        )
                        .help("write the earlier date first"),
                    );
                    return None;
                }
                Some(Val::Range(*a, *b))
            }
            (Ty::Bool, ValueKind::Word(w)) if matches!(w.as_str(), "yes" | "true") => {
                Some(Val::Bool(true))
            }
            (Ty::Bool, ValueKind::Word(w)) if matches!(w.as_str(), "no" | "false") => {
                Some(Val::Bool(false))
            }
            (Ty::Bool, ValueKind::Word(w)) => {
                let mut f = icg::finding(
                    icg::UNKNOWN,
                    file,
                    first.span,
                    format!("`{key}` takes yes or no, found `{w}`"),
                );
                if let Some(s) = schema::suggest(w, ["yes", "no"]) {
                    f = f.help(format!("did you mean `{s}`?")).fix(Fix::replace(
                        format!("Change `{w}` to `{s}`"),
                        file,
                        first.span,
                        s,
                    ));
                } else {
                    f = f.help("write yes or no");
                }
                self.push(f);
                return None;
            }
            (Ty::Word(vocab), ValueKind::Word(_)) => self.word(file, first, key, vocab),
            (Ty::Ref(_), ValueKind::Ref(r)) => {
                self.refs.push(PendingRef::new(block, index, 0, first.span));
                Some(Val::Ref(None, Str::from(r.as_str())))
            }
            (Ty::Words(vocab), ValueKind::List(items)) => {
                // At its size: a list that grew by doubling kept up to as
                // much again spare (8 MB of a model of 120 at scale).
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match &it.kind {
                        ValueKind::Word(_) => out.extend(self.word(file, it, key, vocab)),
                        other => {
                            self.push(
                                icg::finding(
                                    icg::WRONG_TYPE,
                                    file,
                                    it.span,
                                    format!(
                                        "`{key}` is a list of words, found {}",
                                        other.describe()
                                    ),
                                )
                                .help(format!("write {}", ty.example())),
                            );
                        }
                    }
                }
                Some(Val::List(out))
            }
            (Ty::Refs(_), ValueKind::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match &it.kind {
                        ValueKind::Ref(r) => {
                            self.refs
                                .push(PendingRef::new(block, index, out.len(), it.span));
                            out.push(Val::Ref(None, Str::from(r.as_str())));
                        }
                        other => {
                            self.push(
                                icg::finding(
                                    icg::WRONG_TYPE,
                                    file,
                                    it.span,
                                    format!(
                                        "`{key}` is a list of references, found {}",
                                        other.describe()
                                    ),
                                )
                                .help("write references with `@`, like [@essex, @herts]"),
                            );
                        }
                    }
                }
                Some(Val::List(out))
            }
            (Ty::RefPercent, ValueKind::Ref(r)) => match &a.values[1].kind {
                ValueKind::Percent(p) => {
                    let mut v = vec![Val::Ref(None, Str::from(r.as_str())), Val::Percent(*p)];
                    if !self.share_period(file, r, a, &mut v) {
                        return None;
                    }
                    self.refs.push(PendingRef::new(block, index, 0, first.span));
                    Some(Val::Tuple(v))
                }
                other => {
                    self.wrong(file, a.values[1].span, spec, key, ty, other);
                    return None;
                }
            },
            (Ty::RefStr, ValueKind::Ref(r)) => match &a.values[1].kind {
                ValueKind::Str(s) => {
                    self.refs.push(PendingRef::new(block, index, 0, first.span));
                    Some(Val::Tuple(vec![
                        Val::Ref(None, Str::from(r.as_str())),
                        Val::Str(Str::from(s.as_str())),
                    ]))
                }
                other => {
                    self.wrong(file, a.values[1].span, spec, key, ty, other);
                    return None;
                }
            },
            (_, other) => {
                self.wrong(file, first.span, spec, key, ty, other);
                return None;
            }
        };
        if let Some(problem) = val.as_ref().and_then(|v| out_of_range(key, v)) {
            self.push(
                icg::finding(
                    icg::WRONG_TYPE,
                    file,
                    first.span,
                    format!("`{key}` {problem}"),
                )
                .help(format!("write {}", ty.example())),
            );
            self.refs.truncate(refs_before);
            return None;
        }
        if let Some(Val::Date(d)) = &val {
            if !d.is_valid() {
                self.push(
                    icg::finding(
                        icg::WRONG_TYPE,
                        file,
                        first.span,
                        format!("{d} is not a calendar date"),
                    )
                    .help("write a real date as YYYY-MM-DD"),
                );
                return None;
            }
        }
        val
    }

    fn resolve(&mut self, other_ids: &[&str]) {
        let refs = std::mem::take(&mut self.refs);
        // Did-you-mean for references to IDs that do not exist: one index
        // of the IDs (these files' and, for a part of the workspace, the
        // others'; of two equally near, the alphabetically first, so a part
        // suggests what the whole does), one answer per distinct name.
        // With each answer, whether it was a guess: another ID as near
        // (`@rb_ic`: `@rb_icb` or `@rb_icp`), which makes its fix unsafe.
        // Telling costs a look at every ID per distinct answer; past a
        // budget, every answer counts as a guess.
        let mut answers: std::collections::HashMap<String, Option<(String, bool)>> =
            Default::default();
        let model = &self.model;
        if refs.iter().any(|r| !model.ids.contains_key(r.name(model))) {
            let mut declared: Vec<&str> = model.ids.keys().map(Str::as_str).collect();
            declared.extend(other_ids.iter().copied());
            let near = schema::Suggester::new(declared.iter().copied());
            let mut budget: usize = 50_000_000;
            for r in &refs {
                let name = r.name(model);
                if !model.ids.contains_key(name) && !answers.contains_key(name) {
                    let answer = near.suggest(name).map(|s| {
                        let guess = match budget.checked_sub(declared.len()) {
                            Some(left) => {
                                budget = left;
                                ambiguous(name, s, declared.iter().copied())
                            }
                            None => true,
                        };
                        (s.to_string(), guess)
                    });
                    answers.insert(name.to_string(), answer);
                }
            }
        }
        for r in refs {
            let block = r.block;
            let file = self.model.block(block).file;
            let span = r.span;
            let kinds = r.kinds(&self.model);
            let name = Str::from(r.name(&self.model));
            let target = self.model.ids.get(name.as_str()).copied();
            match target {
                None => {
                    let mut f = icg::finding(
                        icg::DANGLING,
                        file,
                        span,
                        format!("no block in the workspace has the ID `{name}`"),
                    );
                    f = match answers.get(name.as_str()).cloned().flatten() {
                        Some((s, guess)) => f.help(format!("did you mean `@{s}`?")).fix(
                            Fix::replace(
                                format!("Change `@{name}` to `@{s}`"),
                                file,
                                span,
                                format!("@{s}"),
                            )
                            .unless_a_guess(guess),
                        ),
                        None => f.help("declare a block with this ID, or correct the reference"),
                    };
                    self.push(f);
                }
                Some(t) => {
                    let tk = self.model.block(t).kind;
                    // `system` mismatches are ICG007, reported with the systems.
                    let is_system_key = self
                        .model
                        .block(block)
                        .attrs
                        .get(r.attr as usize)
                        .is_some_and(|a| a.key == "system");
                    if !kinds.is_empty() && !kinds.contains(&tk.as_str()) && !is_system_key {
                        let want = Ty::Ref(kinds).example();
                        self.push(
                            icg::finding(
                                icg::WRONG_TYPE,
                                file,
                                span,
                                format!(
                                    "@{name} is {} `{tk}` block, but {want} is expected here",
                                    article(&tk)
                                ),
                            )
                            .help(format!("refer to {want}")),
                        );
                    }
                    let attr = &mut self.model.blocks[block.0 as usize].attrs[r.attr as usize];
                    let value = match &mut attr.value {
                        Val::List(items) | Val::Tuple(items) => items.get_mut(r.item as usize),
                        v => Some(v),
                    };
                    if let Some(Val::Ref(at, _)) = value {
                        *at = Some(t);
                    }
                }
            }
        }
    }

    fn systems(&mut self) {
        for i in 0..self.model.top.len() {
            let id = self.model.top[i];
            let b = self.model.block(id);
            let system = match b.kind.as_str() {
                "system" => Some(id),
                "authority" | "document" => None,
                _ => {
                    match b.attr("system") {
                        None => {
                            let f = icg::finding(icg::NO_SYSTEM, b.file, b.header, format!("{} \"{}\" does not say which system it belongs to", b.kind, b.display()))
                            .help("add `system @id`, naming the system block this document belongs to");
                            self.findings.push(f);
                            None
                        }
                        Some(a) => match &a.value {
                            Val::Ref(Some(t), name) if self.model.block(*t).kind != "system" => {
                                let tk = &self.model.block(*t).kind;
                                let f = icg::finding(
                                    icg::NO_SYSTEM,
                                    b.file,
                                    a.span,
                                    format!(
                                        "`system @{name}` names {} `{tk}`, not a system",
                                        article(tk)
                                    ),
                                )
                                .help("`system` must name a `system` block")
                                .label(
                                    self.model.block(*t).file,
                                    self.model.block(*t).header,
                                    "declared here",
                                );
                                self.findings.push(f);
                                None
                            }
                            Val::Ref(t, _) => *t,
                            _ => None,
                        },
                    }
                }
            };
            let mut stack = vec![id];
            while let Some(x) = stack.pop() {
                self.model.blocks[x.0 as usize].system = system;
                stack.extend(self.model.block(x).children.iter().copied());
            }
        }
    }

    fn shares(&mut self) {
        for a in self.model.of_kind("authority").collect::<Vec<_>>() {
            let b = self.model.block(a);
            // A system named twice on one day is reported, and only its
            // first share counts (here, in the typology and in the system
            // populations alike). Undated shares named twice are the
            // language's oldest mistake (ICG003); a dated share whose days
            // meet another's of the same system is ICG022.
            let total = self.model.share_total(a);
            let mut seen: Vec<(&str, Period, &Attr)> = Vec::new();
            let mut dated: Vec<Period> = Vec::new();
            let mut percents: Vec<(&str, Period, f64, Span)> = Vec::new();
            let mut overlap_reported = false;
            for s in b.attrs("share") {
                let Val::Tuple(v) = &s.value else { continue };
                let (Some(Val::Ref(_, name)), Some(Val::Percent(pc))) = (v.first(), v.get(1))
                else {
                    continue;
                };
                let period = Period::of_share(v);
                percents.push((name, period, *pc, s.span.span()));
                if period.is_dated() {
                    dated.push(period);
                }
                let earlier = seen
                    .iter()
                    .find(|(n, p, _)| *n == name.as_str() && p.overlaps(&period));
                match earlier {
                    Some((_, p, _)) if !p.is_dated() && !period.is_dated() => {
                        self.findings.push(
                            icg::finding(
                                icg::WRONG_TYPE,
                                b.file,
                                s.span,
                                format!("{} gives a share of @{name} twice", b.display()),
                            )
                            .help("write one `share` for each system; only the first is counted"),
                        );
                    }
                    Some((_, p, first)) => {
                        overlap_reported = true;
                        let both = Period {
                            from: match (p.from, period.from) {
                                (Some(x), Some(y)) => Some(x.max(y)),
                                (x, y) => x.or(y),
                            },
                            until: match (p.until, period.until) {
                                (Some(x), Some(y)) => Some(x.min(y)),
                                (x, y) => x.or(y),
                            },
                        };
                        self.findings.push(
                            icg::finding(
                                icg::SHARE_OVERLAP,
                                b.file,
                                s.span,
                                format!(
                                    "{} gives two shares of @{name} for the same days ({})",
                                    b.display(),
                                    both
                                ),
                            )
                            .help("end the earlier share the day before the later one starts (`until DATE`, then `from` the next day); on those days only the first is counted")
                            .label(b.file, first.span, "the other share"),
                        );
                    }
                    None => {}
                }
                seen.push((name, period, s));
            }
            if let Some(gap) = first_gap(&dated) {
                self.findings.push(
                    icg::finding(
                        icg::SHARE_GAP,
                        b.file,
                        b.header,
                        format!(
                            "no share of {} holds on {}, between its dated shares: on {} it is in no system",
                            b.display(),
                            match (gap.from, gap.until) {
                                (Some(f), Some(u)) if f == u => f.to_string(),
                                (Some(f), Some(u)) => format!("{f} to {u}"),
                                _ => String::new(),
                            },
                            if gap.from == gap.until { "that day" } else { "those days" }
                        ),
                    )
                    .help("start each share the day after the one before it ends: a share `until 2026-03-31` is followed by one `from 2026-04-01`"),
                );
            }
            // Dated shares of which none holds on the day: before the first
            // period or after the last, the authority is in no system.
            let day = self.model.day();
            if !dated.is_empty() && self.model.shares_in_force(a).next().is_none() {
                let first = dated.iter().map(|p| p.from).min().flatten();
                let last = dated.iter().map(|p| p.until).max_by(|x, y| match (x, y) {
                    (None, None) => std::cmp::Ordering::Equal,
                    (None, _) => std::cmp::Ordering::Greater,
                    (_, None) => std::cmp::Ordering::Less,
                    (Some(x), Some(y)) => x.cmp(y),
                });
                // A day between two periods is ICG023's too; on that day
                // the authority is in no system, which is this finding's.
                let why = match (first, last) {
                    (Some(f), _) if day < f => Some(format!("its first starts on {f}")),
                    (_, Some(Some(u))) if day > u => Some(format!("its last ended on {u}")),
                    _ => Some("the day falls between its dated shares".to_string()),
                };
                let b = self.model.block(a);
                if let Some(why) = why {
                    self.findings.push(
                    icg::finding(
                        icg::TYPOLOGY,
                        b.file,
                        b.header,
                        format!("no share of {} holds on {day}, the day checked: {why}", b.display()),
                    )
                    .help("add a `share` for the systems that serve the authority on that day (`from DATE`), or check the dates; until then it has no CCN type and no rule counts it in a system"),
                );
                }
            }
            // Shares of different systems whose days meet can add up to
            // more than 100% on days other than the one checked (a hand-over
            // a day late): reported whatever the day checked, on the first
            // such day. The sum changes only on a share's first or last day.
            if !dated.is_empty() && !overlap_reported {
                if let Some((day, sum, at)) = first_day_over(&percents) {
                    self.findings.push(
                        icg::finding(
                            icg::SHARE_OVERLAP,
                            b.file,
                            at,
                            format!(
                                "the population shares of {} add up to {}% on {day}: the days of its shares of different systems meet",
                                b.display(),
                                syntax::fmt_num(sum)
                            ),
                        )
                        .help("end each share the day before the next one starts (`until DATE`, then `from` the next day), so that on every day the shares add up to 100%"),
                    );
                }
            }
            if total > 100.5 {
                let on = on_day(&self.model, a);
                let f = icg::finding(icg::SHARES, b.file, b.header, format!("the population shares of {} add up to {}%{on}", b.display(), syntax::fmt_num(total)))
                    .help("shares are the percentage of the authority's population in each system; together they cannot exceed 100%");
                self.findings.push(f);
            }
        }
    }
}

/// ` on 2026-04-01`, the day checked, for a sum of an authority's shares
/// when some of them are dated (the sum is the one of that day).
fn on_day(model: &Model, a: BlockId) -> String {
    let dated = model
        .block(a)
        .attrs("share")
        .any(|s| matches!(&s.value, Val::Tuple(v) if Period::of_share(v).is_dated()));
    if dated {
        format!(" on {}", model.day())
    } else {
        String::new()
    }
}

/// The first day (a share's first or last day, where the sum changes) on
/// which the shares in force, each system counted once with its first
/// share, add up to more than 100.5%, with that sum and the span of the
/// share in force that starts last.
fn first_day_over(shares: &[(&str, Period, f64, Span)]) -> Option<(Date, f64, Span)> {
    let mut days: Vec<Date> = shares
        .iter()
        .flat_map(|(_, p, _, _)| [p.from, p.until])
        .flatten()
        .collect();
    days.sort_by_key(|d| d.day_number());
    days.dedup();
    days.into_iter().find_map(|day| {
        let mut seen: Vec<&str> = Vec::new();
        let mut sum = 0.0;
        // The share that starts last among those in force: the one whose
        // days meet the others'.
        let mut latest: Option<(Option<i64>, Span)> = None;
        let (mut ending, mut starting) = (None, None);
        for (name, p, pc, span) in shares {
            if p.contains(day) && !seen.contains(name) {
                seen.push(name);
                sum += pc;
                let from = p.from.map(|d| d.day_number());
                if latest.is_none_or(|(f, _)| from >= f) {
                    latest = Some((from, *span));
                }
                if p.until.is_some() {
                    ending = Some(*name);
                }
                if p.from.is_some() {
                    starting = Some(*name);
                }
            }
        }
        let (_, at) = latest?;
        // A hand-over: a share that ends and another system's that starts
        // are both in force. Shares that only start (and add up to over
        // 100% from then on) are ICG006's, on the day checked.
        let handover = matches!((ending, starting), (Some(e), Some(s)) if e != s);
        (sum > 100.5 && handover).then_some((day, sum, at))
    })
}

/// The first run of days, between the first and the last of `periods`,
/// that none of them covers (`from` and `until` of the gap both
/// included), if there is one.
fn first_gap(periods: &[Period]) -> Option<Period> {
    let mut sorted = periods.to_vec();
    // An open start sorts first.
    sorted.sort_by_key(|p| p.from.map(|d| d.day_number()));
    let mut covered_until: Option<i64> = match sorted.first()?.until {
        None => return None,
        Some(u) => Some(u.day_number()),
    };
    for p in &sorted[1..] {
        let end = covered_until?;
        if let Some(f) = p.from {
            if f.day_number() > end + 1 {
                return Some(Period {
                    from: Some(Date::from_day_number(end + 1)),
                    until: Some(Date::from_day_number(f.day_number() - 1)),
                });
            }
        }
        covered_until = p.until.map(|u| end.max(u.day_number()));
    }
    None
}

/// ICG014: a typology that cannot be decided, or that rests on a workspace
/// describing only part of the authority's population.
fn typology_note(model: &Model, a: BlockId, t: &Typology, note: &Note) -> Finding {
    let b = model.block(a);
    match note {
        Note::Incomplete => icg::finding(
            icg::TYPOLOGY,
            b.file,
            b.header,
            format!(
                "the shares of {} add up to {}%{}; {}% is in no system named here",
                b.display(),
                syntax::fmt_num(100.0 - t.remainder),
                on_day(model, a),
                syntax::fmt_num(t.remainder)
            ),
        )
        .help(
            "its CCN type counts the rest as one further system; add a `share` \
             for each system that serves the authority, or leave it if the \
             workspace describes only part of the area",
        ),
        Note::MissingPopulation(missing) => {
            // A note holds one more than it names when there are more.
            let more = missing.len() > super::typology::NAMED;
            let missing = &missing[..missing.len().min(super::typology::NAMED)];
            let mut names: Vec<String> = missing
                .iter()
                .map(|m| model.block(*m).display().to_string())
                .collect();
            if more {
                names.push("other authorities".to_string());
            }
            let mut f = icg::finding(
                icg::TYPOLOGY,
                b.file,
                b.header,
                format!(
                    "the CCN type of {} cannot be decided: the population of {} is not stated",
                    b.display(),
                    crate::text::and_list(&names)
                ),
            )
            .help("add `population` to each authority named; a type is never guessed");
            for m in missing.iter().filter(|m| **m != a) {
                f = f.label(
                    model.block(*m).file,
                    model.block(*m).header,
                    "no `population` here",
                );
            }
            f
        }
    }
}

fn populations(model: &Model, findings: &mut Vec<Finding>) {
    for s in model.of_kind("system") {
        let b = model.block(s);
        let Some(attr) = b.attr("population") else {
            continue;
        };
        let Val::Num(stated) = attr.value else {
            continue;
        };
        // A sum that leaves out a council without a population is no sum to
        // compare: ICG014 names the missing population instead.
        let Ok(computed) = typology::population_from_authorities(model, s) else {
            continue;
        };
        if computed > 0.0 && stated > 0.0 && ((stated - computed).abs() / stated) > 0.02 {
            findings.push(
                icg::finding(icg::POPULATION, b.file, attr.span, format!("{} states a population of {}, but its authorities' shares add up to {}", b.display(), crate::text::thousands(stated), crate::text::thousands(computed.round())))
                    .help("check the `population` of the system and the `population` and `share` of each authority"),
            );
        }
    }
}

/// Largest integer an `f64` holds exactly (2^53): beyond it, figures are rounded.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// Why a well-typed value is impossible for its key, if it is: a duration
/// that is not a positive whole number of units, a negative population or
/// amount, a share outside 0–100%, a figure too large to hold exactly.
fn out_of_range(key: &str, v: &Val) -> Option<String> {
    match v {
        Val::Duration(d) if d.amount <= 0.0 || d.amount.fract() != 0.0 => Some(format!(
            "must be a positive whole number of days, weeks, months or years \
             (write 18 months, not 1.5 years), found {}",
            syntax::fmt_num(d.amount)
        )),
        Val::Num(n) if n.abs() > EXACT_INT => Some(format!(
            "is too large to be checked exactly: {} (the largest is 9,007,199,254,740,992)",
            syntax::fmt_num(*n)
        )),
        Val::Num(n) if *n < 0.0 => {
            Some(format!("cannot be negative, found {}", syntax::fmt_num(*n)))
        }
        Val::Money(m) if *m < 0.0 => Some(format!(
            "cannot be a negative amount, found {}",
            syntax::fmt_num(*m)
        )),
        // `change` is signed: a reduction is negative, but by at most 100%.
        Val::Percent(p) if key == "change" && *p < -100.0 => Some(format!(
            "cannot fall by more than 100%, found {}%",
            syntax::fmt_num(*p)
        )),
        Val::Percent(p) if key != "change" && !(0.0..=100.0).contains(p) => Some(format!(
            "must be between 0% and 100%, found {}%",
            syntax::fmt_num(*p)
        )),
        Val::Tuple(items) => items.iter().find_map(|i| out_of_range(key, i)),
        _ => None,
    }
}

/// Whether another of `candidates` is as near to `word` as `s`, the
/// suggestion made: a did-you-mean that had to choose is a guess.
fn ambiguous<'a>(word: &str, s: &str, candidates: impl IntoIterator<Item = &'a str>) -> bool {
    let d = schema::levenshtein(word, s);
    schema::suggest(word, candidates.into_iter().filter(|c| *c != s))
        .is_some_and(|c| schema::levenshtein(word, c) == d)
}
