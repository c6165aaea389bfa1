//! A posterior as weighted draws of named parameters (`posterior.csv`:
//! `draw,weight,<parameter columns>`), and how runs use it: replicate r takes
//! a draw chosen by weight from a stream keyed by (seed, r), the same in every
//! scenario of the run, so differences between scenarios stay paired.

use crate::core::params::{DICTIONARY, Params};
use crate::core::rng::{Stream, draw, key};
use rand::SeedableRng;
use std::io::{self, Write};
use std::path::Path;

#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    pub names: Vec<&'static str>,
    /// One row of parameter values per draw.
    pub draws: Vec<Vec<f64>>,
    /// Normalised to sum to 1.
    pub weights: Vec<f64>,
    /// Where it came from, for manifests and reports.
    pub source: String,
    /// SHA-256 of the file it was read from (empty if made in memory).
    pub sha256: String,
    /// Each draw's line in that file (empty if made in memory), for messages.
    lines: Vec<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum PosteriorError {
    #[error("{file}: cannot read the file: {reason}")]
    Read { file: String, reason: io::Error },
    #[error("{file}:{line}: {problem}\n  = allowed: {allowed}")]
    At { file: String, line: usize, problem: String, allowed: String },
}

/// Key part that names the posterior-draw stream.
const DRAW_STREAM: u64 = 0x504f_5354_4552;

