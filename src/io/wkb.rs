//! Well-known binary (OGC and ISO WKB: 2D, Z, M and ZM, either byte order) as geo
//! geometries, for the GeoPackage, GeoParquet and PostGIS readers. Every count is checked against the bytes
//! left before anything is allocated: a damaged count is an error, never a panic or an
//! allocation of gigabytes (geozero's reader did both on fuzzed input).

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

use crate::error::FeatureProblem;

/// Nested collections deeper than this are refused.
const MAX_DEPTH: usize = 16;

/// The geometry a WKB holds; an error says what is wrong with it. A point with NaN
/// coordinates (`POINT EMPTY`) comes back as such, for the caller to treat as empty.
pub(crate) fn decode(bytes: &[u8]) -> Result<Geometry<f64>, String> {
    let mut r = Reader { bytes, at: 0 };
    let g = r.geometry(0)?;
    Ok(g)
}

/// A feature's WKB as its geometry: `POINT EMPTY` and geometries with no position are
/// [`FeatureProblem::NoGeometry`]; a WKB that cannot be read is an unsupported
/// geometry, described as `what` ("a GeoPackage geometry") and why.
pub(crate) fn feature_geometry(wkb: &[u8], what: &str) -> Result<Geometry<f64>, FeatureProblem> {
    if empty_point(wkb) {
        return Err(FeatureProblem::NoGeometry);
    }
    let g = decode(wkb).map_err(|e| {
        FeatureProblem::UnsupportedGeometry(format!("{what} whose WKB cannot be read ({e})"))
    })?;
    if is_empty(&g) {
        return Err(FeatureProblem::NoGeometry);
    }
    Ok(g)
}

/// True for WKB's `POINT EMPTY`: a point (of any dimension) whose coordinates are
/// NaN, which the WKB reader refuses rather than reads as empty.
fn empty_point(wkb: &[u8]) -> bool {
    let Some((&order, rest)) = wkb.split_first() else {
        return false;
    };
    let word = |b: &[u8]| -> Option<[u8; 8]> { b.try_into().ok() };
    let (Some(kind), Some(x)) = (rest.get(..4), rest.get(4..12).and_then(word)) else {
        return false;
    };
    let kind = [kind[0], kind[1], kind[2], kind[3]];
    let (kind, x) = if order == 1 {
        (u32::from_le_bytes(kind), f64::from_le_bytes(x))
    } else {
        (u32::from_be_bytes(kind), f64::from_be_bytes(x))
    };
    kind % 1000 == 1 && x.is_nan()
}

