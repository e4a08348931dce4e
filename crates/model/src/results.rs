//! Result documents written by `audit` and `leaks` (JSON) and read by `report`,
//! `revoke --from` and `--baseline`. Versioned: bump the schema version on any
//! incompatible change and keep readers tolerant of added fields.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ContextCertificates;
use crate::ContextStatus;
use crate::EnvironmentRef;
use crate::ReasonCode;
use crate::Severity;
use crate::Shard;
use crate::TokenRecord;

pub const AUDIT_KIND: &str = "ksef-audit/audit";
pub const AUDIT_SCHEMA_VERSION: u32 = 1;
pub const LEAKS_KIND: &str = "ksef-audit/leaks";
pub const LEAKS_SCHEMA_VERSION: u32 = 1;

/// SHA-256 digests that let a report be reproduced: of the loaded rules and of each input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    pub rules: String,
    /// Input name (`inventory`, `staff`, `exceptions`, `snapshot`, …) -> lowercase hex SHA-256.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
}

/// Whether a finding was already in the baseline given with `--baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    New,
    Unchanged,
    Fixed,
}

/// The exception entry that waived a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedException {
    pub reason: String,
    pub owner: String,
    pub expires: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExceptionStatus {
    /// In force and matched at least one finding.
    Active,
    /// Past its `expires` date: it no longer waives anything.
    Expired,
    /// In force but matched nothing in this run.
    Unused,
}

/// One entry of the exceptions file, as it stood in this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionState {
    pub rule: String,
    pub target: String,
    pub reason: String,
    pub owner: String,
    pub expires: NaiveDate,
    pub status: ExceptionStatus,
    /// Findings it waived (or would have, when expired).
    pub matched: u32,
}

/// A token of an audited context joined with what the firm's records say about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditedToken {
    pub token: TokenRecord,
    pub in_inventory: bool,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub owner_left: bool,
    /// Staff name of the token's author, when the staff list knows the identifier.
    #[serde(default)]
    pub author_name: Option<String>,
    #[serde(default)]
    pub author_left: bool,
    #[serde(default)]
    pub planned_expiry: Option<NaiveDate>,
    #[serde(default)]
    pub system: Option<String>,
    /// Extra inventory columns, shown in reports.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inventory_extra: BTreeMap<String, String>,
    /// When the author is a person: [`pesel_key`] of the PESEL, the join key readers
    /// (`report --staff`) match a staff list on. The document keeps `authorIdentifier`
    /// masked (`85*******45`); only the snapshot keeps the PESEL in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_key: Option<String>,
}

/// The join key of a PESEL in documents that must not hold it: `sha256:` and the lowercase
/// hex SHA-256 of `ksef-audit pesel\n` + the PESEL. A key to join on, not anonymisation:
/// the PESEL space is small enough to search.
pub fn pesel_key(pesel: &str) -> String {
    format!(
        "sha256:{}",
        crate::fingerprint_hex(format!("ksef-audit pesel\n{}", pesel.trim()).as_bytes())
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditContext {
    pub nip: String,
    #[serde(default)]
    pub name: Option<String>,
    pub environment: String,
    pub status: ContextStatus,
    #[serde(default)]
    pub reason: Option<String>,
    /// What kind of reason it is (see [`ReasonCode`]); absent in documents written before
    /// codes existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<ReasonCode>,
    pub fetched_at: DateTime<Utc>,
    #[serde(default)]
    pub duration_ms: u64,
    pub tokens: Vec<AuditedToken>,
    /// The context's permission grants as reports show them (holders masked). Absent in
    /// audit documents written before grants were read, and when the context has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<AuditedGrant>,
    /// KSeF certificates of the context (when it signed in with a certificate), for the
    /// reports' expiry calendar and the calendar export; left out when there is nothing.
    #[serde(default, skip_serializing_if = "ContextCertificates::is_empty")]
    pub certificates: ContextCertificates,
    /// Certificate serial number -> owner, from the inventory rows naming certificates.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub certificate_owners: BTreeMap<String, String>,
}

/// Who holds a grant, as far as the firm's own records tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HolderStatus {
    /// On the staff list with status `left`.
    Left,
    /// On neither the staff list nor the config's known parties.
    Unknown,
    /// On the staff list, still working here.
    Staff,
    /// One of the config's `[[known-parties]]`.
    KnownParty,
    /// The context itself (entity grants and authorizations it received).
    Own,
}

impl HolderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HolderStatus::Left => "left",
            HolderStatus::Unknown => "unknown",
            HolderStatus::Staff => "staff",
            HolderStatus::KnownParty => "known-party",
            HolderStatus::Own => "own",
        }
    }
}

