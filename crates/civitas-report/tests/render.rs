//! Renders every plot kind from a small real run (and a synthetic sweep) and checks the
//! files are valid PNG and SVG carrying the expected titles and target labels.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use civitas_report::plots::marker_label;
use civitas_report::{Report, ReportFiles, compare_figures, run_figures};
use civitas_results::{BatchResult, ScopeKey};
use civitas_scenario::{Band, Indicator, PlotFormat};

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("report-render")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Width and height of a PNG, after checking it decodes and is not blank.
fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame decodes");
    let pixels = &buf[..info.buffer_size()];
    assert!(
        pixels.iter().any(|&b| b < 200),
        "{} is blank",
        path.display()
    );
    (info.width, info.height)
}

/// Every text run of an SVG, after checking it parses as XML with an `svg` root.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

fn svg_dims(path: &Path) -> (u32, u32) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    let n = |a| {
        root.attribute(a)
            .and_then(|v: &str| v.parse().ok())
            .expect("svg has width and height")
    };
    (n("width"), n("height"))
}

fn plot(files: &ReportFiles, name: &str) -> PathBuf {
    files
        .plots
        .iter()
        .find(|p| p.file_name().is_some_and(|f| f == name))
        .unwrap_or_else(|| panic!("{name} not among {:?}", files.plots))
        .clone()
}

fn stems(files: &ReportFiles) -> BTreeSet<String> {
    files
        .plots
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_plot_kind_renders_as_png_and_svg_with_titles_and_target_labels() {
    let result = common::synthetic_sweep(&common::baseline_result());
    let dir = out_dir("run");
    let files = Report::write(&result, &dir).expect("report writes");
    let figures = run_figures(&result);
    assert_eq!(
        files.plots.len(),
        2 * figures.len(),
        "a PNG and an SVG per figure"
    );

    // Every figure: valid PNG and SVG of the same size, titled.
    for figure in &figures {
        let png = plot(&files, &format!("{}.png", figure.stem));
        let svg = plot(&files, &format!("{}.svg", figure.stem));
        assert_eq!(png_size(&png), figure.size_px(), "{}", figure.stem);
        assert_eq!(svg_dims(&svg), figure.size_px(), "{}", figure.stem);
        assert!(!svg_texts(&svg).is_empty(), "{} has no text", figure.stem);
    }

    // The kinds: scorecard, one per indicator, breakdowns, sweeps.
    let stems = stems(&files);
    assert!(stems.contains("scorecard"));
    for &i in Indicator::ALL {
        assert!(stems.contains(i.name()), "missing {}", i.name());
    }
    assert!(stems.contains("adoption_rate_by_band"));
    assert!(stems.contains("adoption_rate_by_district"));
    assert!(stems.iter().any(|s| s.starts_with("sweep_")), "{stems:?}");

    // Indicator plot: title, axis titles with units, and a label per target marker.
    let texts = svg_texts(&plot(&files, "adoption_rate.svg"));
    assert!(texts.contains(&"Online adoption".to_string()), "{texts:?}");
    assert!(texts.contains(&"share (%)".to_string()));
    assert!(texts.contains(&"year".to_string()));
    let currency = &result.scenario.scenario.currency;
    let adoption_city: Vec<_> = result
        .targets
        .iter()
        .filter(|t| t.indicator == Indicator::AdoptionRate && t.scope == ScopeKey::City)
        .collect();
    assert!(!adoption_city.is_empty());
    for t in adoption_city {
        let label = marker_label(t, currency, true);
        assert!(label.contains(", p="), "verdict and probability in {label}");
        assert!(texts.contains(&label), "{label} not in {texts:?}");
    }

    // An indicator the run did not produce says so instead of failing.
    let texts = svg_texts(&plot(&files, "mean_resolution_days.svg"));
    if result
        .series(Indicator::MeanResolutionDays, &ScopeKey::City)
        .is_some_and(|s| s.mean.iter().all(|v| v.is_nan()))
    {
        assert!(texts.iter().any(|t| t.starts_with("no data")), "{texts:?}");
    }
    assert!(texts.contains(&"days".to_string()), "{texts:?}");

    // Breakdowns: one titled panel per band and per district.
    let texts = svg_texts(&plot(&files, "adoption_rate_by_band.svg"));
    assert!(texts.contains(&"Online adoption by band".to_string()));
    for band in ["aged 15–34", "aged 35–59", "aged 60+"] {
        assert!(
            texts.contains(&band.to_string()),
            "{band} panel missing: {texts:?}"
        );
    }
    let senior = result
        .targets
        .iter()
        .find(|t| t.scope == ScopeKey::Band(Band::Senior))
        .expect("senior target");
    assert!(texts.contains(&marker_label(senior, currency, false)));
    let texts = svg_texts(&plot(&files, "adoption_rate_by_district.svg"));
    for d in &result.scenario.population.districts {
        assert!(
            texts.iter().any(|t| t.starts_with(&d.name)),
            "{} panel missing",
            d.name
        );
    }
    assert!(texts.iter().any(|t| t.ends_with("(rural)")));

    // Scorecard: a row per target with its probability.
    let texts = svg_texts(&plot(&files, "scorecard.svg"));
    assert!(texts.contains(&"Target scorecard".to_string()));
    assert!(texts.contains(&"baseline".to_string()));
    let header = texts
        .iter()
        .position(|t| t.starts_with("target ("))
        .expect("header row");
    let cells = texts[header..]
        .iter()
        .filter(|t| t.starts_with("p=") || *t == "no data")
        .count();
    assert_eq!(cells, result.targets.len(), "{texts:?}");

    // Sweep: the lever where probability met first reaches 0.9 is marked, and a target
    // that is never reached says so.
    let sweep_svgs: Vec<_> = files
        .plots
        .iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "svg")
                && p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("sweep_")
        })
        .collect();
    assert_eq!(sweep_svgs.len(), 2);
    let all: Vec<Vec<String>> = sweep_svgs.iter().map(|p| svg_texts(p)).collect();
    assert!(
        all.iter()
            .any(|t| t.contains(&"p ≥ 0.9 from bass_p = 0.6".to_string())),
        "{all:?}"
    );
    assert!(
        all.iter().any(
            |t| t.contains(&"probability met stays below 0.9 over the swept range".to_string())
        )
    );
    // The lever's axis names its owner and field, not its path.
    assert!(
        all.iter()
            .all(|t| t.contains(&"senior: bass p".to_string())),
        "{all:?}"
    );
}

