//! `[[policies]]`: one lever on the timeline, typed by its `kind`.
//!
//! A policy entry deserialises into [`Policy`], an enum tagged by `kind` whose variants
//! carry exactly the parameters of their kind: a parameter of another kind is an unknown
//! field (reported with its position, and a message naming the kind), and what is
//! documented as optional is an `Option` or has its default here, so nothing downstream
//! guesses.
//!
//! | kind | body | parameters | may be narrowed by |
//! |---|---|---|---|
//! | `invest_digitization`, `invest_integration`, `operations_budget`, `one_window`, `staffing` | [`DepartmentPolicy`] | — | `departments` |
//! | `evaluation_budgeting` | [`EvaluationPolicy`] | `share_moved_per_year` (optional cap) | `departments` |
//! | `digital_training` | [`TrainingPolicy`] | `coverage_per_year` (optional cap), `literacy_gain`, `adoption_boost` (0 when absent) | `districts`, `bands` |
//! | `device_subsidy` | [`DeviceSubsidyPolicy`] | `coverage_per_year` (optional cap) | `districts`, `bands` |
//! | `assisted_service_points`, `iot_sensors` | [`DistrictAssetPolicy`] | `coverage_per_year` (optional cap) | `districts` |
//! | `governance_platform` | [`PlatformPolicy`] | `level_per_year` (optional cap) | — |
//!
//! Every kind has `name`, `start`, optional `end` and `amount_per_year`. The money is what
//! acts: the [`crate::UnitCosts`] turn it into trainees, devices, coverage, platform level,
//! window and counter staff or evaluation; a policy with no money does nothing. The
//! optional goals (`coverage_per_year`, `level_per_year`, `share_moved_per_year`) only cap
//! what the money buys.
//!
//! **Money from one place.** A policy's money is its `amount_per_year`, or, when
//! `[budget]` names it (a share or the `remainder`), `total_per_year ×` its share; giving
//! both is an error, reported at the `amount_per_year`. A variant file whose `[budget]`
//! takes over policies of its base re-budgets them: the `amount_per_year` they inherit
//! from the base is dropped on loading (only an amount written in the same file as the
//! budget entry, or in a file extending it, is a conflict).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Band;
use crate::calendar::YearMonth;

/// The kind of a policy lever: the `kind` tag of [`Policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Construction money raising digitization d of the target departments.
    InvestDigitization,
    /// Construction money raising data integration g (city data platform).
    InvestIntegration,
    /// Operation money restoring system health h.
    OperationsBudget,
    /// Digital-skills training: literacy gain and adoption boost for covered residents.
    DigitalTraining,
    /// Device subsidy: residents without a device get one.
    DeviceSubsidy,
    /// Community service points offering assisted online service.
    AssistedServicePoints,
    /// One-window service: offline trips collapse to one for linked departments.
    OneWindow,
    /// IoT sensors for immediate incident detection.
    IotSensors,
    /// Governance platform ("one network management") shortening dispatch.
    GovernancePlatform,
    /// Evaluation budgeting: operation money moves toward least-satisfying departments.
    EvaluationBudgeting,
    /// Staffing: money hires case officers, raising the target departments' capacity.
    Staffing,
}