impl Posterior {
    pub fn new(names: Vec<&'static str>, draws: Vec<Vec<f64>>, weights: &[f64], source: &str) -> Posterior {
        // Scaled by the largest first, so weights near f64::MAX do not
        // overflow their sum (which would leave every weight 0).
        let top = weights.iter().copied().fold(0.0, f64::max);
        let scaled: Vec<f64> = weights.iter().map(|w| if top > 0.0 { w / top } else { 0.0 }).collect();
        let total: f64 = scaled.iter().sum();
        let weights = scaled.iter().map(|w| if total > 0.0 { w / total } else { 0.0 }).collect();
        Posterior { names, draws, weights, source: source.into(), sha256: String::new(), lines: Vec::new() }
    }

    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "draw,weight,{}", self.names.join(","))?;
        for (i, (row, w)) in self.draws.iter().zip(&self.weights).enumerate() {
            let vals: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            writeln!(out, "{i},{w},{}", vals.join(","))?;
        }
        Ok(())
    }

    pub fn parse(text: &str, file: &str) -> Result<Posterior, PosteriorError> {
        let at = |line: usize, problem: String, allowed: &str| PosteriorError::At {
            file: file.into(),
            line,
            problem,
            allowed: allowed.into(),
        };
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| {
            at(1, "the file is empty".into(), "a header `draw,weight,<parameter names>` and one row per draw")
        })?;
        let cols: Vec<&str> = header.split(',').map(str::trim).collect();
        if cols.len() < 3 || cols[0] != "draw" || cols[1] != "weight" {
            return Err(at(
                1,
                format!("the header `{header}` is not a posterior's"),
                "draw,weight, then one column per parameter",
            ));
        }
        let mut names = Vec::new();
        for c in &cols[2..] {
            let def = Params::def(c).ok_or_else(|| {
                let near = crate::core::text::nearest(c, DICTIONARY.iter().map(|d| d.name), 1);
                at(
                    1,
                    format!("`{}` is not a parameter", crate::core::text::shorten(c, 60)),
                    &format!("names from `stpsim params`; did you mean `{}`?", near.first().copied().unwrap_or("")),
                )
            })?;
            if names.contains(&def.name) {
                return Err(at(1, format!("`{c}` appears twice"), "each parameter once"));
            }
            names.push(def.name);
        }
        let (mut draws, mut weights, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = std::collections::BTreeSet::new();
        let defs: Vec<_> = names.iter().map(|name| Params::def(name).expect("checked above")).collect();
        for (i, line) in lines {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != cols.len() {
                return Err(at(
                    i + 1,
                    format!("{} values where the header has {}", cells.len(), cols.len()),
                    "one value per column",
                ));
            }
            let number: Option<u64> = cells[0].parse().ok();
            let Some(_) = number.filter(|n| seen.insert(*n)) else {
                let problem = if number.is_some() {
                    format!("draw {} appears twice", cells[0])
                } else {
                    format!("draw `{}` is not a draw number", crate::core::text::shorten(cells[0], 40))
                };
                return Err(at(i + 1, problem, "a whole number from 0, each draw once"));
            };
            let w: f64 = cells[1]
                .parse()
                .ok()
                .filter(|w: &f64| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| at(i + 1, format!("weight `{}` is not a weight", cells[1]), "a number from 0 up"))?;
            let mut row = Vec::with_capacity(names.len());
            for ((name, def), cell) in names.iter().zip(&defs).zip(&cells[2..]) {
                // Shortened only for a message: most cells never need it.
                let shown = || crate::core::text::shorten(cell, 40);
                let v: f64 = cell
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| at(i + 1, format!("`{name}` = {} is not a number", shown()), &def.allowed()))?;
                if !def.accepts(v) {
                    return Err(at(i + 1, format!("`{name}` = {} is outside its range", shown()), &def.allowed()));
                }
                row.push(v);
            }
            draws.push(row);
            weights.push(w);
            numbers.push(i + 1);
        }
        if draws.is_empty() || weights.iter().sum::<f64>() <= 0.0 {
            return Err(at(
                1,
                "the file has no draw with weight above 0".into(),
                "at least one row with a positive weight",
            ));
        }
        let mut p = Posterior::new(names, draws, &weights, file);
        p.sha256 = crate::core::text::sha256(text);
        p.lines = numbers;
        Ok(p)
    }

    /// Reads a posterior file: a regular file only, at most the input bound.
    pub fn load(path: &Path) -> Result<Posterior, PosteriorError> {
        let file = path.display().to_string();
        let text = crate::fsx::max_input_bytes()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
            .and_then(|limit| crate::fsx::read_text(path, limit))
            .map_err(|reason| PosteriorError::Read { file: file.clone(), reason })?;
        Self::parse(&text, &file)
    }

    /// Every draw, set into `base` (a scenario's parameters, `held` kept),
    /// must keep the rules between parameters that `[params]` obeys: the
    /// draw's line, the rule broken and the scenario are named.
    pub fn check_rules(&self, base: &Params, held: &[&str], scenario: &str) -> Result<(), PosteriorError> {
        for d in 0..self.draws.len() {
            if let Err((name, rule)) = self.apply_holding(base, d, held).cross_check() {
                return Err(PosteriorError::At {
                    file: self.source.clone(),
                    line: self.lines.get(d).copied().unwrap_or(d + 2),
                    problem: format!(
                        "this draw, with scenario `{scenario}`'s other parameters, breaks a rule between parameters: \
                         `{name}` must be {rule}"
                    ),
                    allowed: format!("draws whose values keep {rule}"),
                });
            }
        }
        Ok(())
    }

    /// The draw replicate `r` takes: by weight, from a stream keyed by (seed, r).
    pub fn draw_for(&self, seed: u64, r: u64) -> usize {
        let mut rng = Stream::seed_from_u64(key(&[seed, r, DRAW_STREAM]));
        draw::categorical(&mut rng, &self.weights)
    }

    /// `base` with draw `d`'s values.
    pub fn apply(&self, base: &Params, d: usize) -> Params {
        self.apply_holding(base, d, &[])
    }

    /// `base` with draw `d`'s values, except the `held` parameters, which
    /// keep `base`'s (a scenario's own `[params]`, a sweep's factor).
    pub fn apply_holding(&self, base: &Params, d: usize, held: &[&str]) -> Params {
        let mut p = base.clone();
        for (name, v) in self.names.iter().zip(&self.draws[d]) {
            if !held.contains(name) {
                p.set(name, *v);
            }
        }
        p
    }

    /// Weighted quantile of parameter `k`.
    pub fn quantile(&self, k: usize, q: f64) -> f64 {
        let x: Vec<f64> = self.draws.iter().map(|r| r[k]).collect();
        crate::core::stats::quantile(&x, &self.weights, q)
    }

    /// The point estimate: each parameter's weighted median.
    pub fn point(&self) -> Vec<(&'static str, f64)> {
        (0..self.names.len()).map(|k| (self.names[k], self.quantile(k, 0.5))).collect()
    }
}

