//! Runs rule packs over the model and turns results into findings; applies
//! each file's configuration, inline suppressions and the baseline. No I/O:
//! everything it reads was loaded by `workspace`.

pub mod applies;
pub mod baseline;
pub mod eval;
pub mod suppress;
mod unchecked;

use crate::config::Config;
use crate::diagnostic::{icg, Explanation, Finding, Label, Shared};
use crate::model::{BlockId, Model, Val};
use crate::rules::pack::{param_override, At, Check, RegimeVariant};
use crate::rules::{Pack, Rule};
use crate::source::{FileId, Span};
use crate::syntax::Date;
use crate::workspace::Workspace;
use eval::{Ctx, V};
use std::collections::HashMap;

/// Rule selection from the command line, merged with each file's configuration.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// The day the documents are checked as of (`--as-of`): explanations
    /// whose review date is before it have lapsed. `None` is today, from
    /// the system clock; tests give a date so they do not depend on it.
    pub as_of: Option<crate::syntax::Date>,
}

/// A pack and whose it is: `None` for a built-in pack, or the index of the
/// configuration that named it in `rules:`.
pub type OwnedPack<'a> = (Option<usize>, &'a Pack);

/// Findings no selection may hide: a file that could not be read or parsed,
/// or a pack or configuration that could not be used, is never skipped silently.
/// Neither a suppression nor a baseline hides them.
pub fn always_shown(id: &str) -> bool {
    matches!(id, "ICG001" | "ICG009" | "ICG012" | "ICG013")
}

fn matches_any(id: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| id.starts_with(p.as_str()))
}

/// Runs the packs of a workspace over its model. Build it with
/// [`Engine::new`]: its inputs are the workspace (model, packs, per-folder
/// configuration and suppression comments) and the command line's options,
/// nothing else; the CLI, the test runner and the language server call the
/// same entry point.
pub struct Engine<'a> {
    ws: &'a Workspace,
    packs: Vec<OwnedPack<'a>>,
    opts: Options,
    workers: Option<usize>,
}

impl<'a> Engine<'a> {
    pub fn new(ws: &'a Workspace, opts: Options) -> Engine<'a> {
        Engine {
            ws,
            packs: ws.packs.iter().map(|(o, p)| (*o, p)).collect(),
            opts,
            workers: None,
        }
    }

    /// Runs the rules on exactly `n` threads (at least one), whatever the
    /// machine's cores and the workspace's size: the findings are the same
    /// on any number, which `tests/parallel.rs` holds it to. By default a
    /// run uses every core once the workspace is large enough to gain.
    pub fn with_workers(mut self, n: usize) -> Engine<'a> {
        self.workers = Some(n.max(1));
        self
    }
}

