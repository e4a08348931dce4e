//! The policy audit: tokens × inventory × staff list × rules -> findings.
//!
//! Pure: no I/O, no clock. "Now" is given by the caller (`--now` or the snapshot's
//! fetch time), so the same inputs always give the same findings.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use regex::Regex;

use crate::collect::inventory::{Inventory, SecretCell, find_tokens};
use crate::collect::staff::pesel_ok;
use crate::model::{
    AuditContext, AuditFinding, AuditedToken, ContextSnapshot, ContextStatus, Identifier,
    InventoryEntry, Permission, StaffMember, StaffStatus, TokenRecord, TokenSnapshot, TokenStatus,
    fingerprint_hex, mask_pesel,
};
use crate::rule::help_uri;
use crate::rule::policy::{
    Builtin, Condition, Example, ExampleEntry, ExampleToken, Field, PolicyRule, RawCondition,
    Subject, Test, render_template,
};

/// Everything the audit looks at, and the moment it judges ages against.
pub struct AuditWorld<'a> {
    pub snapshot: &'a TokenSnapshot,
    pub inventory: &'a Inventory,
    pub staff: &'a [StaffMember],
    pub now: DateTime<Utc>,
}

/// What the rules found, before exceptions and baseline are applied.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub contexts: Vec<AuditContext>,
    /// Sorted by severity (highest first), rule id, NIP, reference, id.
    pub findings: Vec<AuditFinding>,
    pub warnings: Vec<String>,
}

/// Stable finding id: lowercase hex SHA-256 of `rule \n nip \n reference`.
pub fn finding_id(rule: &str, nip: &str, reference: &str) -> String {
    fingerprint_hex(format!("{rule}\n{nip}\n{reference}").as_bytes())
}

/// Sorts findings: severity (highest first), rule id, NIP, reference, id.
pub fn sort_findings(findings: &mut [AuditFinding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.nip.cmp(&b.nip))
            .then_with(|| a.reference_number.cmp(&b.reference_number))
            .then_with(|| a.id.cmp(&b.id))
    });
}

#[derive(Clone, Copy)]
enum Known<T> {
    Yes(T),
    No,
    Unknown,
}

struct StaffIndex<'a> {
    by_id: BTreeMap<String, &'a StaffMember>,
    by_pesel: BTreeMap<&'a str, &'a StaffMember>,
    by_nip: BTreeMap<&'a str, &'a StaffMember>,
}

impl<'a> StaffIndex<'a> {
    fn new(staff: &'a [StaffMember]) -> Self {
        let mut idx = StaffIndex {
            by_id: BTreeMap::new(),
            by_pesel: BTreeMap::new(),
            by_nip: BTreeMap::new(),
        };
        for m in staff {
            idx.by_id.insert(m.id.trim().to_lowercase(), m);
            if let Some(p) = &m.pesel {
                idx.by_pesel.insert(p.as_str(), m);
            }
            if let Some(n) = &m.nip {
                idx.by_nip.insert(n.as_str(), m);
            }
        }
        idx
    }

    fn owner(&self, owner: &str) -> Option<&'a StaffMember> {
        self.by_id.get(&owner.trim().to_lowercase()).copied()
    }

    fn author(&self, author: &Identifier) -> Option<&'a StaffMember> {
        let v = author.value.trim();
        match author.kind.as_str() {
            "Pesel" => self.by_pesel.get(v).copied(),
            "Nip" => self.by_nip.get(v).copied(),
            _ => self.by_pesel.get(v).or_else(|| self.by_nip.get(v)).copied(),
        }
    }
}

struct Ctx<'a> {
    snap: &'a ContextSnapshot,
    /// False for an inventory NIP this run did not audit.
    audited: bool,
    tokens: BTreeMap<&'a str, &'a TokenRecord>,
    entries: BTreeMap<&'a str, &'a InventoryEntry>,
    /// Active tokens by system key.
    active_by_system: BTreeMap<String, Vec<&'a str>>,
}

impl<'a> Ctx<'a> {
    fn new(snap: &'a ContextSnapshot, audited: bool, inventory: &'a Inventory) -> Self {
        let entries: BTreeMap<&str, &InventoryEntry> = inventory
            .entries
            .iter()
            .filter(|e| e.nip == snap.nip)
            .map(|e| (e.reference_number.as_str(), e))
            .collect();
        let tokens: BTreeMap<&str, &TokenRecord> = snap
            .tokens
            .iter()
            .map(|t| (t.reference_number.as_str(), t))
            .collect();
        let mut active_by_system: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (r, t) in &tokens {
            if t.status.is_live()
                && let Some(key) = system_key(t, entries.get(r).copied())
            {
                active_by_system.entry(key).or_default().push(r);
            }
        }
        Ctx {
            snap,
            audited,
            tokens,
            entries,
            active_by_system,
        }
    }

