//! `civitas bench --json`: the measurements a user reads are all there, in range, and
//! the shares of tick time add up.

use std::process::Command;

#[test]
fn bench_reports_every_measurement_at_every_size() {
    let out = Command::new(env!("CARGO_BIN_EXE_civitas"))
        .args(["bench", "--agents", "3000,6000", "--threads", "2", "--json"])
        .output()
        .expect("the civitas binary starts");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    assert_eq!(report["threads"], 2);
    let sizes = report["sizes"].as_array().expect("sizes");
    assert_eq!(sizes.len(), 2);
    for (size, agents) in sizes.iter().zip([3000, 6000]) {
        assert_eq!(size["agents"], agents);
        assert_eq!(size["ticks"], 84, "the baseline runs 2024-01 to 2030-12");
        for key in [
            "resident_ticks_per_second_per_core",
            "seconds_one_core",
            "setup_seconds_one_core",
            "reference_ratio",
            "parallel_efficiency_one_replicate",
            "parallel_efficiency_replicates",
        ] {
            let v = size[key].as_f64().unwrap_or(f64::NAN);
            assert!(v.is_finite() && v > 0.0, "{key} = {v}");
        }
        let shares = size["shares"].as_array().expect("shares");
        let names: Vec<&str> = shares.iter().filter_map(|p| p[0].as_str()).collect();
        for mechanism in [
            "policies",
            "residents/adoption",
            "residents/requests",
            "indicators",
        ] {
            assert!(
                names.contains(&mechanism),
                "{mechanism} missing from {names:?}"
            );
        }
        let total: f64 = shares.iter().filter_map(|p| p[1].as_f64()).sum();
        assert!((total - 1.0).abs() < 1e-9, "shares sum to {total}");
        let indicators = size["indicator_share"].as_f64().expect("indicator share");
        assert!((0.0..=1.0).contains(&indicators));
        let fused = size["indicator_share_fused"]
            .as_f64()
            .expect("indicator share in the fused pass");
        assert!((0.0..=1.0).contains(&fused), "{fused}");
    }
}

#[test]
fn bench_refuses_a_zero_size() {
    let out = Command::new(env!("CARGO_BIN_EXE_civitas"))
        .args(["bench", "--agents", "0"])
        .output()
        .expect("the civitas binary starts");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--agents"));
}