#[test]
fn comparison_draws_every_run_and_the_probability_chart() {
    let runs: Vec<BatchResult> = vec![common::baseline_result(), common::faster_seniors_result()];
    let dir = out_dir("compare");
    let files = Report::compare(&runs, &dir).expect("comparison writes");
    let figures = compare_figures(&runs);
    assert_eq!(files.plots.len(), 2 * figures.len());
    for figure in &figures {
        assert_eq!(
            png_size(&plot(&files, &format!("{}.png", figure.stem))),
            figure.size_px()
        );
    }
    let texts = svg_texts(&plot(&files, "compare_adoption_rate.svg"));
    assert!(
        texts.contains(&"Online adoption: baseline vs senior-push".to_string()),
        "{texts:?}"
    );
    assert!(texts.contains(&"baseline (mean)".to_string()));
    assert!(texts.contains(&"senior-push (mean)".to_string()));
    assert!(texts.contains(&"2030 ≥ 85%".to_string()), "{texts:?}");

    let texts = svg_texts(&plot(&files, "probability_met.svg"));
    assert!(texts.contains(&"probability met".to_string()));
    let senior = "Online adoption ≥ 55% (2030, aged 60+)".to_string();
    assert!(texts.contains(&senior), "{texts:?}");
    let p = |run: &BatchResult| {
        let t = run
            .targets
            .iter()
            .find(|t| t.scope == ScopeKey::Band(Band::Senior))
            .unwrap();
        format!("{:.2}", t.probability_met)
    };
    assert!(texts.contains(&p(&runs[0])) && texts.contains(&p(&runs[1])));

    let texts = svg_texts(&plot(&files, "scorecard.svg"));
    assert!(texts.contains(&"senior-push".to_string()));
    let html = std::fs::read_to_string(files.html.expect("comparison page")).unwrap();
    assert!(html.contains("baseline vs senior-push"));
    assert_eq!(
        html.matches("<tr class=\"target-row\"").count(),
        runs[0].targets.len()
    );
}

#[test]
fn same_result_gives_byte_identical_files() {
    let result = common::baseline_result();
    let a = Report::write(&result, &out_dir("same-a")).unwrap();
    let b = Report::write(&result, &out_dir("same-b")).unwrap();
    assert_eq!(a.plots.len(), b.plots.len());
    for (x, y) in a.plots.iter().zip(&b.plots) {
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{} differs",
            x.display()
        );
    }
    let (x, y) = (a.html.unwrap(), b.html.unwrap());
    assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
}

