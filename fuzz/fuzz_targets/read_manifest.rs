//! Any text read as a result's `manifest.json` gives a manifest or an error, never a
//! panic; a manifest that reads has counts within what Civitas writes (one seed per
//! replicate, at most the replicate limit), so nothing it sizes can exhaust memory.
#![no_main]

use std::path::Path;

use civitas_scenario::limits::MAX_REPLICATES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match civitas_results::parse_manifest(text, Path::new("manifest.json")) {
        Ok(m) => {
            assert!((1..=MAX_REPLICATES).contains(&m.run.replicates));
            assert_eq!(m.run.run_seeds.len(), m.run.replicates as usize);
        }
        Err(e) => assert!(e.to_string().len() < 600, "{e}"),
    }
});
