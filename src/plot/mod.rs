//! Charts of a run, drawn from its files alone (`summary.csv`,
//! `timeseries.csv`, `footprints.csv`, `manifest.json`), never from the
//! model. Every chart is written as PNG (slides) and SVG (print) with an
//! embedded font, so no system fonts are needed.

mod compare;
pub mod data;
pub mod fan;
pub mod fit;
mod funnel;
pub(crate) mod heatmap;
pub mod input;
pub mod page;
pub(crate) mod raster;
pub mod style;
pub mod workbook;

/// Metrics in words and units, from the results floor (old path kept).
pub use crate::results::numbers;
pub use compare::{paired_difference, signed};
pub use input::ChangedParam;
pub use input::{InputError, RunData};
pub use style::register_fonts;

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

/// A chart drawn in memory as SVG; [`write_charts`] adds its PNG and writes both.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// File stem: `fan_transformation_index`, `comparison`, ...
    pub stem: String,
    pub title: String,
    pub size: (u32, u32),
    pub svg: String,
}

/// Choices a reader can make about the charts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChartOptions {
    /// Fit share axes to the data instead of starting them at zero (the
    /// subtitle then says so).
    pub zoom: bool,
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
    // Measuring text for the wrap needs the fonts.
    style::register_fonts();
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(title.to_string(), (28, 18), style::bold(30.0))).map_err(err)?;
    let sub = style::wrap(subtitle, (w as usize - 56) / 9);
    for (i, line) in sub.iter().take(3).enumerate() {
        root.draw(&Text::new(line.clone(), (28, 58 + 22 * i as i32), style::grey_text(18.0))).map_err(err)?;
    }
    // A long source line (a posterior, a survey) wraps upwards from the foot
    // rather than running off the right edge.
    let font = style::grey_text(15.0);
    let fits = |line: &str| root.estimate_text_size(line, &font).map_or(true, |(x, _)| x + 56 <= w);
    let foot = style::wrap_to(source, fits);
    let n = foot.len() as i32;
    for (i, line) in foot.iter().enumerate() {
        let y = h as i32 - 30 - 19 * (n - 1 - i as i32);
        root.draw(&Text::new(line.clone(), (28, y), font.clone())).map_err(err)?;
    }
    let top = 70 + 22 * sub.len().min(3) as u32;
    Ok(root.margin(top, 44 + 19 * (n.max(1) - 1) as u32, 0, 0))
}

/// The source line: the model run, and where the structure's data come from.
pub(crate) fn source_line(data: &RunData) -> String {
    let england = data.scenarios.iter().any(|s| s.structure_name.starts_with("England"));
    let over = if data.manifest.posterior.is_some() {
        "; intervals include parameter uncertainty (posterior draws)"
    } else {
        ""
    };
    format!(
        "Source: stpsim v{} simulation, {} replicates, seed {}{}{over}",
        data.version,
        data.replicates,
        data.seed,
        if england { "; England's footprints from NHS England and ONS (data/README.md)" } else { "" }
    )
}

/// Decimals for ticks the chart library places itself (steps of 1, 2 or 5
/// times a power of ten, at least `rough` apart): labels never repeat.
pub(crate) fn rough_tick_decimals(rough: f64) -> usize {
    if rough > 0.0 && rough.is_finite() { (-(rough.log10().floor())).max(0.0) as usize } else { 0 }
}

/// Tick labels that never repeat: the decimals an exact tick step needs.
pub(crate) fn tick_decimals(step: f64) -> usize {
    if !(step > 0.0 && step.is_finite()) {
        return 0;
    }
    let mut d = (-(step.log10().floor())).max(0.0) as usize;
    // A step of 0.025 needs three decimals, not two.
    while d < 6 {
        let x = step * 10f64.powi(d as i32);
        if (x - x.round()).abs() < 1e-6 * x.max(1.0) {
            break;
        }
        d += 1;
    }
    d
}