    fn complete(&self) -> bool {
        self.audited && self.snap.status == ContextStatus::Complete
    }

    fn auditor_token(&self) -> Option<&'a TokenRecord> {
        let r = self.snap.auditor_reference.as_deref()?;
        self.tokens.get(r).copied()
    }

    fn auditor_permissions(&self) -> Option<Vec<Permission>> {
        self.snap.auditor_permissions.clone().or_else(|| {
            self.auditor_token()
                .map(|t| t.requested_permissions.clone())
        })
    }
}

/// The system a token serves: the inventory's `system`, else the software part of an
/// `Entity-Software-Environment-Year` description.
fn system_key(token: &TokenRecord, entry: Option<&InventoryEntry>) -> Option<String> {
    if let Some(s) = entry.and_then(|e| e.system.as_deref()) {
        return Some(s.trim().to_lowercase());
    }
    let parts: Vec<&str> = token.description.split('-').map(str::trim).collect();
    (parts.len() >= 3 && !parts[1].is_empty()).then(|| parts[1].to_lowercase())
}

struct View<'a> {
    ctx: &'a Ctx<'a>,
    token: Known<&'a TokenRecord>,
    entry: Option<&'a InventoryEntry>,
    reference: String,
    secrets: Vec<&'a SecretCell>,
    staff: &'a StaffIndex<'a>,
    has_permissions_column: bool,
    now: DateTime<Utc>,
}

enum Val {
    Unknown,
    Missing,
    Present,
    Text(String),
    /// Age in seconds (now - date; negative = in the future).
    Date(i64),
    List(Vec<String>),
}

fn age_days(now: DateTime<Utc>, date: NaiveDate) -> i64 {
    (now.date_naive() - date).num_days()
}

fn age_days_dt(now: DateTime<Utc>, dt: DateTime<Utc>) -> i64 {
    (now - dt).num_days()
}

const DAY: i64 = 86_400;

fn age_secs(now: DateTime<Utc>, dt: DateTime<Utc>) -> i64 {
    (now - dt).num_seconds()
}

