//! The scenario schema: plain serde types mirroring the scenario file.
//!
//! Every table rejects unknown fields. Defaults are documented on each field; numbers
//! carry their unit in their name (`_per_year`, `_per_month`, `_days`, `_hours`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::calendar::YearMonth;
use crate::indicators::Indicator;

mod economy;
mod policy;
pub use economy::*;
pub use policy::*;

/// A complete, validated policy scenario: the city, its starting state, the policy
/// timeline, shocks, targets and requested outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Base scenario file this one extends (path relative to this file; any of the three
    /// formats). Tables are merged field by field. Arrays of named entries (`departments`,
    /// `services`, `policies`, …: every entry has a `name`) are merged entry by entry: an
    /// entry whose `name` matches a base entry is merged into it, a new name is appended.
    /// Any other array, such as `targets` without names, and every other value replace the
    /// base's (so a variant's `[[targets]]` are its targets). Bases may extend further
    /// bases; cycles are errors.
    /// Always `None` on a loaded scenario: the base has been merged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Name, horizon, seed and replicates.
    pub scenario: ScenarioInfo,
    /// Residents: size, districts and age bands.
    pub population: Population,
    /// Government departments.
    #[serde(default)]
    pub departments: Vec<Department>,
    /// The catalogue of government errands residents raise.
    #[serde(default)]
    pub services: Vec<Service>,
    /// Urban incidents (governance, resilience and security).
    #[serde(default)]
    pub incidents: Incidents,
    /// The city's firms as enterprise agents and the errands they bring (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economy: Option<Economy>,
    /// Policy levers on a timeline.
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// What the levers' money buys: unit costs of trainees, devices, service points,
    /// sensors, the platform, window and department staff, and how fast unfunded assets decay.
    #[serde(default)]
    pub costs: UnitCosts,
    /// A yearly total split between policies by share (optional): the named policies get
    /// `total_per_year × share` a year (and give no `amount_per_year` of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// Temporary disruptions.
    #[serde(default)]
    pub shocks: Vec<Shock>,
    /// The city's targets for 2027, 2030 or any year in the horizon.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// What the modeler cannot know exactly: prior distributions over scenario fields,
    /// sampled once per replicate (a Latin hypercube across replicates). A variant that
    /// lists `[[uncertainty]]` replaces the base's list, like `[[targets]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertainty: Vec<UncertainParameter>,
    /// Which plots and formats to write.
    #[serde(default)]
    pub outputs: Outputs,
}

/// The `[scenario]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInfo {
    /// Short name; results go to `outputs/<name>/`. Letters, digits, `-` and `_`.
    pub name: String,
    /// Free text shown at the top of the report.
    #[serde(default)]
    pub description: String,
    /// First simulated month, `YYYY-MM`.
    pub start: YearMonth,
    /// Last simulated month, `YYYY-MM` (inclusive).
    pub end: YearMonth,
    /// Length of one tick.
    #[serde(default)]
    pub tick: TickLength,
    /// Master seed; each replicate derives its own stream from it.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Number of seeded replicates to run.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// Currency of all money amounts, e.g. "CNY".
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_seed() -> u64 {
    20240101
}
fn default_replicates() -> u32 {
    20
}
fn default_currency() -> String {
    "CNY".to_string()
}

/// Length of one simulation step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TickLength {
    /// One calendar month (default).
    #[default]
    Month,
    /// One week (about 4.35 per month).
    Week,
}

impl TickLength {
    /// Length of one tick in years.
    pub fn years(self) -> f64 {
        match self {
            TickLength::Month => 1.0 / 12.0,
            TickLength::Week => 7.0 / 365.25,
        }
    }
}

/// An age band of residents aged 15 and over.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// 15–34 years.
    Young,
    /// 35–59 years.
    Middle,
    /// 60 years and over.
    Senior,
}

impl Band {
    /// All bands, youngest first.
    pub const ALL: [Band; 3] = [Band::Young, Band::Middle, Band::Senior];

    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            Band::Young => "young",
            Band::Middle => "middle",
            Band::Senior => "senior",
        }
    }

    /// Position in [`Band::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One number per age band.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerBand {
    /// Value for residents aged 15–34.
    pub young: f64,
    /// Value for residents aged 35–59.
    pub middle: f64,
    /// Value for residents aged 60+.
    pub senior: f64,
}

impl PerBand {
    /// The value for `band`.
    pub fn get(&self, band: Band) -> f64 {
        match band {
            Band::Young => self.young,
            Band::Middle => self.middle,
            Band::Senior => self.senior,
        }
    }
}

/// The `[population]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Number of simulated resident agents.
    pub agents: u64,
    /// People each agent stands for (represented population = agents × scale).
    pub scale: f64,
    /// Districts; their `share`s sum to 1.
    pub districts: Vec<District>,
    /// Starting state and behaviour per age band.
    pub bands: Bands,
    /// Yearly movement between age bands.
    #[serde(default)]
    pub ageing: Ageing,
    /// Multipliers applied to the band values in rural districts.
    #[serde(default)]
    pub rural: RuralFactors,
    /// How residents react to their experience of services.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// Cohorts entering at 15, mortality and rural-to-urban migration (an open
    /// population); all zero (a closed population) when absent.
    #[serde(default)]
    pub demography: Demography,
    /// Where working residents commute to: the gravity model's deterrence and the
    /// one-way commute times of districts without their own `commute_minutes`.
    #[serde(default)]
    pub commute: Commute,
}

