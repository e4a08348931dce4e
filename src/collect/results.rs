//! Reading result documents (`audit`/`leaks --format json`) and a simple staff list
//! for `report`.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use thiserror::Error;

use crate::model::{
    AUDIT_KIND, AUDIT_SCHEMA_VERSION, AuditResults, LEAKS_KIND, LEAKS_SCHEMA_VERSION, LeakResults,
    StaffMember, StaffStatus, fingerprint_hex,
};

#[derive(Debug, Error)]
pub enum ResultsError {
    #[error("cannot read '{}'\nhelp: check the path given to --{flag}", path.display())]
    Read {
        path: PathBuf,
        flag: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("'{}' is not valid JSON: {message}\nhelp: give a file written by `ksef-audit {command} --format json`", path.display())]
    Json {
        path: PathBuf,
        command: &'static str,
        message: String,
    },
    #[error("'{}' is a '{found}' document, not '{expected}'\nhelp: --{flag} takes the JSON written by `ksef-audit {command} --format json`", path.display())]
    Kind {
        path: PathBuf,
        flag: &'static str,
        command: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("'{}' has schema_version {found}, this version reads {expected}\nhelp: re-run `ksef-audit {command} --format json` with this version of ksef-audit", path.display())]
    Schema {
        path: PathBuf,
        command: &'static str,
        expected: u32,
        found: String,
    },
    #[error("staff list '{}' row {row}: {message}\nhelp: columns are id, name, pesel, nip, status (active|left), left_on", path.display())]
    Staff {
        path: PathBuf,
        row: usize,
        message: String,
    },
}

/// A loaded document and the SHA-256 of its bytes (for the report cover).
pub struct Loaded<T> {
    pub value: T,
    pub digest: String,
}

fn load<T: DeserializeOwned>(
    path: &Path,
    flag: &'static str,
    command: &'static str,
    kind: &'static str,
    version: u32,
) -> Result<Loaded<T>, ResultsError> {
    let bytes = std::fs::read(path).map_err(|source| ResultsError::Read {
        path: path.to_path_buf(),
        flag,
        source,
    })?;
    let json_err = |e: serde_json::Error| ResultsError::Json {
        path: path.to_path_buf(),
        command,
        message: e.to_string(),
    };
    let raw: serde_json::Value = serde_json::from_slice(&bytes).map_err(json_err)?;
    let found_kind = raw.get("kind").and_then(|k| k.as_str()).unwrap_or("(none)");
    if found_kind != kind {
        return Err(ResultsError::Kind {
            path: path.to_path_buf(),
            flag,
            command,
            expected: kind,
            found: found_kind.to_string(),
        });
    }
    let found_version = raw.get("schema_version").and_then(|v| v.as_u64());
    if found_version != Some(u64::from(version)) {
        return Err(ResultsError::Schema {
            path: path.to_path_buf(),
            command,
            expected: version,
            found: found_version.map_or("(none)".to_string(), |v| v.to_string()),
        });
    }
    let value = serde_json::from_value(raw).map_err(json_err)?;
    Ok(Loaded {
        value,
        digest: fingerprint_hex(&bytes),
    })
}

/// Reads `audit --format json` output, checking `kind` and `schema_version`.
pub fn load_audit_results(
    path: &Path,
    flag: &'static str,
) -> Result<Loaded<AuditResults>, ResultsError> {
    load(path, flag, "audit", AUDIT_KIND, AUDIT_SCHEMA_VERSION)
}

/// Reads `leaks --format json` output, checking `kind` and `schema_version`.
pub fn load_leak_results(path: &Path) -> Result<Loaded<LeakResults>, ResultsError> {
    load(path, "leaks", "leaks", LEAKS_KIND, LEAKS_SCHEMA_VERSION)
}

/// A minimal staff-list reader (header names `id`, `name`, `pesel`, `nip`, `status`,
/// `left_on`, case-insensitive), used by `report` to show names instead of PESELs.
/// The full validating reader is `collect::staff::load_staff`.
pub fn load_staff_list(path: &Path) -> Result<Vec<StaffMember>, ResultsError> {
    let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Read {
        path: path.to_path_buf(),
        flag: "staff",
        source,
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let delim = if text.lines().next().is_some_and(|h| h.contains(';')) {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(text.as_bytes());
    let staff_err = |row: usize, message: String| ResultsError::Staff {
        path: path.to_path_buf(),
        row,
        message,
    };
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| staff_err(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let id_col = col("id").ok_or_else(|| staff_err(1, "missing column 'id'".into()))?;
    let (name_col, pesel_col, nip_col, status_col) =
        (col("name"), col("pesel"), col("nip"), col("status"));
    let left_col = col("left_on");
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| staff_err(row, e.to_string()))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let status = match get(status_col)
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("left") => StaffStatus::Left,
            _ => StaffStatus::Active,
        };
        out.push(StaffMember {
            row,
            id: get(Some(id_col)).unwrap_or_default(),
            name: get(name_col),
            pesel: get(pesel_col),
            nip: get(nip_col),
            status,
            left_on: get(left_col).and_then(|d| d.parse().ok()),
        });
    }
    Ok(out)
}