impl View<'_> {
    fn token(&self) -> Option<&TokenRecord> {
        match self.token {
            Known::Yes(t) => Some(t),
            _ => None,
        }
    }

    fn value(&self, field: Field) -> Val {
        let token_val = |f: &dyn Fn(&TokenRecord) -> Val| match self.token {
            Known::Yes(t) => f(t),
            Known::No => Val::Missing,
            Known::Unknown => Val::Unknown,
        };
        let entry_val = |f: &dyn Fn(&InventoryEntry) -> Val| match self.entry {
            Some(e) => f(e),
            None => Val::Missing,
        };
        let opt_text = |s: Option<&String>| match s {
            Some(s) if !s.trim().is_empty() => Val::Text(s.trim().to_string()),
            _ => Val::Missing,
        };
        let list = |p: &[Permission]| {
            if p.is_empty() {
                Val::Missing
            } else {
                Val::List(p.iter().map(|x| x.as_str().to_string()).collect())
            }
        };
        match field {
            Field::Token => token_val(&|_| Val::Present),
            Field::TokenStatus => token_val(&|t| Val::Text(t.status.policy_str().to_string())),
            Field::TokenDescription => token_val(&|t| Val::Text(t.description.clone())),
            Field::TokenPermissions => token_val(&|t| list(&t.requested_permissions)),
            Field::TokenCreated => token_val(&|t| Val::Date(age_secs(self.now, t.date_created))),
            Field::TokenLastUsed => token_val(&|t| match t.last_use_date {
                Some(d) => Val::Date(age_secs(self.now, d)),
                None => Val::Missing,
            }),
            Field::TokenAuthorType => token_val(&|t| Val::Text(t.author_identifier.kind.clone())),
            Field::Inventory => entry_val(&|_| Val::Present),
            Field::InventoryOwner => entry_val(&|e| opt_text(e.owner.as_ref())),
            Field::InventorySystem => entry_val(&|e| opt_text(e.system.as_ref())),
            Field::InventoryEnvironment => entry_val(&|e| opt_text(e.environment.as_ref())),
            Field::InventoryPermissions => entry_val(&|e| list(&e.permissions)),
            Field::InventoryExpires => entry_val(&|e| match e.expires {
                Some(d) => Val::Date(age_days(self.now, d) * DAY),
                None => Val::Missing,
            }),
            Field::ContextEnvironment => {
                if self.ctx.audited {
                    Val::Text(self.ctx.snap.environment.clone())
                } else {
                    Val::Unknown
                }
            }
            Field::ContextStatus => {
                if self.ctx.complete() {
                    Val::Text("complete".into())
                } else {
                    Val::Text("incomplete".into())
                }
            }
            Field::AuditorPermissions => match self.ctx.auditor_permissions() {
                Some(p) => list(&p),
                None => Val::Unknown,
            },
        }
    }

    fn test(&self, field: Field, test: &Test) -> bool {
        let v = self.value(field);
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        match (test, v) {
            (_, Val::Unknown) => false,
            (Test::Missing, v) => matches!(v, Val::Missing),
            (Test::Present, v) => !matches!(v, Val::Missing),
            (_, Val::Missing | Val::Present) => false,
            (Test::Equals(s), Val::Text(t)) => eq(&t, s),
            (Test::NotEquals(s), Val::Text(t)) => !eq(&t, s),
            (Test::In(l), Val::Text(t)) => l.iter().any(|s| eq(&t, s)),
            (Test::NotIn(l), Val::Text(t)) => !l.iter().any(|s| eq(&t, s)),
            (Test::Matches(re), Val::Text(t)) => re.is_match(&t),
            (Test::NotMatches(re), Val::Text(t)) => !re.is_match(&t),
            (Test::ContainsAny(l), Val::List(items)) => {
                items.iter().any(|i| l.iter().any(|s| eq(i, s)))
            }
            (Test::OlderThan(n), Val::Date(age)) => age > n * DAY,
            (Test::NewerThan(n), Val::Date(age)) => age < n * DAY,
            (Test::DueWithin(n), Val::Date(age)) => age <= 0 && -age <= n * DAY,
            _ => false,
        }
    }

    /// Evaluates `when`; built-ins add plain-word details to `details`.
    fn holds(&self, rule: &PolicyRule, conds: &[Condition], details: &mut Vec<String>) -> bool {
        for c in conds {
            let ok = match c {
                Condition::Field { field, test } => self.test(*field, test),
                Condition::Builtin(b) => match self.builtin(rule, *b) {
                    Some(d) => {
                        if !d.is_empty() {
                            details.push(d);
                        }
                        true
                    }
                    None => false,
                },
                Condition::Any(alts) => {
                    let mut hit = false;
                    for alt in alts {
                        let mut d = Vec::new();
                        if self.holds(rule, std::slice::from_ref(alt), &mut d) {
                            details.append(&mut d);
                            hit = true;
                            break;
                        }
                    }
                    hit
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn builtin(&self, rule: &PolicyRule, b: Builtin) -> Option<String> {
        match b {
            Builtin::OwnerLeft => {
                let owner = self.entry?.owner.as_deref()?;
                let m = self.staff.owner(owner)?;
                (m.status == StaffStatus::Left)
                    .then(|| format!("owner {} {}", describe_person(m, owner), left_words(m)))
            }
            Builtin::AuthorLeft => {
                let t = self.token()?;
                let m = self.staff.author(&t.author_identifier)?;
                (m.status == StaffStatus::Left).then(|| {
                    format!(
                        "created by {} ({} {}), who {}",
                        m.name.as_deref().unwrap_or(&m.id),
                        t.author_identifier.kind,
                        mask_identifier(&t.author_identifier),
                        left_words(m)
                    )
                })
            }
            Builtin::ExcessPermissions => {
                let t = self.token()?;
                let e = self.entry?;
                if e.permissions.is_empty() && !self.has_permissions_column {
                    return None;
                }
                let extra: Vec<&str> = t
                    .requested_permissions
                    .iter()
                    .filter(|p| !e.permissions.contains(p))
                    .map(Permission::as_str)
                    .collect();
                (!extra.is_empty()).then(|| {
                    format!(
                        "holds {} beyond what the inventory approves ({})",
                        extra.join(", "),
                        join_or(&e.permissions, "nothing")
                    )
                })
            }
            Builtin::DuplicateActive => {
                let t = self.token()?;
                if !t.status.is_live() {
                    return None;
                }
                let key = system_key(t, self.entry)?;
                let same = self.ctx.active_by_system.get(&key)?;
                let others: Vec<&str> = same
                    .iter()
                    .copied()
                    .filter(|r| *r != t.reference_number)
                    .collect();
                (!others.is_empty()).then(|| {
                    format!(
                        "{} other active token{} for system '{key}': {}",
                        others.len(),
                        if others.len() == 1 { "" } else { "s" },
                        others.join(", ")
                    )
                })
            }
            Builtin::EnvironmentMismatch => {
                let listed = self.entry?.environment.as_deref()?;
                if !self.ctx.audited {
                    return None;
                }
                let found = self.ctx.snap.environment.to_lowercase();
                if !matches!(found.as_str(), "prod" | "demo" | "test") {
                    return None;
                }
                (!listed.eq_ignore_ascii_case(&found)).then(|| {
                    format!("the inventory says '{listed}' but the token was found in '{found}'")
                })
            }
            Builtin::PersonalData => {
                let t = self.token()?;
                let kinds = personal_data(
                    &t.description,
                    rule.param_bool("email").unwrap_or(true),
                    rule.param_bool("pesel").unwrap_or(true),
                    rule.param_bool("token").unwrap_or(true),
                );
                (!kinds.is_empty())
                    .then(|| format!("the description holds {}", kinds.join(" and ")))
            }
            Builtin::AuditorOverPrivileged => {
                let held = self.ctx.auditor_permissions()?;
                let allowed = rule.param_list("allowed");
                let extra: Vec<&str> = held
                    .iter()
                    .map(Permission::as_str)
                    .filter(|p| !allowed.iter().any(|a| a.eq_ignore_ascii_case(p)))
                    .collect();
                (!extra.is_empty()).then(|| {
                    format!(
                        "the tool's own token holds {} (needs only {})",
                        extra.join(", "),
                        allowed.join(", ")
                    )
                })
            }
            Builtin::SecretInInventory => {
                if self.secrets.is_empty() {
                    return None;
                }
                let cols: BTreeSet<&str> = self.secrets.iter().map(|s| s.column.as_str()).collect();
                let prints: Vec<String> = self
                    .secrets
                    .iter()
                    .map(|s| format!("{} (fingerprint {})", s.preview, &s.fingerprint[..12]))
                    .collect();
                Some(format!(
                    "column {} holds a KSeF token value: {}",
                    cols.into_iter().collect::<Vec<_>>().join(", "),
                    prints.join(", ")
                ))
            }
        }
    }

    fn placeholder(&self, rule: &PolicyRule, key: &str, detail: &str) -> Option<String> {
        let t = self.token();
        let e = self.entry;
        let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        Some(match key {
            "nip" => self.ctx.snap.nip.clone(),
            "reference" => self.reference.clone(),
            "owner" => e
                .and_then(|e| e.owner.clone())
                .unwrap_or_else(|| "no owner".into()),
            "status" => t.map_or("unknown".into(), |t| t.status.to_string()),
            "system" => e
                .and_then(|e| e.system.clone())
                .or_else(|| t.and_then(|t| system_key(t, None)))
                .unwrap_or_else(|| "unknown system".into()),
            "environment" => self.ctx.snap.environment.clone(),
            "inventory-environment" => e
                .and_then(|e| e.environment.clone())
                .unwrap_or_else(|| "none".into()),
            "permissions" => t.map_or(String::new(), |t| join_or(&t.requested_permissions, "none")),
            "created" => t.map_or(String::new(), |t| date(t.date_created.date_naive())),
            "last-used" => t
                .and_then(|t| t.last_use_date)
                .map_or("never".into(), |d| date(d.date_naive())),
            "expires" => e.and_then(|e| e.expires).map_or("none".into(), date),
            "age-days" => t.map_or(String::new(), |t| {
                age_days_dt(self.now, t.date_created).to_string()
            }),
            "idle-days" => t
                .and_then(|t| t.last_use_date)
                .map_or(String::new(), |d| age_days_dt(self.now, d).to_string()),
            "expires-in-days" => e
                .and_then(|e| e.expires)
                .map_or(String::new(), |d| (-age_days(self.now, d)).to_string()),
            "expired-days" => e
                .and_then(|e| e.expires)
                .map_or(String::new(), |d| age_days(self.now, d).to_string()),
            "row" => e.map_or(String::new(), |e| e.row.to_string()),
            "detail" => detail.to_string(),
            param => match rule.parameters.get(param)? {
                toml::Value::String(s) => s.clone(),
                toml::Value::Array(items) => items
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            },
        })
    }

    fn evidence(&self, rule: &PolicyRule, details: &[String]) -> String {
        let fields = rule_fields(&rule.raw_when);
        let mut parts: Vec<String> = Vec::new();
        let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let ago = |n: i64| match n {
            0 => "today".to_string(),
            1 => "1 day ago".to_string(),
            n if n < 0 => format!("in {} days", -n),
            n => format!("{n} days ago"),
        };
        match self.token {
            Known::Yes(t) => {
                if t.status != TokenStatus::Active {
                    parts.push(format!("status {}", t.status));
                }
                let created = t.date_created;
                parts.push(format!(
                    "created {}, {}",
                    date(created.date_naive()),
                    ago(age_days_dt(self.now, created))
                ));
                parts.push(match t.last_use_date {
                    Some(d) => format!(
                        "last used {}, {}",
                        date(d.date_naive()),
                        ago(age_days_dt(self.now, d))
                    ),
                    None => "never used".into(),
                });
                if fields.contains(&Field::TokenPermissions) {
                    parts.push(format!(
                        "permissions {}",
                        join_or(&t.requested_permissions, "none")
                    ));
                }
                if fields.contains(&Field::TokenDescription) {
                    if personal_data(&t.description, true, true, true).is_empty() {
                        parts.push(format!("description '{}'", t.description));
                    } else {
                        parts.push("description not shown (it holds personal data)".into());
                    }
                }
            }
            Known::No => parts.push(format!(
                "KSeF lists no token {} in context {}",
                self.reference, self.ctx.snap.nip
            )),
            Known::Unknown => {}
        }
        match self.entry {
            None if rule.subject == Subject::Credential && fields.contains(&Field::Inventory) => {
                parts.push("not in the inventory".into())
            }
            None => {}
            Some(e) => {
                if rule.subject == Subject::InventoryEntry {
                    parts.push(format!("inventory row {}", e.row));
                }
                if fields.contains(&Field::InventoryOwner) {
                    parts.push(match &e.owner {
                        Some(o) => format!("owner {o}"),
                        None => format!("inventory row {} names no owner", e.row),
                    });
                }
                if fields.contains(&Field::InventoryExpires) {
                    parts.push(match e.expires {
                        Some(d) => {
                            let a = age_days(self.now, d);
                            let when = match a {
                                0 => "today".to_string(),
                                a if a > 0 => format!("passed {}", ago(a)),
                                a => ago(a),
                            };
                            format!("planned expiry {} ({when})", date(d))
                        }
                        None => format!("inventory row {} has no planned expiry", e.row),
                    });
                }
            }
        }
        parts.extend(details.iter().cloned());
        parts.join("; ")
    }
}

fn rule_fields(conds: &[RawCondition]) -> BTreeSet<Field> {
    let mut out = BTreeSet::new();
    for c in conds {
        if let Some(f) = c.field.as_deref().and_then(Field::parse) {
            out.insert(f);
        }
        if let Some(any) = &c.any {
            out.extend(rule_fields(any));
        }
    }
    out
}

fn join_or(perms: &[Permission], empty: &str) -> String {
    if perms.is_empty() {
        empty.to_string()
    } else {
        perms
            .iter()
            .map(Permission::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn describe_person(m: &StaffMember, id: &str) -> String {
    match &m.name {
        Some(n) => format!("{id} ({n})"),
        None => id.to_string(),
    }
}

fn left_words(m: &StaffMember) -> String {
    match m.left_on {
        Some(d) => format!("left on {}", d.format("%Y-%m-%d")),
        None => "has left".into(),
    }
}

fn mask_identifier(id: &Identifier) -> String {
    if id.kind == "Pesel" {
        mask_pesel(&id.value)
    } else {
        id.value.clone()
    }
}

fn email_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
            .expect("static regex compiles")
    })
}

fn digits11_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\b\d{11}\b").expect("static regex compiles"))
}

fn hex64_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\b(?:[0-9a-f]{64}|[0-9A-F]{64})\b").expect("static regex compiles")
    })
}