/// Draws a chart into an SVG string.
pub(crate) fn svg(
    stem: &str,
    title: &str,
    size: (u32, u32),
    draw: impl for<'a> FnOnce(&DrawingArea<SVGBackend<'a>, Shift>) -> Drawn,
) -> Result<Chart, PlotError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        draw(&root).map_err(|m| PlotError::Draw { chart: stem.to_string(), message: m })?;
        root.present().map_err(|e| PlotError::Draw { chart: stem.to_string(), message: err(e) })?;
    }
    Ok(Chart { stem: stem.to_string(), title: title.to_string(), size, svg: text })
}

/// Writes each chart as SVG, and as PNG rasterised from that SVG with the
/// embedded fonts, so the two show the same thing. Each file is written under
/// a temporary name and renamed into place.
pub fn write_charts(dir: &Path, charts: &[Chart]) -> Result<(), PlotError> {
    for c in charts {
        let png = raster::to_png(&c.svg).map_err(|message| PlotError::Draw { chart: c.stem.clone(), message })?;
        for (name, bytes) in
            [(format!("{}.svg", c.stem), c.svg.as_bytes()), (format!("{}.png", c.stem), png.as_slice())]
        {
            let path = dir.join(&name);
            crate::results::write::atomic(dir, &name, |w| w.write_all(bytes))
                .map_err(|e| PlotError::Write { path, reason: e })?;
        }
    }
    Ok(())
}

/// Every chart of a run, in the order the report shows them, drawn in memory.
pub fn charts(data: &RunData, options: &ChartOptions) -> Result<Vec<Chart>, PlotError> {
    style::register_fonts();
    let mut out = Vec::new();
    out.extend(fan::render(data, options)?);
    out.extend(compare::render(data)?);
    out.extend(funnel::render(data)?);
    out.extend(heatmap::render(data)?);
    out.extend(fit::render(data)?);
    Ok(out)
}

/// Every chart's table, in the order [`charts`] draws them.
pub fn tables(data: &RunData) -> Vec<data::ChartTable> {
    let mut out = fan::tables(data);
    out.extend(compare::table(data));
    out.extend(funnel::table(data));
    out.extend(heatmap::tables(data));
    out.extend(fit::tables(data));
    out
}

/// The numbers of the fan chart that shows metric `m` (the same table as
/// its `data/<chart>.csv`), or that layout for `m` alone where no chart
/// shows it: what the explorer's "download data" gives.
pub fn metric_table(data: &RunData, m: crate::model::Metric) -> data::ChartTable {
    fan::metric_table(data, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws the frame alone into an SVG of width 1200 and returns it.
    fn framed(source: &str) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (1200, 800)).into_drawing_area();
            frame(&root, "Title", "Subtitle", source).unwrap();
            root.present().unwrap();
        }
        svg
    }

    fn text_lines(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].trim().replace("&apos;", "'"))
            .collect()
    }

    #[test]
    fn a_long_source_line_wraps_inside_the_chart() {
        let long = "Source: stpsim simulation, 200 replicates, seed 2016; England's footprints from NHS England \
                    and ONS (data/README.md); intervals include parameter uncertainty (posterior draws); survey: \
                    HFMA, NHS finance directors, Oct-Nov 2016";
        let lines = text_lines(&framed(long));
        let foot: Vec<&String> =
            lines.iter().filter(|l| !l.starts_with("Title") && !l.starts_with("Subtitle")).collect();
        assert!(foot.len() >= 2, "wrapped onto two lines: {foot:?}");
        assert_eq!(foot.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(" "), long, "every word kept, in order");
        // Measured in the chart's own font, each line fits the 1,144 px inside the margins.
        let font = style::grey_text(15.0);
        let mut scratch = String::new();
        let area = SVGBackend::with_string(&mut scratch, (1200, 800)).into_drawing_area();
        for l in &foot {
            assert!(area.estimate_text_size(l, &font).unwrap().0 <= 1144, "{l}");
        }
    }

    #[test]
    fn a_short_source_line_stays_one_line() {
        let lines = text_lines(&framed("Source: stpsim simulation"));
        assert_eq!(lines.iter().filter(|l| l.starts_with("Source")).count(), 1);
    }
}
