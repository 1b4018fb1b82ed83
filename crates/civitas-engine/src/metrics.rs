//! The indicator table: the census ([`crate::census`]) and the tick's tallies turned into
//! every indicator of [`Indicator::ALL`] for every scope of [`Scope::all`].
//!
//! Every tally is kept per (district × band) cell and a scope's value is computed from
//! the sum of its cells, so counts of districts (and of bands) add up to the city's.
//! Definitions (requests = requests submitted to a department in the tick, including
//! offline fallbacks of earlier failures):
//! - `online_service_rate`, `one_trip_rate`, `avg_trips`, `mean_resolution_days`: over
//!   requests; NaN when the scope had none in the tick;
//! - `data_sharing_rate`: present / required data links of those requests (NaN when no
//!   request needed a link);
//! - `device_rate`, `adoption_rate`, `satisfaction`: over residents at the end of the tick
//!   (`device_rate`: residents owning a device, the model's internet penetration);
//! - `digital_divide_gap`: young minus senior adoption within the scope; NaN for band
//!   scopes (undefined there) and where either band has no residents;
//! - `incident_response_hours`, `incidents_within_sla`: over the tick's incidents; NaN for
//!   band scopes (incidents have no age) and when no incident occurred;
//! - `system_availability`: effective health of the owner departments, averaged over the
//!   scope's online and assisted attempts (the attempts the systems serve; an offline
//!   request meets none, and counting them, as before issue 29, was not the "weighted by
//!   the online attempts" of the definition); the plain mean over departments when it had
//!   none (NaN when the scenario has no departments);
//! - `spend_construction`, `spend_operation`: the public services' money of the tick
//!   attributed to the scope (see [`crate::policies`]), divided by the tick length in
//!   years: a yearly rate, the same for weekly and monthly ticks; `spend_economy`: the
//!   economy policies' money the same way (by district; NaN for bands);
//!   `cost_per_request`: all staff pay of the tick (every department's case officers and
//!   hires, idle time included), spread over the cells' requests and the firms' errands
//!   in proportion to the staff time each took (effort × staff cost per case, see
//!   [`crate::channels`] and [`crate::enterprises`]), the cells' part plus operation
//!   spending (less what staffing policies pay hires, already in the staff pay) plus the
//!   construction amortised in the tick, divided by the represented requests raised in
//!   the scope in the tick (NaN when none): hiring raises it, digitization that moves
//!   cases online lowers the scope's share of the pay, and so do more firms' errands;
//!   the economy's money is not in it;
//! - `trust`: mean resident trust at the end of the tick;
//! - `complaints_per_1000`: 12345 complaints filed in the year ending with the tick per
//!   1,000 residents of the scope (the last `round(1 / tick years)` ticks: 12 months or
//!   52 weeks; complaints over resident-years lived in them, so a shorter history at the
//!   start of a run is annualised the same way). A trailing year is how hotline figures
//!   are published, and it keeps a rare-event count from reading as noise month to month;
//! - `hotline_contacts_per_1000`: 12345 contacts (complaints, inquiries and requests
//!   made through the hotline) in the same trailing year per 1,000 residents;
//! - `satisfied_share`: the tick's satisfied experiences over its rated experiences
//!   (NaN without any);
//! - `young_share`, `middle_share`, `senior_share`: each band's share of the scope's
//!   residents (NaN for band scopes); `residents`: residents × scale (represented people);
//! - flows of the tick, in represented people or requests (× scale): `entrants`,
//!   `deaths`, `moved_in`, `moved_out` (into and out of the scope's cells: between
//!   districts, or between bands by ageing), so that for every scope
//!   `residents(t) − residents(t − 1) = entrants − deaths + moved_in − moved_out`
//!   exactly; `requests_online`, `requests_assisted`, `requests_offline` (the submitted
//!   requests by channel) and `requests_failed` (failed online and assisted attempts);
//! - `online_failure_rate`: the tick's failed online and assisted attempts over all its
//!   online and assisted attempts (NaN without any).
//! - the economy's indicators (see [`crate::enterprises`]), over the scope's firms as
//!   counted in the tick (NaN for band scopes, and without `[economy]`), also for each
//!   sector and each size band of the firms (scopes where every other indicator is NaN,
//!   and `spend_economy` too: money is by district):
//!   `digital_core_share` (core sectors' value added / all firms' value added),
//!   `enterprise_maturity` (mean stage), `enterprise_stage3_share`, `cloud_rate`,
//!   `numerical_control_rate` and `digital_rd_tools_rate` (over industrial firms; NaN
//!   without any), `enterprise_one_trip_rate` (over firms' errands), `firm_errands` (the
//!   tick's errands, represented: a flow beside residents' `requests_*`);
//! - commutes (see [`crate::workplaces`]), over the working residents (`young` and
//!   `middle` bands) of the scope's districts at the end of the tick (NaN for band
//!   scopes, and without `[economy]`): `avg_commute_minutes` (each district's mean
//!   one-way commute weighted by its workers), `work_in_home_district_share` (likewise
//!   its share working at home), `jobs_housing_ratio` (the firms' jobs located in the
//!   scope / its working residents × scale).

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use civitas_scenario::{Band, Indicator};

