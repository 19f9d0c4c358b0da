//! icslint: checks the governance documents of England's Integrated Care
//! Systems against the law and published recommendations.
//! See ARCHITECTURE.md for the map.

pub mod catalogue;
pub mod config;
pub mod conformance;
pub mod diagnostic;
pub mod engine;
pub mod files;
pub mod fmt;
#[doc(hidden)]
pub mod fuzzing;
pub mod lsp;
pub mod model;
pub mod report;
pub mod rules;
pub mod safe;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod text;
pub mod transition;
pub mod workspace;
pub mod yaml;
