//! The built-in example firm: an accounting office with a handful of client NIPs.
//!
//! Used by `ksef-audit simulate` (default fixture) and `ksef-audit demo`.
//! Everything is synthetic and deterministic for a given `now`.

/// The environment label of the demo's simulator in results and reports.
pub const DEMO_ENVIRONMENT_LABEL: &str = "simulator";

mod certificates;
mod firm;
mod grants;
mod records;
mod repo;

pub use certificates::{
    DEMO_CERTIFICATE_NIP, add_demo_certificates, demo_signing_subject, signing_record,
};
pub use firm::{
    ACCOUNTING_FIRM_NIP, AUDITOR_DESCRIPTION_PREFIX, DEMO_FIRM_NAME, DemoPerson,
    demo_auditor_tokens, demo_firm, demo_people, demo_staff,
};
pub use grants::{
    DEMO_STRANGER_PESEL, add_demo_grants, demo_fingerprint_only, demo_grants, demo_known_parties,
};
pub use records::{DemoRecords, demo_records};
pub use repo::{DEMO_REPO_DIR, DemoRepoError, PlantedToken, write_demo_repo, write_demo_repo_at};
