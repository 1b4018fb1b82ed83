//! Morris elementary effects (Morris 1991, with μ* of Campolongo et al. 2007): a cheap
//! screening of which parameters matter, `r·(k + 1)` model runs for `k` parameters.
//!
//! Each of `r` trajectories starts at a random point of a `levels`-level grid on the unit
//! cube and moves one parameter at a time by Δ = levels / (2·(levels − 1)); the elementary
//! effect of parameter i is `(f(x + Δ·e_i) − f(x)) / Δ` (in unit-cube coordinates).
//! μ* (mean absolute effect) ranks importance; σ (spread of the effects) flags
//! non-linearity or interactions.

use crate::design::unit_draw;
use crate::interval::{IndexIntervals, resample_index};

/// The points of `r` Morris trajectories over `k` parameters, in run order (each
/// trajectory is `k + 1` consecutive points), and for each step the parameter it moved and
/// the signed step.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    /// Unit-cube points, `r·(k + 1)` rows.
    pub points: Vec<Vec<f64>>,
    /// For point `t·(k + 1) + j + 1`: the parameter moved from the previous point.
    pub moved: Vec<usize>,
    /// The signed step of each move.
    pub steps: Vec<f64>,
    /// Number of parameters.
    pub k: usize,
}

/// A seeded Morris design with `r` trajectories on a `levels`-level grid (`levels` even, 4
/// is usual).
pub fn morris_design(seed: u64, k: usize, r: usize, levels: usize) -> MorrisDesign {
    let levels = levels.max(2);
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);
    let grid = |l: usize| l as f64 / (levels - 1) as f64;
    let mut points = Vec::with_capacity(r * (k + 1));
    let mut moved = Vec::with_capacity(r * k);
    let mut steps = Vec::with_capacity(r * k);
    for t in 0..r as u64 {
        // Start on the lower half of the grid so a +Δ step stays inside; flip per
        // coordinate at random so steps go both ways.
        let mut x: Vec<f64> = (0..k as u64)
            .map(|i| {
                let lower = levels / 2;
                let l = (unit_draw(seed, t, 1, i) * lower as f64) as usize;
                grid(l.min(lower - 1))
            })
            .collect();
        let up: Vec<bool> = (0..k as u64)
            .map(|i| unit_draw(seed, t, 2, i) < 0.5)
            .collect();
        for (i, xi) in x.iter_mut().enumerate() {
            if !up[i] {
                *xi += delta;
            }
        }
        // Random order of the moves.
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = (unit_draw(seed, t, 3, i as u64) * (i + 1) as f64) as usize;
            order.swap(i, j.min(i));
        }
        points.push(x.clone());
        for &i in &order {
            let step = if up[i] { delta } else { -delta };
            x[i] += step;
            points.push(x.clone());
            moved.push(i);
            steps.push(step);
        }
    }
    MorrisDesign {
        points,
        moved,
        steps,
        k,
    }
}

/// μ*, μ and σ of each parameter's elementary effects.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisEffects {
    /// Mean absolute elementary effect (importance).
    pub mu_star: Vec<f64>,
    /// Mean elementary effect (direction).
    pub mu: Vec<f64>,
    /// Standard deviation of the effects (non-linearity, interactions).
    pub sigma: Vec<f64>,
}

/// Each parameter's elementary effects, one per trajectory, in trajectory order.
fn elementary_effects(design: &MorrisDesign, y: &[f64]) -> Vec<Vec<f64>> {
    let k = design.k;
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); k];
    let r = design.points.len() / (k + 1);
    for t in 0..r {
        for j in 0..k {
            let step = t * k + j;
            let before = y[t * (k + 1) + j];
            let after = y[t * (k + 1) + j + 1];
            effects[design.moved[step]].push((after - before) / design.steps[step]);
        }
    }
    effects
}

/// μ*, μ and σ of one parameter's effects.
fn effect_stats(e: &[f64]) -> (f64, f64, f64) {
    let n = e.len().max(1) as f64;
    let mu = e.iter().sum::<f64>() / n;
    let mu_star = e.iter().map(|v| v.abs()).sum::<f64>() / n;
    let sigma = if e.len() > 1 {
        libm::sqrt(e.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / (e.len() - 1) as f64)
    } else {
        0.0
    };
    (mu_star, mu, sigma)
}

/// Elementary effects from the outputs `y` of a [`morris_design`], in its run order.
pub fn morris_effects(design: &MorrisDesign, y: &[f64]) -> MorrisEffects {
    let all: Vec<(f64, f64, f64)> = elementary_effects(design, y)
        .iter()
        .map(|e| effect_stats(e))
        .collect();
    MorrisEffects {
        mu_star: all.iter().map(|s| s.0).collect(),
        mu: all.iter().map(|s| s.1).collect(),
        sigma: all.iter().map(|s| s.2).collect(),
    }
}