/// A permission grant of an audited context as the audit document keeps it: enough for
/// "who can act in this context", never the holder's identifier in full (a PESEL is
/// personal data; `grant_id` joins with the snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditedGrant {
    pub grant_id: String,
    /// `Person`, `Entity`, `AuthorizationGranted`, `AuthorizationReceived`.
    pub kind: String,
    /// `Pesel`, `Nip`, `Fingerprint`, …
    pub holder_type: String,
    /// The holder's identifier, masked (`85*******45`).
    pub holder: String,
    /// From the staff list, the known parties or KSeF.
    #[serde(default)]
    pub holder_name: Option<String>,
    pub holder_status: HolderStatus,
    /// The permission (one scope per KSeF grant).
    pub scope: String,
    pub start_date: DateTime<Utc>,
    #[serde(default)]
    pub can_delegate: bool,
    /// `AllPartners`, or the masked client of an indirect grant.
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditFinding {
    /// Stable fingerprint of rule + NIP + reference (or inventory row key): same across runs.
    pub id: String,
    /// Rule name, e.g. `untracked-token`.
    pub rule: String,
    /// Rule id, e.g. `POL001`.
    pub rule_id: String,
    pub severity: Severity,
    pub nip: String,
    #[serde(default)]
    pub client_name: Option<String>,
    #[serde(default)]
    pub reference_number: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    pub message: String,
    pub evidence: String,
    pub remediation: String,
    /// Link to the rule's documentation.
    pub help_uri: String,
    pub excepted: bool,
    #[serde(default)]
    pub exception: Option<AppliedException>,
    #[serde(default)]
    pub baseline: Option<BaselineState>,
    /// What the finding is about, with its key. Absent in audit documents written before
    /// this field was added (they still read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<FindingSubject>,
    /// For a finding about a permission grant: the grant's id (also in `subject`), the
    /// key `revoke --grants` and joins use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// For a finding about a KSeF certificate: its serial number (also in `subject`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    /// The finding's words in Polish (`--lang pl`): the rule's `message-pl` and
    /// `remediation-pl` and the evidence in Polish. Absent when the rule has no Polish
    /// message, and in documents written before this field was added (they still read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pl: Option<FindingText>,
}

/// A finding's words in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingText {
    pub message: String,
    pub evidence: String,
    pub remediation: String,
}

impl AuditFinding {
    /// `(message, evidence, remediation)` in Polish when `polish` and the finding has them,
    /// else in English.
    pub fn words(&self, polish: bool) -> (&str, &str, &str) {
        match (&self.pl, polish) {
            (Some(pl), true) => (&pl.message, &pl.evidence, &pl.remediation),
            _ => (&self.message, &self.evidence, &self.remediation),
        }
    }
}

