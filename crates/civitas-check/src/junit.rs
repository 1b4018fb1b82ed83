//! JUnit XML, the format CI test reporters (GitHub Actions test-report actions, GitLab's
//! `artifacts:reports:junit`, Jenkins) read: one `<testsuite>` per case, one `<testcase>`
//! per case × quantity (an indicator over all its scopes and dates, or a target's
//! probability met), a `<failure>` when any of its values drifted or is missing (the
//! message names the worst, the body every one) and an `<error>` for a case that could not
//! run.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::compare::{Comparison, Verdict};
use crate::runner::CaseRun;

/// Escapes text for an XML attribute or element.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters and the non-characters U+FFFE and
            // U+FFFF even when escaped: a report holding one is not XML at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `golden → now (z = …)`, the message of a failure.
pub fn describe(c: &Comparison) -> String {
    match c.verdict {
        Verdict::Missing => format!("golden {} is missing from the run", number(c.golden)),
        _ => format!(
            "golden {} -> now {} (z = {}, floor {})",
            number(c.golden),
            number(c.now),
            z_text(c.z),
            number(c.floor)
        ),
    }
}

/// A number for messages and tables: four significant digits, `no data` for NaN.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        "no data".to_string()
    } else if x == 0.0 {
        "0".to_string()
    } else if (1e-3..1e9).contains(&x.abs()) {
        let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    } else {
        format!("{x:.3e}")
    }
}

/// z for messages: `+inf`, `-inf`, two decimals, or an exponent from 10⁴ on (a quantity
/// with almost no spread, such as spending, gives enormous z for any real change).
pub fn z_text(z: f64) -> String {
    if z.is_infinite() {
        if z > 0.0 {
            "+inf".into()
        } else {
            "-inf".into()
        }
    } else if z.abs() >= 1e4 {
        format!("{z:+.1e}")
    } else {
        format!("{z:+.2}")
    }
}

/// The JUnit XML document of a check.
pub fn junit(runs: &[CaseRun]) -> String {
    let mut cases_xml = String::new();
    let (mut total, mut failures, mut errors) = (0usize, 0usize, 0usize);
    for run in runs {
        let suite = escape(&run.case.name);
        match &run.outcome {
            Err(e) => {
                total += 1;
                errors += 1;
                let _ = writeln!(
                    cases_xml,
                    "  <testsuite name=\"{suite}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"{:.3}\">\n    <testcase classname=\"civitas.check.{suite}\" name=\"run\">\n      <error message=\"{}\"/>\n    </testcase>\n  </testsuite>",
                    run.seconds,
                    escape(&e.to_string())
                );
            }
            Ok(outcome) => {
                // One test case per quantity (an indicator, or a target's probability
                // met) over all its scopes and dates: a few dozen readable cases per
                // case, not one per value. The failure names every value that moved.
                let mut groups: BTreeMap<(&str, String), Vec<&Comparison>> = BTreeMap::new();
                for c in outcome
                    .comparisons
                    .iter()
                    .filter(|c| c.verdict != Verdict::New)
                {
                    groups
                        .entry((c.quantity.kind(), c.quantity.to_string()))
                        .or_default()
                        .push(c);
                }
                let failed = groups
                    .values()
                    .filter(|cs| cs.iter().any(|c| c.verdict.fails()))
                    .count();
                total += groups.len();
                failures += failed;
                let _ = writeln!(
                    cases_xml,
                    "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" time=\"{:.3}\">",
                    groups.len(),
                    run.seconds
                );
                for ((_, quantity), values) in &groups {
                    let name = escape(quantity);
                    // Worst first, as the comparison ordered them.
                    let failing: Vec<&&Comparison> =
                        values.iter().filter(|c| c.verdict.fails()).collect();
                    let Some(worst) = failing.first() else {
                        let _ = writeln!(
                            cases_xml,
                            "    <testcase classname=\"civitas.check.{suite}\" name=\"{name}\"/>"
                        );
                        continue;
                    };
                    let message = format!(
                        "{} of {} values moved; worst: {} {}: {}",
                        failing.len(),
                        values.len(),
                        worst.scope,
                        worst.date,
                        describe(worst)
                    );
                    let kind = if failing.iter().all(|c| c.verdict == Verdict::Missing) {
                        "missing"
                    } else {
                        "drift"
                    };
                    let mut detail = String::new();
                    for c in &failing {
                        let _ = writeln!(detail, "{} {}: {}", c.scope, c.date, describe(c));
                    }
                    let _ = writeln!(
                        cases_xml,
                        "    <testcase classname=\"civitas.check.{suite}\" name=\"{name}\">\n      <failure message=\"{}\" type=\"{kind}\">{}</failure>\n    </testcase>",
                        escape(&message),
                        escape(&detail)
                    );
                }
                let notes = run.case.notes();
                if !notes.is_empty() {
                    let _ = writeln!(
                        cases_xml,
                        "    <system-out>{}</system-out>",
                        escape(&notes.join("\n"))
                    );
                }
                cases_xml.push_str("  </testsuite>\n");
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"civitas check\" tests=\"{total}\" failures=\"{failures}\" errors=\"{errors}\">\n{cases_xml}</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_forbids_never_reaches_the_file() {
        let text = escape("a<b&\"c\u{1b}d\u{fffe}e\u{ffff}f\tg");
        assert_eq!(text, "a&lt;b&amp;&quot;c d\u{fffd}e\u{fffd}f\tg");
        let doc = format!("<r a=\"{text}\">{text}</r>");
        assert!(roxmltree::Document::parse(&doc).is_ok(), "{doc}");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(0.68114), "0.6811");
        assert_eq!(number(80.123), "80.12");
        assert_eq!(number(1.5e8), "150000000");
        assert_eq!(number(2.5e9), "2.500e9");
        assert_eq!(z_text(-6.9e15), "-6.9e15");
        assert_eq!(number(f64::NAN), "no data");
        assert_eq!(z_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(z_text(2.345), "+2.35");
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot; ");
    }
}
