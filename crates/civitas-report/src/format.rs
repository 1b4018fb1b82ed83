//! How values, thresholds and axes read in plots and the page: shares as percentages,
//! money with the scenario's currency, "no data" for NaN.

use civitas_results::{ScopeKey, TargetResult};
use civitas_scenario::{Band, Indicator, Scenario, Unit};

/// Axis title of an indicator's values, e.g. "share (%)" or "CNY per year".
pub fn axis_title(indicator: Indicator, currency: &str) -> String {
    match indicator.meta().unit {
        Unit::Share => "share (%)".to_string(),
        Unit::Currency => format!("{currency} per year"),
        Unit::CurrencyPerRequest => format!("{currency} per request"),
        other => other.label().to_string(),
    }
}

/// A measured value with its unit and fixed decimals, so columns line up: "83.4%",
/// "70.0%", "6.2 days", "12.5 M CNY"; "no data" for NaN.
pub fn value(indicator: Indicator, v: f64, currency: &str) -> String {
    with_unit(indicator, v, currency, |v, decimals| {
        format!("{v:.decimals$}")
    })
}

/// A number to three significant digits, for indices whose scale varies from target to
/// target (Morris effects in the target's units): "0.412", "0.00371", "12.5"; "–" for NaN.
pub fn significant(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 12) as usize;
    format!("{v:.decimals$}")
}

/// A difference between two values of `indicator`, signed: "+1.2 pp" for shares
/// (percentage points), "−0.3 days", "+2.1 M CNY".
pub fn difference(indicator: Indicator, d: f64, currency: &str) -> String {
    if !d.is_finite() {
        return "no data".to_string();
    }
    let sign = if d < 0.0 { "−" } else { "+" };
    // One decimal more than a value: differences are small against the values.
    match indicator.meta().unit {
        Unit::Share => format!("{sign}{:.2} pp", d.abs() * 100.0),
        _ => format!(
            "{sign}{}",
            with_unit(indicator, d.abs(), currency, |v, decimals| {
                let decimals = decimals + 1;
                format!("{v:.decimals$}")
            })
        ),
    }
}

/// A threshold as the scenario file states it, without trailing zeros: "80%", "7 days".
fn stated(indicator: Indicator, v: f64, currency: &str) -> String {
    with_unit(indicator, v, currency, trim)
}

fn with_unit(
    indicator: Indicator,
    v: f64,
    currency: &str,
    digits: impl Fn(f64, usize) -> String,
) -> String {
    if !v.is_finite() {
        return "no data".to_string();
    }
    match indicator.meta().unit {
        Unit::Share => format!("{}%", digits(v * 100.0, 1)),
        Unit::Trips => digits(v, 2),
        Unit::Days => format!("{} days", digits(v, 1)),
        Unit::Hours => format!("{} h", digits(v, 1)),
        Unit::Score => digits(v, 1),
        Unit::Currency | Unit::CurrencyPerRequest => format!("{} {currency}", money(v)),
        Unit::PerThousandPerYear => format!("{} per 1,000/yr", digits(v, 1)),
        Unit::People | Unit::Count => money(v),
        Unit::Stage => digits(v, 2),
        Unit::Minutes => format!("{} min", digits(v, 1)),
        Unit::JobsPerWorker => digits(v, 2),
    }
}

/// A tick label on a value axis whose visible range spans `span` (in indicator units).
pub fn tick(indicator: Indicator, v: f64, span: f64) -> String {
    let (v, span) = match indicator.meta().unit {
        Unit::Share => (v * 100.0, span * 100.0),
        _ => (v, span),
    };
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    };
    match indicator.meta().unit {
        Unit::Share => format!("{v:.decimals$}%"),
        Unit::Currency | Unit::CurrencyPerRequest | Unit::People | Unit::Count
            if v.abs() >= 1e3 =>
        {
            money(v)
        }
        _ => format!("{v:.decimals$}"),
    }
}

/// A tick label of a plain number axis (e.g. a swept lever) spanning `span`.
pub fn number_tick(v: f64, span: f64) -> String {
    if v.abs() >= 1e3 && span >= 1e3 {
        return money(v);
    }
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    format!("{v:.decimals$}")
}

/// A lever value as printed in labels: "0.35", "12.5 M".
pub fn number(v: f64) -> String {
    if v.abs() >= 1e3 { money(v) } else { trim(v, 3) }
}

/// A whole number with thousands separators: 5000000 → "5,000,000".
pub fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return "no data".to_string();
    }
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// People per agent: whole numbers with separators ("2,500"), fractions as decimals.
pub fn scale(v: f64) -> String {
    if v.fract() == 0.0 {
        thousands(v)
    } else {
        trim(v, 3)
    }
}

/// Money in thousands, millions or billions: "12.5 M".
fn money(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{} bn", trim(v / 1e9, 2))
    } else if a >= 1e6 {
        format!("{} M", trim(v / 1e6, 2))
    } else if a >= 1e3 {
        format!("{} k", trim(v / 1e3, 1))
    } else {
        trim(v, 2)
    }
}

/// `v` with at most `decimals` decimals and no trailing zeros: 80.0 → "80", 6.25 → "6.25".
fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// A probability as printed on markers and cells: "0.85".
pub fn probability(p: f64) -> String {
    if p.is_finite() {
        format!("{p:.2}")
    } else {
        "–".to_string()
    }
}

