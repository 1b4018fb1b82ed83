//! Reading scenario files (TOML, YAML, JSON), resolving `extends`, and turning every
//! problem into a [`Diagnostic`] with file, line, column and field path.
//!
//! Loading goes: text → position-keeping tree (per format) → `extends` merged at the tree
//! level → serde into [`Scenario`] → semantic checks ([`Scenario::check`]). Each step's
//! problems are mapped back to the tree node, so they point at the file that set the value.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::{Diagnostic, ScenarioError};
use crate::limits::MAX_FILE_BYTES;
use crate::model::{
    Budget, Economy, Incidents, Outputs, Population, ScenarioInfo, UncertainParameter, UnitCosts,
};
use crate::model::{
    Department, IncidentType, Policy, PolicyKind, Scenario, Service, Shock, Target,
};
use crate::model::{POLICY_TARGETS, is_policy_parameter};
use crate::path::{FieldPath, Segment};
use crate::tree::{self, Node, Span, Value};
use crate::validate;

/// File formats a scenario can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML (primary).
    Toml,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

impl Format {
    /// Format from a file extension (`.toml`, `.yaml`/`.yml`, `.json`).
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// The bundled default scenario (`scenarios/baseline.toml`), embedded in the binary.
pub const BASELINE_TOML: &str = include_str!("../baseline.toml");

/// The commented starter scenario `civitas init` writes: a small town using every section.
pub const STARTER_TOML: &str = include_str!("starter.toml");

/// The top-level fields of a scenario file, in the order the schema lists them.
const TOP_LEVEL_FIELDS: [&str; 14] = [
    "extends",
    "scenario",
    "population",
    "departments",
    "services",
    "incidents",
    "economy",
    "policies",
    "costs",
    "budget",
    "shocks",
    "targets",
    "uncertainty",
    "outputs",
];

fn whole_file(file: &Path, message: String) -> ScenarioError {
    ScenarioError::single(Diagnostic {
        file: file.to_path_buf(),
        line: None,
        column: None,
        path: String::new(),
        message,
    })
}

/// `a/b/../c` → `a/c`, so that paths in diagnostics and cycle reports read cleanly.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The file an `extends = "base_name"` in `file` names: relative to `file`'s folder, with
/// `..` steps removed as text.
pub fn extends_target(file: &Path, base_name: &str) -> PathBuf {
    normalize(&file.parent().unwrap_or(Path::new("")).join(base_name))
}

/// The files of an `extends` chain being read.
#[derive(Default)]
struct Chain {
    /// Files from the loaded one down to the one being read: canonical path (for finding
    /// cycles) and the path as written (for messages).
    open: Vec<(PathBuf, PathBuf)>,
    /// Every file read, in reading order: the loaded file, its base, its base's base, ….
    read: Vec<Arc<Path>>,
}

/// Reads one file into a tree and merges its `extends` chain under it. `via` is the
/// `extends` value that named this file, where a read failure is reported.
fn read_tree(path: &Path, via: Option<&Span>, chain: &mut Chain) -> Result<Node, ScenarioError> {
    let (text, format) = read_source(path, via)?;
    let file: Arc<Path> = Arc::from(path);
    chain.read.push(file.clone());
    let mut root = tree::parse(&text, format, &file).map_err(ScenarioError::single)?;
    resolve_extends(&mut root, Some(path), chain)?;
    Ok(root)
}

/// Reads a scenario file's text, refusing before reading anything that is not one: a name
/// without a scenario extension (for a link, the file it points to must have one too, so
/// `extends` cannot pull in a foreign file whose first line would be quoted back), a
/// device, FIFO or directory, or a file over [`MAX_FILE_BYTES`]; text that is not UTF-8
/// is reported at its first bad byte.
fn read_source(path: &Path, via: Option<&Span>) -> Result<(String, Format), ScenarioError> {
    let fail = |message: String| match via {
        Some(span) => ScenarioError::single(span.diagnostic(
            &FieldPath::from("extends"),
            format!("cannot read base scenario `{}`: {message}", path.display()),
        )),
        None => whole_file(path, message),
    };
    const EXPECTED: &str = "expected .toml, .yaml, .yml or .json";
    let Some(format) = Format::from_path(path) else {
        return Err(fail(format!("unknown file extension; {EXPECTED}")));
    };
    let io_error = |e: std::io::Error| match via {
        Some(_) => fail(e.to_string()),
        None => fail(format!("cannot read scenario file: {e}")),
    };
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if !meta.is_file() {
        return Err(fail(
            "not a regular file; expected a scenario file".to_string(),
        ));
    }
    if let Ok(target) = path.canonicalize()
        && Format::from_path(&target) != Some(format)
    {
        return Err(fail(format!(
            "links to `{}`, which is not a scenario file of the same kind; {EXPECTED}",
            target.display()
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(too_big(meta.len())));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(too_big(bytes.len() as u64)));
    }
    match String::from_utf8(bytes) {
        // A byte-order mark (editors on Windows write one) is not part of the text, in
        // any of the three formats alike.
        Ok(text) => Ok((
            text.strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text),
            format,
        )),
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or_default();
            let line = good.matches('\n').count() + 1;
            let column = good.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            let message = format!(
                "the file is not UTF-8 text (invalid byte 0x{:02x} at line {line}, column {column})",
                e.as_bytes()[good.len()]
            );
            Err(match via {
                Some(_) => fail(message),
                None => ScenarioError::single(Diagnostic {
                    file: path.to_path_buf(),
                    line: Some(line),
                    column: Some(column),
                    path: String::new(),
                    message,
                }),
            })
        }
    }
}