impl Engine<'_> {
    fn cfg_index(&self, file: FileId) -> usize {
        self.ws.config_of.get(&file).copied().unwrap_or(0)
    }
    fn cfg(&self, file: FileId) -> &Config {
        &self.ws.configs[self.cfg_index(file)].config
    }

    /// Whether a rule ID is selected for a file by `--select`/`--ignore` and the file's configuration.
    pub fn selected(&self, id: &str, file: FileId) -> bool {
        if always_shown(id) {
            return true;
        }
        let cfg = self.cfg(file);
        let select: &[String] = if !self.opts.select.is_empty() {
            &self.opts.select
        } else {
            cfg.select.as_deref().unwrap_or(&[])
        };
        if !select.is_empty() && !matches_any(id, select) {
            return false;
        }
        !(matches_any(id, &self.opts.ignore) || matches_any(id, &cfg.ignore))
    }

    /// Whether a rule of a pack is enabled for a file.
    pub fn enabled(&self, owner: Option<usize>, pack: &Pack, rule: &Rule, file: FileId) -> bool {
        let idx = self.cfg_index(file);
        let on = match owner {
            None => self.ws.configs[idx]
                .config
                .packs
                .as_ref()
                .is_none_or(|p| p.contains(&pack.name)),
            Some(i) => i == idx,
        };
        on && self.selected(&rule.id, file)
    }

    fn rule_known(&self, id: &str) -> bool {
        id.starts_with("ICG") && icg::ALL.iter().any(|x| x.id == id)
            || self
                .packs
                .iter()
                .any(|(_, p)| p.rules.iter().any(|r| r.id == id))
    }

    /// Everything: language findings, rule findings, configuration problems,
    /// suppressions; sorted by file and position.
    pub fn run(&self) -> Vec<Finding> {
        self.run_on(self.ws.findings.clone())
    }

    /// [`Engine::run`] given the workspace's language findings, taken out
    /// of it (`std::mem::take(&mut ws.findings)`) by a caller that needs
    /// them only in the result: a copy of them all is not made. A file can
    /// hold hundreds of thousands of them (an unknown key on every line).
    pub fn run_on(&self, language: Vec<Finding>) -> Vec<Finding> {
        let mut out = language;
        let mut config_findings = Vec::new();
        let params = self.params(&mut config_findings);
        let todo: Vec<(Option<usize>, &Pack, &Rule)> = self
            .packs
            .iter()
            .flat_map(|(owner, pack)| pack.rules.iter().map(move |r| (*owner, *pack, r)))
            .filter(|(owner, pack, rule)| {
                self.ws
                    .files
                    .iter()
                    .any(|f| self.enabled(*owner, pack, rule, *f))
            })
            .collect();
        let no_params = HashMap::new();
        let steps = eval::steps_for(self.document_bytes());
        // One day for every rule of the run (the clock is read once).
        let as_of = self.as_of();
        // Each file's configuration, by file number: a rule asks it for
        // every block it visits, and a map's lookup there was a tenth of
        // the rules' time at scale.
        let mut cfg_of_file: Vec<usize> = Vec::new();
        for (f, c) in &self.ws.config_of {
            let i = f.0 as usize;
            if cfg_of_file.len() <= i {
                cfg_of_file.resize(i + 1, 0);
            }
            cfg_of_file[i] = *c;
        }
        let cfg_of_file = &cfg_of_file;
        let one = |(owner, pack, rule): (Option<usize>, &Pack, &Rule)| {
            // The rule's parameters under each configuration, looked up once:
            // a rule asks for a block's parameters for every block it visits.
            let under: Vec<&HashMap<String, V>> = (0..self.ws.configs.len())
                .map(|c| params.get(&(rule.id.clone(), c)).unwrap_or(&no_params))
                .collect();
            let budget = if pack.builtin {
                eval::Budget::new(steps).cutting_messages()
            } else {
                eval::Budget::new(steps)
            };
            let run = run_rule(
                &self.ws.model,
                &self.ws.sources,
                rule,
                &|b: BlockId| {
                    let file = self.ws.model.block(b).file.0 as usize;
                    under
                        .get(cfg_of_file.get(file).copied().unwrap_or(0))
                        .copied()
                        .unwrap_or(&no_params)
                },
                &budget,
                as_of,
            );
            let mut found = match run {
                Ok(found) => found,
                Err(why) => return vec![overrun(rule, why)],
            };
            found.retain(|f| self.enabled(owner, pack, rule, f.file));
            for f in &mut found {
                if let Some(s) = self.cfg(f.file).severity_for(&rule.id) {
                    f.severity = s;
                }
                // A Bill's rule stays provisional whatever a configuration asks.
                if let Some(cap) = rule.max_severity {
                    f.severity = f.severity.min(cap);
                }
            }
            // The vector grew by doubling, and every rule's waits until
            // all have run.
            exact_vec(found)
        };
        // Below this a thread costs more than it saves (the language
        // server's re-check of a few files).
        let workers = self.workers.unwrap_or_else(|| {
            if self.ws.model.blocks.len() >= 1_000 {
                std::thread::available_parallelism().map_or(1, |n| n.get())
            } else {
                1
            }
        });
        let found = on_every_core(&todo, workers, one);
        // One allocation of the size needed, not a vector doubled as it
        // fills: at scale the findings are tens of megabytes, and a
        // doubling holds the old copy and the new at once. Explanations
        // and the configuration's findings come after; room for them too.
        let explains = self.ws.model.of_kind("explain").count();
        let rules: usize = found.iter().map(Vec::len).sum();
        out.reserve_exact(rules + config_findings.len() + 2 * explains + 16);
        for found in found {
            out.extend(found);
        }
        out.retain(|f| self.selected(&f.rule, f.file));
        let mut explain_findings = self.explain(&mut out);
        explain_findings.retain(|f| self.selected(&f.rule, f.file));
        out.extend(explain_findings);
        // Findings citing the same document and clause share one citation:
        // where every file names its document, every finding cites one.
        let mut cited: std::collections::HashSet<std::sync::Arc<crate::diagnostic::Citation>> =
            std::collections::HashSet::new();
        for f in &mut out {
            if f.rule.starts_with("ICG") {
                if let Some(s) = self.cfg(f.file).severity_for(&f.rule) {
                    f.severity = s;
                }
            }
            if f.citation.is_none() {
                f.citation = self.ws.model.citation(f.file, f.span.start).map(|c| {
                    if let Some(shared) = cited.get(&c) {
                        return shared.clone();
                    }
                    let shared = std::sync::Arc::new(c);
                    cited.insert(shared.clone());
                    shared
                });
            }
        }
        let mut out = self.suppress(out);
        unchecked::annotate(self, &mut out);
        out.extend(config_findings);
        sort(&mut out);
        out
    }

    /// The bytes of the workspace's documents (a rule's budget grows with them).
    fn document_bytes(&self) -> usize {
        self.ws
            .files
            .iter()
            .map(|f| {
                let src = self.ws.sources.get(*f);
                src.released().map_or(src.text.len(), |r| r.len)
            })
            .sum()
    }

    /// The day the run checks as of: the one asked for, else the model's
    /// (the day its shares are in force), so a run has one day.
    pub fn as_of(&self) -> Date {
        self.opts
            .as_of
            .or(self.ws.model.as_of)
            .unwrap_or_else(Date::today)
    }

    /// Comply or explain: each `explain` block explains the findings of its
    /// rule whose primary location lies inside the block holding it (its
    /// header, attributes and nested blocks). Returns the explanations'
    /// own findings: an unknown or non-explainable rule (ICG017, ICG016),
    /// a missing reason, approver or date (ICG018: it explains nothing),
    /// and an explanation that matches no finding (ICG019). An explanation
    /// agreed after the day the check is as of does not yet exist then.
    fn explain(&self, findings: &mut [Finding]) -> Vec<Finding> {
        let m = &self.ws.model;
        let as_of = self.as_of();
        let mut out = Vec::new();
        // Innermost first: an explanation in a member claims its findings
        // before one in the icb around it, whichever is written first. The
        // order is by how deeply the block holding the explanation is
        // nested, not by the arena (an outer explanation written after an
        // inner one comes after it there); among equals, last written first.
        let mut explains: Vec<BlockId> = m.of_kind("explain").collect();
        explains.reverse();
        let depth = |b: BlockId| std::iter::successors(Some(b), |&b| m.block(b).parent).count();
        explains.sort_by_key(|&e| std::cmp::Reverse(depth(e)));
        // Findings by rule, so each explanation looks only at its rule's.
        let mut by_rule: HashMap<String, Vec<usize>> = HashMap::new();
        if !explains.is_empty() {
            for (i, f) in findings.iter().enumerate() {
                by_rule.entry(f.rule.to_string()).or_default().push(i);
            }
        }
        for e in explains {
            let blk = m.block(e);
            let Some(rule_id) = blk.id.as_deref() else {
                continue;
            };
            let Some(parent) = blk.parent else { continue };
            let rule = self
                .packs
                .iter()
                .flat_map(|(o, p)| p.rules.iter().map(move |r| (*o, *p, r)))
                .find(|(_, _, r)| r.id == rule_id);
            let Some((_, pack, rule)) = rule else {
                if let Some(d) = icg::ALL.iter().find(|d| d.id == rule_id) {
                    out.push(
                        icg::finding(icg::NOT_EXPLAINABLE, blk.file, blk.header, format!("{} ({}) is a language diagnostic: it cannot be explained, only fixed", d.id, d.name))
                            .help("fix what it reports and remove this `explain` block"),
                    );
                    continue;
                }
                let all = self
                    .packs
                    .iter()
                    .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()));
                // Rule IDs are capitals: `ccn111` means CCN111.
                let upper = rule_id.to_ascii_uppercase();
                let hint = all
                    .clone()
                    .find(|r| *r == upper)
                    .or_else(|| crate::model::schema::suggest(rule_id, all))
                    .map_or(String::new(), |s| format!("; did you mean {s}?"));
                out.push(
                    icg::finding(
                        icg::EXPLAINED_UNKNOWN,
                        blk.file,
                        blk.header,
                        format!("this explains {rule_id}, but no rule has that ID{hint}"),
                    )
                    .help("`icslint rules` lists every rule; write the ID of the recommendation the board departs from"),
                );
                continue;
            };
            if !rule.explainable {
                out.push(
                    icg::finding(
                        icg::NOT_EXPLAINABLE,
                        blk.file,
                        blk.header,
                        if pack.name == "statutory" {
                            format!(
                                "{} is a statutory duty ({}, {}): it cannot be explained, only complied with",
                                rule.id, rule.provenance.source, rule.provenance.reference
                            )
                        } else {
                            format!(
                                "pack {} does not mark {} `explainable`: it must be complied with",
                                pack.name, rule.id
                            )
                        },
                    )
                    .help(format!(
                        "{}; remove this `explain` block and change the document so that it complies",
                        rule.provenance.summary.trim_end_matches('.')
                    )),
                );
                continue;
            }
            let reason = blk.name.as_deref().map(str::trim).unwrap_or_default();
            let approver = match blk.attr("approved_by").map(|a| &a.value) {
                Some(Val::Ref(Some(b), _)) => Some(m.block(*b).display().to_string()),
                Some(Val::Ref(None, name)) => Some(format!("@{name}")),
                _ => None,
            };
            let date = |key: &str| match blk.attr(key).map(|a| &a.value) {
                Some(Val::Date(d)) => Some(*d),
                _ => None,
            };
            let (agreed, review) = (date("agreed"), date("review"));
            let mut missing = Vec::new();
            if reason.is_empty() {
                missing.push("its reason (the text in quotes after the rule ID)");
            }
            if approver.is_none() {
                missing.push("`approved_by` (the board or committee that approved it)");
            }
            if agreed.is_none() {
                missing.push("`agreed` (the date it was approved)");
            }
            let (Some(approver), Some(agreed), false) = (approver, agreed, reason.is_empty())
            else {
                out.push(
                    icg::finding(
                        icg::EXPLANATION_INCOMPLETE,
                        blk.file,
                        blk.header,
                        format!(
                            "this explanation of {rule_id} lacks {}, so it explains nothing",
                            crate::text::and_list(&missing.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                        ),
                    )
                    .help(format!("write `explain {rule_id} \"why the board departs from it\" {{ approved_by @board; agreed 2025-06-01; review 2026-06-01 }}`")),
                );
                continue;
            };
            // A review due before the board agreed it is a slip of the pen:
            // the explanation would be overdue from its first day.
            if let (Some(r), Some(attr)) = (review.filter(|r| *r < agreed), blk.attr("review")) {
                out.push(
                    icg::finding(
                        icg::WRONG_TYPE,
                        blk.file,
                        attr.span,
                        format!("this explanation of {rule_id} is due for review on {r}, before it was agreed on {agreed}"),
                    )
                    .help(format!("write the date the board will look at it again, after {agreed}, or correct `agreed`")),
                );
            }
            let p = m.block(parent);
            // Checked as of a day before it was agreed, it did not yet exist.
            if agreed > as_of {
                for &i in by_rule.get(rule_id).into_iter().flatten() {
                    let f = &mut findings[i];
                    if f.file == p.file
                        && p.span.start() <= f.span.start
                        && f.span.start < p.span.end()
                    {
                        let note = format!("the explanation of {rule_id} here was agreed on {agreed}, after {as_of}, the day this check is as of");
                        f.help = Some(
                            match f.help.take() {
                                Some(h) => format!("{h}\n{note}"),
                                None => note,
                            }
                            .into(),
                        );
                    }
                }
                continue;
            }
            let overdue = review.is_some_and(|r| r < as_of);
            let explanation = Explanation {
                reason: reason.to_string(),
                approved_by: approver,
                agreed: agreed.to_string(),
                review: review.map(|r| r.to_string()),
                overdue,
                file: blk.file,
                span: blk.header.into(),
            };
            let mut matched = false;
            for &i in by_rule.get(rule_id).into_iter().flatten() {
                let f = &mut findings[i];
                if f.file != p.file
                    || f.span.start < p.span.start()
                    || f.span.start >= p.span.end()
                    || f.explanation.is_some()
                {
                    continue;
                }
                matched = true;
                if let (true, Some(r)) = (overdue, review) {
                    f.message = format!("{} (explanation due for review since {r})", f.message);
                    let again = format!(
                        "the explanation approved by {} on {agreed} was due for review on {r}: review it and record a new `review` date, or comply",
                        explanation.approved_by
                    );
                    f.help = Some(
                        match f.help.take() {
                            Some(h) => format!("{again}; or: {h}"),
                            None => again,
                        }
                        .into(),
                    );
                }
                f.explanation = Some(Box::new(explanation.clone()));
            }
            let enabled = self.packs.iter().any(|(o, pk)| {
                pk.rules
                    .iter()
                    .any(|r| r.id == rule_id && self.enabled(*o, pk, r, blk.file))
            });
            if !matched && enabled {
                out.push(
                    icg::finding(
                        icg::STALE_EXPLANATION,
                        blk.file,
                        blk.header,
                        format!("{rule_id} finds nothing in {} \"{}\", so this explanation explains nothing", p.kind, p.display()),
                    )
                    .help(format!("if the document now complies, remove the explanation; if not, move it into the block {rule_id} reports on")),
                );
            }
        }
        out
    }

    /// Parameters per (rule, configuration), with overrides checked.
    fn params(&self, findings: &mut Vec<Finding>) -> HashMap<(String, usize), HashMap<String, V>> {
        let mut out = HashMap::new();
        let empty = std::collections::BTreeMap::new();
        for (ci, c) in self.ws.configs.iter().enumerate() {
            let cfile = c.file;
            let at = &c.config.at;
            for id in c.config.severity.keys().chain(c.config.params.keys()) {
                if !self.rule_known(id) {
                    if let Some(f) = cfile {
                        let all = self
                            .packs
                            .iter()
                            .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()));
                        let hint = crate::model::schema::suggest(id, all)
                            .map_or(String::new(), |s| format!("; did you mean {s}?"));
                        findings.push(
                            icg::finding(
                                icg::BAD_CONFIG,
                                f,
                                at.rule_id(id),
                                format!("no rule has the ID {id}{hint}"),
                            )
                            .help("`icslint rules` lists every rule"),
                        );
                    }
                }
            }
            for (_, pack) in &self.packs {
                for rule in &pack.rules {
                    let overrides = c.config.params.get(&rule.id).unwrap_or(&empty);
                    for k in overrides.keys() {
                        if !rule.params.iter().any(|p| p.name == *k) {
                            if let Some(f) = cfile {
                                let known = rule
                                    .params
                                    .iter()
                                    .map(|p| p.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ");
                                findings.push(
                                    icg::finding(
                                        icg::BAD_CONFIG,
                                        f,
                                        at.param(&rule.id, k),
                                        format!("{} has no parameter `{k}`", rule.id),
                                    )
                                    .help(
                                        if known.is_empty() {
                                            format!("{} takes no parameters", rule.id)
                                        } else {
                                            format!("its parameters: {known}")
                                        },
                                    ),
                                );
                            }
                        }
                    }
                    let mut vals = HashMap::new();
                    for p in &rule.params {
                        let node = match overrides.get(&p.name) {
                            Some(v) => match param_override(p, v) {
                                Ok(n) => n,
                                Err(msg) => {
                                    if let Some(f) = cfile {
                                        findings.push(
                                            icg::finding(
                                                icg::BAD_CONFIG,
                                                f,
                                                at.param(&rule.id, &p.name),
                                                format!("{}: {msg}", rule.id),
                                            )
                                            .help(format!("the default is {}", p.text)),
                                        );
                                    }
                                    p.value.clone()
                                }
                            },
                            None => p.value.clone(),
                        };
                        // A parameter is a literal: a few steps.
                        let budget = eval::Budget::new(eval::STEPS_PER_RULE);
                        let ctx = Ctx {
                            model: &self.ws.model,
                            this: BlockId(0),
                            current: V::Missing,
                            vars: &HashMap::new(),
                            budget: &budget,
                            lets: None,
                        };
                        vals.insert(p.name.clone(), ctx.eval(&node));
                    }
                    out.insert((rule.id.clone(), ci), vals);
                }
            }
            if let (Some(f), Some(packs)) = (cfile, &c.config.packs) {
                for (k, name) in packs.iter().enumerate() {
                    if !self
                        .packs
                        .iter()
                        .any(|(o, p)| o.is_none() && p.name == *name)
                    {
                        let names: Vec<&str> = self
                            .packs
                            .iter()
                            .filter(|(o, _)| o.is_none())
                            .map(|(_, p)| p.name.as_str())
                            .collect();
                        let hint = crate::model::schema::suggest(name, names.iter().copied())
                            .map_or(format!("built-in packs: {}", names.join(", ")), |s| {
                                format!("did you mean `{s}`?")
                            });
                        findings.push(
                            icg::finding(
                                icg::BAD_CONFIG,
                                f,
                                at.packs.get(k).copied().unwrap_or_default(),
                                format!("there is no built-in pack `{name}`"),
                            )
                            .help(hint),
                        );
                    }
                }
            }
        }
        out
    }

    fn suppress(&self, mut findings: Vec<Finding>) -> Vec<Finding> {
        let mut sups = Vec::new();
        let mut extra = Vec::new();
        for &f in &self.ws.files {
            // A released text had no `icslint:` comment: the workspace
            // keeps those (`LoadOptions::release_texts_over`).
            if self.ws.sources.get(f).is_released() {
                continue;
            }
            if let Some(p) = self.ws.parsed.get(&f) {
                suppress::collect(
                    f,
                    self.ws.sources.get(f),
                    &p.comments,
                    &mut sups,
                    &mut extra,
                );
            }
        }
        // In place: a second vector of every finding was the peak of a
        // large check's rule phase.
        // The suppressions of each line, found by a lookup: a file can
        // hold tens of thousands, and a scan of them all per finding was
        // quadratic.
        let mut on_line: HashMap<(FileId, usize), Vec<usize>> = HashMap::new();
        for (i, s) in sups.iter().enumerate() {
            on_line.entry((s.file, s.line)).or_default().push(i);
        }
        // A statutory duty is never hidden: its suppression is refused
        // below, as an `explain` block of it is, and its finding stays.
        let duties: std::collections::HashSet<&str> = self
            .packs
            .iter()
            .filter(|(_, p)| p.name == "statutory")
            .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
            .collect();
        // Only a file with suppressions has its text (and line index) here.
        let mut with_sups: Vec<FileId> = sups.iter().map(|s| s.file).collect();
        with_sups.sort_unstable();
        with_sups.dedup();
        if !on_line.is_empty() {
            findings.retain(|f| {
                if always_shown(&f.rule)
                    || duties.contains(&*f.rule)
                    || with_sups.binary_search(&f.file).is_err()
                {
                    return true;
                }
                let line = self.ws.sources.get(f.file).line_of(f.span.start);
                let Some(here) = on_line.get(&(f.file, line)) else {
                    return true;
                };
                let mut hit = false;
                for &k in here {
                    let s = &mut sups[k];
                    if let Some(i) = s.ids.iter().position(|id| *id == f.rule) {
                        s.used[i] = true;
                        hit = true;
                    }
                }
                !hit
            });
        }
        for s in &sups {
            for (id, used) in s.ids.iter().zip(&s.used) {
                if *used {
                    continue;
                }
                if duties.contains(id.as_str()) {
                    let rule = self
                        .packs
                        .iter()
                        .filter(|(_, p)| p.name == "statutory")
                        .flat_map(|(_, p)| p.rules.iter())
                        .find(|r| r.id == *id);
                    if let Some(rule) = rule {
                        extra.push(
                            icg::finding(
                                icg::NOT_EXPLAINABLE,
                                s.file,
                                s.span,
                                format!(
                                    "{id} is a statutory duty ({}, {}): it cannot be suppressed, only complied with",
                                    rule.provenance.source, rule.provenance.reference
                                ),
                            )
                            .help(format!(
                                "{}; remove this comment and change the document so that it complies",
                                rule.provenance.summary.trim_end_matches('.')
                            )),
                        );
                    }
                    continue;
                }
                if always_shown(id) {
                    extra.push(
                        icg::finding(
                            icg::UNUSED_ALLOW,
                            s.file,
                            s.span,
                            format!("{id} cannot be suppressed: it means part of the workspace was not checked"),
                        )
                        .help("fix the problem it reports, then remove this comment"),
                    );
                    continue;
                }
                if !self.rule_known(id) {
                    let all = self
                        .packs
                        .iter()
                        .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.as_str()))
                        .chain(icg::ALL.iter().map(|x| x.id));
                    let hint = crate::model::schema::suggest(id, all)
                        .map_or(String::new(), |x| format!("; did you mean {x}?"));
                    extra.push(
                        icg::finding(
                            icg::UNKNOWN,
                            s.file,
                            s.span,
                            format!("no rule has the ID {id}{hint}"),
                        )
                        .help("`icslint rules` lists every rule"),
                    );
                    continue;
                }
                let enabled = if id.starts_with("ICG") {
                    self.selected(id, s.file)
                } else {
                    self.packs.iter().any(|(o, p)| {
                        p.rules
                            .iter()
                            .any(|r| r.id == *id && self.enabled(*o, p, r, s.file))
                    })
                };
                if enabled {
                    extra.push(
                        icg::finding(
                            icg::UNUSED_ALLOW,
                            s.file,
                            s.span,
                            format!("this suppression of {id} suppressed nothing"),
                        )
                        .help(format!(
                            "{id} no longer finds anything on line {}: remove the comment",
                            s.line
                        )),
                    );
                }
            }
        }
        extra.retain(|f| self.selected(&f.rule, f.file));
        findings.extend(extra);
        findings
    }
}

