//! Road networks (docs/engine.md, section 5): a directed graph of nodes and edges timed in
//! minutes, the access legs that join points to it, and the shortest-time searches
//! the drive-time criteria run on it.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::path::PathBuf;

use geo::Point;

use crate::error::Skipped;
use crate::index::IndexedLayer;
use crate::model::{Feature, Layer, Role};

/// Speeds by OpenStreetMap `highway` value, km/h (docs/engine.md, section 5); a way is a road
/// when its `highway` is one of these (or in the catalog's `[layer.speeds]`).
pub const OSM_SPEEDS_KMH: [(&str, f64); 15] = [
    ("motorway", 110.0),
    ("motorway_link", 60.0),
    ("trunk", 90.0),
    ("trunk_link", 50.0),
    ("primary", 70.0),
    ("primary_link", 45.0),
    ("secondary", 60.0),
    ("secondary_link", 40.0),
    ("tertiary", 50.0),
    ("tertiary_link", 35.0),
    ("unclassified", 40.0),
    ("road", 30.0),
    ("residential", 30.0),
    ("service", 15.0),
    ("living_street", 10.0),
];

/// Speeds by IGN ROUTE 120 class, km/h (docs/engine.md, section 5), as written with and
/// without accents and capitals; any other class is driven at [`DEFAULT_KMH`].
pub const ROUTE120_SPEEDS_KMH: [(&str, f64); 8] = [
    ("Autoroute", 110.0),
    ("Nationale", 80.0),
    ("Departementale", 70.0),
    ("Départementale", 70.0),
    ("autoroute", 110.0),
    ("nationale", 80.0),
    ("departementale", 70.0),
    ("Sans objet", 50.0),
];

/// The speed of a class that is not in the table, km/h.
pub const DEFAULT_KMH: f64 = 50.0;

/// The default speed of the access leg from a point to its nearest node, km/h.
pub const DEFAULT_ACCESS_KMH: f64 = 30.0;

/// One edge as given: two node indexes, a length and a speed.
///
/// ```
/// let e = sitematch::RoadEdge { from: 0, to: 1, length_km: 11.0, kmh: 110.0, oneway: false };
/// assert_eq!(e.minutes(), 6.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoadEdge {
    /// Start node (index in the network's nodes).
    pub from: usize,
    /// End node.
    pub to: usize,
    /// Length, km (more than 0).
    pub length_km: f64,
    /// Speed, km/h (more than 0).
    pub kmh: f64,
    /// Drivable only from `from` to `to`.
    pub oneway: bool,
}

impl RoadEdge {
    /// The time to drive it, minutes.
    pub fn minutes(&self) -> f64 {
        self.length_km / self.kmh * 60.0
    }
}

/// Adjacency in compressed rows: the arcs leaving node n are
/// `targets[offsets[n]..offsets[n + 1]]`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Csr {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    minutes: Vec<f64>,
    km: Vec<f64>,
}

impl Csr {
    /// From arcs (from, to, minutes, km).
    fn new(n: usize, arcs: &mut [(u32, u32, f64, f64)]) -> Csr {
        arcs.sort_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.total_cmp(&b.3))
        });
        let mut offsets = vec![0; n + 1];
        for (from, _, _, _) in arcs.iter() {
            offsets[*from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        Csr {
            offsets,
            targets: arcs.iter().map(|a| a.1).collect(),
            minutes: arcs.iter().map(|a| a.2).collect(),
            km: arcs.iter().map(|a| a.3).collect(),
        }
    }

    /// The arcs leaving `n` as (target, minutes, km).
    fn arcs_km(&self, n: u32) -> impl Iterator<Item = (u32, f64, f64)> + '_ {
        let (a, b) = (self.offsets[n as usize], self.offsets[n as usize + 1]);
        (a..b).map(|i| (self.targets[i], self.minutes[i], self.km[i]))
    }

    fn arcs(&self, n: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        let (a, b) = (self.offsets[n as usize], self.offsets[n as usize + 1]);
        self.targets[a..b]
            .iter()
            .copied()
            .zip(self.minutes[a..b].iter().copied())
    }
}

