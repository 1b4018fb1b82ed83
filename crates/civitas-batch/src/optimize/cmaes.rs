//! A small CMA-ES (Hansen's covariance matrix adaptation evolution strategy, the
//! (μ/μ_w, λ) form of "The CMA Evolution Strategy: A Tutorial", 2016) in ask-and-tell
//! form, so that the caller evaluates a whole generation at once (in parallel, with common
//! random numbers) and decides itself how noisy values are ranked.
//!
//! Why our own and not the `cmaes` crate (0.2.2): that crate pulls `nalgebra` and an older
//! `rand` beside the workspace's, draws from its own RNG and drives the objective itself;
//! a search here must be a pure function of the seed (so that `--resume` replays it) and
//! hand out generations to the batch machinery. The decision spaces are small (a few
//! levers), so a Jacobi eigen-decomposition each generation costs nothing.
//!
//! Every draw comes from a SplitMix64 stream keyed by (seed, generation): replaying the
//! same evaluations gives the same candidates on every machine (`libm` for the
//! transcendental functions, as in the engine).

/// Multiplier of the golden ratio used by SplitMix64.
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's finaliser.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A counter-based stream of standard normal draws.
struct Normals {
    state: u64,
    spare: Option<f64>,
}

impl Normals {
    fn new(seed: u64, generation: u64) -> Normals {
        Normals {
            state: mix64(seed ^ mix64(generation.wrapping_add(GOLDEN_GAMMA))),
            spare: None,
        }
    }

    /// A uniform draw in (0, 1): 53 random bits, never 0.
    fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        ((mix64(self.state) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Box–Muller, both halves used.
    fn next(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let (u, v) = (self.uniform(), self.uniform());
        let r = libm::sqrt(-2.0 * libm::log(u));
        let angle = 2.0 * std::f64::consts::PI * v;
        self.spare = Some(r * libm::sin(angle));
        r * libm::cos(angle)
    }
}

/// The state of one CMA-ES search over `n` dimensions (minimisation).
#[derive(Debug, Clone)]
pub struct Cmaes {
    n: usize,
    lambda: usize,
    weights: Vec<f64>,
    mu_eff: f64,
    c_sigma: f64,
    d_sigma: f64,
    c_c: f64,
    c_1: f64,
    c_mu: f64,
    chi_n: f64,
    seed: u64,
    generation: u64,
    mean: Vec<f64>,
    sigma: f64,
    /// Covariance, row-major n × n.
    cov: Vec<f64>,
    /// Eigenvectors of `cov` (columns), row-major.
    basis: Vec<f64>,
    /// Square roots of the eigenvalues of `cov`.
    scales: Vec<f64>,
    p_sigma: Vec<f64>,
    p_c: Vec<f64>,
}

/// One generation's candidates, as asked.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The generation number, from 0.
    pub number: u64,
    /// Each candidate's point.
    pub points: Vec<Vec<f64>>,
}

impl Cmaes {
    /// A search starting at `mean` with step size `sigma` and the default population
    /// size 4 + ⌊3 ln n⌋ (at least `min_lambda`).
    pub fn new(mean: Vec<f64>, sigma: f64, seed: u64, min_lambda: usize) -> Cmaes {
        let n = mean.len().max(1);
        let nf = n as f64;
        let lambda = (4 + (3.0 * libm::log(nf)).floor() as usize).max(min_lambda);
        let mu = lambda / 2;
        let raw: Vec<f64> = (0..mu)
            .map(|i| libm::log(lambda as f64 / 2.0 + 0.5) - libm::log(i as f64 + 1.0))
            .collect();
        let total: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
        let mu_eff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let c_sigma = (mu_eff + 2.0) / (nf + mu_eff + 5.0);
        let d_sigma =
            1.0 + 2.0 * (libm::sqrt((mu_eff - 1.0) / (nf + 1.0)) - 1.0).max(0.0) + c_sigma;
        let c_c = (4.0 + mu_eff / nf) / (nf + 4.0 + 2.0 * mu_eff / nf);
        let c_1 = 2.0 / ((nf + 1.3) * (nf + 1.3) + mu_eff);
        let c_mu = (1.0 - c_1)
            .min(2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((nf + 2.0) * (nf + 2.0) + mu_eff));
        let chi_n = libm::sqrt(nf) * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));
        let mut identity = vec![0.0; n * n];
        for i in 0..n {
            identity[i * n + i] = 1.0;
        }
        Cmaes {
            n,
            lambda,
            weights,
            mu_eff,
            c_sigma,
            d_sigma,
            c_c,
            c_1,
            c_mu,
            chi_n,
            seed,
            generation: 0,
            mean,
            sigma,
            cov: identity.clone(),
            basis: identity,
            scales: vec![1.0; n],
            p_sigma: vec![0.0; n],
            p_c: vec![0.0; n],
        }
    }

    /// Candidates per generation.
    pub fn lambda(&self) -> usize {
        self.lambda
    }

    /// The current mean of the search distribution.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The current step size.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The next generation's candidates: mean + σ B D z, z standard normal.
    pub fn ask(&self) -> Generation {
        let n = self.n;
        let mut normals = Normals::new(self.seed, self.generation);
        let points = (0..self.lambda)
            .map(|_| {
                let z: Vec<f64> = (0..n).map(|_| normals.next()).collect();
                (0..n)
                    .map(|i| {
                        let y: f64 = (0..n)
                            .map(|j| self.basis[i * n + j] * self.scales[j] * z[j])
                            .sum();
                        self.mean[i] + self.sigma * y
                    })
                    .collect()
            })
            .collect();
        Generation {
            number: self.generation,
            points,
        }
    }

    /// Updates the distribution from `generation`'s points and their values (lower is
    /// better; ties keep the points' order).
    pub fn tell(&mut self, generation: &Generation, values: &[f64]) {
        let n = self.n;
        let mut order: Vec<usize> = (0..generation.points.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let steps: Vec<Vec<f64>> = order
            .iter()
            .take(self.weights.len())
            .map(|&k| {
                (0..n)
                    .map(|i| (generation.points[k][i] - self.mean[i]) / self.sigma)
                    .collect()
            })
            .collect();
        let y_w: Vec<f64> = (0..n)
            .map(|i| self.weights.iter().zip(&steps).map(|(w, y)| w * y[i]).sum())
            .collect();
        for (m, y) in self.mean.iter_mut().zip(&y_w) {
            *m += self.sigma * y;
        }
        // C^{-1/2} y_w = B D^{-1} Bᵀ y_w.
        let bt_y: Vec<f64> = (0..n)
            .map(|j| (0..n).map(|i| self.basis[i * n + j] * y_w[i]).sum::<f64>())
            .collect();
        let whitened: Vec<f64> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| self.basis[i * n + j] * bt_y[j] / self.scales[j])
                    .sum()
            })
            .collect();
        let ps_gain = libm::sqrt(self.c_sigma * (2.0 - self.c_sigma) * self.mu_eff);
        for (p, w) in self.p_sigma.iter_mut().zip(&whitened) {
            *p = (1.0 - self.c_sigma) * *p + ps_gain * w;
        }
        let ps_norm = libm::sqrt(self.p_sigma.iter().map(|p| p * p).sum::<f64>());
        let decay = 1.0 - libm::pow(1.0 - self.c_sigma, 2.0 * (self.generation as f64 + 1.0));
        let h_sigma = ps_norm / libm::sqrt(decay) < (1.4 + 2.0 / (n as f64 + 1.0)) * self.chi_n;
        let h = if h_sigma { 1.0 } else { 0.0 };
        let pc_gain = libm::sqrt(self.c_c * (2.0 - self.c_c) * self.mu_eff);
        for (p, y) in self.p_c.iter_mut().zip(&y_w) {
            *p = (1.0 - self.c_c) * *p + h * pc_gain * y;
        }
        let keep = 1.0 - self.c_1 - self.c_mu;
        let lost = (1.0 - h) * self.c_c * (2.0 - self.c_c);
        for i in 0..n {
            for j in 0..n {
                let rank_mu: f64 = self
                    .weights
                    .iter()
                    .zip(&steps)
                    .map(|(w, y)| w * y[i] * y[j])
                    .sum();
                let c = self.cov[i * n + j];
                self.cov[i * n + j] = keep * c
                    + self.c_1 * (self.p_c[i] * self.p_c[j] + lost * c)
                    + self.c_mu * rank_mu;
            }
        }
        self.sigma *= libm::exp((self.c_sigma / self.d_sigma) * (ps_norm / self.chi_n - 1.0));
        let (basis, eigenvalues) = jacobi_eigen(&self.cov, n);
        self.basis = basis;
        self.scales = eigenvalues
            .iter()
            .map(|&e| libm::sqrt(e.max(1e-20)))
            .collect();
        self.generation += 1;
    }
}