pub fn sort(findings: &mut [Finding]) {
    // Stably, by their indices: a stable sort of the findings themselves
    // takes a scratch copy of half of them (tens of megabytes at scale).
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&findings[a], &findings[b]);
        (a.file, a.span.start, &a.rule, &a.message).cmp(&(
            b.file,
            b.span.start,
            &b.rule,
            &b.message,
        ))
    });
    permute(findings, &mut order);
}

/// Puts `items[order[i]]` at `i` for every `i`, in place, one cycle of the
/// permutation at a time (`order` is left as the identity).
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

fn regime_ok(m: &Model, rule: &Rule, b: BlockId) -> bool {
    if !requirement_met(m, rule, b) {
        return false;
    }
    if rule.regimes.is_empty() {
        return true;
    }
    // Asked for every block a rule visits: no list of regimes is made.
    let blk = m.block(b);
    let under = |r: i64| rule.regimes.contains(&r);
    match blk.system {
        Some(s) => under(m.regime(s)),
        None if blk.kind == "authority" => {
            let shares = m.shares(b);
            if shares.is_empty() {
                under(m.default_regime)
            } else {
                shares.iter().any(|(s, _)| under(m.regime(*s)))
            }
        }
        None => under(m.default_regime),
    }
}

/// `by_regime: { 2026: { requires: icp } }`: under that regime the rule
/// runs on a block only where its system (or, for an HWB, one of the
/// systems it relates to) has a block of that kind.
fn requirement_met(m: &Model, rule: &Rule, b: BlockId) -> bool {
    if rule.by_regime.iter().all(|v| v.requires.is_none()) {
        return true;
    }
    let Some(regime) = block_regime(m, b) else {
        return true;
    };
    let Some(kind) = rule.requires(regime) else {
        return true;
    };
    let blk = m.block(b);
    let systems = if blk.kind == "hwb" {
        m.hwb_systems(b, 0.0)
    } else {
        blk.system.into_iter().collect()
    };
    systems
        .into_iter()
        .any(|s| !applies::scope_blocks(m, kind, s).is_empty())
}

