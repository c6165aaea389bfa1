//! Scenarios from the page: every one goes through the library's raw ->
//! validated path (`scenario::load_text`), so a mistake gets the message a
//! file would, then through the explorer's own limits. Nothing here reads a
//! file: a scenario may extend only built-in scenarios, and a structure file
//! is refused.

use super::levers::years;
use serde::Serialize;
use serde_json::{Value, json};
use stpsim::model::levers::Targets;
use stpsim::scenario::error::SourceText;
use stpsim::scenario::{Scenario, ScenarioError, StructureSpec, raw};

/// The most replicates one run may ask for.
pub const MAX_REPLICATES: u32 = 1000;
/// The most footprints x replicates per scenario: England (44 footprints) at
/// `MAX_REPLICATES`, or fewer replicates of a larger structure.
pub const MAX_FOOTPRINT_REPLICATES: u64 = 44 * MAX_REPLICATES as u64;
/// Replicates and seed when a scenario names none (as `stpsim run`).
pub const DEFAULT_REPLICATES: u32 = stpsim::core::defaults::REPLICATES;
pub const DEFAULT_SEED: u64 = stpsim::core::defaults::SEED;

/// A refused request: what to show, and beside which field.
#[derive(Debug, Serialize)]
pub struct Refusal {
    pub error: String,
    /// The dotted field of the scenario error (`levers[0].authority`), if any.
    pub field: Option<String>,
    /// Which scenario: "base" or "edited".
    pub scenario: Option<&'static str>,
}

impl Refusal {
    pub fn plain(msg: impl Into<String>) -> Refusal {
        Refusal { error: msg.into(), field: None, scenario: None }
    }

    fn scenario(e: ScenarioError, which: &'static str) -> Refusal {
        // Several mistakes: the control of the first shows them all.
        let field = match e.all().first() {
            Some(ScenarioError::At(l)) if !l.field.is_empty() => Some(l.field.clone()),
            _ => None,
        };
        Refusal { error: e.to_string(), field, scenario: Some(which) }
    }
}

/// Loads a scenario's text as `file` (a built-in's file, or the name the page
/// gives an uploaded or edited one) and applies the explorer's limits.
pub fn load(text: &str, file: &str, which: &'static str) -> Result<Scenario, Refusal> {
    let src = SourceText { file, text };
    let raw = raw::parse(text).ok();
    if let Some(kind) = raw.as_ref().and_then(|r| r.structure.as_ref()).and_then(|s| s.kind.as_ref()) {
        if kind.get_ref() == "file" {
            return Err(Refusal::scenario(
                src.at(
                    kind.span(),
                    "structure.kind",
                    "\"file\"",
                    "is not available in the explorer, which reads no files",
                    "\"england\" or \"synthetic\"; run a structure file with `stpsim run`",
                ),
                which,
            ));
        }
    }
    stpsim::scenario::load_text(text, file, None).map_err(|e| Refusal::scenario(e, which))
}

/// The file name errors in the edited scenario carry.
pub const EDITED_FILE: &str = "edited.toml";

/// A run compares two differently named scenarios, and both fit the
/// explorer's limit at the edited scenario's replicates.
pub fn check_pair(text: &str, base: &Scenario, edited: &Scenario, replicates: u32) -> Result<(), Refusal> {
    let src = SourceText { file: EDITED_FILE, text };
    let raw = raw::parse(text).ok();
    if edited.name == base.name {
        let span = raw.as_ref().and_then(|r| r.name.as_ref()).map_or(0..0, |n| n.span());
        return Err(Refusal::scenario(
            src.at(
                span,
                "name",
                &format!("\"{}\"", edited.name),
                "is the base scenario's name too",
                "another name, so the two can be told apart",
            ),
            "edited",
        ));
    }
    let footprints = base.footprint_names().len().max(edited.footprint_names().len()).max(1) as u64;
    let most = (MAX_FOOTPRINT_REPLICATES / footprints).clamp(1, MAX_REPLICATES as u64) as u32;
    if replicates > most {
        let span = raw.as_ref().and_then(|r| r.replicates.as_ref()).map_or(0..0, |r| r.span());
        let why = if most < MAX_REPLICATES {
            format!("is more than the explorer runs on a structure of {footprints} footprints")
        } else {
            "is more than the explorer runs".to_string()
        };
        return Err(Refusal::scenario(
            src.at(
                span,
                "replicates",
                &replicates.to_string(),
                &why,
                &format!("a whole number from 1 to {most} here; `stpsim run` runs more"),
            ),
            "edited",
        ));
    }
    Ok(())
}

/// A validated scenario as the page edits it: plain values, footprints by
/// name, parameters that differ from the dictionary's defaults.
pub fn view(s: &Scenario, text: &str) -> Value {
    let names = s.footprint_names();
    let levers: Vec<Value> = s
        .levers
        .iter()
        .map(|l| {
            let mut fields = serde_json::to_value(&l.action).unwrap_or_default();
            if let Some(m) = fields.as_object_mut() {
                m.remove("kind");
                if let stpsim::model::levers::LeverAction::StfSchedule(k) = &l.action {
                    m.insert("years".into(), years(&k.years));
                }
            }
            let footprints = match &l.footprints {
                Targets::National => Value::Null,
                Targets::All => json!("all"),
                Targets::Named(ix) => ix.iter().filter_map(|&i| names.get(i)).cloned().collect(),
                Targets::MostReady(n) => json!({ "most_ready": n }),
                Targets::LeastReady(n) => json!({ "least_ready": n }),
            };
            json!({
                "kind": l.action.name(),
                "start": l.start,
                "end": l.end,
                "footprints": footprints,
                "fields": fields,
            })
        })
        .collect();
    let structure = match &s.structure {
        StructureSpec::England => json!({ "kind": "england" }),
        StructureSpec::Synthetic { footprints } => json!({ "kind": "synthetic", "footprints": footprints }),
        StructureSpec::File { .. } => json!({ "kind": "file" }),
    };
    let params: serde_json::Map<String, Value> =
        s.changed_params().into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    json!({
        "name": s.name,
        "description": s.description,
        "start": s.start,
        "end": s.end,
        "replicates": s.replicates,
        "seed": s.seed,
        "structure": structure,
        "ready": s.ready,
        "footprints": names,
        "params": params,
        "levers": levers,
        "text": text,
    })
}