fn too_big(bytes: u64) -> String {
    format!("the file has {bytes} bytes or more, expected at most {MAX_FILE_BYTES} for a scenario")
}

/// Replaces `root` by its base file with `root` merged on top, recursively.
fn resolve_extends(
    root: &mut Node,
    file: Option<&Path>,
    chain: &mut Chain,
) -> Result<(), ScenarioError> {
    if !matches!(root.value, Value::Table(_)) {
        return Err(ScenarioError::single(root.span.diagnostic(
            &FieldPath::root(),
            format!(
                "found {}, expected a table of scenario sections ([scenario], [population], …)",
                kind_name(&root.value)
            ),
        )));
    }
    let Some(entry) = root.take_entry("extends") else {
        return Ok(());
    };
    let at = FieldPath::from("extends");
    let Value::Str(base_name) = &entry.value.value else {
        return Err(ScenarioError::single(entry.value.span.diagnostic(
            &at,
            format!(
                "found {}, expected the path of a base scenario file, e.g. \"baseline.toml\"",
                kind_name(&entry.value.value)
            ),
        )));
    };
    let Some(file) = file else {
        return Err(ScenarioError::single(entry.value.span.diagnostic(
            &at,
            "`extends` needs a scenario read from a file, to find the base file next to it",
        )));
    };
    let base_path = extends_target(file, base_name);
    let canonical = base_path
        .canonicalize()
        .unwrap_or_else(|_| base_path.clone());
    if let Some(first) = chain.open.iter().position(|(c, _)| *c == canonical) {
        let cycle: Vec<String> = chain.open[first..]
            .iter()
            .map(|(_, shown)| shown.display().to_string())
            .chain(std::iter::once(base_path.display().to_string()))
            .collect();
        return Err(ScenarioError::single(entry.value.span.diagnostic(
            &at,
            format!("`extends` forms a cycle: {}", cycle.join(" → ")),
        )));
    }
    chain.open.push((canonical, base_path.clone()));
    let mut base = read_tree(&base_path, Some(&entry.value.span), chain)?;
    chain.open.pop();
    let over = std::mem::replace(
        root,
        Node {
            value: Value::Null,
            span: root.span.clone(),
        },
    );
    base.merge(over);
    *root = base;
    Ok(())
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Str(_) => "a string",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// Rewords serde's messages in the modeler's terms ("a number", "a list").
fn reword(message: &str) -> String {
    let mut m = message.replace("invalid type: ", "found ");
    m = m.replace("invalid value: ", "found ");
    for (from, to) in [
        ("expected f64", "expected a number"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected i32", "expected a whole number (a year)"),
        ("expected a sequence", "expected a list"),
        ("expected a boolean", "expected true or false"),
        ("map, expected", "table, expected"),
        ("sequence, expected", "list, expected"),
    ] {
        m = m.replace(from, to);
    }
    if let Some(rest) = m.strip_prefix("found ")
        && let Some((found, expected)) = rest.split_once(", expected struct ")
    {
        m = format!("found {found}, expected a table ({expected})");
    }
    if let Some(suggestion) = did_you_mean(&m) {
        m.push_str(&format!("; did you mean `{suggestion}`?"));
    }
    m
}

/// For "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"), the expected
/// name closest to `x`, when it is close enough to be a slip: at most a third of its
/// letters changed, added or dropped (`amount_per_yer`, `digital_trainig`, `seniorr`).
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (found, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected one of ")?.1;
    expected
        .split(", ")
        .filter_map(|e| e.trim().strip_prefix('`')?.strip_suffix('`'))
        .map(|candidate| (crate::validate::edit_distance(found, candidate), candidate))
        .filter(|&(d, candidate)| d > 0 && d * 3 <= candidate.chars().count().max(3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, candidate)| candidate.to_string())
}

/// Maps one serde error at `prefix` to a diagnostic pointing into the tree.
fn serde_diagnostic(
    root: &Node,
    prefix: &FieldPath,
    err: serde_path_to_error::Error<serde_json::Error>,
) -> Diagnostic {
    let mut path = prefix.clone();
    for seg in err.path().iter() {
        match seg {
            serde_path_to_error::Segment::Map { key } => path.push(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => path.push(Segment::Index(*index)),
            _ => {}
        }
    }
    let message = err.inner().to_string();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        // The field is absent, so point at the table that should hold it.
        let span = root.locate(&path, false);
        return span.diagnostic(
            &path.key(field),
            format!("missing required field `{field}`"),
        );
    }
    let is_unknown_field = message.starts_with("unknown field");
    root.locate(&path, is_unknown_field)
        .diagnostic(&path, reword(&message))
}

fn check_as<T: DeserializeOwned>(
    root: &Node,
    value: &serde_json::Value,
    at: FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if let Err(e) = serde_path_to_error::deserialize::<_, T>(value) {
        out.push(serde_diagnostic(root, &at, e));
    }
}

fn check_each<T: DeserializeOwned>(
    root: &Node,
    value: &serde_json::Value,
    at: FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    match value {
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_as::<T>(root, item, at.index(i), out);
            }
        }
        other => check_as::<Vec<T>>(root, other, at, out),
    }
}

