//! `[[policies]]`: one lever on the timeline, typed by its `kind`.
//!
//! A policy entry deserialises into [`Policy`], an enum tagged by `kind` whose variants
//! carry exactly the parameters of their kind: a parameter of another kind is an unknown
//! field (reported with its position, and a message naming the kind), and what is
//! documented as optional is an `Option` or has its default here, so nothing downstream
//! guesses.
//!
//! Each kind is one line of `policy_kinds!` below: its name in files, its body (the
//! parameters it takes, declared in `policy_bodies!`), whether its money is construction
//! or operation, and, as its doc comment, what its money buys (the model's definition:
//! the schema's description of the kind, and what `civitas describe` prints).
//!
//! Every kind has `name`, `start`, optional `end` and `amount_per_year` (the header,
//! written once in `policy_bodies!`). The money is what
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
//!
//! **Declared once.** The bodies are declared in one `policy_bodies!` table (their own
//! fields, with the range each bounded one must lie in), the kinds in one `policy_kinds!`
//! table (name in files, body, whether the money is construction or operation); the
//! enums, names, constructor, accessors, the per-kind body check of the loader, the
//! ranges validation checks and the schema's definitions all follow from the two tables.
//! Adding a kind is a line in `policy_kinds!` (and a body in `policy_bodies!` if no
//! existing one fits), its action in the engine's `policies.rs`, and a test: three
//! files; see `docs/extending.md`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Band;
use crate::bounds::{Bound, BoundedValue};
use crate::calendar::YearMonth;
use crate::limits::{MAX_ADOPTION_BOOST, MAX_AMOUNT_PER_YEAR};

/// The range of every policy's `amount_per_year`.
const AMOUNT_PER_YEAR: Bound = Bound::at_most(MAX_AMOUNT_PER_YEAR);

/// Fields that narrow some policy kinds to some departments, districts or bands.
pub const POLICY_TARGETS: [&str; 3] = ["departments", "districts", "bands"];

/// Whether policy money counts as construction or as operation (running costs of the
/// digital service) in the spending indicators and `cost_per_request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spending {
    /// Building: amortised over `construction_life_years` for `cost_per_request`.
    Construction,
    /// Running costs.
    Operation,
}

/// What a policy targets: departments, districts and age bands (empty: all, or a kind
/// that is not narrowed that way).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Targets<'a> {
    /// Target departments.
    pub departments: &'a [String],
    /// Target districts.
    pub districts: &'a [String],
    /// Target age bands.
    pub bands: &'a [Band],
}

/// The target `$want` (`departments`, `districts` or `bands`) of `$body`, whose fields
/// are listed after the `;`: the field when it is one of them, otherwise none.
macro_rules! target {
    ($body:tt, departments; departments $($rest:ident)*) => {
        &$body.departments
    };
    ($body:tt, districts; districts $($rest:ident)*) => {
        &$body.districts
    };
    ($body:tt, bands; bands $($rest:ident)*) => {
        &$body.bands
    };
    ($body:tt, $want:ident; $other:ident $($rest:ident)*) => {
        target!($body, $want; $($rest)*)
    };
    ($body:tt, $want:ident;) => {
        &[]
    };
}