/// `[population.commute]`: how working residents (the `young` and `middle` bands, 15–59)
/// spread over the districts' jobs.
///
/// Each year the working residents of district `i` work in district `j` with the share
/// `D_j·e^(−β·t_ij) / Σ_k D_k·e^(−β·t_ik)` (a production-constrained gravity model with
/// exponential deterrence, Wilson 1971): `D_j` the jobs of the firms in `j` (`[economy]`),
/// `t_ij` the one-way commute in minutes (the district's `commute_minutes`, or these
/// defaults) and `β` the deterrence per minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Commute {
    /// β, the deterrence per minute of one-way commute: a job `Δt` minutes further away
    /// weighs `e^(−β·Δt)` as much (0: jobs are taken wherever they are, regardless of
    /// distance).
    pub deterrence_per_minute: f64,
    /// One-way commute within a district, in minutes, for districts without their own
    /// `commute_minutes`.
    pub within_district_minutes: f64,
    /// One-way commute to another district, in minutes, for districts without their own
    /// `commute_minutes`.
    pub between_district_minutes: f64,
}

impl Default for Commute {
    fn default() -> Self {
        Self {
            deterrence_per_minute: 0.07,
            within_district_minutes: 25.0,
            between_district_minutes: 45.0,
        }
    }
}

impl Population {
    /// The one-way commute in minutes from home district `from` to work district `to`
    /// (indices in `districts`): the home district's `commute_minutes`, or the
    /// `[population.commute]` defaults.
    pub fn commute_minutes(&self, from: usize, to: usize) -> f64 {
        match &self.districts[from].commute_minutes {
            Some(row) => row[to],
            None if from == to => self.commute.within_district_minutes,
            None => self.commute.between_district_minutes,
        }
    }
}

/// `[population.demography]`: how the population of residents aged 15+ renews itself.
///
/// Every rate is a share per year, applied in continuous time (the exact solution over a
/// tick), so results do not depend on the tick length. Residents who enter are spawned as
/// new agents and residents who die are removed: each agent keeps standing for `scale`
/// people, so the represented population is always agents × scale.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Demography {
    /// Residents turning 15 each year, as a share of the starting population aged 15+
    /// (a constant yearly cohort: its size was set by births 15 years earlier). They
    /// join the `young` band of each district in proportion to the district's young
    /// residents at the start.
    pub entrants_per_year: f64,
    /// Cohort trend of the entrants: each year after the start, the residents turning 15
    /// close this share of the gap between the starting `young` band's device ownership,
    /// adoption and digital literacy and 1, `x(t) = 1 − (1 − x₀)·e^(−k·t)` with `t` the
    /// years since the start (0: every cohort enters as the starting young band did).
    pub entrant_gap_closing_per_year: f64,
    /// Share of each band's residents who die each year.
    pub mortality_per_year: PerBand,
    /// Share of each band's residents of rural districts who move to an urban district
    /// each year (net migration); destinations in proportion to the urban districts'
    /// population shares.
    pub rural_to_urban_per_year: PerBand,
}

/// One district of the city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct District {
    /// Unique district name.
    pub name: String,
    /// Share of the city's residents living here (all shares sum to 1).
    pub share: f64,
    /// Urban or rural; rural districts get the `[population.rural]` multipliers.
    #[serde(default)]
    pub kind: Settlement,
    /// Age mix of this district; defaults to the city-wide band shares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_mix: Option<PerBand>,
    /// Share of the district covered by IoT sensors at the start, in [0, 1].
    #[serde(default)]
    pub iot_coverage: f64,
    /// Share of residents within reach of a community service point at the start, in [0, 1].
    #[serde(default)]
    pub service_points: f64,
    /// The district's industrial park, where `[[economy.firms]]` with `in_park` sit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub park: Option<Park>,
    /// One-way commute in minutes from this district to each district, in the order of
    /// `[[population.districts]]` (its own on the diagonal, no longer than any other);
    /// absent: `[population.commute]`'s `within_district_minutes` and
    /// `between_district_minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commute_minutes: Option<Vec<f64>>,
}

/// Urban or rural settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// A city district.
    #[default]
    Urban,
    /// A rural county or township.
    Rural,
}

/// `[population.bands.young]`, `.middle`, `.senior`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// Residents aged 15–34.
    pub young: BandParams,
    /// Residents aged 35–59.
    pub middle: BandParams,
    /// Residents aged 60+.
    pub senior: BandParams,
}

impl Bands {
    /// Parameters of `band`.
    pub fn get(&self, band: Band) -> &BandParams {
        match band {
            Band::Young => &self.young,
            Band::Middle => &self.middle,
            Band::Senior => &self.senior,
        }
    }
}

