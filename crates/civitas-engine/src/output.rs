//! What one replicate returns: the per-tick indicator table.

use civitas_scenario::{Band, Indicator, Scenario, SizeBand, TickDate};

/// A group of residents (or of firms) an indicator is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole city.
    City,
    /// One district, by its position in the scenario's district list.
    District(usize),
    /// One age band.
    Band(Band),
    /// The firms of one `[[economy.sectors]]` sector, by its position: only the
    /// economy's indicators are defined for it (the rest NaN).
    Sector(usize),
    /// The firms of one size band: only the economy's indicators are defined for it.
    Size(SizeBand),
}

impl Scope {
    /// Every scope of a scenario in output order: city, districts, bands, then with
    /// `[economy]` its sectors and the size bands of its firm groups.
    pub fn all(scenario: &Scenario) -> Vec<Scope> {
        let mut v = vec![Scope::City];
        v.extend((0..scenario.population.districts.len()).map(Scope::District));
        v.extend(Band::ALL.iter().map(|&b| Scope::Band(b)));
        if let Some(economy) = &scenario.economy {
            v.extend((0..economy.sectors.len()).map(Scope::Sector));
            v.extend(
                SizeBand::ALL
                    .into_iter()
                    .filter(|&z| economy.firms.iter().any(|f| f.size == z))
                    .map(Scope::Size),
            );
        }
        v
    }

    /// Whether the scope is a group of firms (a sector or a size band).
    pub fn is_firms(&self) -> bool {
        matches!(self, Scope::Sector(_) | Scope::Size(_))
    }

    /// Label used in CSV files: `city`, `district:<name>`, `band:<name>`,
    /// `sector:<name>`, `size:<name>`.
    pub fn label(&self, scenario: &Scenario) -> String {
        match *self {
            Scope::City => "city".to_string(),
            Scope::District(i) => format!("district:{}", scenario.population.districts[i].name),
            Scope::Band(b) => format!("band:{}", b.name()),
            Scope::Sector(s) => format!(
                "sector:{}",
                scenario
                    .economy
                    .as_ref()
                    .map_or("", |e| e.sectors[s].name.as_str())
            ),
            Scope::Size(z) => format!("size:{}", z.name()),
        }
    }
}

/// The indicator table of one replicate: a value per tick × indicator × scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateResult {
    /// Replicate index within the batch.
    pub replicate: u32,
    /// Seed this replicate ran with (derived from the scenario seed).
    pub seed: u64,
    /// Start date of each tick.
    pub dates: Vec<TickDate>,
    /// Scopes in column order (see [`Scope::all`]).
    pub scopes: Vec<Scope>,
    /// Values, indexed by [`ReplicateResult::index`]. NaN where an indicator has no
    /// observations in a scope and tick (e.g. no incidents that month).
    pub values: Vec<f64>,
    /// Sampled agent-level rows, when requested.
    pub agent_sample: Vec<AgentRow>,
}

impl ReplicateResult {
    /// An all-NaN table for the given ticks and scopes.
    pub fn empty(replicate: u32, seed: u64, dates: Vec<TickDate>, scopes: Vec<Scope>) -> Self {
        let n = dates.len() * Indicator::ALL.len() * scopes.len();
        Self {
            replicate,
            seed,
            dates,
            scopes,
            values: vec![f64::NAN; n],
            agent_sample: Vec::new(),
        }
    }

    /// Position of (tick, indicator, scope) in `values`.
    pub fn index(&self, tick: usize, indicator: Indicator, scope: usize) -> usize {
        (tick * Indicator::ALL.len() + indicator_position(indicator)) * self.scopes.len() + scope
    }

    /// The value of `indicator` for scope number `scope` at `tick`.
    pub fn value(&self, tick: usize, indicator: Indicator, scope: usize) -> f64 {
        self.values[self.index(tick, indicator, scope)]
    }

    /// Sets one value.
    pub fn set(&mut self, tick: usize, indicator: Indicator, scope: usize, value: f64) {
        let i = self.index(tick, indicator, scope);
        self.values[i] = value;
    }
}

/// Position of an indicator in [`Indicator::ALL`].
pub fn indicator_position(indicator: Indicator) -> usize {
    Indicator::ALL
        .iter()
        .position(|&i| i == indicator)
        .expect("every indicator is in Indicator::ALL")
}

/// One sampled resident at one tick.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    /// Tick index.
    pub tick: usize,
    /// Stable resident id within the replicate.
    pub resident: u32,
    /// District index.
    pub district: usize,
    /// Age band.
    pub band: Band,
    /// Digital literacy.
    pub literacy: f32,
    /// Owns a device.
    pub has_device: bool,
    /// Uses online channels.
    pub adopted: bool,
    /// Trust in [0, 1].
    pub trust: f32,
    /// Satisfaction 0–100.
    pub satisfaction: f32,
}
