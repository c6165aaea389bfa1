//! Small text helpers every floor uses for messages and checksums.

use sha2::{Digest, Sha256};

/// A value for a message: at most `max` characters, longer ones cut in the
/// middle with their length said, so a 10,000-character name stays one line.
pub fn shorten(s: &str, max: usize) -> String {
    let s = &visible(s);
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(2) / 2;
    let head: String = s.chars().take(keep).collect();
    let tail: String = s.chars().skip(n - keep).collect();
    format!("{head}...{tail} ({n} characters)")
}

/// Whether a character shows nothing on screen (a byte order mark, a
/// zero-width space, a control character) and so must be named in a message.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{FEFF}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{00AD}')
}

/// `s` with each invisible character written as `<U+FEFF>`.
pub fn visible(s: &str) -> String {
    if !s.chars().any(is_invisible) {
        return s.to_string();
    }
    s.chars().map(|c| if is_invisible(c) { format!("<U+{:04X}>", c as u32) } else { c.to_string() }).collect()
}

/// "a" or "an" before a word, by its first letter.
pub fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// The known names closest to `name`, for "did you mean".
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> =
        known.into_iter().map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), k)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, k)| k).collect()
}

/// Lower-case hex SHA-256 of a text, as manifests record files.
pub fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