/// Kinds of personal data or secrets in a description, in plain words (never the values).
pub fn personal_data(text: &str, email: bool, pesel: bool, token: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    if email && email_regex().is_match(text) {
        out.push("an e-mail address");
    }
    if pesel
        && digits11_regex()
            .find_iter(text)
            .any(|m| pesel_ok(m.as_str()))
    {
        out.push("a PESEL number");
    }
    if token && (!find_tokens(text).is_empty() || hex64_regex().is_match(text)) {
        out.push("a token-like string");
    }
    out
}

fn contexts_for<'a>(world: &'a AuditWorld<'a>) -> (Vec<ContextSnapshot>, Vec<String>) {
    // Inventory NIPs this run did not audit: a pseudo context so secrets in their rows
    // are still found; every token condition stays unknown there.
    let audited: BTreeSet<&str> = world
        .snapshot
        .contexts
        .iter()
        .map(|c| c.nip.as_str())
        .collect();
    let mut rows_by_nip: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for e in &world.inventory.entries {
        if !audited.contains(e.nip.as_str()) {
            rows_by_nip.entry(e.nip.as_str()).or_default().push(e.row);
        }
    }
    let mut warnings = Vec::new();
    let mut pseudo = Vec::new();
    for (nip, rows) in rows_by_nip {
        warnings.push(format!(
            "inventory row{} {} name{} NIP {nip}, which this run did not audit",
            if rows.len() == 1 { "" } else { "s" },
            rows.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            if rows.len() == 1 { "s" } else { "" },
        ));
        pseudo.push(ContextSnapshot {
            nip: nip.to_string(),
            name: None,
            environment: world.snapshot.environment.label.clone(),
            status: ContextStatus::Incomplete,
            reason: Some("not audited".into()),
            fetched_at: world.snapshot.fetched_at,
            duration_ms: 0,
            auditor_reference: None,
            auditor_permissions: None,
            tokens: Vec::new(),
        });
    }
    (pseudo, warnings)
}