#[test]
fn outputs_table_chooses_plots_formats_and_page() {
    let mut result = common::baseline_result();
    result.scenario.outputs.plots = vec![Indicator::AdoptionRate, Indicator::Satisfaction];
    result.scenario.outputs.formats = vec![PlotFormat::Svg];
    result.scenario.outputs.html = false;
    let files = Report::write(&result, &out_dir("outputs")).unwrap();
    assert!(files.html.is_none());
    assert!(
        files
            .plots
            .iter()
            .all(|p| p.extension().is_some_and(|e| e == "svg"))
    );
    let stems = stems(&files);
    assert!(stems.contains("adoption_rate") && stems.contains("satisfaction"));
    assert!(!stems.contains("online_service_rate"));
    assert!(!stems.iter().any(|s| s.starts_with("online_service_rate")));
}

#[test]
fn page_is_self_contained_with_scorecard_at_risk_list_and_every_plot() {
    let result = common::baseline_result();
    let files = Report::write(&result, &out_dir("page")).unwrap();
    let html = std::fs::read_to_string(files.html.as_ref().unwrap()).unwrap();
    // No network: no external scripts, styles, images or fonts.
    for needle in [
        "<script src",
        "<link",
        "<img",
        "url(",
        "@import",
        "https://",
    ] {
        assert!(!html.contains(needle), "page references {needle}");
    }
    assert!(html.contains(&result.scenario.scenario.description));
    assert_eq!(
        html.matches("<tr class=\"target-row\"").count(),
        result.targets.len()
    );
    // Every figure but the scorecard's picture: the table is the scorecard, once.
    let figures = run_figures(&result);
    for figure in figures.iter().filter(|f| f.stem != "scorecard") {
        assert!(
            html.contains(&format!("id=\"fig-{}\"", figure.stem)),
            "{} not inlined",
            figure.stem
        );
    }
    assert!(
        !html.contains("id=\"fig-scorecard\""),
        "the scorecard twice"
    );
    assert_eq!(html.matches("<table class=\"scorecard\"").count(), 1);
    assert_eq!(html.matches("<svg").count(), figures.len() - 1);
    // At a glance first, then the scorecard, then sections of figures that fold, the
    // breakdowns folded.
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("no {needle}"));
    assert!(at("id=\"at-a-glance\"") < at("id=\"targets\""));
    assert!(at("id=\"targets\"") < at("id=\"indicators\""));
    assert!(html.contains("<section id=\"indicators\">\n<details class=\"fold\" open>"));
    assert!(html.contains("<section id=\"by-band\">\n<details class=\"fold\">"));
    assert!(html.contains("<section id=\"by-district\">\n<details class=\"fold\">"));
    for fact in [
        &result.manifest.scenario_hash,
        &result.manifest.seed.to_string(),
    ] {
        assert!(html.contains(fact.as_str()));
    }
    // The at-a-glance list names each target that is not met, under its year.
    assert!(html.contains("2027 targets") && html.contains("2030 targets"));
    let not_met = result
        .targets
        .iter()
        .filter(|t| !(t.mean.is_finite() && t.status == civitas_results::TargetStatus::Met))
        .count();
    let glance =
        &html[html.find("id=\"at-a-glance\"").unwrap()..html.find("id=\"targets\"").unwrap()];
    assert_eq!(glance.matches("<li>").count(), not_met);
}

#[test]
fn empty_comparison_is_an_error_not_a_panic() {
    assert!(Report::compare(&[], &out_dir("empty")).is_err());
}

