//! `--baseline FILE`: findings already recorded there do not fail the run,
//! so a system can adopt icslint today and stop new problems. The baseline
//! is the JSON output of `icslint check --format json`; findings match on
//! rule, path and message (not line), so edits elsewhere do not break it.

use crate::diagnostic::Finding;
use crate::source::Sources;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Baseline {
    counts: HashMap<(String, String, String), usize>,
}

impl Baseline {
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let items = v.get("findings").and_then(|f| f.as_array()).ok_or(
            "expected the output of `icslint check --format json` (an object with `findings`)",
        )?;
        let mut counts = HashMap::new();
        for it in items {
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
                .unwrap_or_default()
                .to_string();
            *counts
                .entry((get("rule"), path, get("message")))
                .or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Removes the findings the baseline records; returns how many.
    pub fn filter(&self, findings: &mut Vec<Finding>, sources: &Sources) -> usize {
        let mut left = self.counts.clone();
        let before = findings.len();
        findings.retain(|f| {
            let key = (
                f.rule.clone(),
                crate::report::display_path(sources, f.file),
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
        before - findings.len()
    }
}
