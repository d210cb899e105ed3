//! The engine: every layer indexed once, ready for many briefs, and the pipeline that
//! runs one.
//!
//! [`Engine::new`] sorts every layer by id once; a layer's index and folded table
//! (its categories and tags numbered) are made on the first query that needs them.
//! [`Engine::rank`] (`rank.rs`) runs a brief as
//! stages, each a function of its own: the **candidates** (the site layers the brief
//! ranks, ids unique), the **filters** (`filter.rs`: hard constraints, a list of reasons
//! per site), the **evaluation** (one scorer per criterion, from [`crate::criteria`]),
//! the **aggregation** (weighted sum, AHP, TOPSIS, or likeness to a target:
//! `target.rs`), the **order** (best first, ties by id), the **decision** steps (Pareto
//! front, robustness, near misses, a diverse shortlist: [`crate::decision`]) and the
//! **warnings** (`warnings.rs`, the one place a ranking's warnings are made).
//! [`Engine::grid`] (`grid.rs`) runs a grid brief through the same filters and scorers,
//! cell by cell, as a stream. The engine is `Send + Sync`, so one can serve many briefs
//! from many threads.

mod filter;
mod grid;
mod networks;
mod rank;
mod shell;
mod stream;
mod target;
mod warnings;

use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;

pub use grid::{Grid, GridStats, MAX_CELLS};
pub use rank::{MAX_PAIRS, MAX_ROBUSTNESS_RANKS};

use crate::brief::{Brief, Travel};
use crate::catalog::Catalog;
use crate::criteria::DataSet;
use crate::error::{BriefProblems, Result};
use crate::index::IndexedLayer;
use crate::model::{Layer, Role};
use crate::network::Network;
use crate::table::Folded;

/// The engine: every layer indexed once, ready for many briefs.
///
/// ```
/// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
/// let mut big = Feature::point("big", 2.0, 48.0);
/// big.area_ha = Some(50.0);
/// let mut small = Feature::point("small", 2.1, 48.0);
/// small.area_ha = Some(10.0);
/// let sites = Layer::from_features("sites", Role::Sites, vec![big, small]);
/// let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// let brief = Brief::from_toml_str(r#"
///     [[criterion]]
///     name = "land"
///     type = "attribute"
///     field = "area_ha"
///     ideal = 60
///     zero = 0
/// "#)?;
/// let ranking = engine.rank(&brief)?;
/// assert_eq!(ranking.sites[0].site_id, "big");
/// assert!((ranking.sites[0].score.unwrap() - 100.0 * 50.0 / 60.0).abs() < 1e-9);
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    catalog: Option<std::path::PathBuf>,
    layers: Vec<IndexedLayer>,
    networks: Vec<Network>,
    /// Per layer: its folded table, made on first use (most briefs match categories
    /// or tags in a few layers only).
    folded: Vec<OnceLock<Folded>>,
    by_name: HashMap<String, usize>,
    streams: Vec<crate::catalog::StreamedLayer>,
}