#[test]
fn every_unit_and_status_renders_when_all_indicators_have_values() {
    let result = common::populated(&common::baseline_result());
    let files = Report::write(&result, &out_dir("populated")).unwrap();
    let currency = &result.scenario.scenario.currency;
    for &indicator in Indicator::ALL {
        let texts = svg_texts(&plot(&files, &format!("{}.svg", indicator.name())));
        assert!(texts.contains(&indicator.meta().title.to_string()));
        assert!(
            !texts.iter().any(|t| t.starts_with("no data")),
            "{}: {texts:?}",
            indicator.name()
        );
        for t in result
            .targets
            .iter()
            .filter(|t| t.indicator == indicator && t.scope == ScopeKey::City)
        {
            assert!(
                texts.contains(&marker_label(t, currency, true)),
                "{}",
                t.label
            );
        }
    }
    let statuses: BTreeSet<_> = result.targets.iter().map(|t| t.status.label()).collect();
    assert!(
        statuses.len() >= 2,
        "fixture should mix statuses: {statuses:?}"
    );
    let html = std::fs::read_to_string(files.html.as_ref().unwrap()).unwrap();
    for t in result
        .targets
        .iter()
        .filter(|t| t.status != civitas_results::TargetStatus::Met)
    {
        let title = civitas_report::format::target_title(&result.scenario, t);
        let glance = &html[..html.find("id=\"targets\"").unwrap()];
        assert!(
            glance.contains(&title.replace('&', "&amp;").replace('\'', "&#39;")),
            "{title} not in the at-a-glance list"
        );
    }
}

#[test]
fn sweep_without_series_draws_only_sweep_plots_and_summarises_them() {
    let mut result = common::synthetic_sweep(&common::baseline_result());
    result.series.clear();
    result.targets.clear();
    let files = Report::write(&result, &out_dir("sweep-only")).unwrap();
    assert!(
        stems(&files).iter().all(|s| s.starts_with("sweep_")),
        "{:?}",
        stems(&files)
    );
    let html = std::fs::read_to_string(files.html.as_ref().unwrap()).unwrap();
    let summary = &html[html.find("id=\"sweep-summary\"").expect("sweep summary")..];
    assert!(summary.contains("<td class=\"num\">0.6</td>"));
    assert!(summary.contains("not reached"));
    // A sweep's targets live per point: no empty scorecard, no "declares no targets", and
    // the lever by name, not path.
    assert!(
        !html.contains("<table class=\"scorecard\""),
        "an empty scorecard"
    );
    assert!(!html.contains("declares no targets"));
    assert!(
        html.contains("A sweep of 6 points over senior: bass p"),
        "{html}"
    );
    assert!(!html.contains("href=\"#targets\""));
}

#[test]
fn sweep_over_two_levers_draws_each_lever() {
    let mut result = common::synthetic_sweep(&common::baseline_result());
    let sweep = result.sweep.as_mut().unwrap();
    sweep
        .levers
        .push("policies[name=ops].amount_per_year".to_string());
    for (i, p) in sweep.points.iter_mut().enumerate() {
        p.lever_values.push(1e7 * (i % 3) as f64);
    }
    let files = Report::write(&result, &out_dir("sweep-two")).unwrap();
    let sweeps: Vec<_> = stems(&files)
        .into_iter()
        .filter(|s| s.starts_with("sweep_") && !s.starts_with("sweep_map_"))
        .collect();
    assert_eq!(sweeps.len(), 4, "two targets × two levers: {sweeps:?}");
    let texts = svg_texts(&plot(
        &files,
        &format!(
            "{}.svg",
            sweeps
                .iter()
                .find(|s| s.ends_with("amount-per-year"))
                .unwrap()
        ),
    ));
    // The lever is named by its policy and unit, not by its path.
    let currency = result.scenario.scenario.currency.clone();
    let ops = format!("ops: money per year ({currency})");
    assert!(texts.contains(&ops), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.ends_with("(other levers vary too)."))
    );

    // Over both levers at once: a map of the mean and one of the probability met per
    // target, each point marked with its value, both levers named on the axes.
    let maps: Vec<_> = stems(&files)
        .into_iter()
        .filter(|s| s.starts_with("sweep_map_"))
        .collect();
    assert_eq!(
        maps.len(),
        4,
        "two targets × mean and probability: {maps:?}"
    );
    let probability = maps
        .iter()
        .find(|s| s.ends_with("_probability") && !s.contains("out-of-reach"))
        .unwrap();
    let texts = svg_texts(&plot(&files, &format!("{probability}.svg")));
    assert!(texts.contains(&ops), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.ends_with(": probability met")),
        "{texts:?}"
    );
    for p in ["0.00", "0.05", "0.40", "0.92"] {
        assert!(texts.contains(&p.to_string()), "{p} not in {texts:?}");
    }
    assert!(
        texts.iter().filter(|t| *t == "1.00").count() >= 2,
        "{texts:?}"
    );
}

