//! Rule packs: the YAML schema, the check language, and the built-in
//! checks written in Rust for what the expression language cannot say well.

pub mod builtin;
pub mod check;
pub mod frozen;
pub mod funcs;
pub mod pack;
mod reads;
pub mod value;

pub use pack::{
    add_builtin_sources, builtin_packs, compiled_builtin_packs, load_pack, warm_builtin_packs,
    Pack, Rule,
};