/// What every policy body offers, whatever its kind.
trait PolicyBody {
    fn name(&self) -> &str;
    fn start(&self) -> YearMonth;
    fn end(&self) -> Option<YearMonth>;
    fn set_end(&mut self, end: Option<YearMonth>);
    fn amount_per_year(&self) -> Option<f64>;
    fn set_amount_per_year(&mut self, amount: Option<f64>);
    fn targets(&self) -> Targets<'_>;
    fn bounded_values(&self) -> Vec<(&'static str, f64, Bound)>;
}

/// Declares the policy bodies. Each body gets the header every policy has (`name`,
/// `start`, `end`, `amount_per_year`, written here once) before its own fields; a field
/// followed by `=> BOUND` must lie in that range (validation checks it, the schema states
/// it); the fields `departments`, `districts` and `bands` are the policy's targets. Every
/// field of a body has a default (`#[serde(default)]` or an `Option`), which
/// [`Policy::new`] uses.
macro_rules! policy_bodies {
    ($(
        $(#[doc = $doc:literal])*
        $body:ident {
            $( $(#[$attr:meta])* $field:ident : $ty:ty $(=> $bound:expr)? ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
            #[serde(deny_unknown_fields)]
            pub struct $body {
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
                $( $(#[$attr])* pub $field: $ty, )*
            }

            impl $body {
                /// The ranges of the body's bounded fields, header included.
                const BOUNDS: &'static [(&'static str, Bound)] = &[
                    ("amount_per_year", AMOUNT_PER_YEAR),
                    $( $( (stringify!($field), $bound), )? )*
                ];

                /// The body's own fields (not the header), in declaration order.
                const FIELDS: &'static [&'static str] = &[ $( stringify!($field), )* ];

                /// Named `name`, in force from `start`, open-ended, without money,
                /// targets or goals.
                fn new(name: String, start: YearMonth) -> Self {
                    Self {
                        name,
                        start,
                        end: None,
                        amount_per_year: None,
                        $( $field: Default::default(), )*
                    }
                }
            }

            impl PolicyBody for $body {
                fn name(&self) -> &str {
                    &self.name
                }
                fn start(&self) -> YearMonth {
                    self.start
                }
                fn end(&self) -> Option<YearMonth> {
                    self.end
                }
                fn set_end(&mut self, end: Option<YearMonth>) {
                    self.end = end;
                }
                fn amount_per_year(&self) -> Option<f64> {
                    self.amount_per_year
                }
                fn set_amount_per_year(&mut self, amount: Option<f64>) {
                    self.amount_per_year = amount;
                }
                fn targets(&self) -> Targets<'_> {
                    Targets {
                        departments: target!(self, departments; $($field)*),
                        districts: target!(self, districts; $($field)*),
                        bands: target!(self, bands; $($field)*),
                    }
                }
                fn bounded_values(&self) -> Vec<(&'static str, f64, Bound)> {
                    let mut values = Vec::new();
                    if let Some(x) = self.amount_per_year {
                        values.push(("amount_per_year", x, AMOUNT_PER_YEAR));
                    }
                    $( $(
                        if let Some(x) = BoundedValue::bounded_value(&self.$field) {
                            values.push((stringify!($field), x, $bound));
                        }
                    )? )*
                    values
                }
            }
        )*

        /// Whether `field` is a parameter of some policy kinds (not the header, not a
        /// target): used to word the error when a policy of another kind sets one.
        pub fn is_policy_parameter(field: &str) -> bool {
            const FIELDS: &[&str] = &[ $( $( stringify!($field), )* )* ];
            FIELDS.contains(&field) && !POLICY_TARGETS.contains(&field)
        }
    };
}

policy_bodies! {
    /// A policy whose money goes to departments: `invest_digitization`, `invest_integration`,
    /// `operations_budget`, `one_window`, `staffing`.
    DepartmentPolicy {
        /// Target departments; empty means all.
        #[serde(default)]
        departments: Vec<String>,
    }

    /// `evaluation_budgeting`: money moves the operation budget toward the split that
    /// avoids the most failed attempts.
    EvaluationPolicy {
        /// Target departments; empty means all.
        #[serde(default)]
        departments: Vec<String>,
        /// Most of the operation budget reallocated each year (a cap on what the evaluation
        /// money moves), in [0, 1].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        share_moved_per_year: Option<f64> => Bound::SHARE,
    }

    /// `digital_training`: money trains residents of the targeted districts and bands.
    TrainingPolicy {
        /// Target districts; empty means all.
        #[serde(default)]
        districts: Vec<String>,
        /// Target age bands; empty means all.
        #[serde(default)]
        bands: Vec<Band>,
        /// Most of the targeted residents newly trained per year, whatever the money would
        /// buy (a goal that caps it), in [0, 1].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coverage_per_year: Option<f64> => Bound::SHARE,
        /// Literacy added to a trained resident (capped at 1), in [0, 1]; 0 when absent.
        #[serde(default)]
        literacy_gain: f64 => Bound::SHARE,
        /// Added to the Bass p (per year) of trained residents; 0 when absent.
        #[serde(default)]
        adoption_boost: f64 => Bound::at_most(MAX_ADOPTION_BOOST),
    }

    /// `device_subsidy`: money pays devices for residents of the targeted districts and bands
    /// who have none.
    DeviceSubsidyPolicy {
        /// Target districts; empty means all.
        #[serde(default)]
        districts: Vec<String>,
        /// Target age bands; empty means all.
        #[serde(default)]
        bands: Vec<Band>,
        /// Most of the targeted residents newly given a device per year, whatever the money
        /// would buy (a goal that caps it), in [0, 1].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coverage_per_year: Option<f64> => Bound::SHARE,
    }

    /// `assisted_service_points`, `iot_sensors`, `park_services`: money builds and keeps up
    /// an asset covering a share of each targeted district (or its park's firms).
    DistrictAssetPolicy {
        /// Target districts; empty means all.
        #[serde(default)]
        districts: Vec<String>,
        /// Most of the residents (service points), area (sensors) or park services level
        /// newly covered per year, whatever the money would buy (a goal that caps it), in
        /// [0, 1].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coverage_per_year: Option<f64> => Bound::SHARE,
    }

    /// `enterprise_digitization_vouchers`, `computing_power_vouchers`: money pays vouchers
    /// to the modelled firms of the targeted districts (split by their firms).
    FirmVoucherPolicy {
        /// Target districts; empty means all.
        #[serde(default)]
        districts: Vec<String>,
    }

    /// `governance_platform`, `industrial_internet_platform`, `open_data`: money builds and
    /// keeps up a city platform ("one network management", the industrial internet
    /// platform, or open public data).
    PlatformPolicy {
        /// Most platform level gained per year (a cap on what the money builds), in [0, 1].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level_per_year: Option<f64> => Bound::SHARE,
    }
}

/// Declares the policy kinds: the variant, its name in files, its body (declared in
/// `policy_bodies!`) and whether its money is construction or operation. Generates
/// [`PolicyKind`] and [`Policy`] with everything that goes by kind.
macro_rules! policy_kinds {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $body:ident, $spending:ident; )*) => {
        /// The kind of a policy lever: the `kind` tag of [`Policy`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum PolicyKind {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant, )*
        }

        impl PolicyKind {
            /// Every kind, in schema order.
            pub const ALL: &'static [PolicyKind] = &[ $( PolicyKind::$variant, )* ];

            /// The snake_case name used in files.
            pub fn name(self) -> &'static str {
                match self {
                    $( PolicyKind::$variant => $name, )*
                }
            }

            /// What the kind's money buys: its doc comment in the declaration, the
            /// model's definition (`civitas describe` prints them all).
            pub fn definition(self) -> String {
                match self {
                    $( PolicyKind::$variant => crate::describe::doc_text(&[$($doc),*]), )*
                }
            }

            /// Whether the kind's money is construction or operation.
            pub fn spending(self) -> Spending {
                match self {
                    $( PolicyKind::$variant => Spending::$spending, )*
                }
            }

            /// The name of the kind's definition in the JSON Schema.
            pub(crate) fn schema_definition(self) -> &'static str {
                match self {
                    $( PolicyKind::$variant => concat!(stringify!($variant), "Policy"), )*
                }
            }

