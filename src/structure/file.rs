//! An analyst's own system: a CSV with `footprint,organisation,kind[,budget][,lead]`.

use super::{BudgetRule, FootprintDef, OrgDef, Structure};
use crate::core::kind::Kind;
use crate::core::text::{nearest, shorten};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileOrg {
    pub footprint: String,
    pub organisation: String,
    pub kind: Kind,
    pub budget: Option<f64>,
    pub lead: bool,
}

/// A problem in a structure file: the bytes it is about (so the caller can
/// give line and column), the column's name, the value, what is wrong and
/// what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    pub span: Range<usize>,
    pub field: String,
    pub value: String,
    pub problem: String,
    pub allowed: String,
}

impl RowError {
    fn new(
        span: Range<usize>,
        field: &str,
        value: &str,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> Self {
        RowError {
            span,
            field: field.to_string(),
            value: value.to_string(),
            problem: problem.into(),
            allowed: allowed.into(),
        }
    }

    /// 1-based line of the error in `text`.
    pub fn line(&self, text: &str) -> usize {
        text.as_bytes()[..self.span.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
    }
}

/// A field as read: its bytes in the file and its text (unquoted, trimmed).
struct Field<'a> {
    span: Range<usize>,
    text: Cow<'a, str>,
}

/// A one-pass CSV reader (RFC 4180 quoting, `\n` or `\r\n` lines, blank lines
/// skipped, fields trimmed) that keeps every field's place in the file.
struct Records<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Records<'a> {
    /// The next record, or None at the end of the text.
    fn next_record(&mut self) -> Option<Result<Vec<Field<'a>>, RowError>> {
        let b = self.text.as_bytes();
        // Skip blank lines (nothing but spaces and tabs).
        loop {
            let rest = &b[self.pos..];
            let line_end = rest.iter().position(|&c| c == b'\n').map_or(rest.len(), |p| p + 1);
            if rest.is_empty() {
                return None;
            }
            if rest[..line_end].iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) {
                self.pos += line_end;
            } else {
                break;
            }
        }
        let mut fields = Vec::new();
        loop {
            while self.pos < b.len() && matches!(b[self.pos], b' ' | b'\t') {
                self.pos += 1;
            }
            let start = self.pos;
            if b.get(self.pos) == Some(&b'"') {
                let mut value = String::new();
                let mut i = self.pos + 1;
                loop {
                    let Some(q) = b[i..].iter().position(|&c| c == b'"') else {
                        return Some(Err(RowError::new(
                            start..start + 1,
                            "",
                            "",
                            "a quoted field is not closed before the end of the file",
                            "end the field with \" (write \"\" for a quote inside it)",
                        )));
                    };
                    value.push_str(&self.text[i..i + q]);
                    i += q + 1;
                    if b.get(i) == Some(&b'"') {
                        value.push('"');
                        i += 1;
                    } else {
                        break;
                    }
                }
                let end = i;
                while i < b.len() && matches!(b[i], b' ' | b'\t') {
                    i += 1;
                }
                if i < b.len() && !matches!(b[i], b',' | b'\n' | b'\r') {
                    return Some(Err(RowError::new(
                        i..i + 1,
                        "",
                        "",
                        "text follows a quoted field's closing quote",
                        "a comma or the end of the line after the closing quote",
                    )));
                }
                self.pos = i;
                fields.push(Field { span: start..end, text: Cow::Owned(value.trim().to_string()) });
            } else {
                let len =
                    b[self.pos..].iter().position(|&c| matches!(c, b',' | b'\n' | b'\r')).unwrap_or(b.len() - self.pos);
                let raw = &self.text[self.pos..self.pos + len];
                let trimmed = raw.trim_end_matches([' ', '\t']);
                fields.push(Field { span: start..start + trimmed.len(), text: Cow::Borrowed(trimmed) });
                self.pos += len;
            }
            match b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') if b.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    break;
                }
                Some(b'\r' | b'\n') => {
                    self.pos += 1;
                    break;
                }
                _ => break,
            }
        }
        Some(Ok(fields))
    }
}

const COLUMNS: [&str; 5] = ["footprint", "organisation", "kind", "budget", "lead"];
/// More errors than this in one file are not listed one by one.
const MAX_ERRORS: usize = 20;

