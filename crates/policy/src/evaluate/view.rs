//! What one rule sees of one subject: the context (its tokens, inventory rows, active tokens
//! per system), the staff list, and the field values conditions test. Built-in conditions
//! read the same view through [`SubjectView`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::rule::Condition;
use crate::rule::Field;
use crate::rule::PolicyRule;
use crate::rule::Test;
use crate::rule::builtins::Detail;
use crate::rule::builtins::SubjectView;
use crate::rule::builtins::system_key;
use ksef_model::AccessRegister;
use ksef_model::CertificateRecord;
use ksef_model::ContextCertificates;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::GrantIdentifier;
use ksef_model::GrantRecord;
use ksef_model::Identifier;
use ksef_model::IdentifierType;
use ksef_model::Inventory;
use ksef_model::InventoryEntry;
use ksef_model::KnownParty;
use ksef_model::Permission;
use ksef_model::SecretCell;
use ksef_model::StaffMember;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;
use ksef_model::same_holder;

#[derive(Clone, Copy)]
pub(super) enum Known<T> {
    Yes(T),
    No,
    Unknown,
}

pub(super) struct StaffIndex<'a> {
    by_id: BTreeMap<String, &'a StaffMember>,
    by_pesel: BTreeMap<&'a str, &'a StaffMember>,
    by_nip: BTreeMap<&'a str, &'a StaffMember>,
    by_fingerprint: BTreeMap<String, &'a StaffMember>,
}

impl<'a> StaffIndex<'a> {
    pub(super) fn new(staff: &'a [StaffMember]) -> Self {
        let mut idx = StaffIndex {
            by_id: BTreeMap::new(),
            by_pesel: BTreeMap::new(),
            by_nip: BTreeMap::new(),
            by_fingerprint: BTreeMap::new(),
        };
        for m in staff {
            idx.by_id.insert(m.id.trim().to_lowercase(), m);
            if let Some(p) = &m.pesel {
                idx.by_pesel.insert(p.as_str(), m);
            }
            if let Some(n) = &m.nip {
                idx.by_nip.insert(n.as_str(), m);
            }
            if let Some(f) = &m.fingerprint {
                idx.by_fingerprint.insert(f.trim().to_uppercase(), m);
            }
        }
        idx
    }

    /// The staff member a grant identifier names.
    pub(super) fn holder(&self, id: &GrantIdentifier) -> Option<&'a StaffMember> {
        let v = id.value().trim();
        match id.kind {
            IdentifierType::Pesel => self.by_pesel.get(v).copied(),
            IdentifierType::Nip => self.by_nip.get(v).copied(),
            IdentifierType::Fingerprint => self.by_fingerprint.get(&v.to_uppercase()).copied(),
            _ => None,
        }
    }

    pub(super) fn owner(&self, owner: &str) -> Option<&'a StaffMember> {
        self.by_id.get(&owner.trim().to_lowercase()).copied()
    }

    pub(super) fn author(&self, author: &Identifier) -> Option<&'a StaffMember> {
        let v = author.value.trim();
        match author.kind.as_str() {
            "Pesel" => self.by_pesel.get(v).copied(),
            "Nip" => self.by_nip.get(v).copied(),
            _ => self.by_pesel.get(v).or_else(|| self.by_nip.get(v)).copied(),
        }
    }
}

pub(super) struct Ctx<'a> {
    pub(super) snap: &'a ContextSnapshot,
    /// False for an inventory NIP this run did not audit.
    pub(super) audited: bool,
    pub(super) tokens: BTreeMap<&'a str, &'a TokenRecord>,
    pub(super) entries: BTreeMap<&'a str, &'a InventoryEntry>,
    /// Active tokens by system key.
    pub(super) active_by_system: BTreeMap<String, Vec<&'a str>>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(snap: &'a ContextSnapshot, audited: bool, inventory: &'a Inventory) -> Self {
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
            if TokenStatus::is_live(&t.status)
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

    pub(super) fn complete(&self) -> bool {
        self.audited && self.snap.status == ContextStatus::Complete
    }

    pub(super) fn auditor_token(&self) -> Option<&'a TokenRecord> {
        let r = self.snap.auditor_reference.as_deref()?;
        self.tokens.get(r).copied()
    }

    pub(super) fn auditor_permissions(&self) -> Option<Vec<Permission>> {
        self.snap.auditor_permissions.clone().or_else(|| {
            self.auditor_token()
                .map(|t| t.requested_permissions.clone())
        })
    }
}

