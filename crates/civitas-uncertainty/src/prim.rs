//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman and Fisher
//! 1999, "Bump hunting in high-dimensional data"), as used in exploratory modelling under
//! deep uncertainty (Bryant and Lempert 2010; the EMA Workbench): given the parameter
//! draws of every replicate and whether a target failed there, find a box — a few ranges
//! of a few parameters — in which failures concentrate.
//!
//! Starting from the box holding every replicate, each step peels off the share `alpha` of
//! the remaining points at the low or high end of one parameter, choosing the peel that
//! leaves the highest share of failures inside, until fewer than `min_mass` of all points
//! remain. Along that trajectory, a box is described by
//!
//! - **coverage**: the share of all failures that fall inside it, and
//! - **density**: the share of the points inside it that fail.
//!
//! The box returned is the densest one whose coverage is at least `min_coverage`, then
//! simplified: a restriction stays only if dropping it would cost at least
//! `min_density_gain` of density. The result reads "the target fails mainly when
//! q < 0.35 and decay > 0.03 (coverage 0.78, density 0.91)".

/// Options of [`discover`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's points peeled per step.
    pub alpha: f64,
    /// Stop peeling below this share of all points.
    pub min_mass: f64,
    /// Least coverage of the box chosen from the trajectory.
    pub min_coverage: f64,
    /// A restriction of the chosen box is kept only if dropping it would lower the box's
    /// density by at least this much: with many parameters and few replicates, peeling
    /// also trims dimensions that only fit noise, and a decision maker needs the few that
    /// matter.
    pub min_density_gain: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions {
            alpha: 0.05,
            min_mass: 0.05,
            min_coverage: 0.5,
            min_density_gain: 0.05,
        }
    }
}

/// One box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// Lower bound per parameter (the smallest value seen where not restricted).
    pub lower: Vec<f64>,
    /// Upper bound per parameter.
    pub upper: Vec<f64>,
    /// Share of all failures inside.
    pub coverage: f64,
    /// Share of the points inside that fail.
    pub density: f64,
    /// Share of all points inside.
    pub mass: f64,
}

/// What a restriction of a box says about one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Restriction {
    /// Parameter index.
    pub parameter: usize,
    /// Lower bound, where the box cuts the low end.
    pub above: Option<f64>,
    /// Upper bound, where the box cuts the high end.
    pub below: Option<f64>,
}

/// The result of [`discover`].
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// Every box of the peeling trajectory, from the full box on (the simplified chosen
    /// box last, when simplification changed it).
    pub trajectory: Vec<PrimBox>,
    /// Index of the chosen box in the trajectory.
    pub chosen: usize,
    /// Boxes of the peeling path proper, `trajectory[..peeled]`; a simplified chosen box,
    /// when simplification changed it, follows them.
    pub peeled: usize,
    /// Share of all points that fail.
    pub base_density: f64,
    /// The chosen box's restricted parameters, most restricted (smallest kept share of the
    /// range) first.
    pub restrictions: Vec<Restriction>,
}

impl Discovery {
    /// The chosen box.
    pub fn best(&self) -> &PrimBox {
        &self.trajectory[self.chosen]
    }
}

/// Indices of the points inside a box.
fn members(x: &[Vec<f64>], lower: &[f64], upper: &[f64]) -> Vec<usize> {
    (0..x.len())
        .filter(|&i| {
            x[i].iter()
                .zip(lower.iter().zip(upper))
                .all(|(v, (lo, hi))| v >= lo && v <= hi)
        })
        .collect()
}

