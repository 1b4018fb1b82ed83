//! The indicators Civitas reports, declared once.
//!
//! Every other part of the program (the engine's metrics, CSV columns, plot titles and
//! target checks) reads names, units and descriptions from [`Indicator::ALL`] and
//! [`Indicator::meta`]; nothing else spells an indicator's name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How an indicator's values read, for axis labels and formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share in [0, 1], shown as a percentage.
    Share,
    /// A count of trips per request.
    Trips,
    /// Calendar days.
    Days,
    /// Hours.
    Hours,
    /// A score from 0 to 100.
    Score,
    /// Money in the scenario's currency per year (whatever the tick length).
    Currency,
    /// Money in the scenario's currency per request.
    CurrencyPerRequest,
    /// Events per 1,000 residents per year (whatever the tick length).
    PerThousandPerYear,
    /// A number of people.
    People,
    /// A number of people or requests in the tick (not a yearly rate: a flow to add up).
    Count,
    /// A digital maturity stage of firms, 0 to 4.
    Stage,
    /// Minutes (a one-way commute).
    Minutes,
    /// Jobs per working-age resident.
    JobsPerWorker,
}

impl Unit {
    /// Short label for axes, e.g. "share (%)".
    pub fn label(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Trips => "trips per request",
            Unit::Days => "days",
            Unit::Hours => "hours",
            Unit::Score => "score (0-100)",
            Unit::Currency => "currency per year",
            Unit::CurrencyPerRequest => "currency per request",
            Unit::PerThousandPerYear => "per 1,000 residents per year",
            Unit::People => "residents",
            Unit::Count => "count in the tick",
            Unit::Stage => "maturity stage (0-4)",
            Unit::Minutes => "minutes",
            Unit::JobsPerWorker => "jobs per working-age resident",
        }
    }
}

/// Name, unit and meaning of one indicator.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorMeta {
    /// The snake_case name used in scenario files and CSV.
    pub name: &'static str,
    /// Human title for plots.
    pub title: &'static str,
    /// Unit of the values.
    pub unit: Unit,
    /// One sentence on what is measured.
    pub description: &'static str,
    /// Whether a higher value is better (used to colour and describe targets).
    pub higher_is_better: bool,
}

