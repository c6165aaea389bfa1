//! Charts of a run, drawn from its files alone (`summary.csv`,
//! `timeseries.csv`, `footprints.csv`, `manifest.json`), never from the
//! model. Every chart is written as PNG (slides) and SVG (print) with an
//! embedded font, so no system fonts are needed.

mod compare;
mod fan;
mod funnel;
mod heatmap;
pub mod input;
pub(crate) mod raster;
pub mod style;
pub mod sweep;

pub use compare::{paired_difference, signed};
pub use input::{InputError, RunData};

use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("drawing {chart}: {message}")]
    Draw { chart: String, message: String },
    #[error("writing {}: {reason}", path.display())]
    Write { path: PathBuf, reason: std::io::Error },
}

/// A chart file pair written by `render`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartFile {
    /// File stem: `fan_transformation_index`, `comparison`, ...
    pub stem: String,
    pub title: String,
    pub size: (u32, u32),
}

pub(crate) type Drawn = Result<(), String>;

pub(crate) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The frame every chart shares: a title, a subtitle, and a source line at
/// the foot. Returns the area left for the chart itself.
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    source: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(title.to_string(), (28, 18), style::bold(30.0))).map_err(err)?;
    let sub = style::wrap(subtitle, (w as usize - 56) / 9);
    for (i, line) in sub.iter().take(2).enumerate() {
        root.draw(&Text::new(line.clone(), (28, 58 + 22 * i as i32), style::grey_text(18.0))).map_err(err)?;
    }
    root.draw(&Text::new(source.to_string(), (28, h as i32 - 30), style::grey_text(15.0))).map_err(err)?;
    let top = 70 + 22 * sub.len().min(2) as u32;
    Ok(root.margin(top, 44, 0, 0))
}

pub(crate) fn source_line(data: &RunData) -> String {
    let m: serde_json::Value = serde_json::from_str(&data.manifest_text).unwrap_or_default();
    let over =
        if m["posterior"].is_object() { "; intervals include parameter uncertainty (posterior draws)" } else { "" };
    format!("Source: stpsim v{}, {} replicates, seed {}{over}", data.version, data.replicates, data.seed)
}

/// Draws a chart as SVG, then rasterises that SVG to PNG with the embedded
/// fonts, so the two files show the same thing. Each is written under a
/// temporary name and renamed into place.
macro_rules! both {
    ($dir:expr, $stem:expr, $size:expr, |$root:ident| $body:expr) => {{
        let (dir, stem, size): (&Path, &str, (u32, u32)) = ($dir, $stem, $size);
        let mut svg = String::new();
        {
            let $root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            $body.map_err(|m| $crate::plot::PlotError::Draw { chart: stem.to_string(), message: m })?;
            $root.present().map_err(|e| $crate::plot::PlotError::Draw {
                chart: stem.to_string(),
                message: $crate::plot::err(e),
            })?;
        }
        $crate::plot::finish(dir, stem, &svg)?;
    }};
}
pub(crate) use both;

pub(crate) fn finish(dir: &Path, stem: &str, svg: &str) -> Result<(), PlotError> {
    let png = raster::to_png(svg).map_err(|message| PlotError::Draw { chart: stem.to_string(), message })?;
    for (name, bytes) in [(format!("{stem}.svg"), svg.as_bytes()), (format!("{stem}.png"), png.as_slice())] {
        let path = dir.join(&name);
        crate::results::write::atomic(dir, &name, |w| w.write_all(bytes))
            .map_err(|e| PlotError::Write { path, reason: e })?;
    }
    Ok(())
}

/// Renders every chart of the run in `dir` into `dir`, then report.html;
/// returns the charts in order.
pub fn render(dir: &Path) -> Result<Vec<ChartFile>, PlotError> {
    style::register_fonts();
    let data = RunData::load(dir)?;
    let mut out = Vec::new();
    out.extend(fan::render(&data)?);
    out.extend(compare::render(&data)?);
    out.extend(funnel::render(&data)?);
    out.extend(heatmap::render(&data)?);
    let path = dir.join("report.html");
    let html = crate::report::build(&data, &out).map_err(|e| PlotError::Write { path: path.clone(), reason: e })?;
    crate::results::write::atomic(dir, "report.html", |w| w.write_all(html.as_bytes()))
        .map_err(|e| PlotError::Write { path, reason: e })?;
    Ok(out)
}
