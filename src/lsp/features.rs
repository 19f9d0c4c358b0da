//! Hover, navigation, symbols, folding and completion, read from the AST
//! (with spans), the model (resolved references) and the schema (as data).

use super::position::LineIndex;
use super::symbols::Symbols;
use super::uri;
use crate::catalogue;
use crate::diagnostic::Finding;
use crate::model::schema::{self, KindSpec, Ty, Vocab};
use crate::source::{FileId, Span};
use crate::syntax::{Attr, Block, Value, ValueKind};
use crate::workspace::Workspace;
use lsp_types::{
    CompletionItem, CompletionItemKind, DocumentSymbol, Documentation, FoldingRange,
    FoldingRangeKind, Location, MarkupContent, MarkupKind, SymbolKind, WorkspaceSymbol,
};

/// What is under the cursor.
#[derive(Debug)]
pub enum Node<'a> {
    Kind(&'a Block),
    Id(&'a Block),
    Key(&'a str, &'a Attr),
    Word {
        kind: &'a str,
        key: &'a str,
        word: &'a str,
    },
    Ref(&'a str),
}

fn inside(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The innermost node at `offset` of a file.
pub fn node_at(ws: &Workspace, file: FileId, offset: usize) -> Option<Node<'_>> {
    let parsed = ws.parsed.get(&file)?;
    let mut blocks = &parsed.file.blocks;
    'descend: loop {
        for b in blocks {
            if !inside(b.span, offset) {
                continue;
            }
            if inside(b.kind.span, offset) {
                return Some(Node::Kind(b));
            }
            if b.id.as_ref().is_some_and(|i| inside(i.span, offset)) {
                return Some(Node::Id(b));
            }
            for a in &b.attrs {
                if inside(a.key.span, offset) {
                    return Some(Node::Key(&b.kind.text, a));
                }
                if let Some(n) = value_at(&b.kind.text, &a.key.text, &a.values, offset) {
                    return Some(n);
                }
            }
            blocks = &b.children;
            continue 'descend;
        }
        return None;
    }
}

fn value_at<'a>(
    kind: &'a str,
    key: &'a str,
    values: &'a [Value],
    offset: usize,
) -> Option<Node<'a>> {
    for v in values {
        if !inside(v.span, offset) {
            continue;
        }
        match &v.kind {
            ValueKind::Word(w) => return Some(Node::Word { kind, key, word: w }),
            ValueKind::Ref(r) => return Some(Node::Ref(r)),
            ValueKind::List(items) => return value_at(kind, key, items, offset),
            _ => {}
        }
    }
    None
}

fn key_doc(spec: &KindSpec, key: &str) -> Option<String> {
    let k = spec.key(key)?;
    Some(format!(
        "`{key}` in {} `{}` block: {}{}",
        schema::article(spec.name),
        spec.name,
        k.ty.example(),
        if k.repeatable {
            " (may be repeated)"
        } else {
            ""
        }
    ))
}

pub fn kind_doc(spec: &KindSpec) -> String {
    let mut s = format!("**{}**: {}", spec.name, spec.doc);
    if !spec.parents.is_empty() {
        s.push_str(&format!("\n\nGoes inside: {}", spec.parents.join(", ")));
    }
    if !spec.keys.is_empty() {
        s.push_str("\n\nKeys:");
        for k in spec.keys {
            s.push_str(&format!("\n* `{}`: {}", k.name, k.ty.example()));
        }
    }
    if !spec.children.is_empty() {
        s.push_str(&format!("\n\nBlocks inside: {}", spec.children.join(", ")));
    }
    s
}

/// A location: a block's header, in its file.
fn block_location(ws: &Workspace, file: FileId, span: Span) -> Option<Location> {
    let text = &ws.sources.get(file).text;
    Some(Location::new(
        uri::of_file(ws, file)?,
        LineIndex::new(text).range(text, span),
    ))
}

/// The hover text at `offset`: a finding there (its message and the rule's
/// explanation, the same text as `icslint explain`), else the schema's
/// meaning of the kind, key or word, else the block a reference names.
/// Markdown, every text from the input escaped (`safe::markdown`), and no
/// control character raw (an editor in a terminal prints it there).
pub fn hover(
    ws: &Workspace,
    symbols: &Symbols,
    findings: &[Finding],
    file: FileId,
    offset: usize,
) -> Option<String> {
    hover_text(ws, symbols, findings, file, offset).map(|h| crate::safe::terminal(&h).into_owned())
}

