//! The built-in packs' compiled form, made once and kept in the repository
//! (`builtin-packs.postcard`, beside this file), so a run reads it instead
//! of parsing the packs' YAML and compiling every check (a quarter of the
//! work of checking one system, and nearly all of checking one file).
//!
//! The form is the packs exactly as [`super::pack::load_pack`] gives them,
//! spans and all (so findings, `explain` and `rules` point into the pack
//! texts as before), written with serde in postcard, behind a key: the
//! hash `build.rs` takes of every file that can change what compiling the
//! packs gives. A binary whose key is not the form's compiles the packs at
//! run time, as before: a stale form costs time, never a wrong answer.
//! `tests/frozen_packs.rs` fails while the form is stale and makes it
//! again with `ICSLINT_FREEZE=1`.
//!
//! The serde helpers below write what the compiled form points to
//! (`&'static` names, functions, built-in checks, dates) by name or value;
//! `syntax` knows nothing of serde, so its types are mirrored here.

use super::pack::Pack;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

include!(concat!(env!("OUT_DIR"), "/frozen_key.rs"));

/// The form kept in the repository (empty before it is first made).
const FORM: &[u8] = include_bytes!("builtin-packs.postcard");

/// Where the form is kept, for the test that makes it again.
pub const FORM_PATH: &str = "src/rules/builtin-packs.postcard";

#[derive(Serialize)]
struct FormRef<'a> {
    key: u64,
    packs: &'a [Pack],
}

#[derive(Deserialize)]
struct Form {
    key: u64,
    packs: Vec<Pack>,
}

/// The built-in packs from the kept form, or `None` when it is stale (made
/// by another version of the packs or of the compiler) or unreadable.
pub fn thaw() -> Option<Vec<Pack>> {
    thaw_bytes(FORM)
}

fn thaw_bytes(bytes: &[u8]) -> Option<Vec<Pack>> {
    // The key is the first field: a stale form is refused before its packs
    // are read (their shape may have changed).
    let (key, _) = postcard::take_from_bytes::<u64>(bytes).ok()?;
    if key != FROZEN_KEY {
        return None;
    }
    let form: Form = postcard::from_bytes(bytes).ok()?;
    (form.key == FROZEN_KEY).then_some(form.packs)
}

/// The compiled form of `packs` under this build's key.
pub fn freeze(packs: &[Pack]) -> Vec<u8> {
    postcard::to_allocvec(&FormRef {
        key: FROZEN_KEY,
        packs,
    })
    .expect("every compiled pack can be written")
}

/// The form kept in the repository, as bytes.
pub fn kept() -> &'static [u8] {
    FORM
}

/// `thaw` of any bytes, for the test that reads back what `freeze` wrote.
pub fn thaw_form(bytes: &[u8]) -> Option<Vec<Pack>> {
    thaw_bytes(bytes)
}

// ------------------------------------------------------------ serde helpers

/// A `&'static str` (a block kind's name): read back once per process into
/// a leaked string, as the form is read once per process.
mod static_str {
    /// The schema's own string when the name is a block kind (so the
    /// compiled form shares it), else the name leaked.
    pub fn intern(name: String) -> &'static str {
        match crate::model::schema::kind(&name) {
            Some(k) => k.name,
            None => Box::leak(name.into_boxed_str()),
        }
    }
}

/// `Option<&'static str>` under another name: serde's derive takes an
/// `Option<&str>` field written as such to borrow from the input, which a
/// `'static` one cannot.
pub type OptKind = Option<&'static str>;

pub(super) mod opt_static_str {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<&'static str>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(super::static_str::intern))
    }
}

pub(super) mod vec_static_str {
    use super::*;
    pub fn serialize<S: Serializer>(v: &[&'static str], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
        Ok(Vec::<String>::deserialize(d)?
            .into_iter()
            .map(super::static_str::intern)
            .collect())
    }
}

/// A check-language function, by name (its index may move).
pub(super) mod func {
    use super::super::funcs::Func;
    use super::*;
    pub fn serialize<S: Serializer>(v: &Func, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.name())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Func, D::Error> {
        let name = String::deserialize(d)?;
        Func::find(&name).ok_or_else(|| serde::de::Error::custom("no such function"))
    }
}

/// A built-in check, by name.
pub(super) mod builtin {
    use super::super::builtin::{find, Builtin};
    use super::*;
    pub fn serialize<S: Serializer>(v: &&'static Builtin, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.name)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static Builtin, D::Error> {
        let name = String::deserialize(d)?;
        find(&name).ok_or_else(|| serde::de::Error::custom("no such built-in check"))
    }
}

/// A `HashMap` written in key order, so the same packs always give the
/// same bytes (the test compares them).
pub(super) mod sorted_map {
    use super::*;
    use std::collections::{BTreeMap, HashMap};
    pub fn serialize<S: Serializer, V: Serialize>(
        v: &HashMap<String, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.iter().collect::<BTreeMap<_, _>>().serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
    ) -> Result<HashMap<String, V>, D::Error> {
        HashMap::deserialize(d)
    }
}

/// `syntax`'s date, unit and duration, mirrored (`syntax` knows no serde).
#[derive(Serialize, Deserialize)]
#[serde(remote = "crate::syntax::Date")]
pub(super) struct DateDef {
    year: i32,
    month: u32,
    day: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "crate::syntax::Unit")]
enum UnitDef {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Serialize, Deserialize)]
#[serde(remote = "crate::syntax::Duration")]
pub(super) struct DurationDef {
    amount: f64,
    #[serde(with = "UnitDef")]
    unit: crate::syntax::Unit,
}
