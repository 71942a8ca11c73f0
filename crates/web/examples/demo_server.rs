//! Serves the Flensburg demo atlas: `cargo run -p sozialatlas-web --example demo_server [ADDR]`
//! (default 127.0.0.1:8080).

use sozialatlas_core::ComputeSettings;
use sozialatlas_import::{DirSource, load_atlas};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into())
        .parse()?;
    let src = DirSource::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/flensburg"
    ));
    let atlas = load_atlas(&src, &|_, _, _| {}).map_err(|e| format!("{e:?}"))?;
    let settings = ComputeSettings {
        suppression_threshold: atlas.config.settings.suppression_threshold,
        population_variable: atlas.config.settings.population_variable.clone(),
        min_population: atlas.config.settings.min_population,
    };
    let computed = sozialatlas_core::compute(
        &atlas.tree,
        &atlas.catalogue,
        &atlas.observations,
        &settings,
    );
    let pool = sozialatlas_store::open_memory().await?;
    sozialatlas_store::write_atlas(
        &pool,
        &atlas,
        &computed,
        env!("CARGO_PKG_VERSION"),
        "examples/flensburg",
        "demo",
    )
    .await?;
    let snap = sozialatlas_store::read_snapshot(&pool).await?;
    println!("serving the demo on http://{listen}");
    sozialatlas_web::serve(listen, sozialatlas_web::AppState::new(snap, pool)).await?;
    Ok(())
}