/// A road network: nodes (points, indexed for joining), directed arcs timed in
/// minutes, the access speed, and what was skipped when it was read.
///
/// ```
/// use sitematch::{Feature, Network, RoadEdge};
/// // Three nodes on the equator, 0.1° (11.1 km) apart, joined by a 60 km/h road.
/// let nodes = (0..3).map(|i| Feature::point(format!("n{i}"), i as f64 * 0.1, 0.0)).collect();
/// let edges = vec![
///     RoadEdge { from: 0, to: 1, length_km: 11.0, kmh: 60.0, oneway: false },
///     RoadEdge { from: 1, to: 2, length_km: 11.0, kmh: 60.0, oneway: false },
/// ];
/// let net = Network::new("roads", nodes, edges, 30.0);
/// assert_eq!((net.node_count(), net.arc_count()), (3, 4));
/// // From node 0 to node 2: 22 km at 60 km/h.
/// let t = net.shortest_from(&[(0, 0.0)], false, f64::INFINITY);
/// assert!((t[&2] - 22.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Network {
    /// Layer name.
    pub name: String,
    /// The edges file (`None` in memory).
    pub path: Option<PathBuf>,
    /// The speed of the leg from a point to its nearest node, km/h.
    pub access_kmh: f64,
    /// Edges and nodes not used, with why.
    pub skipped: Vec<Skipped>,
    #[serde(with = "crate::index::as_layer")]
    nodes: IndexedLayer,
    forward: Csr,
    reverse: Csr,
    max_kmh: f64,
    /// Connected component of each node (undirected), numbered by size, largest 0.
    component: Vec<u32>,
    component_sizes: Vec<usize>,
}

/// A search entry of [`Network::fastest_km`]: (minutes, km, node), fastest first, then
/// shortest.
#[derive(Debug, Clone, Copy, PartialEq)]
struct KmEntry(f64, f64, u32);

impl Eq for KmEntry {}

impl Ord for KmEntry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: BinaryHeap is a max-heap.
        other
            .0
            .total_cmp(&self.0)
            .then(other.1.total_cmp(&self.1))
            .then(other.2.cmp(&self.2))
    }
}

