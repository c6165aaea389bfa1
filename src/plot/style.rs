//! Fonts, colours and layout shared by every chart.

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::sync::Once;

pub const FONT: &str = "sans-serif";

static FONTS: Once = Once::new();

/// Registers the embedded Liberation Sans, so charts need no system fonts.
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are embedded at build time and checked by a test, so a
        // failure here would be a build defect; charts then fall back to no text.
        let _ = register_font(FONT, FontStyle::Normal, include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf"));
        let _ = register_font(FONT, FontStyle::Bold, include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf"));
    });
}

/// Okabe and Ito's colour-blind-safe palette, darkest first for print.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 0, 0),       // black
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 114, 178),   // blue
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(240, 228, 66),  // yellow
];

pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub const GREY: RGBColor = RGBColor(110, 110, 110);
pub const LIGHT_GREY: RGBColor = RGBColor(225, 225, 225);

pub fn text(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

pub fn bold(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().style(FontStyle::Bold).color(&BLACK)
}

pub fn grey_text(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&GREY)
}

/// The style anchored at its centre, for labels inside markers.
pub fn centred(style: TextStyle<'static>) -> TextStyle<'static> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// The label of the row at `y` when rows are drawn top-down at y = n-1, ..., 0:
/// row 0 (the first label) at the top; empty between rows.
pub fn row_label<S: AsRef<str>>(labels: &[S], y: f64) -> String {
    let i = y.round();
    let n = labels.len();
    if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
        labels[n - 1 - i as usize].as_ref().to_string()
    } else {
        String::new()
    }
}

/// Splits text into lines of at most `width` characters at spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_to(text, |line| line.chars().count() <= width)
}

/// Splits text at spaces into lines that `fits` accepts (a word too long
/// for any line stands alone).
pub fn wrap_to(text: &str, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && !fits(&format!("{line} {word}")) {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Viridis, from its published anchor colours: perceptually uniform and
/// readable by colour-blind readers and in greyscale.
pub fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(f64, f64, f64); 9] = [
        (68.0, 1.0, 84.0),
        (71.0, 44.0, 122.0),
        (59.0, 81.0, 139.0),
        (44.0, 113.0, 142.0),
        (33.0, 144.0, 141.0),
        (39.0, 173.0, 129.0),
        (92.0, 200.0, 99.0),
        (170.0, 220.0, 50.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let x = t * (ANCHORS.len() - 1) as f64;
    let i = (x.floor() as usize).min(ANCHORS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// "Readable" name for a lever kind, from the lever table.
pub fn lever_label(kind: &str) -> &str {
    crate::model::levers::label(kind)
}
