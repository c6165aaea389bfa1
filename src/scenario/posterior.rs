//! Which posterior a run uses: the England posterior is built in and used
//! by default; `none` gives the spec's defaults; a file gives another. A
//! parameter the scenario itself sets in `[params]` (or a sweep's factor)
//! is held at that value in every replicate. Every front (command line,
//! Python, sweeps) asks [`choose`] and [`held`], so the rule lives here once.

use super::{Scenario, StructureSpec};
use crate::core::posterior::{Posterior, PosteriorError};
use std::path::Path;
use std::sync::OnceLock;

/// The name of the built-in England posterior.
pub const ENGLAND: &str = "england";
/// The name that asks for the spec's defaults, without a posterior.
pub const NONE: &str = "none";
/// The England posterior (data/posterior-england.csv), compiled in so that
/// no run depends on the working directory.
pub const ENGLAND_CSV: &str = include_str!("../../data/posterior-england.csv");
/// How manifests and reports name the built-in posterior.
pub const ENGLAND_SOURCE: &str = "built-in:england (data/posterior-england.csv)";

/// The built-in England posterior, parsed once.
pub fn england() -> &'static Posterior {
    static P: OnceLock<Posterior> = OnceLock::new();
    P.get_or_init(|| {
        Posterior::parse(ENGLAND_CSV, ENGLAND_SOURCE).unwrap_or_else(|e| unreachable!("the built-in posterior: {e}"))
    })
}

/// A posterior as named by a user: `england`, `none`, or a file.
pub fn by_name(name: &str) -> Result<Option<Posterior>, PosteriorError> {
    match name {
        NONE => Ok(None),
        ENGLAND => Ok(Some(england().clone())),
        file => Posterior::load(Path::new(file)).map(Some),
    }
}

/// What a run uses, and why, in words for its first line and manifest.
#[derive(Clone, Debug)]
pub struct Choice {
    pub posterior: Option<Posterior>,
    /// True when nobody asked: the built-in default.
    pub by_default: bool,
    /// Where the choice came from: `--posterior`, a scenario's `posterior`, or the default.
    pub from: String,
}

impl Choice {
    /// One line: what the replicates' parameters are.
    pub fn describe(&self) -> String {
        match &self.posterior {
            None => format!("at the spec's default parameters ({})", self.from),
            Some(p) if p.source == ENGLAND_SOURCE => {
                format!("over the England posterior (built in, {} draws; {})", p.draws.len(), self.from)
            }
            Some(p) => format!("over the posterior {} ({} draws; {})", p.source, p.draws.len(), self.from),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChoiceError {
    #[error(transparent)]
    Posterior(#[from] PosteriorError),
    #[error(
        "scenarios `{a}` and `{b}` ask for different posteriors (`{va}` and `{vb}`); one run draws every scenario's \
         parameters from one posterior: give --posterior, or the same `posterior` in each"
    )]
    Conflict { a: String, va: String, b: String, vb: String },
}

/// Which posterior a run of `scenarios` uses: `asked` (the request's
/// `--posterior`) wins; else the scenarios' own `posterior` field (all that
/// set it must agree); else the built-in England posterior, whatever the
/// structure (its behavioural parameters carry over to a synthetic or file
/// structure, whose organisations and footprints are then its own).
pub fn choose(asked: Option<&str>, scenarios: &[Scenario]) -> Result<Choice, ChoiceError> {
    if let Some(name) = asked {
        return Ok(Choice { posterior: by_name(name)?, by_default: false, from: format!("--posterior {name}") });
    }
    let mut set = scenarios.iter().filter_map(|s| s.posterior.as_ref().map(|p| (s, p)));
    if let Some((first, value)) = set.next() {
        if let Some((other, v)) = set.find(|(_, v)| *v != value) {
            return Err(ChoiceError::Conflict {
                a: first.name.clone(),
                va: value.clone(),
                b: other.name.clone(),
                vb: v.clone(),
            });
        }
        return Ok(Choice {
            posterior: by_name(value)?,
            by_default: false,
            from: format!("scenario {}: posterior = \"{value}\"", first.name),
        });
    }
    let structure = if scenarios.iter().all(|s| matches!(s.structure, StructureSpec::England)) {
        "the default on England"
    } else {
        "the default; on a synthetic or file structure the behavioural parameters carry over and the organisations \
         and footprints are the structure's"
    };
    Ok(Choice {
        posterior: Some(england().clone()),
        by_default: true,
        from: format!("{structure}; --posterior none for the spec's defaults"),
    })
}

/// The posterior's parameters a scenario holds fixed: those its own
/// `[params]` (or a file it extends, or a sweep's factor) sets.
pub fn held(p: &Posterior, s: &Scenario) -> Vec<&'static str> {
    p.names.iter().copied().filter(|n| s.set_params.iter().any(|x| x == n)).collect()
}