/// Checks one `[[policies]]` entry the way serde reads it (the `kind` tag picks the
/// body), but reading the body on its own so that an error inside it keeps its field path
/// and position; a parameter of another kind is worded as such.
fn check_policy(root: &Node, value: &serde_json::Value, at: FieldPath, out: &mut Vec<Diagnostic>) {
    let Some(entry) = value.as_object() else {
        check_as::<Policy>(root, value, at, out);
        return;
    };
    let Some(kind) = entry.get("kind") else {
        out.push(
            root.locate(&at, false)
                .diagnostic(&at.key("kind"), "missing required field `kind`".to_string()),
        );
        return;
    };
    let kind = match serde_path_to_error::deserialize::<_, PolicyKind>(kind) {
        Ok(kind) => kind,
        Err(e) => {
            out.push(serde_diagnostic(root, &at.key("kind"), e));
            return;
        }
    };
    let mut body = value.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove("kind");
    }
    // serde stops at an entry's first error: report it, set its field aside, read the
    // entry again, until it reads or an error names no field of its own (a missing one).
    let mut set_aside: Vec<String> = Vec::new();
    for _ in 0..body.as_object().map_or(0, |o| o.len()) + 1 {
        let Some(e) = kind.body_error(&body) else {
            return;
        };
        // A required field set aside for its error is not also missing.
        let message = e.inner().to_string();
        if set_aside
            .iter()
            .any(|f| message == format!("missing field `{f}`"))
        {
            return;
        }
        let field = match e.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => Some(key.clone()),
            _ => None,
        };
        out.push(policy_body_diagnostic(root, &at, kind, e));
        let removed = match (&field, body.as_object_mut()) {
            (Some(field), Some(o)) => o.remove(field).is_some(),
            _ => false,
        };
        if !removed {
            return;
        }
        set_aside.extend(field);
    }
}