/// Runs the rules over the world.
pub fn evaluate(world: &AuditWorld<'_>, rules: &[&PolicyRule]) -> Evaluation {
    let staff = StaffIndex::new(world.staff);
    let (pseudo, warnings) = contexts_for(world);
    let has_permissions_column = world.inventory.has_column("permissions");
    let mut findings = Vec::new();
    let mut contexts = Vec::new();
    let all: Vec<(&ContextSnapshot, bool)> = world
        .snapshot
        .contexts
        .iter()
        .map(|c| (c, true))
        .chain(pseudo.iter().map(|c| (c, false)))
        .collect();
    for (snap, audited) in all {
        let ctx = Ctx::new(snap, audited, world.inventory);
        let view = |token, entry, reference: &str| {
            build_view(
                &ctx,
                token,
                entry,
                reference,
                world,
                &staff,
                has_permissions_column,
            )
        };
        let mut run = |v: &View<'_>, subject: Subject| {
            for rule in rules.iter().filter(|r| r.subject == subject && r.enabled) {
                let mut details = Vec::new();
                if v.holds(rule, &rule.when, &mut details) {
                    findings.push(make_finding(rule, v, &details));
                }
            }
        };
        for (r, t) in &ctx.tokens {
            let entry = ctx.entries.get(r).copied();
            let history = matches!(t.status, TokenStatus::Revoked | TokenStatus::Failed);
            if history && entry.is_none() {
                continue;
            }
            run(&view(Known::Yes(t), entry, r), Subject::Credential);
        }
        let mut entries: Vec<&InventoryEntry> = ctx.entries.values().copied().collect();
        entries.sort_by_key(|e| e.row);
        for e in entries {
            let token = match ctx.tokens.get(e.reference_number.as_str()) {
                Some(t) => Known::Yes(*t),
                None if ctx.complete() => Known::No,
                None => Known::Unknown,
            };
            run(
                &view(token, Some(e), &e.reference_number),
                Subject::InventoryEntry,
            );
        }
        if audited {
            let auditor = ctx.auditor_token();
            let reference = snap.auditor_reference.clone().unwrap_or_default();
            let token = auditor.map_or(Known::Unknown, Known::Yes);
            let entry = ctx.entries.get(reference.as_str()).copied();
            run(&view(token, entry, &reference), Subject::Context);
            contexts.push(audit_context(&ctx, &staff));
        }
    }
    sort_findings(&mut findings);
    findings.dedup_by(|a, b| a.id == b.id);
    contexts.sort_by(|a, b| a.nip.cmp(&b.nip));
    Evaluation {
        contexts,
        findings,
        warnings,
    }
}