impl PolicyKind {
    /// Every kind, in schema order.
    pub const ALL: [PolicyKind; 11] = [
        PolicyKind::InvestDigitization,
        PolicyKind::InvestIntegration,
        PolicyKind::OperationsBudget,
        PolicyKind::DigitalTraining,
        PolicyKind::DeviceSubsidy,
        PolicyKind::AssistedServicePoints,
        PolicyKind::OneWindow,
        PolicyKind::IotSensors,
        PolicyKind::GovernancePlatform,
        PolicyKind::EvaluationBudgeting,
        PolicyKind::Staffing,
    ];

    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::InvestDigitization => "invest_digitization",
            PolicyKind::InvestIntegration => "invest_integration",
            PolicyKind::OperationsBudget => "operations_budget",
            PolicyKind::DigitalTraining => "digital_training",
            PolicyKind::DeviceSubsidy => "device_subsidy",
            PolicyKind::AssistedServicePoints => "assisted_service_points",
            PolicyKind::OneWindow => "one_window",
            PolicyKind::IotSensors => "iot_sensors",
            PolicyKind::GovernancePlatform => "governance_platform",
            PolicyKind::EvaluationBudgeting => "evaluation_budgeting",
            PolicyKind::Staffing => "staffing",
        }
    }

    /// The kind named `name` in files.
    pub fn from_name(name: &str) -> Option<PolicyKind> {
        PolicyKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Fields that are a parameter of some policy kinds only (used to word the error when a
/// policy of another kind sets one).
pub const POLICY_PARAMETERS: [&str; 5] = [
    "coverage_per_year",
    "literacy_gain",
    "adoption_boost",
    "level_per_year",
    "share_moved_per_year",
];

/// Fields that narrow some policy kinds to some departments, districts or bands.
pub const POLICY_TARGETS: [&str; 3] = ["departments", "districts", "bands"];

/// A policy whose money goes to departments: `invest_digitization`, `invest_integration`,
/// `operations_budget`, `one_window`, `staffing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPolicy {
    /// Unique policy name (used by `--set 'policies[name=…]…'`).
    pub name: String,
    /// First month in force.
    pub start: YearMonth,
    /// Last month in force (inclusive); open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Money per year in the scenario currency; absent: the `[budget]` share when the
    /// budget names the policy, otherwise 0 (the policy does nothing). Not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_year: Option<f64>,
    /// Target departments; empty means all.
    #[serde(default)]
    pub departments: Vec<String>,
}

/// `evaluation_budgeting`: money moves operation budget toward the least-satisfying
/// departments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationPolicy {
    /// Unique policy name (used by `--set 'policies[name=…]…'`).
    pub name: String,
    /// First month in force.
    pub start: YearMonth,
    /// Last month in force (inclusive); open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Money per year in the scenario currency; absent: the `[budget]` share when the
    /// budget names the policy, otherwise 0 (the policy does nothing). Not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_year: Option<f64>,
    /// Target departments; empty means all.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Most of the operation budget reallocated each year (a cap on what the evaluation
    /// money moves), in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_moved_per_year: Option<f64>,
}

/// `digital_training`: money trains residents of the targeted districts and bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingPolicy {
    /// Unique policy name (used by `--set 'policies[name=…]…'`).
    pub name: String,
    /// First month in force.
    pub start: YearMonth,
    /// Last month in force (inclusive); open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Money per year in the scenario currency; absent: the `[budget]` share when the
    /// budget names the policy, otherwise 0 (the policy does nothing). Not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_year: Option<f64>,
    /// Target districts; empty means all.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Target age bands; empty means all.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// Most of the targeted residents newly trained per year, whatever the money would
    /// buy (a goal that caps it), in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_per_year: Option<f64>,
    /// Literacy added to a trained resident (capped at 1), in [0, 1]; 0 when absent.
    #[serde(default)]
    pub literacy_gain: f64,
    /// Added to the Bass p (per year) of trained residents; 0 when absent.
    #[serde(default)]
    pub adoption_boost: f64,
}

/// `device_subsidy`: money pays devices for residents of the targeted districts and bands
/// who have none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceSubsidyPolicy {
    /// Unique policy name (used by `--set 'policies[name=…]…'`).
    pub name: String,
    /// First month in force.
    pub start: YearMonth,
    /// Last month in force (inclusive); open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Money per year in the scenario currency; absent: the `[budget]` share when the
    /// budget names the policy, otherwise 0 (the policy does nothing). Not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_year: Option<f64>,
    /// Target districts; empty means all.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Target age bands; empty means all.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// Most of the targeted residents newly given a device per year, whatever the money
    /// would buy (a goal that caps it), in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_per_year: Option<f64>,
}

/// `assisted_service_points`, `iot_sensors`: money builds and keeps up an asset covering
/// a share of each targeted district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictAssetPolicy {
    /// Unique policy name (used by `--set 'policies[name=…]…'`).
    pub name: String,
    /// First month in force.
    pub start: YearMonth,
    /// Last month in force (inclusive); open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Money per year in the scenario currency; absent: the `[budget]` share when the
    /// budget names the policy, otherwise 0 (the policy does nothing). Not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_year: Option<f64>,
    /// Target districts; empty means all.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Most of the residents (service points) or area (sensors) newly covered per year,
    /// whatever the money would buy (a goal that caps it), in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_per_year: Option<f64>,
}

