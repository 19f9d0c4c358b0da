//! Values of the check language at run time, and how a value reads to a
//! governance lead. The compiler (`check`), the function table (`funcs`)
//! and the engine's evaluator share them.

use crate::model::{BlockId, Model, Val};
use crate::syntax::{fmt_num, Date, Duration, Unit};
use crate::text::and_list;

#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Missing,
    Bool(bool),
    Num(f64),
    Percent(f64),
    Money(f64),
    /// Day number.
    Date(i64),
    /// As written; arithmetic results are in days.
    Duration(Duration),
    Range(i64, i64),
    Str(String),
    Word(String),
    Block(BlockId),
    List(Vec<V>),
}

impl V {
    pub fn truthy(&self) -> bool {
        match self {
            V::Bool(b) => *b,
            V::Missing => false,
            V::List(v) => !v.is_empty(),
            _ => true,
        }
    }
    pub fn items(&self) -> Vec<V> {
        match self {
            V::List(v) => v.clone(),
            V::Missing => Vec::new(),
            other => vec![other.clone()],
        }
    }
    /// [`V::items`] of a value no longer needed: its list is moved, not
    /// copied (most values evaluated are read once).
    pub fn into_items(self) -> Vec<V> {
        match self {
            V::List(v) => v,
            V::Missing => Vec::new(),
            other => vec![other],
        }
    }
    /// [`V::items`] borrowed.
    pub fn as_items(&self) -> &[V] {
        match self {
            V::List(v) => v,
            V::Missing => &[],
            other => std::slice::from_ref(other),
        }
    }
}

/// A value as a governance lead reads it.
pub fn text(m: &Model, v: &V) -> String {
    match v {
        V::Missing => "(not stated)".into(),
        V::Bool(b) => if *b { "yes" } else { "no" }.into(),
        V::Num(n) => fmt_num(*n),
        V::Percent(p) => format!("{}%", fmt_num(*p)),
        V::Money(x) => money(*x),
        V::Date(d) => Date::from_day_number(*d).to_string(),
        V::Range(a, b) => format!(
            "{} to {}",
            Date::from_day_number(*a),
            Date::from_day_number(*b)
        ),
        V::Duration(d) if d.unit == Unit::Day => duration(d.amount),
        V::Duration(d) => d.to_string(),
        V::Str(s) => s.clone(),
        V::Word(w) => format!("`{w}`"),
        V::Block(b) => m.block(*b).display().to_string(),
        V::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| text(m, i)).collect();
            if parts.is_empty() {
                "(none)".into()
            } else {
                and_list(&parts)
            }
        }
    }
}

fn money(x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("£{}bn", fmt_num(x / 1e9))
    } else if x.abs() >= 1e6 {
        format!("£{}m", fmt_num(x / 1e6))
    } else if x.abs() >= 1e4 && (x / 1e3).fract() == 0.0 {
        format!("£{}k", fmt_num(x / 1e3))
    } else {
        format!("£{}", fmt_num(x))
    }
}

fn duration(days: f64) -> String {
    let months = days / (365.25 / 12.0);
    let plural = |n: f64, u: &str| format!("{} {u}{}", fmt_num(n), if n == 1.0 { "" } else { "s" });
    if (months - months.round()).abs() < 1e-6 {
        let m = months.round();
        if m % 12.0 == 0.0 && m >= 36.0 {
            plural(m / 12.0, "year")
        } else {
            plural(m, "month")
        }
    } else if days % 7.0 == 0.0 {
        plural(days / 7.0, "week")
    } else {
        plural(days, "day")
    }
}

pub fn conv(v: &Val) -> V {
    match v {
        Val::Str(s) | Val::Text(s) => V::Str(s.to_string()),
        Val::Num(n) => V::Num(*n),
        Val::Percent(p) => V::Percent(*p),
        Val::Money(x) => V::Money(*x),
        Val::Date(d) => V::Date(d.day_number()),
        Val::Duration(d) => V::Duration(*d),
        Val::Bool(b) => V::Bool(*b),
        Val::Word(w) => V::Word(w.to_string()),
        Val::Ref(Some(b), _) => V::Block(*b),
        Val::Ref(None, _) => V::Missing,
        Val::List(items) => V::List(
            items
                .iter()
                .map(conv)
                .filter(|x| *x != V::Missing)
                .collect(),
        ),
        Val::Range(a, b) => V::Range(a.day_number(), b.day_number()),
        Val::Tuple(items) => items.first().map_or(V::Missing, conv),
    }
}

/// `base.name`: an attribute, the children of a kind, or a derived field.
pub fn field(m: &Model, base: &V, name: &str) -> V {
    match base {
        V::Block(b) => block_field(m, *b, name),
        V::List(items) => V::List(
            items
                .iter()
                .map(|i| field(m, i, name))
                .flat_map(V::into_items)
                .collect(),
        ),
        _ => V::Missing,
    }
}

fn block_field(m: &Model, id: BlockId, name: &str) -> V {
    let b = m.block(id);
    let spec = b.kind.spec();
    if let Some(key) = spec.key(name) {
        if key.repeatable {
            return V::List(
                b.attrs(name)
                    // A share reads only on the days it holds.
                    .filter(|a| a.key != "share" || m.share_in_force(a))
                    .map(|a| conv(&a.value))
                    .filter(|v| *v != V::Missing)
                    .collect(),
            );
        }
        // The regime a system is checked under (`transition --to` imposes
        // one over what the document states).
        if name == "regime" && b.kind == "system" {
            return V::Num(m.regime(id) as f64);
        }
        if let Some(a) = b.attr(name) {
            return conv(&a.value);
        }
        if name != "system" {
            return V::Missing;
        }
    }
    if spec.children.contains(&name) {
        return V::List(m.children_of(id, name).map(V::Block).collect());
    }
    use crate::model::derived::{find, DerivedValue};
    match find(name).map(|d| (d.eval)(m, id)) {
        Some(DerivedValue::Str(s)) => V::Str(s),
        Some(DerivedValue::Block(b)) => b.map_or(V::Missing, V::Block),
        Some(DerivedValue::Blocks(v)) => V::List(v.into_iter().map(V::Block).collect()),
        Some(DerivedValue::Missing) | None => V::Missing,
    }
}

pub fn eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Missing, _) | (_, V::Missing) => false,
        (V::Word(x) | V::Str(x), V::Word(y) | V::Str(y)) => x == y,
        (V::Num(x), V::Num(y)) | (V::Percent(x), V::Percent(y)) | (V::Money(x), V::Money(y)) => {
            (x - y).abs() < 1e-9
        }
        (V::Duration(x), V::Duration(y)) => (x.days() - y.days()).abs() < 1e-6,
        _ => a == b,
    }
}