fn build_view<'a>(
    ctx: &'a Ctx<'a>,
    token: Known<&'a TokenRecord>,
    entry: Option<&'a InventoryEntry>,
    reference: &str,
    world: &'a AuditWorld<'a>,
    staff: &'a StaffIndex<'a>,
    has_permissions_column: bool,
) -> View<'a> {
    View {
        ctx,
        token,
        entry,
        reference: reference.to_string(),
        secrets: entry
            .map(|e| {
                world
                    .inventory
                    .secrets
                    .iter()
                    .filter(|s| s.row == e.row)
                    .collect()
            })
            .unwrap_or_default(),
        staff,
        has_permissions_column,
        now: world.now,
    }
}

fn make_finding(rule: &PolicyRule, v: &View<'_>, details: &[String]) -> AuditFinding {
    let detail = details.join("; ");
    let message = render_template(&rule.message, &|k| v.placeholder(rule, k, &detail));
    AuditFinding {
        id: finding_id(&rule.name, &v.ctx.snap.nip, &v.reference),
        rule: rule.name.clone(),
        rule_id: rule.id.clone(),
        severity: rule.severity,
        nip: v.ctx.snap.nip.clone(),
        client_name: v.ctx.snap.name.clone(),
        reference_number: (!v.reference.is_empty()).then(|| v.reference.clone()),
        owner: v.entry.and_then(|e| e.owner.clone()),
        message,
        evidence: v.evidence(rule, details),
        remediation: rule.remediation.trim().to_string(),
        help_uri: help_uri(&rule.name),
        excepted: false,
        exception: None,
        baseline: None,
    }
}