/// A readable name of a field path (a swept lever, an uncertain parameter) with its unit
/// where it has one: `policies[name=ops].amount_per_year` is "ops: money per year (CNY)",
/// `departments[name=Civil Affairs].health_decay_per_month` "Civil Affairs: health decay
/// per month", `population.bands.senior.bass_q` "senior: bass q", `budget.shares.digitization`
/// "budget share of digitization". An empty `currency` leaves the unit of money unsaid.
pub fn lever_title(path: &str, currency: &str) -> String {
    let words = |field: &str| field.replace(['_', '.'], " ");
    if let Some(name) = path.strip_prefix("budget.shares.") {
        return format!("budget share of {name}");
    }
    let money = |what: &str| {
        if currency.is_empty() {
            what.to_string()
        } else {
            format!("{what} ({currency})")
        }
    };
    if path == "budget.total_per_year" {
        return money("budget per year");
    }
    if let Some(open) = path.find("[name=")
        && let Some(close) = path[open..].find("].")
    {
        let name = &path[open + "[name=".len()..open + close];
        let field = &path[open + close + 2..];
        return match field {
            "amount_per_year" => format!("{name}: {}", money("money per year")),
            _ => format!("{name}: {}", words(field)),
        };
    }
    match path.rsplit_once('.') {
        Some((owner, field)) => {
            let owner = owner.rsplit('.').next().unwrap_or(owner);
            format!("{owner}: {}", words(field))
        }
        None => words(path),
    }
}

/// A probability with its interval, e.g. "0.62 (0.45–0.77)".
pub fn probability_with_interval(p: f64, lo: f64, hi: f64) -> String {
    if p.is_finite() && lo.is_finite() && hi.is_finite() {
        format!("{p:.2} ({lo:.2}–{hi:.2})")
    } else {
        probability(p)
    }
}

/// The condition a target sets, e.g. "≥ 80%", "≤ 7 days", "60%–80%".
pub fn threshold(target: &TargetResult, currency: &str) -> String {
    let v = |x| stated(target.indicator, x, currency);
    match (target.min, target.max) {
        (Some(lo), Some(hi)) => format!("{}–{}", v(lo), v(hi)),
        (Some(lo), None) => format!("≥ {}", v(lo)),
        (None, Some(hi)) => format!("≤ {}", v(hi)),
        (None, None) => "any value".to_string(),
    }
}

/// Readable name of a scope: "whole city", "Westhill County (rural)", "aged 60+".
pub fn scope(scenario: &Scenario, scope: &ScopeKey) -> String {
    match scope {
        ScopeKey::City => "whole city".to_string(),
        ScopeKey::District(name) => {
            let rural = scenario
                .population
                .districts
                .iter()
                .any(|d| d.name == *name && d.kind == civitas_scenario::Settlement::Rural);
            if rural {
                format!("{name} (rural)")
            } else {
                name.clone()
            }
        }
        ScopeKey::Band(band) => band_name(*band).to_string(),
        ScopeKey::Sector(name) => name.clone(),
        ScopeKey::Size(size) => format!("{} firms", size.name()),
    }
}

/// Readable name of an age band.
pub fn band_name(band: Band) -> &'static str {
    match band {
        Band::Young => "aged 15–34",
        Band::Middle => "aged 35–59",
        Band::Senior => "aged 60+",
    }
}

/// A one-line name of a target for plots and tables: "Online service rate ≥ 80% (2027)",
/// with the scope when it is not the whole city.
pub fn target_title(scenario: &Scenario, target: &TargetResult) -> String {
    let scope = if target.scope == ScopeKey::City {
        String::new()
    } else {
        format!(", {}", self::scope(scenario, &target.scope))
    };
    format!(
        "{} {} ({}{scope})",
        target.indicator.meta().title,
        threshold(target, &scenario.scenario.currency),
        target.year,
    )
}

/// A file-name-safe slug: lowercase letters, digits and `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "x".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_names_and_units() {
        assert_eq!(
            lever_title("policies[name=ops].amount_per_year", "CNY"),
            "ops: money per year (CNY)"
        );
        assert_eq!(
            lever_title("departments[name=Civil Affairs].health_decay_per_month", ""),
            "Civil Affairs: health decay per month"
        );
        assert_eq!(
            lever_title("population.bands.senior.bass_q", ""),
            "senior: bass q"
        );
        assert_eq!(
            lever_title("budget.shares.digitization", "CNY"),
            "budget share of digitization"
        );
        assert_eq!(
            lever_title("policies[name=ops].amount_per_year", ""),
            "ops: money per year"
        );
    }

    #[test]
    fn shares_read_as_percentages_and_nan_as_no_data() {
        assert_eq!(value(Indicator::AdoptionRate, 0.834, "CNY"), "83.4%");
        assert_eq!(value(Indicator::AdoptionRate, 0.8, "CNY"), "80.0%");
        assert_eq!(value(Indicator::AdoptionRate, f64::NAN, "CNY"), "no data");
        assert_eq!(value(Indicator::MeanResolutionDays, 7.0, "CNY"), "7.0 days");
        assert_eq!(
            value(Indicator::SpendOperation, 12_500_000.0, "CNY"),
            "12.5 M CNY"
        );
        assert_eq!(tick(Indicator::AdoptionRate, 0.5, 1.0), "50%");
        assert_eq!(thousands(5_000_000.0), "5,000,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(tick(Indicator::AdoptionRate, 0.505, 0.1), "50.5%");
        assert_eq!(
            axis_title(Indicator::CostPerRequest, "EUR"),
            "EUR per request"
        );
    }

    #[test]
    fn slugs_are_safe_file_names() {
        assert_eq!(
            slug("policies[name=ops].amount_per_year"),
            "policies-name-ops-amount-per-year"
        );
        assert_eq!(
            slug("adoption_rate (senior) 2030"),
            "adoption-rate-senior-2030"
        );
        assert_eq!(slug("§§"), "x");
    }
}