impl PartialOrd for KmEntry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A search entry: (minutes, label, node), smallest first.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry(f64, u32, u32);

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| other.1.cmp(&self.1))
            .then_with(|| other.2.cmp(&self.2))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Network {
    /// The network of `networks` a command or a request means: the one named, else
    /// the only one. The error names those there are.
    pub fn pick<'a>(networks: &'a [Network], name: Option<&str>) -> Result<&'a Network, String> {
        let names = || {
            networks
                .iter()
                .map(|n| n.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            Some(name) => networks.iter().find(|n| n.name == name).ok_or_else(|| {
                format!(
                    "{name}: no such road network; the data set has: {}",
                    names()
                )
            }),
            None => match networks {
                [one] => Ok(one),
                [] => Err("the data set has no road network (a layer of role \"network\")".into()),
                more => Err(format!(
                    "the data set has {} road networks: name one ({})",
                    more.len(),
                    names()
                )),
            },
        }
    }

    /// A network from its nodes (points; their ids name them) and edges. Edges with
    /// a node index out of range are ignored; use the catalog's readers to have them
    /// reported.
    pub fn new(
        name: impl Into<String>,
        nodes: Vec<Feature>,
        edges: Vec<RoadEdge>,
        access_kmh: f64,
    ) -> Network {
        let name = name.into();
        let n = nodes.len();
        let mut fwd = Vec::with_capacity(edges.len() * 2);
        // The fastest an edge moves one in a straight line: its chord over its time
        // (more than its speed when its length is shorter than its chord).
        let mut max_kmh: f64 = 0.0;
        for e in edges.iter().filter(|e| e.from < n && e.to < n) {
            let (a, b, t) = (e.from as u32, e.to as u32, e.minutes());
            let chord_km =
                crate::index::fast_distance_m(nodes[e.from].location, nodes[e.to].location)
                    / 1000.0;
            max_kmh = max_kmh.max(e.kmh).max(chord_km / t * 60.0 * (1.0 + 1e-9));
            fwd.push((a, b, t, e.length_km));
            if !e.oneway {
                fwd.push((b, a, t, e.length_km));
            }
        }
        let mut rev: Vec<(u32, u32, f64, f64)> =
            fwd.iter().map(|&(a, b, t, k)| (b, a, t, k)).collect();
        let forward = Csr::new(n, &mut fwd);
        let reverse = Csr::new(n, &mut rev);
        let (component, component_sizes) = components(n, &forward, &reverse);
        Network {
            nodes: IndexedLayer::new(Layer::from_features(name.clone(), Role::Network, nodes)),
            name,
            path: None,
            access_kmh,
            skipped: Vec::new(),
            forward,
            reverse,
            max_kmh,
            component,
            component_sizes,
        }
    }

    /// How many nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.layer().features.len()
    }

    /// How many directed arcs (a two-way edge is two).
    pub fn arc_count(&self) -> usize {
        self.forward.targets.len()
    }

    /// The sizes of the connected components (ignoring direction), largest first.
    pub fn component_sizes(&self) -> &[usize] {
        &self.component_sizes
    }

    /// The fastest speed anywhere in a straight line (roads, their chords over their
    /// times, or access legs), km/h: a place farther than `minutes / 60 * max_kmh()`
    /// km in a straight line cannot be reached in time.
    pub fn max_kmh(&self) -> f64 {
        self.max_kmh.max(self.access_kmh)
    }

    /// The nodes, as a layer of points.
    pub fn nodes(&self) -> &Layer {
        self.nodes.layer()
    }

    /// Joins a point to the graph: its nearest node (geodesic, ties to the smaller
    /// id) and the access leg to it in minutes. `None` for a network without nodes.
    pub fn join(&self, p: Point<f64>) -> Option<(u32, f64)> {
        let (node, m) = self.nearest_node(p)?;
        Some((node, self.leg_minutes(m)))
    }

    /// The nearest node to a point (geodesic, ties to the smaller id) and the
    /// distance to it, metres: [`Network::join`] before the leg is timed.
    ///
    /// ```
    /// use sitematch::{Feature, Network, RoadEdge};
    /// let nodes = (0..2).map(|i| Feature::point(format!("n{i}"), i as f64 * 0.1, 0.0)).collect();
    /// let edges = vec![RoadEdge { from: 0, to: 1, length_km: 11.0, kmh: 60.0, oneway: false }];
    /// let net = Network::new("roads", nodes, edges, 30.0);
    /// let (node, m) = net.nearest_node(geo::Point::new(0.09, 0.0)).unwrap();
    /// assert_eq!(node, 1);
    /// assert!((m - 1113.2).abs() < 0.1);
    /// ```
    pub fn nearest_node(&self, p: Point<f64>) -> Option<(u32, f64)> {
        let (i, m) = self.nodes.nearest(p, |_| true)?;
        Some((i as u32, m))
    }

    /// The arcs out of a node: (the node they lead to, minutes); none for a node the
    /// network does not have.
    pub fn arcs_from(&self, node: u32) -> impl Iterator<Item = (u32, f64)> + '_ {
        ((node as usize) < self.node_count())
            .then(|| self.forward.arcs(node))
            .into_iter()
            .flatten()
    }

    /// The time of a straight access leg of `metres`, minutes.
    pub fn leg_minutes(&self, metres: f64) -> f64 {
        metres / 1000.0 / self.access_kmh * 60.0
    }

    /// The size of the component a node is in.
    pub fn component_size(&self, node: u32) -> usize {
        self.component
            .get(node as usize)
            .and_then(|c| self.component_sizes.get(*c as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Shortest times (minutes) from `sources` (node, starting minutes), along the
    /// arcs (`reverse`: against them, i.e. times *to* the sources), up to `bound`
    /// minutes: every node reached within the bound, with its time.
    pub fn shortest_from(
        &self,
        sources: &[(u32, f64)],
        reverse: bool,
        bound: f64,
    ) -> HashMap<u32, f64> {
        let graph = if reverse {
            &self.reverse
        } else {
            &self.forward
        };
        let mut best: HashMap<u32, f64> = HashMap::new();
        let mut heap = BinaryHeap::new();
        for &(s, t) in sources {
            if t <= bound && best.get(&s).is_none_or(|b| t < *b) {
                best.insert(s, t);
                heap.push(Entry(t, 0, s));
            }
        }
        while let Some(Entry(t, _, n)) = heap.pop() {
            if best.get(&n).is_some_and(|b| t > *b) {
                continue;
            }
            for (m, w) in graph.arcs(n) {
                let u = t + w;
                if u <= bound && best.get(&m).is_none_or(|b| u < *b) {
                    best.insert(m, u);
                    heap.push(Entry(u, 0, m));
                }
            }
        }
        best
    }

    /// The road km of the fastest route from `source` to every node (`reverse`: from
    /// every node to `source`), `None` where it cannot be reached. Routes are the
    /// fastest, as a driver takes them; of two equally fast, the shorter.
    ///
    /// ```
    /// use sitematch::{Feature, Network, RoadEdge};
    /// let nodes = (0..3).map(|i| Feature::point(format!("n{i}"), i as f64 * 0.1, 0.0)).collect();
    /// // 0 -> 2 directly, 30 km at 60 km/h (30 min), or by 1: 2 x 20 km at 120 (20 min).
    /// let edges = vec![
    ///     RoadEdge { from: 0, to: 2, length_km: 30.0, kmh: 60.0, oneway: false },
    ///     RoadEdge { from: 0, to: 1, length_km: 20.0, kmh: 120.0, oneway: false },
    ///     RoadEdge { from: 1, to: 2, length_km: 20.0, kmh: 120.0, oneway: true },
    /// ];
    /// let net = Network::new("roads", nodes, edges, 30.0);
    /// // Fastest from 0 to 2: by 1, 40 km; back from 2 to 0 (1 -> 2 is one-way): 30 km.
    /// assert_eq!(net.fastest_km(0, false)[2], Some(40.0));
    /// assert_eq!(net.fastest_km(0, true)[2], Some(30.0));
    /// ```
    pub fn fastest_km(&self, source: u32, reverse: bool) -> Vec<Option<f64>> {
        let graph = if reverse {
            &self.reverse
        } else {
            &self.forward
        };
        let n = self.node_count();
        let mut best: Vec<Option<(f64, f64)>> = vec![None; n];
        let mut heap = BinaryHeap::new();
        if (source as usize) < n {
            best[source as usize] = Some((0.0, 0.0));
            heap.push(KmEntry(0.0, 0.0, source));
        }
        while let Some(KmEntry(t, k, v)) = heap.pop() {
            if best[v as usize].is_some_and(|b| (t, k) > b) {
                continue;
            }
            for (m, w, d) in graph.arcs_km(v) {
                let cand = (t + w, k + d);
                if best[m as usize].is_none_or(|b| cand < b) {
                    best[m as usize] = Some(cand);
                    heap.push(KmEntry(cand.0, cand.1, m));
                }
            }
        }
        best.into_iter().map(|b| b.map(|(_, k)| k)).collect()
    }

    /// Multi-source search against the arcs from labelled sources (node, starting
    /// minutes, label): for every node, the smallest (time to a source, label) pair,
    /// `None` where no source can be reached. One search gives every node its
    /// nearest source; labels break ties (the smaller wins).
    pub fn nearest_source(&self, sources: &[(u32, f64, u32)]) -> Vec<Option<(f64, u32)>> {
        let mut best: Vec<Option<(f64, u32)>> = vec![None; self.node_count()];
        let better = |a: (f64, u32), b: Option<(f64, u32)>| {
            b.is_none_or(|b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)) == Ordering::Less)
        };
        let mut heap = BinaryHeap::new();
        for &(s, t, label) in sources {
            if let Some(slot) = best.get_mut(s as usize) {
                if better((t, label), *slot) {
                    *slot = Some((t, label));
                    heap.push(Entry(t, label, s));
                }
            }
        }
        while let Some(Entry(t, label, n)) = heap.pop() {
            if best[n as usize] != Some((t, label)) {
                continue;
            }
            for (m, w) in self.reverse.arcs(n) {
                let cand = (t + w, label);
                if better(cand, best[m as usize]) {
                    best[m as usize] = Some(cand);
                    heap.push(Entry(cand.0, label, m));
                }
            }
        }
        best
    }
}

