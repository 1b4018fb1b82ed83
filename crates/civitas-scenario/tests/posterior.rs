//! `[[uncertainty]]` entries drawn from a calibration's posterior: the draws are read from
//! the `posterior.csv` beside the scenario file, carried by the resolved scenario, and
//! every mistake points at the entry.

use civitas_scenario::{BASELINE_TOML, Format, Scenario, parse_posterior};

const POSTERIOR: &str = "draw,path,value\n\
    0,population.bands.senior.bass_q,0.31\n\
    0,population.bands.middle.bass_q,0.52\n\
    1,population.bands.senior.bass_q,0.35\n\
    1,population.bands.middle.bass_q,0.48\n\
    2,population.bands.senior.bass_q,0.33\n\
    2,population.bands.middle.bass_q,0.55\n";

fn entry(path: &str, file: &str, min: f64, max: f64) -> String {
    format!(
        "\n[[uncertainty]]\npath = {path:?}\ndistribution = \"posterior\"\nfile = {file:?}\n\
         min = {min}\nmax = {max}\nsource = \"history fit\"\n"
    )
}

/// The baseline without its priors plus `extra`, written to `dir/scenario.toml`.
fn write_scenario(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let base = BASELINE_TOML
        .split("\n[[uncertainty]]")
        .next()
        .unwrap()
        .to_string();
    let text = format!("{base}\n[outputs]\nhtml = false\n{extra}");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn posterior_draws_are_read_beside_the_scenario_and_survive_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fit")).unwrap();
    std::fs::write(dir.path().join("fit/posterior.csv"), POSTERIOR).unwrap();
    let extra = entry(
        "population.bands.senior.bass_q",
        "fit/posterior.csv",
        0.3,
        0.4,
    ) + &entry(
        "population.bands.middle.bass_q",
        "fit/posterior.csv",
        0.4,
        0.6,
    );
    let s = Scenario::load(write_scenario(dir.path(), &extra)).unwrap();
    let senior = s
        .uncertainty
        .iter()
        .find(|u| u.path.contains("senior"))
        .unwrap();
    assert_eq!(senior.draws.as_deref(), Some(&[0.31, 0.35, 0.33][..]));
    // The resolved scenario carries the draws: read back without the file.
    let text = toml::to_string(&s).unwrap();
    let back = Scenario::from_str_as(&text, Format::Toml, "/nowhere/scenario.toml").unwrap();
    assert_eq!(back, s);
}

#[test]
fn posterior_mistakes_point_at_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("posterior.csv"), POSTERIOR).unwrap();
    let missing = entry("population.bands.young.bass_q", "posterior.csv", 0.0, 1.0);
    let e = Scenario::load(write_scenario(dir.path(), &missing)).unwrap_err();
    let d = &e.diagnostics[0];
    assert_eq!(d.path, "uncertainty[0].file");
    assert!(
        d.message
            .contains("no draws of \"population.bands.young.bass_q\""),
        "{}",
        d.message
    );
    assert!(d.line.is_some());
    let absent = entry("population.bands.young.bass_q", "nothing.csv", 0.0, 1.0);
    let e = Scenario::load(write_scenario(dir.path(), &absent)).unwrap_err();
    assert!(
        e.diagnostics[0]
            .message
            .contains("cannot read the posterior"),
        "{e}"
    );
    let narrow = entry("population.bands.senior.bass_q", "posterior.csv", 0.3, 0.32);
    let e = Scenario::load(write_scenario(dir.path(), &narrow)).unwrap_err();
    assert_eq!(e.diagnostics[0].path, "uncertainty[0].draws");
    assert!(
        e.diagnostics[0].message.contains("found the draw 0.35"),
        "{e}"
    );
}

#[test]
fn a_posterior_file_is_read_strictly() {
    assert_eq!(parse_posterior(POSTERIOR).unwrap().len(), 2);
    for (text, expected) in [
        ("path,value\n", "line 1"),
        (
            "draw,path,value\n0,a,x\n",
            "line 2: the value is not a finite number",
        ),
        (
            "draw,path,value\n1,a,0.5\n",
            "line 2: draw 1 of a: expected draw 0",
        ),
        ("draw,path,value\n", "no draws"),
    ] {
        let e = parse_posterior(text).unwrap_err();
        assert!(e.contains(expected), "{text:?}: {e}");
    }
}
