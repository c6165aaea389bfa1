//! SVG to PNG with resvg, using only the embedded fonts: the PNG needs no
//! system fonts and has the same text as the SVG.

use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

fn fonts() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf").to_vec());
        db.load_font_data(include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf").to_vec());
        db.set_sans_serif_family("Liberation Sans");
        Arc::new(db)
    })
    .clone()
}

pub fn to_png(svg: &str) -> Result<Vec<u8>, String> {
    let opt = usvg::Options { font_family: "Liberation Sans".into(), fontdb: fonts(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| format!("the chart's SVG does not parse: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the chart has no area")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode PNG: {e}"))
}
