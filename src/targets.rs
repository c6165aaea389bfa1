//! Calibration targets as data: published figures with their uncertainty,
//! and the parameters fitted to them with their prior ranges.

use crate::core::params::Params;
use crate::core::quarter::Quarter;
use crate::model::Metric;
use crate::scenario::error::{ScenarioError, SourceText};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// How uncertain a published figure is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Uncertainty {
    /// A survey of n respondents: the figure is a binomial share.
    Survey { n: u32 },
    /// A standard deviation in the metric's unit.
    Sd { sd: f64 },
}

/// One published figure: a metric at a quarter, or averaged over the four
/// quarters of a financial year, in one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Target {
    pub metric: Metric,
    /// Quarters averaged (one, or a financial year's four).
    pub quarters: Vec<Quarter>,
    /// As written: `2016Q4` or `2016/17`.
    pub when: String,
    pub scenario: String,
    pub value: f64,
    pub uncertainty: Uncertainty,
    pub source: String,
    /// Where the target's quarter or year is written (`file:line`), for
    /// messages found later, such as a quarter outside its scenario's run.
    #[serde(skip)]
    pub place: String,
}

/// One target against the posterior predictive distribution.
#[derive(Clone, Debug, Serialize)]
pub struct TargetFit {
    pub label: String,
    pub metric: &'static str,
    pub when: String,
    pub scenario: String,
    pub value: f64,
    pub sd: f64,
    pub source: String,
    /// Model value over posterior draws and replicates: 5%, 50%, 95%.
    pub model: [f64; 3],
    /// What a survey or account of the model would report: 5%, 50%, 95%.
    pub reported: [f64; 3],
    /// The published figure inside the 90% interval of what would be reported.
    pub inside: bool,
}

impl Target {
    /// Standard deviation of the observed figure.
    pub fn sd(&self) -> f64 {
        match self.uncertainty {
            Uncertainty::Survey { n } => (self.value * (1.0 - self.value) / n as f64).sqrt().max(1e-9),
            Uncertainty::Sd { sd } => sd,
        }
    }

    /// The figure's 90% sampling interval: a survey of n (binomial, normal
    /// approximation) or an account with its stated sd. Every chart that
    /// shows a published figure draws this one interval.
    pub fn interval(&self) -> (f64, f64) {
        (self.value - Z90 * self.sd(), self.value + Z90 * self.sd())
    }

    pub fn label(&self) -> String {
        format!("{} {} ({})", self.metric.name(), self.when, self.scenario)
    }
}

/// The z of a two-sided 90% interval.
pub const Z90: f64 = 1.6448536269514722;

/// A fitted parameter and its uniform prior.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prior {
    pub name: &'static str,
    pub lo: f64,
    pub hi: f64,
}

/// A targets file: what to fit, and to what.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Targets {
    pub targets: Vec<Target>,
    pub priors: Vec<Prior>,
    /// SHA-256 of the file's bytes, so a resumed calibration fits the same targets.
    pub sha256: String,
}

/// The England targets shipped with the library (data/targets.toml): the
/// figures the built-in England posterior was fitted to.
pub const ENGLAND: &str = include_str!("../data/targets.toml");

/// Parameters calibrated by default (spec 1.4, section 6), with prior ranges
/// inside the dictionary's.
pub const DEFAULT_PRIORS: &[(&str, f64, f64)] = &[
    ("beta0", 0.0, 1.2),
    ("p_unsure0", 0.6, 0.9),
    ("kappa_contact", 0.1, 1.0),
    ("turnover", 0.02, 0.3),
    ("support_margin", 0.0, 0.02),
    ("b_trust", 0.5, 4.0),
    ("b_loyalty", 0.5, 4.0),
    ("b_deficit", 0.2, 2.0),
    ("structural_mean_acute", -0.06, -0.02),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    target: Option<Vec<Spanned<RawTarget>>>,
    priors: Option<BTreeMap<Spanned<String>, Spanned<[f64; 2]>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    metric: Spanned<String>,
    quarter: Option<Spanned<String>>,
    year: Option<Spanned<String>>,
    scenario: Option<Spanned<String>>,
    value: Spanned<f64>,
    survey_n: Option<Spanned<i64>>,
    sd: Option<Spanned<f64>>,
    source: Option<String>,
}

