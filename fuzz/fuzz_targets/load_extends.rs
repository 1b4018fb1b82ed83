//! A variant file that `extends` a valid base: the input is the variant (as TOML, YAML or
//! JSON by its first byte), loaded from disk next to the base, so `extends` resolution,
//! merging and positions across files are exercised. Never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use civitas_scenario::{BASELINE_TOML, Scenario};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("civitas-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("baseline.toml"), BASELINE_TOML).unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let ext = ["toml", "yaml", "json"][selector as usize % 3];
    let path = dir().join(format!("variant.{ext}"));
    let mut text = match ext {
        "toml" => b"extends = \"baseline.toml\"\n".to_vec(),
        "yaml" => b"extends: baseline.toml\n".to_vec(),
        _ => Vec::new(),
    };
    text.extend_from_slice(body);
    std::fs::write(&path, &text).unwrap();
    if let Err(e) = Scenario::load(&path) {
        assert!(!e.diagnostics.is_empty());
        let _ = e.render();
    }
});
