//! What the server holds: the engine over the loaded data set, its version, the data
//! layers as collections, and the rankings made (a bounded cache by brief and data).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use sitematch::{ColumnType, Engine, Ranking, Role, Value};
use tokio::sync::Semaphore;

/// How the server behaves under load.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond).
    pub max_body: usize,
    /// Rankings computed at once; more wait their turn.
    pub max_rankings: usize,
    /// Rankings waiting for their turn (503 beyond, with `Retry-After`).
    pub max_waiting: usize,
    /// Time limit of a ranking, in seconds (503 beyond).
    pub rank_seconds: u64,
    /// Rankings kept for their collections (the oldest is dropped beyond).
    pub cached_rankings: usize,
    /// Largest `limit` of an items page.
    pub max_page: usize,
    /// Connections open at once: one past it is closed at once.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers, and stay idle
    /// between two requests, before it is closed.
    pub header_seconds: u64,
    /// Seconds a request may take to send its body (408 beyond).
    pub body_seconds: u64,
    /// At shutdown, seconds the requests in flight have to finish (their rankings
    /// among them); past it, the rankings still running stop and answer 503.
    pub drain_seconds: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: 1 << 20,
            max_rankings: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_waiting: 32,
            rank_seconds: 60,
            cached_rankings: 16,
            max_page: 10_000,
            max_connections: 512,
            header_seconds: 10,
            body_seconds: 30,
            drain_seconds: 10,
        }
    }
}

/// A ranking made by `POST /rank`, as a collection: the ranked sites (the excluded
/// ones are let go: a national ranking holds 22,850 sites, about 80 MB whole), its
/// metadata and its answer as they were when it was made.
pub struct RankingEntry {
    /// The collection id (`ranking-` and 16 hex digits).
    pub id: String,
    /// The ranking, its ranked sites only.
    pub ranking: Ranking,
    /// Its `sitematch` metadata (counts of the whole ranking).
    pub metadata: serde_json::Value,
    /// The GeoJSON answer of `POST /rank` (the brief's `top`).
    pub answer: Vec<u8>,
    /// Its criterion scores, to re-rank under other weights (made on first use).
    pub reweigh: std::sync::OnceLock<Result<sitematch::Reweigh, String>>,
}

impl RankingEntry {
    /// The entry of a whole ranking.
    pub fn new(id: String, mut ranking: Ranking) -> std::io::Result<RankingEntry> {
        let metadata = sitematch::output::metadata(&ranking);
        let mut answer = Vec::new();
        let opts = sitematch::output::OutputOptions::for_ranking(&ranking);
        sitematch::output::write_geojson(&ranking, &opts, &mut answer)?;
        ranking.sites.truncate(ranking.ranked);
        ranking.sites.shrink_to_fit();
        Ok(RankingEntry {
            id,
            ranking,
            metadata,
            answer,
            reweigh: std::sync::OnceLock::new(),
        })
    }

