//! Loads a data set and answers two questions about a point: the nearest feature of a
//! layer, and how many lie within a radius.
//!
//! ```sh
//! cargo run --example nearest -- tests/fixtures/catalog motorway 5.3 46.3 20
//! ```

use sitematch::{Catalog, IndexedLayer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data, layer, lon, lat, km] = args.as_slice() else {
        return Err("usage: nearest DATA_DIR LAYER LON LAT RADIUS_KM".into());
    };
    let catalog = Catalog::from_path(data)?;
    let layer = catalog
        .layer(layer)
        .ok_or_else(|| format!("no layer {layer:?} in {data}"))?;
    let index = IndexedLayer::new(layer.clone());
    let here = geo::Point::new(lon.parse()?, lat.parse()?);
    match index.nearest(here, |_| true) {
        Some((i, metres)) => {
            let f = &index.layer().features[i];
            println!(
                "nearest: {} ({}) at {:.3} km",
                f.id,
                f.label.as_deref().unwrap_or("no label"),
                metres / 1000.0
            );
        }
        None => println!("the layer is empty"),
    }
    let radius_m = km.parse::<f64>()? * 1000.0;
    println!("within {km} km: {}", index.within(here, radius_m).len());
    Ok(())
}