/// The regime a block is checked under: its system's (a system's own).
fn block_regime(m: &Model, b: BlockId) -> Option<i64> {
    m.block(b).system.map(|s| m.regime(s))
}

/// The ICG012 of a rule stopped part way: at its `id:` in its pack, never
/// deselected, so a pack that cannot finish is not taken for one that
/// found nothing.
fn overrun(rule: &Rule, why: eval::Overrun) -> Finding {
    let (msg, help) = match why {
        eval::Overrun::Steps(n) => (
            format!(
                "the rule {} needed more work than icslint allows ({} steps), so it was stopped and reports nothing",
                rule.id,
                crate::text::thousands(n as f64)
            ),
            "simplify its check: avoid a quantifier (`all`, `any`, a filter) inside another over the same large list, and prefer `referrers(kind)` to `kinds(kind)`",
        ),
        eval::Overrun::Message(n) => (
            format!(
                "a message of the rule {} came to more than {} characters, so the rule was stopped and reports nothing",
                rule.id,
                crate::text::thousands(n as f64)
            ),
            "shorten its message: name what is wrong, or count the items (`{count(list)}`), rather than list them all",
        ),
    };
    icg::finding(icg::BAD_PACK, rule.file, rule.span, msg).help(help)
}

fn header(m: &Model, b: BlockId) -> (FileId, Span) {
    (m.block(b).file, m.block(b).header.into())
}

