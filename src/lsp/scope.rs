//! Which files a re-check after an edit has to look at.
//!
//! Every link the model makes between blocks of different files goes
//! through an ID: a reference names it (`system @x`, `share @x 20%`,
//! `authority @x`), or two blocks declare it (ICG005). So two files can
//! affect each other's findings only if they are joined by a chain of
//! shared IDs, declared or referred to (resolved or not: declaring an ID
//! that another file refers to in vain joins the two). The files joined to
//! an edited file, before and after the edit, are its *part* of the
//! workspace; lowering and checking that part alone gives, for its files,
//! the findings a check of the whole workspace gives, provided no rule looks
//! beyond the links (a pack rule using `kinds(...)`) and no finding depends
//! on every ID of the workspace (the did-you-mean of an unknown reference).
//! [`super::world::World::refresh`] falls back to the whole workspace then.

use crate::source::FileId;
use crate::syntax::{self, ValueKind};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The IDs a file declares and the IDs it refers to, each sorted and once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub declared: Vec<String>,
    pub referenced: Vec<String>,
}

impl Names {
    pub fn of(file: &syntax::File) -> Names {
        fn values(vs: &[syntax::Value], out: &mut Vec<String>) {
            for v in vs {
                match &v.kind {
                    ValueKind::Ref(r) => out.push(r.clone()),
                    ValueKind::List(items) => values(items, out),
                    _ => {}
                }
            }
        }
        fn blocks(bs: &[syntax::Block], n: &mut Names) {
            for b in bs {
                // An explanation's ident is the rule it explains
                // (`explain CCN161 ...`), not an ID of the model: the
                // explanations of one rule in every system join nothing.
                if let Some(id) = b.id.as_ref().filter(|_| b.kind.text != "explain") {
                    n.declared.push(id.text.clone());
                }
                for a in &b.attrs {
                    values(&a.values, &mut n.referenced);
                }
                blocks(&b.children, n);
            }
        }
        let mut n = Names::default();
        blocks(&file.blocks, &mut n);
        for v in [&mut n.declared, &mut n.referenced] {
            v.sort_unstable();
            v.dedup();
        }
        n
    }

    fn all(&self) -> impl Iterator<Item = &String> {
        self.declared.iter().chain(&self.referenced)
    }
}

/// The names of every file, and the files that mention each name.
#[derive(Debug, Default)]
pub struct Graph {
    names: HashMap<FileId, Names>,
    files_of: HashMap<String, Vec<FileId>>,
}

impl Graph {
    /// Sets a file's names.
    pub fn set(&mut self, file: FileId, names: Names) {
        let old = self.names.remove(&file).unwrap_or_default();
        for n in old.all() {
            if let Some(v) = self.files_of.get_mut(n) {
                v.retain(|f| *f != file);
                if v.is_empty() {
                    self.files_of.remove(n);
                }
            }
        }
        for n in names.all() {
            let v = self.files_of.entry(n.clone()).or_default();
            if !v.contains(&file) {
                v.push(file);
            }
        }
        self.names.insert(file, names);
    }

    /// Forgets every file.
    pub fn clear(&mut self) {
        self.names.clear();
        self.files_of.clear();
    }

    /// The files joined to `file` by chains of shared names, `file` included.
    pub fn part(&self, file: FileId) -> BTreeSet<FileId> {
        let mut seen: BTreeSet<FileId> = BTreeSet::from([file]);
        let mut names_seen: HashSet<&str> = HashSet::new();
        let mut todo = vec![file];
        while let Some(f) = todo.pop() {
            let Some(names) = self.names.get(&f) else {
                continue;
            };
            for n in names.all() {
                if !names_seen.insert(n) {
                    continue;
                }
                for g in self.files_of.get(n).into_iter().flatten() {
                    if seen.insert(*g) {
                        todo.push(*g);
                    }
                }
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Names {
        Names::of(&syntax::parse(text).file)
    }

    #[test]
    fn names_of_a_file() {
        let n = names(
            "icb a \"A\" { system @s; committee c \"C\" { operational yes } }\n\
             authority x \"X\" { share @s 20%; share @t 80% }\n\
             strategy st \"S\" { owner @a; hwb_opinion [@h1, @h2] }\n",
        );
        assert_eq!(n.declared, ["a", "c", "st", "x"]);
        assert_eq!(n.referenced, ["a", "h1", "h2", "s", "t"]);
    }

    #[test]
    fn parts_follow_shared_names_both_ways() {
        let mut g = Graph::default();
        let f = |i| FileId(i);
        g.set(f(0), names("system s \"S\" { regime 2022 }\n"));
        g.set(f(1), names("icb i \"I\" { system @s }\n"));
        g.set(f(2), names("icp p \"P\" { system @s }\n"));
        g.set(f(3), names("system t \"T\" { regime 2022 }\n"));
        // A reference to an ID nobody declares still joins its files.
        g.set(f(4), names("place q \"Q\" { system @t; lead @nobody }\n"));
        g.set(f(5), names("place r \"R\" { system @u; lead @nobody }\n"));
        assert_eq!(g.part(f(1)), BTreeSet::from([f(0), f(1), f(2)]));
        assert_eq!(g.part(f(5)), BTreeSet::from([f(3), f(4), f(5)]));
        // Declaring `u` joins f(5) to f(3); a new reference joins two parts,
        // and removing it parts them again.
        g.set(
            f(3),
            names("system t \"T\" { regime 2022 }\nsystem u \"U\" {}\n"),
        );
        assert_eq!(g.part(f(5)), BTreeSet::from([f(3), f(4), f(5)]));
        g.set(f(2), names("icp p \"P\" { system @s; x @t }\n"));
        assert_eq!(g.part(f(0)).len(), 6);
        g.set(f(2), names("icp p \"P\" { system @s }\n"));
        assert_eq!(g.part(f(0)), BTreeSet::from([f(0), f(1), f(2)]));
    }

    /// Two systems that each explain a departure from the same rule are
    /// not joined by it: the rule's ID is not an ID of the model (with it,
    /// every system explaining CCN161 made every edit re-check the whole
    /// workspace).
    #[test]
    fn explanations_of_one_rule_join_nothing() {
        let mut g = Graph::default();
        let f = |i| FileId(i);
        let icb = |id: &str, sys: &str| {
            names(&format!(
                "icb {id} \"I\" {{\n    system @{sys}\n    explain CCN161 \"Reason\" {{ approved_by @{id}; agreed 2025-01-01 }}\n}}\n"
            ))
        };
        g.set(f(0), names("system s \"S\" { regime 2022 }\n"));
        g.set(f(1), icb("a", "s"));
        g.set(f(2), names("system t \"T\" { regime 2022 }\n"));
        g.set(f(3), icb("b", "t"));
        assert_eq!(g.part(f(1)), BTreeSet::from([f(0), f(1)]));
        assert_eq!(g.part(f(3)), BTreeSet::from([f(2), f(3)]));
    }
}
