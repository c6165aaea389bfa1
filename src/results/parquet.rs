//! timeseries.parquet (`--parquet`, built with the `parquet` feature): the
//! rows of timeseries.csv, in the same order, with typed columns: scenario
//! and metric as dictionary-encoded text, replicate as int32, the quarter as
//! text (`2016Q1`) and as its first day (`quarter_start`, a DATE), the
//! value as float64. Written in row groups of [`ROW_GROUP`] rows.

use super::Row;
use crate::quarter::Quarter;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::io::{self, Write};
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
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_dictionary_enabled(true)
            .set_created_by(format!("stpsim v{}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let mut w = SerializedFileWriter::new(out, schema, props).map_err(err)?;
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
        let results = crate::run(
            &[crate::scenario::load("baseline").unwrap()],
            &crate::RunOptions { replicates: 2, seed: 3, footprint_replicates: 0 },
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
}
