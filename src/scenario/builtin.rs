//! Scenarios embedded in the binary, so it runs from any folder.

/// (name, file name, text).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    ("baseline", "scenarios/baseline.toml", include_str!("../../scenarios/baseline.toml")),
    ("history", "scenarios/history.toml", include_str!("../../scenarios/history.toml")),
];

pub fn get(name: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN.iter().find(|(n, _, _)| *n == name).map(|(_, f, t)| (*f, *t))
}

pub fn names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _, _)| *n).collect()
}
