//! The regimes icslint knows: the statutory guidance of 2022 and its 2025
//! revision. Every list of valid regimes (the schema's `regime` key,
//! `icslint.yaml`, rule packs, `--regime`) is derived from [`Regime::ALL`].

/// A regime of the statutory guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Regime {
    R2022,
    R2025,
}

impl Regime {
    pub const ALL: [Regime; 2] = [Regime::R2022, Regime::R2025];

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
        }
    }

    pub fn from_year(year: i64) -> Option<Regime> {
        Regime::ALL.into_iter().find(|r| r.year() == year)
    }

    /// "2022 or 2025", for messages.
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