/// `governance_platform`: money builds and keeps up the city's "one network management"
/// platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformPolicy {
    /// Unique policy name (used by `--set 'policies[name=…]…'`).
    pub name: String,
    /// First month in force.
    pub start: YearMonth,
    /// Last month in force (inclusive); open-ended when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<YearMonth>,
    /// Money per year in the scenario currency; absent: the `[budget]` share when the
    /// budget names the policy, otherwise 0 (the policy does nothing). Not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_per_year: Option<f64>,
    /// Most platform level gained per year (a cap on what the money builds), in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_per_year: Option<f64>,
}

/// A `[[policies]]` entry: one lever on the timeline, tagged by `kind`; each variant
/// carries exactly its kind's parameters (see the table in the docs of `model/policy.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Policy {
    /// Construction money raising digitization d of the target departments.
    InvestDigitization(DepartmentPolicy),
    /// Construction money raising data integration g (city data platform).
    InvestIntegration(DepartmentPolicy),
    /// Operation money restoring system health h.
    OperationsBudget(DepartmentPolicy),
    /// Digital-skills training: literacy gain and adoption boost for covered residents.
    DigitalTraining(TrainingPolicy),
    /// Device subsidy: residents without a device get one.
    DeviceSubsidy(DeviceSubsidyPolicy),
    /// Community service points offering assisted online service.
    AssistedServicePoints(DistrictAssetPolicy),
    /// One-window service: offline trips collapse to one for linked departments.
    OneWindow(DepartmentPolicy),
    /// IoT sensors for immediate incident detection.
    IotSensors(DistrictAssetPolicy),
    /// Governance platform ("one network management") shortening dispatch.
    GovernancePlatform(PlatformPolicy),
    /// Evaluation budgeting: operation money moves toward least-satisfying departments.
    EvaluationBudgeting(EvaluationPolicy),
    /// Staffing: money hires case officers, raising the target departments' capacity.
    Staffing(DepartmentPolicy),
}

/// Runs `$e` with `$b` bound to the body of `$policy`, whatever its kind (every body has
/// the common fields `name`, `start`, `end`, `amount_per_year`).
macro_rules! with_body {
    ($policy:expr, $b:ident => $e:expr) => {
        match $policy {
            Policy::InvestDigitization($b)
            | Policy::InvestIntegration($b)
            | Policy::OperationsBudget($b)
            | Policy::OneWindow($b)
            | Policy::Staffing($b) => $e,
            Policy::DigitalTraining($b) => $e,
            Policy::DeviceSubsidy($b) => $e,
            Policy::AssistedServicePoints($b) | Policy::IotSensors($b) => $e,
            Policy::GovernancePlatform($b) => $e,
            Policy::EvaluationBudgeting($b) => $e,
        }
    };
}

impl Policy {
    /// A policy of `kind` named `name` in force from `start`, open-ended, without money,
    /// targets or goals: the starting point for building one in code.
    pub fn new(kind: PolicyKind, name: &str, start: YearMonth) -> Policy {
        let name = name.to_string();
        let departments = || DepartmentPolicy {
            name: name.clone(),
            start,
            end: None,
            amount_per_year: None,
            departments: Vec::new(),
        };
        let assets = || DistrictAssetPolicy {
            name: name.clone(),
            start,
            end: None,
            amount_per_year: None,
            districts: Vec::new(),
            coverage_per_year: None,
        };
        match kind {
            PolicyKind::InvestDigitization => Policy::InvestDigitization(departments()),
            PolicyKind::InvestIntegration => Policy::InvestIntegration(departments()),
            PolicyKind::OperationsBudget => Policy::OperationsBudget(departments()),
            PolicyKind::OneWindow => Policy::OneWindow(departments()),
            PolicyKind::Staffing => Policy::Staffing(departments()),
            PolicyKind::AssistedServicePoints => Policy::AssistedServicePoints(assets()),
            PolicyKind::IotSensors => Policy::IotSensors(assets()),
            PolicyKind::DigitalTraining => Policy::DigitalTraining(TrainingPolicy {
                name,
                start,
                end: None,
                amount_per_year: None,
                districts: Vec::new(),
                bands: Vec::new(),
                coverage_per_year: None,
                literacy_gain: 0.0,
                adoption_boost: 0.0,
            }),
            PolicyKind::DeviceSubsidy => Policy::DeviceSubsidy(DeviceSubsidyPolicy {
                name,
                start,
                end: None,
                amount_per_year: None,
                districts: Vec::new(),
                bands: Vec::new(),
                coverage_per_year: None,
            }),
            PolicyKind::GovernancePlatform => Policy::GovernancePlatform(PlatformPolicy {
                name,
                start,
                end: None,
                amount_per_year: None,
                level_per_year: None,
            }),
            PolicyKind::EvaluationBudgeting => Policy::EvaluationBudgeting(EvaluationPolicy {
                name,
                start,
                end: None,
                amount_per_year: None,
                departments: Vec::new(),
                share_moved_per_year: None,
            }),
        }
    }

