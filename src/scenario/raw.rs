//! The raw layer: what a scenario file may contain, as written, with spans.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A number written as an integer or a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(Num(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    pub extends: Option<Spanned<String>>,
    pub start: Option<Spanned<String>>,
    pub end: Option<Spanned<String>>,
    pub replicates: Option<Spanned<Num>>,
    pub seed: Option<Spanned<Num>>,
    pub structure: Option<RawStructure>,
    pub params: Option<BTreeMap<Spanned<String>, Spanned<Num>>>,
    pub levers: Option<Vec<RawLever>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStructure {
    pub kind: Option<Spanned<String>>,
    pub footprints: Option<Spanned<Num>>,
    pub path: Option<Spanned<String>>,
    pub ready: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLever {
    pub kind: Spanned<String>,
    pub start: Spanned<String>,
    pub end: Option<Spanned<String>>,
    pub footprints: Option<Spanned<toml::Value>>,
    pub authority: Option<Spanned<Num>>,
    pub decision_rights: Option<Spanned<bool>>,
    pub formal_appointment: Option<Spanned<bool>>,
    pub share: Option<Spanned<Num>>,
    pub probability: Option<Spanned<Num>>,
    pub council_seats: Option<Spanned<Num>>,
    pub hazard: Option<Spanned<Num>>,
    pub pace: Option<Spanned<Num>>,
    pub threshold: Option<Spanned<Num>>,
    pub quarters: Option<Spanned<Num>>,
    pub designate: Option<Spanned<bool>>,
    pub years: Option<Spanned<Vec<RawYear>>>,
}

impl RawLever {
    /// The optional fields present, by name, with their spans.
    pub fn fields_present(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut v = Vec::new();
        let mut add = |n: &'static str, s: Option<std::ops::Range<usize>>| {
            if let Some(s) = s {
                v.push((n, s));
            }
        };
        add("footprints", self.footprints.as_ref().map(|x| x.span()));
        add("authority", self.authority.as_ref().map(|x| x.span()));
        add("decision_rights", self.decision_rights.as_ref().map(|x| x.span()));
        add("formal_appointment", self.formal_appointment.as_ref().map(|x| x.span()));
        add("share", self.share.as_ref().map(|x| x.span()));
        add("probability", self.probability.as_ref().map(|x| x.span()));
        add("council_seats", self.council_seats.as_ref().map(|x| x.span()));
        add("hazard", self.hazard.as_ref().map(|x| x.span()));
        add("pace", self.pace.as_ref().map(|x| x.span()));
        add("threshold", self.threshold.as_ref().map(|x| x.span()));
        add("quarters", self.quarters.as_ref().map(|x| x.span()));
        add("designate", self.designate.as_ref().map(|x| x.span()));
        add("years", self.years.as_ref().map(|x| x.span()));
        v
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawYear {
    pub year: Spanned<String>,
    pub total_gbp_bn: Spanned<Num>,
    pub transformation_share: Spanned<Num>,
}

pub fn parse(text: &str) -> Result<RawScenario, toml::de::Error> {
    toml::from_str(text)
}
