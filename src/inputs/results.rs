//! The one reader of the documents that pass between commands: the tokens snapshot,
//! audit results and leak results (one rule for `kind` and `schema_version`).

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use thiserror::Error;

use ksef_model::AUDIT_KIND;
use ksef_model::AUDIT_SCHEMA_VERSION;
use ksef_model::AuditResults;
use ksef_model::LEAKS_KIND;
use ksef_model::LEAKS_SCHEMA_VERSION;
use ksef_model::LeakResults;
use ksef_model::OFFBOARD_KIND;
use ksef_model::OFFBOARD_SCHEMA_VERSION;
use ksef_model::OffboardRecord;
use ksef_model::SNAPSHOT_KIND;
use ksef_model::SNAPSHOT_SCHEMA_VERSION;
use ksef_model::TokenSnapshot;
use ksef_model::fingerprint_hex;

/// One kind of result document: what it is called, its `kind`, the newest
/// `schema_version` this build reads, and the command that writes it.
#[derive(Debug, Clone, Copy)]
pub struct DocumentKind {
    pub what: &'static str,
    pub kind: &'static str,
    pub schema_version: u32,
    pub written_by: &'static str,
}

/// `tokens --format json`.
pub const TOKENS_DOCUMENT: DocumentKind = DocumentKind {
    what: "a tokens snapshot",
    kind: SNAPSHOT_KIND,
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    written_by: "ksef-audit tokens --format json --output FILE",
};

/// `audit --format json`.
pub const AUDIT_DOCUMENT: DocumentKind = DocumentKind {
    what: "audit results",
    kind: AUDIT_KIND,
    schema_version: AUDIT_SCHEMA_VERSION,
    written_by: "ksef-audit audit --format json --output FILE",
};

/// `leaks --format json`.
pub const LEAKS_DOCUMENT: DocumentKind = DocumentKind {
    what: "leak scan results",
    kind: LEAKS_KIND,
    schema_version: LEAKS_SCHEMA_VERSION,
    written_by: "ksef-audit leaks --format json --output FILE",
};

/// `offboard --format json` (the record kept for the compliance file).
pub const OFFBOARD_DOCUMENT: DocumentKind = DocumentKind {
    what: "an offboarding record",
    kind: OFFBOARD_KIND,
    schema_version: OFFBOARD_SCHEMA_VERSION,
    written_by: "ksef-audit offboard PERSON --output-dir DIR",
};