/// The thing a finding is about. Each kind of subject has one collector, its rules
/// (`subject = …` in the rule TOML) and one report section; the next ones are permission
/// grants (`grant_id`) and KSeF certificates (`certificate_serial`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FindingSubject {
    /// A KSeF token of an audited context (rules with `subject = "credential"`).
    Token { reference_number: String },
    /// A row of the firm's token inventory.
    InventoryEntry {
        row: usize,
        reference_number: String,
    },
    /// An audited context: the tool's own access to it.
    Context { nip: String },
    /// A permission grant of an audited context (rules with `subject = "grant"`).
    /// `holder` is masked (a PESEL is personal data); `grant_id` is what
    /// `DELETE /permissions/common/grants/{id}` takes.
    Grant {
        grant_id: String,
        /// The context the grant is in.
        nip: String,
        /// `Person`, `Entity`, `AuthorizationGranted`, `AuthorizationReceived`.
        grant_kind: String,
        /// The holder's identifier type: `Pesel`, `Nip`, `Fingerprint`, …
        holder_type: String,
        /// The holder's identifier, masked (`85*******45`).
        holder: String,
        /// The holder's name, when KSeF or the staff list gives it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder_name: Option<String>,
        /// The permissions the grant gives (one scope per KSeF grant).
        permissions: Vec<String>,
    },
    /// A KSeF certificate of an audited context, or an inventory row naming one
    /// (rules with `subject = "certificate"`). `subject` is masked.
    Certificate {
        certificate_serial: String,
        /// The context it was listed in.
        nip: String,
        /// The certificate's subject identifier, masked (`PESEL 85*******45`); empty for
        /// an inventory row KSeF does not list.
        #[serde(default)]
        subject: String,
        /// `validTo`, when KSeF lists the certificate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid_to: Option<DateTime<Utc>>,
        /// The inventory row naming the certificate, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        row: Option<usize>,
    },
}

