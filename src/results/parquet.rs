//! Parquet files (`--parquet`, `parquet = true` in plans), written by a
//! build with the `parquet` feature; a build without it refuses them before
//! anything runs ([`AVAILABLE`], [`NO_PARQUET`]).
//!
//! - timeseries.parquet: the rows of timeseries.csv, in the same order, with
//!   typed columns: scenario and metric as dictionary-encoded text, replicate
//!   as int32, the quarter as text (`2016Q1`) and as its first day
//!   (`quarter_start`, a DATE), the value as float64.
//! - sweep.parquet and decide.parquet ([`stage_from_csv`]): sweep.csv's and
//!   decide.csv's rows, the same columns typed (whole numbers int32, text
//!   dictionary-encoded, numbers float64).
//!
//! Written in row groups of [`ROW_GROUP`] rows.

use crate::results::folder::Staging;
use std::io;

/// Whether this build writes Parquet.
pub const AVAILABLE: bool = cfg!(feature = "parquet");

/// How to build stpsim with Parquet support.
pub const HOW: &str =
    "`cargo build --release --features parquet`, or `cargo install --locked --path . --features parquet`";

/// Why `--parquet` (or a plan's `parquet = true`) is refused by a build without the feature.
pub const NO_PARQUET: &str = "--parquet needs stpsim built with Parquet support: `cargo build --release --features \
     parquet` (or `cargo install --locked --path . --features parquet`); the CSV files hold the same rows";

/// A column's type in a Parquet file written from a CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// A whole number (int32).
    Int,
    /// A number (float64).
    Float,
    /// Text (dictionary-encoded).
    Text,
}

/// Writes `name` into the staging folder from its staged CSV file `csv`,
/// row for row, each column typed by `kind` of its header.
pub fn stage_from_csv(stage: &mut Staging, csv: &str, name: &str, kind: &dyn Fn(&str) -> Column) -> io::Result<()> {
    #[cfg(feature = "parquet")]
    {
        let input = io::BufReader::new(crate::fsx::open_regular(&stage.dir().join(csv))?);
        let file = stage.file(name)?;
        let file = imp::from_csv(input, file, kind)?;
        stage.finish(file).map(drop)
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (stage, csv, name, kind);
        Err(io::Error::new(io::ErrorKind::Unsupported, NO_PARQUET))
    }
}

#[cfg(feature = "parquet")]
pub use imp::*;

#[cfg(feature = "parquet")]
mod imp {
    use super::Column;
    use crate::core::quarter::Quarter;
    use crate::results::Row;
    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::io::{self, Read, Write};
    use std::sync::Arc;

    /// The file's name beside timeseries.csv.
    pub const TIMESERIES: &str = "timeseries.parquet";

    /// Rows per row group: a 1,000-replicate England run has a few.
    pub const ROW_GROUP: usize = 1 << 20;