            /// The fields of the kind's body after the header, in declaration order.
            pub(crate) fn fields(self) -> &'static [&'static str] {
                match self {
                    $( PolicyKind::$variant => $body::FIELDS, )*
                }
            }

            /// The ranges of the kind's bounded fields.
            pub(crate) fn bounds(self) -> &'static [(&'static str, Bound)] {
                match self {
                    $( PolicyKind::$variant => $body::BOUNDS, )*
                }
            }

            /// Reads `body` (a policy entry without its `kind`) as this kind's body: the
            /// error, with its field path, if it is not one.
            pub(crate) fn body_error(
                self,
                body: &serde_json::Value,
            ) -> Option<serde_path_to_error::Error<serde_json::Error>> {
                match self {
                    $( PolicyKind::$variant => {
                        serde_path_to_error::deserialize::<_, $body>(body).err()
                    } )*
                }
            }
        }

        /// A `[[policies]]` entry: one lever on the timeline, tagged by `kind`; each variant
        /// carries exactly its kind's parameters (see the table in the docs of `model/policy.rs`).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(tag = "kind")]
        pub enum Policy {
            $( $(#[doc = $doc])* #[serde(rename = $name)] $variant($body), )*
        }

        impl Policy {
            /// A policy of `kind` named `name` in force from `start`, open-ended, without money,
            /// targets or goals: the starting point for building one in code.
            pub fn new(kind: PolicyKind, name: &str, start: YearMonth) -> Policy {
                match kind {
                    $( PolicyKind::$variant => Policy::$variant($body::new(name.to_string(), start)), )*
                }
            }

            /// Which lever.
            pub fn kind(&self) -> PolicyKind {
                match self {
                    $( Policy::$variant(_) => PolicyKind::$variant, )*
                }
            }

            fn body(&self) -> &dyn PolicyBody {
                match self {
                    $( Policy::$variant(b) => b, )*
                }
            }

            fn body_mut(&mut self) -> &mut dyn PolicyBody {
                match self {
                    $( Policy::$variant(b) => b, )*
                }
            }
        }
    };
}

