//! The bundled baseline loads and has the city it describes.

use civitas_scenario::Scenario;

#[test]
fn bundled_baseline_loads() {
    let s = Scenario::baseline();
    assert_eq!(s.scenario.name, "baseline");
    assert_eq!(s.population.districts.len(), 8);
    assert!((s.represented_population() - 5.0e6).abs() < 1.0);
}