    const SCHEMA: &str = "message timeseries {
    REQUIRED BYTE_ARRAY scenario (STRING);
    REQUIRED INT32 replicate;
    REQUIRED BYTE_ARRAY quarter (STRING);
    REQUIRED INT32 quarter_start (DATE);
    REQUIRED BYTE_ARRAY metric (STRING);
    REQUIRED DOUBLE value;
}";

    /// Days from 1970-01-01 to the first day of a quarter (the proleptic
    /// Gregorian calendar; Howard Hinnant's `days_from_civil`).
    pub fn quarter_start_days(q: Quarter) -> i32 {
        let (y, m, d) = (q.year(), (q.q() as i32 - 1) * 3 + 1, 1);
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn err(e: parquet::errors::ParquetError) -> io::Error {
        io::Error::other(e)
    }

    /// Writes the tidy rows as Parquet into `out`, which it returns.
    pub fn timeseries<'a, W: Write + Send>(out: W, rows: impl Iterator<Item = Row<'a>>) -> io::Result<W> {
        let schema = Arc::new(parse_message_type(SCHEMA).map_err(err)?);
        let mut w = SerializedFileWriter::new(out, schema, properties()).map_err(err)?;
        let mut rows = rows.peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Row> = rows.by_ref().take(ROW_GROUP).collect();
            let mut group = w.next_row_group().map_err(err)?;
            let mut k = 0;
            while let Some(mut col) = group.next_column().map_err(err)? {
                match k {
                    0 | 2 | 4 => {
                        let text: Vec<ByteArray> = chunk
                            .iter()
                            .map(|r| match k {
                                0 => ByteArray::from(r.scenario),
                                2 => ByteArray::from(r.quarter.to_string().as_str()),
                                _ => ByteArray::from(r.metric.name()),
                            })
                            .collect();
                        col.typed::<ByteArrayType>().write_batch(&text, None, None).map_err(err)?;
                    }
                    1 | 3 => {
                        let ints: Vec<i32> = chunk
                            .iter()
                            .map(|r| if k == 1 { r.replicate as i32 } else { quarter_start_days(r.quarter) })
                            .collect();
                        col.typed::<Int32Type>().write_batch(&ints, None, None).map_err(err)?;
                    }
                    _ => {
                        let values: Vec<f64> = chunk.iter().map(|r| r.value).collect();
                        col.typed::<DoubleType>().write_batch(&values, None, None).map_err(err)?;
                    }
                }
                col.close().map_err(err)?;
                k += 1;
            }
            group.close().map_err(err)?;
        }
        w.into_inner().map_err(err)
    }

    enum Buf {
        Int(Vec<i32>),
        Float(Vec<f64>),
        Text(Vec<ByteArray>),
    }

    impl Buf {
        fn clear(&mut self) {
            match self {
                Buf::Int(v) => v.clear(),
                Buf::Float(v) => v.clear(),
                Buf::Text(v) => v.clear(),
            }
        }
    }

    fn bad(line: u64, column: &str, value: &str, want: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line {line}, column {column}: \"{}\" is not {want}", crate::core::text::shorten(value, 40)),
        )
    }

    /// Writes a CSV file's rows as Parquet into `out`, which it returns: the
    /// same columns in the same order, each typed by `kind` of its header.
    pub fn from_csv<R: Read, W: Write + Send>(input: R, out: W, kind: &dyn Fn(&str) -> Column) -> io::Result<W> {
        use parquet::basic::{LogicalType, Repetition, Type as Physical};
        use parquet::schema::types::Type;
        let mut r = csv::Reader::from_reader(input);
        let header: Vec<String> = r.headers().map_err(io::Error::other)?.iter().map(String::from).collect();
        let kinds: Vec<Column> = header.iter().map(|h| kind(h)).collect();
        let mut fields = Vec::with_capacity(header.len());
        for (name, k) in header.iter().zip(&kinds) {
            let (physical, logical) = match k {
                Column::Int => (Physical::INT32, None),
                Column::Float => (Physical::DOUBLE, None),
                Column::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            };
            let t = Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::REQUIRED)
                .with_logical_type(logical)
                .build()
                .map_err(err)?;
            fields.push(Arc::new(t));
        }
        let schema = Arc::new(Type::group_type_builder("table").with_fields(fields).build().map_err(err)?);
        let mut w = SerializedFileWriter::new(out, schema, properties()).map_err(err)?;
        let mut bufs: Vec<Buf> = kinds
            .iter()
            .map(|k| match k {
                Column::Int => Buf::Int(Vec::new()),
                Column::Float => Buf::Float(Vec::new()),
                Column::Text => Buf::Text(Vec::new()),
            })
            .collect();
        let mut rows = 0;
        let mut record = csv::StringRecord::new();
        loop {
            let more = r.read_record(&mut record).map_err(io::Error::other)?;
            if more {
                let line = record.position().map_or(0, |p| p.line());
                if record.len() != header.len() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("line {line}: {} fields where the header has {}", record.len(), header.len()),
                    ));
                }
                for ((buf, text), name) in bufs.iter_mut().zip(record.iter()).zip(&header) {
                    match buf {
                        Buf::Int(v) => v.push(text.parse().map_err(|_| bad(line, name, text, "a whole number"))?),
                        Buf::Float(v) => v.push(text.parse().map_err(|_| bad(line, name, text, "a number"))?),
                        Buf::Text(v) => v.push(ByteArray::from(text)),
                    }
                }
                rows += 1;
            }
            if rows > 0 && (rows == ROW_GROUP || !more) {
                let mut group = w.next_row_group().map_err(err)?;
                let mut k = 0;
                while let Some(mut col) = group.next_column().map_err(err)? {
                    match &bufs[k] {
                        Buf::Int(v) => col.typed::<Int32Type>().write_batch(v, None, None),
                        Buf::Float(v) => col.typed::<DoubleType>().write_batch(v, None, None),
                        Buf::Text(v) => col.typed::<ByteArrayType>().write_batch(v, None, None),
                    }
                    .map_err(err)?;
                    col.close().map_err(err)?;
                    k += 1;
                }
                group.close().map_err(err)?;
                bufs.iter_mut().for_each(Buf::clear);
                rows = 0;
            }
            if !more {
                break;
            }
        }
        w.into_inner().map_err(err)
    }

    fn properties() -> Arc<WriterProperties> {
        Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_dictionary_enabled(true)
                .set_created_by(format!("stpsim v{}", env!("CARGO_PKG_VERSION")))
                .build(),
        )
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use parquet::record::RowAccessor;

        #[test]
        fn quarters_start_on_their_first_day() {
            let q = |y, n| quarter_start_days(Quarter::new(y, n).unwrap());
            assert_eq!(q(1970, 1), 0);
            assert_eq!(q(2016, 1), 16_801, "2016-01-01");
            assert_eq!(q(2016, 2), 16_892, "2016-04-01, after a leap February");
            assert_eq!(q(2000, 4), 11_231, "2000-10-01");
        }

        #[test]
        fn the_file_reads_back_row_for_row() {
            let results = crate::runner::run(
                &[crate::scenario::load("baseline").unwrap()],
                &crate::runner::RunOptions { replicates: 2, seed: 3, footprint_replicates: 0 },
            );
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(TIMESERIES);
            timeseries(std::fs::File::create(&path).unwrap(), results.rows()).unwrap();
            let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
            let n: i64 = reader.metadata().row_groups().iter().map(|g| g.num_rows()).sum();
            assert_eq!(n as usize, results.rows().count());
            let mut read = reader.get_row_iter(None).unwrap();
            for r in results.rows() {
                let row = read.next().unwrap().unwrap();
                assert_eq!(row.get_string(0).unwrap(), r.scenario);
                assert_eq!(row.get_int(1).unwrap(), r.replicate as i32);
                assert_eq!(row.get_string(2).unwrap(), &r.quarter.to_string());
                assert_eq!(row.get_string(4).unwrap(), r.metric.name());
                assert_eq!(row.get_double(5).unwrap().to_bits(), r.value.to_bits());
            }
            assert!(read.next().is_none());
        }

        #[test]
        fn a_csv_file_reads_back_typed_row_for_row() {
            let csv = "world,option,outcome,value\n0,a,x@2021Q1,0.25\n0,b,x@2021Q1,-1e-7\n1,a,x@2021Q1,3\n";
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("decide.parquet");
            from_csv(csv.as_bytes(), std::fs::File::create(&path).unwrap(), &|c| match c {
                "world" => Column::Int,
                "value" => Column::Float,
                _ => Column::Text,
            })
            .unwrap();
            let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
            let rows: Vec<_> = reader.get_row_iter(None).unwrap().map(|r| r.unwrap()).collect();
            assert_eq!(rows.len(), 3);
            assert_eq!(rows[1].get_int(0).unwrap(), 0);
            assert_eq!(rows[1].get_string(1).unwrap(), "b");
            assert_eq!(rows[1].get_double(3).unwrap(), -1e-7);
            assert_eq!(rows[2].get_double(3).unwrap(), 3.0);
            let bad = from_csv("world,value\nx,1\n".as_bytes(), Vec::new(), &|c| match c {
                "world" => Column::Int,
                _ => Column::Float,
            });
            assert!(bad.unwrap_err().to_string().contains("line 2, column world"));
        }
    }
}
