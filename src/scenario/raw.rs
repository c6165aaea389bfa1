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
    /// `none`, `england`, or a posterior file relative to this file.
    pub posterior: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStructure {
    pub kind: Option<Spanned<String>>,
    pub footprints: Option<Spanned<Num>>,
    pub path: Option<Spanned<String>>,
    pub ready: Option<Spanned<Vec<String>>>,
}

/// A lever as written: its kind, timing and footprints, then its fields by
/// name (the lever table says which fields exist and how each is written).
#[derive(Debug)]
pub struct RawLever {
    pub kind: Spanned<String>,
    pub start: Spanned<String>,
    pub end: Option<Spanned<String>>,
    pub footprints: Option<Spanned<toml::Value>>,
    pub fields: Vec<(&'static str, RawField)>,
}

/// A lever field's value as written, in the form the lever table gives it.
#[derive(Debug)]
pub enum RawField {
    Num(Spanned<Num>),
    Switch(Spanned<bool>),
    Years(Spanned<Vec<RawYear>>),
}

impl RawField {
    pub fn span(&self) -> std::ops::Range<usize> {
        match self {
            RawField::Num(v) => v.span(),
            RawField::Switch(v) => v.span(),
            RawField::Years(v) => v.span(),
        }
    }
}

impl RawLever {
    /// The optional fields present, by name, with their spans.
    pub fn fields_present(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let fp = self.footprints.as_ref().map(|x| ("footprints", x.span()));
        fp.into_iter().chain(self.fields.iter().map(|(n, v)| (*n, v.span()))).collect()
    }

    pub fn field(&self, name: &str) -> Option<&RawField> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Every key a lever table may hold: its own, then each kind's fields.
fn lever_keys() -> &'static [&'static str] {
    static KEYS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut v = vec!["kind", "start", "end", "footprints"];
        for f in crate::model::levers::LEVERS.iter().flat_map(|d| d.fields) {
            if !v.contains(&f.name) {
                v.push(f.name);
            }
        }
        v
    });
    &KEYS
}

/// A lever table's key, checked while it is read so that a misspelt one is
/// located like any unknown field.
struct LeverKey(&'static str);

impl<'de> Deserialize<'de> for LeverKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<LeverKey, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = LeverKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a lever field")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LeverKey, E> {
                let keys = lever_keys();
                keys.iter().find(|k| **k == v).map(|k| LeverKey(k)).ok_or_else(|| E::unknown_field(v, keys))
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de> Deserialize<'de> for RawLever {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawLever, D::Error> {
        use crate::model::levers::{Form, LEVERS};
        use serde::de::Error;
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawLever;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a lever table")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<RawLever, A::Error> {
                let (mut kind, mut start, mut end, mut footprints) = (None, None, None, None);
                let mut fields = Vec::new();
                while let Some(LeverKey(k)) = m.next_key()? {
                    match k {
                        "kind" => kind = Some(m.next_value()?),
                        "start" => start = Some(m.next_value()?),
                        "end" => end = Some(m.next_value()?),
                        "footprints" => footprints = Some(m.next_value()?),
                        name => {
                            let form = LEVERS.iter().flat_map(|d| d.fields).find(|f| f.name == name).map(|f| f.form);
                            let v = match form {
                                Some(Form::Switch) => RawField::Switch(m.next_value()?),
                                Some(Form::Years) => RawField::Years(m.next_value()?),
                                Some(Form::Number | Form::Whole) | None => RawField::Num(m.next_value()?),
                            };
                            fields.push((name, v));
                        }
                    }
                }
                Ok(RawLever {
                    kind: kind.ok_or_else(|| A::Error::missing_field("kind"))?,
                    start: start.ok_or_else(|| A::Error::missing_field("start"))?,
                    end,
                    footprints,
                    fields,
                })
            }
        }
        d.deserialize_map(V)
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
