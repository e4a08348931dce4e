//! The view types a template receives (serialised into the template context).

use crate::render::html::model::*;

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub lang: &'static str,
    pub kind: &'static str,
    pub t: BTreeMap<&'static str, &'static str>,
    pub title: String,
    pub cover: Cover,
    pub score: ScoreView,
    pub kpis: Vec<Kpi>,
    pub risks: Vec<Risk>,
    /// One sentence for the top of the executive page.
    pub headline: String,
    pub decisions: Vec<String>,
    pub trend: Trend,
    pub changes: Changes,
    pub clients: Vec<ClientRow>,
    pub age: Distribution,
    pub last_use: Distribution,
    pub recon: Recon,
    pub exceptions: Exceptions,
    pub plan: Vec<PlanGroup>,
    pub plan_intro: String,
    pub leaks: Leaks,
    pub appendix: Appendix,
    pub review: Review,
    pub has_audit: bool,
    /// What must not wait: leads the review's first page and the management page.
    pub urgent: Vec<Urgent>,
    /// Permission grants: who can act in which client context.
    pub grants: Grants,
    /// KSeF certificates: the expiry calendar and the token-sunset readiness.
    pub certificates: Certificates,
    /// People who left, with their newest offboarding record (quarterly report).
    pub leavers: Leavers,
}

/// The "People who left" section (`present` is false when no one left and no record is kept).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Leavers {
    pub present: bool,
    /// `--offboard-records` was given: each row says whether a record is kept.
    pub records_given: bool,
    pub rows: Vec<LeaverRow>,
    /// "… and N more", when `rows` was capped.
    pub more: String,
}

/// One person who left: by staff id or e-mail, never by PESEL.
#[derive(Debug, Clone, Serialize)]
pub struct LeaverRow {
    pub person: String,
    /// What they still hold in this audit (or "nothing in this audit").
    pub left: String,
    /// Their newest offboarding record, if one is kept.
    pub record: Option<RecordLink>,
}

/// A kept offboarding record as the report links it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordLink {
    /// Relative link to the record's HTML page (shown as text in print).
    pub href: String,
    pub date: String,
    /// `dry run` or `carried out (--yes)`.
    pub mode: String,
    /// "access certainly gone on DATE", when the record says so.
    pub gone: String,
}

/// KSeF certificates in a report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Certificates {
    /// Some context signed in with a certificate (its list was read).
    pub read_any: bool,
    /// Active certificates expiring within 90 days (or past `validTo`), soonest first.
    pub expiring: Vec<CertificateRow>,
    pub readiness: Readiness,
}

/// One certificate on the expiry calendar.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateRow {
    pub date: String,
    pub days_left: i64,
    pub nip: String,
    pub client: String,
    pub serial: String,
    pub name: String,
    /// The subject identifier, masked.
    pub subject: String,
    pub owner: String,
    pub expired: bool,
}

/// The token sunset: one line for the firm, one row per client.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Readiness {
    pub line: String,
    pub rows: Vec<ReadinessRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadinessRow {
    pub nip: String,
    pub client: String,
    /// Active tokens: integrations that depend on tokens.
    pub tokens: usize,
    /// Active, unexpired KSeF certificates (`–` unless the context signed in with one).
    pub certificates: String,
    /// `ready` (no active token), `partly` (signs in with a certificate, tokens remain),
    /// `tokens` (tokens only).
    pub state: &'static str,
    pub state_label: String,
}