policy_kinds! {
    /// Construction: raises each target department's digitization,
    /// `d ← 1 − (1 − d)·e^(−k·M)`, `k` = `build_gain_per_million`, `M` the department's
    /// money this tick in millions (equal shares).
    InvestDigitization = "invest_digitization", DepartmentPolicy, Construction;
    /// Construction: the same as `invest_digitization` for data integration `g` (the city
    /// data platform).
    InvestIntegration = "invest_integration", DepartmentPolicy, Construction;
    /// Operation: restores the target departments' system health (see `[[departments]]`),
    /// split over them by caseload (their expected requests a year, from the services each
    /// owns and the starting age mix), as moved by evaluation budgeting.
    OperationsBudget = "operations_budget", DepartmentPolicy, Operation;
    /// `T = money / training_per_trainee` trainees a tick in each targeted
    /// (district × band) cell; an untrained resident is trained with probability
    /// `1 − e^(−T/P)` (`P` the cell's represented residents); training adds
    /// `literacy_gain` (capped at 1) and `adoption_boost` to the resident's Bass `p`.
    DigitalTraining = "digital_training", TrainingPolicy, Operation;
    /// `money / subsidy_per_device` devices among the cell's residents without one, with
    /// the same diminishing-returns rule as `digital_training`.
    DeviceSubsidy = "device_subsidy", DeviceSubsidyPolicy, Operation;
    /// Community service points offering assisted online service: coverage of the
    /// targeted districts (money split by residents): upkeep first
    /// (`service_point_upkeep_per_resident_per_year` × residents covered), the rest builds
    /// `dC = (1 − C)·money / full cost` with full cost = `service_point_build_per_resident`
    /// × the district's residents; unfunded coverage decays at
    /// `service_point_decay_per_year`.
    AssistedServicePoints = "assisted_service_points", DistrictAssetPolicy, Operation;
    /// One-window service: money `m` a year per target department staffs its part of the
    /// window `w = 1 − e^(−m / one_window_per_department_year)` of the time; offline trips
    /// collapse to one for linked departments.
    OneWindow = "one_window", DepartmentPolicy, Operation;
    /// IoT sensors for immediate incident detection: coverage of each targeted district
    /// (money split equally): upkeep `sensor_upkeep_per_point_per_year` per point, build
    /// at `sensor_build_per_point` per point (full cost = 100 points), decay
    /// `sensor_decay_per_year`.
    IotSensors = "iot_sensors", DistrictAssetPolicy, Construction;
    /// Governance platform ("one network management") shortening dispatch: upkeep
    /// `platform_upkeep_per_point_per_year` per point, build at `platform_build_per_point`,
    /// decay `platform_decay_per_year`.
    GovernancePlatform = "governance_platform", PlatformPolicy, Construction;
    /// Moves the operation budget's split `1 − e^(−m / (evaluation_cost_share × B))` of the
    /// way a year (`B` the operation budget, `m` the money a year) toward the split that
    /// avoids the most failed online attempts at steady state (a square-root rule over the
    /// past year's traffic, each department kept at 0.7 of its caseload share or more).
    EvaluationBudgeting = "evaluation_budgeting", EvaluationPolicy, Operation;
    /// Hires `m / staff_per_year` case officers per target department (`m` the money a
    /// year), each handling `cases_per_staff_month`.
    Staffing = "staffing", DepartmentPolicy, Operation;
    /// "Smart transformation" vouchers (needs `[economy]`; nothing is spent without
    /// firms): money `m` a year in a targeted district (split by firms) covers
    /// `V = 1 − e^(−m / (voucher_per_firm_year × firms))` of its firms (firms at the
    /// start), adding `voucher_boost_per_year × V` to their maturity hazard.
    EnterpriseDigitizationVouchers = "enterprise_digitization_vouchers", FirmVoucherPolicy, Operation;
    /// Computing-power vouchers (needs `[economy]`): coverage of a targeted district's
    /// firms as the digitization vouchers at `computing_voucher_per_firm_year`, adding
    /// `computing_boost_per_year × coverage` to their cloud uptake hazard.
    ComputingPowerVouchers = "computing_power_vouchers", FirmVoucherPolicy, Operation;
    /// An industrial internet platform (needs `[economy]`), built and kept up like the
    /// governance platform: upkeep `industrial_platform_upkeep_per_point_per_year` per
    /// point, build at `industrial_platform_build_per_point`, decay
    /// `industrial_platform_decay_per_year`; industrial firms' imitation and their
    /// industrial-internet, numerical-control and R&D-tool uptake times
    /// `Q = 1 + platform_effect × level`.
    IndustrialInternetPlatform = "industrial_internet_platform", PlatformPolicy, Construction;
    /// Open public data, published and kept current (needs `[economy]`): a level built and
    /// kept up like a platform at `open_data_build_per_point`,
    /// `open_data_upkeep_per_point_per_year` and `open_data_decay_per_year`;
    /// digital-factor-driven firms enter at `1 + open_data_entry_effect × level` times
    /// their rate.
    OpenData = "open_data", PlatformPolicy, Operation;
    /// Park services, a one-stop desk and shared labs (needs `[economy]`): the services of
    /// the targeted districts' industrial parks (money split by park firms), built on the
    /// park's starting `services` like service points: upkeep
    /// `park_services_upkeep_per_firm_per_year` per park firm at full services, build at
    /// `park_services_build_per_firm` per park firm, decay `park_services_decay_per_year`;
    /// park firms' errands go through the desk (one trip) with probability the level, and
    /// their maturity innovation is times `1 + park_services_effect × level`.
    ParkServices = "park_services", DistrictAssetPolicy, Operation;
}