#[derive(Debug, Error)]
pub enum ResultsError {
    #[error(
        "cannot read '{}'\nhelp: check the path given to --{flag}",
        ksef_model::shown_path(path)
    )]
    Read {
        path: PathBuf,
        flag: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("'{}' is not valid JSON: {message}\nhelp: --{flag} takes the JSON written by `{}`", ksef_model::shown_path(path), doc.written_by)]
    Json {
        path: PathBuf,
        flag: &'static str,
        doc: DocumentKind,
        message: String,
    },
    #[error("'{}' is a '{found}' document, not {} ('{}')\nhelp: --{flag} takes the JSON written by `{}`", ksef_model::shown_path(path), doc.what, doc.kind, doc.written_by)]
    Kind {
        path: PathBuf,
        flag: &'static str,
        doc: DocumentKind,
        found: String,
    },
    #[error("'{}' has schema_version {found}, newer than this build of ksef-audit reads ({})\nhelp: upgrade ksef-audit, or write the file again with `{}` of this version", ksef_model::shown_path(path), doc.schema_version, doc.written_by)]
    Newer {
        path: PathBuf,
        doc: DocumentKind,
        found: u64,
    },
    #[error("'{}' has no valid schema_version (found {found}; this build reads 1 to {})\nhelp: write the file again with `{}`", ksef_model::shown_path(path), doc.schema_version, doc.written_by)]
    Schema {
        path: PathBuf,
        doc: DocumentKind,
        found: String,
    },
    #[error(
        "cannot read the directory '{}'\nhelp: --{flag} takes the directory `ksef-audit offboard --output-dir DIR` wrote its records to",
        ksef_model::shown_path(path)
    )]
    Dir {
        path: PathBuf,
        flag: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// A loaded document and the SHA-256 of its bytes (for the report cover and digests).
pub struct Loaded<T> {
    pub value: T,
    pub digest: String,
}

/// The one reader of result documents. The rule for every command:
/// - `kind` missing or another kind: an error naming the file, the kind found and the
///   kind expected, with a help line naming the command that writes it;
/// - `schema_version` 1 up to the newest this build knows: read; newer: an error with an
///   upgrade hint; missing, 0 or not a number: an error asking to write it again.
pub fn read_document<T: DeserializeOwned>(
    path: &Path,
    flag: &'static str,
    doc: DocumentKind,
) -> Result<Loaded<T>, ResultsError> {
    let bytes = ksef_model::input::read_limited(path, ksef_model::input::MAX_DOCUMENT_BYTES)
        .map_err(|source| ResultsError::Read {
            path: path.to_path_buf(),
            flag,
            source,
        })?;
    let json_err = |message: String| ResultsError::Json {
        path: path.to_path_buf(),
        flag,
        doc,
        message,
    };
    let raw: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| json_err(e.to_string()))?;
    let found_kind = match raw.get("kind") {
        Some(serde_json::Value::String(k)) => k.clone(),
        Some(other) => other.to_string(),
        None => "(no kind)".to_string(),
    };
    if found_kind != doc.kind {
        return Err(ResultsError::Kind {
            path: path.to_path_buf(),
            flag,
            doc,
            found: found_kind,
        });
    }
    match raw.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if v > u64::from(doc.schema_version) => {
            return Err(ResultsError::Newer {
                path: path.to_path_buf(),
                doc,
                found: v,
            });
        }
        Some(v) if v >= 1 => {}
        other => {
            return Err(ResultsError::Schema {
                path: path.to_path_buf(),
                doc,
                found: other.map_or_else(
                    || {
                        raw.get("schema_version")
                            .map_or("none".to_string(), ToString::to_string)
                    },
                    |v| v.to_string(),
                ),
            });
        }
    }
    let value = serde_json::from_value(raw)
        .map_err(|e| json_err(format!("it does not have the expected fields ({e})")))?;
    Ok(Loaded {
        value,
        digest: fingerprint_hex(&bytes),
    })
}

/// Reads a `tokens --format json` snapshot (`audit --from`, `tokens --from`).
pub fn load_token_snapshot(
    path: &Path,
    flag: &'static str,
) -> Result<Loaded<TokenSnapshot>, ResultsError> {
    read_document(path, flag, TOKENS_DOCUMENT)
}

/// Reads `audit --format json` output (`report --audit/--previous`, `audit --baseline`).
pub fn load_audit_results(
    path: &Path,
    flag: &'static str,
) -> Result<Loaded<AuditResults>, ResultsError> {
    read_document(path, flag, AUDIT_DOCUMENT)
}

/// Reads `leaks --format json` output (`report --leaks`, `revoke --from`).
pub fn load_leak_results(
    path: &Path,
    flag: &'static str,
) -> Result<Loaded<LeakResults>, ResultsError> {
    read_document(path, flag, LEAKS_DOCUMENT)
}

/// Reads an `offboard --format json` record (`report --offboard-records`).
pub fn load_offboard_record(
    path: &Path,
    flag: &'static str,
) -> Result<Loaded<OffboardRecord>, ResultsError> {
    read_document(path, flag, OFFBOARD_DOCUMENT)
}

/// A record kept in a records directory, with the file it was read from.
pub struct KeptRecord {
    pub path: PathBuf,
    pub record: OffboardRecord,
    /// SHA-256 of the file's bytes.
    pub digest: String,
}

/// Reads every `offboard-*.json` in `dir` (sorted by file name); other files are ignored,
/// and one that is not a valid record is an error naming it.
pub fn load_offboard_records(
    dir: &Path,
    flag: &'static str,
) -> Result<Vec<KeptRecord>, ResultsError> {
    let dir_err = |source| ResultsError::Dir {
        path: dir.to_path_buf(),
        flag,
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(dir_err)? {
        let path = entry.map_err(dir_err)?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("offboard-") && name.ends_with(".json") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let loaded = load_offboard_record(&path, flag)?;
            Ok(KeptRecord {
                path,
                record: loaded.value,
                digest: loaded.digest,
            })
        })
        .collect()
}
