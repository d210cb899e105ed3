//! ESRI Shapefile reader, through the `shapefile` crate.
//!
//! The CRS comes from the `.prj` WKT. Text is decoded with the `.cpg` encoding, else
//! the DBF header's language-driver byte, else as UTF-8 where valid and CP1252
//! (a superset of Latin-1) where not: French DBFs are very often Latin-1.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use geo::Geometry;

use super::text::TextEncoding;
use super::{RawFeature, RawTable, ReadOptions};
use crate::crs::Crs;
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::Value;

/// The sidecar file with extension `ext` (either case), if it exists.
fn sidecar(shp: &Path, ext: &str) -> Option<PathBuf> {
    [ext.to_ascii_lowercase(), ext.to_ascii_uppercase()]
        .iter()
        .map(|e| shp.with_extension(e))
        .find(|p| p.exists())
}

/// Reads a shapefile; `wanted` are the attribute fields to extract. The catalog's
/// `encoding`, when it sets one, wins over the `.cpg` (a `.cpg` is sometimes wrong:
/// `UTF-8` over Latin-1 bytes; the catalog is the user's word).
pub fn read(path: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    let encoding = opts.encoding;
    let dbf_path = sidecar(path, "dbf").ok_or_else(|| {
        Error::format(
            path,
            Location::File,
            format!(
                "{} is missing; a shapefile needs its .shp, .shx and .dbf side by side",
                path.with_extension("dbf").display()
            ),
        )
    })?;
    let declared_crs = match sidecar(path, "prj") {
        Some(prj) => {
            let bytes = std::fs::read(&prj).map_err(|e| Error::io(&prj, e))?;
            let wkt = String::from_utf8_lossy(&bytes).trim().to_string();
            if wkt.is_empty() {
                None
            } else {
                Some(Crs::parse(&wkt).ok_or_else(|| {
                    Error::Crs {
                        path: prj.clone(),
                        problem:
                            "the .prj does not hold WKT; fix it, delete it and set `crs` in the \
                              catalog"
                                .to_string(),
                    }
                })?)
            }
        }
        None => None,
    };
    let encoding = detect_encoding(path, &dbf_path, encoding)?;
    check_set(path, &dbf_path)?;

    let shape_reader = shapefile::ShapeReader::from_path(path).map_err(|e| shp_error(path, e))?;
    let dbf = File::open(&dbf_path).map_err(|e| Error::io(&dbf_path, e))?;
    // CP1252 as WHATWG defines it maps every byte to one character and back, so the
    // raw bytes can be recovered and decoded with the encoding detected above.
    let dbase_reader = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::WINDOWS_1252))
        .build(BufReader::new(dbf))
        .map_err(|e| {
            Error::format(
                &dbf_path,
                Location::File,
                format!("cannot read the DBF header: {e}"),
            )
        })?;
    let fields: Vec<String> = dbase_reader
        .fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    let mut reader = shapefile::Reader::new(shape_reader, dbase_reader);

    let mut features = Vec::new();
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let location = Location::Feature(index);
        let (shape, record) = item.map_err(|e| record_error(path, &dbf_path, location, e))?;
        let mut values = vec![Value::Null; wanted.len()];
        let mut problem = None;
        let mut record: std::collections::HashMap<String, dbase::FieldValue> = record.into();
        for (slot, name) in values.iter_mut().zip(wanted) {
            if let Some(v) = record.remove(name) {
                match field_value(v, encoding) {
                    Ok(v) => *slot = v,
                    Err(()) => {
                        problem = Some(FeatureProblem::Encoding {
                            field: name.clone(),
                            encoding: encoding.name().to_string(),
                        })
                    }
                }
            }
        }
        let geometry = match problem {
            Some(p) => Err(p),
            None => convert(shape),
        };
        features.push(RawFeature {
            index,
            location,
            geometry,
            values,
        });
    }
    Ok(RawTable {
        fields,
        declared_crs,
        features,
        crs_problem: None,
        not_read: 0,
    })
}

fn detect_encoding(shp: &Path, dbf: &Path, catalog: Option<TextEncoding>) -> Result<TextEncoding> {
    if let Some(enc) = catalog {
        return Ok(enc);
    }
    // An empty .cpg says nothing: as GDAL does, it counts as absent.
    let cpg = sidecar(shp, "cpg")
        .map(|cpg| {
            let label = std::fs::read(&cpg).map_err(|e| Error::io(&cpg, e))?;
            Ok((cpg, String::from_utf8_lossy(&label).trim().to_string()))
        })
        .transpose()?
        .filter(|(_, label)| !label.is_empty());
    if let Some((cpg, label)) = cpg {
        return TextEncoding::from_label(&label).ok_or_else(|| {
            Error::format(
                &cpg,
                Location::File,
                format!(
                    "unknown encoding {:?}; write one of UTF-8, 1252, ISO-8859-1, 850 in it",
                    crate::text::clip(&label, 60)
                ),
            )
        });
    }
    let mut header = [0u8; 32];
    let mut file = File::open(dbf).map_err(|e| Error::io(dbf, e))?;
    file.read_exact(&mut header).map_err(|_| {
        Error::format(
            dbf,
            Location::File,
            "the DBF header is truncated (under 32 bytes); re-export the shapefile",
        )
    })?;
    Ok(TextEncoding::from_dbf_language_driver(header[29]).unwrap_or(TextEncoding::Utf8OrLatin1))
}

