//! Errors in a user's scenario or structure file: where, what, and what is allowed.

use std::fmt;
use std::ops::Range;

/// Text helpers live in the vocabulary floor; the old paths still work.
pub use crate::core::text::{article, nearest, shorten};

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The source line, for the excerpt.
    pub excerpt: String,
    pub width: usize,
    /// Column of the caret in the excerpt (differs from `col` when a long line is windowed).
    pub caret: usize,
    /// Dotted path of the field, e.g. `levers[1].authority`; empty for syntax errors.
    pub field: String,
    /// The offending value as written.
    pub value: String,
    pub problem: String,
    /// What would be accepted.
    pub allowed: String,
    /// Further context: where an inherited value was set, how to fix the file.
    pub note: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", shorten(&self.file, 200), self.line, self.col)?;
        match (self.field.is_empty(), self.value.is_empty()) {
            (true, _) => write!(f, "{}", self.problem)?,
            (false, true) => write!(f, "`{}` {}", self.field, self.problem)?,
            (false, false) => write!(f, "`{}` = {} {}", self.field, self.value, self.problem)?,
        }
        let n = self.line.to_string();
        let pad = " ".repeat(n.len());
        write!(
            f,
            "\n {pad} |\n {n} | {}\n {pad} | {}{}",
            self.excerpt,
            " ".repeat(self.caret.saturating_sub(1)),
            "^".repeat(self.width.max(1))
        )?;
        if !self.allowed.is_empty() {
            write!(f, "\n {pad} = allowed: {}", self.allowed)?;
        }
        for line in self.note.lines() {
            write!(f, "\n {pad} = note: {line}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the file: {reason}")]
    Read { file: String, reason: std::io::Error },
    /// A file refused before reading: not a regular file, too large, empty.
    #[error("{file}: {problem}")]
    Input { file: String, problem: String },
    #[error("{0}")]
    At(Box<Located>),
    #[error("no scenario file or built-in scenario named `{}`{hint}\n  built-in scenarios: {known}", shorten(name, 80))]
    Unknown { name: String, hint: String, known: String },
    #[error("{file}: `extends` makes a cycle: {chain}")]
    Cycle { file: String, chain: String },
    /// Several independent mistakes, in file order.
    #[error("{}", many(.0))]
    Many(Vec<ScenarioError>),
}

fn many(errors: &[ScenarioError]) -> String {
    let mut s = format!("{} errors:", errors.len());
    for (i, e) in errors.iter().enumerate() {
        s += &format!("\n\n[{}/{}] {e}", i + 1, errors.len());
    }
    s
}

impl ScenarioError {
    /// The errors this one stands for: itself, or each of `Many`.
    pub fn all(&self) -> Vec<&ScenarioError> {
        match self {
            ScenarioError::Many(v) => v.iter().flat_map(ScenarioError::all).collect(),
            other => vec![other],
        }
    }

    /// The errors this one stands for, owned: itself, or each of `Many`.
    pub fn into_all(self) -> Vec<ScenarioError> {
        match self {
            ScenarioError::Many(v) => v.into_iter().flat_map(ScenarioError::into_all).collect(),
            other => vec![other],
        }
    }

    /// The file the error is in, if it is about one.
    pub fn file(&self) -> Option<&str> {
        match self {
            ScenarioError::Read { file, .. }
            | ScenarioError::Input { file, .. }
            | ScenarioError::Cycle { file, .. } => Some(file),
            ScenarioError::At(l) => Some(&l.file),
            ScenarioError::Unknown { .. } => None,
            ScenarioError::Many(v) => v.first().and_then(ScenarioError::file),
        }
    }

    /// Line and column, (0, 0) for an error about a whole file.
    pub fn line_col(&self) -> (usize, usize) {
        match self {
            ScenarioError::At(l) => (l.line, l.col),
            ScenarioError::Many(v) => v.first().map_or((0, 0), ScenarioError::line_col),
            _ => (0, 0),
        }
    }

    /// One error, or `Many` of several; None if there are none.
    pub fn from_list(mut errors: Vec<ScenarioError>) -> Option<ScenarioError> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(ScenarioError::Many(errors)),
        }
    }

    /// Adds where an inherited value came from, after the user's own place.
    pub fn with_note(self, note: String) -> ScenarioError {
        match self {
            ScenarioError::At(mut l) => {
                l.note = if l.note.is_empty() { note } else { format!("{}\n{note}", l.note) };
                ScenarioError::At(l)
            }
            other => other,
        }
    }
}