/// Starting state and behaviour of one age band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandParams {
    /// City-wide share of residents in this band (the three shares sum to 1).
    pub share: f64,
    /// Share owning an internet device at the start.
    pub device: f64,
    /// Share of device owners who already use online government services at the start.
    pub adoption: f64,
    /// Mean digital literacy in [0, 1].
    pub literacy: f64,
    /// Spread (standard deviation) of literacy around the mean, clipped to [0, 1].
    #[serde(default = "default_literacy_spread")]
    pub literacy_spread: f64,
    /// Bass innovation coefficient p, per year.
    pub bass_p: f64,
    /// Bass imitation coefficient q, per year.
    pub bass_q: f64,
    /// Yearly rate at which residents without a device acquire one.
    pub device_uptake_per_year: f64,
}

fn default_literacy_spread() -> f64 {
    0.15
}

/// `[population.ageing]`: yearly transition rates between bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Ageing {
    /// Share of `young` residents who become `middle` each year.
    pub young_to_middle_per_year: f64,
    /// Share of `middle` residents who become `senior` each year.
    pub middle_to_senior_per_year: f64,
}

impl Default for Ageing {
    fn default() -> Self {
        // One band spans 20 (young) and 25 (middle) years.
        Self {
            young_to_middle_per_year: 0.05,
            middle_to_senior_per_year: 0.04,
        }
    }
}

/// `[population.rural]`: multipliers on the band values for rural districts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RuralFactors {
    /// Multiplier on initial device ownership.
    pub device: f64,
    /// Multiplier on mean literacy.
    pub literacy: f64,
    /// Multiplier on initial adoption.
    pub adoption: f64,
}

impl Default for RuralFactors {
    fn default() -> Self {
        // CNNIC 53: rural internet penetration 66.5 % vs 77.5 % overall.
        Self {
            device: 0.86,
            literacy: 0.85,
            adoption: 0.85,
        }
    }
}

/// `[population.behaviour]`: satisfaction, trust and churn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    /// Probability that an adopter whose online request fails stops using online channels.
    pub churn_on_failure: f64,
    /// Satisfaction (0–100) with an errand done in one trip or less, on time, without failure.
    pub satisfaction_base: f64,
    /// Points lost per trip beyond the first.
    pub satisfaction_per_extra_trip: f64,
    /// Points lost per day of queue wait beyond the promised processing time.
    pub satisfaction_per_wait_day: f64,
    /// Points lost when an online attempt fails.
    pub satisfaction_failure_penalty: f64,
    /// Points an adopter loses when the errand cannot be done online (the service is not
    /// online for it) and must be done at a counter: an unavailable online channel is felt.
    pub satisfaction_forced_offline_penalty: f64,
    /// Weight of the newest experience in the satisfaction moving average, in (0, 1].
    pub satisfaction_memory: f64,
    /// Satisfaction every resident starts with. When absent, each resident starts at the
    /// steady state of the starting conditions (the mean score of the experiences they
    /// would have), so a scenario in which nothing changes is flat from its first month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_satisfaction: Option<f64>,
    /// Trust in government digital services every resident starts with, in [0, 1]. When
    /// absent, the steady state of the starting conditions (as for satisfaction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_trust: Option<f64>,
    /// How far trust moves toward each new experience, in [0, 1].
    pub trust_rate: f64,
    /// Trust at which trust neither helps nor hinders (adoption and churn as without
    /// trust), in (0, 1).
    pub trust_reference: f64,
    /// Elasticity of the adoption hazard to trust: the hazard is multiplied by
    /// `(trust / trust_reference)^e` (0 = trust does not act on adoption).
    pub trust_adoption_elasticity: f64,
    /// Elasticity of churn to distrust: `churn_on_failure` is multiplied by
    /// `((1 − trust) / (1 − trust_reference))^e` (0 = trust does not act on churn).
    pub trust_churn_elasticity: f64,
    /// Each consecutive failed online attempt multiplies a resident's chance of trying
    /// online again (and, for a non-adopter, the adoption hazard) by `1 − failure_aversion`;
    /// a successful online request clears the count.
    pub failure_aversion: f64,
    /// Days after a failed online attempt before the resident redoes the request offline.
    pub fallback_delay_days: f64,
    /// Score (0–100) at which an experience leads to a 12345 complaint with half of
    /// `complaint_probability` (the midpoint of the logistic in the score).
    pub complaint_threshold: f64,
    /// Chance that a very bad experience (far below `complaint_threshold`) leads to a
    /// complaint: an experience scoring `s` complains with chance `complaint_probability /
    /// (1 + e^((s − complaint_threshold) / complaint_spread))`.
    pub complaint_probability: f64,
    /// Spread (points) of the complaint logistic: how differently residents react to the
    /// same score. Larger is smoother; must be positive.
    pub complaint_spread: f64,
    /// Department that handles complaints (the 12345 hotline); complaints are counted but
    /// load no department when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complaint_department: Option<String>,
    /// Offline-equivalent cases one complaint costs the hotline department.
    pub complaint_effort: f64,
    /// Score (0–100) at which half of the residents are satisfied with an experience:
    /// `satisfied_share` counts an experience scoring `s` as satisfied with chance
    /// `1 / (1 + e^((satisfied_threshold − s) / satisfied_spread))`, as a survey's share of
    /// respondents satisfied counts people, not a mean score.
    pub satisfied_threshold: f64,
    /// Spread (points) of the satisfied logistic; must be positive.
    pub satisfied_spread: f64,
    /// 12345 hotline inquiries per request raised (residents asking how to do an errand),
    /// on top of the requests made through the hotline and the complaints: the
    /// `hotline_contacts_per_1000` indicator.
    pub hotline_inquiries_per_request: f64,
    /// Share of a department's not-yet-digitized items that can be done online end to
    /// end when every proof the service needs from other departments is shared (all its
    /// data links present): online eligibility is `d + (1 − d) · share · L`, `L` the chance
    /// that all the service's links are present (0 for services that need no other
    /// department's data).
    pub end_to_end_online_share: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            churn_on_failure: 0.1,
            satisfaction_base: 95.0,
            satisfaction_per_extra_trip: 12.0,
            satisfaction_per_wait_day: 1.0,
            satisfaction_failure_penalty: 20.0,
            satisfaction_forced_offline_penalty: 0.0,
            satisfaction_memory: 0.3,
            initial_satisfaction: None,
            initial_trust: None,
            trust_rate: 0.1,
            trust_reference: 0.8,
            trust_adoption_elasticity: 0.0,
            trust_churn_elasticity: 0.0,
            failure_aversion: 0.0,
            fallback_delay_days: 7.0,
            complaint_threshold: 60.0,
            complaint_probability: 0.0,
            complaint_spread: 10.0,
            complaint_department: None,
            complaint_effort: 0.5,
            satisfied_threshold: 75.0,
            satisfied_spread: 5.0,
            hotline_inquiries_per_request: 0.0,
            end_to_end_online_share: 0.0,
        }
    }
}