fn field_value(v: dbase::FieldValue, encoding: TextEncoding) -> std::result::Result<Value, ()> {
    use dbase::FieldValue as F;
    let text = |s: String| -> std::result::Result<Value, ()> {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&s);
        let decoded = encoding.decode(&bytes).ok_or(())?;
        let t = decoded.trim();
        Ok(if t.is_empty() {
            Value::Null
        } else {
            Value::Text(t.into())
        })
    };
    Ok(match v {
        F::Character(Some(s)) | F::Memo(s) => text(s)?,
        F::Numeric(Some(x)) | F::Double(x) | F::Currency(x) => Value::Number(x),
        F::Float(Some(x)) => Value::Number(f64::from(x)),
        F::Integer(i) => Value::Number(f64::from(i)),
        F::Logical(Some(b)) => Value::Bool(b),
        F::Date(Some(d)) => {
            Value::Text(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()).into())
        }
        _ => Value::Null,
    })
}

fn convert(shape: shapefile::Shape) -> std::result::Result<Geometry<f64>, FeatureProblem> {
    if matches!(shape, shapefile::Shape::NullShape) {
        return Err(FeatureProblem::NoGeometry);
    }
    if matches!(shape, shapefile::Shape::Multipatch(_)) {
        return Err(FeatureProblem::UnsupportedGeometry(
            "Multipatch".to_string(),
        ));
    }
    Geometry::<f64>::try_from(shape).map_err(|e| FeatureProblem::Unparseable(e.to_string()))
}

/// The first bytes of a file (fewer when it is shorter).
fn head(path: &Path, n: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    File::open(path)
        .and_then(|f| f.take(n as u64).read_to_end(&mut buf))
        .map_err(|e| Error::io(path, e))?;
    Ok(buf)
}

/// Cross-checks the `.shp`, `.shx` and `.dbf` of a shapefile before reading it, as GDAL
/// does: each file's size against its header, and the `.dbf`'s record count against
/// the shapes the `.shx` indexes. A file cut short, or two files that do not belong
/// together, is an error naming that file, rather than features lost without a word.
fn check_set(shp: &Path, dbf: &Path) -> Result<()> {
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len())
            .map_err(|e| Error::io(p, e))
    };
    let wrong = |p: &Path, msg: String| Error::format(p, Location::File, msg);
    let be32 = |b: &[u8], at: usize| {
        b.get(at..at + 4)
            .map_or(0, |x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
    };
    // .shp and .shx: a 100-byte header whose file code is 9994 and whose length (in
    // 16-bit words) is the file's size.
    let mut indexed = None;
    for (p, what) in [
        (Some(shp.to_path_buf()), ".shp"),
        (sidecar(shp, "shx"), ".shx"),
    ] {
        let Some(p) = p else {
            continue;
        };
        let len = size(&p)?;
        let h = head(&p, 100)?;
        if len < 100 {
            return Err(wrong(
                &p,
                format!("the file has {len} bytes; a {what} starts with a 100-byte header (it was cut, or it is not a shapefile): re-export the layer"),
            ));
        }
        if be32(&h, 0) != 9994 {
            return Err(wrong(
                &p,
                format!("this is not a {what} file (its first four bytes are not the shapefile code 9994): re-export the layer"),
            ));
        }
        let declared = u64::from(be32(&h, 24)) * 2;
        if declared != len {
            return Err(wrong(
                &p,
                format!("its header announces {declared} bytes but the file has {len}: it was cut or changed after it was written; re-export the layer"),
            ));
        }
        if what == ".shx" {
            if (len - 100) % 8 != 0 {
                return Err(wrong(
                    &p,
                    format!("{len} bytes is not a 100-byte header and 8-byte records: the file is damaged; re-export the layer"),
                ));
            }
            indexed = Some(((len - 100) / 8, p));
        }
    }
    // .dbf: record count, header length and record length in the first 12 bytes.
    let len = size(dbf)?;
    let h = head(dbf, 12)?;
    if h.len() < 12 {
        return Err(wrong(
            dbf,
            format!("the file has {len} bytes, less than a dBASE header: it was cut; re-export the layer"),
        ));
    }
    let records = u64::from(u32::from_le_bytes([h[4], h[5], h[6], h[7]]));
    let header = u64::from(u16::from_le_bytes([h[8], h[9]]));
    let record = u64::from(u16::from_le_bytes([h[10], h[11]]));
    let expected = header + records * record;
    if len < expected {
        let complete = len.saturating_sub(header) / record.max(1);
        return Err(wrong(
            dbf,
            format!("the file ends after {complete} of the {records} records its header announces (it was cut): re-export the layer"),
        ));
    }
    if let Some((shapes, shx)) = indexed {
        if shapes != records {
            return Err(wrong(
                dbf,
                format!(
                    "it has {records} records but {} indexes {shapes} shapes: the files do not belong together, or one was cut; re-export the layer",
                    shx.display()
                ),
            ));
        }
    }
    Ok(())
}

/// A record that cannot be read, in words and naming the file at fault.
fn record_error(shp: &Path, dbf: &Path, location: Location, e: shapefile::Error) -> Error {
    match e {
        shapefile::Error::DbaseError(d) => Error::format(
            dbf,
            location,
            format!("{d}; the .dbf is damaged (re-export the layer)"),
        ),
        shapefile::Error::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::format(
                shp,
                location,
                "the file ends inside this record (it was cut): re-export the layer".to_string(),
            )
        }
        other => Error::format(
            shp,
            location,
            format!("{other}; the .shp is damaged (re-export the layer)"),
        ),
    }
}

fn shp_error(path: &Path, e: shapefile::Error) -> Error {
    match e {
        shapefile::Error::IoError(io) => Error::io(path, io),
        other => Error::format(
            path,
            Location::File,
            format!("{other}; the .shp or .shx is damaged (re-export the shapefile)"),
        ),
    }
}