impl FindingSubject {
    /// The grant id, for a finding about a grant.
    pub fn grant_id(&self) -> Option<&str> {
        match self {
            FindingSubject::Grant { grant_id, .. } => Some(grant_id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSummary {
    pub contexts_total: u32,
    pub contexts_complete: u32,
    pub contexts_incomplete: u32,
    pub tokens_total: u32,
    pub tokens_active: u32,
    /// Non-excepted findings by severity.
    pub findings_by_severity: BTreeMap<Severity, u32>,
    pub excepted: u32,
}

/// What `ksef-audit audit --format json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditResults {
    pub schema_version: u32,
    pub kind: String,
    pub tool_version: String,
    pub generated_at: DateTime<Utc>,
    /// Firm name from the config, for report covers.
    #[serde(default)]
    pub firm: Option<String>,
    pub environment: EnvironmentRef,
    pub digests: Digests,
    pub contexts: Vec<AuditContext>,
    /// Sorted by severity (highest first), rule id, NIP, reference.
    pub findings: Vec<AuditFinding>,
    /// With `--baseline`: findings of the baseline that no longer occur.
    #[serde(default)]
    pub fixed: Vec<AuditFinding>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionState>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub summary: AuditSummary,
    /// The findings as a person acts on them (see [`AuditItem`]): one rule in one context,
    /// one person who left, or one firm-wide fact. Absent in documents written before items
    /// existed (they still read); `findings` stays the per-credential list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<AuditItem>,
}

/// What an item gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// One rule in one client context.
    Rule,
    /// One rule across every context, for a fact that is the same for the whole firm
    /// (the inventory lists no certificate at all).
    Firm,
    /// A starter inventory: the rows without an owner or a planned expiry, in one item.
    Inventory,
    /// One person who left the firm and still has access: every leaver finding about them.
    Person,
}

/// One thing to act on: the non-excepted findings it gathers, the credentials they name, and
/// the words a person reads. Computed from the findings by `ksef_policy::items`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditItem {
    pub kind: ItemKind,
    /// The most severe finding's severity.
    pub severity: Severity,
    /// Rule names of the findings, most severe first (`admin-permission`).
    pub rules: Vec<String>,
    /// Their ids (`POL007`), in the same order.
    pub rule_ids: Vec<String>,
    /// The client context (`rule` items); absent for items across contexts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// The contexts the findings are in (NIPs), sorted.
    pub nips: Vec<String>,
    /// `person` items: the staff list's id or e-mail, never a PESEL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// What it is about, in English and in Polish: the rule's title (`rule`, `firm` items),
    /// the person and what they keep (`person`), the rows to fill in (`inventory`).
    pub title: String,
    pub title_pl: String,
    /// The finding's own message, when the item gathers exactly one finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail_pl: Option<String>,
    /// What to do, in English and in Polish.
    pub action: String,
    pub action_pl: String,
    /// The command that acts on it, when there is one (`ksef-audit offboard …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The credentials the findings name: token reference numbers, grant ids, certificate
    /// serial numbers, `row N` of the inventory. Sorted, without repeats.
    pub credentials: Vec<String>,
    /// Ids of the findings it gathers (in `findings`).
    pub finding_ids: Vec<String>,
}

/// How sure the scanner is that a match is a real token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// What KSeF says of a leaked token (`--verify`), or `unverified` when not asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeakStatus {
    Active,
    Revoked,
    Unknown,
    Unverified,
    /// KSeF answered 404 for the reference in the finding's context: it does not know it
    /// (never issued there, or a forged or mistyped reference). The finding stays.
    #[serde(rename = "not-found")]
    NotFound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    Baseline,
    Exception,
    Inline,
    /// A token file the config names (`token-file`), in the working tree and not tracked by
    /// git: the tool's own credential, a note to keep it out of the repository.
    #[serde(rename = "configured-token-file")]
    ConfiguredTokenFile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub exception: Option<AppliedException>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakFinding {
    /// Rule name, e.g. `ksef-token-v2`.
    pub rule: String,
    /// Rule id, e.g. `LEAK001`.
    pub rule_id: String,
    pub severity: Severity,
    /// Relative to the root given on the command line; `archive.zip!inner/path` inside archives.
    pub path: String,
    #[serde(default)]
    pub line: Option<u64>,
    #[serde(default)]
    pub column: Option<u64>,
    /// Git history: the commit that introduced the blob (or the commit whose message holds it).
    #[serde(default)]
    pub commit: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub date: Option<DateTime<Utc>>,
    /// Lowercase hex SHA-256 of the decoded token string.
    pub fingerprint: String,
    /// Reference and NIP shown, secret masked.
    pub redacted: String,
    #[serde(default)]
    pub reference_number: Option<String>,
    #[serde(default)]
    pub nip: Option<String>,
    pub confidence: Confidence,
    pub status: LeakStatus,
    /// From the inventory, when the reference is listed there.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default)]
    pub suppression: Option<Suppression>,
    /// The repository (root as given) when one run scanned several (`--git repo1 repo2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Git history: the same secret at the same path in several commits is one finding;
    /// this lists them (`commit` is the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<CommitSpan>,
}

/// The commits that added the same secret at the same path (each a new version of the file
/// that still holds it): how many, the first and the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSpan {
    /// How many commits added a version holding the secret (at least 2).
    pub commits: u64,
    pub first_commit: String,
    pub first_date: DateTime<Utc>,
    pub last_commit: String,
    pub last_date: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakTarget {
    /// The root as given on the command line (`-` for standard input).
    pub root: String,
    /// `files`, `git` or `stdin`.
    pub mode: String,
    #[serde(default)]
    pub since: Option<String>,
    #[serde(default)]
    pub staged: bool,
    /// A shallow clone: history before the graft is not scanned.
    #[serde(default)]
    pub shallow: bool,
    /// Git: what beyond the refs' history was covered (tags, stash entries, reflogs, dangling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// `--shard K/N`: this run scanned only that part of the work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// `--since` as given when it is a date or a span (`2026-01-01`, `90d`); a revision
    /// given to `--since` or `--since-commit` is in `since`. Absent in documents written
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_date: Option<String>,
    /// Git: the commit HEAD pointed at when the scan started (one per root, in the order
    /// of `root`, separated by spaces; `-` for a repository without one). With `root`,
    /// `mode`, `since`, `since_date`, `staged`, the rules digest and the tool version it
    /// is the scan's identity: `merge` refuses shards of one shard set whose identity
    /// differs. Absent for files and in documents written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakStats {
    pub files: u64,
    pub blobs: u64,
    pub bytes: u64,
    pub skipped: u64,
    pub errors: u64,
    /// Values that matched a rule but were dropped as placeholders (documentation examples,
    /// patterned or repeated secrets): counted so that a silent pass can be checked.
    #[serde(default)]
    pub placeholders: u64,
}

/// Where a placeholder was dropped (listed with `-v`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceholderDrop {
    pub path: String,
    pub line: u64,
    pub rule_id: String,
    pub reason: String,
}