use crate::census::{CellCensus, Census};
use crate::city::{City, Clock, cell_band, district_cells};
use crate::firms::{Commuting, DistrictEconomy, EconomyBreakdown, EconomyLevers, EconomyTallies};
use crate::levers::Levers;
use crate::offices::Departments;
use crate::output::{AgentRow, ReplicateResult, Scope};
use crate::residents::Resident;
use crate::tallies::{CellRequests, DistrictIncidents, IncidentTallies, RequestTallies};

/// The indicator table being filled.
#[derive(Resource, Debug, Clone)]
pub struct Table(pub ReplicateResult);

/// Complaints, other 12345 contacts and resident-years of the trailing year, per tick
/// and cell: the window of `complaints_per_1000` and `hotline_contacts_per_1000`.
#[derive(Resource, Debug, Clone)]
pub struct ComplaintWindow {
    ticks: usize,
    history: std::collections::VecDeque<Vec<(f64, f64, f64)>>,
}

impl ComplaintWindow {
    /// An empty window of one year of ticks of `city`.
    pub fn new(city: &City) -> Self {
        Self {
            ticks: ((1.0 / city.years_per_tick).round() as usize).max(1),
            history: std::collections::VecDeque::new(),
        }
    }

    /// Adds the tick's per-cell (complaints, other contacts, resident-years), dropping
    /// the oldest tick once a year is held.
    fn push(&mut self, cells: Vec<(f64, f64, f64)>) {
        if self.history.len() == self.ticks {
            self.history.pop_front();
        }
        self.history.push_back(cells);
    }

    /// Complaints and all 12345 contacts (complaints included) per 1,000 resident-years
    /// over the window, for the cells `cells` (in ascending order).
    fn per_1000(&self, cells: impl Iterator<Item = usize> + Clone) -> (f64, f64) {
        let (mut complaints, mut contacts, mut years) = (0.0, 0.0, 0.0);
        for tick in &self.history {
            for (n, k, y) in cells.clone().map(|c| tick[c]) {
                complaints += n;
                contacts += k;
                years += y;
            }
        }
        (
            ratio(complaints * 1000.0, years),
            ratio((complaints + contacts) * 1000.0, years),
        )
    }
}

/// How many residents (the first by id) to record in the agent sample each tick.
#[derive(Resource, Debug, Clone, Copy)]
pub struct AgentSample(pub usize);

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Installs the indicator table `result` to fill, the complaint window and the agent
/// sample size.
pub fn install(world: &mut World, city: &City, result: ReplicateResult, agent_sample: usize) {
    world.insert_resource(Table(result));
    world.insert_resource(ComplaintWindow::new(city));
    world.insert_resource(AgentSample(agent_sample));
}

