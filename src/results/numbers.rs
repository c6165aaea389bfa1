//! Numbers as a reader should see them, in charts and the report alike:
//! shares in per cent and their differences in percentage points, money in
//! £m with thousands separators, true minus signs, and enough decimals that
//! an interval shows whether it crosses zero.

use crate::model::Metric;
use crate::model::metrics::Format;

pub use crate::core::format::{MINUS, thousands};

pub fn is_share(m: Metric) -> bool {
    m.format() == Format::Share
}

pub fn is_money(m: Metric) -> bool {
    m.format() == Format::Money
}

/// A metric's unit in words: "£m a year", "share of agenda".
pub fn unit(m: Metric) -> String {
    m.unit_words()
}

/// The unit of a difference: percentage points for shares.
pub fn difference_unit(m: Metric) -> String {
    match m.format().difference_words() {
        "" => unit(m),
        words if m.format() == Format::Money => unit(m).replacen("£m", words, 1),
        words => words.to_string(),
    }
}

/// Replaces hyphen-minus signs by true minus signs.
pub fn minus(s: &str) -> String {
    s.replace('-', &MINUS.to_string())
}

/// The fewest decimals at which every non-zero value keeps two significant
/// digits ([`Format::decimals_for`]).
pub fn decimals_for(m: Metric, values: &[f64]) -> usize {
    m.format().decimals_for(values)
}

/// A level in the metric's format: "60.1%", "−£1,841m", "0.046".
pub fn level(m: Metric, v: f64) -> String {
    m.format().level(v)
}

/// A bare signed difference on the scale shown, for axes: "+0.036", "−0.7", "0".
pub fn signed_with(m: Metric, v: f64, decimals: usize) -> String {
    m.format().signed_tick(v, decimals)
}

/// A median and its interval of differences in the metric's format, with
/// decimals chosen for all three together: "−0.7 pp [−1.3 pp, −0.02 pp]".
pub fn interval(m: Metric, d: [f64; 3]) -> (String, String, String) {
    let [a, b, c] = m.format().interval(d);
    (a, b, c)
}

/// How quarters are meant, for axes, the report and `validate`.
pub const QUARTERS_NOTE: &str =
    "Quarters are calendar quarters: 2017Q2 is April to June 2017, the first quarter of financial year 2017/18.";

/// A quarter's months: "April to June 2017".
pub fn months(q: crate::core::quarter::Quarter) -> String {
    let m = ["January to March", "April to June", "July to September", "October to December"];
    format!("{} {}", m[usize::from(q.q().clamp(1, 4)) - 1], q.year())
}

/// A quarter in full: "2017Q2 is April to June 2017, the first quarter of
/// financial year 2017/18".
pub fn calendar(q: crate::core::quarter::Quarter) -> String {
    let fy = q.financial_year();
    let nth = ["fourth", "first", "second", "third"][usize::from(q.q().clamp(1, 4)) - 1];
    format!("{q} is {}, the {nth} quarter of financial year {fy}/{:02}", months(q), (fy + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_calendar_quarters() {
        let q = crate::core::quarter::Quarter::new(2017, 2).unwrap();
        assert_eq!(calendar(q), "2017Q2 is April to June 2017, the first quarter of financial year 2017/18");
        let q = crate::core::quarter::Quarter::new(2016, 1).unwrap();
        assert_eq!(calendar(q), "2016Q1 is January to March 2016, the fourth quarter of financial year 2015/16");
        assert!(QUARTERS_NOTE.contains(&calendar(crate::core::quarter::Quarter::new(2017, 2).unwrap())));
    }

    #[test]
    fn money_has_separators_and_a_true_minus() {
        assert_eq!(level(Metric::ProviderBalanceGbpM, -1841.4), "\u{2212}£1,841m");
        assert_eq!(level(Metric::ProviderBalanceGbpM, 747.0), "£747m");
        assert_eq!(thousands(-0.2, 0), "0", "no minus on a value that rounds to zero");
        assert_eq!(level(Metric::SelfPriorityShare, 0.6012), "60.1%");
        assert_eq!(unit(Metric::ProviderBalanceGbpM), "£m a year");
        assert_eq!(difference_unit(Metric::ProviderBalanceGbpM), "£m a year");
        assert_eq!(difference_unit(Metric::SocialCarePriority), "percentage points");
    }
}