/// The six fields of the 2024 guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Urban economy and industry.
    UrbanEconomy,
    /// Industry-city integration.
    IndustryCityIntegration,
    /// Urban governance.
    UrbanGovernance,
    /// Public services.
    PublicServices,
    /// Livable environment.
    LivableEnvironment,
    /// Resilience and security.
    ResilienceSecurity,
}

/// A `[[departments]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Unique department name.
    pub name: String,
    /// Field of the guidance the department works in.
    pub field: Field,
    /// Cases (offline-equivalent) the department can process per month.
    pub capacity_per_month: f64,
    /// Digitization d in [0, 1] at the start.
    pub digitization: f64,
    /// Data integration g in [0, 1]: share of its data on the city platform.
    pub integration: f64,
    /// System health h in [0, 1] at the start.
    #[serde(default = "default_health")]
    pub health: f64,
    /// Share of health lost each month without operation money.
    #[serde(default = "default_health_decay")]
    pub health_decay_per_month: f64,
    /// Construction efficiency k: Δd = k · money(millions) · (1 − d).
    #[serde(default = "default_build_gain")]
    pub build_gain_per_million: f64,
    /// Operation efficiency k_o: Δh = k_o · money(millions) · (1 − h).
    #[serde(default = "default_operation_gain")]
    pub operation_gain_per_million: f64,
    /// An online request fails with probability (1 − h) · failure_scale.
    #[serde(default = "default_failure_scale")]
    pub failure_scale: f64,
    /// Offline-equivalent cases one member of staff handles in a month: the department's
    /// staff are `capacity_per_month / cases_per_staff_month`, and a case costs
    /// `costs.staff_per_year / 12 / cases_per_staff_month` of staff time.
    #[serde(default = "default_cases_per_staff_month")]
    pub cases_per_staff_month: f64,
    /// Parallel servers (counter windows, case officers) sharing the department's
    /// capacity; the queue wait is that of a G/G/c queue with this many servers.
    #[serde(default = "default_servers")]
    pub servers: u32,
    /// Squared coefficient of variation of the time to serve one case (1 = exponential,
    /// 0 = fixed); scales the wait by `(1 + scv) / 2` (Allen–Cunneen, Poisson arrivals).
    #[serde(default = "default_service_scv")]
    pub service_scv: f64,
}

fn default_cases_per_staff_month() -> f64 {
    // About 25 cases a working day over 20 working days (modeller's assumption).
    500.0
}
fn default_servers() -> u32 {
    1
}
fn default_service_scv() -> f64 {
    1.0
}

fn default_health() -> f64 {
    0.9
}
fn default_health_decay() -> f64 {
    0.02
}
fn default_build_gain() -> f64 {
    0.0125
}
fn default_operation_gain() -> f64 {
    0.35
}
fn default_failure_scale() -> f64 {
    0.5
}

/// A `[[services]]` entry: one government errand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Unique service name.
    pub name: String,
    /// Department that processes the request.
    pub owner: String,
    /// Other departments whose data or certificates are needed.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Requests per resident per year, by age band.
    pub demand_per_year: PerBand,
    /// Processing days at zero digitization, before any queue wait.
    pub base_days: f64,
    /// Capacity one offline request uses (cases).
    #[serde(default = "default_offline_effort")]
    pub offline_effort: f64,
    /// Capacity one online request uses, as a share of an offline case.
    #[serde(default = "default_online_effort")]
    pub online_effort: f64,
}

fn default_offline_effort() -> f64 {
    1.0
}
fn default_online_effort() -> f64 {
    0.5
}

