//! The model fingerprint: which model a result was simulated with.
//!
//! [`crate::MODEL_FINGERPRINT`] is computed when the engine is built (`build.rs`, which
//! includes this file and reads the files with `source_files.rs`: the engine itself does
//! no file I/O) from the engine's own source, `crates/civitas-engine/src/**/*.rs`:
//! every line that is not a comment, with its whitespace removed, hashed with its file's
//! path. So any change of the engine's code gives another fingerprint, and nobody has to
//! remember to bump anything, while comments, documentation and whitespace do not count.
//! `civitas-batch` records it in `plan.json` and `manifest.json` (`model_fingerprint`);
//! `civitas compare` refuses to pair results of different fingerprints unless `--force`;
//! `merge` and `--resume` never combine runs of two.
//!
//! What it does not see: a change of a default in `civitas-scenario` (the resolved
//! scenario, with its scenario hash, records those) and a dependency upgrade that changes
//! the numbers (`Cargo.lock`).

/// The fingerprint of `files`, each a path relative to the source folder (with `/`
/// separators) and its text, in any order: `src-` and 16 hex digits (64-bit FNV-1a).
pub fn fingerprint(files: &mut [(String, String)]) -> String {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hash = Fnv1a::default();
    for (path, text) in files.iter() {
        hash.write(path.as_bytes());
        hash.write(&[0]);
        for line in text.lines() {
            let code = line.trim_start();
            if code.is_empty() || code.starts_with("//") {
                continue;
            }
            for c in code.chars().filter(|c| !c.is_whitespace()) {
                let mut buf = [0; 4];
                hash.write(c.encode_utf8(&mut buf).as_bytes());
            }
            hash.write(b"\n");
        }
        hash.write(&[0]);
    }
    format!("src-{:016x}", hash.0)
}

/// 64-bit FNV-1a: small, stable across platforms and Rust versions (unlike `std`'s
/// hashers), and enough to tell two sources apart.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    fn of(text: &str) -> String {
        fingerprint(&mut [("a.rs".to_string(), text.to_string())])
    }

    #[test]
    fn built_fingerprint_is_that_of_the_source_now() {
        // A stale build (the build script not rerun after an edit) would differ here.
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = crate::source_files::read(&src).unwrap();
        assert!(files.len() > 20, "{} engine source files", files.len());
        assert_eq!(fingerprint(&mut files), crate::MODEL_FINGERPRINT);
        assert_ne!(of(""), crate::MODEL_FINGERPRINT);
    }

    #[test]
    fn code_counts_comments_and_layout_do_not() {
        let code = "fn f() -> f64 {\n    0.5 * x\n}\n";
        assert_eq!(
            of(code),
            of("/// Doc.\nfn f() -> f64 {\n  // why\n\t0.5*x\n}\r\n")
        );
        assert_ne!(of(code), of("fn f() -> f64 {\n    0.6 * x\n}\n"));
        assert!(of(code).starts_with("src-") && of(code).len() == 20);
    }

    #[test]
    fn files_count_by_path_in_any_order() {
        let a = ("a.rs".to_string(), "const A: u8 = 1;".to_string());
        let b = ("b.rs".to_string(), "const B: u8 = 2;".to_string());
        assert_eq!(
            fingerprint(&mut [a.clone(), b.clone()]),
            fingerprint(&mut [b.clone(), a.clone()])
        );
        let moved = ("c.rs".to_string(), b.1.clone());
        assert_ne!(
            fingerprint(&mut [a.clone(), b]),
            fingerprint(&mut [a, moved])
        );
    }
}
