//! `stpsim validate`: check scenario files and show what they resolve to.

use super::emit;
use stpsim::Scenario;
use stpsim::model::levers::Targets;
use stpsim::scenario::{StructureSpec, load};

pub fn describe(s: &Scenario) -> String {
    let names = s.footprint_names();
    let mut out = format!("{} ({})\n  {}\n", s.name, s.source, s.description);
    let structure = match &s.structure {
        StructureSpec::England => "england (44 footprints)".to_string(),
        StructureSpec::Synthetic { footprints } => format!("synthetic ({footprints} footprints)"),
        StructureSpec::File { path, organisations } => {
            format!("file {path} ({} organisations, {} footprints)", organisations.len(), names.len())
        }
    };
    out += &format!(
        "  quarters: {} to {} ({}); calendar quarters: {}\n  structure: {structure}\n",
        s.start,
        s.end,
        s.start.span_to(s.end),
        stpsim::plot::numbers::calendar(s.start)
    );
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

pub fn validate(args: &[String], quiet: bool) -> anyhow::Result<()> {
    for a in args {
        let s = load(a)?;
        if !quiet {
            emit(&(describe(&s) + "  ok\n"))?;
        }
    }
    Ok(())
}