/// Reads a targets file; every mistake names file, line, field, value and what is allowed.
pub fn parse(text: &str, file: &str) -> Result<Targets, ScenarioError> {
    use sha2::Digest;
    let src = SourceText { file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| src.from_toml(&e))?;
    let mut targets = Vec::new();
    for (i, t) in raw.target.iter().flatten().enumerate() {
        let (span, t) = (t.span(), t.get_ref());
        let at = |f: &str| format!("target[{i}].{f}");
        let name = t.metric.get_ref();
        let metric = Metric::parse(name).ok_or_else(|| {
            let near = crate::core::text::nearest(name, Metric::ALL.iter().map(|m| m.name()), 1);
            src.at(
                t.metric.span(),
                &at("metric"),
                &format!("\"{name}\""),
                "is not a metric",
                &format!(
                    "did you mean \"{}\"? `stpsim params` lists the metrics with the results",
                    near.first().copied().unwrap_or("")
                ),
            )
        })?;
        let when_span = t.quarter.as_ref().or(t.year.as_ref()).map_or(span.clone(), |w| w.span());
        let place = format!("{file}:{}", text[..when_span.start.min(text.len())].matches('\n').count() + 1);
        let (quarters, when) = match (&t.quarter, &t.year) {
            (Some(q), None) => {
                let parsed = Quarter::parse(q.get_ref()).map_err(|rule| {
                    src.at(q.span(), &at("quarter"), &format!("\"{}\"", q.get_ref()), "is not a quarter", &rule)
                })?;
                (vec![parsed], q.get_ref().clone())
            }
            (None, Some(y)) => {
                let start = crate::core::quarter::parse_financial_year(y.get_ref()).map_err(|rule| {
                    src.at(y.span(), &at("year"), &format!("\"{}\"", y.get_ref()), "is not a financial year", &rule)
                })?;
                let q2 = Quarter::new(start, 2).expect("Q2 exists");
                ((0..4).map(|k| q2.offset(k)).collect(), y.get_ref().clone())
            }
            _ => {
                return Err(src.at(
                    span,
                    &format!("target[{i}]"),
                    "",
                    "needs exactly one of `quarter` and `year`",
                    "quarter = \"2016Q4\" or year = \"2016/17\" (the mean of its four quarters)",
                ));
            }
        };
        let scenario = t.scenario.as_ref().map_or("baseline".to_string(), |s| s.get_ref().clone());
        let value = *t.value.get_ref();
        let (lo, hi) = metric.widest_range();
        if !value.is_finite() || value < lo || value > hi {
            return Err(src.at(
                t.value.span(),
                &at("value"),
                &value.to_string(),
                &format!("is outside what {} can take", metric.name()),
                &format!("a number from {lo} to {hi}"),
            ));
        }
        let uncertainty = match (&t.survey_n, &t.sd) {
            (Some(n), None) => {
                let nv = *n.get_ref();
                if !(1..=10_000_000).contains(&nv) || metric.unit() != "share" {
                    return Err(src.at(
                        n.span(),
                        &at("survey_n"),
                        &nv.to_string(),
                        "is not a survey size for this metric",
                        "a whole number of respondents from 1 to 10000000, for a share metric",
                    ));
                }
                Uncertainty::Survey { n: nv as u32 }
            }
            (None, Some(sd)) => {
                let v = *sd.get_ref();
                if !(v.is_finite() && v > 0.0) {
                    return Err(src.at(
                        sd.span(),
                        &at("sd"),
                        &v.to_string(),
                        "is not a standard deviation",
                        "a number above 0, in the metric's unit",
                    ));
                }
                Uncertainty::Sd { sd: v }
            }
            _ => {
                return Err(src.at(
                    span,
                    &format!("target[{i}]"),
                    "",
                    "needs exactly one of `survey_n` and `sd`",
                    "survey_n = 200 (a survey's sample size, read as binomial) or sd = 100 (in the metric's unit)",
                ));
            }
        };
        targets.push(Target {
            metric,
            quarters,
            when,
            scenario,
            value,
            uncertainty,
            source: t.source.clone().unwrap_or_default(),
            place,
        });
    }
    if targets.is_empty() {
        return Err(src.at(
            0..0,
            "target",
            "",
            "is missing: the file has no [[target]]",
            "at least one [[target]] with metric, quarter or year, value, and survey_n or sd",
        ));
    }
    let priors = match &raw.priors {
        None => DEFAULT_PRIORS.iter().map(|&(name, lo, hi)| Prior { name, lo, hi }).collect(),
        Some(map) => {
            let mut v = Vec::new();
            for (k, r) in map {
                let name = k.get_ref();
                let Some(def) = Params::def(name) else {
                    let near =
                        crate::core::text::nearest(name, crate::core::params::DICTIONARY.iter().map(|d| d.name), 1);
                    return Err(src.at(
                        k.span(),
                        &format!("priors.{name}"),
                        "",
                        "is not a parameter",
                        &format!("did you mean `{}`? `stpsim params` lists them", near.first().copied().unwrap_or("")),
                    ));
                };
                let [lo, hi] = *r.get_ref();
                // The dictionary's range, clipped by the file's.
                let (lo, hi) = (lo.max(def.min), hi.min(def.max));
                if lo >= hi || lo.is_nan() || hi.is_nan() || def.integer() {
                    return Err(src.at(r.span(), &format!("priors.{name}"), &format!("{:?}", r.get_ref()), "is not a range to fit over", &format!("[low, high] with low below high, inside {} to {}, for a parameter that is not a whole number", def.min, def.max)));
                }
                v.push(Prior { name: def.name, lo, hi });
            }
            if v.is_empty() {
                let at = text.find("[priors]").map_or(0, |i| i + 1);
                return Err(src.at(
                    at..at + 6,
                    "priors",
                    "",
                    "is empty: there is nothing to fit",
                    "at least one parameter with its range, such as beta0 = [0.0, 1.2]; or leave [priors] out \
                     for the default set",
                ));
            }
            v
        }
    };
    let sha256 = sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Targets { targets, priors, sha256 })
}

