//! PostGIS reader: a table or a query of a PostgreSQL database, through rust-postgres
//! (its synchronous client; no libpq).
//!
//! The catalog's `path` is a connection URL, `postgresql://user@host:port/database`,
//! with `table = "schema.table"` or `sql = "SELECT ..."`. The password is never in the
//! catalog (a URL with one is refused, so that it is never written in a file or an
//! error message): it comes from `PGPASSWORD`, else the password file (`PGPASSFILE`,
//! else `~/.pgpass`), as libpq takes it. A part the URL omits comes from `PGUSER`,
//! `PGHOST`, `PGPORT` and `PGDATABASE`, as in `psql`. TLS is not offered: a URL
//! asking for it (`sslmode=require`) is refused with the reason.
//!
//! The geometry is the source's `geometry` or `geography` column (one is needed; with
//! several, `sql` picks one), read as WKB (`ST_AsBinary`). The CRS is the geometries'
//! SRID through `spatial_ref_sys` (its EPSG code, else its WKT); SRID 0 needs the
//! catalog's `crs`. Numbers are read as numbers, booleans as booleans, any other
//! column as its text.

use std::path::{Path, PathBuf};
use std::time::Duration;

use postgres::config::SslMode;
use postgres::types::Type;
use postgres::{Client, Config, NoTls};

use super::{RawFeature, RawTable, ReadOptions};
use crate::crs::Crs;
use crate::error::{Error, FeatureProblem, Location, Result};
use crate::model::Value;

/// True for a catalog `path` that names a PostgreSQL database.
pub fn is_url(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|p| p.starts_with("postgresql://") || p.starts_with("postgres://"))
}

/// The URL with its password, if it has one, replaced by `***`: what errors and
/// reports show.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// True when the URL holds a password (`user:password@`, or a `password` parameter).
pub fn has_password(url: &str) -> bool {
    redacted(url) != url || url.contains("password=")
}

/// Reads a PostGIS table or query (`opts.table` or `opts.sql`) of the database `url`;
/// `wanted` are the attribute fields to extract.
pub fn read(url: &Path, opts: &ReadOptions, wanted: &[String]) -> Result<RawTable> {
    let text = url.to_str().unwrap_or_default();
    let shown = PathBuf::from(redacted(text));
    let url = shown.as_path();
    let error = |what: String| Error::format(url, Location::File, what);
    let config = config(text, &Environment::current()).map_err(error)?;
    let mut client = config.connect(NoTls).map_err(|e| {
        error(format!(
            "cannot connect ({e}); check the server, the user and the password \
             (PGPASSWORD or ~/.pgpass) with `psql {}`",
            url.display()
        ))
    })?;
    let sql_error = |e: postgres::Error| {
        let detail = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_string());
        error(format!("the database answered: {detail}"))
    };
    let from = match (&opts.table, &opts.sql) {
        (Some(t), None) => qualified(t),
        // A query as written in psql, its closing semicolon too.
        (None, Some(q)) => format!(
            "({}) AS sitematch_source",
            q.trim().trim_end_matches(';').trim_end()
        ),
        _ => {
            return Err(error(
                "a PostGIS layer needs `table = \"schema.table\"` or `sql = \"SELECT ...\"`, one of them"
                    .into(),
            ))
        }
    };
    // The columns and their types, from the statement's description (no row read).
    let described = client
        .prepare(&format!("SELECT * FROM {from} LIMIT 0"))
        .map_err(sql_error)?;
    let columns: Vec<(String, Type)> = described
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_().clone()))
        .collect();
    let geometries: Vec<&str> = columns
        .iter()
        .filter(|(_, t)| matches!(t.name(), "geometry" | "geography"))
        .map(|(n, _)| n.as_str())
        .collect();
    let names = || {
        columns
            .iter()
            .map(|(n, t)| format!("{n} ({})", t.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let geometry = match geometries.as_slice() {
        [one] => one.to_string(),
        [] => {
            return Err(error(format!(
                "it has no geometry or geography column; its columns are {}",
                names()
            )))
        }
        several => {
            return Err(error(format!(
                "it has {} geometry columns ({}); pick one with `sql = \"SELECT ...\"`",
                several.len(),
                several.join(", ")
            )))
        }
    };
    let fields: Vec<String> = columns
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| *n != geometry)
        .collect();
    let select: Vec<String> = wanted
        .iter()
        .map(|w| match columns.iter().find(|(n, _)| n == w) {
            None => "NULL::text".to_string(),
            Some((n, t)) => match t.name() {
                "int2" | "int4" | "int8" | "float4" | "float8" | "numeric" | "oid" => {
                    format!("{}::float8", ident(n))
                }
                "bool" => ident(n),
                _ => format!("{}::text", ident(n)),
            },
        })
        .collect();
    let g = ident(&geometry);
    let order = if opts.table.is_some() {
        " ORDER BY ctid"
    } else {
        ""
    };
    let query = format!(
        "SELECT ST_AsBinary({g}), ST_SRID({g}::geometry){} FROM {from}{order}",
        select.iter().map(|s| format!(", {s}")).collect::<String>()
    );
    let rows = client.query(&query, &[]).map_err(sql_error)?;

    // The layer's SRID: its first geometry's; a row in another is skipped, named.
    let srid = rows.iter().find_map(|r| {
        r.get::<_, Option<i32>>(1)
            .filter(|_| r.get::<_, Option<&[u8]>>(0).is_some())
    });
    let mut features = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let wkb: Option<&[u8]> = row.get(0);
        let row_srid: Option<i32> = row.get(1);
        let geometry = match wkb {
            None => Err(FeatureProblem::NoGeometry),
            Some(_) if row_srid != srid => Err(FeatureProblem::UnsupportedGeometry(format!(
                "a geometry in SRID {} where the layer's first is in SRID {}",
                row_srid.unwrap_or(0),
                srid.unwrap_or(0)
            ))),
            Some(b) => super::wkb::feature_geometry(b, "a PostGIS geometry"),
        };
        let values = (0..wanted.len())
            .map(|i| value(row, i + 2, url))
            .collect::<Result<Vec<_>>>()?;
        features.push(RawFeature {
            index,
            location: Location::Feature(index),
            geometry,
            values,
        });
    }
    let (declared_crs, crs_problem) = match srid {
        None => (None, None),
        Some(0) => (None, Some("its geometries have no SRID (0)".to_string())),
        Some(s) => match srs(&mut client, s).map_err(sql_error)? {
            Some(crs) => (Some(crs), None),
            None => (
                None,
                Some(format!("its SRID {s} is not in spatial_ref_sys")),
            ),
        },
    };
    Ok(RawTable {
        fields,
        declared_crs,
        crs_problem,
        features,
        not_read: 0,
    })
}

