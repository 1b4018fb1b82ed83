//! Computes the model fingerprint (`CIVITAS_MODEL_FINGERPRINT`, read by
//! `civitas_engine::MODEL_FINGERPRINT`) from the engine's source: see `src/fingerprint.rs`.

#[path = "src/fingerprint.rs"]
mod fingerprint;
mod source_files;

fn main() {
    println!("cargo::rerun-if-changed=src");
    let mut files = source_files::read(std::path::Path::new("src"))
        .unwrap_or_else(|e| panic!("cannot read the engine's source in src/: {e}"));
    let fingerprint = fingerprint::fingerprint(&mut files);
    println!("cargo::rustc-env=CIVITAS_MODEL_FINGERPRINT={fingerprint}");
}
