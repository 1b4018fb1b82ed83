//! SHIM until `Scenario::check` lands on `main` (scenario helper's work): the checks
//! batch execution itself relies on. Replace the body with `scenario.check()` then.

use civitas_scenario::{Diagnostic, Scenario, ScenarioError};

/// Validates a scenario built in memory (after CLI overrides or sweep levers).
pub(crate) fn check_scenario(scenario: &Scenario) -> Result<(), ScenarioError> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, message: String| {
        problems.push(Diagnostic {
            file: Default::default(),
            line: None,
            column: None,
            path: path.to_string(),
            message,
        })
    };
    let name = &scenario.scenario.name;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        problem(
            "scenario.name",
            format!(
                "{name:?} must be letters, digits, `-` and `_` (it names the output directory)"
            ),
        );
    }
    if scenario.scenario.end < scenario.scenario.start {
        problem("scenario.end", "must not be before scenario.start".into());
    }
    if scenario.scenario.replicates == 0 {
        problem("scenario.replicates", "must be at least 1".into());
    }
    for (i, t) in scenario.targets.iter().enumerate() {
        if let Some(d) = &t.district
            && scenario.district_index(d).is_none()
        {
            problem(
                &format!("targets[{i}].district"),
                format!("no district is named {d:?}"),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError {
            diagnostics: problems,
        })
    }
}
