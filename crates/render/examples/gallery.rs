//! Writes every figure of the tests as SVG and PNG into a folder, to look at:
//! `cargo run -p sozialatlas-render --example gallery -- /tmp/render-gallery`.

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "../tests/it/common/figures.rs"]
mod figures;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/render-gallery".into());
    std::fs::create_dir_all(&dir)?;
    for (name, svg) in figures::all() {
        std::fs::write(format!("{dir}/{name}.svg"), &svg)?;
        let png = sozialatlas_render::svg_to_png(&svg, 1.5)?;
        std::fs::write(format!("{dir}/{name}.png"), png)?;
        println!("{dir}/{name}.png");
    }
    Ok(())
}
