//! Parquet files equal their CSV files row for row, with typed columns, on
//! every verb: `run --parquet` (timeseries.parquet), `sweep --parquet` and a
//! sensitivity plan's `parquet = true` (sweep.parquet), a decision plan's
//! `parquet = true` (decide.parquet). Needs a build with the `parquet`
//! feature: `cargo test --features parquet --test parquet`.
#![cfg(feature = "parquet")]

mod common;

use parquet::basic::{Encoding, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_stpsim");

fn stpsim_in(dir: &Path, args: &[&str]) {
    let o = Command::new(BIN).args(args).current_dir(dir).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

fn reader(path: &Path) -> SerializedFileReader<std::fs::File> {
    SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap()
}

/// The file's physical type of each column, by name.
fn types(path: &Path) -> Vec<(String, Physical)> {
    let r = reader(path);
    let schema = r.metadata().file_metadata().schema_descr_ptr();
    schema.columns().iter().map(|c| (c.name().to_string(), c.physical_type())).collect()
}

/// Every text column is dictionary-encoded in every row group.
fn text_is_dictionary_encoded(path: &Path) {
    let r = reader(path);
    for g in r.metadata().row_groups() {
        for c in g.columns().iter().filter(|c| c.column_type() == Physical::BYTE_ARRAY) {
            let enc: Vec<Encoding> = c.encodings().collect();
            assert!(enc.contains(&Encoding::RLE_DICTIONARY) || enc.contains(&Encoding::PLAIN_DICTIONARY), "{enc:?}");
        }
    }
}

/// Checks a Parquet column the CSV file lacks: its name, field, the CSV row and header.
type Extra = dyn Fn(&str, &Field, &csv::StringRecord, &[String]);

/// The Parquet file's rows equal the CSV file's, field by field: whole
/// numbers and text as written, numbers to the bit; columns the CSV lacks
/// (timeseries.parquet's quarter_start) are checked by `extra`.
fn equal_to_csv(parquet: &Path, csv: &Path, extra: &Extra) -> usize {
    let mut r = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut records = r.records();
    let file = reader(parquet);
    let mut n = 0;
    for row in file.get_row_iter(None).unwrap() {
        let row = row.unwrap();
        let rec = records.next().expect("as many CSV rows").unwrap();
        for (name, field) in row.get_column_iter() {
            let Some(k) = header.iter().position(|h| h == name) else {
                extra(name, field, &rec, &header);
                continue;
            };
            let text = &rec[k];
            match field {
                Field::Int(v) => assert_eq!(v.to_string(), text, "{name}"),
                Field::Double(v) => assert_eq!(v.to_bits(), text.parse::<f64>().unwrap().to_bits(), "{name} {text}"),
                Field::Str(s) => assert_eq!(s, text, "{name}"),
                other => panic!("{name}: unexpected {other:?}"),
            }
        }
        n += 1;
    }
    assert!(records.next().is_none(), "as many Parquet rows");
    n
}

fn no_extra(name: &str, _: &Field, _: &csv::StringRecord, _: &[String]) {
    panic!("{name} is not a column of the CSV file");
}

#[test]
fn a_runs_timeseries_parquet_equals_timeseries_csv() {
    let tmp = tempfile::tempdir().unwrap();
    stpsim_in(tmp.path(), &["run", "baseline", "history", "--replicates", "3", "--parquet", "--quiet", "--out", "r"]);
    let dir = tmp.path().join("r");
    let quarter_start = |name: &str, f: &Field, rec: &csv::StringRecord, header: &[String]| {
        assert_eq!(name, "quarter_start");
        let q = stpsim::quarter::Quarter::parse(&rec[header.iter().position(|h| h == "quarter").unwrap()]).unwrap();
        assert_eq!(*f, Field::Date(stpsim::results::parquet::quarter_start_days(q)));
    };
    let n = equal_to_csv(&dir.join("timeseries.parquet"), &dir.join("timeseries.csv"), &quarter_start);
    assert!(n > 1000, "{n} rows");
    text_is_dictionary_encoded(&dir.join("timeseries.parquet"));
    let t = types(&dir.join("timeseries.parquet"));
    assert!(t.contains(&("replicate".into(), Physical::INT32)) && t.contains(&("value".into(), Physical::DOUBLE)));
}

#[test]
fn a_sweeps_parquet_equals_sweep_csv_from_the_flag_or_the_plan() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("plan.toml"), common::grid_plan("0.0, 0.5, 1.0")).unwrap();
    stpsim_in(tmp.path(), &["sweep", "plan.toml", "--parquet", "--out", "s", "--quiet"]);
    let plan = "base = \"baseline\"\nreplicates = 2\ndesign = \"morris\"\npoints = 3\nlevels = 4\nparquet = true\n\
                metrics = [\"transformation_index@2021Q1\", \"social_care_priority@2021Q1\"]\n\n\
                [[factors]]\nname = \"beta0\"\nmin = 0.0\nmax = 1.0\n\n[[factors]]\nname = \"turnover\"\nmin = 0.05\nmax = 0.2\n";
    std::fs::write(tmp.path().join("morris.toml"), plan).unwrap();
    stpsim_in(tmp.path(), &["sensitivity", "morris.toml", "--out", "m", "--quiet"]);
    // Rows: design points x replicates x outputs (Morris: 3 trajectories of 2 + 1 points).
    for (out, factors, rows) in [("s", 1, 3 * 2), ("m", 2, 3 * 3 * 2 * 2)] {
        let dir = tmp.path().join(out);
        let n = equal_to_csv(&dir.join("sweep.parquet"), &dir.join("sweep.csv"), &no_extra);
        assert_eq!(n, rows, "{out}");
        text_is_dictionary_encoded(&dir.join("sweep.parquet"));
        let t = types(&dir.join("sweep.parquet"));
        assert_eq!(t[0], ("point".into(), Physical::INT32));
        assert_eq!(t[1], ("replicate".into(), Physical::INT32));
        assert!(t[2..2 + factors].iter().all(|c| c.1 == Physical::DOUBLE), "{t:?}");
        assert_eq!(t[2 + factors], ("metric".into(), Physical::BYTE_ARRAY));
        let frame: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
        let sum = stpsim::results::folder::file_sha256(&dir.join("sweep.parquet")).unwrap();
        assert_eq!(frame["file_sha256"]["sweep.parquet"], sum.as_str(), "checksummed in plan.json");
    }
}