/// A file's text and name, for turning byte spans into lines and columns.
pub struct SourceText<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl SourceText<'_> {
    pub fn at(&self, span: Range<usize>, field: &str, value: &str, problem: &str, allowed: &str) -> ScenarioError {
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |p| start + p);
        let excerpt = self.text[line_start..line_end].trim_end_matches('\r');
        let col = self.text[line_start..start].chars().count() + 1;
        let width = self.text[start..span.end.clamp(start, line_end)].chars().count();
        // A long line is shown as a window around the place, so a message stays short.
        let chars = excerpt.chars().count();
        let (excerpt, shown_col, width) = if chars <= EXCERPT {
            (excerpt.to_string(), col, width)
        } else {
            let from = (col - 1).saturating_sub(EXCERPT / 4).min(chars - EXCERPT);
            let window: String = excerpt.chars().skip(from).take(EXCERPT).collect();
            let lead = if from > 0 { "..." } else { "" };
            let tail = if from + EXCERPT < chars { "..." } else { "" };
            let last = EXCERPT + lead.len() + 1;
            let c = (col - from + lead.len()).min(last);
            (format!("{lead}{window}{tail}"), c, width.min(last.saturating_sub(c)))
        };
        ScenarioError::At(Box::new(Located {
            file: self.file.to_string(),
            line,
            col,
            excerpt,
            width,
            caret: col,
            field: shorten(field, 80),
            value: shorten(value, 100),
            problem: problem.to_string(),
            allowed: allowed.to_string(),
            note: String::new(),
        }))
        .shift_caret(shown_col)
    }

    /// The text at a span as written, shortened: numbers print as the user wrote them.
    pub fn written(&self, span: Range<usize>) -> String {
        let t = self.text.get(span).unwrap_or("").trim();
        shorten(t, 40)
    }

    /// Turns a TOML or serde error into a located one, with a "did you mean"
    /// for a misspelt field.
    pub fn from_toml(&self, e: &toml::de::Error) -> ScenarioError {
        let span = e.span().unwrap_or(0..0);
        let raw_msg = e.message().trim();
        let msg = self.as_written(&plain_words(raw_msg), span.clone());
        if raw_msg.contains("expected a sequence") {
            // `[levers]` where `[[levers]]` is meant: say so.
            let at = self.text.get(span.clone()).unwrap_or("");
            let header = self.text[..span.start.min(self.text.len())].lines().rev().chain(at.lines()).find_map(|l| {
                l.trim()
                    .strip_prefix('[')
                    .filter(|r| !r.starts_with('['))
                    .map(|r| r.trim_end_matches(']').trim().to_string())
            });
            if let Some(h) = header.filter(|h| !h.is_empty()) {
                let field = h.split('.').next().unwrap_or(&h).to_string();
                return self.at(
                    span,
                    &field,
                    "",
                    "is a single table where a list of tables is expected",
                    &format!("write [[{field}]] (two brackets) before each entry"),
                );
            }
        }
        // An invisible character where the parser stopped: name it.
        if let Some(c) =
            self.text.get(span.start..).and_then(|t| t.chars().next()).filter(|c| crate::core::text::is_invisible(*c))
        {
            let name = if c == '\u{FEFF}' { "a byte order mark" } else { "an invisible character" };
            return self.at(
                span.start..span.start + c.len_utf8(),
                "",
                "",
                &format!(
                    "{name} (U+{:04X}) is here, where the file's text goes on; most editors do not show it",
                    c as u32
                ),
                "delete it (save the file as UTF-8 without a byte order mark)",
            );
        }
        if let Some(e) = self.type_mismatch(raw_msg, span.clone()) {
            return e;
        }
        if let Some(rest) = msg.strip_prefix("unknown field `") {
            let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let best = known
                .iter()
                .map(|k| (strsim::damerau_levenshtein(field, k), *k))
                .filter(|(d, k)| *d <= 3 || k.starts_with(field) || field.starts_with(k))
                .min();
            let allowed = match best {
                Some((_, k)) => format!("did you mean `{k}`? known fields: {}", known.join(", ")),
                None => format!("known fields: {}", known.join(", ")),
            };
            return self.at(span, field, "", "is not a known field", &allowed);
        }
        self.at(span, "", "", &msg, "")
    }
}

