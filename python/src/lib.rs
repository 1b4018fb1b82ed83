//! `civitas._civitas`: the extension module behind the `civitas` Python package
//! (`python/civitas/__init__.py` wraps it; `python/civitas/_civitas.pyi` types it).
//!
//! It runs batches in-process through [`civitas_batch::Batch`] with the GIL released (the
//! replicates run on rayon, so Python threads may run batches side by side), and turns a
//! scenario's diagnostics into a `ScenarioError` whose `diagnostics` name file, line,
//! column, field and message. Reading outputs into frames is done in Python (pandas and
//! pyarrow); `table_spec` gives it each table's column kinds, so CSV and Parquet read
//! into the same frames.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use civitas_batch::{Batch, BatchError, LeverError, Sweep};
use civitas_scenario::{Scenario, TableFormat};

create_exception!(
    _civitas,
    CivitasError,
    PyException,
    "A Civitas run, sweep or read failed (an output folder in the way, a damaged file, …)."
);
create_exception!(
    _civitas,
    ScenarioError,
    CivitasError,
    "The scenario is not valid. `diagnostics` lists every problem as a dict with `file`, \
     `line`, `column`, `field` and `message`; `file`, `line` and `field` are the first's."
);

/// The Python exception for a scenario's diagnostics.
fn scenario_error(py: Python<'_>, e: &civitas_scenario::ScenarioError) -> PyErr {
    let err = ScenarioError::new_err(e.to_string());
    let attach = || -> PyResult<()> {
        let value = err.value(py);
        let list = PyList::empty(py);
        for d in &e.diagnostics {
            let item = PyDict::new(py);
            item.set_item("file", d.file.display().to_string())?;
            item.set_item("line", d.line)?;
            item.set_item("column", d.column)?;
            item.set_item("field", &d.path)?;
            item.set_item("message", &d.message)?;
            list.append(item)?;
        }
        let first = e.diagnostics.first();
        value.setattr("diagnostics", list)?;
        value.setattr("file", first.map(|d| d.file.display().to_string()))?;
        value.setattr("line", first.and_then(|d| d.line))?;
        value.setattr("field", first.map(|d| d.path.clone()))?;
        Ok(())
    };
    match attach() {
        Ok(()) => err,
        Err(other) => other,
    }
}

/// A batch error as a Python exception: the scenario's diagnostics when it is about the
/// scenario (an invalid override included), a `CivitasError` with the whole chain else.
fn batch_error(py: Python<'_>, e: BatchError) -> PyErr {
    match &e {
        BatchError::Scenario(s) => return scenario_error(py, s),
        BatchError::Lever { problem, .. } => {
            if let LeverError::Invalid(s) = problem.as_ref() {
                return scenario_error(py, s);
            }
        }
        _ => {}
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let line = s.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = s.source();
    }
    CivitasError::new_err(text)
}

/// What a run or sweep asks for, from Python's keyword arguments.
struct Request {
    scenario: Option<PathBuf>,
    out: PathBuf,
    agents: Option<u64>,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    overrides: Vec<(String, f64)>,
    format: Option<String>,
    uncertainty: bool,
    force: bool,
}

