//! `[economy]`: the city's firms as enterprise agents (sectors, firms per district or
//! industrial park, their digital maturity and tools) and the errands they bring to the
//! departments. Absent: the city has no modelled firms and every economy indicator is NaN.
//!
//! Sourced figures (docs/calibration.md, "Economy and industry"): the four NBS classes of
//! digital-economy core industries (classification of 2021) and their 2023 value added
//! (9.9 % of GDP); MIIT's shares of industrial firms with numerical control of key
//! processes (55.3 % in 2021, 66.2 % in March 2025) and digital R&D design tools (74.7 %
//! → 83.5 %). Effect sizes without a source (the Bass coefficients of maturity, the
//! productivity premium per stage, what a voucher or a platform does) are priors: their
//! defaults here are the centres of the ranges the baseline states in `[[uncertainty]]`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The class of a sector: the four NBS digital-economy core classes, or traditional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectorClass {
    /// NBS 01: digital product manufacturing (computers, electronics, components).
    DigitalProductManufacturing,
    /// NBS 02: digital product services (wholesale, retail, rental, repair of digital products).
    DigitalProductServices,
    /// NBS 03: digital technology application (software, information services, internet).
    DigitalTechnologyApplication,
    /// NBS 04: digital-factor-driven industries (platforms, data resources, e-commerce).
    DigitalFactorDriven,
    /// Traditional manufacturing (industrial firms outside the digital core).
    Manufacturing,
    /// Traditional services (and every other activity outside the digital core).
    Services,
}

impl SectorClass {
    /// Whether the class is one of the four digital-economy core classes.
    pub fn is_digital_core(self) -> bool {
        !matches!(self, SectorClass::Manufacturing | SectorClass::Services)
    }

    /// Whether the class's firms are industrial firms (MIIT's numerical-control and R&D
    /// tool figures are over these).
    pub fn is_industrial(self) -> bool {
        matches!(
            self,
            SectorClass::Manufacturing | SectorClass::DigitalProductManufacturing
        )
    }
}

/// The size band of a group of firms (NBS small/medium/large enterprise classification).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SizeBand {
    /// Micro firms.
    Micro,
    /// Small firms.
    #[default]
    Small,
    /// Medium firms.
    Medium,
    /// Large firms.
    Large,
}

impl SizeBand {
    /// Every size band, smallest first.
    pub const ALL: [SizeBand; 4] = [
        SizeBand::Micro,
        SizeBand::Small,
        SizeBand::Medium,
        SizeBand::Large,
    ];

    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            SizeBand::Micro => "micro",
            SizeBand::Small => "small",
            SizeBand::Medium => "medium",
            SizeBand::Large => "large",
        }
    }

    /// Position in [`SizeBand::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The `[economy]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Economy {
    /// Firms one enterprise agent stands for (a group of `count` firms is
    /// `max(1, round(count / scale))` agents, each standing for an equal part of it).
    #[serde(default = "default_firm_scale")]
    pub scale: f64,
    /// Share of each group's starting firms that enter each year (new firms like the
    /// group's, at stage 0 to 4 as the group started).
    #[serde(default)]
    pub entry_per_year: f64,
    /// Share of firms that exit each year (continuous rate).
    #[serde(default)]
    pub exit_per_year: f64,
    /// Bass innovation coefficient p of a firm's next maturity step, per year.
    #[serde(default = "default_maturity_p")]
    pub maturity_p: f64,
    /// Bass imitation coefficient q per year, times the share of the firm's peers (same
    /// sector, same district, in or out of its park) at a higher stage.
    #[serde(default = "default_maturity_q")]
    pub maturity_q: f64,
    /// Elasticity of a firm's maturity hazard to its district's residents' online
    /// adoption (the workforce's digital literacy), relative to the start: the hazard is
    /// multiplied by `(adoption / starting adoption)^e`.
    #[serde(default = "default_workforce_elasticity")]
    pub workforce_elasticity: f64,
    /// Productivity premium per maturity stage: value added per job is
    /// `value_added_per_job × (1 + premium × stage)`.
    #[serde(default = "default_premium")]
    pub productivity_premium_per_stage: f64,
    /// Yearly hazard of starting to use cloud services, per maturity stage of the firm.
    #[serde(default = "default_tool_uptake")]
    pub cloud_uptake_per_year: f64,
    /// Yearly hazard of an industrial firm putting key processes under numerical control,
    /// per maturity stage.
    #[serde(default = "default_tool_uptake")]
    pub numerical_control_uptake_per_year: f64,
    /// Yearly hazard of an industrial firm adopting digital R&D design tools, per stage.
    #[serde(default = "default_tool_uptake")]
    pub rd_tools_uptake_per_year: f64,
    /// Yearly hazard of a firm joining an industrial internet platform, per stage.
    #[serde(default = "default_tool_uptake")]
    pub industrial_internet_uptake_per_year: f64,
    /// Added to the maturity hazard (per year) at full voucher coverage
    /// (`enterprise_digitization_vouchers`).
    #[serde(default = "default_voucher_boost")]
    pub voucher_boost_per_year: f64,
    /// Multiplier gained by the imitation coefficient and the industrial-internet uptake
    /// of industrial firms at a full platform level (`industrial_internet_platform`).
    #[serde(default = "default_platform_effect")]
    pub platform_effect: f64,
    /// Added to the cloud uptake hazard (per year) at full computing-voucher coverage
    /// (`computing_power_vouchers`).
    #[serde(default = "default_voucher_boost")]
    pub computing_boost_per_year: f64,
    /// Multiplier gained by the entry rate of digital-factor-driven firms at a full open
    /// data level (`open_data`).
    #[serde(default = "default_open_data_entry_effect")]
    pub open_data_entry_effect: f64,
    /// Multiplier gained by the maturity innovation coefficient of firms in a park at full
    /// park services.
    #[serde(default = "default_park_effect")]
    pub park_services_effect: f64,
    /// The sectors.
    #[serde(default)]
    pub sectors: Vec<Sector>,
    /// The firms: one entry per group of like firms in a district (or its park).
    #[serde(default)]
    pub firms: Vec<FirmGroup>,
    /// The errands firms bring to departments (licences, permits, tax).
    #[serde(default)]
    pub errands: Vec<Errand>,
}