fn audit_context(ctx: &Ctx<'_>, staff: &StaffIndex<'_>) -> AuditContext {
    let tokens = ctx
        .tokens
        .values()
        .map(|t| {
            let entry = ctx.entries.get(t.reference_number.as_str()).copied();
            let owner_member = entry
                .and_then(|e| e.owner.as_deref())
                .and_then(|o| staff.owner(o));
            let author = staff.author(&t.author_identifier);
            AuditedToken {
                token: (*t).clone(),
                in_inventory: entry.is_some(),
                owner: entry.and_then(|e| e.owner.clone()),
                owner_left: owner_member.is_some_and(|m| m.status == StaffStatus::Left),
                author_name: author.map(|m| m.name.clone().unwrap_or_else(|| m.id.clone())),
                author_left: author.is_some_and(|m| m.status == StaffStatus::Left),
                planned_expiry: entry.and_then(|e| e.expires),
                system: entry.and_then(|e| e.system.clone()),
                inventory_extra: entry.map(|e| e.extra.clone()).unwrap_or_default(),
            }
        })
        .collect();
    AuditContext {
        nip: ctx.snap.nip.clone(),
        name: ctx.snap.name.clone(),
        environment: ctx.snap.environment.clone(),
        status: ctx.snap.status,
        reason: ctx.snap.reason.clone(),
        fetched_at: ctx.snap.fetched_at,
        duration_ms: ctx.snap.duration_ms,
        tokens,
    }
}

// ---------------------------------------------------------------------------
// Rule examples

/// The moment rule examples are judged against: 2026-01-15 12:00 UTC.
pub fn example_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// NIP of the context in rule examples.
pub const EXAMPLE_NIP: &str = "5265877635";

fn example_reference(i: usize) -> String {
    format!("20251101-EC-{:010X}-{:010X}-00", i + 1, i + 1)
}

