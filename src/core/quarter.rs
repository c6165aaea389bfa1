//! Calendar quarters (`2016Q1`) and NHS financial years (April to March).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A calendar quarter, stored as `year * 4 + (q - 1)` so arithmetic is plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(i32);

impl Quarter {
    pub fn new(year: i32, q: u8) -> Option<Quarter> {
        ((1..=4).contains(&q) && (1900..=2200).contains(&year)).then(|| Quarter(year * 4 + q as i32 - 1))
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    /// 1 to 4.
    pub fn q(self) -> u8 {
        (self.0.rem_euclid(4) + 1) as u8
    }

    /// Calendar year in which this quarter's financial year starts: Q2 to Q4
    /// belong to the year that starts this April, Q1 to the one before.
    pub fn financial_year(self) -> i32 {
        if self.q() >= 2 { self.year() } else { self.year() - 1 }
    }

    pub fn index(self) -> i32 {
        self.0
    }

    pub fn next(self) -> Quarter {
        Quarter(self.0 + 1)
    }

    /// Quarters from `self` to `other`, inclusive of both ends (0 if other is earlier).
    pub fn span_to(self, other: Quarter) -> usize {
        (other.0 - self.0 + 1).max(0) as usize
    }

    pub fn offset(self, n: usize) -> Quarter {
        Quarter(self.0 + n as i32)
    }

    /// Parses exactly `YYYYQn` (four digits, `Q` or `q`, one digit from 1 to
    /// 4), surrounding whitespace ignored; the error says what is allowed.
    pub fn parse(s: &str) -> Result<Quarter, String> {
        let t = s.trim();
        let shown = crate::core::text::shorten(s, 40);
        let bad = || format!("a quarter written YYYYQn with n from 1 to 4, such as 2017Q2 (got \"{shown}\")");
        let b = t.as_bytes();
        if b.len() != 6
            || !b[..4].iter().all(u8::is_ascii_digit)
            || !matches!(b[4], b'Q' | b'q')
            || !b[5].is_ascii_digit()
        {
            return Err(bad());
        }
        let year = b[..4].iter().fold(0i32, |y, d| y * 10 + i32::from(d - b'0'));
        let q = b[5] - b'0';
        if !(1..=4).contains(&q) {
            return Err(format!("a quarter number from 1 to 4 (got Q{q} in \"{shown}\")"));
        }
        Quarter::new(year, q).ok_or_else(|| format!("a year from 1900 to 2200 (got {year})"))
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year(), self.q())
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// As written: `2016Q1` (a stored file read back).
impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quarter, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Quarter::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Parses a financial year written `2016/17`; returns its starting calendar year.
pub fn parse_financial_year(s: &str) -> Result<i32, String> {
    let bad = || format!("a financial year written like 2016/17 (got \"{}\")", crate::core::text::shorten(s, 40));
    let (a, b) = s.trim().split_once('/').ok_or_else(bad)?;
    let start: i32 = a.parse().map_err(|_| bad())?;
    let end: i32 = b.parse().map_err(|_| bad())?;
    if b.len() != 2 || end != (start + 1).rem_euclid(100) || !(1900..=2200).contains(&start) {
        return Err(bad());
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_roundtrip_and_arithmetic() {
        let q = Quarter::parse("2016Q1").unwrap();
        assert_eq!(q.to_string(), "2016Q1");
        assert_eq!(q.offset(20).to_string(), "2021Q1");
        assert_eq!(q.span_to(Quarter::parse("2021Q1").unwrap()), 21);
        assert_eq!(q.financial_year(), 2015);
        assert_eq!(q.next().financial_year(), 2016);
        assert_eq!(Quarter::parse("2017Q1").unwrap().financial_year(), 2016);
    }

    #[test]
    fn bad_quarters_say_what_is_allowed() {
        assert!(Quarter::parse("2017Q5").unwrap_err().contains("from 1 to 4"));
        assert!(Quarter::parse("2017").is_err());
        assert!(Quarter::parse("Q1").is_err());
        assert!(Quarter::parse("99999Q1").is_err());
        for bad in ["+2016Q+1", "2021Q01", "2021Q1x", "2021 Q1", "٢٠٢١Q1", "-2016Q1", "2016Q", "2016Q-1", "02016Q1"]
        {
            assert!(Quarter::parse(bad).is_err(), "{bad} is not YYYYQn");
        }
        assert_eq!(Quarter::parse(" 2021q3\n").unwrap().to_string(), "2021Q3");
        assert!(Quarter::parse("1899Q4").unwrap_err().contains("1900 to 2200"));
    }

    #[test]
    fn financial_years() {
        assert_eq!(parse_financial_year("2016/17"), Ok(2016));
        assert_eq!(parse_financial_year("1999/00"), Ok(1999));
        assert!(parse_financial_year("2016/18").is_err());
        assert!(parse_financial_year("2016").is_err());
    }
}