// `d` indexes the columns of every row of `x`, not one slice.
#[expect(
    clippy::needless_range_loop,
    reason = "points and parameters indexed alike, as in the algorithm's description"
)]
/// Runs PRIM over points `x[i]` (one row per replicate, one column per parameter) and
/// `failed[i]`. Returns `None` when nothing fails or there are no points.
pub fn discover(x: &[Vec<f64>], failed: &[bool], options: &PrimOptions) -> Option<Discovery> {
    let n = x.len();
    let total_failed = failed.iter().filter(|&&f| f).count();
    if n == 0 || total_failed == 0 {
        return None;
    }
    let k = x[0].len();
    let full_lower: Vec<f64> = (0..k)
        .map(|d| x.iter().map(|r| r[d]).fold(f64::INFINITY, f64::min))
        .collect();
    let full_upper: Vec<f64> = (0..k)
        .map(|d| x.iter().map(|r| r[d]).fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let describe = |inside: &[usize], lower: &[f64], upper: &[f64]| {
        let hits = inside.iter().filter(|&&i| failed[i]).count();
        PrimBox {
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            coverage: hits as f64 / total_failed as f64,
            density: if inside.is_empty() {
                0.0
            } else {
                hits as f64 / inside.len() as f64
            },
            mass: inside.len() as f64 / n as f64,
        }
    };
    let mut inside: Vec<usize> = (0..n).collect();
    let (mut lower, mut upper) = (full_lower.clone(), full_upper.clone());
    let mut trajectory = vec![describe(&inside, &lower, &upper)];
    // A box of one point cannot be peeled (and is no finding).
    while inside.len() >= 2 && (inside.len() as f64) / (n as f64) > options.min_mass {
        // Best peel: (density after, kept points, dimension, is_lower, new bound).
        let mut best: Option<(f64, usize, usize, bool, f64)> = None;
        for d in 0..k {
            let mut values: Vec<f64> = inside.iter().map(|&i| x[i][d]).collect();
            values.sort_by(f64::total_cmp);
            let m = values.len();
            let cut = ((options.alpha * m as f64).ceil() as usize).clamp(1, m - 1);
            for is_lower in [true, false] {
                let bound = if is_lower {
                    values[cut]
                } else {
                    values[m - 1 - cut]
                };
                let keep: Vec<usize> = inside
                    .iter()
                    .copied()
                    .filter(|&i| {
                        if is_lower {
                            x[i][d] >= bound
                        } else {
                            x[i][d] <= bound
                        }
                    })
                    .collect();
                if keep.len() == m || keep.is_empty() {
                    continue;
                }
                let density =
                    keep.iter().filter(|&&i| failed[i]).count() as f64 / keep.len() as f64;
                let better = match best {
                    None => true,
                    Some((bd, bk, ..)) => density > bd || (density == bd && keep.len() > bk),
                };
                if better {
                    best = Some((density, keep.len(), d, is_lower, bound));
                }
            }
        }
        let Some((_, _, d, is_lower, bound)) = best else {
            break;
        };
        if is_lower {
            lower[d] = bound;
            inside.retain(|&i| x[i][d] >= bound);
        } else {
            upper[d] = bound;
            inside.retain(|&i| x[i][d] <= bound);
        }
        trajectory.push(describe(&inside, &lower, &upper));
    }
    let chosen = (0..trajectory.len())
        .filter(|&b| trajectory[b].coverage >= options.min_coverage)
        .max_by(|&a, &b| {
            trajectory[a]
                .density
                .total_cmp(&trajectory[b].density)
                .then(trajectory[a].coverage.total_cmp(&trajectory[b].coverage))
        })
        .unwrap_or(0);
    // Drop restrictions that do not earn their place, weakest first, and record the
    // simplified box as the last of the trajectory.
    let mut simple = trajectory[chosen].clone();
    loop {
        let current = describe(
            &members(x, &simple.lower, &simple.upper),
            &simple.lower,
            &simple.upper,
        );
        let mut weakest: Option<(f64, usize)> = None;
        for d in 0..k {
            if simple.lower[d] <= full_lower[d] && simple.upper[d] >= full_upper[d] {
                continue;
            }
            let (mut lo, mut hi) = (simple.lower.clone(), simple.upper.clone());
            lo[d] = full_lower[d];
            hi[d] = full_upper[d];
            let relaxed = describe(&members(x, &lo, &hi), &lo, &hi);
            let loss = current.density - relaxed.density;
            if weakest.is_none_or(|(w, _)| loss < w) {
                weakest = Some((loss, d));
            }
        }
        match weakest {
            Some((loss, d)) if loss < options.min_density_gain => {
                simple.lower[d] = full_lower[d];
                simple.upper[d] = full_upper[d];
            }
            _ => {
                simple = current;
                break;
            }
        }
    }
    let peeled = trajectory.len();
    let chosen = if simple != trajectory[chosen] {
        trajectory.push(simple);
        trajectory.len() - 1
    } else {
        chosen
    };
    let chosen_box = &trajectory[chosen];
    let mut restrictions: Vec<(f64, Restriction)> = (0..k)
        .filter_map(|d| {
            let above = (chosen_box.lower[d] > full_lower[d]).then_some(chosen_box.lower[d]);
            let below = (chosen_box.upper[d] < full_upper[d]).then_some(chosen_box.upper[d]);
            if above.is_none() && below.is_none() {
                return None;
            }
            let range = full_upper[d] - full_lower[d];
            let kept = if range > 0.0 {
                (chosen_box.upper[d] - chosen_box.lower[d]) / range
            } else {
                1.0
            };
            Some((
                kept,
                Restriction {
                    parameter: d,
                    above,
                    below,
                },
            ))
        })
        .collect();
    restrictions.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(Discovery {
        base_density: total_failed as f64 / n as f64,
        restrictions: restrictions.into_iter().map(|(_, r)| r).collect(),
        trajectory,
        chosen,
        peeled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::unit_draw;

    #[test]
    fn recovers_a_planted_failure_box() {
        // Five parameters; failures where x0 < 0.3 and x3 > 0.6 (plus 3 % noise).
        let n = 2000;
        let x: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..5).map(|d| unit_draw(5, 0, i, d)).collect())
            .collect();
        let failed: Vec<bool> = x
            .iter()
            .enumerate()
            .map(|(i, r)| (r[0] < 0.3 && r[3] > 0.6) || unit_draw(5, 1, i as u64, 0) < 0.03)
            .collect();
        let found = discover(&x, &failed, &PrimOptions::default()).expect("failures exist");
        let best = found.best();
        assert!(best.density > 0.8, "density {}", best.density);
        assert!(best.coverage > 0.6, "coverage {}", best.coverage);
        let dims: Vec<usize> = found.restrictions.iter().map(|r| r.parameter).collect();
        assert!(
            dims.contains(&0) && dims.contains(&3),
            "{:?}",
            found.restrictions
        );
        let r0 = found
            .restrictions
            .iter()
            .find(|r| r.parameter == 0)
            .unwrap();
        let r3 = found
            .restrictions
            .iter()
            .find(|r| r.parameter == 3)
            .unwrap();
        assert!(r0.below.is_some_and(|b| (b - 0.3).abs() < 0.06), "{r0:?}");
        assert!(r3.above.is_some_and(|a| (a - 0.6).abs() < 0.06), "{r3:?}");
        assert!(found.base_density < 0.15);
        assert!(discover(&x, &vec![false; n as usize], &PrimOptions::default()).is_none());
    }

    #[test]
    fn few_points_peel_down_to_two_without_panicking() {
        // 16 replicates (a small run's report): peeling stops at a box of two points
        // instead of trying to cut a one-point box.
        for n in [2_u64, 3, 16, 19] {
            let x: Vec<Vec<f64>> = (0..n)
                .map(|i| (0..3).map(|d| unit_draw(9, 0, i, d)).collect())
                .collect();
            let failed: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
            let found = discover(&x, &failed, &PrimOptions::default()).expect("failures exist");
            assert!(found.best().mass * n as f64 >= 1.0, "n = {n}");
        }
    }
}
