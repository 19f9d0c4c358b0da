//! The v0 schema of ICG, as data: kinds, where they may appear, their keys
//! and the type of each key's value. Lowering validates against it; the rule
//! compiler types check expressions with it; an editor can complete from it.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocab {
    Open,
    Closed(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    Text,
    Int,
    Percent,
    Money,
    Date,
    /// A bare four-digit year.
    Year,
    Duration,
    /// `every DURATION`.
    Every,
    Bool,
    Word(Vocab),
    /// `@id`, optionally restricted to some kinds.
    Ref(&'static [&'static str]),
    Words(Vocab),
    Refs(&'static [&'static str]),
    Range,
    /// `@system PERCENT`, then `from DATE` and `until DATE` if given (authority `share`).
    RefPercent,
    /// `@party "benefit"` (priority `externality`).
    RefStr,
    /// One of the listed years (`regime 2022|2025`).
    OneOfYears(&'static [i64]),
}

impl Ty {
    /// How a value of this type is written, for messages.
    pub fn example(&self) -> String {
        match self {
            Ty::Str => "a string in quotes, like \"Name\"".into(),
            Ty::Text => "a text in triple quotes, like \"\"\"...\"\"\"".into(),
            Ty::Int => "a whole number, like 1_503_000".into(),
            Ty::Percent => "a percentage, like 56%".into(),
            Ty::Money => "an amount of money, like £3m".into(),
            Ty::Date => "a date, like 2023-04-01".into(),
            Ty::Year => "a year, like 2022".into(),
            Ty::Duration => "a duration, like 3 years".into(),
            Ty::Every => "a frequency, like `every 12 months`".into(),
            Ty::Bool => "yes or no".into(),
            Ty::Word(Vocab::Closed(w)) => format!("one of {}", words(w)),
            Ty::Word(Vocab::Open) => "a word, like `finance`".into(),
            Ty::Ref(k) if !k.is_empty() => format!("a reference to {}, like @id", words(k)),
            Ty::Ref(_) => "a reference, like @id".into(),
            Ty::Words(Vocab::Closed(w)) => format!("a list drawn from [{}]", w.join(", ")),
            Ty::Words(Vocab::Open) => "a list of words, like [jsna, jhws]".into(),
            Ty::Refs(_) => "a list of references, like [@a, @b]".into(),
            Ty::Range => "a range of dates, like 2023-04-01 to 2028-03-31".into(),
            Ty::RefPercent => "a system and a percentage, like `@hwe 21%`, then the days it holds if not every day (`from 2026-04-01`, `until 2026-03-31`)".into(),
            Ty::RefStr => "a party and a benefit, like `@essex \"fewer placements\"`".into(),
            Ty::OneOfYears(y) => format!(
                "one of {}",
                y.iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn words(w: &[&str]) -> String {
    let q: Vec<String> = w.iter().map(|w| format!("`{w}`")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} or {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

#[derive(Debug)]
pub struct KeySpec {
    pub name: &'static str,
    pub ty: Ty,
    pub repeatable: bool,
}

#[derive(Debug)]
pub struct KindSpec {
    pub name: &'static str,
    pub doc: &'static str,
    /// Kinds this one may be nested in; empty for top-level kinds.
    pub parents: &'static [&'static str],
    pub keys: &'static [KeySpec],
    pub children: &'static [&'static str],
}

impl KindSpec {
    pub fn top_level(&self) -> bool {
        self.parents.is_empty()
    }
    /// A key of this kind, or one every block may carry (`clause`).
    pub fn key(&self, name: &str) -> Option<&'static KeySpec> {
        self.keys.iter().find(|k| k.name == name).or_else(|| {
            COMMON_KEYS
                .iter()
                .find(|k| k.name == name && self.name != "explain" && self.name != "document")
        })
    }
    /// Every key a block of this kind may carry, its own and the common ones.
    pub fn all_keys(&self) -> impl Iterator<Item = &'static KeySpec> + '_ {
        self.keys.iter().chain(
            COMMON_KEYS
                .iter()
                .filter(|_| self.name != "explain" && self.name != "document"),
        )
    }
}

/// Keys any block may carry, beside its kind's own. `clause "4.2.1"` names
/// the clause of the published document that the text below it comes
/// from: the block's first `clause` covers its header and everything up to
/// the next `clause`, which covers what follows it (see docs/language.md).
pub const COMMON_KEYS: &[KeySpec] = &[rep("clause", Str)];

/// Every kind a rule can report on: where an `explain` block may stand.
const EXPLAINABLE_IN: &[&str] = &[
    "system",
    "authority",
    "icb",
    "icp",
    "hwb",
    "place",
    "delegation",
    "strategy",
    "framework",
    "member",
    "committee",
    "oversight",
    "chair_appraisal",
    "conflicts",
    "scrutiny",
    "agenda",
    "engagement",
    "regard",
    "division",
    "grant",
    "priority",
    "ambition",
    "report",
];

const fn k(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec {
        name,
        ty,
        repeatable: false,
    }
}
const fn rep(name: &'static str, ty: Ty) -> KeySpec {
    KeySpec {
        name,
        ty,
        repeatable: true,
    }
}

use Ty::*;
use Vocab::*;

const SYSTEM: Ty = Ref(&["system"]);
const AUTHORITY: Ty = Ref(&["authority"]);
const OPEN: Ty = Word(Open);
const OPEN_LIST: Ty = Words(Open);

/// What NHS Act 2006 s14Z52(2) requires a joint forward plan to set out, in
/// the order of its paragraphs (a) to (e); (b) is two duties, general and
/// financial.
pub const JFP_CONTENTS: &[&str] = &[
    "health_services",
    "general_duties",
    "financial_duties",
    "jhws_steps",
    "children_young_people",
    "victims_of_abuse",
];

pub const KINDS: &[KindSpec] = &[
    KindSpec {
        name: "document",
        doc: "The published document this file records (its title, version, adoption date and address): findings in the file cite it.",
        parents: &[],
        keys: &[k("version", Str), k("adopted", Date), k("url", Str)],
        children: &[],
    },
    KindSpec {
        name: "explain",
        doc: "A board's recorded departure from a recommendation (\"comply or explain\"): `explain RULE \"reason\" { approved_by @body; agreed DATE; review DATE }`, inside the block the rule applies to.",
        parents: EXPLAINABLE_IN,
        keys: &[k("approved_by", Ref(&[])), k("agreed", Date), k("review", Date)],
        children: &[],
    },
    KindSpec {
        name: "system",
        doc: "One integrated care system.",
        parents: &[],
        keys: &[k("regime", OneOfYears(&super::regime::Regime::YEARS)), k("population", Int)],
        children: &[],
    },
    KindSpec {
        name: "authority",
        doc: "A local authority, with the share of its population in each system.",
        parents: &[],
        keys: &[
            k("kind", Word(Closed(&["county", "unitary", "metropolitan", "london_borough", "district", "combined"]))),
            k("tier", Word(Closed(&["upper", "lower", "strategic"]))),
            k("population", Int),
            rep("share", RefPercent),
            k("mayor", Bool),
            k("scrutiny_committee", Str),
        ],
        children: &[],
    },
    KindSpec {
        name: "icb",
        doc: "An integrated care board's constitution.",
        parents: &[],
        keys: &[
            k("system", SYSTEM),
            k("established", Date),
            k("version", Str),
            k("review", Every),
            k("disqualify", OPEN_LIST),
            k("membership_review", Every),
            k("board_development", Every),
            k("running_cost_per_head", Money),
        ],
        children: &["member", "committee", "oversight", "chair_appraisal", "conflicts", "scrutiny", "agenda", "engagement"],
    },
    KindSpec {
        name: "icp",
        doc: "An integrated care partnership's terms of reference.",
        parents: &[],
        keys: &[
            k("system", SYSTEM),
            k("established_by", Refs(&["icb", "authority"])),
            k("statutory", Bool),
            k("functions", OPEN_LIST),
            k("remit", Text),
            k("board_development", Every),
            // LGPIHA 2007 s116ZA(3): the partnership determines its own
            // procedure, including its quorum (third edition).
            k("quorum", Int),
        ],
        children: &["member", "regard", "engagement"],
    },
    KindSpec {
        name: "hwb",
        doc: "A health and wellbeing board's terms of reference.",
        parents: &[],
        keys: &[k("system", SYSTEM), k("authority", AUTHORITY), k("functions", OPEN_LIST), k("remit", Text)],
        children: &["member", "division", "regard"],
    },
    KindSpec {
        name: "place",
        doc: "A place-based partnership.",
        parents: &[],
        keys: &[
            k("system", SYSTEM),
            k("geography", Str),
            k("population", Int),
            k("authorities", Refs(&["authority"])),
            k("defined_with_authorities", Bool),
            k("role", Str),
            k("horizon", Duration),
            k("lead", Word(Closed(&["joint_appointment", "icb", "authority", "provider"]))),
            k("delegation", Word(Closed(&["none"]))),
            k("reason", Str),
        ],
        children: &[],
    },
    KindSpec {
        name: "delegation",
        doc: "A scheme of delegation from an ICB.",
        parents: &[],
        keys: &[k("system", SYSTEM), k("from", Ref(&["icb"]))],
        children: &["grant"],
    },
    KindSpec {
        name: "strategy",
        doc: "An integrated care strategy, joint local health and wellbeing strategy or joint forward plan.",
        parents: &[],
        keys: &[
            k("system", SYSTEM),
            k("type", Word(Closed(&["integrated_care_strategy", "joint_health_wellbeing", "joint_forward_plan"]))),
            k("owner", Ref(&["icp", "hwb", "icb"])),
            k("period", Range),
            k("published", Date),
            k("purposes", Words(Closed(&["population_health", "inequalities", "productivity", "social_economic_development"]))),
            k("hwb_opinion", Refs(&["hwb"])),
            // Third edition. LGPIHA 2007 s116ZB(2): whether arrangements
            // under NHS Act 2006 s75 (pooled budgets, lead commissioning)
            // were considered in preparing an integrated care strategy.
            k("pooled_arrangements", Word(Closed(&["considered", "not_considered"]))),
            // s116ZB(4): who was involved in preparing it (`healthwatch`,
            // `local_people`: the people who live or work in the area; others
            // may be named too).
            k("involved", OPEN_LIST),
            // NHS Act 2006 s14Z52(2): what a joint forward plan sets out.
            k("contents", Words(Closed(JFP_CONTENTS))),
        ],
        children: &["priority", "report"],
    },
    KindSpec {
        name: "framework",
        doc: "A system financial framework.",
        parents: &[],
        keys: &[
            k("system", SYSTEM),
            k("parties", Refs(&[])),
            k("period", Duration),
            k("risk_share", Bool),
            k("cost_shunting", Word(Closed(&["prohibited", "permitted", "silent"]))),
            k("pooled_budget", Money),
            k("joint_report", Word(Closed(&["single", "nhs_only", "none"]))),
            k("benefits_tracking", Bool),
            k("scope", Words(Closed(&["health", "social_care", "wider_determinants"]))),
        ],
        children: &[],
    },
    KindSpec {
        name: "member",
        doc: "A member of a board, partnership or committee.",
        parents: &["icb", "icp", "hwb", "committee"],
        keys: &[
            k("role", Word(Closed(&["chair", "chief_executive", "executive", "non_executive", "partner", "member"]))),
            k("person", Str),
            k("nominated_by", Word(Closed(&["trusts", "primary_medical_services", "local_authorities", "mayor"]))),
            k("authority", AUTHORITY),
            k("icb", Ref(&["icb"])),
            k("councillor", Bool),
            k("portfolio", OPEN),
            k("deputy_chair", Bool),
            k("senior", Bool),
            k("chairs", Ref(&["committee"])),
            k("expertise", OPEN),
            k("appointed_by", OPEN),
            k("approved_by", OPEN),
            k("employee", Bool),
            // Sch 1B para 6 (third edition): who the constitution lets remove
            // the chair, and whose approval that power is subject to.
            k("removable_by", OPEN_LIST),
            k("removal_approved_by", OPEN),
            k("category", Word(Closed(&["icb", "la_elected", "la_officer", "nhs_provider", "vcse", "primary_care", "place", "public", "other"]))),
            k("post", OPEN),
        ],
        children: &[],
    },
    KindSpec {
        name: "committee",
        doc: "A committee of the ICB.",
        parents: &["icb"],
        keys: &[k("delegated", OPEN_LIST), k("operational", Bool)],
        children: &["member"],
    },
    KindSpec {
        name: "oversight",
        doc: "An arrangement for oversight of major decisions with local authorities.",
        parents: &["icb"],
        keys: &[k("with", Refs(&["authority"])), k("covers", OPEN_LIST), k("political_input", Bool)],
        children: &[],
    },
    KindSpec { name: "chair_appraisal", doc: "Who gives input to the ICB chair's appraisal.", parents: &["icb"], keys: &[k("input", OPEN_LIST)], children: &[] },
    KindSpec {
        name: "conflicts",
        doc: "The ICB's conflicts-of-interest arrangements.",
        parents: &["icb"],
        keys: &[k("register", Bool), k("la_partner_protocol", Bool)],
        children: &[],
    },
    KindSpec {
        name: "scrutiny",
        doc: "What the ICB gives to local authority scrutiny.",
        parents: &["icb"],
        keys: &[k("information", OPEN_LIST), k("committees", Refs(&["authority"])), k("joint_sessions", Bool)],
        children: &[],
    },
    KindSpec { name: "agenda", doc: "The balance of the ICB board's agenda.", parents: &["icb"], keys: &[k("strategic_share", Percent)], children: &[] },
    KindSpec {
        name: "engagement",
        doc: "Agreed engagement with local councillors outside formal meetings: the ICB chair's, or the ICP's information for local politicians.",
        parents: &["icb", "icp"],
        keys: &[k("councillors", Word(Closed(&["agreed", "none"]))), k("frequency", Every), k("public_briefing", Bool)],
        children: &[],
    },
    KindSpec {
        name: "regard",
        doc: "How a body shows regard to the integrated care strategy (in an ICP) or to the JSNA and joint local health and wellbeing strategy (in an HWB).",
        parents: &["icp", "hwb"],
        keys: &[k("party", Ref(&[])), k("by", OPEN_LIST)],
        children: &[],
    },
    KindSpec {
        name: "division",
        doc: "The agreed division of responsibilities between an HWB and the ICP.",
        parents: &["hwb"],
        keys: &[k("with", Ref(&["icp"])), k("agreed", Date), k("hwb", OPEN_LIST), k("icp", OPEN_LIST)],
        children: &[],
    },
    KindSpec {
        name: "grant",
        doc: "One delegation of functions in a scheme of delegation.",
        parents: &["delegation"],
        keys: &[
            k("to", Ref(&["place", "committee"])),
            k("functions", OPEN_LIST),
            k("budget", Money),
            k("budget_share", Percent),
            k("spend_limit", Money),
            k("agreed_with", Refs(&["authority"])),
            k("review", Date),
            k("horizon", Duration),
        ],
        children: &[],
    },
    KindSpec {
        name: "priority",
        doc: "A priority of a strategy.",
        parents: &["strategy"],
        keys: &[k("metric", Str), k("owners", Refs(&[])), rep("externality", RefStr), k("theme", OPEN)],
        children: &["ambition"],
    },
    KindSpec {
        name: "ambition",
        doc: "A specific, measurable ambition for a priority.",
        parents: &["priority"],
        keys: &[k("metric", Str), k("change", Percent), k("baseline", Year), k("by", Date)],
        children: &[],
    },
    KindSpec {
        name: "report",
        doc: "A report the strategy commits to.",
        parents: &["strategy"],
        keys: &[k("kind", OPEN), k("joint_with", Refs(&[])), k("every", Duration)],
        children: &[],
    },
];

pub fn kind(name: &str) -> Option<&'static KindSpec> {
    KINDS.iter().find(|k| k.name == name)
}

pub fn kind_names() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|k| k.name)
}

/// "a" or "an" before a kind or key name (`an icb`, `a system`).
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Spelling suggestions live with the other text utilities.
pub use crate::text::{levenshtein, suggest, Suggester};
