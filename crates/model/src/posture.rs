//! The numbers a report shows about an audit — posture score, KPIs, per-client scores,
//! due dates — computed by `evaluate::posture` and laid out by `render`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::ChangeSet;
use crate::ExceptionState;
use crate::Severity;

/// Days to remediate, by severity (`[report.due-days]`); `Default` holds the defaults
/// (the only place they are written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDays {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Default for DueDays {
    fn default() -> Self {
        DueDays {
            critical: 7,
            high: 30,
            medium: 90,
            low: 180,
        }
    }
}

impl DueDays {
    pub fn for_severity(&self, s: Severity) -> u32 {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low | Severity::Info => self.low,
        }
    }
}

/// Days before its end date from which an exception counts as "expiring".
pub const EXPIRING_DAYS: i64 = 30;

/// The KPI values of one audit (percentages are `None` without active tokens; leak
/// figures are `None` without a leak scan).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiValues {
    pub active: u32,
    pub in_inventory: Option<f64>,
    pub with_owner: Option<f64>,
    pub with_expiry: Option<f64>,
    pub leavers: u32,
    pub unused90: u32,
    pub leaked: Option<u32>,
    pub leaked_active: Option<u32>,
    pub open_crit_high: u32,
    pub exc_active: u32,
    pub exc_expiring: u32,
    pub exc_expired: u32,
    /// Permission grants; `None` when the audit holds none (grants not read).
    pub grants: Option<GrantKpis>,
}

/// Permission-grant figures of one audit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrantKpis {
    /// Grants held by someone other than the context itself.
    pub held: u32,
    /// Of those, held by people who left the firm.
    pub leavers: u32,
    /// Distinct leavers (by masked identifier and name) holding them.
    pub leaver_people: u32,
    /// Held by someone on neither the staff list nor the known parties.
    pub unknown: u32,
    /// Open (not excepted) findings about grants.
    pub open_findings: u32,
}

/// One client (NIP) of an audit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientPosture {
    pub active_tokens: u32,
    /// Open (not excepted) findings by severity.
    pub open: BTreeMap<Severity, u32>,
    /// Posture score; `None` when the context was not audited completely.
    pub score: Option<u32>,
}

/// The assessed posture of one audit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditPosture {
    pub generated_at: DateTime<Utc>,
    /// Firm-wide score (capped while a leaked token is active, when leaks were given).
    pub score: u32,
    /// Open (not excepted) findings by severity.
    pub open: BTreeMap<Severity, u32>,
    pub contexts: u32,
    pub contexts_complete: u32,
    pub kpis: KpiValues,
    /// By NIP.
    pub clients: BTreeMap<String, ClientPosture>,
}

/// Everything a report shows that is decided rather than laid out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFacts {
    /// The current audit's posture (with the leak scan, if given).
    pub current: Option<AuditPosture>,
    /// Earlier audits' postures (audit findings only), oldest first.
    pub history: Vec<AuditPosture>,
    /// New / resolved / persisting against the latest earlier audit.
    pub changes: Option<ChangeSet>,
    /// The date the report speaks for (Europe/Warsaw) and the remediation deadlines.
    pub as_of: Option<NaiveDate>,
    pub due_days: DueDays,
    /// Due date of an open finding, by severity.
    pub due: BTreeMap<Severity, NaiveDate>,
    /// Exceptions of the audit and the leak scan, each once.
    pub exceptions: Vec<ExceptionState>,
    /// Report section (a rule's `report-section`, e.g. `untracked`, `stale`) -> ids of
    /// the current audit's findings listed there.
    pub sections: BTreeMap<String, Vec<String>>,
    /// Open findings of tokens with no owner (sections `untracked` and `no-owner`).
    pub open_unowned: u32,
    /// Rule name -> its plain-language title, from the rules (reports name no rule).
    pub rule_titles: BTreeMap<String, RuleTitle>,
}

/// A rule's plain-language title for people, in English and (when the rule has one) Polish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleTitle {
    pub en: String,
    pub pl: Option<String>,
}

/// What reports take from the rules: rule name -> report section (`report-section`),
/// and rule name -> title (`title`, `title-pl`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRules {
    pub sections: BTreeMap<String, String>,
    pub titles: BTreeMap<String, RuleTitle>,
}
