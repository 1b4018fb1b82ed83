//! Any bytes read as a `golden.csv` give its quantities or an error, never a panic; what
//! reads is consistent (at least one quantity, no negative spread, a mean exactly when
//! replicates had a value) and an error quotes at most a short excerpt of the file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match civitas_check::parse_golden(data, Path::new("golden.csv")) {
        Ok(observations) => {
            assert!(!observations.is_empty());
            for o in observations {
                assert!(!(o.sd < 0.0));
                assert_eq!(o.n == 0, o.mean.is_nan());
            }
        }
        Err(e) => assert!(e.to_string().len() < 600, "{e}"),
    }
});
