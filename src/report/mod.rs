//! Renderers of [`Finding`]s. Each output format is one file; they all read
//! the same neutral finding type.

mod github;
mod human;
mod json;
pub mod sarif;

pub use github::render as github;
pub use human::render as human;
pub use json::render as json;
pub use sarif::render as sarif;

use crate::source::Sources;

/// A path as shown to the user: relative to the working directory where possible, `/`-separated.
pub fn display_path(sources: &Sources, file: crate::source::FileId) -> String {
    let p = sources.path(file);
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|c| p.strip_prefix(c).ok())
        .unwrap_or(p);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
