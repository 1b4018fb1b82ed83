//! The enterprise agent and what the economy's mechanisms share: the [`Enterprise`]
//! component (one entity per `economy.scale` firms of one `[[economy.firms]]` group),
//! the economy levers policies produce ([`EconomyLevers`]), the tick's economy tallies
//! per district that `metrics` and `workplaces` read ([`EconomyTallies`]), and where each
//! district's working residents work ([`Commuting`], written by `workplaces`).

use bevy_ecs::prelude::*;
use civitas_scenario::Indicator;

/// Tools a firm uses, as bits of [`Enterprise::tools`].
pub mod tool {
    /// Cloud services.
    pub const CLOUD: u8 = 1;
    /// An industrial internet platform.
    pub const INDUSTRIAL_INTERNET: u8 = 2;
    /// Numerical control of key processes (industrial firms).
    pub const NUMERICAL_CONTROL: u8 = 4;
    /// Digital R&D design tools (industrial firms).
    pub const RD_TOOLS: u8 = 8;
    /// Every tool, in the order of [`super::Enterprise::tools`]'s bits.
    pub const ALL: [u8; 4] = [CLOUD, INDUSTRIAL_INTERNET, NUMERICAL_CONTROL, RD_TOOLS];
}

/// Highest digital maturity stage (stages run 0 to 4).
pub const TOP_STAGE: u8 = 4;

/// One enterprise agent: `firms` like firms of group `group` (whose sector, district,
/// park, size and jobs the scenario gives).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Enterprise {
    /// Unique id, keying the agent's random streams (entrants get fresh ids).
    pub id: u32,
    /// Position of its `[[economy.firms]]` group.
    pub group: u32,
    /// Firms it stands for.
    pub firms: f32,
    /// Digital maturity stage, 0 to [`TOP_STAGE`].
    pub stage: u8,
    /// Tools in use, as [`tool`] bits.
    pub tools: u8,
}

impl Enterprise {
    /// Whether the firm uses tool `bit`.
    #[inline]
    pub fn uses(&self, bit: u8) -> bool {
        self.tools & bit != 0
    }
}

/// What the economy policies produce this tick, each level in [0, 1] (the mean over the
/// tick), the assets they built (at the end of the tick) and their money, written by
/// `policies`.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct EconomyLevers {
    /// Share of each district's firms holding a digitization voucher
    /// (`enterprise_digitization_vouchers`).
    pub voucher_coverage: Vec<f64>,
    /// Share of each district's firms holding a computing-power voucher
    /// (`computing_power_vouchers`).
    pub computing_coverage: Vec<f64>,
    /// Level of the industrial internet platform (`industrial_internet_platform`).
    pub platform_level: f64,
    /// Level of open data (`open_data`).
    pub open_data_level: f64,
    /// Park services level of each district's park (starting level still kept up plus
    /// what `park_services` built; the mean over the tick).
    pub park_services: Vec<f64>,
    /// Industrial internet platform level built by policies.
    pub platform_built: f64,
    /// Open-data level built by policies.
    pub open_data_built: f64,
    /// Park services built by policies on top of each district's park's starting level.
    pub park_built: Vec<f64>,
    /// What is still running of each district's park's starting services (its file
    /// `services`, decaying at `park_services_decay_per_year` while its upkeep is unpaid).
    pub park_base: Vec<f64>,
    /// Money of the economy policies this tick per district (currency), by the firms
    /// they act on: the economy's spending line (`spend_economy`), kept out of the public
    /// services' spending and `cost_per_request`.
    pub spend: Vec<f64>,
}

/// What the enterprise pass counted in the tick, for one district (or one sector, or one
/// size band: [`EconomyBreakdown`]; firms counted as the firms they stand for).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DistrictEconomy {
    /// Firms.
    pub firms: f64,
    /// Jobs of those firms (Σ firms × jobs per firm).
    pub jobs: f64,
    /// Σ firms × stage.
    pub stage_sum: f64,
    /// Firms at stage 3 or higher.
    pub stage3: f64,
    /// Firms using cloud services.
    pub cloud: f64,
    /// Industrial firms.
    pub industrial: f64,
    /// Industrial firms with numerical control of key processes.
    pub numerical_control: f64,
    /// Industrial firms with digital R&D design tools.
    pub rd_tools: f64,
    /// Value added of the digital-economy core sectors (currency per year).
    pub core_value_added: f64,
    /// Value added of every sector (currency per year).
    pub value_added: f64,
    /// Errands firms brought to departments.
    pub errands: f64,
    /// Of those, errands done with at most one trip (expected).
    pub one_trip: f64,
    /// Staff cost of those errands (currency: their cases × the owner's staff cost per
    /// case), the errands' part of the staff time `cost_per_request` spreads the pay by.
    pub errand_staff_cost: f64,
}

impl DistrictEconomy {
    /// Adds `o` to `self`.
    pub fn add(&mut self, o: &DistrictEconomy) {
        self.firms += o.firms;
        self.jobs += o.jobs;
        self.stage_sum += o.stage_sum;
        self.stage3 += o.stage3;
        self.cloud += o.cloud;
        self.industrial += o.industrial;
        self.numerical_control += o.numerical_control;
        self.rd_tools += o.rd_tools;
        self.core_value_added += o.core_value_added;
        self.value_added += o.value_added;
        self.errands += o.errands;
        self.one_trip += o.one_trip;
        self.errand_staff_cost += o.errand_staff_cost;
    }

    /// The value of economy indicator `indicator` over these counts; `None` when the
    /// indicator is not an economy indicator, NaN when the counts have no denominator.
    pub fn indicator(&self, indicator: Indicator) -> Option<f64> {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        Some(match indicator {
            Indicator::DigitalCoreShare => ratio(self.core_value_added, self.value_added),
            Indicator::EnterpriseMaturity => ratio(self.stage_sum, self.firms),
            Indicator::EnterpriseStage3Share => ratio(self.stage3, self.firms),
            Indicator::CloudRate => ratio(self.cloud, self.firms),
            Indicator::NumericalControlRate => ratio(self.numerical_control, self.industrial),
            Indicator::DigitalRdToolsRate => ratio(self.rd_tools, self.industrial),
            Indicator::EnterpriseOneTripRate => ratio(self.one_trip, self.errands),
            Indicator::FirmErrands => self.errands,
            _ => return None,
        })
    }
}

/// The tick's economy counts per district (empty when the scenario has no economy).
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct EconomyTallies(pub Vec<DistrictEconomy>);

/// The same counts per sector (in `[[economy.sectors]]` order) and per size band (in
/// [`civitas_scenario::SizeBand::ALL`] order), for the breakdowns (empty without an
/// economy).
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct EconomyBreakdown {
    /// Counts of each sector's firms.
    pub sectors: Vec<DistrictEconomy>,
    /// Counts of each size band's firms.
    pub sizes: Vec<DistrictEconomy>,
}

/// Where each district's working residents (the `young` and `middle` bands) work, as
/// `workplaces` last assigned them (at the first tick of each year): per home district,
/// the mean one-way commute of its workers and the share of them working in it. NaN
/// without `[economy]` and while the firms have no jobs.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct Commuting {
    /// Mean one-way commute in minutes of each district's working residents,
    /// `Σ_j P_ij·t_ij`.
    pub minutes: Vec<f64>,
    /// Share of each district's working residents who work in it, `P_ii`.
    pub home_share: Vec<f64>,
}