/// What grant rules see beyond one context: the config's known parties, the access
/// register, and where each holder holds grants.
pub(super) struct GrantWorld<'a> {
    pub(super) known_parties: &'a [KnownParty],
    pub(super) register: Option<&'a AccessRegister>,
    /// Holder (type, uppercased value) -> NIPs of the audited contexts it holds grants in.
    pub(super) holders: BTreeMap<(String, String), Vec<&'a str>>,
}

impl<'a> GrantWorld<'a> {
    pub(super) fn new(
        contexts: &'a [ContextSnapshot],
        known_parties: &'a [KnownParty],
        register: Option<&'a AccessRegister>,
    ) -> Self {
        let mut holders: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
        for c in contexts {
            for g in c.grants.iter().filter(|g| g.held_by_other()) {
                let key = g.holder_identity().unwrap_or(&g.holder);
                let nips = holders.entry(holder_key(key)).or_default();
                if !nips.contains(&c.nip.as_str()) {
                    nips.push(c.nip.as_str());
                }
            }
        }
        GrantWorld {
            known_parties,
            register,
            holders,
        }
    }
}

fn holder_key(id: &GrantIdentifier) -> (String, String) {
    (id.kind.to_string(), id.value().trim().to_uppercase())
}

pub(super) struct View<'a> {
    pub(super) ctx: &'a Ctx<'a>,
    /// The grant a grant rule judges.
    pub(super) grant: Option<&'a GrantRecord>,
    /// The certificate a certificate rule judges (`None` for other subjects).
    pub(super) certificate: Option<Known<&'a CertificateRecord>>,
    pub(super) grants: &'a GrantWorld<'a>,
    pub(super) token: Known<&'a TokenRecord>,
    pub(super) entry: Option<&'a InventoryEntry>,
    pub(super) reference: String,
    pub(super) secrets: Vec<&'a SecretCell>,
    pub(super) staff: &'a StaffIndex<'a>,
    pub(super) has_permissions_column: bool,
    pub(super) now: DateTime<Utc>,
}

pub(super) enum Val {
    Unknown,
    Missing,
    Present,
    Text(String),
    /// Age in seconds (now - date; negative = in the future).
    Date(i64),
    List(Vec<String>),
}

pub(super) fn age_days(now: DateTime<Utc>, date: NaiveDate) -> i64 {
    (now.date_naive() - date).num_days()
}

pub(super) fn age_days_dt(now: DateTime<Utc>, dt: DateTime<Utc>) -> i64 {
    (now - dt).num_days()
}

pub(super) const DAY: i64 = 86_400;

fn age_secs(now: DateTime<Utc>, dt: DateTime<Utc>) -> i64 {
    (now - dt).num_seconds()
}

