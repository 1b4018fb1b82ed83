//! What `civitas calibrate` found, for its files and its report: the posterior of each
//! `[[uncertainty]]` parameter against its prior, and each observation against the
//! model's prior and posterior predictive distributions.

use crate::format::format_value;

/// File of the posterior draws (`draw, path, value`).
pub const POSTERIOR_CSV: &str = "posterior.csv";
/// File of the observations against the predictive distributions.
pub const CALIBRATION_CSV: &str = "calibration.csv";
/// Columns of `posterior.csv`.
pub const POSTERIOR_COLUMNS: [&str; 3] = ["draw", "path", "value"];
/// Columns of `calibration.csv`.
pub const CALIBRATION_COLUMNS: [&str; 19] = [
    "indicator",
    "scope",
    "date",
    "value",
    "sd",
    "role",
    "prior_p5",
    "prior_p50",
    "prior_p95",
    "posterior_p5",
    "posterior_p50",
    "posterior_p95",
    "prior_inside",
    "posterior_inside",
    "abs_error",
    "crps",
    "prior_crps",
    "line",
    "source",
];

/// p5, p50 and p95.
pub type Band3 = [f64; 3];

/// One uncertain parameter, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterFit {
    /// The scenario path.
    pub path: String,
    /// The prior's bounds.
    pub bounds: (f64, f64),
    /// Prior p5, p50, p95.
    pub prior: Band3,
    /// Posterior p5, p50, p95.
    pub posterior: Band3,
    /// The prior's draws (the first generation).
    pub prior_draws: Vec<f64>,
    /// The posterior's draws.
    pub posterior_draws: Vec<f64>,
}

impl ParameterFit {
    /// Width of the posterior's 90 % interval over the prior's.
    pub fn narrowing(&self) -> f64 {
        let prior = self.prior[2] - self.prior[0];
        if prior > 0.0 {
            (self.posterior[2] - self.posterior[0]) / prior
        } else {
            f64::NAN
        }
    }
}

/// One observation against the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationFit {
    /// Indicator name.
    pub indicator: String,
    /// Indicator title, for the report.
    pub title: String,
    /// Scope as written in the observed file.
    pub scope: String,
    /// `YYYY-MM`.
    pub date: String,
    /// The date as a fractional year (end of the month), for plotting.
    pub x: f64,
    /// Observed value.
    pub value: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// Line in the observed file.
    pub line: usize,
    /// Where it was published.
    pub source: String,
    /// Whether it was held out of the fit.
    pub held_out: bool,
    /// Prior predictive p5, p50, p95.
    pub prior: Band3,
    /// Posterior predictive p5, p50, p95.
    pub posterior: Band3,
    /// CRPS of the observation under the posterior predictive.
    pub crps: f64,
    /// CRPS under the prior predictive.
    pub prior_crps: f64,
}

impl ObservationFit {
    /// Whether the value lies inside the posterior predictive 90 % band.
    pub fn inside(&self) -> bool {
        inside(&self.posterior, self.value)
    }

    /// Whether the value lies inside the prior predictive 90 % band.
    pub fn prior_inside(&self) -> bool {
        inside(&self.prior, self.value)
    }

    /// |posterior median − value|.
    pub fn abs_error(&self) -> f64 {
        (self.posterior[1] - self.value).abs()
    }

    /// `indicator scope`: the series it belongs to.
    pub fn series(&self) -> String {
        format!("{} {}", self.indicator, self.scope)
    }
}

fn inside(band: &Band3, v: f64) -> bool {
    band[0] <= v && v <= band[2]
}

/// Coverage, mean absolute error and mean CRPS of a set of observations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Observations.
    pub n: usize,
    /// Inside their posterior 90 % band.
    pub covered: usize,
    /// Mean |posterior median − value|.
    pub mae: f64,
    /// Mean CRPS under the posterior predictive.
    pub crps: f64,
    /// Mean CRPS under the prior predictive (how much the fit helped).
    pub prior_crps: f64,
}

