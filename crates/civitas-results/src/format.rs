//! Deterministic text for numbers in CSV files: the same bits always give the same text.

/// Magnitudes outside `[1e-5, 1e16)` are written in exponent form so that tiny and huge
/// values stay short.
const PLAIN_MIN_MAGNITUDE: f64 = 1e-5;
const PLAIN_MAX_MAGNITUDE: f64 = 1e16;

/// Formats a value for CSV: the shortest decimal that reads back to the same `f64`
/// (Rust's `Display`/`LowerExp`, which are exact and platform independent), NaN as an
/// empty field, infinities as `inf` / `-inf`.
pub fn format_value(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x == 0.0 || x.is_infinite() {
        // Normalise -0 to 0: both mean "nothing" to a reader and must not differ by sign.
        if x == 0.0 {
            "0".to_string()
        } else {
            format!("{x}")
        }
    } else if (PLAIN_MIN_MAGNITUDE..PLAIN_MAX_MAGNITUDE).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Formats a single-precision agent attribute: the shortest decimal that reads back to the
/// same `f32` (widening to `f64` first would print float noise such as
/// `0.30000001192092896`), NaN as an empty field.
pub fn format_f32(x: f32) -> String {
    if x.is_nan() {
        String::new()
    } else if x == 0.0 {
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// Reads a value written by [`format_value`]: an empty field is NaN.
pub fn parse_value(field: &str) -> Result<f64, std::num::ParseFloatError> {
    let field = field.trim();
    if field.is_empty() {
        Ok(f64::NAN)
    } else {
        field.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_exactly() {
        for x in [
            0.1,
            1.0 / 3.0,
            3e8,
            -2.5,
            1e-9,
            6.02e23,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let text = format_value(x);
            assert_eq!(parse_value(&text).unwrap().to_bits(), x.to_bits(), "{text}");
        }
        assert_eq!(format_value(f64::NAN), "");
        assert!(parse_value("").unwrap().is_nan());
    }

    #[test]
    fn common_values_read_naturally() {
        assert_eq!(format_value(0.85), "0.85");
        assert_eq!(format_value(300e6), "300000000");
        assert_eq!(format_value(-0.0), "0");
        assert_eq!(format_value(1e20), "1e20");
        assert_eq!(format_value(2.5e-7), "2.5e-7");
        assert_eq!(format_f32(0.3), "0.3");
        assert_eq!(format_f32(-0.0), "0");
        assert_eq!(format_f32(f32::NAN), "");
        assert_eq!(format_f32(0.3).parse::<f32>().unwrap(), 0.3);
    }
}