/// True for a geometry with no position (WKB can write an empty one without the flag).
fn is_empty(g: &Geometry<f64>) -> bool {
    use geo::CoordsIter;
    g.coords_count() == 0 || g.coords_iter().any(|c| c.x.is_nan() || c.y.is_nan())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| format!("cut short at byte {} of {}", self.at, self.bytes.len()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self, little: bool) -> Result<u32, String> {
        let b = self.take(4)?;
        let b = [b[0], b[1], b[2], b[3]];
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(if little {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }

    /// A count of items of at least `min_bytes` each, checked against the bytes left.
    fn count(&mut self, little: bool, min_bytes: usize) -> Result<usize, String> {
        let n = self.u32(little)? as usize;
        let left = self.bytes.len() - self.at;
        if n.saturating_mul(min_bytes) > left {
            return Err(format!("a count of {n} where {left} bytes are left"));
        }
        Ok(n)
    }

    fn coord(&mut self, little: bool, dims: usize) -> Result<Coord<f64>, String> {
        let x = self.f64(little)?;
        let y = self.f64(little)?;
        for _ in 2..dims {
            self.f64(little)?; // Z and M are not kept
        }
        Ok(Coord { x, y })
    }

    fn coords(&mut self, little: bool, dims: usize) -> Result<Vec<Coord<f64>>, String> {
        let n = self.count(little, 8 * dims)?;
        (0..n).map(|_| self.coord(little, dims)).collect()
    }

    fn rings(&mut self, little: bool, dims: usize) -> Result<Polygon<f64>, String> {
        let n = self.count(little, 4)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            rings.push(LineString::from(self.coords(little, dims)?));
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(vec![]));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// The parts of a multi-geometry (a count, then each part's WKB of at least
    /// `min_bytes`), each of the kind `pick` takes; `wrong` says what else was found.
    fn parts<T>(
        &mut self,
        little: bool,
        depth: usize,
        min_bytes: usize,
        pick: fn(Geometry<f64>) -> Option<T>,
        wrong: &str,
    ) -> Result<Vec<T>, String> {
        let n = self.count(little, min_bytes)?;
        (0..n)
            .map(|_| pick(self.geometry(depth + 1)?).ok_or_else(|| wrong.to_string()))
            .collect()
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, String> {
        if depth > MAX_DEPTH {
            return Err("collections nested too deep".into());
        }
        let little = match self.take(1)?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("byte order {b} (0 or 1 expected)")),
        };
        let code = self.u32(little)?;
        // ISO: 1000s for Z, 2000s for M, 3000s for ZM; EWKB-style high bits as well.
        let (base, dims) = match code {
            c if c & 0xE000_0000 != 0 => {
                let dims =
                    2 + usize::from(c & 0x8000_0000 != 0) + usize::from(c & 0x4000_0000 != 0);
                (c & 0x0FFF_FFFF, dims)
            }
            c => match c / 1000 {
                0 => (c, 2),
                1 | 2 => (c % 1000, 3),
                3 => (c % 1000, 4),
                _ => return Err(format!("geometry type {c}")),
            },
        };
        Ok(match base {
            1 => Geometry::Point(Point::from(self.coord(little, dims)?)),
            2 => Geometry::LineString(LineString::from(self.coords(little, dims)?)),
            3 => Geometry::Polygon(self.rings(little, dims)?),
            4 => Geometry::MultiPoint(MultiPoint::new(self.parts(
                little,
                depth,
                5,
                |g| match g {
                    Geometry::Point(p) => Some(p),
                    _ => None,
                },
                "a part of a multipoint is not a point",
            )?)),
            5 => Geometry::MultiLineString(MultiLineString::new(self.parts(
                little,
                depth,
                9,
                |g| match g {
                    Geometry::LineString(l) => Some(l),
                    _ => None,
                },
                "a part of a multilinestring is not a linestring",
            )?)),
            6 => Geometry::MultiPolygon(MultiPolygon::new(self.parts(
                little,
                depth,
                9,
                |g| match g {
                    Geometry::Polygon(p) => Some(p),
                    _ => None,
                },
                "a part of a multipolygon is not a polygon",
            )?)),
            7 => {
                let n = self.count(little, 5)?;
                let parts = (0..n)
                    .map(|_| self.geometry(depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Geometry::GeometryCollection(GeometryCollection::new_from(parts))
            }
            other => {
                return Err(format!(
                    "geometry type {other} (curves and surfaces are not read)"
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point_le(x: f64, y: f64) -> Vec<u8> {
        let mut w = vec![1u8];
        w.extend_from_slice(&1u32.to_le_bytes());
        w.extend_from_slice(&x.to_le_bytes());
        w.extend_from_slice(&y.to_le_bytes());
        w
    }

    #[test]
    fn reads_what_geozero_writes_and_refuses_damaged_counts() {
        use geozero::{CoordDimensions, ToWkb};
        let polygon: Geometry<f64> = geo::wkt! {
            MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(1. 1.,2. 1.,2. 2.,1. 1.)),((5. 5.,6. 5.,6. 6.,5. 5.)))
        }
        .into();
        for g in [
            polygon,
            Geometry::Point(Point::new(2.0, 48.0)),
            geo::wkt! { LINESTRING(0. 0.,1. 1.,2. 0.) }.into(),
            geo::wkt! { MULTIPOINT(0. 0.,1. 1.) }.into(),
        ] {
            let wkb = g.to_wkb(CoordDimensions::xy()).unwrap();
            assert_eq!(decode(&wkb).unwrap(), g);
            // With Z, written by geozero as ISO WKB: the same 2D geometry.
            let z = g.to_wkb(CoordDimensions::xyz()).unwrap();
            assert_eq!(decode(&z).unwrap(), g);
            // Every cut is an error, never a panic.
            for cut in 0..wkb.len() {
                assert!(decode(&wkb[..cut]).is_err());
            }
        }
        // A ring count of four billion in a few bytes: refused before any allocation.
        let mut huge = vec![1u8];
        huge.extend_from_slice(&3u32.to_le_bytes());
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("count of"));
        // Big-endian points.
        let mut be = vec![0u8];
        be.extend_from_slice(&1u32.to_be_bytes());
        be.extend_from_slice(&2.5f64.to_be_bytes());
        be.extend_from_slice(&48.5f64.to_be_bytes());
        assert_eq!(decode(&be).unwrap(), Geometry::Point(Point::new(2.5, 48.5)));
        assert_eq!(
            decode(&point_le(1.0, 2.0)).unwrap(),
            Geometry::Point(Point::new(1.0, 2.0))
        );
        assert!(decode(&[2, 1, 0, 0, 0]).is_err());
    }
}