impl Engine {
    /// Indexes every layer of the catalog (one R-tree bulk load per layer).
    ///
    /// Each layer's features are first sorted by id, so that every sum and every
    /// tie is computed in the same order whatever the order of the input files: the
    /// same data gives byte-identical results.
    pub fn new(catalog: Catalog) -> Engine {
        let layers: Vec<IndexedLayer> = catalog
            .layers
            .into_par_iter()
            .map(|mut layer| {
                layer
                    .features
                    .sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
                IndexedLayer::new(layer)
            })
            .collect();
        let folded = layers.iter().map(|_| OnceLock::new()).collect();
        let by_name = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.layer().name.clone(), i))
            .collect();
        Engine {
            catalog: catalog.path,
            layers,
            networks: catalog.networks,
            folded,
            by_name,
            streams: catalog.streams,
        }
    }

    /// The sites layers read a chunk at a time when a brief names them in
    /// `filter.layers` (`stream = true` in the catalog).
    pub fn streams(&self) -> &[crate::catalog::StreamedLayer] {
        &self.streams
    }

    /// Builds every layer's indexes now. They are otherwise built on the first query
    /// that needs them, so that a run pays only for what its brief uses; a server
    /// calls this once at start so that no request pays for them.
    ///
    /// ```
    /// use sitematch::{Catalog, Engine, Feature, Layer, Role};
    /// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features(
    ///     "ports", Role::Facilities, vec![Feature::point("a", 0.0, 0.0)],
    /// )]));
    /// engine.build_indexes();
    /// let near = engine.layer("ports").and_then(|l| l.nearest(geo::Point::new(0.0, 0.1), |_| true));
    /// assert_eq!(near.map(|(i, _)| i), Some(0));
    /// ```
    pub fn build_indexes(&self) {
        self.layers.par_iter().for_each(IndexedLayer::build_all);
        (0..self.layers.len()).into_par_iter().for_each(|i| {
            self.table_at(i);
        });
    }

    /// The folded table of layer `i`, made on first use.
    fn table_at(&self, i: usize) -> Option<&Folded> {
        let layer = self.layers.get(i)?;
        Some(
            self.folded
                .get(i)?
                .get_or_init(|| Folded::new(layer.layer())),
        )
    }

    /// The catalog file the engine's layers came from (`None` for layers built in
    /// memory). The layers themselves are [`Engine::layers`] and [`Engine::networks`].
    ///
    /// ```
    /// let engine = sitematch::Engine::new(sitematch::Catalog::from_layers(vec![]));
    /// assert_eq!(engine.catalog_path(), None);
    /// ```
    pub fn catalog_path(&self) -> Option<&std::path::Path> {
        self.catalog.as_deref()
    }

    /// The road network with this name.
    pub fn network(&self, name: &str) -> Option<&Network> {
        self.networks.iter().find(|n| n.name == name)
    }

    /// The road network a command or a request means: see [`Network::pick`].
    ///
    /// ```
    /// let engine = sitematch::Engine::new(sitematch::Catalog::from_layers(vec![]));
    /// assert!(engine.pick_network(None).unwrap_err().contains("no road network"));
    /// ```
    pub fn pick_network(&self, name: Option<&str>) -> std::result::Result<&Network, String> {
        Network::pick(&self.networks, name)
    }

    /// The road networks, in catalog order.
    pub fn networks(&self) -> &[Network] {
        &self.networks
    }

    /// The indexed layer with this name.
    pub fn layer(&self, name: &str) -> Option<&IndexedLayer> {
        self.by_name.get(name).and_then(|&i| self.layers.get(i))
    }

    /// The layers, in catalog order.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().map(IndexedLayer::layer)
    }

    pub(super) fn site_layers(&self, brief: &Brief) -> Vec<&IndexedLayer> {
        match &brief.filter.layers {
            Some(names) => names.iter().filter_map(|n| self.layer(n)).collect(),
            None => self
                .layers
                .iter()
                .filter(|l| l.layer().role == Role::Sites)
                .collect(),
        }
    }

    /// Checks a brief against the data: layers exist and have the right role, fields
    /// exist. Every problem is reported at once.
    pub fn check(&self, brief: &Brief) -> Result<()> {
        let layers: Vec<&Layer> = self
            .layers()
            .chain(self.streams.iter().map(|s| s.shell()))
            .collect();
        let mut problems = brief.check_against(&layers);
        problems.extend(self.network_problems(brief));
        BriefProblems::check(problems)
    }

    /// For a brief with `[candidates] grid_km`: the grid of scored cells over the
    /// brief's `bbox` or `departments`, as a stream. Cells with no land point within
    /// reach, outside the départements or outside the `within` zones are left out (and
    /// counted in [`Grid::stats`]); cells failing a hard constraint too, unless
    /// `include_excluded`.
    pub fn grid<'a>(&'a self, brief: &'a Brief, include_excluded: bool) -> Result<Grid<'a>> {
        Grid::new(self, brief, include_excluded)
    }

    /// The values of a brief that match nothing in the data (`where`, `departments`,
    /// `categories`, `tags`, category `scores`), each with the closest value the data
    /// has. [`Engine::rank`] adds them to the ranking's warnings.
    ///
    /// ```
    /// use sitematch::{Brief, Catalog, Engine, Feature, Layer, Role};
    /// let mut site = Feature::point("a", 2.0, 48.0);
    /// site.attributes.insert("statut".into(), sitematch::Value::Text("friche sans projet".into()));
    /// let engine = Engine::new(Catalog::from_layers(vec![Layer::from_features("sites", Role::Sites, vec![site])]));
    /// let brief = Brief::from_toml_str(r#"
    ///     [filter]
    ///     where = { statut = ["friche sans projet", "friche sans projets"] }
    ///     [[criterion]]
    ///     name = "land"
    ///     type = "attribute"
    ///     field = "area_ha"
    ///     ideal = 10
    ///     zero = 0
    /// "#)?;
    /// let w = engine.value_warnings(&brief);
    /// assert_eq!(w[0].key, "filter.where.statut[1]");
    /// assert!(w[0].message.ends_with("did you mean \"friche sans projet\"?"));
    /// # Ok::<(), sitematch::Error>(())
    /// ```
    pub fn value_warnings(&self, brief: &Brief) -> Vec<crate::warnings::Warning> {
        let sites: Vec<&Layer> = self.site_layers(brief).iter().map(|l| l.layer()).collect();
        crate::warnings::unmatched_values(brief, &sites, |n| {
            let &i = self.by_name.get(n)?;
            self.table_at(i).map(|f| &f.known)
        })
    }

    /// The `exclude_zones` layers of a brief, by name.
    pub(super) fn exclude_zones<'a>(
        &'a self,
        brief: &'a Brief,
    ) -> Vec<(&'a str, Option<&'a IndexedLayer>)> {
        brief
            .filter
            .exclude_zones
            .iter()
            .map(|z| (z.as_str(), self.layer(z)))
            .collect()
    }
}