/// Connected components ignoring direction: each node's component, numbered by size
/// (largest 0, ties by smallest node), and the sizes.
fn components(n: usize, forward: &Csr, reverse: &Csr) -> (Vec<u32>, Vec<usize>) {
    let mut raw = vec![u32::MAX; n];
    let mut sizes = Vec::new();
    for start in 0..n {
        if raw[start] != u32::MAX {
            continue;
        }
        let c = sizes.len() as u32;
        let mut stack = vec![start as u32];
        raw[start] = c;
        let mut size = 0;
        while let Some(v) = stack.pop() {
            size += 1;
            for (m, _) in forward.arcs(v).chain(reverse.arcs(v)) {
                if raw[m as usize] == u32::MAX {
                    raw[m as usize] = c;
                    stack.push(m);
                }
            }
        }
        sizes.push(size);
    }
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|a, b| sizes[*b].cmp(&sizes[*a]).then(a.cmp(b)));
    let mut rank = vec![0u32; sizes.len()];
    for (r, c) in order.iter().enumerate() {
        rank[*c] = r as u32;
    }
    let component = raw.iter().map(|c| rank[*c as usize]).collect();
    let sorted = order.iter().map(|c| sizes[*c]).collect();
    (component, sorted)
}

/// The speed of a road class: the catalog's `[layer.speeds]` first, then
/// [`OSM_SPEEDS_KMH`] and [`ROUTE120_SPEEDS_KMH`], then [`DEFAULT_KMH`].
pub(crate) fn speed_of(class: &str, overrides: &std::collections::BTreeMap<String, f64>) -> f64 {
    if let Some(v) = overrides.get(class) {
        return *v;
    }
    OSM_SPEEDS_KMH
        .iter()
        .chain(&ROUTE120_SPEEDS_KMH)
        .find(|(c, _)| *c == class)
        .map_or(DEFAULT_KMH, |(_, v)| *v)
}
