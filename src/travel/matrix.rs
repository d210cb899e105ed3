//! Travel from a precomputed travel-time matrix (`travel = "matrix"`): a CSV of
//! `from_id`, `to_id`, `minutes`, as OSRM's table service, Valhalla or R5 write them
//! once flattened. A pair that is not listed is unreachable; a place the matrix does
//! not name is [`Unknown`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Decay, Reach, Reached, Toward, Unknown, Visit};
use crate::error::{Error, Location, Result};
use crate::index::IndexedLayer;
use crate::model::Feature;

/// A travel-time matrix, with its rows indexed by origin and by destination.
#[derive(Debug, Clone)]
pub(crate) struct TravelMatrix {
    path: PathBuf,
    /// Ids, interned: the index of an id in `ids`.
    index: HashMap<String, u32>,
    ids: Vec<String>,
    /// Per origin (interned id): (destination, minutes).
    by_from: HashMap<u32, Vec<(u32, f64)>>,
    /// Per destination: (origin, minutes).
    by_to: HashMap<u32, Vec<(u32, f64)>>,
    rows: usize,
}

impl TravelMatrix {
    /// Reads a matrix CSV (comma-separated, UTF-8, a header naming `from_id`, `to_id`
    /// and `minutes` in any order; other columns are ignored). A row with a missing,
    /// negative or non-numeric time, or a pair listed twice, is an error naming its
    /// line.
    pub(crate) fn from_path(path: &Path) -> Result<TravelMatrix> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(std::io::BufReader::new(file));
        let bad = |line: u64, why: String| Error::format(path, Location::Line(line), why);
        let header = reader
            .headers()
            .map_err(|e| bad(1, format!("cannot read the header: {e}")))?
            .clone();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
                .ok_or_else(|| {
                    let names: Vec<&str> = header.iter().collect();
                    bad(
                        1,
                        format!(
                            "no column {name:?}; a travel matrix has from_id, to_id and \
                             minutes, this one has: {}",
                            crate::text::clip(&names.join(", "), 200)
                        ),
                    )
                })
        };
        let (from, to, minutes) = (col("from_id")?, col("to_id")?, col("minutes")?);
        let mut m = TravelMatrix {
            path: path.to_path_buf(),
            index: HashMap::new(),
            ids: Vec::new(),
            by_from: HashMap::new(),
            by_to: HashMap::new(),
            rows: 0,
        };
        let mut seen: HashMap<(u32, u32), u64> = HashMap::new();
        for (n, record) in reader.records().enumerate() {
            let line = n as u64 + 2;
            let record = record.map_err(|e| bad(line, format!("unreadable row: {e}")))?;
            let cell = |i: usize| record.get(i).unwrap_or("").trim();
            let (a, b, t) = (cell(from), cell(to), cell(minutes));
            if a.is_empty() || b.is_empty() {
                return Err(bad(line, "a row without from_id or to_id".into()));
            }
            let t: f64 = match t.parse::<f64>() {
                Ok(t) if t.is_finite() && t >= 0.0 => t,
                _ => {
                    return Err(bad(
                        line,
                        format!(
                            "minutes {:?} is not a time; write a number of minutes, 0 or \
                             more (leave the pair out when it is unreachable)",
                            crate::text::clip(t, 40)
                        ),
                    ))
                }
            };
            let (a, b) = (m.intern(a), m.intern(b));
            if let Some(first) = seen.insert((a, b), line) {
                return Err(bad(
                    line,
                    format!(
                        "the pair {} -> {} is listed twice (lines {first} and {line}); keep one",
                        m.ids[a as usize], m.ids[b as usize]
                    ),
                ));
            }
            m.by_from.entry(a).or_default().push((b, t));
            m.by_to.entry(b).or_default().push((a, t));
            m.rows += 1;
        }
        Ok(m)
    }

    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.push(id.to_string());
        self.index.insert(id.to_string(), i);
        i
    }

    /// The file it was read from.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// How many pairs it lists.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The interned id of a feature id, if the matrix names it.
    pub(crate) fn id(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The pairs leaving an (interned) origin: (destination, minutes).
    pub(crate) fn from(&self, origin: u32) -> &[(u32, f64)] {
        self.by_from.get(&origin).map_or(&[], Vec::as_slice)
    }

    /// The pairs reaching an (interned) destination: (origin, minutes).
    pub(crate) fn to(&self, destination: u32) -> &[(u32, f64)] {
        self.by_to.get(&destination).map_or(&[], Vec::as_slice)
    }
}

