//! CSV reader: points from two coordinate columns or geometries from a WKT column,
//! any delimiter, decimal comma, UTF-8 or Latin-1/CP1252, `.csv.gz` read transparently.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use geo::{Geometry, Point};

use super::text::TextEncoding;
use super::{Decimal, RawFeature, RawTable, ReadOptions};
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::{parse_decimal_comma, Value};

/// The most bytes a `.gz` file may decompress to (the national Cartofriches export,
/// the largest input, is about 60 MB decompressed): beyond, reading stops with an
/// error rather than filling the disk cache or the memory with a decompression bomb.
pub const MAX_DECOMPRESSED: u64 = 4 << 30;

/// A reader that fails past `limit` bytes.
pub(crate) struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Limited<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Limited<R> {
        Limited {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "it decompresses to more than {} MiB, the limit (a decompression bomb, or a file to split or to decompress first)",
                    self.limit >> 20
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Opens a file, through a gzip decoder when its name ends in `.gz` (at most
/// [`MAX_DECOMPRESSED`] bytes).
pub(crate) fn open_maybe_gzip(path: &Path) -> Result<Box<dyn Read>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(Limited::new(
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
            MAX_DECOMPRESSED,
        ))
    } else {
        Box::new(BufReader::new(file))
    })
}

/// Reads a CSV file; `wanted` are the attribute fields to extract.
pub fn read(path: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    read_from(open_maybe_gzip(path)?, path, opts, wanted)
}

/// Reads CSV from any reader; `path` is only used in messages.
pub fn read_from<R: Read>(
    source: R,
    path: &Path,
    opts: &ReadOptions,
    wanted: &[String],
) -> Result<RawTable> {
    let mut rows = CsvRows::new(source, path, opts, wanted)?;
    let mut features = Vec::new();
    while rows.next_chunk(usize::MAX, &mut features)? {}
    Ok(RawTable {
        fields: rows.fields,
        declared_crs: None,
        features,
        crs_problem: None,
        not_read: 0,
    })
}

/// A CSV file's records read a chunk at a time (a layer too large to hold is ranked
/// this way): its header checked and its columns found once, then each call to
/// [`CsvRows::next_chunk`] reads the next records.
pub struct CsvRows<R: Read> {
    reader: ::csv::Reader<std::io::BufReader<R>>,
    path: std::path::PathBuf,
    opts: ReadOptions,
    encoding: TextEncoding,
    /// Every field name of the header, in file order.
    pub fields: Vec<String>,
    named: usize,
    geometry_cols: (Option<usize>, Option<usize>, Option<usize>),
    wanted_cols: Vec<Option<usize>>,
    /// Per wanted column, its texts read so far: each allocated once.
    texts: Vec<crate::text::Interner>,
    record: ::csv::ByteRecord,
    index: usize,
}

