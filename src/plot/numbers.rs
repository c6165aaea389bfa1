//! Numbers as a reader should see them, in charts and the report alike:
//! shares in per cent and their differences in percentage points, money in
//! £m with thousands separators, true minus signs, and enough decimals that
//! an interval shows whether it crosses zero.

use crate::model::Metric;

/// The minus sign (U+2212), not a hyphen.
pub const MINUS: char = '\u{2212}';

pub fn is_share(m: Metric) -> bool {
    m.unit().starts_with("share")
}

pub fn is_money(m: Metric) -> bool {
    m.unit().starts_with("GBP m")
}

/// A metric's unit in words: "£m a year", "share of agenda".
pub fn unit(m: Metric) -> String {
    m.unit().replace("GBP m per year", "£m a year").replace("GBP m per quarter", "£m a quarter")
}

/// The unit of a difference: percentage points for shares.
pub fn difference_unit(m: Metric) -> String {
    if is_share(m) { "percentage points".into() } else { unit(m) }
}

/// Replaces hyphen-minus signs by true minus signs.
pub fn minus(s: &str) -> String {
    s.replace('-', &MINUS.to_string())
}

/// Digits grouped in thousands: 1841.6 with 0 decimals is "1,842".
pub fn thousands(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("{MINUS}{out}") } else { out }
}

/// The value scaled as shown: shares as per cent (or percentage points).
fn scaled(m: Metric, v: f64) -> f64 {
    if is_share(m) { v * 100.0 } else { v }
}

/// The decimals a metric is shown with by default.
fn base_decimals(m: Metric) -> usize {
    if is_share(m) {
        1
    } else if is_money(m) {
        0
    } else if m == Metric::AcsCount || m.unit().starts_with("proposals") {
        1
    } else {
        3
    }
}

/// The fewest decimals (from the metric's default, at most 6) at which every
/// non-zero value keeps two significant digits, so that `-0.0002` is never
/// shown as `0.0` and an interval's ends show on which side of zero they lie.
pub fn decimals_for(m: Metric, values: &[f64]) -> usize {
    let mut d = base_decimals(m);
    for &v in values {
        let x = scaled(m, v).abs();
        if x > 0.0 && x.is_finite() {
            // Two significant digits: 10^-(d) <= x / 10.
            let need = (1.0 - x.log10().floor()).max(0.0) as usize;
            d = d.max(need.min(6));
        }
    }
    d
}

/// A level: "60.1%", "−1,841", "0.046".
pub fn level(m: Metric, v: f64) -> String {
    let d = base_decimals(m);
    if is_share(m) { format!("{}%", thousands(v * 100.0, d)) } else { thousands(v, d) }
}

/// A signed difference with the given decimals: "+0.036", "−0.7", "0".
pub fn signed_with(m: Metric, v: f64, decimals: usize) -> String {
    let body = thousands(scaled(m, v), decimals);
    if body.starts_with(MINUS) {
        body
    } else if body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{body}")
    } else {
        body
    }
}

/// A median and its interval, with decimals chosen for all three together:
/// "−0.7 [−1.3, −0.02]" never becomes "[−1.3, 0.0]".
pub fn interval(m: Metric, d: [f64; 3]) -> (String, String, String) {
    let k = decimals_for(m, &d);
    (signed_with(m, d[0], k), signed_with(m, d[1], k), signed_with(m, d[2], k))
}

/// How quarters are meant, for axes, the report and `validate`.
pub const QUARTERS_NOTE: &str =
    "Quarters are calendar quarters: 2017Q2 is April to June 2017, the first quarter of financial year 2017/18.";

/// A quarter's months: "April to June 2017".
pub fn months(q: crate::quarter::Quarter) -> String {
    let m = ["January to March", "April to June", "July to September", "October to December"];
    format!("{} {}", m[usize::from(q.q().clamp(1, 4)) - 1], q.year())
}

/// A quarter in full: "2017Q2 is April to June 2017, the first quarter of
/// financial year 2017/18".
pub fn calendar(q: crate::quarter::Quarter) -> String {
    let fy = q.financial_year();
    let nth = ["fourth", "first", "second", "third"][usize::from(q.q().clamp(1, 4)) - 1];
    format!("{q} is {}, the {nth} quarter of financial year {fy}/{:02}", months(q), (fy + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_near_zero_keeps_its_sign() {
        let m = Metric::SocialCarePriority;
        let (med, lo, hi) = interval(m, [-0.007, -0.013, -0.000002]);
        assert_eq!(hi, "\u{2212}0.00020", "two significant digits of -0.0002 percentage points");
        assert!(med.starts_with(MINUS) && lo.starts_with(MINUS));
        assert_eq!(signed_with(m, 0.0, 1), "0.0");
        assert_eq!(signed_with(Metric::TransformationIndex, 0.036, 3), "+0.036");
    }

    #[test]
    fn quarters_are_calendar_quarters() {
        let q = crate::quarter::Quarter::new(2017, 2).unwrap();
        assert_eq!(calendar(q), "2017Q2 is April to June 2017, the first quarter of financial year 2017/18");
        let q = crate::quarter::Quarter::new(2016, 1).unwrap();
        assert_eq!(calendar(q), "2016Q1 is January to March 2016, the fourth quarter of financial year 2015/16");
        assert!(QUARTERS_NOTE.contains(&calendar(crate::quarter::Quarter::new(2017, 2).unwrap())));
    }

    #[test]
    fn money_has_separators_and_a_true_minus() {
        assert_eq!(level(Metric::ProviderBalanceGbpM, -1841.4), "\u{2212}1,841");
        assert_eq!(level(Metric::ProviderBalanceGbpM, 747.0), "747");
        assert_eq!(thousands(-0.2, 0), "0", "no minus on a value that rounds to zero");
        assert_eq!(level(Metric::SelfPriorityShare, 0.6012), "60.1%");
        assert_eq!(unit(Metric::ProviderBalanceGbpM), "£m a year");
    }
}