#[test]
fn a_grid_map_labels_no_tick_outside_the_swept_values() {
    // 2 × 3 points: a grid, whose cells reach half a step beyond the swept values.
    let mut result = common::synthetic_sweep(&common::baseline_result());
    let sweep = result.sweep.as_mut().unwrap();
    sweep
        .levers
        .push("population.bands.senior.bass_q".to_string());
    for (i, p) in sweep.points.iter_mut().enumerate() {
        p.lever_values = vec![[0.3, 0.7][i / 3], [0.0, 0.1, 0.2][i % 3]];
    }
    let files = Report::write(&result, &out_dir("sweep-grid")).unwrap();
    let map = stems(&files)
        .into_iter()
        .find(|s| {
            s.starts_with("sweep_map_") && s.ends_with("_mean") && !s.contains("out-of-reach")
        })
        .unwrap();
    let texts = svg_texts(&plot(&files, &format!("{map}.svg")));
    let number = |t: &String| t.parse::<f64>().ok();
    let ticks: Vec<f64> = texts.iter().filter_map(number).collect();
    assert!(ticks.contains(&0.1) && ticks.contains(&0.7), "{texts:?}");
    // Never a value the sweep could not have: a bass q of -0.05, a lever beyond 0.7.
    assert!(
        ticks.iter().all(|t| (0.0..=0.7 + 1e-9).contains(t)),
        "{texts:?}"
    );
}

#[test]
fn a_sweep_over_one_lever_draws_no_map() {
    let result = common::synthetic_sweep(&common::baseline_result());
    let files = Report::write(&result, &out_dir("sweep-one")).unwrap();
    assert!(!stems(&files).iter().any(|s| s.starts_with("sweep_map_")));
}

#[test]
fn scenario_without_targets_still_reports() {
    let mut result = common::baseline_result();
    result.scenario.targets.clear();
    result.targets.clear();
    let files = Report::write(&result, &out_dir("no-targets")).unwrap();
    assert!(!stems(&files).contains("scorecard"));
    let html = std::fs::read_to_string(files.html.as_ref().unwrap()).unwrap();
    assert!(html.contains("The scenario declares no targets."));
    let texts = svg_texts(&plot(&files, "adoption_rate.svg"));
    assert!(!texts.iter().any(|t| t.contains(", p=")));
}

/// The mean of `indicator` in `scope` over the run's last year (its last 12 monthly ticks).
fn last_mean(result: &BatchResult, indicator: Indicator, scope: &ScopeKey) -> f64 {
    let s = result.series(indicator, scope).expect("a series");
    assert_eq!(result.dates[result.dates.len() - 12].month, 1);
    s.mean[s.mean.len() - 12..].iter().sum::<f64>() / 12.0
}

#[test]
fn many_districts_draw_the_lowest_highest_and_targeted_in_a_bounded_figure() {
    use civitas_report::plots::breakdown::{self, BreakdownBy, MAX_DISTRICT_PANELS};
    let mut scenario = common::small_baseline();
    // Rows of commute times fit the baseline's eight districts only.
    for d in &mut scenario.population.districts {
        d.commute_minutes = None;
    }
    let first = scenario.population.districts[0].clone();
    for k in 0..52 {
        let mut d = first.clone();
        d.name = format!("Extra {k}");
        scenario.population.districts.push(d);
    }
    let n = scenario.population.districts.len();
    let indicator = Indicator::AdoptionRate;
    let unfiltered = common::run(&scenario);
    // A target on the district nearest the median must keep its panel.
    let mut ranked: Vec<(f64, String)> = scenario
        .population
        .districts
        .iter()
        .map(|d| {
            let scope = ScopeKey::District(d.name.clone());
            (last_mean(&unfiltered, indicator, &scope), d.name.clone())
        })
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let middle = ranked[n / 2].1.clone();
    let mut target = scenario.targets[0].clone();
    target.indicator = indicator;
    target.district = Some(middle.clone());
    target.band = None;
    scenario.targets.push(target);
    let result = common::run(&scenario);

    let panels = breakdown::panels(&result, indicator, BreakdownBy::District);
    assert_eq!((panels.scopes.len(), panels.of), (MAX_DISTRICT_PANELS, n));
    assert!(panels.targeted);
    let shown: Vec<f64> = panels
        .scopes
        .iter()
        .map(|s| last_mean(&result, indicator, s))
        .collect();
    assert!(
        shown.windows(2).all(|w| w[0] <= w[1]),
        "lowest to highest: {shown:?}"
    );
    let names: Vec<String> = panels.scopes.iter().map(|s| s.to_string()).collect();
    let district = |name: &str| format!("district:{name}");
    assert!(names.contains(&district(&middle)), "{names:?}");
    // The rest are the extremes: the 12 lowest and 11 highest besides the targeted one.
    for (_, name) in ranked[..12].iter().chain(&ranked[n - 11..]) {
        assert!(
            names.contains(&district(name)),
            "{name} not among {names:?}"
        );
    }
    // Bands are never selected, nor are a few districts.
    let bands = breakdown::panels(&result, indicator, BreakdownBy::Band);
    assert!(!bands.selected());
    assert!(
        !breakdown::panels(&common::baseline_result(), indicator, BreakdownBy::District).selected()
    );

    // The figure: six rows of four panels, the selection said in its subtitle and caption.
    let dir = out_dir("many-districts");
    let files = Report::write(&result, &dir).expect("report writes");
    let svg = plot(&files, "adoption_rate_by_district.svg");
    let (_, height) = svg_dims(&svg);
    assert!(height < 2_400, "figure of {height} px");
    let texts = svg_texts(&svg).join(" ");
    assert!(
        texts.contains(&format!("24 of the {n} districts")),
        "{texts}"
    );
    let figure = run_figures(&result)
        .into_iter()
        .find(|f| f.stem == "adoption_rate_by_district")
        .expect("the figure");
    assert!(
        figure.caption.contains("every district is in summary.csv"),
        "{}",
        figure.caption
    );
}