impl PolicyKind {
    /// The kind named `name` in files.
    pub fn from_name(name: &str) -> Option<PolicyKind> {
        PolicyKind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Whether the kind acts on the firms of `[economy]` (its money buys nothing in a
    /// scenario without one, which validation reports), and its money is the economy's
    /// spending (`spend_economy`), not the public services' (`spend_construction`,
    /// `spend_operation`, `cost_per_request`).
    pub fn is_economy(self) -> bool {
        matches!(
            self,
            PolicyKind::EnterpriseDigitizationVouchers
                | PolicyKind::ComputingPowerVouchers
                | PolicyKind::IndustrialInternetPlatform
                | PolicyKind::OpenData
                | PolicyKind::ParkServices
        )
    }
}

impl Policy {
    /// Unique policy name.
    pub fn name(&self) -> &str {
        self.body().name()
    }

    /// First month in force.
    pub fn start(&self) -> YearMonth {
        self.body().start()
    }

    /// Last month in force (inclusive); open-ended when `None`.
    pub fn end(&self) -> Option<YearMonth> {
        self.body().end()
    }

    /// Sets the last month in force.
    pub fn set_end(&mut self, end: Option<YearMonth>) {
        self.body_mut().set_end(end);
    }

    /// The policy's own money per year, when it gives one (see
    /// [`crate::Scenario::policy_amount_per_year`] for the money it gets).
    pub fn amount_per_year(&self) -> Option<f64> {
        self.body().amount_per_year()
    }

    /// Sets the policy's own money per year.
    pub fn set_amount_per_year(&mut self, amount: Option<f64>) {
        self.body_mut().set_amount_per_year(amount);
    }

    /// What the policy is narrowed to.
    pub fn targets(&self) -> Targets<'_> {
        self.body().targets()
    }

    /// Target departments (empty: all, or a kind that does not act on departments).
    pub fn departments(&self) -> &[String] {
        self.targets().departments
    }

    /// Target districts (empty: all, or a kind that does not act on districts).
    pub fn districts(&self) -> &[String] {
        self.targets().districts
    }

    /// Target age bands (empty: all, or a kind that does not act on bands).
    pub fn bands(&self) -> &[Band] {
        self.targets().bands
    }

    /// Each bounded field the policy sets: its name, value and range.
    pub(crate) fn bounded_values(&self) -> Vec<(&'static str, f64, Bound)> {
        self.body().bounded_values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_and_writes_by_its_name() {
        let start: YearMonth = "2025-01".parse().unwrap();
        for &kind in PolicyKind::ALL {
            assert_eq!(PolicyKind::from_name(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            let policy = Policy::new(kind, "p", start);
            assert_eq!(policy.kind(), kind);
            let written = serde_json::to_value(&policy).unwrap();
            assert_eq!(written["kind"], kind.name());
            let read: Policy = serde_json::from_value(written).unwrap();
            assert_eq!(read, policy);
        }
    }

    #[test]
    fn targets_and_bounds_follow_the_body() {
        let start: YearMonth = "2025-01".parse().unwrap();
        let Policy::DigitalTraining(mut t) = Policy::new(PolicyKind::DigitalTraining, "t", start)
        else {
            panic!("a training policy");
        };
        t.districts = vec!["Old Town".into()];
        t.bands = vec![Band::Senior];
        t.coverage_per_year = Some(0.2);
        t.amount_per_year = Some(5.0);
        let policy = Policy::DigitalTraining(t);
        assert_eq!(policy.districts(), ["Old Town".to_string()]);
        assert_eq!(policy.bands(), [Band::Senior]);
        assert!(policy.departments().is_empty());
        let fields: Vec<&str> = policy.bounded_values().iter().map(|v| v.0).collect();
        assert_eq!(
            fields,
            [
                "amount_per_year",
                "coverage_per_year",
                "literacy_gain",
                "adoption_boost"
            ]
        );
        assert!(is_policy_parameter("level_per_year"));
        assert!(!is_policy_parameter("districts") && !is_policy_parameter("name"));
        assert_eq!(
            PolicyKind::GovernancePlatform.bounds(),
            [
                ("amount_per_year", AMOUNT_PER_YEAR),
                ("level_per_year", Bound::SHARE)
            ]
        );
    }
}
