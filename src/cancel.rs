//! Stopping a ranking from another thread: a server stops one whose request timed out
//! or was abandoned, and every one when it shuts down.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag a ranking checks as it goes ([`crate::Engine::rank_cancellable`]): per site
/// while it evaluates the criteria, per chunk of runs in robustness. Clones share the
/// flag; a [`Cancel::child`] is cancelled with its parent too.
///
/// ```
/// use sitematch::{Brief, Cancel, Catalog, Engine, Error, Feature, Layer, Role};
/// let sites = Layer::from_features("sites", Role::Sites, vec![Feature::point("a", 2.0, 48.0)]);
/// let engine = Engine::new(Catalog::from_layers(vec![sites]));
/// let brief = Brief::from_toml_str("[[criterion]]\nname = \"land\"\ntype = \"attribute\"\nfield = \"area_ha\"\nideal = 20\nzero = 0\n")?;
/// let server = Cancel::new();
/// let request = server.child();
/// assert!(engine.rank_cancellable(&brief, &request).is_ok());
/// server.cancel(); // shutting down: every ranking under it stops
/// assert!(request.is_cancelled());
/// assert!(matches!(engine.rank_cancellable(&brief, &request), Err(Error::Cancelled)));
/// # Ok::<(), sitematch::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    own: Arc<AtomicBool>,
    parent: Option<Arc<AtomicBool>>,
}

impl Cancel {
    /// A flag not set.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A new flag, also set when this one is.
    pub fn child(&self) -> Cancel {
        Cancel {
            own: Arc::new(AtomicBool::new(false)),
            parent: Some(self.own.clone()),
        }
    }

    /// Sets the flag: the rankings checking it stop at their next check.
    pub fn cancel(&self) {
        self.own.store(true, Ordering::Relaxed);
    }

    /// True once this flag or its parent is set.
    pub fn is_cancelled(&self) -> bool {
        self.own.load(Ordering::Relaxed)
            || self
                .parent
                .as_ref()
                .is_some_and(|p| p.load(Ordering::Relaxed))
    }
}