/// One error of a policy entry's body as a diagnostic: a parameter or target of another
/// kind is worded as such.
fn policy_body_diagnostic(
    root: &Node,
    at: &FieldPath,
    kind: PolicyKind,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> Diagnostic {
    let mut diagnostic = serde_diagnostic(root, at, e);
    let field = diagnostic
        .message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(field, _)| field.to_string());
    // A parameter or target of another kind: say so, pointing at its value as the
    // range checks do.
    if let Some(field) = field {
        let kind = kind.name();
        let message = if is_policy_parameter(&field) {
            Some(format!(
                "`{field}` does not apply to policies of kind `{kind}`; remove it"
            ))
        } else if POLICY_TARGETS.contains(&field.as_str()) {
            Some(format!(
                "policies of kind `{kind}` cannot be narrowed by `{field}`; remove it"
            ))
        } else {
            None
        };
        if let Some(message) = message {
            let path = at.key(&field);
            diagnostic = root.locate(&path, false).diagnostic(&path, message);
        }
    }
    diagnostic
}

/// serde stops at the first error; deserializing each section and each array entry on its
/// own reports one error per broken entry, so a modeler can fix several in one pass.
fn section_diagnostics(root: &Node, json: &serde_json::Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(sections) = json.as_object() else {
        return out;
    };
    for required in ["scenario", "population"] {
        if !sections.contains_key(required) {
            out.push(root.span.diagnostic(
                &FieldPath::from(required),
                format!("missing required section `{required}`"),
            ));
        }
    }
    for (key, value) in sections {
        let at = FieldPath::from(key.as_str());
        match key.as_str() {
            "scenario" => check_as::<ScenarioInfo>(root, value, at, &mut out),
            "population" => check_as::<Population>(root, value, at, &mut out),
            "departments" => check_each::<Department>(root, value, at, &mut out),
            "services" => check_each::<Service>(root, value, at, &mut out),
            "incidents" => match value.get("types") {
                Some(types) if value.is_object() => {
                    check_each::<IncidentType>(root, types, at.key("types"), &mut out);
                    let mut rest = value.clone();
                    if let Some(o) = rest.as_object_mut() {
                        o.remove("types");
                    }
                    check_as::<Incidents>(root, &rest, at, &mut out);
                }
                _ => check_as::<Incidents>(root, value, at, &mut out),
            },
            "policies" => match value {
                serde_json::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check_policy(root, item, at.index(i), &mut out);
                    }
                }
                other => check_as::<Vec<Policy>>(root, other, at, &mut out),
            },
            "economy" => check_as::<Economy>(root, value, at, &mut out),
            "costs" => check_as::<UnitCosts>(root, value, at, &mut out),
            "budget" => check_as::<Budget>(root, value, at, &mut out),
            "shocks" => check_each::<Shock>(root, value, at, &mut out),
            "targets" => check_each::<Target>(root, value, at, &mut out),
            "uncertainty" => check_each::<UncertainParameter>(root, value, at, &mut out),
            "outputs" => check_as::<Outputs>(root, value, at, &mut out),
            unknown => {
                let expected: Vec<String> =
                    TOP_LEVEL_FIELDS.iter().map(|f| format!("`{f}`")).collect();
                out.push(root.locate(&at, true).diagnostic(
                    &at,
                    format!(
                        "unknown field `{unknown}`, expected one of {}",
                        expected.join(", ")
                    ),
                ));
            }
        }
    }
    out
}

