//! Any text read as a `tolerances.toml` gives tolerances or an error, never a panic; every
//! tolerance that reads is a finite number ≥ 0, and an error quotes no line of the file.
#![no_main]

use std::path::Path;

use civitas_check::Tolerances;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Tolerances::parse(text, Path::new("tolerances.toml")) {
        Ok(t) => {
            for v in [t.z, t.relative_floor, t.probability_floor]
                .into_iter()
                .chain(t.floors.values().copied())
            {
                assert!(v.is_finite() && v >= 0.0);
            }
        }
        Err(e) => assert!(e.to_string().len() < 600, "{e}"),
    }
});