    /// Which lever.
    pub fn kind(&self) -> PolicyKind {
        match self {
            Policy::InvestDigitization(_) => PolicyKind::InvestDigitization,
            Policy::InvestIntegration(_) => PolicyKind::InvestIntegration,
            Policy::OperationsBudget(_) => PolicyKind::OperationsBudget,
            Policy::DigitalTraining(_) => PolicyKind::DigitalTraining,
            Policy::DeviceSubsidy(_) => PolicyKind::DeviceSubsidy,
            Policy::AssistedServicePoints(_) => PolicyKind::AssistedServicePoints,
            Policy::OneWindow(_) => PolicyKind::OneWindow,
            Policy::IotSensors(_) => PolicyKind::IotSensors,
            Policy::GovernancePlatform(_) => PolicyKind::GovernancePlatform,
            Policy::EvaluationBudgeting(_) => PolicyKind::EvaluationBudgeting,
            Policy::Staffing(_) => PolicyKind::Staffing,
        }
    }

    /// Unique policy name.
    pub fn name(&self) -> &str {
        with_body!(self, b => &b.name)
    }

    /// First month in force.
    pub fn start(&self) -> YearMonth {
        with_body!(self, b => b.start)
    }

    /// Last month in force (inclusive); open-ended when `None`.
    pub fn end(&self) -> Option<YearMonth> {
        with_body!(self, b => b.end)
    }

    /// Sets the last month in force.
    pub fn set_end(&mut self, end: Option<YearMonth>) {
        with_body!(self, b => b.end = end)
    }

    /// The policy's own money per year, when it gives one (see
    /// [`crate::Scenario::policy_amount_per_year`] for the money it gets).
    pub fn amount_per_year(&self) -> Option<f64> {
        with_body!(self, b => b.amount_per_year)
    }

    /// Sets the policy's own money per year.
    pub fn set_amount_per_year(&mut self, amount: Option<f64>) {
        with_body!(self, b => b.amount_per_year = amount)
    }

    /// Target departments (empty: all, or a kind that does not act on departments).
    pub fn departments(&self) -> &[String] {
        match self {
            Policy::InvestDigitization(b)
            | Policy::InvestIntegration(b)
            | Policy::OperationsBudget(b)
            | Policy::OneWindow(b)
            | Policy::Staffing(b) => &b.departments,
            Policy::EvaluationBudgeting(b) => &b.departments,
            _ => &[],
        }
    }

    /// Target districts (empty: all, or a kind that does not act on districts).
    pub fn districts(&self) -> &[String] {
        match self {
            Policy::DigitalTraining(b) => &b.districts,
            Policy::DeviceSubsidy(b) => &b.districts,
            Policy::AssistedServicePoints(b) | Policy::IotSensors(b) => &b.districts,
            _ => &[],
        }
    }

    /// Target age bands (empty: all, or a kind that does not act on bands).
    pub fn bands(&self) -> &[Band] {
        match self {
            Policy::DigitalTraining(b) => &b.bands,
            Policy::DeviceSubsidy(b) => &b.bands,
            _ => &[],
        }
    }
}