/// One selected value: a number (cast to float8), a boolean, or text.
fn value(row: &postgres::Row, i: usize, url: &Path) -> Result<Value> {
    let t = row.columns()[i].type_();
    let bad = |e: postgres::Error| {
        Error::format(
            url,
            Location::File,
            format!("a column of type {t} cannot be read ({e})"),
        )
    };
    Ok(match *t {
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(i)
            .map_err(bad)?
            .filter(|x| !x.is_nan())
            .map_or(Value::Null, Value::Number),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)
            .map_err(bad)?
            .map_or(Value::Null, Value::Bool),
        _ => row
            .try_get::<_, Option<&str>>(i)
            .map_err(bad)?
            .map_or(Value::Null, |s| Value::Text(s.into())),
    })
}

/// The CRS of an SRID: EPSG when `spatial_ref_sys` says so, else its WKT.
fn srs(client: &mut Client, srid: i32) -> std::result::Result<Option<Crs>, postgres::Error> {
    let row = client.query_opt(
        "SELECT auth_name::text, auth_srid, srtext::text FROM spatial_ref_sys WHERE srid = $1",
        &[&srid],
    )?;
    Ok(row.and_then(|r| {
        let (auth, code, wkt): (Option<String>, Option<i32>, Option<String>) =
            (r.get(0), r.get(1), r.get(2));
        match (auth, code) {
            (Some(a), Some(c)) if a.eq_ignore_ascii_case("EPSG") && c > 0 => {
                u32::try_from(c).ok().map(Crs::Epsg)
            }
            _ => wkt.as_deref().and_then(Crs::parse),
        }
    }))
}

/// An SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.table` (or `table`) with each part quoted.
fn qualified(table: &str) -> String {
    table.split('.').map(ident).collect::<Vec<_>>().join(".")
}

/// What libpq takes from the environment: the variables and the password file.
#[derive(Debug, Default, Clone)]
pub(crate) struct Environment {
    pub user: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    pub database: Option<String>,
    pub password: Option<String>,
    pub passfile: Option<PathBuf>,
    /// The login name, libpq's last resort for the user.
    pub login: Option<String>,
}

impl Environment {
    fn current() -> Environment {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Environment {
            user: var("PGUSER"),
            host: var("PGHOST"),
            port: var("PGPORT"),
            database: var("PGDATABASE"),
            password: var("PGPASSWORD"),
            passfile: var("PGPASSFILE")
                .map(PathBuf::from)
                .or_else(|| var("HOME").map(|h| Path::new(&h).join(".pgpass"))),
            login: var("USER").or_else(|| var("LOGNAME")),
        }
    }
}