/// Something that could not be scanned: in `errors` the run then exits 2; in `skipped` (an
/// archive refused by a limit, corrupt or encrypted) only with `--fail-on-skipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanIssue {
    pub path: String,
    pub message: String,
}

/// What reading one blob gave besides its buffers: archive members, bytes and the parts that
/// could not be read (written by the sources' archive expansion, summed by the leak scan).
#[derive(Debug, Default)]
pub struct Expansion {
    /// Archive members handed on (0 for a plain file).
    pub members: u64,
    /// Bytes handed on.
    pub bytes: u64,
    /// Parts that could not be read (the run exits 2).
    pub issues: Vec<ScanIssue>,
    /// Archive members refused: beyond the size limits, nested too deep, corrupt or
    /// encrypted. Listed and counted as skipped; the run goes on.
    pub skipped: Vec<ScanIssue>,
}

/// How a file over `--max-file-size` is scanned: in windows of `size` bytes, each starting
/// `size - overlap` bytes after the one before. A match belongs to the window in whose middle
/// part it starts (at least `overlap / 2` bytes from either edge), so a token near an edge is
/// found once, whole, with the lines around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowPlan {
    pub size: usize,
    pub overlap: usize,
}

impl WindowPlan {
    /// Bytes two windows share: half of it (128 KiB) is the longest match plus its context
    /// (a PEM key and its certificate, 20 lines around a value) a window is sure to hold.
    pub(crate) const OVERLAP: usize = 256 * 1024;

    /// Windows of `max_file_size` bytes (at least four overlaps), so memory stays within the
    /// limit the user set.
    pub fn for_limit(max_file_size: u64) -> WindowPlan {
        let size = usize::try_from(max_file_size)
            .unwrap_or(usize::MAX)
            .max(4 * Self::OVERLAP);
        WindowPlan {
            size: size & !1,
            overlap: Self::OVERLAP,
        }
    }

    /// Bytes from one window's start to the next one's.
    pub fn step(&self) -> usize {
        self.size - self.overlap
    }
}

/// What `--verify` learned from KSeF about leaked tokens: a status per (NIP, reference
/// number), warnings, and errors for what could not be checked (KSeF unreachable, the
/// credential missing or refused: `--verify` fails closed, the run exits 2).
/// `collect::ksef::verify_leaks` writes it; `evaluate::leaks::apply_leak_verdicts` applies it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeakVerdicts {
    pub statuses: std::collections::BTreeMap<(String, String), LeakStatus>,
    pub warnings: Vec<String>,
    /// Verifications that could not be done (path: `--verify NIP`).
    pub errors: Vec<ScanIssue>,
}

/// What `ksef-audit leaks --format json` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakResults {
    pub schema_version: u32,
    pub kind: String,
    pub tool_version: String,
    pub generated_at: DateTime<Utc>,
    pub target: LeakTarget,
    pub digests: Digests,
    pub stats: LeakStats,
    #[serde(default)]
    pub errors: Vec<ScanIssue>,
    /// Archives (or members) refused with their reason: beyond the size limits, nested too
    /// deep, corrupt or encrypted. Counted in `stats.skipped`; exit 2 only with
    /// `--fail-on-skipped`. Absent in documents written before it was listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<ScanIssue>,
    /// Active (not suppressed) findings.
    pub findings: Vec<LeakFinding>,
    /// Suppressed by baseline, exception or inline marker: listed, never dropped.
    #[serde(default)]
    pub suppressed: Vec<LeakFinding>,
    /// Baseline fingerprints that matched nothing.
    #[serde(default)]
    pub unused_baseline: Vec<String>,
    #[serde(default)]
    pub exceptions: Vec<ExceptionState>,
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Where placeholders were dropped (filled with `-v`; the count is in `stats`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<PlaceholderDrop>,
}
