//! The fan charts' legends: swatches, published figures, lever markers.

use super::*;

/// A legend line: a swatch and its words.
pub(super) fn swatch_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: i32,
    y: i32,
    fill: Option<RGBAColor>,
    line: Option<RGBColor>,
    outline: Option<RGBColor>,
    text: &str,
) -> Drawn {
    if let Some(f) = fill {
        area.draw(&Rectangle::new([(x, y), (x + 34, y + 18)], f.filled())).map_err(err)?;
    }
    if let Some(c) = outline {
        area.draw(&PathElement::new(vec![(x, y + 1), (x + 34, y + 1)], c.stroke_width(1))).map_err(err)?;
        area.draw(&PathElement::new(vec![(x, y + 17), (x + 34, y + 17)], c.stroke_width(1))).map_err(err)?;
    }
    if let Some(c) = line {
        area.draw(&PathElement::new(vec![(x, y + 9), (x + 34, y + 9)], c.stroke_width(3))).map_err(err)?;
    }
    area.draw(&Text::new(text.to_string(), (x + 44, y + 1), style::text(15.0))).map_err(err)
}

/// Published figures in the legend: a marker, then each figure in words.
pub(super) fn figures_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: i32,
    mut y: i32,
    figures: &[Figure],
) -> Result<i32, String> {
    if figures.is_empty() {
        return Ok(y);
    }
    y += 4;
    area.draw(&Text::new("Published figures, 90% interval", (x, y), style::bold(17.0))).map_err(err)?;
    y += 26;
    area.draw(&Circle::new((x + 17, y + 9), 6, BLACK.filled())).map_err(err)?;
    area.draw(&PathElement::new(vec![(x + 17, y - 4), (x + 17, y + 22)], BLACK.stroke_width(2))).map_err(err)?;
    for f in figures {
        for line in style::wrap(&f.words, 32) {
            area.draw(&Text::new(line, (x + 44, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        y += 4;
    }
    Ok(y + 10)
}

/// The legend of small multiples: what grey, blue and the bands are.
pub(super) fn draw_grid_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &RunData,
    spec: &Spec,
    figures: &[Figure],
) -> Drawn {
    let x = 16;
    let mut y = 24;
    area.draw(&Text::new("In each panel", (x, y), style::bold(17.0))).map_err(err)?;
    y += 28;
    if spec.panels.len() > 1 {
        for (k, &(_, caption)) in spec.panels.iter().enumerate() {
            let c = metric_colour(k);
            swatch_row(area, x, y, Some(c.mix(BAND_ALPHA[0])), Some(c), None, caption)?;
            y += 26;
        }
        for line in ["Lines: medians across replicates;", "bands: 90% of replicates"] {
            area.draw(&Text::new(line, (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
    } else {
        let g = style::GREY;
        let names: Vec<&str> =
            structure_groups(data).iter().filter(|g| g.len() > 1).map(|g| data.scenarios[g[0]].name.as_str()).collect();
        let reference = format!("{}, for reference (its structure's first scenario)", names.join(", "));
        swatch_row(area, x, y, None, Some(SMALL_COLOUR), None, "the panel's scenario")?;
        y += 26;
        for (i, line) in style::wrap(&reference, 30).iter().enumerate() {
            if i == 0 {
                swatch_row(area, x, y, None, Some(g), None, line)?;
            } else {
                area.draw(&Text::new(line.clone(), (x + 44, y + 1), style::text(15.0))).map_err(err)?;
            }
            y += 22;
        }
        y += 4;
        area.draw(&Text::new("Across replicates", (x, y), style::bold(17.0))).map_err(err)?;
        y += 28;
        swatch_row(area, x, y, Some(SMALL_COLOUR.mix(BAND_ALPHA[0])), None, None, "90% of replicates")?;
        y += 26;
        swatch_row(area, x, y, Some(SMALL_COLOUR.mix(BAND_ALPHA[1])), None, None, "50% of replicates")?;
        y += 26;
        for line in ["the reference's bands are", "drawn as grey outlines"] {
            area.draw(&Text::new(line, (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
    }
    y += 10;
    area.draw(&Text::new("Levers", (x, y), style::bold(17.0))).map_err(err)?;
    y += 26;
    for line in [
        "Dashed lines: the panel's own",
        "levers start; they are named",
        "under its title, and report.html",
        "tables every lever",
    ] {
        area.draw(&Text::new(line, (x, y), style::text(14.0))).map_err(err)?;
        y += 18;
    }
    figures_legend(area, x, y + 8, figures).map(|_| ())
}

pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &RunData,
    marks: &[Mark],
    figures: &[Figure],
) -> Drawn {
    let (_, height) = area.dim_in_pixel();
    let bottom = height as i32 - 30;
    let mut y = 24;
    let x = 16;
    let banded: Vec<usize> =
        if data.scenarios.len() <= MAX_BANDED { (0..data.scenarios.len()).collect() } else { Vec::new() };
    area.draw(&Text::new("Scenarios", (x, y), style::bold(17.0))).map_err(err)?;
    y += 28;
    for (s, sc) in data.scenarios.iter().enumerate() {
        let c = colour(s);
        area.draw(&PathElement::new(vec![(x, y + 8), (x + 34, y + 8)], c.stroke_width(4))).map_err(err)?;
        area.draw(&Text::new(sc.name.clone(), (x + 44, y), style::text(15.0))).map_err(err)?;
        y += 26;
    }
    y += 10;
    if !banded.is_empty() {
        area.draw(&Text::new("Across replicates", (x, y), style::bold(17.0))).map_err(err)?;
        y += 28;
        // Each band's swatch in the colours it is drawn in: filled for the
        // scenarios filled, outlined for the reference under them.
        for (k, words, dashed) in [(0, "90% of replicates", true), (1, "50% of replicates", false)] {
            let mut sx = x;
            for &s in &banded {
                let c = colour(s);
                if outlined(&banded, s) {
                    // Dashed edges for the 90% band, solid for the 50%, as drawn.
                    let pieces: &[(i32, i32)] = if dashed { &[(0, 5), (9, 14)] } else { &[(0, 14)] };
                    for &(a, b) in pieces {
                        for yy in [y + 1, y + 17] {
                            area.draw(&PathElement::new(vec![(sx + a, yy), (sx + b, yy)], c.stroke_width(1)))
                                .map_err(err)?;
                        }
                    }
                } else {
                    area.draw(&Rectangle::new([(sx, y), (sx + 14, y + 18)], c.mix(BAND_ALPHA[k]).filled()))
                        .map_err(err)?;
                }
                sx += 18;
            }
            area.draw(&Text::new(words, (sx + 8, y + 1), style::text(15.0))).map_err(err)?;
            y += 26;
        }
        area.draw(&Text::new("lines: medians", (x, y + 1), style::text(15.0))).map_err(err)?;
        y += 22;
        y += 4;
    } else {
        for line in [
            "Lines are medians across replicates;",
            "with this many scenarios the bands",
            "are left out: see comparison",
            "and report.html for intervals",
        ] {
            area.draw(&Text::new(line, (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        y += 8;
    }
    y = figures_legend(area, x, y, figures)?;
    let changed: Vec<String> = (0..data.scenarios.len())
        .flat_map(|s| {
            data.changed_params(s).into_iter().map(move |p| {
                let against = if s == 0 { "default".to_string() } else { data.scenarios[0].name.clone() };
                format!("{}: {} {} ({against} {})", data.scenarios[s].name, p.name, p.value, p.reference)
            })
        })
        .collect();
    if !changed.is_empty() {
        y += 4;
        area.draw(&Text::new("Settings from the first quarter", (x, y), style::bold(17.0))).map_err(err)?;
        y += 24;
        let lines: Vec<String> = changed.iter().flat_map(|c| style::wrap(c, 36)).collect();
        let shown = lines.len().min(6);
        for line in &lines[..shown] {
            area.draw(&Text::new(line.clone(), (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        if shown < lines.len() {
            area.draw(&Text::new("(report.html lists them all)", (x, y), style::text(14.0))).map_err(err)?;
            y += 18;
        }
        y += 6;
    }
    if marks.is_empty() {
        return Ok(());
    }
    y += 10;
    area.draw(&Text::new("Levers switched on and off", (x, y), style::bold(17.0))).map_err(err)?;
    y += 26;
    // Each marker in full where they all fit, tighter if need be; else as
    // many lines each as fit (the first names the quarter and the
    // scenarios), a cut marker ending in an ellipsis and the legend saying
    // where the levers are in full.
    let full: Vec<Vec<String>> = marks.iter().map(|m| mark_lines(data, m)).collect();
    // Room between markers: one-line markers still need their circles (22 px) apart.
    let gap = |most: usize| if most == 1 { 8 } else { 6 };
    let need =
        |most: usize, step: i32| -> i32 { full.iter().map(|l| step * l.len().min(most) as i32 + gap(most)).sum() };
    let note = 20;
    let (most, step) = [(usize::MAX, 18), (usize::MAX, 16), (3, 16), (2, 16)]
        .into_iter()
        .find(|&(most, step)| y + need(most, step) + if most == usize::MAX { 0 } else { note } <= bottom)
        .unwrap_or((1, 16));
    let mut cut = false;
    for (mark, full) in marks.iter().zip(&full) {
        let mut lines: Vec<String> = full.iter().take(most).cloned().collect();
        if lines.len() < full.len() {
            cut = true;
            if let Some(last) = lines.last_mut() {
                last.push('\u{2026}');
            }
        }
        area.draw(&Circle::new((x + 10, y + 8), 11, mark.colour().stroke_width(2))).map_err(err)?;
        area.draw(&Text::new(mark.n.to_string(), (x + 10, y + 8), style::centred(style::bold(14.0)))).map_err(err)?;
        for line in lines {
            area.draw(&Text::new(line, (x + 30, y), style::text(14.0))).map_err(err)?;
            y += step;
        }
        y += gap(most);
    }
    if cut {
        area.draw(&Text::new("\u{2026} each lever in full: report.html", (x, y + 2), style::text(14.0)))
            .map_err(err)?;
    }
    Ok(())
}

/// A lever marker's legend lines: the quarter, then each scenario's levers.
pub(super) fn mark_lines(data: &RunData, mark: &Mark) -> Vec<String> {
    let name = |s: usize| data.scenarios.get(s).map_or("all scenarios", |sc| sc.name.as_str());
    let single = mark.what.len() == 1;
    let mut lines = Vec::new();
    if !single {
        lines.push(mark.quarter.to_string());
    }
    for (s, text) in &mark.what {
        // A lever every scenario shares is context, not a difference: one short line.
        let text = if *s == EVERY_SCENARIO { text.replace(" (all footprints)", "") } else { text.clone() };
        let body =
            if single { format!("{} {}: {text}", mark.quarter, name(*s)) } else { format!("{}: {text}", name(*s)) };
        lines.extend(style::wrap(&body, 34));
    }
    lines
}
