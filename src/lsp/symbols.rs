//! What hover, definition, completion and workspace symbols read of the
//! model: every block that has an ID (its kind, name, file and header),
//! by file, and which block each ID resolves to. A re-check of a part of
//! the workspace (see `scope`) lowers a model of the part's files; their
//! entries are replaced from it, and every other file's are kept: those
//! files are unchanged, and no ID links them to the part (before or after
//! the edit), so the whole workspace's model would give them the same
//! entries. A request after an edit then reads the index at once instead
//! of lowering the whole workspace again (33–49 ms at 10×).
//!
//! The index equals, entry for entry and in the same order, the one built
//! from a fresh load's model (`tests/lsp.rs` checks it after every edit of
//! random sequences).

use crate::model::{Model, Str};
use crate::source::{FileId, Span};
use std::collections::HashMap;

/// A block that has an ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub id: Str,
    pub name: Option<Str>,
    pub kind: &'static str,
    pub file: FileId,
    pub header: Span,
    /// A top-level block (not nested in another).
    pub top: bool,
    /// Whether its ident is an ID of the model (an `explain` block's is
    /// the rule it explains, which no reference resolves to).
    pub declares: bool,
}

impl Symbol {
    /// The display name, else the ID (as `model::Block::display`).
    pub fn display(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Default)]
pub struct Symbols {
    /// Each file's symbols, in the model's order.
    by_file: HashMap<FileId, Vec<Symbol>>,
    /// Each file's place in the workspace's order (the model's order of
    /// files).
    place: HashMap<FileId, usize>,
    /// Every declaration of each ID: (the file's place, the file, the
    /// symbol's index in its file). The first declared is the one a
    /// reference resolves to, as in the model (a second is ICG005).
    declared: HashMap<Str, Vec<(usize, FileId, usize)>>,
}

impl Symbols {
    /// The symbols of a model of the workspace's `files` (in its order).
    pub fn of(model: &Model, files: &[FileId]) -> Symbols {
        let mut s = Symbols {
            place: files.iter().enumerate().map(|(i, f)| (*f, i)).collect(),
            ..Symbols::default()
        };
        for (file, symbols) in by_file(model) {
            s.insert(file, symbols);
        }
        s
    }

    /// Replaces the symbols of `part` (files of the workspace, none added
    /// or removed) with those of `new`, the symbols of a model of the part
    /// alone.
    pub fn replace_with(&mut self, part: &[FileId], new: Symbols) {
        for f in part {
            let Some(old) = self.by_file.remove(f) else {
                continue;
            };
            for s in old.iter().filter(|s| s.declares) {
                if let Some(v) = self.declared.get_mut(&s.id) {
                    v.retain(|(_, file, _)| file != f);
                    if v.is_empty() {
                        self.declared.remove(&s.id);
                    }
                }
            }
        }
        for (file, symbols) in new.by_file {
            if part.contains(&file) {
                self.insert(file, symbols);
            }
        }
    }

    fn insert(&mut self, file: FileId, symbols: Vec<Symbol>) {
        let place = self.place.get(&file).copied().unwrap_or(usize::MAX);
        for (i, s) in symbols.iter().enumerate().filter(|(_, s)| s.declares) {
            self.declared
                .entry(s.id.clone())
                .or_default()
                .push((place, file, i));
        }
        self.by_file.insert(file, symbols);
    }

    /// The block a reference to `id` resolves to.
    pub fn resolve(&self, id: &str) -> Option<&Symbol> {
        let &(_, file, i) = self.declared.get(id)?.iter().min()?;
        self.by_file.get(&file)?.get(i)
    }

    /// Every symbol, in the model's order (files in the workspace's order,
    /// blocks in each file's).
    pub fn all(&self) -> impl Iterator<Item = &Symbol> {
        let mut files: Vec<(usize, FileId)> = self
            .by_file
            .keys()
            .map(|f| (self.place.get(f).copied().unwrap_or(usize::MAX), *f))
            .collect();
        files.sort_unstable();
        files
            .into_iter()
            .flat_map(move |(_, f)| self.by_file[&f].iter())
    }
}

/// The symbols of each file of a model, in its order.
fn by_file(model: &Model) -> HashMap<FileId, Vec<Symbol>> {
    let mut out: HashMap<FileId, Vec<Symbol>> = HashMap::new();
    for b in &model.blocks {
        let Some(id) = &b.id else { continue };
        out.entry(b.file).or_default().push(Symbol {
            id: id.clone(),
            name: b.name.clone(),
            kind: b.kind.as_str(),
            file: b.file,
            header: b.header.into(),
            top: b.parent.is_none(),
            declares: b.kind != "explain",
        });
    }
    out
}