/// How much of the spread of `y` over replicates is parameter uncertainty
/// and how much chance: the adjusted R-squared of a least-squares fit of `y`
/// on each replicate's parameter values, E[y | theta] read as linear (law of
/// total variance: Var y = Var E[y | theta] + E Var[y | theta]). Returns
/// (parameter share, chance share); the parameter share is a lower bound
/// when E[y | theta] is far from linear.
pub fn variance_split(y: &[f64], theta: &[Vec<f64>]) -> (f64, f64) {
    let n = y.len();
    let d = theta.first().map_or(0, |t| t.len());
    let mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let tss: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    if n <= d + 2 || tss <= 0.0 {
        return (0.0, 1.0);
    }
    // Normal equations on centred, scaled predictors, with a tiny ridge for
    // parameters that did not vary.
    let mu: Vec<f64> = (0..d).map(|k| theta.iter().map(|t| t[k]).sum::<f64>() / n as f64).collect();
    let sd: Vec<f64> = (0..d)
        .map(|k| (theta.iter().map(|t| (t[k] - mu[k]).powi(2)).sum::<f64>() / n as f64).sqrt().max(1e-12))
        .collect();
    let x: Vec<Vec<f64>> = theta.iter().map(|t| (0..d).map(|k| (t[k] - mu[k]) / sd[k]).collect()).collect();
    let mut a = vec![0.0; d * d];
    let mut b = vec![0.0; d];
    for (xi, yi) in x.iter().zip(y) {
        for j in 0..d {
            b[j] += xi[j] * (yi - mean);
            for k in 0..d {
                a[j * d + k] += xi[j] * xi[k];
            }
        }
    }
    for j in 0..d {
        a[j * d + j] += 1e-9 * n as f64;
    }
    let l = crate::core::stats::cholesky(&a, d);
    // Solve L L' beta = b.
    let mut z = vec![0.0; d];
    for j in 0..d {
        z[j] = (b[j] - (0..j).map(|k| l[j * d + k] * z[k]).sum::<f64>()) / l[j * d + j];
    }
    let mut beta = vec![0.0; d];
    for j in (0..d).rev() {
        beta[j] = (z[j] - (j + 1..d).map(|k| l[k * d + j] * beta[k]).sum::<f64>()) / l[j * d + j];
    }
    let rss: f64 =
        x.iter().zip(y).map(|(xi, yi)| (yi - mean - (0..d).map(|k| beta[k] * xi[k]).sum::<f64>()).powi(2)).sum();
    let r2 = 1.0 - (rss / (n - d - 1) as f64) / (tss / (n - 1) as f64);
    let r2 = r2.clamp(0.0, 1.0);
    (r2, 1.0 - r2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_split_finds_the_parameter_share() {
        // y = 2 theta + noise, Var(2 theta) = 4 Var(theta) = 4/12 for U(0, 1); noise variance 1/3.
        use rand::SeedableRng;
        let mut rng = Stream::seed_from_u64(5);
        let theta: Vec<Vec<f64>> = (0..4000).map(|_| vec![draw::uniform(&mut rng), draw::uniform(&mut rng)]).collect();
        let y: Vec<f64> =
            theta.iter().map(|t| 2.0 * t[0] + draw::normal(&mut rng, 0.0, (1.0f64 / 3.0).sqrt())).collect();
        let (p, c) = super::variance_split(&y, &theta);
        assert!((p - 0.5).abs() < 0.03 && (p + c - 1.0).abs() < 1e-12, "parameter share {p}");
        let (p, _) = super::variance_split(&theta.iter().map(|_| 1.0).collect::<Vec<_>>(), &theta);
        assert_eq!(p, 0.0, "no spread: nothing to split");
    }

    #[test]
    fn writes_reads_and_draws_by_weight() {
        let p = Posterior::new(vec!["beta0", "turnover"], vec![vec![0.5, 0.1], vec![0.6, 0.2]], &[1.0, 3.0], "x");
        let mut buf = Vec::new();
        p.write_csv(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("draw,weight,beta0,turnover\n0,0.25,0.5,0.1\n"), "{text}");
        let back = Posterior::parse(&text, "x").unwrap();
        assert_eq!((&back.names, &back.draws, &back.weights), (&p.names, &p.draws, &p.weights));
        assert_eq!(back.sha256.len(), 64);
        let second = (0..4000).filter(|&r| p.draw_for(7, r) == 1).count() as f64 / 4000.0;
        assert!((second - 0.75).abs() < 0.03, "{second}");
        assert_eq!(p.draw_for(7, 3), p.draw_for(7, 3), "keyed: the same replicate takes the same draw");
        assert_eq!(p.apply(&Params::default(), 1).turnover, 0.2);
        let held = p.apply_holding(&Params::default(), 1, &["turnover"]);
        assert_eq!((held.turnover, held.beta0), (Params::default().turnover, 0.6), "a held parameter keeps its value");
        assert_eq!(p.point(), vec![("beta0", 0.6), ("turnover", 0.2)]);
    }

    #[test]
    fn mistakes_name_the_line_and_what_is_allowed() {
        let e = |t: &str| Posterior::parse(t, "p.csv").unwrap_err().to_string();
        assert!(e("draw,weight,beta9\n0,1,0.5\n").contains("p.csv:1: `beta9` is not a parameter"));
        assert!(e("draw,weight,beta0\n0,1,0.5,3\n").contains("p.csv:2: 4 values where the header has 3"));
        assert!(e("draw,weight,turnover\n0,1,1.5\n").contains("p.csv:2: `turnover` = 1.5 is outside its range"));
        assert!(e("draw,weight,beta0\n0,-1,0.5\n").contains("is not a weight"));
        assert!(e("draw,weight,beta0\n0,0,0.5\n").contains("no draw with weight above 0"));
        assert!(e("a,b\n").contains("is not a posterior's"));
    }
}
