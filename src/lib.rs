//! icslint: checks the governance documents of England's Integrated Care
//! Systems against the law and published recommendations.
//! See ARCHITECTURE.md for the map.

// The cache of `icslint check` (files, a per-user key): the command
// line's, never a browser's.
#[cfg(not(target_family = "wasm"))]
pub mod cache;
pub mod catalogue;
pub mod config;
pub mod conformance;
pub mod diagnostic;
pub mod engine;
pub mod files;
pub mod fmt;
// The language server (and the fuzz targets that drive it) works on
// `file://` URIs and standard input: nothing a browser has (wasm/).
#[cfg(not(target_family = "wasm"))]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(not(target_family = "wasm"))]
pub mod lsp;
pub mod model;
pub mod report;
pub mod rules;
pub mod safe;
pub mod source;
pub mod syntax;
pub mod templating;
pub mod testing;
pub mod text;
pub mod transition;
pub mod workspace;
pub mod yaml;