/// The `[incidents]` table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incidents {
    /// Level of the city governance platform ("one network management") in [0, 1] at the start.
    #[serde(default)]
    pub platform_level: f64,
    /// Field crews per 100,000 residents of a district, shared by every incident type of
    /// the district; 0 means as many as needed (no incident waits for a crew).
    #[serde(default)]
    pub crews_per_100k: f64,
    /// Hours a crew is busy with one incident (travel, work, return).
    #[serde(default)]
    pub crew_hours_per_incident: f64,
    /// Incident types.
    #[serde(default)]
    pub types: Vec<IncidentType>,
}

/// An `[[incidents.types]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentType {
    /// Unique incident type name, e.g. "waterlogging".
    pub name: String,
    /// Department responsible for the response.
    pub department: String,
    /// Incidents per 100,000 residents per month.
    pub rate_per_100k_per_month: f64,
    /// Hours until a resident reports an incident that no sensor detected.
    pub report_delay_hours: f64,
    /// Hours to dispatch at platform level 0; the platform shortens it.
    pub dispatch_hours: f64,
    /// Hours within which the response should start.
    pub sla_hours: f64,
    /// Department capacity one incident uses (cases).
    #[serde(default = "default_incident_effort")]
    pub effort: f64,
}

fn default_incident_effort() -> f64 {
    1.0
}

/// `[costs]`: what each lever's money buys, and how fast what it built decays without
/// upkeep. Defaults are the baseline's (sources in `scenarios/baseline.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UnitCosts {
    /// Yearly cost of one member of department staff (wage and employer contributions).
    pub staff_per_year: f64,
    /// Cost of training one resident (`digital_training`).
    pub training_per_trainee: f64,
    /// Subsidy paid per device (`device_subsidy`).
    pub subsidy_per_device: f64,
    /// Cost of building service points for one resident covered (`assisted_service_points`).
    pub service_point_build_per_resident: f64,
    /// Yearly upkeep of service points per resident covered (staff, terminals, premises).
    pub service_point_upkeep_per_resident_per_year: f64,
    /// Share of unfunded service-point coverage lost per year (continuous rate).
    pub service_point_decay_per_year: f64,
    /// Cost of raising one district's IoT sensor coverage by one point (0.01) from none
    /// (`iot_sensors`; each further point costs more as coverage nears 1).
    pub sensor_build_per_point: f64,
    /// Yearly upkeep per point of sensor coverage of one district.
    pub sensor_upkeep_per_point_per_year: f64,
    /// Share of unfunded sensor coverage lost per year (continuous rate).
    pub sensor_decay_per_year: f64,
    /// Cost of raising the governance platform by one level point (0.01) from level 0
    /// (`governance_platform`; each further point costs more as the level nears 1).
    pub platform_build_per_point: f64,
    /// Yearly upkeep per level point of the governance platform.
    pub platform_upkeep_per_point_per_year: f64,
    /// Share of the unfunded platform level lost per year (continuous rate).
    pub platform_decay_per_year: f64,
    /// Yearly cost of staffing one department's share of the one window (`one_window`):
    /// money `m` a year staffs the window for a department `1 − e^(−m / cost)` of the time.
    pub one_window_per_department_year: f64,
    /// How fast window and hired staff follow their money (per year): hiring, training and
    /// redeploying take about `1 / rate` years.
    pub staff_adjust_per_year: f64,
    /// Evaluation cost as a share of the operation money it moves (`evaluation_budgeting`):
    /// money `m` a year moves `1 − e^(−m / (share × operation budget))` of it.
    pub evaluation_cost_share: f64,
    /// Years over which construction spending is amortised in `cost_per_request`
    /// (declining balance at `1 / years` a year).
    pub construction_life_years: f64,
    /// Yearly cost of a "smart transformation" voucher per firm
    /// (`enterprise_digitization_vouchers`): money `m` a year in a district covers
    /// `1 − e^(−m / (cost × firms))` of its firms (its firms at the start).
    pub voucher_per_firm_year: f64,
    /// Yearly cost of a computing-power voucher per firm (`computing_power_vouchers`),
    /// covering firms as digitization vouchers do.
    pub computing_voucher_per_firm_year: f64,
    /// Cost of raising the industrial internet platform by one level point (0.01) from 0
    /// (`industrial_internet_platform`; each further point costs more as the level nears 1).
    pub industrial_platform_build_per_point: f64,
    /// Yearly upkeep per level point of the industrial internet platform.
    pub industrial_platform_upkeep_per_point_per_year: f64,
    /// Share of the unfunded industrial internet platform level lost per year.
    pub industrial_platform_decay_per_year: f64,
    /// Cost of raising open data (datasets published, cleaned and served) by one level
    /// point from 0 (`open_data`; each further point costs more as the level nears 1).
    pub open_data_build_per_point: f64,
    /// Yearly upkeep per level point of open data (keeping the datasets current).
    pub open_data_upkeep_per_point_per_year: f64,
    /// Share of the unfunded open-data level lost per year (datasets going stale).
    pub open_data_decay_per_year: f64,
    /// Cost per park firm of building a park's services from none to full at the first
    /// point's price (`park_services`; diminishing returns as for service points).
    pub park_services_build_per_firm: f64,
    /// Yearly upkeep per park firm of full park services.
    pub park_services_upkeep_per_firm_per_year: f64,
    /// Share of unfunded built park services lost per year.
    pub park_services_decay_per_year: f64,
}