/// Reads a targets file from disk.
pub fn load(path: &std::path::Path) -> Result<Targets, ScenarioError> {
    let file = path.display().to_string();
    // A regular file only, at most the input bound: never a FIFO or /dev/zero.
    let text = crate::scenario::read::read_text(path, &file)?;
    parse(&text, &file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "[[target]]\nmetric = \"self_priority_share\"\nquarter = \"2016Q4\"\nvalue = 0.62\nsurvey_n = 200\n\
                      [[target]]\nmetric = \"provider_balance_gbp_m\"\nyear = \"2016/17\"\nvalue = -791\nsd = 100\n\
                      [priors]\nbeta0 = [0.2, 30.0]\n";

    #[test]
    fn reads_quarters_years_surveys_and_clipped_priors() {
        let t = parse(OK, "t.toml").unwrap();
        assert_eq!(t.targets[0].uncertainty, Uncertainty::Survey { n: 200 });
        assert!((t.targets[0].sd() - (0.62f64 * 0.38 / 200.0).sqrt()).abs() < 1e-12);
        assert_eq!(t.targets[1].quarters.len(), 4);
        assert_eq!(t.targets[1].quarters[0].to_string(), "2016Q2");
        assert_eq!(t.targets[1].scenario, "baseline");
        assert_eq!(t.priors, vec![Prior { name: "beta0", lo: 0.2, hi: 10.0 }], "clipped to the dictionary's range");
        assert_eq!(t.sha256.len(), 64);
    }

    #[test]
    fn mistakes_say_where_and_what_is_allowed() {
        let e = parse(&OK.replace("self_priority_share", "self_priority"), "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:2:10: `target[0].metric` = \"self_priority\" is not a metric"), "{e}");
        let e = parse(&OK.replace("survey_n = 200", "survey_n = 0"), "t.toml").unwrap_err().to_string();
        assert!(e.contains("`target[0].survey_n` = 0") && e.contains("allowed: a whole number"), "{e}");
        let e = parse(&OK.replace("sd = 100", "sd = 100\nsurvey_n = 3"), "t.toml").unwrap_err().to_string();
        assert!(e.contains("needs exactly one of `survey_n` and `sd`"), "{e}");
        let e = parse(&OK.replace("year = \"2016/17\"", "year = \"2016\""), "t.toml").unwrap_err().to_string();
        assert!(e.contains("is not a financial year"), "{e}");
        let e = parse(&OK.replace("value = 0.62", "value = 1.62"), "t.toml").unwrap_err().to_string();
        assert!(e.contains("allowed: a number from 0 to 1"), "{e}");
        let e = parse(&OK.replace("beta0 = [0.2, 30.0]", "beta1 = [0.2, 3.0]"), "t.toml").unwrap_err().to_string();
        assert!(e.contains("`priors.beta1` is not a parameter") && e.contains("beta0"), "{e}");
        let e = parse(&OK.replace("beta0 = [0.2, 30.0]", "beta0 = [3.0, 0.2]"), "t.toml").unwrap_err().to_string();
        assert!(e.contains("is not a range to fit over"), "{e}");
        let e = parse(&OK.replace("beta0 = [0.2, 30.0]", ""), "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:11:2: `priors` is empty: there is nothing to fit"), "{e}");
        assert_eq!(parse(OK, "t.toml").unwrap().targets[1].place, "t.toml:8");
        let e = parse("[priors]\n", "t.toml").unwrap_err().to_string();
        assert!(e.contains("no [[target]]"), "{e}");
    }
}