impl SourceText<'_> {
    /// serde's "invalid type: integer `2017`, expected a string" in the
    /// user's words, naming the field: "`start` = 2017 is a whole number,
    /// where text in quotes is expected".
    fn type_mismatch(&self, raw: &str, span: Range<usize>) -> Option<ScenarioError> {
        let rest = raw.strip_prefix("invalid type: ")?;
        let (found, expected) = rest.split_once(", expected ")?;
        let found = if found.starts_with("integer") {
            "a whole number"
        } else if found.starts_with("floating point") {
            "a decimal number"
        } else if found.starts_with("string") {
            "text"
        } else if found.starts_with("boolean") {
            "true or false"
        } else if found.starts_with("map") {
            "a table"
        } else if found.starts_with("sequence") {
            "a list"
        } else {
            return None;
        };
        let expected = expected.trim();
        let wanted = match expected {
            "a string" | "string" => "text in quotes",
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "an integer" => "a whole number",
            "f32" | "f64" | "a number" | "a float" => "a number",
            "a boolean" => "true or false",
            e if e.contains("sequence") || e.contains("list") => "a list in brackets, [ ... ]",
            e if e.starts_with("struct") || e.contains("map") || e.contains("table") => "a table",
            // A quarter, a range, a lever kind: the deserialiser's own words, already plain.
            _ => return None,
        };
        let field = self.field_at(span.start);
        Some(self.at(
            span.clone(),
            &field,
            &self.written(span),
            &format!("is {found}, where {wanted} is expected"),
            wanted,
        ))
    }

    /// The dotted field whose value starts at `at`: the key before `=` on
    /// its line, under the table it sits in (`params.beta0`, `levers[1].start`).
    fn field_at(&self, at: usize) -> String {
        let at = at.min(self.text.len());
        let line_start = self.text[..at].rfind('\n').map_or(0, |p| p + 1);
        let Some(before) = self.text[line_start..at].trim_end().strip_suffix('=') else { return String::new() };
        let key = before.rsplit(['{', ',', '[']).next().unwrap_or("").trim().trim_matches('"').to_string();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return String::new();
        }
        // The table header above, and which entry of a list of tables.
        let above = &self.text[..line_start];
        let header = above.lines().rev().map(str::trim).find(|l| l.starts_with('['));
        match header {
            Some(h) if h.starts_with("[[") => {
                let name = h.trim_start_matches('[').trim_end_matches(']').trim();
                let n = above
                    .lines()
                    .filter(|l| {
                        l.trim().trim_end_matches(']').trim_start_matches('[').trim() == name
                            && l.trim().starts_with("[[")
                    })
                    .count();
                format!("{name}[{}].{key}", n.saturating_sub(1))
            }
            Some(h) => format!("{}.{key}", h.trim_start_matches('[').trim_end_matches(']').trim()),
            None => key,
        }
    }

    /// serde quotes a number it did not expect in its own form (1e308 as 309
    /// digits, nan as NaN): quote it as the file writes it.
    fn as_written(&self, msg: &str, span: Range<usize>) -> String {
        let written = self.written(span);
        let number = !written.is_empty() && !written.contains(char::is_whitespace) && written.len() <= 40;
        for kind in ["floating point `", "integer `"] {
            if let Some(i) = msg.find(kind).map(|i| i + kind.len()) {
                if let (Some(j), true) = (msg[i..].find('`'), number) {
                    return format!("{}{written}{}", &msg[..i], &msg[i + j..]);
                }
            }
        }
        msg.to_string()
    }
}

/// What is wrong with a number read for a field with a range: not a
/// number at all (nan, inf), not whole where a whole number is needed, or
/// outside the range; so "abc" or 200.5 is never called out of range.
pub fn number_problem(x: f64, whole: bool) -> &'static str {
    if !x.is_finite() {
        "is not a finite number"
    } else if whole && x.fract() != 0.0 {
        "is not a whole number"
    } else {
        "is out of range"
    }
}

/// Longest source line shown in a message.
const EXCERPT: usize = 160;

impl ScenarioError {
    fn shift_caret(self, col: usize) -> ScenarioError {
        match self {
            ScenarioError::At(mut l) => {
                // `col` stays the true column for the heading; the caret follows the window.
                l.caret = col;
                ScenarioError::At(l)
            }
            other => other,
        }
    }
}

/// serde's words for our internal types, in the words of the file.
fn plain_words(msg: &str) -> String {
    let mut m = msg.to_string();
    for (internal, plain) in [
        ("struct RawScenario", "a scenario (name = ..., [structure], [params], [[levers]])"),
        ("struct RawStructure", "a [structure] table (kind = ..., footprints, path, ready)"),
        ("struct RawLever", "a lever table ([[levers]] with kind = ..., start = ...)"),
        ("struct RawYear", "a table { year = \"2016/17\", total_gbp_bn = ..., transformation_share = ... }"),
        ("struct RawPlan", "a plan (base, design, metrics, [[factors]])"),
        ("struct RawFactor", "a factor table ([[factors]] with name = ...)"),
        ("invalid type: map, expected a sequence", "found a table where a list is expected"),
        ("expected a sequence", "expected a list"),
        ("invalid type: map", "invalid type: a table"),
        ("invalid type: sequence", "invalid type: a list"),
    ] {
        m = m.replace(internal, plain);
    }
    if m.trim().is_empty() { "is not valid TOML".to_string() } else { m }
}