    /// Its sites' criterion scores, kept to re-rank them under other weights (the
    /// error says why a ranking cannot be: a ranking by likeness to a site).
    pub fn reweigh(&self) -> Result<&sitematch::Reweigh, &str> {
        self.reweigh
            .get_or_init(|| sitematch::Reweigh::new(&self.ranking))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// The typed attribute columns of a data layer, for its items.
pub struct LayerSchema {
    /// (field, type), in name order.
    pub fields: Vec<(String, ColumnType)>,
}

/// The server's state, shared by every request.
pub struct AppState {
    /// The engine over the loaded data set.
    pub engine: Engine,
    /// A hash of the data set's files (names, sizes, modification times).
    pub data_version: String,
    /// The data layers served as collections (every layer that has features).
    pub schemas: HashMap<String, LayerSchema>,
    /// The limits.
    pub limits: Limits,
    /// Rankings being computed.
    pub permits: Arc<Semaphore>,
    /// Rankings waiting for a permit.
    pub waiting: std::sync::atomic::AtomicUsize,
    /// The threads rankings run on (as many as the machine's cores), apart from the
    /// process's global pool (`None`: they could not be made, the global pool serves).
    pub pool: Option<Arc<rayon::ThreadPool>>,
    /// Set when the server shuts down: every ranking running stops.
    pub shutdown: sitematch::Cancel,
    /// The URL clients reach the server at (behind a reverse proxy), for absolute
    /// links; `None`: from the request ([`AppState::with_public_url`]).
    pub public_url: Option<String>,
    /// The origins whose web pages may read the server (CORS); `*` for any
    /// ([`AppState::with_cors_origins`]).
    pub cors_origins: Vec<String>,
    /// The tokens a request must bear (none: every request is let through, which
    /// the command allows on loopback only) ([`AppState::with_tokens`]).
    pub tokens: crate::Tokens,
    /// Where each request's line goes ([`AppState::with_access_log`]).
    pub access_log: crate::AccessLog,
    /// The folder rankings are kept in across restarts, if any ([`AppState::with_store`]).
    pub store: Option<crate::Store>,
    rankings: Mutex<Cache>,
    /// Briefs being ranked, by id: a second request for the same brief waits for the
    /// first one's ranking rather than making its own.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct Cache {
    by_id: HashMap<String, Arc<RankingEntry>>,
    order: VecDeque<String>,
}

impl AppState {
    /// The state over an engine; `data_version` names the data set's version (see
    /// [`data_version`]).
    pub fn new(engine: Engine, data_version: String, limits: Limits) -> AppState {
        // Every index now, so that no request waits for one to be built.
        engine.build_indexes();
        let schemas = engine
            .layers()
            .filter(|l| l.role != Role::Network && !l.features.is_empty())
            .map(|l| {
                let names: Vec<&str> = l
                    .features
                    .iter()
                    .flat_map(|f| f.attributes.keys())
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let fields = names
                    .into_iter()
                    .map(|n| {
                        let kind = ColumnType::infer(
                            l.features.iter().filter_map(|f| f.attributes.get(n)),
                        );
                        (n.to_string(), kind)
                    })
                    .collect();
                (l.name.clone(), LayerSchema { fields })
            })
            .collect();
        // A semaphore panics beyond its MAX_PERMITS: the limits counted by one are
        // clamped to what it holds, and kept so (the health report counts the rankings
        // running from it).
        let limits = Limits {
            max_rankings: limits.max_rankings.clamp(1, Semaphore::MAX_PERMITS),
            max_connections: limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
            ..limits
        };
        AppState {
            engine,
            data_version,
            schemas,
            permits: Arc::new(Semaphore::new(limits.max_rankings)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            pool: ranking_pool().map(Arc::new),
            shutdown: sitematch::Cancel::new(),
            public_url: None,
            cors_origins: Vec::new(),
            tokens: crate::Tokens::default(),
            access_log: crate::AccessLog::Off,
            store: None,
            limits,
            rankings: Mutex::new(Cache::default()),
            inflight: Mutex::new(HashMap::new()),
        }
    }

    /// Links are built from `url` (`https://sites.example.com/sitematch`), as a
    /// reverse proxy publishes the server; an error names what is wrong with it.
    pub fn with_public_url(mut self, url: &str) -> Result<AppState, String> {
        let url = url.trim_end_matches('/');
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("{url:?}: the public URL starts with https:// or http://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || rest.contains(['?', '#', ' ', '"', '<', '>']) {
            return Err(format!(
                "{url:?}: a URL such as https://sites.example.com or https://example.com/sitematch"
            ));
        }
        self.public_url = Some(url.to_string());
        Ok(self)
    }

    /// Web pages of these origins (`https://map.example.com`, or `*` for any) may
    /// read the server from a browser (CORS); an error names an origin that is not one.
    pub fn with_cors_origins(mut self, origins: &[String]) -> Result<AppState, String> {
        for o in origins {
            let ok = o == "*"
                || ((o.starts_with("https://") || o.starts_with("http://"))
                    && !o.trim_end_matches('/').contains(['?', '#', ' '])
                    && o.matches('/').count() == 2);
            if !ok {
                return Err(format!(
                    "{o:?}: an origin is a scheme and a host (https://map.example.com, http://localhost:3000), or *"
                ));
            }
        }
        self.cors_origins = origins.to_vec();
        Ok(self)
    }

    /// Every route but `GET /health` then needs `Authorization: Bearer TOKEN` of one
    /// of these tokens (a `read` token may not `POST /rank`).
    pub fn with_tokens(mut self, tokens: crate::Tokens) -> AppState {
        self.tokens = tokens;
        self
    }

    /// Writes one line per request there (time, request id, method, path, status,
    /// duration, bytes, the token's name, never its value).
    pub fn with_access_log(mut self, log: crate::AccessLog) -> AppState {
        self.access_log = log;
        self
    }

    /// Keeps every ranking made in `store` too, and serves the rankings it holds: the
    /// newest [`Limits::cached_rankings`] of this data set are loaded now (listed in
    /// `/collections` as before the restart), the others when asked for by id. The
    /// report says what the folder held.
    pub fn with_store(mut self, store: crate::Store) -> (AppState, crate::StoreReport) {
        let (entries, report) =
            store.recent(&self.data_version, self.limits.cached_rankings.max(1));
        // Oldest first, as they were kept.
        for e in entries.into_iter().rev() {
            self.keep(Arc::new(e));
        }
        self.store = Some(store);
        (self, report)
    }

    /// A ranking made before: in memory, else in the store (then kept in memory).
    pub async fn find(self: &Arc<Self>, id: &str) -> Option<Arc<RankingEntry>> {
        if let Some(e) = self.ranking(id) {
            return Some(e);
        }
        if self.store.is_none() || !crate::store::is_ranking_id(id) {
            return None;
        }
        let state = self.clone();
        let key = id.to_string();
        let loaded = tokio::task::spawn_blocking(move || {
            let store = state.store.as_ref()?;
            match store.load(&key, &state.data_version) {
                Ok(e) => e,
                Err(why) => {
                    eprintln!("sitematch serve: --store {why}; not served");
                    None
                }
            }
        })
        .await
        .ok()
        .flatten()?;
        let entry = Arc::new(loaded);
        self.keep(entry.clone());
        Some(entry)
    }

    /// The id of a brief's ranking over this data set: the same brief (whatever its
    /// syntax, TOML or JSON, or its spacing) gives the same id.
    pub fn ranking_id(&self, brief: &sitematch::Brief) -> String {
        let mut h = Sha256::new();
        h.update(self.data_version.as_bytes());
        h.update(format!("{brief:?}").as_bytes());
        let digest = h.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("ranking-{hex}")
    }

    /// A ranking made before, among those in memory.
    pub fn ranking(&self, id: &str) -> Option<Arc<RankingEntry>> {
        self.rankings
            .lock()
            .ok()
            .and_then(|c| c.by_id.get(id).cloned())
    }

    /// Every ranking kept, oldest first.
    pub fn rankings(&self) -> Vec<Arc<RankingEntry>> {
        match self.rankings.lock() {
            Ok(c) => c
                .order
                .iter()
                .filter_map(|id| c.by_id.get(id).cloned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The lock of a brief's ranking (see `inflight`).
    pub fn inflight(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.inflight.lock() {
            Ok(mut m) => m.entry(id.to_string()).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    /// The ranking of `id` is done (kept or failed): its lock goes.
    pub fn done(&self, id: &str) {
        if let Ok(mut m) = self.inflight.lock() {
            m.remove(id);
        }
    }

    /// Keeps a ranking, dropping the oldest beyond the limit.
    pub fn keep(&self, entry: Arc<RankingEntry>) {
        if let Ok(mut c) = self.rankings.lock() {
            if c.by_id.insert(entry.id.clone(), entry.clone()).is_none() {
                c.order.push_back(entry.id.clone());
            }
            while c.order.len() > self.limits.cached_rankings.max(1) {
                if let Some(old) = c.order.pop_front() {
                    c.by_id.remove(&old);
                }
            }
        }
    }
}

/// The rankings' pool: as many threads as the machine has cores; `None` (the
/// rankings then share the global pool, and still stop when cancelled) when the
/// threads cannot be made.
fn ranking_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("sitematch-rank-{i}"))
        .build()
        .ok()
}

/// The version of a data folder: a hash of its files' names, sizes and modification
/// times (a changed file changes the ids of the rankings made over it).
pub fn data_version(dir: &std::path::Path) -> String {
    let mut files: Vec<(String, u64, u128)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            Some((
                e.file_name().to_string_lossy().into_owned(),
                m.len(),
                modified,
            ))
        })
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, len, modified) in files {
        h.update(format!("{name}\0{len}\0{modified}\n").as_bytes());
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An attribute value as JSON in its column's type.
pub fn typed(kind: ColumnType, v: &Value) -> serde_json::Value {
    use serde_json::json;
    match (kind, v) {
        (_, Value::Null) => serde_json::Value::Null,
        (ColumnType::Number | ColumnType::Integer, Value::Number(x)) => json!(x),
        (ColumnType::Integer, Value::Text(t)) => t
            .trim()
            .parse::<i64>()
            .map_or(serde_json::Value::Null, |i| json!(i)),
        (ColumnType::Number, Value::Text(t)) => t
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map_or(serde_json::Value::Null, |x| json!(x)),
        (_, Value::Bool(b)) => json!(b),
        (_, Value::Text(t)) if t.is_empty() => serde_json::Value::Null,
        (_, v) => v.as_text().map_or(serde_json::Value::Null, |t| json!(t)),
    }
}
