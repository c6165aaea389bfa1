//! The scenario library, embedded in the binary so it runs from any folder.
//! A built-in scenario is found by its name (`strong-leads`) or its file's
//! stem (`02-strong-leads`).

/// A scenario file shipped in `scenarios/`.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! builtin {
    ($name:literal, $stem:literal) => {
        Builtin {
            name: $name,
            file: concat!("scenarios/", $stem, ".toml"),
            text: include_str!(concat!("../../scenarios/", $stem, ".toml")),
        }
    };
}

pub const LIBRARY: &[Builtin] = &[
    builtin!("baseline", "00-baseline"),
    builtin!("history", "01-history"),
    builtin!("strong-leads", "02-strong-leads"),
    builtin!("no-veto", "03-no-veto"),
    builtin!("conditional-funding", "04-conditional-funding"),
    builtin!("national-intervention", "05-national-intervention"),
    builtin!("local-government-seats", "06-local-government-seats"),
    builtin!("council-leads", "07-council-leads"),
    builtin!("force-pace-ready-few", "08-force-pace-ready-few"),
    builtin!("force-pace-all", "09-force-pace-all"),
    builtin!("accountable-care", "10-accountable-care"),
    builtin!("committees-in-common", "11-committees-in-common"),
    builtin!("enlightened", "12-enlightened"),
    builtin!("synthetic-large", "13-synthetic-large"),
];

fn stem(b: &Builtin) -> &str {
    b.file.trim_start_matches("scenarios/").trim_end_matches(".toml")
}

pub fn find(name: &str) -> Option<&'static Builtin> {
    LIBRARY.iter().find(|b| b.name == name || stem(b) == name)
}

/// (file, text) of a built-in scenario.
pub fn get(name: &str) -> Option<(&'static str, &'static str)> {
    find(name).map(|b| (b.file, b.text))
}

pub fn names() -> Vec<&'static str> {
    LIBRARY.iter().map(|b| b.name).collect()
}

/// The question a scenario file answers: its opening comment, up to the
/// first blank comment line.
pub fn question(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#') && l.trim_start_matches('#').trim() != "")
        .map(|l| l.trim_start_matches('#').trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_in_the_library_under_its_own_name() {
        let mut on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = LIBRARY.iter().map(|b| stem(b).to_string() + ".toml").collect();
        assert_eq!(on_disk, listed);
        for b in LIBRARY {
            let s = crate::scenario::load(b.name).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert_eq!(s.name, b.name);
            assert!(question(b.text).ends_with('?'), "{} opens with its question", b.file);
            assert!(b.text.contains("Encodes"), "{} says which fact it encodes", b.file);
            assert!(find(stem(b)).is_some());
        }
    }
}