impl View<'_> {
    pub(super) fn token(&self) -> Option<&TokenRecord> {
        match self.token {
            Known::Yes(t) => Some(t),
            _ => None,
        }
    }

    pub(super) fn certificate(&self) -> Option<&CertificateRecord> {
        match self.certificate {
            Some(Known::Yes(c)) => Some(c),
            _ => None,
        }
    }

    /// The context's certificate list was read in full (it signed in with a certificate).
    pub(super) fn certificates_read(&self) -> bool {
        let c = &self.ctx.snap.certificates;
        self.ctx.audited && c.signed_in_with.is_some() && c.problem.is_none()
    }

    pub(super) fn value(&self, field: Field) -> Val {
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
            Field::CertificatesRead => {
                if self.certificates_read() {
                    Val::Present
                } else {
                    Val::Missing
                }
            }
            Field::Certificate
            | Field::CertificateStatus
            | Field::CertificateType
            | Field::CertificateSubjectType
            | Field::CertificateValidTo
            | Field::CertificateLastUsed
            | Field::CertificateRequested => match self.certificate {
                Some(Known::Yes(c)) => certificate_value(c, field, self.now),
                Some(Known::No) => Val::Missing,
                _ => Val::Unknown,
            },
            Field::GrantKind
            | Field::GrantScope
            | Field::GrantHolderType
            | Field::GrantCanDelegate
            | Field::GrantTargetType
            | Field::GrantState
            | Field::GrantCreated => match self.grant {
                Some(g) => grant_value(g, field, self.now),
                None => Val::Unknown,
            },
        }
    }

    pub(super) fn test(&self, field: Field, test: &Test) -> bool {
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
    pub(super) fn holds(
        &self,
        rule: &PolicyRule,
        conds: &[Condition],
        details: &mut Vec<Detail>,
    ) -> bool {
        for c in conds {
            let ok = match c {
                Condition::Field { field, test } => self.test(*field, test),
                Condition::Builtin(b) => match (b.check)(self, rule) {
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
}

fn grant_value(g: &GrantRecord, field: Field, now: DateTime<Utc>) -> Val {
    match field {
        Field::GrantKind => Val::Text(g.kind.to_string()),
        Field::GrantScope => Val::Text(g.scope.to_string()),
        Field::GrantHolderType => Val::Text(g.holder.kind.to_string()),
        Field::GrantCanDelegate => Val::Text(g.can_delegate.to_string()),
        Field::GrantTargetType => match &g.target {
            Some(t) => Val::Text(t.kind.to_string()),
            None => Val::Missing,
        },
        Field::GrantState => match &g.state {
            Some(s) => Val::Text(s.to_string()),
            None => Val::Missing,
        },
        Field::GrantCreated => Val::Date(age_secs(now, g.start_date)),
        _ => Val::Unknown,
    }
}

fn certificate_value(c: &CertificateRecord, field: Field, now: DateTime<Utc>) -> Val {
    match field {
        Field::Certificate => Val::Present,
        Field::CertificateStatus => Val::Text(c.status.to_string()),
        Field::CertificateType => Val::Text(c.kind.to_string()),
        Field::CertificateSubjectType => Val::Text(c.subject_identifier.kind.clone()),
        Field::CertificateValidTo => Val::Date(age_secs(now, c.valid_to)),
        Field::CertificateLastUsed => match c.last_use_date {
            Some(d) if !c.never_used() => Val::Date(age_secs(now, d)),
            _ => Val::Missing,
        },
        Field::CertificateRequested => Val::Date(age_secs(now, c.request_date)),
        _ => Val::Unknown,
    }
}

impl SubjectView for View<'_> {
    fn grant(&self) -> Option<&GrantRecord> {
        self.grant
    }
    fn certificate(&self) -> Option<&CertificateRecord> {
        View::certificate(self)
    }
    fn context_certificates(&self) -> Option<&ContextCertificates> {
        self.certificates_read()
            .then_some(&self.ctx.snap.certificates)
    }
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn context_nip(&self) -> &str {
        &self.ctx.snap.nip
    }
    fn context_grants(&self) -> &[GrantRecord] {
        &self.ctx.snap.grants
    }
    fn staff_holder(&self, id: &GrantIdentifier) -> Option<&StaffMember> {
        self.staff.holder(id)
    }
    fn known_party(&self, id: &GrantIdentifier) -> Option<&KnownParty> {
        self.grants
            .known_parties
            .iter()
            .find(|p| same_holder(&p.identifier, id))
    }
    fn contexts_held_by(&self, id: &GrantIdentifier) -> Vec<&str> {
        self.grants
            .holders
            .get(&holder_key(id))
            .cloned()
            .unwrap_or_default()
    }
    fn access_register(&self) -> Option<&AccessRegister> {
        self.grants.register
    }
    fn token(&self) -> Option<&TokenRecord> {
        View::token(self)
    }
    fn entry(&self) -> Option<&InventoryEntry> {
        self.entry
    }
    fn staff_owner(&self, owner: &str) -> Option<&StaffMember> {
        self.staff.owner(owner)
    }
    fn staff_author(&self, author: &Identifier) -> Option<&StaffMember> {
        self.staff.author(author)
    }
    fn has_permissions_column(&self) -> bool {
        self.has_permissions_column
    }
    fn active_for_system(&self, key: &str) -> Vec<&str> {
        self.ctx
            .active_by_system
            .get(key)
            .cloned()
            .unwrap_or_default()
    }
    fn context_audited(&self) -> bool {
        self.ctx.audited
    }
    fn context_environment(&self) -> &str {
        &self.ctx.snap.environment
    }
    fn auditor_permissions(&self) -> Option<Vec<Permission>> {
        self.ctx.auditor_permissions()
    }
    fn secrets(&self) -> &[&SecretCell] {
        &self.secrets
    }
}
