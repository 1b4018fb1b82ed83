//! Calendar types: a scenario's horizon is given in months (`"2024-01"`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar month, written `YYYY-MM` in scenario files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Calendar year, e.g. 2027.
    pub year: i32,
    /// Month of the year, 1–12.
    pub month: u32,
}

impl YearMonth {
    /// Builds a month; `None` when `month` is outside 1–12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// Months since year 0, so that differences of two months are month counts.
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    /// The month `n` months after this one.
    pub fn plus_months(self, n: i64) -> Self {
        let i = self.index() + n;
        Self {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }

    /// Number of months from `self` to `other` inclusive of both ends (≥ 0).
    pub fn months_through(self, other: Self) -> i64 {
        (other.index() - self.index() + 1).max(0)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Why a `YYYY-MM` string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearMonthParseError(pub String);

impl fmt::Display for YearMonthParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "expected a month written YYYY-MM (e.g. \"2027-12\"), found {:?}",
            self.0
        )
    }
}

impl std::error::Error for YearMonthParseError {}

impl FromStr for YearMonth {
    type Err = YearMonthParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || YearMonthParseError(s.to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        YearMonth::new(year, month).ok_or_else(err)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for YearMonth {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "YearMonth".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$",
            "description": "A calendar month written YYYY-MM, e.g. \"2027-12\"."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_months() {
        let m: YearMonth = "2027-12".parse().unwrap();
        assert_eq!(
            m,
            YearMonth {
                year: 2027,
                month: 12
            }
        );
        assert_eq!(m.to_string(), "2027-12");
        assert_eq!(m.plus_months(1).to_string(), "2028-01");
        assert!("2027-13".parse::<YearMonth>().is_err());
        assert!("27-01".parse::<YearMonth>().is_err());
        assert!("2027/01".parse::<YearMonth>().is_err());
    }

    #[test]
    fn counts_months_inclusively() {
        let a: YearMonth = "2024-01".parse().unwrap();
        let b: YearMonth = "2030-12".parse().unwrap();
        assert_eq!(a.months_through(b), 84);
    }
}

/// The calendar date a tick starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TickDate {
    /// Calendar year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of month the tick starts on (1 for monthly ticks).
    pub day: u32,
    /// Whether ticks are weekly (the label then includes the day).
    pub weekly: bool,
}

impl fmt::Display for TickDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weekly {
            write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
        } else {
            write!(f, "{:04}-{:02}", self.year, self.month)
        }
    }
}

impl TickDate {
    /// The year as a fraction, for plotting on a time axis (e.g. 2027.5 in July 2027).
    pub fn fractional_year(&self) -> f64 {
        let days = days_in_month(self.year, self.month) as f64;
        self.year as f64 + (self.month as f64 - 1.0 + (self.day as f64 - 1.0) / days) / 12.0
    }
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Start dates of every tick from the first day of `start` through the end of `end`.
pub fn tick_dates(start: YearMonth, end: YearMonth, tick: crate::TickLength) -> Vec<TickDate> {
    match tick {
        crate::TickLength::Month => (0..start.months_through(end))
            .map(|i| {
                let m = start.plus_months(i);
                TickDate {
                    year: m.year,
                    month: m.month,
                    day: 1,
                    weekly: false,
                }
            })
            .collect(),
        crate::TickLength::Week => {
            let mut out = Vec::new();
            let (mut y, mut m, mut d) = (start.year, start.month, 1u32);
            while (YearMonth { year: y, month: m }) <= end {
                out.push(TickDate {
                    year: y,
                    month: m,
                    day: d,
                    weekly: true,
                });
                d += 7;
                while d > days_in_month(y, m) {
                    d -= days_in_month(y, m);
                    m += 1;
                    if m > 12 {
                        m = 1;
                        y += 1;
                    }
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tick_tests {
    use super::*;

    #[test]
    fn monthly_and_weekly_ticks_cover_the_horizon() {
        let s: YearMonth = "2024-01".parse().unwrap();
        let e: YearMonth = "2030-12".parse().unwrap();
        let m = tick_dates(s, e, crate::TickLength::Month);
        assert_eq!(m.len(), 84);
        assert_eq!(m[83].to_string(), "2030-12");
        let w = tick_dates(s, e, crate::TickLength::Week);
        assert_eq!(w[1].to_string(), "2024-01-08");
        assert_eq!(w.last().unwrap().year, 2030);
        assert!((w.len() as i64 - 365).abs() <= 1, "{} weeks", w.len());
    }
}
