//! An analyst's own system: a CSV with `footprint,organisation,kind[,budget][,lead]`.

use super::{BudgetRule, FootprintDef, OrgDef, Structure};
use crate::model::kind::Kind;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FileOrg {
    pub footprint: String,
    pub organisation: String,
    pub kind: Kind,
    pub budget: Option<f64>,
    pub lead: bool,
}

/// A problem in a structure file: the row (its line in the file, as a
/// spreadsheet numbers it; the header is row 1) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub message: String,
}

/// Parses and checks a structure CSV.
pub fn parse_structure_csv(text: &str) -> Result<Vec<FileOrg>, RowError> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers =
        rdr.headers().map_err(|e| RowError { row: 1, message: format!("cannot read the header: {e}") })?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(fp_col), Some(org_col), Some(kind_col)) = (col("footprint"), col("organisation"), col("kind")) else {
        return Err(RowError {
            row: 1,
            message: format!(
                "the header must name the columns footprint,organisation,kind (and optionally budget,lead); found {}",
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        });
    };
    for (i, h) in headers.iter().enumerate() {
        if headers.iter().take(i).any(|e| e == h) {
            return Err(RowError { row: 1, message: format!("column `{h}` appears twice in the header") });
        }
        if !["footprint", "organisation", "kind", "budget", "lead"].contains(&h) {
            return Err(RowError {
                row: 1,
                message: format!("unknown column `{h}`; allowed: footprint, organisation, kind, budget, lead"),
            });
        }
    }
    let budget_col = col("budget");
    let lead_col = col("lead");
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        // The reader's own line count skips blank lines, and a record's start
        // offset can fall on the blank lines before it: count from its first character.
        let line_at = |byte: u64| {
            let bytes = text.as_bytes();
            let mut b = (byte as usize).min(bytes.len());
            while b < bytes.len() && matches!(bytes[b], b'\n' | b'\r') {
                b += 1;
            }
            bytes[..b].iter().filter(|&&c| c == b'\n').count() + 1
        };
        let rec = rec.map_err(|e| RowError {
            row: e.position().map_or(i + 2, |p| line_at(p.byte())),
            message: format!("cannot read the row: {e}"),
        })?;
        let row = rec.position().map_or(i + 2, |p| line_at(p.byte()));
        rows.push(row);
        if rec.len() != headers.len() {
            return Err(RowError {
                row,
                message: format!("{} fields where the header has {}", rec.len(), headers.len()),
            });
        }
        let field = |c: usize| rec.get(c).unwrap_or("");
        let footprint = field(fp_col).to_string();
        if footprint.is_empty() {
            return Err(RowError { row, message: "footprint is empty".into() });
        }
        let organisation = field(org_col).to_string();
        let kind_s = field(kind_col);
        let kind = Kind::parse(kind_s).ok_or_else(|| RowError {
            row,
            message: format!(
                "kind `{kind_s}` is not known; allowed: {}",
                Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
            ),
        })?;
        let budget = match budget_col.map(field).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<f64>() {
                Ok(b) if b.is_finite() && b > 0.0 && b <= 1e6 => Some(b),
                _ => {
                    return Err(RowError {
                        row,
                        message: format!("budget `{s}` must be a number of GBP m above 0 and at most 1000000"),
                    });
                }
            },
        };
        let lead = match lead_col.map(field).unwrap_or("") {
            "" | "false" | "0" | "no" => false,
            "true" | "1" | "yes" => true,
            other => return Err(RowError { row, message: format!("lead `{other}` must be true or false") }),
        };
        out.push(FileOrg { footprint, organisation, kind, budget, lead });
    }
    if out.is_empty() {
        return Err(RowError { row: 1, message: "the file lists no organisations".into() });
    }
    let mut names: Vec<&str> = Vec::new();
    for o in &out {
        if !names.contains(&o.footprint.as_str()) {
            names.push(&o.footprint);
        }
    }
    for name in names {
        let leads = out.iter().enumerate().filter(|(_, o)| o.footprint == name && o.lead).collect::<Vec<_>>();
        if leads.len() > 1 {
            return Err(RowError {
                row: leads[1].0 + 2,
                message: format!("footprint `{name}` has more than one lead"),
            });
        }
    }
    Ok(out)
}

pub(super) fn build(rows: &[FileOrg]) -> Structure {
    let mut defs: Vec<(FootprintDef, Vec<OrgDef>)> = Vec::new();
    for r in rows {
        let idx = match defs.iter().position(|(f, _)| f.name == r.footprint) {
            Some(i) => i,
            None => {
                defs.push((
                    FootprintDef { name: r.footprint.clone(), council_led: false, lead_given: false },
                    Vec::new(),
                ));
                defs.len() - 1
            }
        };
        let budget = r.budget.map_or(BudgetRule::ByKind, BudgetRule::Fixed);
        defs[idx].0.lead_given |= r.lead;
        defs[idx].1.push(OrgDef { kind: r.kind, budget, lead: r.lead });
    }
    Structure::from_footprints(defs, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_system() {
        let t = "footprint,organisation,kind,budget,lead\nA,Trust 1,acute_trust,300,true\nA,CCG 1,ccg,,\nB,Council,council,100,false\n";
        let rows = parse_structure_csv(t).unwrap();
        assert_eq!(rows.len(), 3);
        let s = build(&rows);
        assert_eq!(s.footprints.len(), 2);
        assert!(s.footprints[0].lead_given);
        assert_eq!(s.orgs[0].budget, BudgetRule::Fixed(300.0));
    }

    #[test]
    fn bad_rows_are_named() {
        let e = parse_structure_csv("footprint,organisation,kind\nA,x,acute_trust\nA,y,hospital\n").unwrap_err();
        assert_eq!(e.row, 3);
        assert!(e.message.contains("hospital") && e.message.contains("acute_trust"));
        let e = parse_structure_csv("footprint,organisation,kind,budget\nA,x,ccg,-5\n").unwrap_err();
        assert_eq!(e.row, 2);
        let e = parse_structure_csv("name,kind\n").unwrap_err();
        assert_eq!(e.row, 1);
        let e = parse_structure_csv("footprint,organisation,kind\nA,x\n").unwrap_err();
        assert_eq!(e.row, 2);
        let e = parse_structure_csv("footprint,organisation,kind\nA,x,ccg\n\nA,y,hospital\n").unwrap_err();
        assert_eq!(e.row, 4, "rows count lines, blank ones included");
        let e = parse_structure_csv("footprint,organisation,kind,kind\nA,x,ccg,ccg\n").unwrap_err();
        assert!(e.row == 1 && e.message.contains("twice"));
    }
}