impl Score {
    /// The score of `observations`.
    pub fn of<'a>(observations: impl Iterator<Item = &'a ObservationFit>) -> Score {
        let mut s = Score {
            n: 0,
            covered: 0,
            mae: 0.0,
            crps: 0.0,
            prior_crps: 0.0,
        };
        for o in observations {
            s.n += 1;
            s.covered += usize::from(o.inside());
            s.mae += o.abs_error();
            s.crps += o.crps;
            s.prior_crps += o.prior_crps;
        }
        if s.n > 0 {
            let n = s.n as f64;
            s.mae /= n;
            s.crps /= n;
            s.prior_crps /= n;
        }
        s
    }

    /// Share of observations inside their band.
    pub fn coverage(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.covered as f64 / self.n as f64
        }
    }
}

/// One generation of the sequential Monte Carlo.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerationRow {
    /// Tolerance after it.
    pub epsilon: f64,
    /// Share of its new particles inside the previous tolerance.
    pub acceptance: f64,
    /// Simulations it ran.
    pub simulations: usize,
    /// Effective sample size of the kept particles.
    pub effective_size: f64,
}

/// Everything a calibration found.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSummary {
    /// Scenario name.
    pub scenario: String,
    /// The observed file as given.
    pub observed: String,
    /// First month held out of the fit, `YYYY-MM`.
    pub holdout: Option<String>,
    /// Model discrepancy sd added to every observation's.
    pub discrepancy: f64,
    /// Particles per generation.
    pub particles: usize,
    /// Agents per simulation.
    pub agents: u64,
    /// The generations.
    pub generations: Vec<GenerationRow>,
    /// The parameters.
    pub parameters: Vec<ParameterFit>,
    /// The observations, in file order.
    pub observations: Vec<ObservationFit>,
}

impl CalibrationSummary {
    /// Simulations run in all (the generations and the posterior predictive).
    pub fn simulations(&self) -> usize {
        self.generations
            .iter()
            .map(|g| g.simulations)
            .sum::<usize>()
            + self.draws()
    }

    /// Posterior draws.
    pub fn draws(&self) -> usize {
        self.parameters
            .first()
            .map_or(0, |p| p.posterior_draws.len())
    }

    /// The score of the observations used in the fit.
    pub fn fit_score(&self) -> Score {
        Score::of(self.observations.iter().filter(|o| !o.held_out))
    }

    /// The score of the held-out observations (`None` without any).
    pub fn holdout_score(&self) -> Option<Score> {
        let s = Score::of(self.observations.iter().filter(|o| o.held_out));
        (s.n > 0).then_some(s)
    }

    /// `posterior.csv`: one row per draw and parameter.
    pub fn posterior_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(POSTERIOR_COLUMNS)?;
        for d in 0..self.draws() {
            for p in &self.parameters {
                w.write_record([
                    d.to_string(),
                    crate::files::text_cell(&p.path).into_owned(),
                    format_value(p.posterior_draws[d]),
                ])?;
            }
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }

    /// `calibration.csv`: one row per observation.
    pub fn calibration_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CALIBRATION_COLUMNS)?;
        for o in &self.observations {
            let mut row = vec![
                o.indicator.clone(),
                crate::files::text_cell(&o.scope).into_owned(),
                o.date.clone(),
                format_value(o.value),
                format_value(o.sd),
                if o.held_out { "holdout" } else { "fit" }.to_string(),
            ];
            row.extend(o.prior.iter().chain(&o.posterior).map(|&v| format_value(v)));
            row.push(o.prior_inside().to_string());
            row.push(o.inside().to_string());
            row.push(format_value(o.abs_error()));
            row.push(format_value(o.crps));
            row.push(format_value(o.prior_crps));
            row.push(o.line.to_string());
            row.push(crate::files::text_cell(&o.source).into_owned());
            w.write_record(&row)?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}
