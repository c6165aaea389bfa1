//! Errors in a user's scenario or structure file: where, what, and what is allowed.

use std::fmt;
use std::ops::Range;

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// The source line, for the excerpt.
    pub excerpt: String,
    pub width: usize,
    /// Dotted path of the field, e.g. `levers[1].authority`; empty for syntax errors.
    pub field: String,
    /// The offending value as written.
    pub value: String,
    pub problem: String,
    /// What would be accepted.
    pub allowed: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.col)?;
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
            " ".repeat(self.col.saturating_sub(1)),
            "^".repeat(self.width.max(1))
        )?;
        if !self.allowed.is_empty() {
            write!(f, "\n {pad} = allowed: {}", self.allowed)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("{file}: cannot read the file: {reason}")]
    Read { file: String, reason: std::io::Error },
    #[error("{0}")]
    At(Box<Located>),
    #[error("no scenario file or built-in scenario named `{name}`{hint}\n  built-in scenarios: {known}")]
    Unknown { name: String, hint: String, known: String },
    #[error("{file}: `extends` makes a cycle: {chain}")]
    Cycle { file: String, chain: String },
    #[error("{file}, row {row}: {message}")]
    StructureRow { file: String, row: usize, message: String },
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
        let excerpt = self.text[line_start..line_end].trim_end_matches('\r').to_string();
        let col = self.text[line_start..start].chars().count() + 1;
        let width = self.text[start..span.end.clamp(start, line_end)].chars().count();
        ScenarioError::At(Box::new(Located {
            file: self.file.to_string(),
            line,
            col,
            excerpt,
            width,
            field: field.to_string(),
            value: value.to_string(),
            problem: problem.to_string(),
            allowed: allowed.to_string(),
        }))
    }

    /// Turns a TOML or serde error into a located one, with a "did you mean"
    /// for a misspelt field.
    pub fn from_toml(&self, e: &toml::de::Error) -> ScenarioError {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim().to_string();
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

/// The known names closest to `name`, for "did you mean".
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> =
        known.into_iter().map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), k)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, k)| k).collect()
}
