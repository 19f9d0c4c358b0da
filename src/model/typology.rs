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
    /// 1 to 4; `None` when a population the decision needs is missing (a
    /// type is never guessed).
    pub kind: Option<u8>,
    /// The systems and shares, largest first.
    pub shares: Vec<(BlockId, f64)>,
    /// The percentage of the population in systems the workspace does not
    /// describe (100% less the shares), counted as one further system.
    pub remainder: f64,
    /// Why the type is undecided, or what it rests on, for `ICG014`.
    pub note: Option<Note>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// The shares add up to less than 99.5%.
    Incomplete,
    /// These authorities' populations are needed and not stated: at most
    /// [`NAMED`], and one more when there are more.
    MissingPopulation(Vec<BlockId>),
}

/// How many authorities `ICG014` names as lacking a population; a note
/// holds one more when there are more, so its message can say so.
pub const NAMED: usize = 10;

/// Shares below this add up to an incomplete workspace (`ICG014`).
pub const COMPLETE: f64 = 99.5;

/// The typology from raw figures, so the report's reference cases can be
/// tested without a workspace: `shares` are the authority's percentages in
/// each system (a remainder in undescribed systems included),
/// `main_share_of_system` is the authority's share of its main system's
/// population (`None` if it cannot be known), `others` the number of other
/// upper-tier authorities that main system serves.
pub fn classify(shares: &[f64], main_share_of_system: Option<f64>, others: usize) -> Option<u8> {
    let mut sorted: Vec<f64> = shares.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let main = sorted.first().copied().unwrap_or(0.0);
    let split = main < 95.0 || sorted.iter().skip(1).any(|s| *s >= 5.0);
    if split {
        return Some(4);
    }
    // The only upper-tier authority of its system is all of it.
    let of_system = if others == 0 {
        100.0
    } else {
        main_share_of_system?
    };
    Some(if of_system >= 95.0 {
        1
    } else if others <= 2 {
        2
    } else {
        3
    })
}

/// Population of a system from its upper-tier authorities: the sum of
/// population × share (strategic and lower-tier authorities overlap them and
/// do not count). `None` lists the authorities whose population is missing.
pub fn population_from_authorities(model: &Model, system: BlockId) -> Result<f64, Vec<BlockId>> {
    let mut total = 0.0;
    let mut missing = Vec::new();
    for a in model.upper_tier_of(system) {
        match model.population(a) {
            Some(p) => total += p * model.share_in(a, system) / 100.0,
            None => missing.push(a),
        }
    }
    if missing.is_empty() {
        Ok(total)
    } else {
        Err(missing)
    }
}

/// A system's population: its own `population` where given, else the sum
/// over its upper-tier authorities.
pub fn system_population(model: &Model, system: BlockId) -> Result<f64, Vec<BlockId>> {
    match model.block(system).attr("population").map(|a| &a.value) {
        Some(Val::Num(n)) => Ok(*n),
        _ => population_from_authorities(model, system),
    }
}

/// The typology of every upper-tier authority with a share in some system.
/// Lower-tier and strategic authorities have none.
pub fn compute(model: &Model) -> Vec<(BlockId, Typology)> {
    let mut out = Vec::new();
    // Per system, worked out once: with thousands of authorities in one
    // system, each authority counting the others was quadratic.
    let mut upper: std::collections::HashMap<BlockId, (Vec<BlockId>, Result<f64, Vec<BlockId>>)> =
        std::collections::HashMap::new();
    for a in model.of_kind("authority") {
        if model.tier(a) != "upper" {
            continue;
        }
        let mut shares = model.shares(a);
        if shares.is_empty() {
            continue;
        }
        shares.sort_by(|x, y| y.1.total_cmp(&x.1));
        // Shares naming an unknown system (ICG004) still count as described.
        let total = model.share_total(a);
        let remainder = (100.0 - total).max(0.0);
        let (main, main_pct) = shares[0];
        let (tier, sys_population) = upper.entry(main).or_insert_with(|| {
            let mut tier = model.upper_tier_of(main);
            tier.sort_unstable();
            (tier, system_population(model, main))
        });
        let others = tier.len() - usize::from(tier.binary_search(&a).is_ok());
        let mut missing = Vec::new();
        let of_system = match (model.population(a), &*sys_population) {
            (Some(mine), Ok(sys)) if *sys > 0.0 => Some(mine * main_pct / 100.0 / sys * 100.0),
            (mine, sys) => {
                if mine.is_none() {
                    missing.push(a);
                }
                if let Err(m) = sys {
                    // At most one more than is named: every authority of a
                    // system of thousands without populations listed every
                    // other (quadratic in memory and in the findings).
                    let room = (NAMED + 1).saturating_sub(missing.len());
                    missing.extend(m.iter().copied().filter(|x| *x != a).take(room));
                }
                None
            }
        };
        let mut pcts: Vec<f64> = shares.iter().map(|(_, p)| *p).collect();
        if remainder > 0.0 {
            pcts.push(remainder);
        }
        let kind = classify(&pcts, of_system, others);
        let note = if kind.is_none() {
            Some(Note::MissingPopulation(missing))
        } else if total < COMPLETE {
            Some(Note::Incomplete)
        } else {
            None
        };
        out.push((
            a,
            Typology {
                kind,
                shares,
                remainder,
                note,
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
        assert_eq!(classify(&[56.0, 23.0, 21.0], Some(60.0), 2), Some(4));
    }

    #[test]
    fn a_third_system_holding_under_one_percent_does_not_make_type_4() {
        // North Yorkshire's third system holds 0.97%: alone, not a split.
        assert_eq!(classify(&[99.03, 0.97], Some(70.0), 5), Some(3));
        assert_eq!(classify(&[99.03, 0.97], Some(97.0), 1), Some(1));
    }

    #[test]
    fn surrey_with_85_percent_in_one_system_is_type_4() {
        assert_eq!(classify(&[85.0, 15.0], Some(98.0), 0), Some(4));
    }

    #[test]
    fn coterminous_and_shared_systems() {
        assert_eq!(classify(&[100.0], Some(100.0), 0), Some(1));
        assert_eq!(classify(&[100.0], Some(54.0), 1), Some(2));
        assert_eq!(classify(&[100.0], Some(54.0), 2), Some(2));
        assert_eq!(classify(&[100.0], Some(20.0), 3), Some(3));
        assert_eq!(classify(&[96.0, 4.0], Some(30.0), 4), Some(3));
    }

    #[test]
    fn the_only_upper_tier_authority_is_coterminous_whatever_its_population() {
        assert_eq!(classify(&[100.0], None, 0), Some(1));
    }

    #[test]
    fn a_type_that_needs_a_missing_population_is_never_guessed() {
        assert_eq!(classify(&[100.0], None, 1), None);
        // A split needs no population.
        assert_eq!(classify(&[60.0, 40.0], None, 1), Some(4));
    }

    #[test]
    fn a_remainder_in_undescribed_systems_counts_as_a_further_system() {
        // 88% described: the 12% elsewhere makes it a split council.
        assert_eq!(classify(&[88.0, 12.0], Some(100.0), 0), Some(4));
        // 97% described: 3% elsewhere does not.
        assert_eq!(classify(&[97.0, 3.0], Some(100.0), 0), Some(1));
    }
}