fn default_firm_scale() -> f64 {
    1.0
}
fn default_maturity_p() -> f64 {
    0.02
}
fn default_maturity_q() -> f64 {
    0.2
}
fn default_workforce_elasticity() -> f64 {
    1.0
}
fn default_premium() -> f64 {
    0.08
}
fn default_tool_uptake() -> f64 {
    0.05
}
fn default_voucher_boost() -> f64 {
    0.3
}
fn default_platform_effect() -> f64 {
    1.0
}
fn default_open_data_entry_effect() -> f64 {
    1.0
}
fn default_park_effect() -> f64 {
    1.0
}

/// An `[[economy.sectors]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// Unique sector name.
    pub name: String,
    /// Its class: one of the four NBS digital-core classes, `manufacturing` or `services`.
    pub class: SectorClass,
    /// Value added per job and year of a firm at maturity stage 0, in the scenario currency.
    pub value_added_per_job: f64,
}

/// An `[[economy.firms]]` entry: `count` like firms of one sector and size band in a
/// district (or in its industrial park).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirmGroup {
    /// Unique name of the group.
    pub name: String,
    /// Sector name.
    pub sector: String,
    /// District name.
    pub district: String,
    /// Whether the firms sit in the district's industrial park (the district must have one).
    #[serde(default)]
    pub in_park: bool,
    /// Size band.
    #[serde(default)]
    pub size: SizeBand,
    /// Number of firms at the start.
    pub count: f64,
    /// Jobs per firm.
    pub jobs_per_firm: f64,
    /// Shares of the firms at digital maturity stages 0 to 4 at the start: five shares
    /// summing to 1.
    pub maturity: Vec<f64>,
    /// Share using cloud services at the start.
    #[serde(default)]
    pub cloud: f64,
    /// Share using an industrial internet platform at the start.
    #[serde(default)]
    pub industrial_internet: f64,
    /// Share with key processes under numerical control at the start (industrial sectors).
    #[serde(default)]
    pub numerical_control: f64,
    /// Share using digital R&D design tools at the start (industrial sectors).
    #[serde(default)]
    pub rd_tools: f64,
}

/// An `[[economy.errands]]` entry: an errand every firm brings to a department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Errand {
    /// Unique errand name, e.g. "business licence".
    pub name: String,
    /// Department that processes it.
    pub department: String,
    /// Other departments whose data it needs (a missing link costs an offline trip).
    #[serde(default)]
    pub requires: Vec<String>,
    /// Errands per firm per year.
    pub per_firm_per_year: f64,
    /// Offline-equivalent cases one errand costs the department.
    #[serde(default = "default_errand_effort")]
    pub offline_effort: f64,
    /// Cases one online errand costs, as a share of an offline one.
    #[serde(default = "default_errand_online_effort")]
    pub online_effort: f64,
}

fn default_errand_effort() -> f64 {
    1.0
}
fn default_errand_online_effort() -> f64 {
    0.5
}

/// `park` of a `[[population.districts]]` entry: the district's industrial park.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Park {
    /// The park's name.
    pub name: String,
    /// Level of the park's services (one-stop service desk, shared labs) at the start, in
    /// [0, 1]: park firms' errands go through the desk (one trip) with this probability.
    #[serde(default)]
    pub services: f64,
}

impl Economy {
    /// Position of a sector by name.
    pub fn sector_index(&self, name: &str) -> Option<usize> {
        self.sectors.iter().position(|s| s.name == name)
    }

    /// Enterprise agents of firm group `g` at the start: `max(1, round(count / scale))`
    /// (0 for a group of no firms).
    pub fn group_agents(&self, g: usize) -> u64 {
        let count = self.firms[g].count;
        if count <= 0.0 {
            return 0;
        }
        ((count / self.scale).round() as u64).max(1)
    }
}
