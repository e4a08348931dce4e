//! What changed between an audit and the previous one, as the quarterly report shows it
//! (computed by `evaluate::compare`, laid out by `render`).

use chrono::{DateTime, Utc};

use crate::AuditFinding;

/// Open (not excepted) findings that are new, resolved or persisting against the
/// latest earlier audit, plus the counts that were left out of that comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeSet {
    /// When the earlier audit was generated.
    pub compared_with: DateTime<Utc>,
    /// Open findings of NIPs the earlier audit covered completely, not there before.
    pub new: Vec<AuditFinding>,
    /// Earlier open findings gone now from NIPs this audit covered completely.
    pub resolved: Vec<AuditFinding>,
    pub persisting: u32,
    /// Open findings of NIPs the earlier audit did not cover completely (not "new").
    pub first_audit: u32,
    /// Earlier open findings of NIPs not audited completely now (not "resolved").
    pub not_rechecked: u32,
}