fn hover_text(
    ws: &Workspace,
    symbols: &Symbols,
    findings: &[Finding],
    file: FileId,
    offset: usize,
) -> Option<String> {
    let here: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.file == file
                && (f.span.start <= offset && offset < f.span.end
                    || f.span.is_empty() && f.span.start == offset)
        })
        .collect();
    // Every text from the documents or a pack is Markdown-escaped
    // (`safe::markdown`): a hover is rendered, and a name must not become
    // a link, an image or HTML. The rule's explanation is a code block
    // its text cannot close (`safe::code_fence`).
    use crate::safe::{code_fence, code_span, markdown as md};
    if !here.is_empty() {
        let mut s = String::new();
        for f in here {
            s.push_str(&format!(
                "**{} {}** ({}): {}\n\n",
                md(&f.rule),
                md(&f.name),
                if f.is_explained() {
                    "explained"
                } else {
                    f.severity.as_str()
                },
                md(&f.message)
            ));
            if let Some(e) = f.explanation.as_ref().filter(|_| f.is_explained()) {
                s.push_str(&format!("{}\n\n", md(&crate::report::explained_text(e))));
            }
            if let Some(h) = &f.help {
                s.push_str(&format!("help: {}\n\n", md(h)));
            }
            if let Some(c) = &f.citation {
                s.push_str(&format!("{}\n\n", md(&crate::report::citation_text(c))));
            }
            if let Some(p) = &f.provenance {
                s.push_str(&format!(
                    "source: {}\n\n",
                    md(&format!("{}, {}: {}", p.source, p.reference, p.summary))
                ));
            }
            if let Some(e) = catalogue::find(ws, &f.rule) {
                s.push_str(&code_fence(&e.explain()));
                s.push('\n');
            }
        }
        return Some(s.trim_end().to_string());
    }
    match node_at(ws, file, offset)? {
        Node::Kind(b) => schema::kind(&b.kind.text).map(kind_doc),
        Node::Id(b) => Some(format!(
            "{} {}{}",
            b.kind.text,
            code_span(&b.id.as_ref()?.text),
            b.name
                .as_ref()
                .map_or(String::new(), |(n, _)| format!(": \"{}\"", md(n)))
        )),
        Node::Key(kind, a) => key_doc(schema::kind(kind)?, &a.key.text),
        Node::Word {
            kind, key, word, ..
        } => {
            let spec = schema::kind(kind)?;
            let k = spec.key(key)?;
            let allowed = match k.ty {
                Ty::Word(Vocab::Closed(_)) | Ty::Words(Vocab::Closed(_)) => {
                    format!("`{key}` takes {}", k.ty.example())
                }
                Ty::Bool => format!("`{key}` takes yes or no"),
                _ => format!("`{key}` takes {}", k.ty.example()),
            };
            Some(format!("{}: {allowed}", code_span(word)))
        }
        Node::Ref(name) => {
            let Some(blk) = symbols.resolve(name) else {
                return Some(format!(
                    "{}: no block in the workspace has this ID",
                    code_span(&format!("@{name}"))
                ));
            };
            let src = ws.sources.get(blk.file);
            Some(format!(
                "{} {}: {}\n\n{}",
                blk.kind,
                code_span(name),
                md(blk.display()),
                md(&format!(
                    "{}:{}",
                    src.path.display(),
                    src.line_of(blk.header.start)
                ))
            ))
        }
    }
}

/// The block an `@reference` (or a block's own ID) at `offset` names.
pub fn definition(
    ws: &Workspace,
    symbols: &Symbols,
    file: FileId,
    offset: usize,
) -> Option<Location> {
    let name = match node_at(ws, file, offset)? {
        Node::Ref(name) => name,
        Node::Id(b) => &b.id.as_ref()?.text,
        _ => return None,
    };
    let blk = symbols.resolve(name)?;
    block_location(ws, blk.file, blk.header)
}

