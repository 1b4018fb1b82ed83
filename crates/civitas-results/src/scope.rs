//! The scope of a value: the whole city, one district, one age band, or one sector or size
//! band of the firms.

use std::fmt;
use std::str::FromStr;

use civitas_scenario::{Band, SizeBand};

/// Which residents (or firms) a value describes. Written `city`, `district:<name>`,
/// `band:<name>`, `sector:<name>` or `size:<name>` in the output files ([`fmt::Display`])
/// and read back with [`FromStr`], so no reader takes the text apart by hand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeKey {
    /// The whole city.
    City,
    /// One district, by name.
    District(String),
    /// One age band.
    Band(Band),
    /// The firms of one `[[economy.sectors]]` sector, by name.
    Sector(String),
    /// The firms of one size band.
    Size(SizeBand),
}

impl ScopeKey {
    /// Whether the scope is a group of firms (a sector or a size band), where only the
    /// economy's indicators have values.
    pub fn is_firms(&self) -> bool {
        matches!(self, ScopeKey::Sector(_) | ScopeKey::Size(_))
    }
}

const CITY: &str = "city";
const DISTRICT_PREFIX: &str = "district:";
const BAND_PREFIX: &str = "band:";
const SECTOR_PREFIX: &str = "sector:";
const SIZE_PREFIX: &str = "size:";

impl fmt::Display for ScopeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeKey::City => f.write_str(CITY),
            ScopeKey::District(name) => write!(f, "{DISTRICT_PREFIX}{name}"),
            ScopeKey::Band(band) => write!(f, "{BAND_PREFIX}{}", band.name()),
            ScopeKey::Sector(name) => write!(f, "{SECTOR_PREFIX}{name}"),
            ScopeKey::Size(size) => write!(f, "{SIZE_PREFIX}{}", size.name()),
        }
    }
}

/// A scope label that is none of `city`, `district:<name>`, `band:<young|middle|senior>`,
/// `sector:<name>` or `size:<micro|small|medium|large>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown scope {0:?}; expected city, district:<name>, band:<young|middle|senior>, \
     sector:<name> or size:<micro|small|medium|large>"
)]
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
        if let Some(name) = text.strip_prefix(SECTOR_PREFIX)
            && !name.is_empty()
        {
            return Ok(ScopeKey::Sector(name.to_string()));
        }
        if let Some(size) = text.strip_prefix(SIZE_PREFIX)
            && let Some(&z) = SizeBand::ALL.iter().find(|z| z.name() == size)
        {
            return Ok(ScopeKey::Size(z));
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
            ScopeKey::Sector("Software and information services".to_string()),
            ScopeKey::Size(SizeBand::Medium),
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
        for text in [
            "",
            "City",
            "district:",
            "band:old",
            "region:x",
            "sector:",
            "size:huge",
        ] {
            assert!(text.parse::<ScopeKey>().is_err(), "{text}");
        }
    }
}