/// Whether an outside-the-horizon problem at `path` concerns a date inherited from a base
/// file while a more derived file (a variant) set the horizon: then it is forgiven.
/// `files` lists the chain's files in reading order: the loaded file, its base, ….
/// With no `files` (text without a file), every date counts as inherited.
fn inherited_across_moved_horizon(root: &Node, files: &[Arc<Path>], path: &FieldPath) -> bool {
    if files.is_empty() {
        return true;
    }
    let depth = |p: &FieldPath| {
        let file = &root.locate(p, false).file;
        files.iter().position(|f| f == file).unwrap_or(0)
    };
    let horizon =
        depth(&FieldPath::from("scenario.start")).min(depth(&FieldPath::from("scenario.end")));
    depth(path) > horizon
}

/// A variant whose `[budget]` names a policy of its base takes over that policy's money:
/// the `amount_per_year` the policy inherits from a file further down the `extends` chain
/// than the budget entry is dropped. An amount written in the file of the budget entry,
/// or in a file extending it, stays, and validation reports it (money from one place).
fn drop_amounts_a_variant_budgets(root: &Node, files: &[Arc<Path>], scenario: &mut Scenario) {
    let Some(budget) = &scenario.budget else {
        return;
    };
    if files.is_empty() {
        return;
    }
    let depth = |p: &FieldPath| {
        let file = &root.locate(p, false).file;
        files.iter().position(|f| f == file).unwrap_or(0)
    };
    let budget_entry = |name: &str| {
        if budget.remainder.as_deref() == Some(name) {
            Some(FieldPath::from("budget").key("remainder"))
        } else if budget.shares.contains_key(name) {
            Some(FieldPath::from("budget").key("shares").key(name))
        } else {
            None
        }
    };
    let mut inherited = Vec::new();
    for (i, policy) in scenario.policies.iter().enumerate() {
        let Some(entry) = budget_entry(policy.name()) else {
            continue;
        };
        let amount = FieldPath::from("policies").index(i).key("amount_per_year");
        if policy.amount_per_year().is_some() && depth(&amount) > depth(&entry) {
            inherited.push(i);
        }
    }
    for i in inherited {
        scenario.policies[i].set_amount_per_year(None);
    }
}

/// Deserializes a merged tree and runs the semantic checks, mapping every problem to the
/// position of the value that caused it.
fn scenario_from_tree(root: &Node, files: &[Arc<Path>]) -> Result<Scenario, ScenarioError> {
    let mut diagnostics = Vec::new();
    let json = root.to_json(&mut FieldPath::root(), &mut diagnostics);
    if !diagnostics.is_empty() {
        return Err(ScenarioError::new(diagnostics));
    }
    let scenario = match serde_path_to_error::deserialize::<_, Scenario>(&json) {
        Ok(s) => s,
        Err(first) => {
            let mut diagnostics = section_diagnostics(root, &json);
            if diagnostics.is_empty() {
                diagnostics.push(serde_diagnostic(root, &FieldPath::root(), first));
            }
            return Err(ScenarioError::new(diagnostics));
        }
    };
    let mut scenario = scenario;
    drop_amounts_a_variant_budgets(root, files, &mut scenario);
    let unread = read_posterior_draws(root, &mut scenario);
    if !unread.is_empty() {
        return Err(ScenarioError::new(unread));
    }
    let mut problems = validate::problems(&scenario);
    problems
        .retain(|p| !(p.outside_horizon && inherited_across_moved_horizon(root, files, &p.path)));
    if problems.is_empty() {
        return Ok(scenario);
    }
    Err(ScenarioError::new(
        problems
            .into_iter()
            .map(|p| root.locate(&p.path, false).diagnostic(&p.path, p.message))
            .collect(),
    ))
}

/// Largest posterior file read (a million draws of a dozen parameters).
const MAX_POSTERIOR_BYTES: u64 = 512 << 20;