fn kinds() -> String {
    Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// Parses and checks a structure CSV in one pass; every row's mistakes are
/// reported (up to 20), each at its line and column.
pub fn parse_structure_csv(text: &str) -> Result<Vec<FileOrg>, Vec<RowError>> {
    let mut records = Records { text, pos: 0 };
    let header = match records.next_record() {
        None => {
            return Err(vec![RowError::new(
                0..0,
                "",
                "",
                "the file is empty",
                "a header line footprint,organisation,kind (optionally budget,lead), then one line per organisation",
            )]);
        }
        Some(Err(e)) => return Err(vec![e]),
        Some(Ok(h)) => h,
    };
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if header[..i].iter().any(|e| e.text == h.text) {
            errors.push(RowError::new(
                h.span.clone(),
                "",
                &h.text,
                format!("column `{}` appears twice in the header", h.text),
                "each column once",
            ));
        } else if !COLUMNS.contains(&h.text.as_ref()) {
            let near = nearest(&h.text, COLUMNS, 1);
            let hint = near.first().filter(|n| strsim::jaro_winkler(&h.text.to_lowercase(), n) > 0.8);
            errors.push(RowError::new(
                h.span.clone(),
                "",
                &h.text,
                if h.text.trim().is_empty() {
                    format!("column {} of the header has no name", i + 1)
                } else {
                    format!("unknown column `{}` in the header", shorten(&h.text, 40))
                },
                match hint {
                    Some(n) => format!("did you mean `{n}`? columns: {}", COLUMNS.join(", ")),
                    None => format!("columns: {}", COLUMNS.join(", ")),
                },
            ));
        }
    }
    let col = |name: &str| header.iter().position(|h| h.text == name);
    let missing: Vec<&str> = COLUMNS[..3].iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        let line_end = text.find(['\r', '\n']).unwrap_or(text.len());
        errors.push(RowError::new(
            0..line_end,
            "",
            "",
            format!("the header lacks the column{} {}", if missing.len() == 1 { "" } else { "s" }, missing.join(", ")),
            "a header line footprint,organisation,kind (optionally budget,lead)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (fp_col, org_col, kind_col) =
        (col("footprint").unwrap_or(0), col("organisation").unwrap_or(0), col("kind").unwrap_or(0));
    let (budget_col, lead_col) = (col("budget"), col("lead"));
    let mut out = Vec::new();
    // Footprint name -> the span of its lead's `lead` field, for "more than one lead".
    let mut leads: HashMap<String, Range<usize>> = HashMap::new();
    while let Some(rec) = records.next_record() {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                break;
            }
        };
        let row_span = rec[0].span.start..rec[rec.len() - 1].span.end;
        if rec.len() != header.len() {
            let at = if rec.len() > header.len() { rec[header.len()].span.clone() } else { row_span.end..row_span.end };
            errors.push(RowError::new(
                at,
                "",
                "",
                format!("{} fields where the header has {}", rec.len(), header.len()),
                format!(
                    "one value for each column: {}",
                    header.iter().map(|h| h.text.as_ref()).collect::<Vec<_>>().join(",")
                ),
            ));
            continue;
        }
        let mut bad = |e: RowError| errors.push(e);
        let footprint = &rec[fp_col];
        if footprint.text.is_empty() {
            bad(RowError::new(footprint.span.clone(), "footprint", "", "is empty", "the footprint's name"));
        }
        let kind_f = &rec[kind_col];
        let kind = Kind::parse(&kind_f.text);
        if kind.is_none() {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
            let near = nearest(&kind_f.text, names.iter().copied(), 1);
            let hint = near.first().map(|n| format!("did you mean `{n}`? ")).unwrap_or_default();
            bad(RowError::new(
                kind_f.span.clone(),
                "kind",
                &format!("\"{}\"", kind_f.text),
                "is not a kind of organisation",
                format!("{hint}kinds: {}", kinds()),
            ));
        }
        let mut budget = None;
        if let Some(f) = budget_col.map(|c| &rec[c]).filter(|f| !f.text.is_empty()) {
            match f.text.parse::<f64>() {
                Ok(b) if b.is_finite() && b > 0.0 && b <= 1e6 => budget = Some(b),
                _ => bad(RowError::new(
                    f.span.clone(),
                    "budget",
                    &format!("\"{}\"", f.text),
                    "is not a budget",
                    "a number of £m a year above 0 and at most 1000000, or nothing for a typical budget of the kind",
                )),
            }
        }
        let mut lead = false;
        if let Some(f) = lead_col.map(|c| &rec[c]) {
            match f.text.to_ascii_lowercase().as_str() {
                "" | "false" | "0" | "no" => {}
                "true" | "1" | "yes" => lead = true,
                _ => bad(RowError::new(
                    f.span.clone(),
                    "lead",
                    &format!("\"{}\"", f.text),
                    "is not true or false",
                    "true, false (or yes, no, 1, 0), or nothing",
                )),
            }
            if lead {
                if let Some(first) = leads.get(footprint.text.as_ref()) {
                    let line = text.as_bytes()[..first.start].iter().filter(|&&b| b == b'\n').count() + 1;
                    bad(RowError::new(
                        f.span.clone(),
                        "lead",
                        &format!("\"{}\"", f.text),
                        format!(
                            "makes a second lead of footprint `{}` (its lead is on line {line})",
                            shorten(&footprint.text, 60)
                        ),
                        "one lead per footprint",
                    ));
                } else {
                    leads.insert(footprint.text.to_string(), f.span.clone());
                }
            }
        }
        if let Some(kind) = kind {
            out.push(FileOrg {
                footprint: footprint.text.to_string(),
                organisation: rec[org_col].text.to_string(),
                kind,
                budget,
                lead,
            });
        }
    }
    if errors.is_empty() && out.is_empty() {
        errors.push(RowError::new(
            0..0,
            "",
            "",
            "the file lists no organisations",
            "one line per organisation after the header",
        ));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

pub(super) fn build(rows: &[FileOrg]) -> Structure {
    let mut defs: Vec<(FootprintDef, Vec<OrgDef>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        let idx = match index.get(r.footprint.as_str()) {
            Some(&i) => i,
            None => {
                index.insert(&r.footprint, defs.len());
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

    fn first(text: &str) -> (usize, RowError) {
        let e = parse_structure_csv(text).unwrap_err().remove(0);
        (e.line(text), e)
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let (line, e) = first("footprint,organisation,kind\nA,x,acute_trust\nA,y,hospital\n");
        assert_eq!(line, 3);
        assert!(e.value.contains("hospital") && e.allowed.contains("acute_trust"));
        let (line, _) = first("footprint,organisation,kind,budget\nA,x,ccg,-5\n");
        assert_eq!(line, 2);
        let errors = parse_structure_csv("name,kind\n").unwrap_err();
        assert!(errors.iter().any(|e| e.problem.contains("lacks the columns footprint, organisation")), "{errors:?}");
        let (line, _) = first("footprint,organisation,kind\nA,x\n");
        assert_eq!(line, 2);
        let (line, _) = first("footprint,organisation,kind\nA,x,ccg\n\nA,y,hospital\n");
        assert_eq!(line, 4, "rows count lines, blank ones included");
        let (line, _) = first("footprint,organisation,kind\nA,\"two\nlines\",ccg\nA,y,hospital\n");
        assert_eq!(line, 4, "a quoted newline is a line too");
        let (line, e) = first("footprint,organisation,kind,kind\nA,x,ccg,ccg\n");
        assert!(line == 1 && e.problem.contains("twice"));
        let (_, e) = first("");
        assert_eq!(e.problem, "the file is empty");
        let (line, e) = first("footprint,organisation,kind\nA,\"open,ccg\n");
        assert!(line == 2 && e.problem.contains("not closed"), "{e:?}");
    }

    #[test]
    fn kinds_suggest_the_nearest_and_every_bad_row_is_reported() {
        let t = "footprint,organisation,kind,lead\nA,x,acute,true\nA,y,ccg,true\nB,z,counsil,\n";
        let errors = parse_structure_csv(t).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].allowed.starts_with("did you mean `acute_trust`?"), "{:?}", errors[0]);
        assert!(errors[1].problem.contains("second lead") && errors[1].problem.contains("line 2"), "{:?}", errors[1]);
        assert!(errors[2].allowed.starts_with("did you mean `council`?"), "{:?}", errors[2]);
        assert_eq!(&t[errors[0].span.clone()], "acute");
    }

    #[test]
    fn quoting_and_line_endings() {
        let t = "footprint,organisation,kind\r\n\"A, North\", \"The \"\"Big\"\" Trust\" ,acute_trust\r\n";
        let rows = parse_structure_csv(t).unwrap();
        assert_eq!(rows[0].footprint, "A, North");
        assert_eq!(rows[0].organisation, "The \"Big\" Trust");
    }
}