/// The connection's configuration: the URL, completed from the environment.
pub(crate) fn config(url: &str, env: &Environment) -> std::result::Result<Config, String> {
    let mut config: Config = url.parse().map_err(|e| {
        format!("not a PostgreSQL URL ({e}); write postgresql://user@host:5432/database")
    })?;
    if config.get_password().is_some() || has_password(url) {
        return Err(
            "the URL holds a password, which a catalog must not: remove it, and give it in \
                    PGPASSWORD or in ~/.pgpass (host:port:database:user:password)"
                .into(),
        );
    }
    if config.get_ssl_mode() == SslMode::Require {
        return Err(
            "sslmode=require: sitematch connects without TLS (on a local network or \
                    through an SSH tunnel); remove sslmode or use a server that accepts it"
                .into(),
        );
    }
    if config.get_user().is_none() {
        let user = env
            .user
            .clone()
            .or_else(|| env.login.clone())
            .ok_or("the URL names no user, and PGUSER is not set")?;
        config.user(&user);
    }
    if config.get_hosts().is_empty() {
        config.host(env.host.as_deref().unwrap_or("localhost"));
    }
    if config.get_ports().is_empty() {
        if let Some(p) = &env.port {
            let port = p
                .parse()
                .map_err(|_| format!("PGPORT is {p:?}, not a port number"))?;
            config.port(port);
        }
    }
    if config.get_dbname().is_none() {
        let db = env
            .database
            .clone()
            .or_else(|| config.get_user().map(str::to_string));
        if let Some(db) = db {
            config.dbname(&db);
        }
    }
    let password = env.password.clone().or_else(|| {
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "localhost".to_string(),
        };
        let port = config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string();
        let file = std::fs::read_to_string(env.passfile.as_ref()?).ok()?;
        pgpass(
            &file,
            &host,
            &port,
            config.get_dbname().unwrap_or(""),
            config.get_user().unwrap_or(""),
        )
    });
    if let Some(p) = password {
        config.password(p);
    }
    config.connect_timeout(Duration::from_secs(10));
    Ok(config)
}

/// The password a `.pgpass` file gives for (host, port, database, user): the first
/// line whose fields match, `*` matching anything; `\:` and `\\` are escapes.
pub(crate) fn pgpass(file: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    for line in file.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                c => field.push(c),
            }
        }
        fields.push(field);
        let [h, p, d, u, password] = fields.as_slice() else {
            continue;
        };
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if matches(h, host) && matches(p, port) && matches(d, db) && matches(u, user) {
            return Some(password.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redacted("postgresql://ana:s3cret@db/gis"),
            "postgresql://ana:***@db/gis"
        );
        assert_eq!(
            redacted("postgresql://ana@db/gis"),
            "postgresql://ana@db/gis"
        );
        assert_eq!(
            redacted("postgres://ana:p@ss@db:5432/gis?x=1"),
            "postgres://ana:***@db:5432/gis?x=1"
        );
        assert!(has_password("postgresql://db/gis?password=x"));
        assert!(!has_password("postgresql://ana@db/gis"));
    }

    #[test]
    fn pgpass_lines_match_as_libpq_matches_them() {
        let file = "# comment\n\
                    other:5432:*:*:no\n\
                    localhost:5432:gis:ana:first\\:part\n\
                    *:*:*:ana:fallback\n";
        assert_eq!(
            pgpass(file, "localhost", "5432", "gis", "ana").as_deref(),
            Some("first:part")
        );
        assert_eq!(
            pgpass(file, "db.example", "6432", "x", "ana").as_deref(),
            Some("fallback")
        );
        assert_eq!(pgpass(file, "db.example", "5432", "x", "bob"), None);
    }

    #[test]
    fn urls_are_completed_from_the_environment_and_passwords_refused() {
        let env = Environment {
            user: Some("ana".into()),
            password: Some("secret".into()),
            ..Default::default()
        };
        let c = config("postgresql://db.example/gis", &env).unwrap();
        assert_eq!(c.get_user(), Some("ana"));
        assert_eq!(c.get_password(), Some(&b"secret"[..]));
        assert_eq!(c.get_dbname(), Some("gis"));
        let e = config("postgresql://ana:secret@db.example/gis", &env).unwrap_err();
        assert!(e.contains("PGPASSWORD") && !e.contains("secret"), "{e}");
        let e = config("postgresql://db.example/gis?sslmode=require", &env).unwrap_err();
        assert!(e.contains("TLS"), "{e}");
        let e = config("postgresql://db.example/gis?password=secret", &env).unwrap_err();
        assert!(e.contains("PGPASSWORD"), "{e}");
        let e = config("mysql://x", &env).unwrap_err();
        assert!(e.contains("postgresql://"), "{e}");
        // The password file, when PGPASSWORD is not set.
        let dir = tempfile::tempdir().unwrap();
        let passfile = dir.path().join("pgpass");
        std::fs::write(&passfile, "db.example:5432:gis:ana:from-file\n").unwrap();
        let env = Environment {
            passfile: Some(passfile),
            ..Default::default()
        };
        let c = config("postgresql://ana@db.example/gis", &env).unwrap();
        assert_eq!(c.get_password(), Some(&b"from-file"[..]));
    }
}
