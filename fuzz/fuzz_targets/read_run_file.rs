//! Any bytes read as a run file (`runs/p…-r….run`) give its values or an error, never a
//! panic. Inputs whose first byte is odd are resealed (their SHA-256 recomputed and
//! appended, as a writer would) so the fuzzer also reaches the reads past the checksum.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

/// Ticks and scopes the reader expects: a small scenario's shape.
const TICKS: usize = 2;
const SCOPES: usize = 3;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("civitas-fuzz-run-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("runs")).expect("a scratch folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let mut bytes = body.to_vec();
    if mode & 1 == 1 {
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
    }
    let path = dir().join("runs/p00000-r000000.run");
    std::fs::write(&path, &bytes).expect("the scratch file is written");
    if let Ok(values) = civitas_batch::read_run_file(&path, TICKS, SCOPES) {
        assert_eq!(values.len() % (TICKS * SCOPES), 0);
    }
});