impl DataSet for Engine {
    fn layer(&self, name: &str) -> Option<&IndexedLayer> {
        Engine::layer(self, name)
    }

    fn table(&self, name: &str) -> Option<&Folded> {
        self.table_at(*self.by_name.get(name)?)
    }

    fn network_of(&self, travel: &Travel) -> Option<&Network> {
        Engine::network_of(self, travel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
        assert_send_sync::<crate::ranking::Ranking>();
    }

    #[test]
    fn a_layers_table_is_made_when_a_brief_first_matches_in_it() {
        let mut port = crate::model::Feature::point("p", 2.0, 48.0);
        port.category = Some("Port maritime".into());
        let engine = Engine::new(Catalog::from_layers(vec![
            Layer::from_features(
                "sites",
                Role::Sites,
                vec![crate::model::Feature::point("s", 2.1, 48.0)],
            ),
            Layer::from_features("ports", Role::Facilities, vec![port]),
            Layer::from_features(
                "rail",
                Role::Facilities,
                vec![crate::model::Feature::point("r", 2.2, 48.0)],
            ),
        ]));
        let made =
            |e: &Engine| -> Vec<bool> { e.folded.iter().map(|t| t.get().is_some()).collect() };
        assert_eq!(made(&engine), [false, false, false]);
        let brief = Brief::from_toml_str(
            "[[criterion]]\nname = \"port\"\ntype = \"distance\"\nlayer = \"ports\"\n\
             categories = [\"port MARITIME\"]\nideal_km = 1\nzero_km = 50\n\
             [[criterion]]\nname = \"rail\"\ntype = \"access\"\nlayer = \"rail\"\n\
             radius_km = 30\nsaturation = 1\n",
        )
        .unwrap();
        let ranking = engine.rank(&brief).unwrap();
        // The category matched, case ignored, through the table made now.
        assert_eq!(
            ranking.sites[0].criteria[0].nearest_id.as_deref(),
            Some("p")
        );
        // The access criterion selects no category or tag: every rail feature counts,
        // without the rail layer's table.
        assert_eq!(
            ranking.sites[0].criteria[1].value,
            crate::ranking::CriterionValue::Number(Some(1.0))
        );
        assert_eq!(made(&engine), [false, true, false]);
        engine.build_indexes();
        assert_eq!(made(&engine), [true, true, true]);
    }
}