fn refs_in(values: &[Value], name: &str, out: &mut Vec<Span>) {
    for v in values {
        match &v.kind {
            ValueKind::Ref(r) if r == name => out.push(v.span),
            ValueKind::List(items) => refs_in(items, name, out),
            _ => {}
        }
    }
}

fn refs_in_blocks(blocks: &[Block], name: &str, decl: bool, out: &mut Vec<Span>) {
    for b in blocks {
        if decl {
            if let Some(i) = b.id.as_ref().filter(|i| i.text == name) {
                out.push(i.span);
            }
        }
        for a in &b.attrs {
            refs_in(&a.values, name, out);
        }
        refs_in_blocks(&b.children, name, decl, out);
    }
}

/// Every `@reference` to the ID under the cursor, across the workspace.
pub fn references(ws: &Workspace, file: FileId, offset: usize, decl: bool) -> Vec<Location> {
    let name = match node_at(ws, file, offset) {
        Some(Node::Ref(name)) => name.to_string(),
        Some(Node::Id(b)) => b.id.as_ref().map_or(String::new(), |i| i.text.clone()),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for &f in &ws.files {
        let Some(p) = ws.parsed.get(&f) else { continue };
        let mut spans = Vec::new();
        refs_in_blocks(&p.file.blocks, &name, decl, &mut spans);
        if spans.is_empty() {
            continue;
        }
        let Some(u) = uri::of_file(ws, f) else {
            continue;
        };
        let text = &ws.sources.get(f).text;
        let ix = LineIndex::new(text);
        out.extend(
            spans
                .into_iter()
                .map(|s| Location::new(u.clone(), ix.range(text, s))),
        );
    }
    out
}

fn symbol_kind(kind: &str, top: bool) -> SymbolKind {
    match kind {
        "system" => SymbolKind::NAMESPACE,
        "authority" => SymbolKind::OBJECT,
        "member" => SymbolKind::FIELD,
        _ if top => SymbolKind::CLASS,
        _ => SymbolKind::STRUCT,
    }
}

fn title(b: &Block) -> String {
    match (&b.name, &b.id) {
        (Some((n, _)), _) => n.clone(),
        (None, Some(i)) => i.text.clone(),
        (None, None) => b.kind.text.clone(),
    }
}

/// The outline: blocks, nested.
pub fn document_symbols(ws: &Workspace, file: FileId) -> Vec<DocumentSymbol> {
    let Some(p) = ws.parsed.get(&file) else {
        return Vec::new();
    };
    let text = &ws.sources.get(file).text;
    let ix = LineIndex::new(text);
    fn go(blocks: &[Block], top: bool, text: &str, ix: &LineIndex) -> Vec<DocumentSymbol> {
        blocks
            .iter()
            .map(|b| {
                #[allow(deprecated)]
                DocumentSymbol {
                    name: crate::safe::terminal(&title(b)).into_owned(),
                    detail: Some(match &b.id {
                        Some(i) => format!("{} {}", b.kind.text, i.text),
                        None => b.kind.text.clone(),
                    }),
                    kind: symbol_kind(&b.kind.text, top),
                    tags: None,
                    deprecated: None,
                    range: ix.range(text, b.span),
                    selection_range: ix.range(text, b.header),
                    children: Some(go(&b.children, false, text, ix)),
                }
            })
            .collect()
    }
    go(&p.file.blocks, true, text, &ix)
}

/// Blocks of the whole workspace whose ID or name contains the query (any case).
pub fn workspace_symbols(ws: &Workspace, symbols: &Symbols, query: &str) -> Vec<WorkspaceSymbol> {
    let q = query.to_lowercase();
    let mut out = Vec::new();
    for blk in symbols.all() {
        let id = &blk.id;
        let hit = id.to_lowercase().contains(&q)
            || blk
                .name
                .as_ref()
                .is_some_and(|n| n.to_lowercase().contains(&q));
        if !hit {
            continue;
        }
        let Some(loc) = block_location(ws, blk.file, blk.header) else {
            continue;
        };
        out.push(WorkspaceSymbol {
            name: crate::safe::terminal(blk.display()).into_owned(),
            kind: symbol_kind(blk.kind, blk.top),
            tags: None,
            container_name: Some(format!("{} {id}", blk.kind)),
            location: lsp_types::OneOf::Left(loc),
            data: None,
        });
        if out.len() >= 500 {
            break;
        }
    }
    out
}

/// Blocks and texts that span several lines.
pub fn folding_ranges(ws: &Workspace, file: FileId) -> Vec<FoldingRange> {
    let Some(p) = ws.parsed.get(&file) else {
        return Vec::new();
    };
    let src = ws.sources.get(file);
    let mut out = Vec::new();
    let mut add = |span: Span, kind: Option<FoldingRangeKind>| {
        let (a, b) = (
            src.line_of(span.start),
            src.line_of(span.end.max(span.start + 1) - 1),
        );
        if b > a {
            out.push(FoldingRange {
                start_line: a as u32 - 1,
                end_line: b as u32 - 1,
                kind,
                ..FoldingRange::default()
            });
        }
    };
    fn walk(blocks: &[Block], add: &mut dyn FnMut(Span, Option<FoldingRangeKind>)) {
        for b in blocks {
            add(b.span, Some(FoldingRangeKind::Region));
            for a in &b.attrs {
                for v in &a.values {
                    if matches!(v.kind, ValueKind::Text(_)) {
                        add(v.span, None);
                    }
                }
            }
            walk(&b.children, add);
        }
    }
    walk(&p.file.blocks, &mut add);
    // Runs of comment lines.
    let mut run: Option<(usize, usize)> = None;
    for c in p.comments.iter().filter(|c| c.own_line) {
        let l = src.line_of(c.span.start);
        run = match run {
            Some((a, b)) if b + 1 == l => Some((a, l)),
            Some((a, b)) => {
                if b > a {
                    out.push(comment_fold(a, b));
                }
                Some((l, l))
            }
            None => Some((l, l)),
        };
    }
    if let Some((a, b)) = run.filter(|(a, b)| b > a) {
        out.push(comment_fold(a, b));
    }
    out
}

fn comment_fold(a: usize, b: usize) -> FoldingRange {
    FoldingRange {
        start_line: a as u32 - 1,
        end_line: b as u32 - 1,
        kind: Some(FoldingRangeKind::Comment),
        ..FoldingRange::default()
    }
}

/// Where the cursor is, read from the text alone (it may not parse while
/// being typed): the kinds of the enclosing blocks, and the statement so
/// far on this line.
struct Context<'a> {
    kinds: Vec<String>,
    statement: &'a str,
}