#[test]
fn breakdowns_of_totals_show_parts_that_add_up_never_a_whole_city_mean() {
    let result = common::baseline_result();
    let dir = out_dir("totals");
    let files = Report::write(&result, &dir).expect("report writes");
    let texts = |stem: &str| svg_texts(&plot(&files, &format!("{stem}.svg"))).join("\n");
    for stem in [
        "residents_by_band",
        "residents_by_district",
        "spend_operation_by_district",
        "spend_construction_by_district",
    ] {
        let Some(_) = files.plots.iter().find(|p| {
            p.file_name()
                .is_some_and(|f| f == format!("{stem}.svg").as_str())
        }) else {
            continue;
        };
        let text = texts(stem);
        assert!(!text.contains("whole-city mean"), "{stem}: {text}");
        assert!(text.contains("add up to the city total"), "{stem}: {text}");
    }
    assert!(
        files
            .plots
            .iter()
            .any(|p| p.file_name().is_some_and(|f| f == "residents_by_band.svg")),
        "no breakdown of a total was drawn"
    );
    // A share keeps its whole-city line: there the city is a level to compare with.
    assert!(texts("adoption_rate_by_band").contains("whole-city mean"));
}

#[test]
fn the_economy_breaks_down_by_sector_and_size_band_and_residents_indicators_do_not() {
    let result = common::baseline_result();
    let dir = out_dir("firms");
    let files = Report::write(&result, &dir).expect("report writes");
    let has = |name: &str| {
        files
            .plots
            .iter()
            .any(|p| p.file_name().is_some_and(|f| f == name))
    };
    let economy = result.scenario.economy.as_ref().expect("an economy");
    for stem in [
        "enterprise_maturity_by_sector",
        "enterprise_maturity_by_size",
        "cloud_rate_by_sector",
        "numerical_control_rate_by_size",
        "firm_errands_by_sector",
    ] {
        assert!(has(&format!("{stem}.svg")), "{stem}");
    }
    // Residents have no sector: their indicators are not broken down by firms' groups.
    assert!(!has("adoption_rate_by_sector.svg") && !has("adoption_rate_by_size.svg"));
    let texts = svg_texts(&plot(&files, "enterprise_maturity_by_sector.svg")).join("\n");
    for sector in &economy.sectors {
        assert!(texts.contains(&sector.name), "{}: {texts}", sector.name);
    }
    assert!(texts.contains("whole-city mean"), "{texts}");
    // A total's parts add up to the city's.
    let texts = svg_texts(&plot(&files, "firm_errands_by_size.svg")).join("\n");
    assert!(texts.contains("add up to the city total"), "{texts}");
    let html =
        std::fs::read_to_string(files.html.as_ref().expect("the page written")).expect("the page");
    assert!(
        html.contains("Firms by sector") && html.contains("Firms by size band"),
        "the page has the two sections"
    );
}