/// The rule's severity and message under the regime of the block it ran on, where they differ.
fn variant<'r>(m: &Model, rule: &'r Rule, b: BlockId) -> Option<&'r RegimeVariant> {
    let regime = block_regime(m, b)?;
    rule.by_regime.iter().find(|v| v.regime == regime)
}

/// `s` in an allocation of its length. Not `shrink_to_fit`: mimalloc
/// shrinks a block in place, spare room kept, when the new size is at
/// least half the old.
fn exact(s: String) -> String {
    if s.capacity() == s.len() {
        s
    } else {
        s.as_str().to_owned()
    }
}

/// `v` in an allocation of its length (see [`exact`]).
fn exact_vec<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        return v;
    }
    let mut to = Vec::with_capacity(v.len());
    to.append(&mut v);
    to
}

/// A pack rule's fix for the block `b` it ran on: its line inserted into
/// the block, or replacing the attribute with the same key. Unsafe: it
/// changes what the document says.
fn rule_fix(
    sources: &crate::source::Sources,
    rule: &Rule,
    ctx: &Ctx,
    b: BlockId,
) -> Option<crate::diagnostic::Fix> {
    let fx = rule.fix.as_ref()?;
    let block = ctx.model.block(b);
    let line = ctx.render(&fx.insert);
    let key = line.split_whitespace().next()?;
    // Never a second block of a kind the block has (the author's block
    // would be shadowed), nor a line a missing value left malformed.
    if block
        .children
        .iter()
        .any(|c| ctx.model.block(*c).kind == key)
        || !crate::syntax::parse(&format!("fix {{\n{line}\n}}\n"))
            .errors
            .is_empty()
    {
        return None;
    }
    let replace = block.attr(key).map(|a| a.span.span());
    let src = sources.get(block.file);
    // Placing the line needs the block's text: when the text is released,
    // the workspace places it once it reads the text again.
    let pending = replace.is_none() && src.is_released();
    let (span, insert) = if pending {
        (block.span.span(), line)
    } else {
        crate::fmt::insert_into_block(&src.text, block.span.span(), replace, &line)
    };
    Some(crate::diagnostic::Fix {
        title: ctx.render(&fx.title),
        safety: crate::diagnostic::Safety::Unsafe,
        edits: vec![crate::diagnostic::Edit {
            file: block.file,
            span,
            insert,
        }],
        pending,
    })
}