fn context(text: &str, offset: usize) -> Context<'_> {
    let bytes = text.as_bytes();
    let mut kinds: Vec<String> = Vec::new();
    let mut stmt_start = 0;
    let mut i = 0;
    while i < offset {
        match bytes[i] {
            b'#' => {
                while i < offset && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                let triple = text[i..].starts_with("\"\"\"");
                let close = if triple { "\"\"\"" } else { "\"" };
                let from = i + close.len();
                match text[from..].find(close) {
                    Some(n) if from + n + close.len() <= offset => {
                        i = from + n + close.len();
                        continue;
                    }
                    // The cursor is inside a string: nothing to complete.
                    _ => {
                        return Context {
                            kinds,
                            statement: "\"",
                        }
                    }
                }
            }
            b'{' => {
                let head = text[stmt_start..i].split_whitespace().next().unwrap_or("");
                kinds.push(head.to_string());
                stmt_start = i + 1;
            }
            b'}' => {
                kinds.pop();
                stmt_start = i + 1;
            }
            b';' | b'\n' => stmt_start = i + 1,
            _ => {}
        }
        i += 1;
    }
    Context {
        kinds,
        statement: &text[stmt_start..offset],
    }
}

fn item(label: &str, kind: CompletionItemKind, doc: String) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        documentation: Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: crate::safe::terminal(&doc).into_owned(),
        })),
        ..CompletionItem::default()
    }
}

