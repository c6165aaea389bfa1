//! Size and write time of timeseries.csv against timeseries.parquet for one
//! England run (docs/performance.md): `cargo run --release --features parquet
//! --example parquet_write -- [REPLICATES]` (default 1,000).

use std::time::Instant;

fn main() {
    let replicates: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let scenarios = [stpsim::scenario::load("baseline").expect("built-in")];
    let options = stpsim::RunOptions { replicates, seed: 2016, footprint_replicates: 0 };
    let results = stpsim::run(&scenarios, &options);
    let dir = std::env::temp_dir().join(format!("stpsim-parquet-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let rows = results.rows().count();
    println!("England baseline, {replicates} replicates: {rows} rows");
    let clock = Instant::now();
    let csv = dir.join("timeseries.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&csv).expect("create"));
    stpsim::results::write::timeseries(&mut w, results.rows()).expect("write CSV");
    drop(w);
    let csv_s = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let parquet = dir.join("timeseries.parquet");
    let f = std::io::BufWriter::new(std::fs::File::create(&parquet).expect("create"));
    stpsim::results::parquet::timeseries(f, results.rows()).expect("write Parquet");
    let parquet_s = clock.elapsed().as_secs_f64();
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!("timeseries.csv      {:>8.1} MB  {csv_s:>6.2} s", size(&csv));
    println!("timeseries.parquet  {:>8.1} MB  {parquet_s:>6.2} s", size(&parquet));
    let _ = std::fs::remove_dir_all(&dir);
}