#[test]
fn a_decisions_parquet_equals_decide_csv_and_is_in_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = "options = [\"baseline\", \"strong-leads\"]\nworlds = 6\nreplicates = 1\nparquet = true\n\n\
                [[uncertainties]]\nname = \"turnover\"\nmin = 0.02\nmax = 0.3\nreplace = true\n\n\
                [[outcomes]]\nmetric = \"transformation_index@2017Q4\"\n";
    std::fs::write(tmp.path().join("d.toml"), plan).unwrap();
    stpsim_in(tmp.path(), &["decide", "d.toml", "--out", "d", "--quiet"]);
    let dir = tmp.path().join("d");
    let n = equal_to_csv(&dir.join("decide.parquet"), &dir.join("decide.csv"), &no_extra);
    assert_eq!(n, 6 * 2, "worlds x options x outcomes");
    text_is_dictionary_encoded(&dir.join("decide.parquet"));
    let t = types(&dir.join("decide.parquet"));
    assert_eq!(t[0], ("world".into(), Physical::INT32));
    assert_eq!(t[3], ("value".into(), Physical::DOUBLE));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(m["files"].as_array().unwrap().iter().any(|f| f == "decide.parquet"));
    let sum = stpsim::results::folder::file_sha256(&dir.join("decide.parquet")).unwrap();
    assert_eq!(m["file_sha256"]["decide.parquet"], sum.as_str());
}
