//! The regimes icslint knows: the statutory guidance of 2022, its 2025
//! revision, and 2026, the Health Bill as introduced (provisional: the Bill
//! is not law; its pack, `health-bill-2026`, says `enacted: false`, so its
//! findings stay at warning or below). Every list of valid regimes (the schema's `regime` key,
//! `icslint.yaml`, rule packs, `--regime`) is derived from [`Regime::ALL`].

/// A regime of the statutory guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Regime {
    R2022,
    R2025,
    /// The Health Bill 2026 as introduced (14 May 2026): provisional.
    R2026,
}

impl Regime {
    pub const ALL: [Regime; 3] = [Regime::R2022, Regime::R2025, Regime::R2026];

    /// The years of [`Regime::ALL`], in order.
    pub const YEARS: [i64; Regime::ALL.len()] = {
        let mut years = [0; Regime::ALL.len()];
        let mut i = 0;
        while i < years.len() {
            years[i] = Regime::ALL[i].year();
            i += 1;
        }
        years
    };

    pub const fn year(self) -> i64 {
        match self {
            Regime::R2022 => 2022,
            Regime::R2025 => 2025,
            Regime::R2026 => 2026,
        }
    }

    /// What the regime is, in a few words (completion in an editor).
    pub const fn describe(self) -> &'static str {
        match self {
            Regime::R2022 => "the Health and Care Act 2022 and its statutory guidance",
            Regime::R2025 => "the 2025 revision: the 10 Year Health Plan era",
            Regime::R2026 => {
                "the Health Bill 2026 as introduced: provisional, not law (its rules report at most warnings)"
            }
        }
    }

    pub fn from_year(year: i64) -> Option<Regime> {
        Regime::ALL.into_iter().find(|r| r.year() == year)
    }

    /// "2022, 2025 or 2026", for messages.
    pub fn choices() -> String {
        let years: Vec<String> = Regime::YEARS.iter().map(|y| y.to_string()).collect();
        match years.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => years.concat(),
        }
    }
}

impl std::str::FromStr for Regime {
    type Err = String;
    fn from_str(s: &str) -> Result<Regime, String> {
        s.trim()
            .parse()
            .ok()
            .and_then(Regime::from_year)
            .ok_or_else(|| format!("the regime must be {}", Regime::choices()))
    }
}