impl Request {
    /// The scenario with the request's changes, validated, and the changes as
    /// `manifest.json` records them.
    fn scenario(&self, py: Python<'_>) -> PyResult<(Scenario, Vec<String>)> {
        let mut scenario = match &self.scenario {
            Some(path) => Scenario::load(path).map_err(|e| scenario_error(py, &e))?,
            None => Scenario::baseline(),
        };
        let mut given = Vec::new();
        if let Some(agents) = self.agents {
            // As `civitas run --agents`: the represented population is kept, and 0 is
            // left for the check below to refuse.
            let people = scenario.represented_population();
            scenario.population.agents = agents;
            scenario.population.scale = people / agents as f64;
            given.push(format!("--agents {agents}"));
        }
        if let Some(n) = self.replicates {
            scenario.scenario.replicates = n;
            given.push(format!("--replicates {n}"));
        }
        if let Some(seed) = self.seed {
            scenario.scenario.seed = seed;
            given.push(format!("--seed {seed}"));
        }
        if let Some(name) = &self.format {
            scenario.outputs.format = [TableFormat::Csv, TableFormat::Parquet, TableFormat::Both]
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| {
                    pyo3::exceptions::PyValueError::new_err(format!(
                        "format: {name:?}, expected \"csv\", \"parquet\" or \"both\""
                    ))
                })?;
            given.push(format!("--format {name}"));
        }
        if !self.uncertainty {
            scenario.uncertainty.clear();
            given.push("--no-uncertainty".to_string());
        }
        scenario.check().map_err(|e| scenario_error(py, &e))?;
        if !self.overrides.is_empty() {
            let paths: Vec<String> = self.overrides.iter().map(|(p, _)| p.clone()).collect();
            let values: Vec<f64> = self.overrides.iter().map(|(_, v)| *v).collect();
            let sweep =
                Sweep::explicit(&paths, vec![values.clone()]).map_err(|e| batch_error(py, e))?;
            scenario = sweep
                .apply(&scenario, &values)
                .map_err(|e| batch_error(py, e))?;
            given.extend(self.overrides.iter().map(|(p, v)| format!("{p}={v}")));
        }
        Ok((scenario, given))
    }

    /// Runs `scenario` (or each point of `sweep`) with the GIL released; the output
    /// folder.
    fn execute(
        &self,
        py: Python<'_>,
        scenario: Scenario,
        given: Vec<String>,
        sweep: Option<(Sweep, bool)>,
    ) -> PyResult<PathBuf> {
        let name = match &sweep {
            Some(_) => format!("{}-sweep", scenario.scenario.name),
            None => scenario.scenario.name.clone(),
        };
        let out = self.out.clone();
        let (threads, force) = (self.threads, self.force);
        let done = py.detach(move || {
            let mut batch = Batch::new(&scenario)
                .out_dir(&out)
                .overrides(given)
                .replace_different(force);
            if let Some(n) = threads {
                batch = batch.threads(n);
            }
            if let Some((sweep, timeseries)) = sweep {
                batch = batch.sweep(sweep).sweep_timeseries(timeseries);
            }
            batch.run().map(|_| out.join(name))
        });
        done.map_err(|e| batch_error(py, e))
    }
}

/// Runs a scenario's replicates into `out/<name>/`, or with `levers` (`PATH=LO..HI:N`,
/// `PATH=a,b,c`, or with `lhs` `PATH=LO..HI`) each point of that sweep into
/// `out/<name>-sweep/`; returns the folder.
#[pyfunction]
#[pyo3(signature = (scenario, out, *, levers=None, lhs=None, timeseries=false, agents=None,
    replicates=None, seed=None, threads=None, overrides=Vec::new(), format=None,
    uncertainty=true, force=false))]
#[expect(
    clippy::too_many_arguments,
    reason = "a Python function: one keyword argument per option of `civitas run` and `sweep`"
)]
fn batch(
    py: Python<'_>,
    scenario: Option<PathBuf>,
    out: PathBuf,
    levers: Option<Vec<String>>,
    lhs: Option<usize>,
    timeseries: bool,
    agents: Option<u64>,
    replicates: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    overrides: Vec<(String, f64)>,
    format: Option<String>,
    uncertainty: bool,
    force: bool,
) -> PyResult<PathBuf> {
    let request = Request {
        scenario,
        out,
        agents,
        replicates,
        seed,
        threads,
        overrides,
        format,
        uncertainty,
        force,
    };
    let (scenario, given) = request.scenario(py)?;
    let design = match levers {
        Some(levers) => Some((
            Sweep::parse(&levers, lhs).map_err(|e| batch_error(py, e))?,
            timeseries,
        )),
        None => None,
    };
    request.execute(py, scenario, given, design)
}

/// Checks a scenario file; raises `ScenarioError` with its diagnostics when it is not
/// valid.
#[pyfunction]
fn validate(py: Python<'_>, scenario: PathBuf) -> PyResult<()> {
    Scenario::load(&scenario)
        .map(|_| ())
        .map_err(|e| scenario_error(py, &e))
}

/// The columns of output table `name` (`timeseries`, `summary`, `targets`,
/// `target_values`, `parameters`, `agents`, `sweep`) as JSON: `{"columns": [{"name",
/// "kind"}], "drop_empty": index or absent}`. A sweep's lever columns come from `levers`.
#[pyfunction]
#[pyo3(signature = (name, levers=Vec::new()))]
fn table_spec(name: &str, levers: Vec<String>) -> PyResult<String> {
    use civitas_results::files;
    let spec = match name {
        "timeseries" => files::timeseries_table(),
        "summary" => files::summary_table(),
        "targets" => files::targets_table(),
        "target_values" => files::target_values_table(),
        "parameters" => files::parameters_table(),
        "agents" => files::agents_table(),
        "sweep" => files::sweep_table(&levers),
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "no output table {other:?}"
            )));
        }
    };
    Ok(serde_json::to_string(&spec).expect("a table spec serializes"))
}

/// The extension module.
#[pymodule]
fn _civitas(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(batch, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(table_spec, m)?)?;
    m.add("CivitasError", m.py().get_type::<CivitasError>())?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
