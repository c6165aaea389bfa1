//! `stpsim validate`: check scenario files and show what they resolve to.

use super::emit;
use stpsim::Scenario;
use stpsim::model::levers::Targets;
use stpsim::scenario::{StructureSpec, load};

pub fn describe(s: &Scenario) -> String {
    let names = s.footprint_names();
    let mut out = format!("{} ({})\n", s.name, s.source);
    // A scenario without a description gets no empty line.
    if !s.description.trim().is_empty() {
        out += &format!("  {}\n", s.description);
    }
    let structure = match &s.structure {
        StructureSpec::England => "england (44 footprints)".to_string(),
        StructureSpec::Synthetic { footprints } => format!("synthetic ({})", counted(*footprints, "footprint")),
        StructureSpec::File { path, organisations } => {
            format!(
                "file {path} ({}, {})",
                counted(organisations.len(), "organisation"),
                counted(names.len(), "footprint")
            )
        }
    };
    out += &format!(
        "  quarters: {} to {} ({}); calendar quarters: {}\n  structure: {structure}\n",
        s.start,
        s.end,
        s.start.span_to(s.end),
        stpsim::results::numbers::calendar(s.start)
    );
    out += &structure_lines(s);
    for n in &s.notes {
        out += &format!("  note: {n}\n");
    }
    if !s.ready.is_empty() {
        out += &format!("  ready: {}\n", s.ready.join("; "));
    }
    if let Some(r) = s.replicates {
        out += &format!("  replicates: {r}\n");
    }
    if let Some(seed) = s.seed {
        out += &format!("  seed: {seed}\n");
    }
    let changed = s.changed_params();
    if changed.is_empty() {
        out += "  params: all defaults\n";
    } else {
        out += "  params (changed from defaults):\n";
        for (n, v) in changed {
            out += &format!("    {n} = {v}\n");
        }
    }
    if s.levers.is_empty() {
        out += "  levers: none\n";
    }
    for l in &s.levers {
        let when = match l.end {
            Some(e) => format!("{} to {}", l.start, e),
            None => format!("from {}", l.start),
        };
        let place = match &l.footprints {
            Targets::National => "national".to_string(),
            Targets::All => "all footprints".to_string(),
            Targets::Named(v) => v.iter().map(|&i| names[i].as_str()).collect::<Vec<_>>().join("; "),
            Targets::MostReady(n) => format!("the {n} most ready"),
            Targets::LeastReady(n) => format!("the {n} least ready"),
        };
        let detail = serde_json::to_value(&l.action)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|o| {
                o.into_iter()
                    .filter(|(k, _)| k != "kind")
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        out += &format!(
            "  lever {} {when}, {place}{}\n",
            l.action.name(),
            if detail.is_empty() { String::new() } else { format!(": {detail}") }
        );
    }
    out
}

/// The structure as built: organisations by kind, footprints, leads.
fn structure_lines(s: &Scenario) -> String {
    use stpsim::model::kind::Kind;
    let built = s.build_structure(s.seed.unwrap_or(2016));
    let by_kind: Vec<String> = Kind::ALL
        .iter()
        .map(|&k| (k, built.orgs.iter().filter(|o| o.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {}", k.name()))
        .collect();
    let named = built.footprints.iter().filter(|f| f.lead_given).count();
    let council = built.footprints.iter().filter(|f| f.council_led).count();
    let n = built.footprints.len();
    let verb = if n == 1 { "names its" } else { "name their" };
    let mut leads = format!("{named} of {} {verb} lead", counted(n, "footprint"));
    if council > 0 {
        leads += &format!(", {council} known to be council-led");
    }
    leads += "; the others' leads are drawn each replicate";
    format!("  organisations: {} ({})\n  leads: {leads}\n", built.orgs.len(), by_kind.join(", "))
}

/// "1 footprint", "3 footprints".
fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Checks every file given, reporting every error of every file, not the first only.
pub fn validate(args: &[String], quiet: bool) -> anyhow::Result<()> {
    let mut errors = Vec::new();
    for a in args {
        match load(a) {
            Ok(s) if !quiet => emit(&(describe(&s) + "  ok\n"))?,
            Ok(_) => {}
            Err(e) => errors.extend(e.into_all()),
        }
    }
    match stpsim::ScenarioError::from_list(errors) {
        None => Ok(()),
        Some(e) => Err(e.into()),
    }
}