impl Default for UnitCosts {
    fn default() -> Self {
        Self {
            staff_per_year: 157_000.0,
            training_per_trainee: 200.0,
            subsidy_per_device: 600.0,
            service_point_build_per_resident: 40.0,
            service_point_upkeep_per_resident_per_year: 15.0,
            service_point_decay_per_year: 0.5,
            sensor_build_per_point: 300_000.0,
            sensor_upkeep_per_point_per_year: 45_000.0,
            sensor_decay_per_year: 0.3,
            platform_build_per_point: 2_500_000.0,
            platform_upkeep_per_point_per_year: 250_000.0,
            platform_decay_per_year: 0.3,
            one_window_per_department_year: 4_000_000.0,
            staff_adjust_per_year: 4.0,
            evaluation_cost_share: 0.05,
            construction_life_years: 8.0,
            voucher_per_firm_year: 20_000.0,
            computing_voucher_per_firm_year: 5_000.0,
            industrial_platform_build_per_point: 2_000_000.0,
            industrial_platform_upkeep_per_point_per_year: 200_000.0,
            industrial_platform_decay_per_year: 0.3,
            open_data_build_per_point: 300_000.0,
            open_data_upkeep_per_point_per_year: 60_000.0,
            open_data_decay_per_year: 0.5,
            park_services_build_per_firm: 5_000.0,
            park_services_upkeep_per_firm_per_year: 1_000.0,
            park_services_decay_per_year: 0.5,
        }
    }
}

/// `[budget]`: a yearly total split between policies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Money per year in the scenario currency, split by `shares`.
    pub total_per_year: f64,
    /// Share of the total per policy name, each in [0, 1]. Without `remainder` they sum
    /// to 1; with it they sum to at most 1.
    #[serde(default)]
    pub shares: std::collections::BTreeMap<String, f64>,
    /// A policy that receives what the shares leave (`1 − Σ shares`), so that a sweep of
    /// one share under a fixed total moves money between two policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder: Option<String>,
}

impl Budget {
    /// The share of policy `name`, when the budget names it (a share or the remainder).
    pub fn share_of(&self, name: &str) -> Option<f64> {
        self.resolved_shares()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, share)| share)
    }

    /// Each budgeted policy's share, the remainder included.
    pub fn resolved_shares(&self) -> Vec<(&str, f64)> {
        let mut out: Vec<(&str, f64)> = self.shares.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        if let Some(r) = &self.remainder {
            let given: f64 = self.shares.values().sum();
            out.push((r.as_str(), (1.0 - given).max(0.0)));
        }
        out
    }
}

/// The kind of a shock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShockKind {
    /// Flood: incident rates rise in the affected districts.
    Flood,
    /// Platform outage: system health of the affected departments drops.
    PlatformOutage,
    /// Cyber incident: system health drops and online requests fail more often.
    CyberIncident,
}

/// A `[[shocks]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    /// Unique shock name.
    pub name: String,
    /// What happens.
    pub kind: ShockKind,
    /// First month affected.
    pub start: YearMonth,
    /// Last month affected (inclusive).
    pub end: YearMonth,
    /// Affected departments; empty means all.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Affected districts; empty means all.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Multiplier on incident rates while the shock lasts.
    #[serde(default = "one")]
    pub incident_rate_factor: f64,
    /// Multiplier on system health of affected departments while the shock lasts.
    #[serde(default = "one")]
    pub health_factor: f64,
    /// Multiplier on capacity of affected departments while the shock lasts.
    #[serde(default = "one")]
    pub capacity_factor: f64,
}

fn one() -> f64 {
    1.0
}

/// How a target year's value is read from the time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetBasis {
    /// The value of the last tick of the year (December).
    #[default]
    December,
    /// The mean over all ticks of the year.
    YearMean,
}

/// A `[[targets]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Label; defaults to `<indicator> <year>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Indicator the target is on.
    pub indicator: Indicator,
    /// Target year (2027 and 2030 are the guidance milestones; any year in the horizon works).
    pub year: i32,
    /// Met when the value is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Met when the value is at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Restrict to one district.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Restrict to one age band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    /// December value (default) or mean over the year.
    #[serde(default)]
    pub basis: TargetBasis,
}

impl Target {
    /// The target's label: its `name`, or `<indicator> <year>`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => {
                let scope = match (&self.district, self.band) {
                    (Some(d), _) => format!(" ({d})"),
                    (None, Some(b)) => format!(" ({})", b.name()),
                    _ => String::new(),
                };
                format!("{}{} {}", self.indicator.name(), scope, self.year)
            }
        }
    }
}

/// Image formats for plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlotFormat {
    /// Raster image.
    Png,
    /// Vector image (also inlined into report.html).
    Svg,
}

/// The file format of the output tables (`timeseries`, `summary`, `targets`,
/// `target_values`, `parameters`, `agents`, `sweep`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// Comma-separated text (`timeseries.csv`, …): one text cell per value.
    #[default]
    Csv,
    /// Apache Parquet (`timeseries.parquet`, …): typed, compressed columns (dates as
    /// dates, the scope split into `scope_kind` and `scope_name`), rows without a value
    /// left out.
    Parquet,
    /// Both, side by side.
    Both,
}

