//! Properties of the loader over generated input (issue 15): any bytes give a scenario or
//! a diagnostic, never a panic; a loaded scenario written back out loads to itself.
//! The same entry points are fuzzed at length under `fuzz/`.

use civitas_scenario::{Format, Scenario};
use proptest::prelude::*;

const FORMATS: [Format; 3] = [Format::Toml, Format::Yaml, Format::Json];

/// Bytes that look a little like scenario files, so that generated input gets past the
/// first character of the parsers.
fn scenario_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[scenario]\n".to_string()),
        Just("name = \"x\"\n".to_string()),
        Just("[population]\nagents = ".to_string()),
        Just("{\"scenario\": {".to_string()),
        Just("a: &a [*a, 1]\n".to_string()),
        Just("b: &b [1, 2]\nc: [*b, *b, *b]\n".to_string()),
        Just("- ".to_string()),
        Just("extends = \"x.toml\"\n".to_string()),
        "[ -~\n]{0,12}",
        any::<u8>().prop_map(|b| char::from(b).to_string()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_gives_a_scenario_or_a_diagnostic(text in scenario_like(), format in 0..3usize) {
        match Scenario::from_str_as(&text, FORMATS[format], "input") {
            Ok(s) => prop_assert!(s.check().is_ok()),
            Err(e) => {
                prop_assert!(!e.diagnostics.is_empty());
                prop_assert!(e.diagnostics.iter().all(|d| !d.message.is_empty()));
            }
        }
    }

    #[test]
    fn any_bytes_give_a_scenario_or_a_diagnostic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        for format in FORMATS {
            let _ = Scenario::from_str_as(&text, format, "input");
        }
    }

    #[test]
    fn load_write_load_is_identity(
        seed in 0..=civitas_scenario::MAX_SEED,
        agents in 1u64..2_000_000,
        replicates in 1u32..1000,
        amount in 0.0f64..1e15,
        share in 0.0f64..1.0,
    ) {
        let mut s = Scenario::baseline();
        s.scenario.seed = seed;
        s.set_agents(agents);
        s.scenario.replicates = replicates;
        s.policies[0].set_amount_per_year(Some(amount));
        s.population.districts[0].iot_coverage = share;
        prop_assume!(s.check().is_ok());
        let toml = toml::to_string(&s).unwrap();
        let back = Scenario::from_str_as(&toml, Format::Toml, "written.toml").unwrap();
        prop_assert_eq!(&back, &s);
        let json = serde_json::to_string(&s).unwrap();
        let back = Scenario::from_str_as(&json, Format::Json, "written.json").unwrap();
        prop_assert_eq!(&back, &s);
    }
}
