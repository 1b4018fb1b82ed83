//! What the mechanisms counted in the tick, read by [`crate::metrics`] (and the request
//! ledger): each mechanism that produces a tally installs and writes it, metrics only
//! reads, so metrics imports no mechanism.

use bevy_ecs::prelude::*;

use crate::city::City;

/// Outcomes of one cell's requests in one tick (counts in agent requests).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellRequests {
    /// New requests raised.
    pub raised: u64,
    /// Requests submitted to a department (new ones that did not fail, plus fallbacks).
    pub submitted: u64,
    /// Submitted through an online channel (self-service or assisted).
    pub online: u64,
    /// Submitted with help at a service point.
    pub assisted: u64,
    /// Fallbacks of earlier failures submitted offline.
    pub retried: u64,
    /// Online attempts that failed.
    pub failed: u64,
    /// Submitted with at most one trip.
    pub one_trip: u64,
    /// Trips of submitted requests.
    pub trips: u64,
    /// Required data links of submitted requests.
    pub links_needed: u64,
    /// Of which present.
    pub links_present: u64,
    /// Resolution days of submitted requests, summed.
    pub resolution_days: f64,
    /// Online and assisted attempts (submitted or failed), the weights of `health_sum`:
    /// the attempts a department's systems serve (an offline request meets none).
    pub attempts: u64,
    /// Effective health of the owner department, summed over those attempts.
    pub health_sum: f64,
    /// 12345 hotline complaints filed, as their expected number: each experience
    /// scoring below the threshold adds the complaint probability (the expectation of the
    /// Bernoulli draw it replaces, so the count has no thinning noise).
    pub complaints: f64,
    /// Staff cost of submitted requests (currency per agent request; times `scale` for
    /// represented people).
    pub staff_cost: f64,
    /// Rated experiences (submitted requests and failed attempts).
    pub experiences: u64,
    /// Of which satisfied, as the expectation of the satisfied logistic (see
    /// [`crate::satisfaction::satisfied_chance`]).
    pub satisfied: f64,
    /// 12345 contacts other than complaints: the expected inquiries of the requests
    /// raised and the requests raised through the hotline.
    pub contacts: f64,
}

impl CellRequests {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &CellRequests) {
        self.raised += o.raised;
        self.submitted += o.submitted;
        self.online += o.online;
        self.assisted += o.assisted;
        self.retried += o.retried;
        self.failed += o.failed;
        self.one_trip += o.one_trip;
        self.trips += o.trips;
        self.links_needed += o.links_needed;
        self.links_present += o.links_present;
        self.resolution_days += o.resolution_days;
        self.attempts += o.attempts;
        self.health_sum += o.health_sum;
        self.complaints += o.complaints;
        self.staff_cost += o.staff_cost;
        self.experiences += o.experiences;
        self.satisfied += o.satisfied;
        self.contacts += o.contacts;
    }
}

/// Requests of one department in one tick (agent units).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DepartmentRequests {
    /// Effort of submitted requests (offline-case equivalents).
    pub effort: f64,
    /// Submitted requests.
    pub requests: u64,
    /// Online and assisted attempts, failed or not (the traffic its systems carry).
    pub attempts: u64,
}

impl DepartmentRequests {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &DepartmentRequests) {
        self.effort += o.effort;
        self.requests += o.requests;
        self.attempts += o.attempts;
    }
}

/// This tick's request outcomes, written by the resident pass (see [`crate::channels`]).
#[derive(Resource, Debug, Clone)]
pub struct RequestTallies {
    /// Outcomes per (district × band) cell.
    pub cells: Vec<CellRequests>,
    /// Requests per department.
    pub departments: Vec<DepartmentRequests>,
    /// New requests raised since the start (agent units).
    pub raised_total: u64,
}

impl RequestTallies {
    /// Empty tallies for `city`.
    pub fn new(city: &City) -> Self {
        Self {
            cells: vec![CellRequests::default(); city.cells()],
            departments: vec![DepartmentRequests::default(); city.departments()],
            raised_total: 0,
        }
    }
}

/// Incident outcomes of one district in one tick.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DistrictIncidents {
    /// Incidents that occurred.
    pub count: u64,
    /// Response hours, summed.
    pub response_hours: f64,
    /// Incidents responded to within their SLA.
    pub within_sla: u64,
}

/// This tick's incident outcomes per district (see [`crate::incidents`]).
#[derive(Resource, Debug, Clone)]
pub struct IncidentTallies(pub Vec<DistrictIncidents>);