/// Fills the draws of every `posterior` entry that names a `file` and carries none: the
/// file is read relative to the scenario file that names it. Problems (unreadable file,
/// the path not in it) point at the `file` field.
fn read_posterior_draws(root: &Node, scenario: &mut Scenario) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut cache: Vec<(PathBuf, Result<crate::model::PosteriorDraws, String>)> = Vec::new();
    for (i, u) in scenario.uncertainty.iter_mut().enumerate() {
        if !u.is_posterior() || u.draws.is_some() {
            continue;
        }
        let Some(file) = u.file.clone() else { continue };
        let at = FieldPath::from("uncertainty").index(i).key("file");
        let span = root.locate(&at, false);
        let path = span
            .file
            .parent()
            .map_or_else(|| PathBuf::from(&file), |dir| dir.join(&file));
        if !cache.iter().any(|(p, _)| *p == path) {
            let read = read_posterior_file(&path);
            cache.push((path.clone(), read));
        }
        let Some((_, parsed)) = cache.iter().find(|(p, _)| *p == path) else {
            continue;
        };
        let message = match parsed {
            Ok(posterior) => match posterior.iter().find(|(p, _)| *p == u.path) {
                Some((_, draws)) => {
                    u.draws = Some(draws.clone());
                    continue;
                }
                None => format!(
                    "`{}` has no draws of {:?}; it holds {}",
                    path.display(),
                    u.path,
                    posterior
                        .iter()
                        .map(|(p, _)| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            Err(e) => format!("cannot read the posterior `{}`: {e}", path.display()),
        };
        problems.push(span.diagnostic(&at, message));
    }
    problems
}

fn read_posterior_file(path: &Path) -> Result<crate::model::PosteriorDraws, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_POSTERIOR_BYTES {
        return Err(format!("larger than {} MB", MAX_POSTERIOR_BYTES >> 20));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    crate::model::parse_posterior(&text)
}

/// Reads a scenario file and its `extends` chain into one merged document, without
/// deserializing it: what a JSON Schema validator or another tool should see.
pub fn resolved_document(path: impl AsRef<Path>) -> Result<serde_json::Value, ScenarioError> {
    let (root, _) = load_tree(path.as_ref())?;
    let mut diagnostics = Vec::new();
    let json = root.to_json(&mut FieldPath::root(), &mut diagnostics);
    if diagnostics.is_empty() {
        Ok(json)
    } else {
        Err(ScenarioError::new(diagnostics))
    }
}

/// One scenario file as a document, `extends` left unresolved: what an editor checks
/// against [`Scenario::json_schema`] (which treats a file with `extends` as partial).
pub fn file_document(path: impl AsRef<Path>) -> Result<serde_json::Value, ScenarioError> {
    let path = path.as_ref();
    let (text, format) = read_source(path, None)?;
    let file: Arc<Path> = Arc::from(path);
    let root = tree::parse(&text, format, &file).map_err(ScenarioError::single)?;
    let mut diagnostics = Vec::new();
    let json = root.to_json(&mut FieldPath::root(), &mut diagnostics);
    if diagnostics.is_empty() {
        Ok(json)
    } else {
        Err(ScenarioError::new(diagnostics))
    }
}

/// The merged tree of `path` and its `extends` chain, and the chain's files in reading order.
fn load_tree(path: &Path) -> Result<(Node, Vec<Arc<Path>>), ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut chain = Chain {
        open: vec![(canonical, path.to_path_buf())],
        read: Vec::new(),
    };
    let root = read_tree(path, None, &mut chain)?;
    Ok((root, chain.read))
}

impl Scenario {
    /// Loads a scenario file (format from its extension: `.toml`, `.yaml`/`.yml`, `.json`),
    /// resolves `extends`, and checks it. Every problem found is reported, each with file,
    /// line, column and field path. The returned scenario has `extends` = `None`: its
    /// base has been merged in.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let (root, files) = load_tree(path.as_ref())?;
        scenario_from_tree(&root, &files)
    }

    /// Parses and checks a scenario from text; `origin` names it in diagnostics. `extends`
    /// is not allowed here (there is no directory to find the base file in). Like
    /// [`Scenario::check`], it does not report dates outside the horizon, since such text
    /// is often a resolved variant written back out.
    pub fn from_str_as(
        text: &str,
        format: Format,
        origin: &str,
    ) -> Result<Scenario, ScenarioError> {
        let file: Arc<Path> = Arc::from(Path::new(origin));
        let mut root = tree::parse(text, format, &file).map_err(ScenarioError::single)?;
        resolve_extends(&mut root, None, &mut Chain::default())?;
        scenario_from_tree(&root, &[])
    }

    /// The bundled default scenario.
    pub fn baseline() -> Scenario {
        Scenario::from_str_as(BASELINE_TOML, Format::Toml, "scenarios/baseline.toml")
            .expect("the bundled baseline scenario is valid (checked by tests)")
    }

    /// The JSON Schema (draft 2020-12) of the scenario format, for editors to validate and
    /// complete scenario files, with the numeric ranges validation enforces. A file that
    /// `extends` another is checked as the partial scenario it is (nothing required);
    /// the merged result (see [`resolved_document`]) as a whole one.
    pub fn json_schema() -> serde_json::Value {
        crate::schema::scenario_schema()
    }

    /// Checks the semantic rules (shares sum to 1, references exist, dates inside the
    /// horizon, ranges, unique names, policy parameters per kind; see the crate docs) on a
    /// scenario built or changed in memory, e.g. after `--set` overrides. Diagnostics carry
    /// field paths but no file positions.
    ///
    /// Dates outside the horizon are not reported here: a scenario in memory has lost
    /// which file wrote each date, and moving the horizon (`--set scenario.end=…`, a
    /// resolved variant re-read) legitimately leaves base-timeline dates outside it; they
    /// never take effect. [`Scenario::load`] reports those a file writes itself.
    pub fn check(&self) -> Result<(), ScenarioError> {
        let mut problems = validate::problems(self);
        problems.retain(|p| !p.outside_horizon);
        if problems.is_empty() {
            return Ok(());
        }
        Err(ScenarioError::new(
            problems
                .into_iter()
                .map(|p| Diagnostic {
                    file: PathBuf::new(),
                    line: None,
                    column: None,
                    path: p.path.to_string(),
                    message: p.message,
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_fields_match_the_schema() {
        let schema = serde_json::to_value(schemars::schema_for!(Scenario)).unwrap();
        let props: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut expected = TOP_LEVEL_FIELDS.to_vec();
        expected.sort_unstable();
        let mut props = props;
        props.sort_unstable();
        assert_eq!(props, expected);
    }

    /// The baseline with `extra` appended (TOML), read from text.
    fn baseline_with(extra: &str) -> Result<Scenario, ScenarioError> {
        let text = format!("{BASELINE_TOML}\n{extra}");
        Scenario::from_str_as(&text, Format::Toml, "text.toml")
    }

    fn only_message(result: Result<Scenario, ScenarioError>) -> (String, usize, usize) {
        let e = result.expect_err("the scenario is refused");
        assert_eq!(e.diagnostics.len(), 1, "{e}");
        let d = &e.diagnostics[0];
        (
            format!("{}: {}", d.path, d.message),
            d.line.unwrap(),
            d.column.unwrap(),
        )
    }

    #[test]
    fn a_policy_takes_exactly_its_kinds_parameters() {
        let lines = BASELINE_TOML.lines().count();
        let n = Scenario::baseline().policies.len();
        let policy =
            |body: &str| format!("[[policies]]\nname = \"extra\"\nstart = \"2025-01\"\n{body}\n");
        let (m, line, column) = only_message(baseline_with(&policy(
            "kind = \"operations_budget\"\nlevel_per_year = 0.1",
        )));
        assert_eq!(
            m,
            format!(
                "policies[{n}].level_per_year: `level_per_year` does not apply to policies of kind `operations_budget`; remove it"
            )
        );
        assert_eq!((line, column), (lines + 6, 18));
        let (m, _, _) = only_message(baseline_with(&policy(
            "kind = \"governance_platform\"\ndistricts = [\"Old Town\"]",
        )));
        assert_eq!(
            m,
            format!(
                "policies[{n}].districts: policies of kind `governance_platform` cannot be narrowed by `districts`; remove it"
            )
        );
        let (m, _, _) = only_message(baseline_with(&policy(
            "kind = \"one_window\"\namount = 3e6",
        )));
        assert!(
            m.starts_with(&format!(
                "policies[{n}].amount: unknown field `amount`, expected one of"
            )),
            "{m}"
        );
        let (m, _, _) = only_message(baseline_with(&policy("amount_per_year = 3e6")));
        assert_eq!(
            m,
            format!("policies[{n}].kind: missing required field `kind`")
        );
        let (m, _, _) = only_message(baseline_with(&policy(
            "kind = \"digital_training\"\nliteracy_gain = \"a lot\"",
        )));
        assert!(
            m.starts_with(&format!(
                "policies[{n}].literacy_gain: found string \"a lot\", expected a number"
            )),
            "{m}"
        );
        // Training gains are 0 when absent.
        let s = baseline_with(&policy("kind = \"digital_training\"")).unwrap();
        let Some(Policy::DigitalTraining(t)) = s.policies.last() else {
            panic!("a training policy");
        };
        assert_eq!((t.literacy_gain, t.adoption_boost), (0.0, 0.0));
    }

    #[test]
    fn a_budget_and_an_amount_in_one_file_conflict() {
        let e = baseline_with(
            "[budget]\ntotal_per_year = 400e6\nremainder = \"ops\"\n[budget.shares]\ndigitization = 0.75",
        )
        .unwrap_err();
        // Both budgeted policies give an amount of their own.
        assert_eq!(e.diagnostics.len(), 2, "{e}");
        assert!(
            e.diagnostics[1]
                .message
                .contains("(the remainder, 0.25 of total_per_year)"),
            "{e}"
        );
        let d = &e.diagnostics[0];
        let (m, line, column) = (
            format!("{}: {}", d.path, d.message),
            d.line.unwrap(),
            d.column.unwrap(),
        );
        let i = Scenario::baseline()
            .policies
            .iter()
            .position(|p| p.name() == "digitization")
            .unwrap();
        assert!(
            m.starts_with(&format!("policies[{i}].amount_per_year: found 300000000, but `[budget]` gives `digitization` its money (a share of 0.75 of total_per_year)")),
            "{m}"
        );
        let at = BASELINE_TOML
            .lines()
            .position(|l| l == "amount_per_year = 300e6")
            .unwrap();
        assert_eq!((line, column), (at + 1, 19));
    }

    #[test]
    fn a_variants_budget_takes_over_the_amounts_of_its_base() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let split = Scenario::load(root.join("budget-split.toml")).unwrap();
        let base = Scenario::load(root.join("baseline.toml")).unwrap();
        for name in ["digitization", "ops", "senior-training"] {
            let i = split
                .policies
                .iter()
                .position(|p| p.name() == name)
                .unwrap();
            assert_eq!(split.policies[i].amount_per_year(), None, "{name}");
            // The shares are rounded to four decimals: within 0.5 % of the baseline.
            let (a, b) = (
                split.policy_amount_per_year(i),
                base.policy_amount_per_year(i),
            );
            assert!(
                (a / b - 1.0).abs() < 0.005,
                "{name}: the split reproduces the baseline ({a} vs {b})"
            );
        }
        assert!(split.check().is_ok());
        // Setting the amount of a budgeted policy in memory (a sweep) is refused.
        let mut swept = split.clone();
        let i = swept
            .policies
            .iter()
            .position(|p| p.name() == "ops")
            .unwrap();
        swept.policies[i].set_amount_per_year(Some(1e6));
        let e = swept.check().unwrap_err().to_string();
        assert!(e.contains("`[budget]` gives `ops` its money"), "{e}");
    }

    #[test]
    fn normalizes_parent_steps() {
        assert_eq!(
            normalize(Path::new("tests/x/../baseline.toml")),
            PathBuf::from("tests/baseline.toml")
        );
        assert_eq!(
            normalize(Path::new("../a.toml")),
            PathBuf::from("../a.toml")
        );
    }
}