fn example_token(t: &ExampleToken, reference: String) -> Result<TokenRecord, String> {
    let at = |d: NaiveDate| {
        d.and_hms_opt(9, 0, 0)
            .map(|n| Utc.from_utc_datetime(&n))
            .ok_or_else(|| format!("bad date {d}"))
    };
    let author = match &t.author {
        Some(a) => {
            let (kind, value) = a
                .split_once(':')
                .ok_or_else(|| format!("author '{a}' must be written Type:value"))?;
            Identifier {
                kind: kind.to_string(),
                value: value.to_string(),
            }
        }
        None => Identifier {
            kind: "Nip".into(),
            value: EXAMPLE_NIP.into(),
        },
    };
    let mut permissions = Vec::new();
    for p in &t.permissions {
        permissions
            .push(Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'"))?);
    }
    Ok(TokenRecord {
        reference_number: reference,
        author_identifier: author,
        context_identifier: Identifier {
            kind: "Nip".into(),
            value: EXAMPLE_NIP.into(),
        },
        description: t.description.clone(),
        requested_permissions: permissions,
        date_created: at(t.created)?,
        last_use_date: t.last_used.map(at).transpose()?,
        status: TokenStatus::from(t.status.as_str()),
        status_details: None,
        extra: serde_json::Map::new(),
    })
}

fn example_entry(
    e: &ExampleEntry,
    reference: &str,
    token: Option<&TokenRecord>,
    row: usize,
    secrets: &mut Vec<SecretCell>,
) -> Result<InventoryEntry, String> {
    let permissions = match &e.permissions {
        Some(list) => list
            .iter()
            .map(|p| Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'")))
            .collect::<Result<Vec<_>, _>>()?,
        None => token
            .map(|t| t.requested_permissions.clone())
            .unwrap_or_default(),
    };
    if let Some(col) = &e.secret_in {
        let fake = format!("{reference}|nip-{EXAMPLE_NIP}|{}", "0f".repeat(32));
        secrets.push(SecretCell {
            row,
            column: col.clone(),
            nip: EXAMPLE_NIP.into(),
            reference_number: Some(reference.to_string()),
            fingerprint: fingerprint_hex(fake.as_bytes()),
            preview: format!("{reference}|nip-{EXAMPLE_NIP}|0f0f…(64 chars)"),
        });
    }
    Ok(InventoryEntry {
        row,
        nip: EXAMPLE_NIP.into(),
        reference_number: reference.to_string(),
        name: None,
        system: e.system.clone(),
        environment: e.environment.clone(),
        owner: e.owner.clone(),
        permissions,
        expires: e.expires,
        notes: None,
        extra: BTreeMap::new(),
    })
}

/// Runs one example through `rule` and returns how many findings it gave.
pub fn run_example(rule: &PolicyRule, ex: &Example) -> Result<usize, String> {
    let mut tokens = Vec::new();
    let mut entries = Vec::new();
    let mut secrets = Vec::new();
    let main_ref = ex
        .token
        .as_ref()
        .and_then(|t| t.reference.clone())
        .unwrap_or_else(|| example_reference(0));
    let main = ex
        .token
        .as_ref()
        .map(|t| example_token(t, main_ref.clone()))
        .transpose()?;
    if let Some(e) = &ex.inventory {
        entries.push(example_entry(e, &main_ref, main.as_ref(), 2, &mut secrets)?);
    }
    if let Some(t) = &main {
        tokens.push(t.clone());
    }
    for (i, other) in ex.others.iter().enumerate() {
        let r = other
            .token
            .reference
            .clone()
            .unwrap_or_else(|| example_reference(i + 1));
        let t = example_token(&other.token, r.clone())?;
        if let Some(e) = &other.inventory {
            entries.push(example_entry(e, &r, Some(&t), i + 3, &mut secrets)?);
        }
        tokens.push(t);
    }
    let staff: Vec<StaffMember> = ex
        .staff
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(StaffMember {
                row: i + 2,
                id: s.id.clone(),
                name: None,
                pesel: s.pesel.clone(),
                nip: s.nip.clone(),
                status: match s.status.as_str() {
                    "left" => StaffStatus::Left,
                    "active" => StaffStatus::Active,
                    other => return Err(format!("staff status '{other}' must be active or left")),
                },
                left_on: None,
            })
        })
        .collect::<Result<_, String>>()?;
    let ctx_ex = ex.context.clone();
    let now = example_now();
    let environment = ctx_ex
        .as_ref()
        .map_or_else(|| "prod".to_string(), |c| c.environment.clone());
    let auditor = ctx_ex.as_ref().is_some_and(|c| c.auditor);
    let auditor_permissions = match ctx_ex.as_ref().and_then(|c| c.auditor_permissions.clone()) {
        Some(list) => Some(
            list.iter()
                .map(|p| {
                    Permission::parse_known(p).ok_or_else(|| format!("unknown permission '{p}'"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        None => None,
    };
    let snapshot = TokenSnapshot {
        schema_version: crate::model::SNAPSHOT_SCHEMA_VERSION,
        kind: crate::model::SNAPSHOT_KIND.into(),
        tool_version: crate::model::TOOL_VERSION.into(),
        environment: crate::model::EnvironmentRef {
            label: environment.clone(),
            base_url: "http://127.0.0.1/v2".into(),
        },
        fetched_at: now,
        contexts: vec![ContextSnapshot {
            nip: EXAMPLE_NIP.into(),
            name: None,
            environment,
            status: ContextStatus::Complete,
            reason: None,
            fetched_at: now,
            duration_ms: 0,
            auditor_reference: auditor.then(|| main_ref.clone()),
            auditor_permissions,
            tokens,
        }],
    };
    let mut columns: BTreeSet<String> = ["nip", "reference_number", "permissions"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    columns.insert("owner".into());
    let inventory = Inventory {
        entries,
        secrets,
        columns,
        digest: String::new(),
    };
    let world = AuditWorld {
        snapshot: &snapshot,
        inventory: &inventory,
        staff: &staff,
        now,
    };
    let mut rule = rule.clone();
    rule.enabled = true;
    let eval = evaluate(&world, &[&rule]);
    Ok(eval.findings.len())
}

/// Runs every example of `rule`; returns one message per failure.
pub fn check_rule_examples(rule: &PolicyRule) -> Vec<String> {
    let mut failures = Vec::new();
    for (kind, list, want_findings) in [
        ("fail", &rule.examples.fail, true),
        ("pass", &rule.examples.pass, false),
    ] {
        for (i, ex) in list.iter().enumerate() {
            match run_example(rule, ex) {
                Ok(n) if (n > 0) == want_findings => {}
                Ok(n) => failures.push(format!(
                    "{} ({}) example {kind}[{i}] '{}': expected {}, got {n} finding{}",
                    rule.id,
                    rule.name,
                    ex.note,
                    if want_findings {
                        "a finding"
                    } else {
                        "no finding"
                    },
                    if n == 1 { "" } else { "s" }
                )),
                Err(e) => failures.push(format!(
                    "{} ({}) example {kind}[{i}] '{}': {e}",
                    rule.id, rule.name, ex.note
                )),
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::policy::builtin_policy_rules;

    #[test]
    fn every_builtin_rule_example_gives_its_outcome() {
        let set = builtin_policy_rules().expect("rules load");
        let failures: Vec<String> = set.rules.iter().flat_map(check_rule_examples).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn personal_data_is_named_not_shown() {
        assert_eq!(
            personal_data("Jan jan.nowak@firma.pl 85010112345", true, true, true),
            vec!["an e-mail address", "a PESEL number"]
        );
        assert!(personal_data("ERP-Symfonia-prod-2025", true, true, true).is_empty());
        assert!(personal_data("85010112344", true, true, true).is_empty());
    }

    #[test]
    fn finding_ids_are_stable() {
        assert_eq!(
            finding_id(
                "untracked-token",
                "5265877635",
                "20251010-EC-1DCE3E3000-12ECB5B36E-45"
            ),
            finding_id(
                "untracked-token",
                "5265877635",
                "20251010-EC-1DCE3E3000-12ECB5B36E-45"
            )
        );
        assert_ne!(
            finding_id("untracked-token", "5265877635", "a"),
            finding_id("never-used", "5265877635", "a")
        );
    }
}