/// What [`record_indicators`] reads: the state of the tick and what the mechanisms
/// counted in it.
#[derive(SystemParam)]
pub struct Counted<'w> {
    city: Res<'w, City>,
    clock: Res<'w, Clock>,
    census: Res<'w, Census>,
    requests: Res<'w, RequestTallies>,
    incidents: Res<'w, IncidentTallies>,
    levers: Res<'w, Levers>,
    departments: Res<'w, Departments>,
    economy: Res<'w, EconomyTallies>,
    economy_levers: Res<'w, EconomyLevers>,
    breakdown: Res<'w, EconomyBreakdown>,
    commuting: Res<'w, Commuting>,
}

/// Writes every indicator of this tick for every scope.
pub fn record_indicators(
    counted: Counted,
    mut complaints: ResMut<ComplaintWindow>,
    mut table: ResMut<Table>,
) {
    let Counted {
        city,
        clock,
        census,
        requests,
        incidents,
        levers,
        departments,
        economy,
        economy_levers,
        breakdown,
        commuting,
    } = counted;
    let table = &mut table.0;
    complaints.push(
        (0..census.cells.len())
            .map(|c| {
                let years = census.cells[c].residents as f64 * city.years_per_tick;
                let r = &requests.cells[c];
                (r.complaints, r.contacts, years)
            })
            .collect(),
    );
    let scopes = table.scopes.clone();
    let cells = census.cells.len();
    // All staff pay of the tick (case officers and hires), spread over residents' requests
    // (by cell) and firms' errands in proportion to the staff time each took: idle and
    // complaint time are paid too, and hiring shows in the cost of a request; the errands'
    // share is theirs, not residents'.
    let staff_pay: f64 = departments.0.iter().map(|d| d.staff).sum::<f64>()
        * city.scenario.costs.staff_per_year
        * city.years_per_tick;
    let errand_time: f64 = economy.0.iter().map(|d| d.errand_staff_cost).sum();
    let request_time: f64 =
        requests.cells.iter().map(|r| r.staff_cost).sum::<f64>() * city.scale + errand_time;
    let pay_per_request_time = ratio(staff_pay, request_time);
    let has_economy = city.scenario.economy.is_some();
    // Working residents (young and middle bands) of each district.
    let workers: Vec<f64> = (0..city.districts())
        .map(|d| {
            district_cells(d)
                .filter(|&c| cell_band(c) != Band::Senior)
                .map(|c| census.cells[c].residents as f64)
                .sum()
        })
        .collect();
    for (si, scope) in scopes.iter().enumerate() {
        // The scope's cells, in ascending order (the sums below depend on it): a district's
        // three, a band's every third, the city's all. Filtering every cell for every scope
        // took time in the square of the districts (18 % of a 1,000-district run).
        let (first, end, step) = match *scope {
            Scope::City => (0, cells, 1),
            Scope::District(d) => {
                let cells = district_cells(d);
                (cells.start, cells.end, 1)
            }
            Scope::Band(b) => (b.index(), cells, Band::ALL.len()),
            // Firms' groups have no residents.
            Scope::Sector(_) | Scope::Size(_) => (0, 0, 1),
        };
        let mut req = CellRequests::default();
        let mut people = CellCensus::default();
        let (mut young, mut middle, mut senior) = (
            CellCensus::default(),
            CellCensus::default(),
            CellCensus::default(),
        );
        let (mut construction, mut operation) = (0.0, 0.0);
        let (mut staffing, mut amortised) = (0.0, 0.0);
        let in_scope = (first..end).step_by(step);
        for c in in_scope.clone() {
            req.add(&requests.cells[c]);
            people.add(&census.cells[c]);
            match cell_band(c) {
                Band::Young => young.add(&census.cells[c]),
                Band::Middle => middle.add(&census.cells[c]),
                Band::Senior => senior.add(&census.cells[c]),
            }
            construction += levers.spend_construction[c];
            operation += levers.spend_operation[c];
            staffing += levers.spend_staffing[c];
            amortised += levers.amortised_construction[c];
        }
        let incident = match *scope {
            Scope::City => Some(incidents.0.iter().fold(
                DistrictIncidents::default(),
                |mut a, d| {
                    a.count += d.count;
                    a.response_hours += d.response_hours;
                    a.within_sla += d.within_sla;
                    a
                },
            )),
            Scope::District(d) => Some(incidents.0[d]),
            Scope::Band(_) | Scope::Sector(_) | Scope::Size(_) => None,
        };
        // Firms have no age: band scopes, like scenarios without `[economy]`, get NaN
        // economy indicators. The economy's money and counts of the scope's districts.
        let (firms, economy_spend) = match *scope {
            _ if !has_economy => (None, 0.0),
            Scope::City => (
                Some(
                    economy
                        .0
                        .iter()
                        .fold(DistrictEconomy::default(), |mut a, d| {
                            a.add(d);
                            a
                        }),
                ),
                economy_levers.spend.iter().sum(),
            ),
            Scope::District(d) => (
                Some(economy.0.get(d).copied().unwrap_or_default()),
                economy_levers.spend[d],
            ),
            Scope::Band(_) => (None, 0.0),
            // The economy's money is by district: NaN for sectors and size bands.
            Scope::Sector(s) => (breakdown.sectors.get(s).copied(), f64::NAN),
            Scope::Size(z) => (breakdown.sizes.get(z.index()).copied(), f64::NAN),
        };
        // The scope's districts' workers, their commutes and their jobs (none for bands:
        // NaN commute indicators).
        let districts = match *scope {
            Scope::City => 0..city.districts(),
            Scope::District(d) => d..d + 1,
            Scope::Band(_) | Scope::Sector(_) | Scope::Size(_) => 0..0,
        };
        let (mut scope_workers, mut commute_sum, mut home_sum) = (0.0, 0.0, 0.0);
        for d in districts {
            scope_workers += workers[d];
            commute_sum += workers[d] * commuting.minutes[d];
            home_sum += workers[d] * commuting.home_share[d];
        }
        let submitted = req.submitted as f64;
        let residents = people.residents as f64;
        let (complaints_per_1000, contacts_per_1000) = complaints.per_1000(in_scope.clone());
        let count = |n: u64| n as f64 * city.scale;
        let per_year = 1.0 / city.years_per_tick;
        let band_share = |band: &CellCensus| match scope {
            Scope::Band(_) | Scope::Sector(_) | Scope::Size(_) => f64::NAN,
            _ => ratio(band.residents as f64, residents),
        };
        for &indicator in Indicator::ALL {
            let value = match indicator {
                Indicator::OnlineServiceRate => ratio(req.online as f64, submitted),
                Indicator::OneTripRate => ratio(req.one_trip as f64, submitted),
                Indicator::AvgTrips => ratio(req.trips as f64, submitted),
                Indicator::MeanResolutionDays => ratio(req.resolution_days, submitted),
                Indicator::DataSharingRate => {
                    ratio(req.links_present as f64, req.links_needed as f64)
                }
                Indicator::DeviceRate => ratio(people.devices as f64, people.residents as f64),
                Indicator::AdoptionRate => ratio(people.adopted as f64, people.residents as f64),
                Indicator::DigitalDivideGap => match scope {
                    Scope::Band(_) | Scope::Sector(_) | Scope::Size(_) => f64::NAN,
                    _ => {
                        ratio(young.adopted as f64, young.residents as f64)
                            - ratio(senior.adopted as f64, senior.residents as f64)
                    }
                },
                Indicator::Satisfaction => ratio(people.satisfaction_sum, people.residents as f64),
                Indicator::IncidentResponseHours => {
                    incident.map_or(f64::NAN, |i| ratio(i.response_hours, i.count as f64))
                }
                Indicator::IncidentsWithinSla => {
                    incident.map_or(f64::NAN, |i| ratio(i.within_sla as f64, i.count as f64))
                }
                Indicator::SystemAvailability => {
                    if req.attempts > 0 {
                        req.health_sum / req.attempts as f64
                    } else {
                        departments.mean_effective_health()
                    }
                }
                Indicator::SpendConstruction => construction * per_year,
                Indicator::SpendOperation => operation * per_year,
                Indicator::CostPerRequest => ratio(
                    req.staff_cost * city.scale * pay_per_request_time + operation - staffing
                        + amortised,
                    req.raised as f64 * city.scale,
                ),
                Indicator::Trust => ratio(people.trust_sum, residents),
                Indicator::ComplaintsPer1000 => complaints_per_1000,
                Indicator::HotlineContactsPer1000 => contacts_per_1000,
                Indicator::SatisfiedShare => ratio(req.satisfied, req.experiences as f64),
                Indicator::YoungShare => band_share(&young),
                Indicator::MiddleShare => band_share(&middle),
                Indicator::SeniorShare => band_share(&senior),
                Indicator::Residents => residents * city.scale,
                Indicator::Entrants => count(people.entrants),
                Indicator::Deaths => count(people.deaths),
                Indicator::MovedIn => count(people.moved_in),
                Indicator::MovedOut => count(people.moved_out),
                Indicator::RequestsOnline => count(req.online - req.assisted),
                Indicator::RequestsAssisted => count(req.assisted),
                Indicator::RequestsOffline => count(req.submitted - req.online),
                Indicator::RequestsFailed => count(req.failed),
                Indicator::OnlineFailureRate => ratio(req.failed as f64, req.attempts as f64),
                Indicator::AvgCommuteMinutes => ratio(commute_sum, scope_workers),
                Indicator::WorkInHomeDistrictShare => ratio(home_sum, scope_workers),
                Indicator::JobsHousingRatio => {
                    firms.map_or(f64::NAN, |f| ratio(f.jobs, scope_workers * city.scale))
                }
                Indicator::DigitalCoreShare
                | Indicator::EnterpriseMaturity
                | Indicator::EnterpriseStage3Share
                | Indicator::CloudRate
                | Indicator::NumericalControlRate
                | Indicator::DigitalRdToolsRate
                | Indicator::EnterpriseOneTripRate
                | Indicator::FirmErrands => firms
                    .and_then(|f| f.indicator(indicator))
                    .unwrap_or(f64::NAN),
                Indicator::SpendEconomy => firms.map_or(f64::NAN, |_| economy_spend * per_year),
            };
            // A group of firms has only the economy's indicators.
            let value = if scope.is_firms() && !indicator.is_economy() {
                f64::NAN
            } else {
                value
            };
            table.set(clock.tick, indicator, si, value);
        }
    }
}

/// Records the first residents (by id) in the agent sample.
pub fn record_agent_sample(
    clock: Res<Clock>,
    sample: Res<AgentSample>,
    mut table: ResMut<Table>,
    residents: Query<&Resident>,
) {
    if sample.0 == 0 {
        return;
    }
    let rows = &mut table.0.agent_sample;
    let first = rows.len();
    for r in &residents {
        if (r.id.0 as usize) < sample.0 {
            rows.push(AgentRow {
                tick: clock.tick,
                resident: r.id.0,
                district: r.home.place().district,
                band: r.home.place().band,
                literacy: r.digital.literacy() as f32,
                has_device: r.digital.has_device(),
                adopted: r.digital.adopted(),
                trust: r.attitude.trust() as f32,
                satisfaction: r.attitude.satisfaction() as f32,
            });
        }
    }
    rows[first..].sort_by_key(|r| r.resident);
}