/// Declares the indicators: each line's doc comment says how it is computed (what is
/// counted over what, and when it is NaN), then come the variant, its name in files, its
/// plot title, its unit, whether higher is better and the one sentence plots show under
/// the title. The model's definition ([`Indicator::definition`], which `civitas describe`
/// prints and `docs/model.md` points at) is that sentence followed by the computation.
macro_rules! indicators {
    ($(
        $(#[doc = $def:literal])+
        $variant:ident => $name:literal, $title:literal, $unit:ident, $better:literal, $desc:literal;
    )*) => {
        /// One of the indicators of SPEC.md, computed each tick for the city, each
        /// district and each age band.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Indicator { $( $(#[doc = $def])+ $variant, )* }

        impl Indicator {
            /// Every indicator, in the order used for output columns and plots.
            pub const ALL: &'static [Indicator] = &[ $( Indicator::$variant, )* ];

            /// Declaration of this indicator.
            pub fn meta(self) -> IndicatorMeta {
                match self {
                    $( Indicator::$variant => IndicatorMeta {
                        name: $name,
                        title: $title,
                        unit: Unit::$unit,
                        description: $desc,
                        higher_is_better: $better,
                    }, )*
                }
            }

            /// How the indicator is computed: its doc comment in the declaration.
            pub fn computation(self) -> String {
                match self {
                    $( Indicator::$variant => crate::describe::doc_text(&[$($def),+]), )*
                }
            }
        }
    };
}

indicators! {
    /// requests submitted online or assisted / requests submitted (NaN without requests)
    OnlineServiceRate => "online_service_rate", "Online service rate", Share, true,
        "Share of service requests completed through an online channel (self-service or assisted).";
    /// requests that needed at most one trip / requests
    OneTripRate => "one_trip_rate", "At most one trip", Share, true,
        "Share of service requests completed with at most one in-person trip.";
    /// mean in-person trips per request
    AvgTrips => "avg_trips", "Average trips per request", Trips, false,
        "Mean number of in-person trips a resident makes per service request.";
    /// mean processing time plus queue wait
    MeanResolutionDays => "mean_resolution_days", "Mean resolution time", Days, false,
        "Mean days from request to resolution: processing time plus queue wait.";
    /// present / required data links of the tick's requests
    DataSharingRate => "data_sharing_rate", "Data sharing rate", Share, true,
        "Share of required cross-department data links that are present.";
    /// residents who own a device (internet users: the model's internet penetration among
    /// residents 15+), end of tick
    DeviceRate => "device_rate", "Internet users", Share, true,
        "Share of residents who own a device and use the internet (internet penetration among residents aged 15+).";
    /// residents who have adopted online services, end of tick
    AdoptionRate => "adoption_rate", "Online adoption", Share, true,
        "Share of residents who use online government channels.";
    /// young minus senior adoption (NaN for band scopes)
    DigitalDivideGap => "digital_divide_gap", "Digital divide gap", Share, false,
        "Adoption rate of young residents minus that of senior residents.";
    /// mean resident satisfaction, end of tick
    Satisfaction => "satisfaction", "Resident satisfaction", Score, true,
        "Mean resident satisfaction with government services (0-100; each resident's score is a moving average of experiences), end of tick.";
    /// mean hours from occurrence to response start (NaN for bands, or without incidents)
    IncidentResponseHours => "incident_response_hours", "Incident response time", Hours, false,
        "Mean hours from an urban incident's occurrence to the start of the response.";
    /// incidents responded to within `sla_hours`
    IncidentsWithinSla => "incidents_within_sla", "Incidents within SLA", Share, true,
        "Share of incidents whose response started within the incident type's SLA.";
    /// effective health of the owner departments, averaged over the online and assisted
    /// attempts (an offline request meets no system; plain mean over departments without any)
    SystemAvailability => "system_availability", "System availability", Share, true,
        "Mean effective health of the departments' information systems, weighted by the online attempts they serve (an attempt fails with chance (1 - health) x failure_scale).";
    /// construction money of the tick at its yearly rate
    SpendConstruction => "spend_construction", "Construction spending", Currency, false,
        "Money spent on building digitization and data integration, at its yearly rate in the tick.";
    /// operation money of the tick at its yearly rate (the public services' policies; the
    /// economy's are `spend_economy`)
    SpendOperation => "spend_operation", "Operation spending", Currency, false,
        "Money spent on operating and maintaining systems, at its yearly rate in the tick.";
    /// money of the economy policies (`enterprise_digitization_vouchers`,
    /// `computing_power_vouchers`, `industrial_internet_platform`, `open_data`,
    /// `park_services`) at its yearly rate, attributed to districts by the firms each acts
    /// on (park firms for park services); in neither `spend_construction` nor
    /// `spend_operation` nor `cost_per_request` (before issue 32's fix it counted in them,
    /// and vouchers raised residents' cost per request); NaN for bands and without `[economy]`
    SpendEconomy => "spend_economy", "Economy spending", Currency, false,
        "Money spent on the economy's policies (vouchers, industrial internet platform, open data, park services), at its yearly rate in the tick.";
    /// the staff pay of residents' requests (all staff pay, every department's case officers
    /// and hires, spread over residents' requests and firms' errands by the staff time each
    /// took: firms' errands take their share) + the public services' operation money other
    /// than hires' pay + amortised construction, per represented request (residents' requests
    /// raised); the economy policies' money is not in it (`spend_economy`); hiring raises it
    /// (before issue 29 only the time requests took was counted, and 200 M a year of hires
    /// moved it 57.58 → 57.57)
    CostPerRequest => "cost_per_request", "Cost per request", CurrencyPerRequest, false,
        "Residents' share of staff pay (firms' errands take theirs) plus the rest of operation and amortised construction, per represented request.";
    /// mean resident trust, end of tick
    Trust => "trust", "Resident trust", Share, true,
        "Mean resident trust in government digital services (0-1), moved by experience; it acts on adoption and churn.";
    /// 12345 complaints in the trailing year per 1,000 residents
    ComplaintsPer1000 => "complaints_per_1000", "12345 complaints", PerThousandPerYear, false,
        "12345 hotline complaints filed by dissatisfied residents in the year ending with the tick, per 1,000 residents.";
    /// 12345 contacts in the trailing year per 1,000 residents: requests made through the
    /// hotline (services of `complaint_department`), inquiries (`hotline_inquiries_per_request`
    /// per request raised) and complaints. Most contacts are inquiries and requests, not a
    /// failure signal (docs/calibration.md "12345 hotline")
    HotlineContactsPer1000 => "hotline_contacts_per_1000", "12345 contacts", PerThousandPerYear, false,
        "12345 hotline contacts (inquiries, requests made through the hotline and complaints) in the year ending with the tick, per 1,000 residents.";
    /// rated experiences of the tick residents are satisfied with: each scoring `s` counts `1 /
    /// (1 + e^((satisfied_threshold − s) / satisfied_spread))` (published satisfaction figures
    /// are shares of respondents satisfied, not mean scores: docs/calibration.md "Satisfaction
    /// figures are shares")
    SatisfiedShare => "satisfied_share", "Residents satisfied", Share, true,
        "Share of the tick's rated experiences residents are satisfied with (a logistic in the score around satisfied_threshold), as surveys count shares of respondents satisfied.";
    /// residents 15–34 / residents 15+ (NaN for band scopes)
    YoungShare => "young_share", "Residents aged 15-34", Share, true,
        "Share of residents aged 15+ who are in the young band (15-34).";
    /// residents 35–59 / residents 15+
    MiddleShare => "middle_share", "Residents aged 35-59", Share, true,
        "Share of residents aged 15+ who are in the middle band (35-59).";
    /// residents 60+ / residents 15+
    SeniorShare => "senior_share", "Residents aged 60+", Share, false,
        "Share of residents aged 15+ who are in the senior band (60+).";
    /// agents × `scale`
    Residents => "residents", "Residents aged 15+", People, true,
        "Residents aged 15+ the simulation represents (agents x scale).";
    /// residents who turned 15 and joined the scope
    Entrants => "entrants", "Entrants at 15", Count, true,
        "People who turned 15 and joined the scope in the tick (represented).";
    /// residents of the scope at the start of the tick who died in it
    Deaths => "deaths", "Deaths", Count, false,
        "Residents of the scope who died in the tick (represented).";
    /// residents who came into the scope alive from another: a move between districts, or
    /// ageing into a band
    MovedIn => "moved_in", "Moved in", Count, true,
        "Residents who joined the scope in the tick other than as entrants: a move between districts, or ageing into a band (represented).";
    /// residents who left the scope alive for another. For every scope `residents(t) −
    /// residents(t − 1) = entrants − deaths + moved_in − moved_out` exactly (test
    /// `crates/civitas-engine/tests/city_answers.rs`)
    MovedOut => "moved_out", "Moved out", Count, false,
        "Residents who left the scope in the tick other than by death: a move between districts, or ageing out of a band (represented).";
    /// requests submitted online by residents themselves
    RequestsOnline => "requests_online", "Requests done online", Count, true,
        "Requests submitted online by the residents themselves in the tick (represented).";
    /// requests submitted online with help at a community service point
    RequestsAssisted => "requests_assisted", "Requests done at service points", Count, true,
        "Requests submitted online with help at a community service point in the tick (represented).";
    /// requests submitted at a counter, fallbacks of failed attempts included
    RequestsOffline => "requests_offline", "Requests done at counters", Count, false,
        "Requests submitted at a counter in the tick, fallbacks of failed attempts included (represented).";
    /// failed online and assisted attempts, each redone at a counter
    RequestsFailed => "requests_failed", "Failed online attempts", Count, false,
        "Online and assisted attempts that failed in the tick (represented); each is redone at a counter.";
    /// failed online and assisted attempts / online and assisted attempts, submitted or
    /// failed (NaN without attempts)
    OnlineFailureRate => "online_failure_rate", "Online attempts failing", Share, false,
        "Share of the tick's online and assisted attempts that failed and had to be redone at a counter.";
    /// value added of the digital-core sectors (the four NBS classes) / value added of every
    /// modelled firm (NaN for bands and without `[economy]`)
    DigitalCoreShare => "digital_core_share", "Digital-economy core share", Share, true,
        "Value added of the digital-economy core sectors (the four NBS classes) over the value added of every modelled firm.";
    /// mean digital maturity stage of the firms
    EnterpriseMaturity => "enterprise_maturity", "Enterprise digital maturity", Stage, true,
        "Mean digital maturity stage (0-4) of the modelled firms.";
    /// firms at stage 3 or higher / firms
    EnterpriseStage3Share => "enterprise_stage3_share", "Firms at maturity stage 3+", Share, true,
        "Share of the modelled firms at digital maturity stage 3 or higher.";
    /// firms using cloud services / firms
    CloudRate => "cloud_rate", "Firms using cloud", Share, true,
        "Share of the modelled firms using cloud services.";
    /// industrial firms with key processes under numerical control / industrial firms (MIIT)
    NumericalControlRate => "numerical_control_rate", "Numerical control of key processes", Share, true,
        "Share of industrial firms whose key processes are under numerical control (MIIT's figure).";
    /// industrial firms using digital R&D design tools / industrial firms (MIIT)
    DigitalRdToolsRate => "digital_rd_tools_rate", "Digital R&D design tools", Share, true,
        "Share of industrial firms using digital R&D design tools (MIIT's figure).";
    /// firms' errands done with at most one trip / firms' errands
    EnterpriseOneTripRate => "enterprise_one_trip_rate", "Firms' errands in one trip", Share, true,
        "Share of firms' errands (licences, permits, tax) done with at most one in-person trip.";
    /// errands firms brought to departments in the tick (represented: firms ×
    /// `per_firm_per_year` × Δt of each errand); they share the departments' queues and
    /// staff with residents' requests, which `requests_*` count (NaN for bands and without
    /// `[economy]`)
    FirmErrands => "firm_errands", "Firms' errands", Count, false,
        "Errands (licences, permits, tax) firms brought to the departments in the tick (represented).";
    /// Σ over the scope's districts of working residents (the `young` and `middle` bands,
    /// 15–59) × their district's mean one-way commute / working residents, the mean
    /// `Σ_j P_ij·t_ij` of the gravity shares `P_ij` (`[population.commute]`, assigned
    /// at the first tick of each year from the firms' jobs then; docs/model.md
    /// "Workplaces and commutes"); by district of residence (NaN for bands, without
    /// `[economy]` and while the firms have no jobs)
    AvgCommuteMinutes => "avg_commute_minutes", "Average one-way commute", Minutes, false,
        "Mean one-way commute of working residents (15-59) to the firms' jobs, by district of residence.";
    /// jobs of the firms located in the scope's districts / working residents (15–59,
    /// represented) living there, as counted in the tick: above 1 a district draws
    /// commuters in, below 1 it sends them out (the city's value is the jobs the modelled
    /// firms offer per working-age resident; NaN for bands and without `[economy]`)
    JobsHousingRatio => "jobs_housing_ratio", "Jobs-housing ratio", JobsPerWorker, true,
        "Jobs located in the scope per working-age resident (15-59) living there: the jobs-housing balance.";
    /// Σ over the scope's districts of working residents × the share `P_ii` of their
    /// district's workers who work in it / working residents (NaN for bands, without
    /// `[economy]` and while the firms have no jobs)
    WorkInHomeDistrictShare => "work_in_home_district_share", "Working in their home district", Share, true,
        "Share of working residents (15-59) whose job is in the district they live in.";
}

impl Indicator {
    /// Whether the city's value is the sum of its districts' (and of its bands'): a
    /// total over residents, such as the residents themselves and the money spent, rather
    /// than a share, a mean or a rate. A breakdown of a total shows parts that add up; a
    /// "whole-city" line beside them would be the sum, far above every part.
    pub fn is_total(self) -> bool {
        matches!(
            self,
            Indicator::Residents
                | Indicator::SpendConstruction
                | Indicator::SpendOperation
                | Indicator::Entrants
                | Indicator::Deaths
                | Indicator::MovedIn
                | Indicator::MovedOut
                | Indicator::RequestsOnline
                | Indicator::RequestsAssisted
                | Indicator::RequestsOffline
                | Indicator::RequestsFailed
                | Indicator::SpendEconomy
                | Indicator::FirmErrands
        )
    }

    /// Whether the indicator is over the modelled firms of `[economy]` (NaN for a scenario
    /// without one, and for age bands: firms have no age).
    pub fn is_economy(self) -> bool {
        matches!(
            self,
            Indicator::DigitalCoreShare
                | Indicator::EnterpriseMaturity
                | Indicator::EnterpriseStage3Share
                | Indicator::CloudRate
                | Indicator::NumericalControlRate
                | Indicator::DigitalRdToolsRate
                | Indicator::EnterpriseOneTripRate
                | Indicator::SpendEconomy
                | Indicator::FirmErrands
                | Indicator::AvgCommuteMinutes
                | Indicator::JobsHousingRatio
                | Indicator::WorkInHomeDistrictShare
        )
    }

    /// The model's definition: the description plots print as the subtitle, then how it
    /// is computed ([`Indicator::computation`]), one wording for both.
    pub fn definition(self) -> String {
        format!(
            "{} Computed as: {}",
            self.meta().description,
            self.computation()
        )
    }

    /// The snake_case name, as written in scenario files and CSV.
    pub fn name(self) -> &'static str {
        self.meta().name
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An indicator name that Civitas does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownIndicator(pub String);

impl fmt::Display for UnknownIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Indicator::ALL.iter().map(|i| i.name()).collect();
        write!(
            f,
            "unknown indicator {:?}; expected one of: {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownIndicator {}

impl FromStr for Indicator {
    type Err = UnknownIndicator;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Indicator::ALL
            .iter()
            .copied()
            .find(|i| i.name() == s)
            .ok_or_else(|| UnknownIndicator(s.to_string()))
    }
}

impl Serialize for Indicator {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Indicator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Indicator {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Indicator".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Indicator::ALL.iter().map(|i| i.name()).collect();
        schemars::json_schema!({
            "type": "string",
            "enum": names,
            "description": "An indicator name."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &i in Indicator::ALL {
            assert!(seen.insert(i.name()));
            assert_eq!(i.name().parse::<Indicator>().unwrap(), i);
        }
        assert_eq!(Indicator::ALL.len(), 44);
        assert!("online_rate".parse::<Indicator>().is_err());
    }
}
