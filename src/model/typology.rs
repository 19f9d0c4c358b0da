//! The County Councils Network's local authority–ICS typology (ccn-2022,
//! "Local authority ICS typologies", Figure 5).
//!
//! * Type 1, coterminous: ≥95% of the authority's population in one system,
//!   and the authority is ≥95% of that system's population.
//! * Type 2: ≥95% in one system that also serves 1–2 other upper-tier authorities.
//! * Type 3: ≥95% in one system that also serves 3 or more.
//! * Type 4, split: ≥5% of its population in an additional system.

use super::{BlockId, Model, Val};

#[derive(Clone, Debug, PartialEq)]
pub struct Typology {
    /// 1 to 4.
    pub kind: u8,
    /// The systems and shares, largest first.
    pub shares: Vec<(BlockId, f64)>,
}

/// The typology from raw figures, so the report's reference cases can be
/// tested without a workspace: `shares` are the authority's percentages in
/// each system, `main_share_of_system` is the authority's share of its main
/// system's population, `others` the number of other upper-tier
/// authorities that main system serves.
pub fn classify(shares: &[f64], main_share_of_system: f64, others: usize) -> u8 {
    let mut sorted: Vec<f64> = shares.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let main = sorted.first().copied().unwrap_or(0.0);
    let split = main < 95.0 || sorted.iter().skip(1).any(|s| *s >= 5.0);
    if split {
        4
    } else if main_share_of_system >= 95.0 {
        1
    } else if others <= 2 {
        2
    } else {
        3
    }
}

/// Population of a system: its own `population` where given, else the sum
/// of population × share over its upper-tier authorities (strategic and
/// lower-tier authorities overlap them and do not count).
pub fn computed_population(model: &Model, system: BlockId) -> f64 {
    model
        .upper_tier_of(system)
        .iter()
        .filter_map(|a| {
            let share = model
                .shares(*a)
                .iter()
                .find(|(s, _)| *s == system)
                .map(|(_, p)| *p)?;
            Some(model.population(*a)? * share / 100.0)
        })
        .sum()
}

pub fn system_population(model: &Model, system: BlockId) -> f64 {
    match model.block(system).attr("population").map(|a| &a.value) {
        Some(Val::Num(n)) => *n,
        _ => computed_population(model, system),
    }
}

pub fn compute(model: &Model) -> Vec<(BlockId, Typology)> {
    let mut out = Vec::new();
    for a in model.of_kind("authority") {
        if model.tier(a) == "strategic" {
            continue;
        }
        let mut shares = model.shares(a);
        if shares.is_empty() {
            continue;
        }
        shares.sort_by(|x, y| y.1.total_cmp(&x.1));
        let (main, main_pct) = shares[0];
        let others = model
            .upper_tier_of(main)
            .into_iter()
            .filter(|o| *o != a)
            .count();
        let sys_pop = system_population(model, main);
        let mine = model.population(a).unwrap_or(0.0) * main_pct / 100.0;
        let of_system = if sys_pop > 0.0 {
            mine / sys_pop * 100.0
        } else {
            0.0
        };
        let pcts: Vec<f64> = shares.iter().map(|(_, p)| *p).collect();
        out.push((
            a,
            Typology {
                kind: classify(&pcts, of_system, others),
                shares,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn essex_split_three_ways_is_type_4() {
        assert_eq!(classify(&[56.0, 23.0, 21.0], 60.0, 2), 4);
    }

    #[test]
    fn a_third_system_holding_under_one_percent_does_not_make_type_4() {
        // North Yorkshire's third system holds 0.97%: alone, not a split.
        assert_eq!(classify(&[99.03, 0.97], 70.0, 5), 3);
        assert_eq!(classify(&[99.03, 0.97], 97.0, 0), 1);
    }

    #[test]
    fn surrey_with_85_percent_in_one_system_is_type_4() {
        assert_eq!(classify(&[85.0, 15.0], 98.0, 0), 4);
    }

    #[test]
    fn coterminous_and_shared_systems() {
        assert_eq!(classify(&[100.0], 100.0, 0), 1);
        assert_eq!(classify(&[100.0], 54.0, 1), 2);
        assert_eq!(classify(&[100.0], 54.0, 2), 2);
        assert_eq!(classify(&[100.0], 20.0, 3), 3);
        assert_eq!(classify(&[96.0, 4.0], 30.0, 4), 3);
    }
}
