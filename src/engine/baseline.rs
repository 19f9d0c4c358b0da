//! `--baseline FILE`: findings already recorded there do not fail the run,
//! so a system can adopt icslint today and stop new problems. The baseline
//! is the JSON output of `icslint check --format json`; findings match on
//! rule, path and message (not line), so edits elsewhere do not break it.
//!
//! A path in the baseline is relative to where the check that wrote it
//! ran, which need not be the baseline's folder (`--output` writes it
//! anywhere): it names the file it names from the baseline's folder, else
//! the one file of this run's findings whose path ends with it, so the same
//! baseline matches whichever directory either check ran from. A baseline
//! that matches none of what it records says so ([`Matched`]). Findings
//! that mean "this was not checked" (an unreadable or unparsable file, an
//! unusable pack or configuration) are never hidden: a baseline recorded
//! while a file was broken must not keep it unchecked for ever. Nor are
//! explained findings recorded or hidden: they are not failures, and once
//! an explanation lapses its finding must fail, not hide in the baseline.

use crate::diagnostic::Finding;
use crate::source::FileId;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Default)]
pub struct Baseline {
    /// Recorded findings by (rule, path as recorded, message).
    counts: HashMap<(String, PathBuf, String), usize>,
    /// The baseline file's folder.
    base: PathBuf,
}

/// What a baseline did to a run's findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Matched {
    /// Findings hidden because the baseline records them.
    pub hidden: usize,
    /// Findings the baseline records (explained ones are not recorded).
    pub recorded: usize,
    /// Of those, how many matched no finding of this run: fixed since, or
    /// a baseline of another workspace. All of them: it says so.
    pub unmatched: usize,
}

impl Baseline {
    /// Reads a baseline whose relative paths are relative to `base`, the
    /// absolute folder of the baseline file.
    pub fn parse(text: &str, base: &Path) -> Result<Baseline, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let items = v.get("findings").and_then(|f| f.as_array()).ok_or(
            "expected the output of `icslint check --format json` (an object with `findings`)",
        )?;
        let mut counts = HashMap::new();
        for it in items {
            if it.get("status").and_then(|s| s.as_str()) == Some("explained") {
                continue;
            }
            let get = |k: &str| {
                it.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let path = it
                .get("location")
                .and_then(|l| l.get("path"))
                .and_then(|p| p.as_str())
                .unwrap_or_default();
            *counts
                .entry((get("rule"), PathBuf::from(path), get("message")))
                .or_insert(0) += 1;
        }
        Ok(Baseline {
            counts,
            base: base.to_path_buf(),
        })
    }

    /// Removes the findings the baseline records; returns how many.
    /// `path_of` gives the absolute path of a file.
    pub fn filter(
        &self,
        findings: &mut Vec<Finding>,
        path_of: impl Fn(FileId) -> PathBuf,
    ) -> usize {
        self.apply(findings, path_of).hidden
    }

    /// [`Baseline::filter`], saying also how many recorded findings matched
    /// nothing.
    ///
    /// A recorded path is relative to wherever the check that wrote it ran
    /// (`--output` may put the baseline anywhere), so it is found among the
    /// files of this run's findings: the file it names from the baseline's
    /// folder, else the one file whose path ends with it. A path that ends
    /// several of them, none from the baseline's folder, hides nothing.
    pub fn apply(
        &self,
        findings: &mut Vec<Finding>,
        path_of: impl Fn(FileId) -> PathBuf,
    ) -> Matched {
        // Each file of a finding once, by its absolute path.
        let mut files: HashMap<FileId, PathBuf> = HashMap::new();
        for f in findings.iter() {
            files
                .entry(f.file)
                .or_insert_with(|| normalise(&path_of(f.file)));
        }
        let known: std::collections::HashSet<&PathBuf> = files.values().collect();
        let mut resolved: HashMap<&Path, Option<PathBuf>> = HashMap::new();
        let mut left: HashMap<(String, PathBuf, String), usize> = HashMap::new();
        let mut recorded = 0;
        for ((rule, path, message), n) in &self.counts {
            recorded += n;
            let to = resolved
                .entry(path.as_path())
                .or_insert_with(|| resolve(&self.base, path, &known));
            if let Some(to) = to {
                *left
                    .entry((rule.clone(), to.clone(), message.clone()))
                    .or_insert(0) += n;
            }
        }
        let before = findings.len();
        findings.retain(|f| {
            if super::always_shown(&f.rule) || f.is_explained() {
                return true;
            }
            let key = (
                f.rule.to_string(),
                files[&f.file].clone(),
                f.message.clone(),
            );
            match left.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        });
        let hidden = before - findings.len();
        Matched {
            hidden,
            recorded,
            unmatched: recorded - hidden,
        }
    }
}

/// The file among `known` (absolute, normalised) that a recorded path names.
fn resolve(
    base: &Path,
    recorded: &Path,
    known: &std::collections::HashSet<&PathBuf>,
) -> Option<PathBuf> {
    let direct = normalise(&base.join(recorded));
    if known.contains(&direct) {
        return Some(direct);
    }
    // What the path says beyond the folders it climbs out of.
    let tail: PathBuf = normalise(recorded)
        .components()
        .skip_while(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
        .collect();
    if tail.as_os_str().is_empty() {
        return None;
    }
    let mut ends = known.iter().filter(|k| k.ends_with(&tail));
    match (ends.next(), ends.next()) {
        (Some(one), None) => Some((*one).clone()),
        _ => None,
    }
}

/// Removes `.` and `..` components without touching the file system (the
/// recorded file may no longer exist).
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{normalise, resolve};
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    #[test]
    fn a_recorded_path_is_found_from_the_baseline_folder_or_by_its_end() {
        let a = PathBuf::from("/w/ws/north/a.icg");
        let b = PathBuf::from("/w/ws/south/a.icg");
        let c = PathBuf::from("/w/ws/south/c.icg");
        let known: HashSet<&PathBuf> = [&a, &b, &c].into_iter().collect();
        let base = Path::new("/w/elsewhere");
        // Written from /w, read with the baseline in /w/elsewhere.
        assert_eq!(
            resolve(base, Path::new("ws/north/a.icg"), &known),
            Some(a.clone())
        );
        assert_eq!(
            resolve(base, Path::new("../ws/south/c.icg"), &known),
            Some(c.clone())
        );
        assert_eq!(resolve(base, Path::new("c.icg"), &known), Some(c.clone()));
        // Two files end with it: neither is guessed...
        assert_eq!(resolve(base, Path::new("a.icg"), &known), None);
        // ...unless it is the one the baseline's folder names.
        assert_eq!(
            resolve(Path::new("/w/ws/south"), Path::new("a.icg"), &known),
            Some(b.clone())
        );
        // A name is matched whole: `a.icg` does not end `/w/ws/north/ba.icg`.
        let d = PathBuf::from("/w/ws/north/ba.icg");
        let only: HashSet<&PathBuf> = [&d].into_iter().collect();
        assert_eq!(resolve(base, Path::new("a.icg"), &only), None);
        assert_eq!(resolve(base, Path::new("/x/y/z.icg"), &known), None);
    }

    #[test]
    fn normalise_is_lexical() {
        assert_eq!(
            normalise(Path::new("/a/b/./c/../d.icg")),
            Path::new("/a/b/d.icg")
        );
    }
}