impl TableFormat {
    /// Whether this is the default, CSV only.
    pub fn is_csv(&self) -> bool {
        *self == TableFormat::Csv
    }

    /// Whether the tables are written as CSV.
    pub fn csv(self) -> bool {
        matches!(self, TableFormat::Csv | TableFormat::Both)
    }

    /// Whether the tables are written as Parquet.
    pub fn parquet(self) -> bool {
        matches!(self, TableFormat::Parquet | TableFormat::Both)
    }

    /// `csv`, `parquet` or `both`, as in scenario files and `--format`.
    pub fn name(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
            TableFormat::Both => "both",
        }
    }
}

/// The `[outputs]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Outputs {
    /// Indicators to plot; empty means every indicator.
    pub plots: Vec<Indicator>,
    /// Image formats to write.
    pub formats: Vec<PlotFormat>,
    /// Write `report.html`.
    pub html: bool,
    /// Number of residents per replicate to write to an agent-level sample table (0 = none).
    pub agent_sample: u32,
    /// File format of the output tables: `csv` (default), `parquet` or `both`.
    // Left out of a resolved scenario when `csv`, so that the scenario files (and hashes)
    // of CSV runs are what they were before the field existed.
    #[serde(skip_serializing_if = "TableFormat::is_csv")]
    pub format: TableFormat,
}

impl Default for Outputs {
    fn default() -> Self {
        Self {
            plots: Vec::new(),
            formats: vec![PlotFormat::Png, PlotFormat::Svg],
            html: true,
            agent_sample: 0,
            format: TableFormat::Csv,
        }
    }
}

impl Scenario {
    /// People the simulation represents: agents × scale.
    pub fn represented_population(&self) -> f64 {
        self.population.agents as f64 * self.population.scale
    }

    /// Sets the agent count, adjusting `scale` so the represented population is kept.
    pub fn set_agents(&mut self, agents: u64) {
        let people = self.represented_population();
        self.population.agents = agents.max(1);
        self.population.scale = people / self.population.agents as f64;
    }

    /// Money per year of policy `index`: `total_per_year ×` its share when `[budget]`
    /// names it, otherwise its own `amount_per_year`, otherwise 0 (a validated scenario
    /// never has both; see [`Policy`]).
    pub fn policy_amount_per_year(&self, index: usize) -> f64 {
        let policy = &self.policies[index];
        self.budget
            .as_ref()
            .and_then(|b| {
                b.share_of(policy.name())
                    .map(|share| b.total_per_year * share)
            })
            .or(policy.amount_per_year())
            .unwrap_or(0.0)
    }

    /// Position of a department by name.
    pub fn department_index(&self, name: &str) -> Option<usize> {
        self.departments.iter().position(|d| d.name == name)
    }

    /// Position of a district by name.
    pub fn district_index(&self, name: &str) -> Option<usize> {
        self.population
            .districts
            .iter()
            .position(|d| d.name == name)
    }
}

impl ScenarioInfo {
    /// Start dates of every tick of the horizon.
    pub fn tick_dates(&self) -> Vec<crate::TickDate> {
        crate::calendar::tick_dates(self.start, self.end, self.tick)
    }
}

/// The family of an `[[uncertainty]]` prior.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistributionKind {
    /// Uniform on `[min, max]`.
    Uniform,
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular,
    /// Normal(`mean`, `sd`) truncated to `[min, max]`.
    Normal,
    /// Lognormal with `median` and log-scale `sigma`, truncated to `[min, max]`.
    Lognormal,
    /// Beta(`alpha`, `beta`) scaled to `[min, max]`.
    Beta,
    /// The draws of a calibration's posterior (`file`, a `posterior.csv` of `civitas
    /// calibrate`): every posterior entry of a scenario takes the same draw in a
    /// replicate, so the parameters keep their joint distribution.
    Posterior,
}

/// An `[[uncertainty]]` entry: one scenario field whose value is drawn per replicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UncertainParameter {
    /// The field, in the sweep's lever grammar: dotted names, `[i]` and `[key=value]`
    /// selectors, e.g. `population.bands.senior.bass_q` or
    /// `departments[name=Civil Affairs].health_decay_per_month`.
    pub path: String,
    /// The prior's family.
    pub distribution: DistributionKind,
    /// Lower bound of the draws (every family).
    pub min: f64,
    /// Upper bound of the draws (every family).
    pub max: f64,
    /// Most likely value (`triangular`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    /// Mean before truncation (`normal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Standard deviation before truncation (`normal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Median (`lognormal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Standard deviation of the logarithm (`lognormal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// First shape parameter (`beta`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// Second shape parameter (`beta`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// The posterior's file (`posterior`): a `posterior.csv` of `civitas calibrate`
    /// (`draw, path, value`), relative to the scenario file that names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The posterior's draws of this path, in draw order (`posterior`): read from `file`
    /// when the scenario is loaded; a resolved `scenario.toml` carries them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<Vec<f64>>,
    /// Why this prior: the figure or reasoning it rests on.
    pub source: String,
}

