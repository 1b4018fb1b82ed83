//! The scope of a value: the whole city, one district or one age band.

use std::fmt;
use std::str::FromStr;

use civitas_scenario::Band;

/// Which residents a value describes. Written `city`, `district:<name>` or `band:<name>`
/// in the output files ([`fmt::Display`]) and read back with [`FromStr`], so no reader
/// takes the text apart by hand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeKey {
    /// The whole city.
    City,
    /// One district, by name.
    District(String),
    /// One age band.
    Band(Band),
}

const CITY: &str = "city";
const DISTRICT_PREFIX: &str = "district:";
const BAND_PREFIX: &str = "band:";

impl fmt::Display for ScopeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeKey::City => f.write_str(CITY),
            ScopeKey::District(name) => write!(f, "{DISTRICT_PREFIX}{name}"),
            ScopeKey::Band(band) => write!(f, "{BAND_PREFIX}{}", band.name()),
        }
    }
}

/// A scope label that is none of `city`, `district:<name>` or `band:<young|middle|senior>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?}; expected city, district:<name> or band:<young|middle|senior>")]
pub struct UnknownScope(pub String);

impl FromStr for ScopeKey {
    type Err = UnknownScope;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == CITY {
            return Ok(ScopeKey::City);
        }
        if let Some(name) = text.strip_prefix(DISTRICT_PREFIX)
            && !name.is_empty()
        {
            return Ok(ScopeKey::District(name.to_string()));
        }
        if let Some(band) = text.strip_prefix(BAND_PREFIX)
            && let Some(&b) = Band::ALL.iter().find(|b| b.name() == band)
        {
            return Ok(ScopeKey::Band(b));
        }
        Err(UnknownScope(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for key in [
            ScopeKey::City,
            ScopeKey::District("Westhill County".to_string()),
            ScopeKey::District("a:b".to_string()),
            ScopeKey::Band(Band::Senior),
        ] {
            assert_eq!(key.to_string().parse::<ScopeKey>(), Ok(key));
        }
        assert_eq!(ScopeKey::Band(Band::Young).to_string(), "band:young");
        assert_eq!(
            ScopeKey::District("Central".into()).to_string(),
            "district:Central"
        );
    }

    #[test]
    fn other_labels_are_refused() {
        for text in ["", "City", "district:", "band:old", "region:x"] {
            assert!(text.parse::<ScopeKey>().is_err(), "{text}");
        }
    }
}
