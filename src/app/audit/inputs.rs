//! The audit's inputs besides the tokens: read and checked before KSeF is called.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::inputs::access_register::load_access_register;
use crate::inputs::exceptions::load_exceptions;
use crate::inputs::inventory::read_inventory;
use crate::inputs::results::load_audit_results;
use crate::inputs::results::load_token_snapshot;
use crate::inputs::staff::load_staff;
use ksef_model::AccessRegister;
use ksef_model::AuditResults;
use ksef_model::ExceptionEntry;
use ksef_model::Inventory;
use ksef_model::StaffMember;
use ksef_model::TokenSnapshot;
use ksef_model::fingerprint_hex;

/// Reads a `tokens --format json` snapshot (the one reader in `collect::results`).
pub fn read_snapshot(path: &Path) -> Result<(TokenSnapshot, String)> {
    let l = load_token_snapshot(path, "from")?;
    Ok((l.value, l.digest))
}

/// Reads earlier audit results for `--baseline` (the one reader in `collect::results`).
fn read_baseline(path: &Path) -> Result<AuditResults> {
    Ok(load_audit_results(path, "baseline")?.value)
}

/// The files an audit reads besides the tokens (already resolved: flag, else config).
#[derive(Debug, Clone, Default)]
pub struct AuditInputPaths {
    pub inventory: Option<PathBuf>,
    pub staff: Option<PathBuf>,
    pub exceptions: Option<PathBuf>,
    /// Earlier `audit --format json` results.
    pub baseline: Option<PathBuf>,
    /// The approved access register of permission grants.
    pub access_register: Option<PathBuf>,
}

/// The audit's inputs besides the tokens, read and checked.
pub(super) struct AuditInputs {
    pub inventory: Inventory,
    pub staff: Vec<StaffMember>,
    pub exceptions: Option<Vec<ExceptionEntry>>,
    pub baseline: Option<AuditResults>,
    pub access_register: Option<AccessRegister>,
    /// Input name -> SHA-256.
    pub digests: BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

/// Reads the inventory, staff list, exceptions and baseline; any problem fails here,
/// before tokens are fetched.
pub(super) fn read_inputs(paths: &AuditInputPaths) -> Result<AuditInputs> {
    let mut digests = BTreeMap::new();
    let mut warnings = Vec::new();
    let inventory = match &paths.inventory {
        Some(p) => {
            let inv = read_inventory(p)?;
            digests.insert("inventory".into(), inv.digest.clone());
            inv
        }
        None => {
            warnings.push(
                "no inventory given: every Active token is reported as untracked\nhelp: pass --inventory FILE or set [audit] inventory in the config".to_string(),
            );
            Inventory::default()
        }
    };
    let staff = match &paths.staff {
        Some(p) => {
            let staff = load_staff(p)?;
            let bytes = ksef_model::input::read_limited(p, ksef_model::input::MAX_TABLE_BYTES);
            if let Ok(b) = bytes {
                digests.insert("staff".into(), fingerprint_hex(&b));
            }
            staff
        }
        None => Vec::new(),
    };
    let exceptions = match &paths.exceptions {
        Some(p) => {
            let entries = load_exceptions(p)?;
            if let Ok(b) = ksef_model::input::read_limited(p, ksef_model::input::MAX_TOML_BYTES) {
                digests.insert("exceptions".into(), fingerprint_hex(&b));
            }
            Some(entries)
        }
        None => None,
    };
    let baseline = paths.baseline.as_deref().map(read_baseline).transpose()?;
    let access_register = match &paths.access_register {
        Some(p) => {
            let register = load_access_register(p)?;
            digests.insert("access-register".into(), register.digest.clone());
            Some(register)
        }
        None => None,
    };
    Ok(AuditInputs {
        inventory,
        staff,
        exceptions,
        baseline,
        access_register,
        digests,
        warnings,
    })
}