/// Completions at `offset`: block kinds where a block may start, the keys
/// of the enclosing kind, the listed words a key takes, and `@references`
/// to blocks of the kinds a key accepts.
pub fn completion(symbols: &Symbols, text: &str, offset: usize) -> Vec<CompletionItem> {
    let cx = context(text, offset);
    if cx.statement.starts_with('"')
        || cx.statement.contains('"') && cx.statement.matches('"').count() % 2 == 1
    {
        return Vec::new();
    }
    let enclosing = cx.kinds.last().and_then(|k| schema::kind(k));
    let words: Vec<&str> = cx.statement.split_whitespace().collect();
    let at_word_start = cx.statement.is_empty() || cx.statement.ends_with(char::is_whitespace);
    let first = words.len() + usize::from(at_word_start) <= 1;
    let mut out = Vec::new();
    if first {
        match (cx.kinds.last(), enclosing) {
            (None, _) => {
                for k in schema::KINDS.iter().filter(|k| k.top_level()) {
                    out.push(item(k.name, CompletionItemKind::CLASS, kind_doc(k)));
                }
            }
            (Some(_), Some(spec)) => {
                for k in spec.keys {
                    out.push(item(
                        k.name,
                        CompletionItemKind::FIELD,
                        key_doc(spec, k.name).unwrap_or_default(),
                    ));
                }
                for c in spec.children.iter().filter_map(|c| schema::kind(c)) {
                    out.push(item(c.name, CompletionItemKind::CLASS, kind_doc(c)));
                }
            }
            (Some(_), None) => {}
        }
        return out;
    }
    let (Some(spec), Some(key)) = (enclosing, words.first()) else {
        return out;
    };
    let Some(k) = spec.key(key) else { return out };
    let refs: Option<&[&str]> = match k.ty {
        Ty::Ref(kinds) | Ty::Refs(kinds) => Some(kinds),
        Ty::RefPercent => Some(&["system"]),
        Ty::RefStr => Some(&[]),
        _ => None,
    };
    let doc = key_doc(spec, key).unwrap_or_default();
    // A share's values: `@system PERCENT`, then `from DATE` and `until
    // DATE`. Only the first is a reference; after the percentage, the
    // words of a period not yet written.
    if k.ty == Ty::RefPercent {
        let done = words.len() - usize::from(!at_word_start);
        if done >= 3 && done % 2 == 1 {
            for w in ["from", "until"] {
                if !words[..done].contains(&w) {
                    out.push(item(
                        w,
                        CompletionItemKind::KEYWORD,
                        format!("`{w} DATE`: the share holds {} that day (YYYY-MM-DD), the day included\n\n{doc}", if w == "from" { "from" } else { "until" }),
                    ));
                }
            }
        }
        if done != 1 {
            return out;
        }
    }
    match (k.ty, refs) {
        (Ty::Word(Vocab::Closed(ws_)), _) | (Ty::Words(Vocab::Closed(ws_)), _) => {
            for w in ws_ {
                out.push(item(w, CompletionItemKind::ENUM_MEMBER, doc.clone()));
            }
        }
        (Ty::Bool, _) => {
            for w in ["yes", "no"] {
                out.push(item(w, CompletionItemKind::KEYWORD, doc.clone()));
            }
        }
        (Ty::OneOfYears(years), _) => {
            for y in years {
                let what = crate::model::regime::Regime::from_year(*y)
                    .map_or("", crate::model::regime::Regime::describe);
                out.push(item(
                    &y.to_string(),
                    CompletionItemKind::ENUM_MEMBER,
                    format!("{what}\n\n{doc}"),
                ));
            }
        }
        (_, Some(kinds)) => {
            let typed_at = cx
                .statement
                .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
                .ends_with('@');
            for b in symbols.all() {
                let id = &b.id;
                if !kinds.is_empty() && !kinds.contains(&b.kind) {
                    continue;
                }
                let mut it = item(
                    &format!("@{id}"),
                    CompletionItemKind::REFERENCE,
                    format!(
                        "{} {}: {}\n\n{doc}",
                        b.kind,
                        crate::safe::code_span(id),
                        crate::safe::markdown(b.display())
                    ),
                );
                it.detail = Some(
                    crate::safe::terminal(&format!("{}: {}", b.kind, b.display())).into_owned(),
                );
                // After a typed `@`, insert the ID alone.
                if typed_at {
                    it.insert_text = Some(id.to_string());
                    it.filter_text = Some(id.to_string());
                }
                out.push(it);
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn syms(w: &Workspace) -> Symbols {
        Symbols::of(&w.model, &w.files)
    }

    fn ws(text: &str) -> Workspace {
        Workspace::from_texts(&[("/t/a.icg", text)], Config::default())
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn completes_kinds_keys_words_and_references() {
        let text = "icb i \"I\" {\n    system @s\n    member \"C\" {\n        role \n    }\n}\nauthority a \"A\" { share @s 10% }\n";
        let w = ws(text);
        let top = completion(&syms(&w), text, 0);
        assert!(
            !w.findings.is_empty(),
            "the file does not parse: `role` has no value"
        );
        assert!(labels(&top).contains(&"icb") && !labels(&top).contains(&"member"));
        let in_icb = text.find("    member").unwrap();
        let keys = completion(&syms(&w), text, in_icb + 4);
        assert!(labels(&keys).contains(&"membership_review"));
        assert!(labels(&keys).contains(&"committee"));
        let role = text.find("role ").unwrap() + 5;
        let roles = completion(&syms(&w), text, role);
        assert!(labels(&roles).contains(&"chair"));
        assert!(labels(&roles).contains(&"non_executive"));
        // References come from the model: the other files parse.
        let other = "system s \"S\" {}\nauthority a \"A\" { share @s 10% }\n";
        let w = Workspace::from_texts(
            &[("/t/a.icg", text), ("/t/b.icg", other)],
            Config::default(),
        );
        let sys = text.find("system @s").unwrap() + "system @".len();
        let refs = completion(&syms(&w), text, sys);
        assert_eq!(labels(&refs), ["@s"]);
        assert_eq!(refs[0].insert_text.as_deref(), Some("s"));
    }

    /// The third edition's keys come from the schema like every other:
    /// completed in their kinds, their listed words offered, hover says
    /// what they take.
    #[test]
    fn completes_and_hovers_the_third_editions_keys() {
        let text = "strategy j \"J\" {\n    type joint_forward_plan\n    contents [health_services, \n}\nicp p \"P\" {\n    quorum 2\n    member \"Chair\" { role chair }\n}\n";
        let w = ws(text);
        let in_strategy = text.find("    type").unwrap() + 4;
        let keys = completion(&syms(&w), text, in_strategy);
        for key in ["pooled_arrangements", "involved", "contents"] {
            assert!(labels(&keys).contains(&key), "{key}: {:?}", labels(&keys));
        }
        let listed = text.find("health_services, ").unwrap() + "health_services, ".len();
        let words = completion(&syms(&w), text, listed);
        assert_eq!(labels(&words), schema::JFP_CONTENTS);
        let in_icp = text.find("    quorum").unwrap() + 4;
        assert!(labels(&completion(&syms(&w), text, in_icp)).contains(&"quorum"));
        let in_member = text.find("role chair").unwrap();
        let member_keys = completion(&syms(&w), text, in_member);
        assert!(labels(&member_keys).contains(&"removable_by"));
        assert!(labels(&member_keys).contains(&"removal_approved_by"));
        let valid = "system s \"S\" { regime 2022 }\nicp p \"P\" { system @s; quorum 2 }\nstrategy i \"I\" { system @s; type integrated_care_strategy; pooled_arrangements considered }\n";
        let w = ws(valid);
        let h = hover(
            &w,
            &syms(&w),
            &[],
            w.files[0],
            valid.find("quorum").unwrap(),
        )
        .unwrap();
        assert!(h.contains("a whole number"), "{h}");
        let at = valid.find("considered").unwrap();
        let h = hover(&w, &syms(&w), &[], w.files[0], at).unwrap();
        assert!(h.contains("`not_considered`"), "{h}");
    }

    /// After a share's percentage come the words of its days, not
    /// references; a hover anywhere on a dated share still works.
    #[test]
    fn completes_a_shares_days() {
        let text = "system s \"S\" {}\nauthority a \"A\" {\n    share @s 10% from 2026-04-01 \n    share @s 5% until 2026-03-31\n}\n";
        let w = ws(text);
        let line = text.find("share @s 10%").unwrap();
        let at = |after: &str| line + text[line..].find(after).unwrap() + after.len();
        assert_eq!(labels(&completion(&syms(&w), text, at("share @"))), ["@s"]);
        assert_eq!(
            labels(&completion(&syms(&w), text, at("10% "))),
            ["from", "until"]
        );
        assert_eq!(
            labels(&completion(&syms(&w), text, at("2026-04-01 "))),
            ["until"]
        );
        assert!(completion(&syms(&w), text, at("from ")).is_empty());
        let key = text.find("share @s 5%").unwrap();
        let h = hover(&w, &syms(&w), &[], w.files[0], key).unwrap();
        assert!(h.contains("share"), "{h}");
        let until = text.find("until").unwrap() + 1;
        let _ = hover(&w, &syms(&w), &[], w.files[0], until);
    }

    /// `regime ` completes to every regime, 2026 said to be provisional.
    #[test]
    fn completes_regimes() {
        let text = "system s \"S\" {\n    regime \n}\n";
        let at = text.find("regime ").unwrap() + "regime ".len();
        let items = completion(&syms(&ws(text)), text, at);
        assert_eq!(labels(&items), ["2022", "2025", "2026"]);
        let Some(Documentation::MarkupContent(doc)) = &items[2].documentation else {
            panic!("no documentation: {:?}", items[2]);
        };
        assert!(doc.value.contains("provisional, not law"), "{}", doc.value);
    }

    #[test]
    fn nothing_inside_a_string() {
        let text = "icb i \"NHS ";
        assert!(completion(&syms(&ws(text)), text, text.len()).is_empty());
    }

    #[test]
    fn hover_and_definition_of_a_reference() {
        let text = "system s \"Sé\" {}\nicb i \"I\" { system @s }\n";
        let w = ws(text);
        let at = text.find("@s").unwrap() + 1;
        let h = hover(&w, &syms(&w), &[], FileId(w.files[0].0), at).unwrap();
        assert!(h.starts_with("system `s`: Sé"), "{h}");
        let key = text.find("system @").unwrap();
        let h = hover(&w, &syms(&w), &[], w.files[0], key).unwrap();
        assert!(h.contains("a reference to `system`"), "{h}");
        let syms = document_symbols(&w, w.files[0]);
        assert_eq!(syms.len(), 2);
        assert_eq!(syms[0].name, "Sé");
    }

    /// Names are the document's words, and a hover is Markdown: link,
    /// image, autolink and HTML syntax in them must not act.
    #[test]
    fn hover_markdown_from_the_documents_is_inert() {
        let evil = "[x](javascript:alert(1)) ![t](http://tracker/p.png) <http://auto> <img src=x onerror=alert(1)> \u{1b}]52;c;SGVsbG8=\u{7}";
        let text = format!(
            "system s \"{evil}\" {{ regime 2022 }}\nicb i \"{evil}\" {{ system @s; agenda {{ strategic_share 40% }} }}\n"
        );
        let w = ws(&text);
        let findings = crate::engine::Engine::new(&w, crate::engine::Options::default()).run();
        let at = text.find("icb i").unwrap();
        let mut hovers = vec![hover(&w, &syms(&w), &findings, w.files[0], at).unwrap()];
        hovers.push(hover(&w, &syms(&w), &[], w.files[0], text.find("@s").unwrap() + 1).unwrap());
        hovers.push(hover(&w, &syms(&w), &[], w.files[0], text.find("i \"").unwrap()).unwrap());
        // A reference's completion documents the block it names, by name.
        let at = text.find("system @s").unwrap() + "system @".len();
        for it in completion(&syms(&w), &text, at) {
            if let Some(Documentation::MarkupContent(m)) = it.documentation {
                hovers.push(m.value);
            }
        }
        assert!(hovers.len() > 3, "no completion documented");
        let names = document_symbols(&w, w.files[0]).into_iter().map(|d| d.name);
        let names: Vec<String> = names
            .chain(
                workspace_symbols(&w, &syms(&w), "")
                    .into_iter()
                    .map(|d| d.name),
            )
            .collect();
        assert!(names.len() >= 4, "{names:?}");
        for n in names {
            assert!(!n.contains('\u{1b}'), "a symbol's name: {n:?}");
        }
        for h in hovers {
            assert!(h.contains("javascript:alert(1)"), "the name is shown: {h}");
            assert!(!h.contains('\u{1b}'), "{h:?}");
            for raw in ["[x](", "![t]", "<http", "<img"] {
                assert!(!h.contains(raw), "{raw} in {h}");
            }
        }
    }
}