impl UncertainParameter {
    /// The parameters the family needs, and which of them are set.
    pub fn parameters(&self) -> (&'static [&'static str], [(&'static str, Option<f64>); 7]) {
        let needs: &'static [&'static str] = match self.distribution {
            DistributionKind::Uniform => &[],
            DistributionKind::Triangular => &["mode"],
            DistributionKind::Normal => &["mean", "sd"],
            DistributionKind::Lognormal => &["median", "sigma"],
            DistributionKind::Beta => &["alpha", "beta"],
            DistributionKind::Posterior => &[],
        };
        (
            needs,
            [
                ("mode", self.mode),
                ("mean", self.mean),
                ("sd", self.sd),
                ("median", self.median),
                ("sigma", self.sigma),
                ("alpha", self.alpha),
                ("beta", self.beta),
            ],
        )
    }

    /// The prior as a distribution. Validation guarantees this succeeds on a loaded
    /// scenario; the error names the parameter otherwise.
    pub fn prior(
        &self,
    ) -> Result<civitas_uncertainty::Distribution, civitas_uncertainty::DistributionError> {
        use civitas_uncertainty::Distribution as D;
        let need = |field: &'static str, v: Option<f64>| {
            v.ok_or(civitas_uncertainty::DistributionError {
                field,
                found: f64::NAN,
                expected: format!(
                    "a value (required by distribution = {:?})",
                    self.distribution
                ),
            })
        };
        let (min, max) = (self.min, self.max);
        match self.distribution {
            DistributionKind::Uniform => D::uniform(min, max),
            DistributionKind::Triangular => D::triangular(min, need("mode", self.mode)?, max),
            DistributionKind::Normal => {
                D::normal(need("mean", self.mean)?, need("sd", self.sd)?, min, max)
            }
            DistributionKind::Lognormal => D::lognormal(
                need("median", self.median)?,
                need("sigma", self.sigma)?,
                min,
                max,
            ),
            DistributionKind::Beta => D::beta(
                need("alpha", self.alpha)?,
                need("beta", self.beta)?,
                min,
                max,
            ),
            DistributionKind::Posterior => Err(civitas_uncertainty::DistributionError {
                field: "distribution",
                found: f64::NAN,
                expected: "a prior family: a posterior has draws, not a distribution (a \
                           sensitivity analysis or a calibration needs priors)"
                    .into(),
            }),
        }
    }

    /// Whether its draws come from a posterior file.
    pub fn is_posterior(&self) -> bool {
        self.distribution == DistributionKind::Posterior
    }
}

/// A posterior's draws: each path with its values, in draw order.
pub type PosteriorDraws = Vec<(String, Vec<f64>)>;

/// The draws of each path of a `posterior.csv` (`draw, path, value`, as `civitas calibrate`
/// writes it), in draw order; an error names the line at fault.
pub fn parse_posterior(text: &str) -> Result<PosteriorDraws, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "draw,path,value" => {}
        _ => return Err("line 1: expected the header draw,path,value".into()),
    }
    let mut out: Vec<(String, Vec<f64>)> = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |what: &str| format!("line {}: {what}", i + 1);
        let (draw, rest) = line
            .split_once(',')
            .ok_or_else(|| bad("expected draw,path,value"))?;
        let (path, value) = rest
            .rsplit_once(',')
            .ok_or_else(|| bad("expected draw,path,value"))?;
        let path = match path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
            Some(quoted) => quoted.replace("\"\"", "\""),
            None => path.to_string(),
        };
        let draw: usize = draw
            .trim()
            .parse()
            .map_err(|_| bad("the draw is not a whole number"))?;
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad("the value is not a finite number"))?;
        let k = match out.iter().position(|(p, _)| *p == path) {
            Some(k) => k,
            None => {
                out.push((path, Vec::new()));
                out.len() - 1
            }
        };
        if out[k].1.len() != draw {
            return Err(bad(&format!(
                "draw {draw} of {}: expected draw {} (draws in order, from 0)",
                out[k].0,
                out[k].1.len()
            )));
        }
        out[k].1.push(value);
    }
    if out.is_empty() {
        return Err("no draws".into());
    }
    Ok(out)
}

impl Scenario {
    /// Takes the parameters of `posterior` (from [`parse_posterior`] of the file named
    /// `file`) from their joint draws: each path's `[[uncertainty]]` entry becomes a
    /// `posterior` one (added where the scenario has none), its bounds the draws' range.
    pub fn use_posterior(&mut self, file: &str, posterior: PosteriorDraws) {
        for (path, draws) in posterior {
            let lo = draws.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = draws.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let entry = UncertainParameter {
                path: path.clone(),
                distribution: DistributionKind::Posterior,
                min: lo,
                max: hi,
                mode: None,
                mean: None,
                sd: None,
                median: None,
                sigma: None,
                alpha: None,
                beta: None,
                file: Some(file.to_string()),
                draws: Some(draws),
                source: format!("posterior of {file}"),
            };
            match self.uncertainty.iter_mut().find(|u| u.path == path) {
                Some(u) => *u = entry,
                None => self.uncertainty.push(entry),
            }
        }
    }
}
