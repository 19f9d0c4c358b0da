//! `file:` URIs ↔ paths (the `url` crate knows the percent-encoding and
//! platform rules; `lsp-types` only carries the string).

use crate::source::FileId;
use crate::workspace::Workspace;
use lsp_types::Uri;
use std::path::{Path, PathBuf};

pub fn of_path(path: &Path) -> Option<Uri> {
    url::Url::from_file_path(path).ok()?.as_str().parse().ok()
}

pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The URI of a file of the workspace; `None` for built-in packs (they
/// have no file an editor could open).
pub fn of_file(ws: &Workspace, file: FileId) -> Option<Uri> {
    let path = ws.sources.path(file);
    if !path.is_absolute() {
        return None;
    }
    of_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_spaces_and_accents_round_trip() {
        let p = Path::new("/tmp/Renée’s ICS/système 1.icg");
        let u = of_path(p).unwrap();
        assert!(u.as_str().starts_with("file:///tmp/Ren%C3%A9e"));
        assert_eq!(to_path(&u).unwrap(), p);
    }
}