impl CsvRows<Box<dyn Read>> {
    /// Opens a CSV file (`.csv.gz` through gzip) and reads its header.
    pub fn open(path: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<Self> {
        CsvRows::new(open_maybe_gzip(path)?, path, opts, wanted)
    }
}

impl<R: Read> CsvRows<R> {
    /// Reads the header of CSV from `source`; `path` names it in messages.
    pub fn new(source: R, path: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<Self> {
        use std::io::BufRead;
        let mut source = std::io::BufReader::new(source);
        let start = source.fill_buf().map_err(|e| Error::io(path, e))?;
        if let Some(name) = super::text::utf16_mark(start) {
            return Err(Error::format(
                path,
                Location::File,
                format!(
                    "the file is {name} text (it starts with a UTF-16 byte-order mark); \
                     save it as UTF-8 (or Latin-1 with encoding = \"latin1\" in the catalog)"
                ),
            ));
        }
        let encoding = opts.encoding.unwrap_or(TextEncoding::Utf8);
        let mut reader = ::csv::ReaderBuilder::new()
            .delimiter(opts.delimiter)
            .has_headers(true)
            .flexible(true)
            .from_reader(source);
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e))?
            .clone();
        let mut fields = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let raw = if i == 0 {
                raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw)
            } else {
                raw
            };
            let name = encoding.decode(raw).ok_or_else(|| {
                Error::format(
                    path,
                    Location::Line(1),
                    format!(
                        "header column {} is not valid {}; set `encoding` in the catalog \
                         (utf-8, latin1 or cp1252)",
                        i + 1,
                        encoding.name()
                    ),
                )
            })?;
            fields.push(name.trim().to_string());
        }
        if fields.iter().all(|f| f.is_empty()) {
            return Err(Error::format(
                path,
                Location::Line(1),
                "the file is empty or has no header row; a CSV layer needs a header naming its columns",
            ));
        }
        // Unnamed columns at the end of the header (GDAL's `GEOMETRY=AS_XY` export ends
        // the header with a separator) may be missing from the rows.
        let named = fields.len() - fields.iter().rev().take_while(|f| f.is_empty()).count();
        let column = |name: &Option<String>| {
            name.as_ref()
                .and_then(|n| fields.iter().position(|f| f == n))
        };
        let geometry_cols = (column(&opts.x), column(&opts.y), column(&opts.wkt));
        let wanted_cols: Vec<Option<usize>> = wanted
            .iter()
            .map(|w| fields.iter().position(|f| f == w))
            .collect();
        Ok(CsvRows {
            reader,
            path: path.to_path_buf(),
            opts: opts.clone(),
            encoding,
            fields,
            named,
            geometry_cols,
            texts: wanted_cols.iter().map(|_| Default::default()).collect(),
            wanted_cols,
            record: ::csv::ByteRecord::new(),
            index: 0,
        })
    }

    /// Appends up to `max` more records to `out` (blank lines are not records);
    /// `false` once the file is read to its end.
    pub fn next_chunk(&mut self, max: usize, out: &mut Vec<RawFeature>) -> Result<bool> {
        let (xcol, ycol, wktcol) = self.geometry_cols;
        let (fields, encoding, opts) = (&self.fields, self.encoding, &self.opts);
        let texts = &mut self.texts;
        let mut taken = 0usize;
        while taken < max {
            let record = &mut self.record;
            match self.reader.read_byte_record(record) {
                Ok(false) => return Ok(false),
                Ok(true) => {}
                Err(e) => return Err(csv_error(&self.path, e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            let location = Location::Line(line);
            let mut feature = RawFeature {
                index: self.index,
                location,
                geometry: Err(FeatureProblem::NoGeometry),
                values: vec![Value::Null; self.wanted_cols.len()],
            };
            self.index += 1;
            if record.len() == 1 && record.get(0).is_some_and(|c| c.is_empty()) {
                continue; // a blank line: not a record
            }
            taken += 1;
            let extra_filled = record.iter().skip(fields.len()).any(|c| !c.is_empty());
            if record.len() < self.named || extra_filled {
                feature.geometry = Err(FeatureProblem::Unparseable(format!(
                    "the row has {} fields, the header {}; check the delimiter and the quoting",
                    record.len(),
                    fields.len()
                )));
                out.push(feature);
                continue;
            }
            let record = &*record;
            let cell = |col: usize| -> std::result::Result<String, FeatureProblem> {
                let bytes = record.get(col).unwrap_or(b"");
                encoding
                    .decode(bytes)
                    .map(|s| s.trim().to_string())
                    .ok_or_else(|| FeatureProblem::Encoding {
                        field: fields.get(col).cloned().unwrap_or_default(),
                        encoding: encoding.name().to_string(),
                    })
            };
            let mut problem = None;
            for ((slot, col), texts) in feature
                .values
                .iter_mut()
                .zip(&self.wanted_cols)
                .zip(texts.iter_mut())
            {
                let Some(col) = col else { continue };
                let bytes = record.get(*col).unwrap_or(b"");
                match encoding.decode(bytes) {
                    Some(s) if s.trim().is_empty() => {}
                    Some(s) => *slot = Value::Text(texts.text(s.trim())),
                    None => {
                        problem = Some(FeatureProblem::Encoding {
                            field: fields.get(*col).cloned().unwrap_or_default(),
                            encoding: encoding.name().to_string(),
                        })
                    }
                }
            }
            feature.geometry = match problem {
                Some(p) => Err(p),
                None => geometry(&cell, xcol, ycol, wktcol, opts),
            };
            out.push(feature);
        }
        Ok(true)
    }
}

fn geometry(
    cell: &dyn Fn(usize) -> std::result::Result<String, FeatureProblem>,
    xcol: Option<usize>,
    ycol: Option<usize>,
    wktcol: Option<usize>,
    opts: &ReadOptions,
) -> std::result::Result<Geometry<f64>, FeatureProblem> {
    if let Some(col) = wktcol {
        let text = cell(col)?;
        if text.is_empty() {
            return Err(FeatureProblem::NoGeometry);
        }
        let wkt = wkt::Wkt::<f64>::from_str(&text)
            .map_err(|e| FeatureProblem::Unparseable(format!("WKT: {e}")))?;
        wkt_rings_closed(&wkt)?;
        return Geometry::try_from(wkt)
            .map_err(|e| FeatureProblem::Unparseable(format!("WKT: {e}")));
    }
    let (Some(xc), Some(yc)) = (xcol, ycol) else {
        return Err(FeatureProblem::NoGeometry);
    };
    let (xs, ys) = (cell(xc)?, cell(yc)?);
    if xs.is_empty() && ys.is_empty() {
        return Err(FeatureProblem::NoGeometry);
    }
    let x = coordinate(&xs, opts.decimal)?;
    let y = coordinate(&ys, opts.decimal)?;
    Ok(Geometry::Point(Point::new(x, y)))
}

/// A WKT polygon's rings are closed (OGC Simple Features); geo would close an open
/// one silently, so they are checked before the conversion ([`super::check_ring`]).
fn wkt_rings_closed(w: &wkt::Wkt<f64>) -> std::result::Result<(), FeatureProblem> {
    let check = |poly: &wkt::types::Polygon<f64>, polygon: Option<usize>| {
        poly.rings().iter().enumerate().try_for_each(|(k, ring)| {
            let c = ring.coords();
            let ends = c
                .first()
                .zip(c.last())
                .map(|(a, b)| ([a.x, a.y], [b.x, b.y]));
            super::check_ring(polygon, k, c.len(), ends, "OGC Simple Features")
        })
    };
    match w {
        wkt::Wkt::Polygon(p) => check(p, None),
        wkt::Wkt::MultiPolygon(m) => m
            .polygons()
            .iter()
            .enumerate()
            .try_for_each(|(k, p)| check(p, Some(k))),
        _ => Ok(()),
    }
}

fn coordinate(text: &str, decimal: Decimal) -> std::result::Result<f64, FeatureProblem> {
    let parsed = match decimal {
        Decimal::Comma => parse_decimal_comma(text),
        Decimal::Point => text.parse::<f64>(),
    };
    match parsed {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(FeatureProblem::BadCoordinate(format!(
            "{text:?} is not finite"
        ))),
        Err(_) if decimal == Decimal::Point && text.contains(',') => {
            Err(FeatureProblem::BadCoordinate(format!(
                "{text:?} has a decimal comma; set decimal = \",\" in the catalog"
            )))
        }
        Err(_) => Err(FeatureProblem::BadCoordinate(format!(
            "{text:?} is not a number"
        ))),
    }
}

fn csv_error(path: &Path, e: ::csv::Error) -> Error {
    let location = e
        .position()
        .map_or(Location::File, |p| Location::Line(p.line()));
    let message = e.to_string();
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => Error::io(path, io),
        _ => Error::format(
            path,
            location,
            format!("{message}; check the delimiter, the quoting and the encoding"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read a chunk at a time (blank lines, bad rows and all), a file gives the
    /// records it gives read whole, in the same order with the same lines.
    #[test]
    fn chunks_read_what_the_whole_file_gives() {
        let text = "id,x,y,kind\n\
                    a,2.0,48.0,one\n\
                    \n\
                    b,x,48.1,two\n\
                    c,2.2,48.2\n\
                    d,2.3,48.3,four\n\
                    e,,,five\n\
                    f,2.5,48.5,six\n";
        let opts = ReadOptions {
            x: Some("x".into()),
            y: Some("y".into()),
            ..ReadOptions::default()
        };
        let wanted = ["id".to_string(), "kind".to_string()];
        let path = Path::new("t.csv");
        let whole = read_from(text.as_bytes(), path, &opts, &wanted).unwrap();
        for size in [1, 2, 4, 100] {
            let mut rows = CsvRows::new(text.as_bytes(), path, &opts, &wanted).unwrap();
            let mut got = Vec::new();
            let mut calls = 0;
            loop {
                let before = got.len();
                let more = rows.next_chunk(size, &mut got).unwrap();
                assert!(got.len() - before <= size);
                calls += 1;
                if !more {
                    break;
                }
            }
            assert!(calls >= whole.features.len() / size);
            assert_eq!(rows.fields, whole.fields);
            assert_eq!(got.len(), whole.features.len());
            for (a, b) in got.iter().zip(&whole.features) {
                assert_eq!(
                    (a.index, &a.location, &a.values),
                    (b.index, &b.location, &b.values)
                );
                assert_eq!(format!("{:?}", a.geometry), format!("{:?}", b.geometry));
            }
        }
        assert_eq!(whole.features.len(), 6);
    }

    /// A gzip stream that decompresses past the limit stops with the limit in words,
    /// and the CSV reader says which file.
    #[test]
    fn decompression_stops_at_the_limit() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"id,x,y\n").unwrap();
        for _ in 0..2000 {
            gz.write_all(&[b'a'; 1024]).unwrap();
        }
        let bytes = gz.finish().unwrap();
        assert!(bytes.len() < 20_000);
        let mut r = Limited::new(flate2::read::MultiGzDecoder::new(&bytes[..]), 1 << 20);
        let mut sink = Vec::new();
        let e = std::io::copy(&mut r, &mut sink).unwrap_err();
        assert!(e.to_string().contains("more than 1 MiB"), "{e}");
        assert!(sink.len() <= 1 << 20);
        let source = Limited::new(flate2::read::MultiGzDecoder::new(&bytes[..]), 1 << 20);
        let opts = ReadOptions::default();
        let e = read_from(source, Path::new("bomb.csv.gz"), &opts, &[]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("bomb.csv.gz") && text.contains("more than 1 MiB"),
            "{text}"
        );
    }

    fn opts() -> ReadOptions {
        ReadOptions {
            delimiter: b';',
            decimal: Decimal::Comma,
            x: Some("x".into()),
            y: Some("y".into()),
            ..ReadOptions::default()
        }
    }

    #[test]
    fn semicolons_and_decimal_commas() {
        let data = "id;x;y;nom\na;874230,62;6595951,2;Beaupont\nb;;;Vide\n";
        let t = read_from(
            data.as_bytes(),
            Path::new("t.csv"),
            &opts(),
            &["nom".into()],
        )
        .unwrap();
        assert_eq!(t.fields, ["id", "x", "y", "nom"]);
        assert_eq!(t.features.len(), 2);
        assert_eq!(
            t.features[0].geometry,
            Ok(Geometry::Point(Point::new(874230.62, 6595951.2)))
        );
        assert_eq!(t.features[0].values, [Value::Text("Beaupont".into())]);
        assert_eq!(t.features[1].geometry, Err(FeatureProblem::NoGeometry));
        assert_eq!(t.features[1].location, Location::Line(3));
    }

    #[test]
    fn latin1_cells_and_short_rows() {
        let mut data = b"x;y;nom\n1;2;M\xe9zi\xe8res\n3;4\n".to_vec();
        data.extend_from_slice(b"5;6;ok\n");
        let mut o = opts();
        o.encoding = Some(TextEncoding::Whatwg(encoding_rs::WINDOWS_1252));
        let t = read_from(&data[..], Path::new("t.csv"), &o, &["nom".into()]).unwrap();
        assert_eq!(t.features[0].values, [Value::Text("Mézières".into())]);
        assert!(matches!(
            t.features[1].geometry,
            Err(FeatureProblem::Unparseable(_))
        ));
        assert!(t.features[2].geometry.is_ok());
        // The same bytes declared UTF-8: the row is refused for its encoding, not garbled.
        let t = read_from(&data[..], Path::new("t.csv"), &opts(), &["nom".into()]).unwrap();
        assert!(matches!(
            t.features[0].geometry,
            Err(FeatureProblem::Encoding { .. })
        ));
    }

    #[test]
    fn decimal_comma_in_a_point_file_names_the_fix() {
        let mut o = opts();
        o.decimal = Decimal::Point;
        let t = read_from("x;y\n1,5;2\n".as_bytes(), Path::new("t.csv"), &o, &[]).unwrap();
        match &t.features[0].geometry {
            Err(FeatureProblem::BadCoordinate(m)) => assert!(m.contains("decimal = \",\"")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wkt_column() {
        let o = ReadOptions {
            wkt: Some("geom".into()),
            ..ReadOptions::default()
        };
        let data = "id,geom\n1,\"POLYGON((0 0,1 0,1 1,0 0))\"\n2,NOTWKT\n";
        let t = read_from(data.as_bytes(), Path::new("t.csv"), &o, &[]).unwrap();
        assert!(matches!(t.features[0].geometry, Ok(Geometry::Polygon(_))));
        assert!(matches!(
            t.features[1].geometry,
            Err(FeatureProblem::Unparseable(_))
        ));
    }

    #[test]
    fn empty_file_is_an_error() {
        let e = read_from("".as_bytes(), Path::new("e.csv"), &opts(), &[]).unwrap_err();
        assert!(e.to_string().contains("e.csv"), "{e}");
    }
}