/// `f` of every item, in order, computed by `cores` workers (this thread
/// one of them): rules read the model and nothing else, so they run side
/// by side, each worker taking the next rule from a shared counter. With
/// one, or without a thread, they run here.
fn on_every_core<T: Copy + Sync, R: Send>(
    items: &[T],
    cores: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(*item)));
        }
    };
    let mut all: Vec<(usize, R)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..cores.min(items.len()))
            .filter_map(|_| {
                // As the main thread's: evaluation recurses (to a bounded depth).
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Runs one rule over the model. `params` gives the parameter values that
/// apply to a scope block (they may differ by the block's configuration).
/// A rule that spends its `budget` (or renders a message too long) is
/// stopped: none of its findings, and why.
pub fn run_rule<'p>(
    m: &Model,
    sources: &crate::source::Sources,
    rule: &Rule,
    params: &dyn Fn(BlockId) -> &'p HashMap<String, V>,
    budget: &eval::Budget,
    as_of: Date,
) -> Result<Vec<Finding>, eval::Overrun> {
    let mut out = Vec::new();
    let provenance = std::sync::Arc::new(rule.provenance.clone());
    // Every finding of the rule shares its ID and name, and each distinct
    // help text (most rules write the same help on every finding).
    let (id, name) = (
        Shared::from(rule.id.clone()),
        Shared::from(rule.name.clone()),
    );
    let helps: std::cell::RefCell<std::collections::HashSet<Shared>> = Default::default();
    let shared_help = |help: String| -> Option<Shared> {
        if help.is_empty() {
            return None;
        }
        let mut helps = helps.borrow_mut();
        if let Some(h) = helps.get(help.as_str()) {
            return Some(h.clone());
        }
        let h = Shared::from(help);
        helps.insert(h.clone());
        Some(h)
    };
    let finding =
        |file: FileId, span: Span, message: String, help: String, labels: Vec<Label>| Finding {
            rule: id.clone(),
            name: name.clone(),
            severity: rule.severity,
            // Findings are many at scale: no spare capacity (a quarter of
            // a rendered message's allocation).
            message: exact(message),
            file,
            span,
            labels: exact_vec(labels),
            help: shared_help(help),
            provenance: Some(provenance.clone()),
            fix: None,
            explanation: None,
            citation: None,
        };
    match &rule.check {
        Check::Builtin(bi) => {
            let num = |b: BlockId, name: &str| -> f64 {
                match params(b).get(name) {
                    Some(V::Num(n)) | Some(V::Percent(n)) | Some(V::Money(n)) => *n,
                    Some(V::Duration(d)) => d.days(),
                    _ => f64::NAN,
                }
            };
            for hit in (bi.run)(m, &num, as_of) {
                if let Some(why) = budget.overrun() {
                    return Err(why);
                }
                if !regime_ok(m, rule, hit.block) {
                    continue;
                }
                let mut vars = params(hit.block).clone();
                for (k, v) in &hit.vars {
                    vars.insert(k.to_string(), V::Str(v.clone()));
                }
                let ctx = Ctx {
                    model: m,
                    this: hit.block,
                    current: V::Block(hit.block),
                    vars: &vars,
                    budget: &budget,
                    lets: None,
                };
                let variant = variant(m, rule, hit.block);
                let template = hit
                    .message
                    .and_then(|k| rule.messages.get(k))
                    .or(variant.and_then(|v| v.message.as_ref()))
                    .unwrap_or(&rule.message);
                let mut f = finding(
                    hit.file,
                    hit.span,
                    ctx.render(template),
                    ctx.render(&rule.help),
                    hit.labels,
                );
                if let Some(v) = variant {
                    f.severity = v.severity;
                }
                f.fix = rule_fix(sources, rule, &ctx, hit.block).map(Box::new);
                out.push(f);
            }
        }
        Check::Expr {
            for_each,
            when,
            lets,
            assert,
            at,
        } => {
            for kind in &rule.scope {
                for b in m.of_kind(kind) {
                    if let Some(why) = budget.overrun() {
                        return Err(why);
                    }
                    if !regime_ok(m, rule, b) {
                        continue;
                    }
                    let base_vars = params(b);
                    let elements = match for_each {
                        Some(fe) => {
                            let ctx = Ctx {
                                model: m,
                                this: b,
                                current: V::Block(b),
                                vars: base_vars,
                                budget: &budget,
                                lets: None,
                            };
                            match ctx.eval(fe) {
                                V::List(v) => v,
                                V::Missing => Vec::new(),
                                other => vec![other],
                            }
                        }
                        None => vec![V::Block(b)],
                    };
                    for el in elements {
                        if let Some(why) = budget.overrun() {
                            return Err(why);
                        }
                        let vars = base_vars;
                        let ctx = Ctx {
                            model: m,
                            this: b,
                            current: el.clone(),
                            vars,
                            budget,
                            lets: None,
                        };
                        if let Some(w) = when {
                            if !ctx.eval(w).truthy() {
                                continue;
                            }
                        }
                        // Each read when first needed (`eval::Lets`).
                        let lets = eval::Lets::new(lets, b, el.clone(), vars);
                        let ctx = Ctx {
                            lets: Some((&lets, lets.len())),
                            ..ctx
                        };
                        if ctx.eval(assert).truthy() {
                            continue;
                        }
                        let (file, span) = match at {
                            Some(At::Header) => match &el {
                                V::Block(e) => header(m, *e),
                                _ => header(m, b),
                            },
                            Some(At::Path(p)) => eval::locate(&ctx, p),
                            None => eval::default_location(&ctx, assert),
                        };
                        let mut labels = Vec::new();
                        for (each, tmpl) in &rule.labels {
                            for item in match ctx.eval(each) {
                                V::List(v) => v,
                                V::Missing => Vec::new(),
                                x => vec![x],
                            } {
                                if let V::Block(t) = item {
                                    let lctx = Ctx {
                                        model: m,
                                        this: b,
                                        current: V::Block(t),
                                        vars,
                                        budget,
                                        lets: ctx.lets,
                                    };
                                    let (lf, ls) = header(m, t);
                                    labels.push(Label {
                                        file: lf,
                                        span: ls,
                                        message: exact(lctx.render(tmpl)),
                                    });
                                }
                            }
                        }
                        let variant = variant(m, rule, b);
                        let mut f = finding(
                            file,
                            span,
                            ctx.render(
                                variant
                                    .and_then(|v| v.message.as_ref())
                                    .unwrap_or(&rule.message),
                            ),
                            ctx.render(&rule.help),
                            labels,
                        );
                        if let Some(v) = variant {
                            f.severity = v.severity;
                        }
                        f.fix = rule_fix(sources, rule, &ctx, b).map(Box::new);
                        out.push(f);
                    }
                }
            }
        }
    }
    match budget.overrun() {
        Some(why) => Err(why),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// `sort` moves findings by their sorted indices: every permutation of
    /// a few items, and a long one of many cycles, come out as if indexed.
    #[test]
    fn permute_puts_each_item_where_its_index_says() {
        fn all(n: usize, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            if prefix.len() == n {
                out.push(prefix.clone());
            }
            for i in 0..n {
                if !prefix.contains(&i) {
                    prefix.push(i);
                    all(n, prefix, out);
                    prefix.pop();
                }
            }
        }
        let mut orders = Vec::new();
        for n in 0..=6 {
            all(n, &mut Vec::new(), &mut orders);
        }
        let n = 10_000;
        orders.push((0..n).map(|i| (i * 7_919 + 13) % n).collect());
        for order in orders {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let (mut got, mut o) = (items, order.clone());
            permute(&mut got, &mut o);
            assert_eq!(got, want, "order {order:?}");
        }
    }

    /// Findings are many at scale: the findings of one rule share its ID,
    /// its name and each distinct help text instead of a copy apiece.
    #[test]
    fn a_rules_findings_share_its_id_name_and_help() {
        let system = |n: usize| {
            format!(
                "system s{n} \"S{n}\" {{ regime 2022 }}\nicb i{n} \"NHS I{n} ICB\" {{ system @s{n}\n agenda {{ strategic_share 10% }} }}\n"
            )
        };
        let texts: Vec<(String, String)> =
            (0..3).map(|n| (format!("s{n}.icg"), system(n))).collect();
        let texts: Vec<(&str, &str)> = texts
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let ws = Workspace::from_texts(&texts, Config::default());
        let found = Engine::new(&ws, Options::default()).run();
        let agenda: Vec<&Finding> = found.iter().filter(|f| f.rule == "CCN161").collect();
        assert_eq!(agenda.len(), 3, "{found:#?}");
        let (a, b) = (agenda[0], agenda[2]);
        assert_ne!(a.message, b.message, "each names its own board");
        assert_eq!(a.rule.as_ptr(), b.rule.as_ptr());
        assert_eq!(a.name.as_ptr(), b.name.as_ptr());
        let help = |f: &Finding| f.help.as_ref().expect("CCN161 has help").as_ptr();
        assert_eq!(help(a), help(b));
    }
}