/// Bootstrap intervals (percentile method, as SALib's `mu_star_conf`) of μ* (primary) and
/// σ (secondary): the `r` trajectories are resampled with replacement `resamples` times,
/// each keeping its one effect of every parameter, and μ* and σ recomputed. Seeded by
/// `seed`, so the same outputs give the same intervals.
pub fn morris_intervals(
    design: &MorrisDesign,
    y: &[f64],
    resamples: usize,
    level: f64,
    seed: u64,
) -> IndexIntervals {
    let effects = elementary_effects(design, y);
    let r = effects.first().map_or(0, Vec::len);
    let mut mu_star: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); design.k];
    let mut sigma: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); design.k];
    let mut resampled = vec![0.0; r];
    for b in 0..resamples {
        let picks: Vec<usize> = (0..r).map(|j| resample_index(seed, b, j, r)).collect();
        for (i, e) in effects.iter().enumerate() {
            for (slot, &t) in resampled.iter_mut().zip(&picks) {
                *slot = e[t];
            }
            let (m, _, s) = effect_stats(&resampled);
            mu_star[i].push(m);
            sigma[i].push(s);
        }
    }
    IndexIntervals::percentile(mu_star, sigma, level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_effects_are_the_coefficients() {
        let design = morris_design(3, 3, 10, 4);
        assert_eq!(design.points.len(), 40);
        assert!(
            design
                .points
                .iter()
                .flatten()
                .all(|&v| (0.0..=1.0).contains(&v))
        );
        let y: Vec<f64> = design
            .points
            .iter()
            .map(|x| 2.0 * x[0] - 5.0 * x[2])
            .collect();
        let e = morris_effects(&design, &y);
        assert!((e.mu[0] - 2.0).abs() < 1e-12 && (e.mu_star[0] - 2.0).abs() < 1e-12);
        assert!(e.mu_star[1].abs() < 1e-12);
        assert!((e.mu[2] + 5.0).abs() < 1e-12 && (e.mu_star[2] - 5.0).abs() < 1e-12);
        assert!(e.sigma.iter().all(|s| s.abs() < 1e-9));
        // An interaction shows as spread.
        let y: Vec<f64> = design.points.iter().map(|x| x[0] * x[1]).collect();
        let e = morris_effects(&design, &y);
        assert!(e.sigma[0] > 0.1 && e.mu_star[2] == 0.0);
    }

    /// Known μ*: the elementary effects of linear and quadratic terms have closed forms, so
    /// the intervals can be checked against the truth; more trajectories narrow them; the
    /// same outputs give the same intervals.
    #[test]
    fn bootstrap_intervals_hold_the_true_mu_star_and_narrow_with_trajectories() {
        let f = |x: &[f64]| 3.0 * x[0] + 4.0 * x[1] * x[1] + 0.0 * x[2];
        let interval_at = |r: usize| {
            let design = morris_design(7, 3, r, 4);
            let y: Vec<f64> = design.points.iter().map(|x| f(x)).collect();
            (
                morris_effects(&design, &y),
                morris_intervals(&design, &y, 300, 0.9, 5),
                morris_intervals(&design, &y, 300, 0.9, 5),
            )
        };
        let (effects, ci, again) = interval_at(20);
        assert_eq!(ci, again);
        // A linear effect has no spread: its interval is the point 3.
        assert_eq!(ci.primary[0], (3.0, 3.0));
        assert_eq!(ci.secondary[0], (0.0, 0.0));
        // The quadratic's μ* lies inside its interval, which has width; x₂ does nothing.
        let (lo, hi) = ci.primary[1];
        assert!(
            lo < effects.mu_star[1] && effects.mu_star[1] < hi,
            "{lo} {hi}"
        );
        assert_eq!(ci.primary[2], (0.0, 0.0));
        // The population μ* of 4x² over the design's steps: the effects take the values
        // 4·(2x + Δ) for x on the lower grid (x ∈ {0, 1/3}, Δ = 2/3): 8/3 and 16/3, equally
        // likely, so μ* = 4. The 90 % interval holds it.
        assert!(lo <= 4.0 && 4.0 <= hi, "{lo} {hi}");
        let (_, wide, _) = interval_at(6);
        let (_, narrow, _) = interval_at(80);
        let width = |c: &IndexIntervals| c.primary[1].1 - c.primary[1].0;
        assert!(
            width(&narrow) < width(&wide) * 0.6,
            "{} vs {}",
            width(&narrow),
            width(&wide)
        );
    }
}
