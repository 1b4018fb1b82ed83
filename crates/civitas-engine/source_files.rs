//! The engine's source files as the model fingerprint hashes them (`src/fingerprint.rs`):
//! read by `build.rs`, and by the test that the built fingerprint is the source's.

use std::path::Path;

/// Every `.rs` file under `src`, as (path relative to `src` with `/` separators, text).
pub fn read(src: &Path) -> std::io::Result<Vec<(String, String)>> {
    let mut files = Vec::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(src)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push((relative, std::fs::read_to_string(&path)?));
            }
        }
    }
    Ok(files)
}