/// The grants section (`present` is false when the audit holds no grant).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Grants {
    pub present: bool,
    pub summary: String,
    /// Grant findings against the last quarter (empty without `--previous`).
    pub trend: String,
    /// New and resolved findings about grants since the last quarter (empty without
    /// `--previous`, or when the last quarter did not read grants).
    pub changes: String,
    /// Every grant held by someone other than the context: leavers, then unknown
    /// holders, then the rest; by NIP and holder.
    pub rows: Vec<GrantRow>,
    /// Leavers and unknown holders (capped), for the quarterly report.
    pub attention: Vec<GrantRow>,
    /// "… and N more", when `attention` was capped.
    pub attention_more: String,
    /// How many grants whose holder is the context itself were left out (empty: none).
    pub own: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrantRow {
    /// 0 leaver, 1 unknown holder, 2 anyone else (sort key).
    pub rank: u8,
    pub grant_id: String,
    pub nip: String,
    pub client: String,
    pub anchor: String,
    pub holder_type: String,
    /// Masked.
    pub holder: String,
    pub name: String,
    /// `left`, `unknown`, `staff`, `known-party`.
    pub status: &'static str,
    pub status_label: String,
    pub scope: String,
    pub since: String,
    pub delegable: bool,
    pub target: String,
    /// Open findings about this grant, and the worst severity among them.
    pub findings: u32,
    pub severity: &'static str,
    pub sev_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Urgent {
    pub severity: &'static str,
    pub sev_label: String,
    pub text: String,
}

/// New and resolved findings of one rule since the last quarter.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeByRule {
    pub rule: String,
    pub rule_title: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub new: u32,
    pub resolved: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cover {
    pub firm: String,
    pub quarter: String,
    pub generated_local: String,
    pub as_of_local: String,
    pub tool_version: String,
    pub environment: String,
    pub coverage: String,
    pub rules_digest: String,
    pub digests: Vec<Digest>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    pub value: String,
    /// `good`, `fair`, `poor` or `na`.
    pub band: &'static str,
    pub band_label: String,
    pub change: String,
    /// `better`, `worse`, `same` or `na`.
    pub dir: &'static str,
    pub previous: String,
    pub formula: Vec<String>,
    pub formula_short: String,
    pub gauge_width: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub label: String,
    pub value: String,
    pub previous: String,
    pub change: String,
    pub dir: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub severity: &'static str,
    pub sev_label: String,
    pub title: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub quarter: String,
    pub audited: String,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub score: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub has_history: bool,
    pub bars: BarChart,
    pub line: LineChart,
    pub rows: Vec<TrendRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow {
    pub id: String,
    pub rule: String,
    pub rule_id: String,
    pub rule_title: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub nip: String,
    pub client: String,
    pub reference: String,
    pub owner: String,
    pub message: String,
    pub evidence: String,
    pub remediation: String,
    pub help: String,
    pub excepted: bool,
    pub exc_owner: String,
    pub exc_reason: String,
    pub exc_expires: String,
    pub due: String,
    /// The finding's `--baseline` mark in the audit results (`new`, `unchanged`, …).
    pub baseline: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub compared_with: String,
    pub new: Vec<FindingRow>,
    pub resolved: Vec<FindingRow>,
    /// New and resolved counted by rule, worst first (the management view; the full
    /// lists are in the appendix).
    pub by_rule: Vec<ChangeByRule>,
    pub persisting: u32,
    /// Findings of NIPs audited for the first time (not "new").
    pub first_audit: u32,
    /// Previous findings of NIPs not audited completely this time (not "resolved").
    pub not_rechecked: u32,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientRow {
    pub nip: String,
    pub name: String,
    pub tokens: u32,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub score: String,
    pub band: &'static str,
    pub change: String,
    pub dir: &'static str,
    pub incomplete: bool,
    pub worst: bool,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recon {
    pub untracked: Vec<FindingRow>,
    pub stale: Vec<FindingRow>,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRow {
    pub rule: String,
    pub target: String,
    pub reason: String,
    pub owner: String,
    pub expires: String,
    pub status: &'static str,
    pub status_label: String,
    pub matched: u32,
    pub days_left: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Exceptions {
    pub all: Vec<ExceptionRow>,
    pub expiring: Vec<ExceptionRow>,
    pub expired: Vec<ExceptionRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub rule: String,
    pub rule_title: String,
    pub owner: String,
    pub count: u32,
    pub due: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanGroup {
    pub severity: &'static str,
    pub sev_label: String,
    pub days: u32,
    pub due: String,
    pub items: Vec<PlanItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LeakRow {
    pub rule: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub redacted: String,
    pub nip: String,
    pub reference: String,
    pub owner: String,
    pub locations: Vec<String>,
    pub status: &'static str,
    pub status_label: String,
    pub active: bool,
    pub fingerprint: String,
    pub suppression: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Leaks {
    pub present: bool,
    pub scanned: String,
    pub rows: Vec<LeakRow>,
    pub suppressed: Vec<LeakRow>,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContextRow {
    pub nip: String,
    pub name: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    pub fetched_local: String,
    pub duration: String,
    pub tokens: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Appendix {
    pub methodology: Vec<String>,
    pub contexts: Vec<ContextRow>,
    pub incomplete: Vec<ContextRow>,
    /// Each warning's lines, in the report's language.
    pub warnings: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenRow {
    pub reference: String,
    pub description: String,
    pub status: String,
    pub permissions: String,
    pub author: String,
    pub owner: String,
    pub system: String,
    pub created: String,
    pub last_use: String,
    pub planned_expiry: String,
    pub in_inventory: bool,
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewContext {
    pub nip: String,
    pub name: String,
    pub anchor: String,
    pub status: &'static str,
    pub status_label: String,
    pub reason: String,
    /// The open findings as items, most severe first.
    pub items: Vec<ItemBlock>,
    pub tokens: Vec<TokenRow>,
    /// Revoked or Failed tokens without findings, counted and not listed (a sentence);
    /// empty when there are none.
    pub tokens_not_listed: String,
    pub extra_columns: Vec<String>,
}

/// A rule an item names, with its documentation link.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLink {
    pub rule: String,
    pub rule_id: String,
    pub help: String,
}

/// One item of a client in the review: what is wrong (with the count), the remediation once,
/// the earliest due date and a row per affected credential.
#[derive(Debug, Clone, Serialize)]
pub struct ItemBlock {
    pub severity: &'static str,
    pub sev_label: String,
    pub rules: Vec<RuleLink>,
    pub title: String,
    /// The finding's own sentence (one finding) or the count (several).
    pub detail: String,
    /// The facts every finding of the item shares, said once.
    pub common: String,
    pub remediation: String,
    pub due: String,
    /// Whether the rows name their rule (an item of several rules).
    pub show_rule: bool,
    /// Whether the rows have facts of their own.
    pub show_facts: bool,
    pub rows: Vec<ItemRow>,
}

/// One credential of an item: its reference, owner and the facts only it has.
#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub severity: &'static str,
    pub sev_label: String,
    pub rule: String,
    pub reference: String,
    pub owner: String,
    pub facts: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub rule: String,
    pub rule_id: String,
    pub rule_title: String,
    pub severity: &'static str,
    pub sev_label: String,
    pub count: u32,
    pub contexts: u32,
    pub help: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    /// Every audit finding (open and excepted), in the audit's order.
    pub findings: Vec<FindingRow>,
    pub contexts: Vec<ReviewContext>,
    pub by_rule: Vec<RuleRow>,
    pub excepted: Vec<FindingRow>,
    pub open_count: u32,
    /// The words after `open_count` and after the number excepted, in the noun form the
    /// count takes (Polish: 1 / 2–4 / 5+).
    pub open_label: String,
    pub excepted_label: String,
}
