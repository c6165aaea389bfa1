//! How a metric's numbers read, declared once per metric (the format column
//! of `metrics!`) and used by the terminal, report.html, every chart, the
//! spreadsheets and the explorer alike: shares in per cent with differences
//! in percentage points, money in £m with thousands separators, counts with
//! one decimal, and an index with three decimals and a meaning in words.

use serde::Serialize;

/// The minus sign (U+2212), not a hyphen.
pub const MINUS: char = '\u{2212}';

/// A metric's display format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "meaning", rename_all = "snake_case")]
pub enum Format {
    /// A share from 0 to 1: "42.3%"; a difference "+4.4 pp" (percentage points).
    Share,
    /// Pounds in millions, whole, with thousands separators: "−£1,841m".
    Money,
    /// A count (a median or mean over replicates): "19.0".
    Count,
    /// A number on its own scale, with what its values mean in words: "0.046".
    Index(&'static str),
}

impl Format {
    /// Decimals a level is shown with.
    pub fn decimals(self) -> usize {
        match self {
            Format::Share | Format::Count => 1,
            Format::Money => 0,
            Format::Index(_) => 3,
        }
    }

    /// The value on the scale shown: shares as per cent (or percentage points).
    pub fn scaled(self, v: f64) -> f64 {
        if self == Format::Share { v * 100.0 } else { v }
    }

    /// The short unit of a level on an axis or in a table header: "%", "£m", "".
    pub fn symbol(self) -> &'static str {
        match self {
            Format::Share => "%",
            Format::Money => "£m",
            Format::Count | Format::Index(_) => "",
        }
    }

    /// The unit of a difference in words: "percentage points", "£m", "".
    pub fn difference_words(self) -> &'static str {
        match self {
            Format::Share => "percentage points",
            Format::Money => "£m",
            Format::Count | Format::Index(_) => "",
        }
    }

    /// What a value means, for an index: "0.05 means ...".
    pub fn meaning(self) -> Option<&'static str> {
        match self {
            Format::Index(m) if !m.is_empty() => Some(m),
            _ => None,
        }
    }

    /// A level: "42.3%", "−£1,841m", "19.0", "0.046".
    pub fn level(self, v: f64) -> String {
        self.mark(thousands(self.scaled(v), self.decimals()), false)
    }

    /// A signed difference with the default decimals: "+4.4 pp", "−£120m", "+0.036".
    pub fn difference(self, v: f64) -> String {
        self.difference_with(v, self.decimals())
    }

    /// A signed difference with `decimals` decimals.
    pub fn difference_with(self, v: f64, decimals: usize) -> String {
        self.mark(signed(self.scaled(v), decimals), true)
    }

    /// A median and its interval of differences, with the decimals chosen for
    /// all three together so that "[−1.3, −0.02]" never becomes "[−1.3, 0.0]".
    pub fn interval(self, d: [f64; 3]) -> [String; 3] {
        let k = self.decimals_for(&d);
        d.map(|x| self.difference_with(x, k))
    }

    /// The fewest decimals (from the default, at most 6) at which every
    /// non-zero value keeps two significant digits, so that −0.0002 is never
    /// shown as 0.0 and an interval's ends show on which side of zero they lie.
    pub fn decimals_for(self, values: &[f64]) -> usize {
        let mut d = self.decimals();
        for &v in values {
            let x = self.scaled(v).abs();
            if x > 0.0 && x.is_finite() {
                let need = (1.0 - x.log10().floor()).max(0.0) as usize;
                d = d.max(need.min(6));
            }
        }
        d
    }

    /// A bare number on the scale shown, for an axis whose title gives the
    /// unit: "40", "−1,200", "0.05".
    pub fn tick(self, v: f64, decimals: usize) -> String {
        thousands(self.scaled(v), decimals)
    }

    /// A bare signed number on the scale shown, for a difference axis.
    pub fn signed_tick(self, v: f64, decimals: usize) -> String {
        signed(self.scaled(v), decimals)
    }

    /// The unit marks around a number already scaled and written.
    fn mark(self, body: String, difference: bool) -> String {
        match self {
            Format::Share if difference => format!("{body} pp"),
            Format::Share => format!("{body}%"),
            Format::Money => match body.strip_prefix(['+', MINUS]) {
                Some(rest) => format!("{}£{rest}m", &body[..body.len() - rest.len()]),
                None => format!("£{body}m"),
            },
            Format::Count | Format::Index(_) => body,
        }
    }
}

/// Digits grouped in thousands with a true minus: −1841.6 with 0 decimals
/// is "−1,842"; a value that rounds to zero has no sign.
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
    if v < 0.0 && nonzero(&text) { format!("{MINUS}{out}") } else { out }
}

/// A signed number: "+0.036", "−0.7", and "0.0" with no sign.
pub fn signed(v: f64, decimals: usize) -> String {
    let body = thousands(v, decimals);
    if !body.starts_with(MINUS) && nonzero(&body) { format!("+{body}") } else { body }
}

fn nonzero(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit() && c != '0')
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: Format = Format::Index("0.05 means 5% smaller");

    #[test]
    fn each_format_writes_levels_and_differences_in_its_unit() {
        assert_eq!(Format::Share.level(0.4234), "42.3%");
        assert_eq!(Format::Share.difference(0.044), "+4.4 pp");
        assert_eq!(Format::Money.level(-1841.4), "\u{2212}£1,841m");
        assert_eq!(Format::Money.level(747.0), "£747m");
        assert_eq!(Format::Money.difference(120.0), "+£120m");
        assert_eq!(Format::Money.difference(-32_000.0), "\u{2212}£32,000m");
        assert_eq!(Format::Count.level(19.0), "19.0");
        assert_eq!(INDEX.level(0.0456), "0.046");
        assert_eq!(INDEX.difference(0.036), "+0.036");
        assert_eq!(INDEX.meaning(), Some("0.05 means 5% smaller"));
        assert_eq!(Format::Share.meaning(), None);
    }

    #[test]
    fn an_interval_near_zero_keeps_its_sign() {
        let [med, lo, hi] = Format::Share.interval([-0.007, -0.013, -0.000002]);
        assert_eq!(hi, "\u{2212}0.00020 pp", "two significant digits of -0.0002 percentage points");
        assert!(med.starts_with(MINUS) && lo.starts_with(MINUS));
        assert_eq!(Format::Share.difference(0.0), "0.0 pp", "zero has no sign");
        assert_eq!(thousands(-0.2, 0), "0", "no minus on a value that rounds to zero");
    }

    #[test]
    fn ticks_are_bare_numbers_on_the_scale_shown() {
        assert_eq!(Format::Share.tick(0.4, 0), "40");
        assert_eq!(Format::Money.tick(-1200.0, 0), "\u{2212}1,200");
        assert_eq!(Format::Share.signed_tick(0.005, 1), "+0.5");
    }
}