/// A layer reached through a matrix: its counted features by their interned ids.
pub(crate) struct MatrixReach<'a> {
    matrix: Arc<TravelMatrix>,
    layer: Option<&'a IndexedLayer>,
    amount: Vec<Option<f64>>,
    /// Interned id -> feature index, for the counted features the matrix names.
    feature_of: HashMap<u32, usize>,
}

impl<'a> MatrixReach<'a> {
    pub(crate) fn new(
        matrix: Arc<TravelMatrix>,
        layer: Option<&'a IndexedLayer>,
        amount: Vec<Option<f64>>,
    ) -> Self {
        let feature_of = layer.map_or_else(HashMap::new, |l| {
            l.layer()
                .features
                .iter()
                .enumerate()
                .filter(|(i, _)| amount.get(*i).copied().flatten().is_some())
                .filter_map(|(i, f)| Some((matrix.id(&f.id)?, i)))
                .collect()
        });
        MatrixReach {
            matrix,
            layer,
            amount,
            feature_of,
        }
    }

    /// The counted features within `radius` of `at`, in the layer's order whatever
    /// the file's.
    fn within(
        &self,
        at: &Feature,
        radius: f64,
        toward: Toward,
    ) -> Result<Vec<(usize, f64)>, Unknown> {
        let s = self.matrix.id(&at.id).ok_or(Unknown)?;
        let pairs = match toward {
            Toward::Place => self.matrix.to(s),
            Toward::Features => self.matrix.from(s),
        };
        let mut within: Vec<(usize, f64)> = pairs
            .iter()
            .filter(|(_, t)| *t <= radius)
            .filter_map(|(other, t)| Some((*self.feature_of.get(other)?, *t)))
            .collect();
        within.sort_by_key(|(i, _)| *i);
        Ok(within)
    }
}

impl Reach for MatrixReach<'_> {
    fn nearest(&self, at: &Feature) -> Result<Option<(usize, f64)>, Unknown> {
        let s = self.matrix.id(&at.id).ok_or(Unknown)?;
        // The smallest time to a counted feature, ties to the smaller index.
        Ok(self
            .matrix
            .from(s)
            .iter()
            .filter_map(|(to, t)| Some((*t, *self.feature_of.get(to)?)))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(t, i)| (i, t)))
    }

    fn for_each_within(&self, at: &Feature, radius: f64, toward: Toward, f: Visit<'_>) -> Reached {
        for (i, t) in self.within(at, radius, toward)? {
            f(i, t);
        }
        Ok(())
    }

    fn sum_within(&self, at: &Feature, radius: f64, decay: Decay) -> Result<f64, Unknown> {
        Ok(self
            .within(at, radius, Toward::Place)?
            .iter()
            .filter_map(|(i, t)| Some(self.amount(*i)? * decay.factor(t / radius)))
            .sum())
    }

    fn layer(&self) -> Option<&IndexedLayer> {
        self.layer
    }

    fn amounts(&self) -> &[Option<f64>] {
        &self.amount
    }
}

#[cfg(test)]
mod tests {
    use super::TravelMatrix;

    fn matrix(text: &str) -> crate::Result<TravelMatrix> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        std::fs::write(&path, text).unwrap();
        TravelMatrix::from_path(&path)
    }

    #[test]
    fn reads_pairs_both_ways() {
        let m = matrix("minutes,from_id,to_id,mode\n15,A,1,car\n30,A,2,car\n15,B,2,car\n").unwrap();
        assert_eq!(m.rows(), 3);
        let (a, two) = (m.id("A").unwrap(), m.id("2").unwrap());
        assert_eq!(m.from(a).len(), 2);
        assert_eq!(m.to(two).len(), 2);
        assert!(m.id("C").is_none());
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = matrix("from_id,to_id,minutes\nA,1,15\nA,2,-3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("\"-3\""), "{e}");
        let e = matrix("from_id,to_id,minutes\nA,1,15\nA,1,16\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("listed twice (lines 2 and 3)"), "{e}");
        let e = matrix("from,to,minutes\nA,1,15\n").unwrap_err().to_string();
        assert!(
            e.contains("no column \"from_id\"") && e.contains("from, to, minutes"),
            "{e}"
        );
    }
}
