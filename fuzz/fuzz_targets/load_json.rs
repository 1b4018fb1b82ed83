//! Any bytes read as a json scenario give a scenario or diagnostics, never a panic, and a
//! scenario that loads writes back out to one that loads the same.
#![no_main]

use civitas_scenario::{Format, Scenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Scenario::from_str_as(text, Format::Json, "fuzz.json") {
        Ok(s) => {
            let written = toml::to_string(&s).expect("a loaded scenario serializes");
            let back = Scenario::from_str_as(&written, Format::Toml, "written.toml")
                .expect("a written scenario loads");
            assert_eq!(back, s);
        }
        Err(e) => {
            assert!(!e.diagnostics.is_empty());
            let _ = e.render();
        }
    }
});