/// Eigenvectors (columns of a row-major matrix) and eigenvalues of the symmetric `a`
/// (row-major n × n), by cyclic Jacobi rotations.
fn jacobi_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    // Symmetrise against rounding.
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (a[i * n + j] + a[j * n + i]);
            a[i * n + j] = m;
            a[j * n + i] = m;
        }
    }
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + libm::sqrt(theta * theta + 1.0));
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / libm::sqrt(t * t + 1.0);
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let eigenvalues = (0..n).map(|i| a[i * n + i]).collect();
    (v, eigenvalues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimise(f: impl Fn(&[f64]) -> f64, start: Vec<f64>, generations: usize) -> Vec<f64> {
        let mut es = Cmaes::new(start, 0.5, 7, 0);
        for _ in 0..generations {
            let g = es.ask();
            let values: Vec<f64> = g.points.iter().map(|p| f(p)).collect();
            es.tell(&g, &values);
        }
        es.mean().to_vec()
    }

    #[test]
    fn finds_the_minimum_of_a_shifted_ellipsoid() {
        let f = |x: &[f64]| {
            x.iter()
                .enumerate()
                .map(|(i, v)| (1.0 + 9.0 * i as f64) * (v - 0.3 * i as f64).powi(2))
                .sum()
        };
        let m = minimise(f, vec![2.0; 4], 150);
        for (i, v) in m.iter().enumerate() {
            assert!((v - 0.3 * i as f64).abs() < 1e-4, "{m:?}");
        }
    }

    #[test]
    fn finds_the_valley_of_rosenbrock() {
        let f = |x: &[f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let m = minimise(f, vec![-1.0, 1.0], 400);
        assert!(
            (m[0] - 1.0).abs() < 1e-3 && (m[1] - 1.0).abs() < 1e-3,
            "{m:?}"
        );
    }

    #[test]
    fn the_same_seed_asks_the_same_points() {
        let a = Cmaes::new(vec![0.0; 3], 0.3, 11, 0).ask();
        let b = Cmaes::new(vec![0.0; 3], 0.3, 11, 0).ask();
        assert_eq!(a.points, b.points);
        let c = Cmaes::new(vec![0.0; 3], 0.3, 12, 0).ask();
        assert_ne!(a.points, c.points);
    }

    #[test]
    fn eigen_decomposition_rebuilds_the_matrix() {
        let a = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let (v, e) = jacobi_eigen(&a, 3);
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| v[i * 3 + k] * e[k] * v[j * 3 + k]).sum();
                assert!((r - a[i * 3 + j]).abs() < 1e-10);
            }
        }
    }
}
