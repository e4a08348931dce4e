//! Built-in conditions: logic the operators cannot express (the staff list, other tokens of
//! the context, secrets in the inventory). Each is one Rust function registered by name in
//! [`BUILTINS`]; a rule calls it with `{ builtin = "name" }` and the loader finds it there.
//! Adding one = a function here + its row in the table + the rule's TOML. Nothing else.
//!
//! A built-in sees its subject through [`SubjectView`] (implemented by the evaluation) and
//! returns `Some(detail)` when it holds (the detail, in English and Polish, joins the
//! finding's evidence), `None` when it does not.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use regex::Regex;

use crate::rule::PolicyRule;
use ksef_leaks::matcher::find_tokens;
use ksef_model::AccessHolder;
use ksef_model::AccessRegister;
use ksef_model::CertificateRecord;
use ksef_model::ContextCertificates;
use ksef_model::GrantIdentifier;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::Identifier;
use ksef_model::IdentifierType;
use ksef_model::InventoryEntry;
use ksef_model::KnownParty;
use ksef_model::Permission;
use ksef_model::SecretCell;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::TokenRecord;
use ksef_model::TokenStatus;
use ksef_model::mask_pesel;
use ksef_model::pesel_ok;
use ksef_model::same_holder;

/// What a built-in may look at: the subject (a token and/or its inventory row) and its
/// surroundings, as plain values.
pub trait SubjectView {
    /// The KSeF token, when KSeF lists it.
    fn token(&self) -> Option<&TokenRecord>;
    /// The inventory row, when the inventory lists the token.
    fn entry(&self) -> Option<&InventoryEntry>;
    /// The staff member an inventory `owner` names.
    fn staff_owner(&self, owner: &str) -> Option<&StaffMember>;
    /// The staff member who created a token (by PESEL or NIP).
    fn staff_author(&self, author: &Identifier) -> Option<&StaffMember>;
    /// The inventory has a `permissions` column (empty cells then approve nothing).
    fn has_permissions_column(&self) -> bool;
    /// References of the context's active tokens serving system `key` (see [`system_key`]).
    fn active_for_system(&self, key: &str) -> Vec<&str>;
    /// This run audited the context (false for an inventory NIP it did not).
    fn context_audited(&self) -> bool;
    /// The environment the context was audited in (`prod`, `demo`, `test`, …).
    fn context_environment(&self) -> &str;
    /// Permissions of the tool's own token in the context, when known.
    fn auditor_permissions(&self) -> Option<Vec<Permission>>;
    /// Cells of the inventory row that hold a token value.
    fn secrets(&self) -> &[&SecretCell];
    /// The grant a `subject = "grant"` rule judges.
    fn grant(&self) -> Option<&GrantRecord> {
        None
    }
    /// The NIP of the context being judged.
    fn context_nip(&self) -> &str {
        ""
    }
    /// Every grant of the context.
    fn context_grants(&self) -> &[GrantRecord] {
        &[]
    }
    /// The staff member a grant identifier names (PESEL, NIP or certificate fingerprint).
    fn staff_holder(&self, _id: &GrantIdentifier) -> Option<&StaffMember> {
        None
    }
    /// The config's known outside party with this identifier.
    fn known_party(&self, _id: &GrantIdentifier) -> Option<&KnownParty> {
        None
    }
    /// NIPs of the audited contexts in which the holder named by `id` holds a grant.
    fn contexts_held_by(&self, _id: &GrantIdentifier) -> Vec<&str> {
        Vec::new()
    }
    /// The approved access register, when one was given.
    fn access_register(&self) -> Option<&AccessRegister> {
        None
    }
    /// The KSeF certificate a `subject = "certificate"` rule judges, when KSeF lists it.
    fn certificate(&self) -> Option<&CertificateRecord> {
        None
    }
    /// The context's certificate list and limits, when they were read in full.
    fn context_certificates(&self) -> Option<&ContextCertificates> {
        None
    }
    /// The moment the audit judges dates against.
    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::MIN_UTC
    }
}

/// What a built-in saw, in plain words, in English and in Polish (`--lang pl`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detail {
    pub en: String,
    pub pl: String,
}

impl Detail {
    pub fn new(en: impl Into<String>, pl: impl Into<String>) -> Detail {
        Detail {
            en: en.into(),
            pl: pl.into(),
        }
    }

    /// The words in Polish when `pl`, else in English.
    pub fn text(&self, pl: bool) -> &str {
        if pl { &self.pl } else { &self.en }
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.pl.is_empty()
    }
}

/// A built-in condition's function: `Some(detail)` when it holds.
pub type BuiltinCheck = fn(&dyn SubjectView, &PolicyRule) -> Option<Detail>;

/// One registered built-in.
pub struct Builtin {
    /// The name rules call it by.
    pub name: &'static str,
    /// Parameters it reads from its rule (the loader checks the rule declares them).
    pub parameters: &'static [&'static str],
    pub check: BuiltinCheck,
}

impl fmt::Debug for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Builtin({})", self.name)
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// The registry: name -> function.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "owner-left",
        parameters: &[],
        check: owner_left,
    },
    Builtin {
        name: "author-left",
        parameters: &[],
        check: author_left,
    },
    Builtin {
        name: "excess-permissions",
        parameters: &[],
        check: excess_permissions,
    },
    Builtin {
        name: "duplicate-active",
        parameters: &[],
        check: duplicate_active,
    },
    Builtin {
        name: "environment-mismatch",
        parameters: &[],
        check: environment_mismatch,
    },
    Builtin {
        name: "personal-data",
        parameters: &["email", "pesel", "token"],
        check: personal_data_in_description,
    },
    Builtin {
        name: "auditor-over-privileged",
        parameters: &["allowed"],
        check: auditor_over_privileged,
    },
    Builtin {
        name: "secret-in-inventory",
        parameters: &[],
        check: secret_in_inventory,
    },
    Builtin {
        name: "grant-holder-left",
        parameters: &[],
        check: grant_holder_left,
    },
    Builtin {
        name: "grant-holder-unknown",
        parameters: &[],
        check: grant_holder_unknown,
    },
    Builtin {
        name: "too-many-credentials-managers",
        parameters: &["max-credentials-managers"],
        check: too_many_credentials_managers,
    },
    Builtin {
        name: "grant-fingerprint-only",
        parameters: &[],
        check: grant_fingerprint_only,
    },
    Builtin {
        name: "grant-holder-in-many-contexts",
        parameters: &["max-contexts"],
        check: grant_holder_in_many_contexts,
    },
    Builtin {
        name: "grant-beyond-register",
        parameters: &[],
        check: grant_beyond_register,
    },
    Builtin {
        name: "certificate-subject-left",
        parameters: &[],
        check: certificate_subject_left,
    },
    Builtin {
        name: "certificate-limit-low",
        parameters: &["min-remaining"],
        check: certificate_limit_low,
    },
    Builtin {
        name: "certificate-expires-within",
        parameters: &["days", "after-days"],
        check: certificate_expires_within,
    },
    Builtin {
        name: "token-sunset-approaching",
        parameters: &["sunset", "days", "near-days"],
        check: token_sunset_approaching,
    },
    Builtin {
        name: "token-sunset-near",
        parameters: &["sunset", "near-days"],
        check: token_sunset_near,
    },
];

/// The registered built-in called `name`.
pub fn find_builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The registered names, for messages.
pub fn builtin_names() -> String {
    BUILTINS
        .iter()
        .map(|b| b.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn owner_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let owner = v.entry()?.owner.as_deref()?;
    let m = v.staff_owner(owner)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = describe_person(m, owner);
        Detail::new(
            format!("owner {who} {}", left_words(m, false)),
            format!("właściciel {who}: ta osoba {}", left_words(m, true)),
        )
    })
}

fn author_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    let m = v.staff_author(&t.author_identifier)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = |pl: bool| {
            format!(
                "{} ({} {})",
                m.name.as_deref().unwrap_or(&m.id),
                IdentifierType::from(t.author_identifier.kind.as_str()).label(pl),
                mask_identifier(&t.author_identifier)
            )
        };
        Detail::new(
            format!("created by {}, who {}", who(false), left_words(m, false)),
            format!(
                "utworzony przez: {}; ta osoba {}",
                who(true),
                left_words(m, true)
            ),
        )
    })
}

fn excess_permissions(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    let e = v.entry()?;
    if e.permissions.is_empty() && !v.has_permissions_column() {
        return None;
    }
    let extra: Vec<&str> = t
        .requested_permissions
        .iter()
        .filter(|p| !e.permissions.contains(p))
        .map(Permission::as_str)
        .collect();
    (!extra.is_empty()).then(|| {
        Detail::new(
            format!(
                "holds {} beyond what the inventory approves ({})",
                extra.join(", "),
                join_or(&e.permissions, "nothing")
            ),
            format!(
                "ma {} ponad to, co zatwierdza ewidencja ({})",
                extra.join(", "),
                join_or(&e.permissions, "nic")
            ),
        )
    })
}

fn duplicate_active(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    if !TokenStatus::is_live(&t.status) {
        return None;
    }
    let key = system_key(t, v.entry())?;
    let others: Vec<&str> = v
        .active_for_system(&key)
        .into_iter()
        .filter(|r| *r != t.reference_number)
        .collect();
    (!others.is_empty()).then(|| {
        let n = others.len();
        Detail::new(
            format!(
                "{n} other active token{} for system '{key}': {}",
                if n == 1 { "" } else { "s" },
                others.join(", ")
            ),
            format!(
                "inne aktywne tokeny systemu „{key}” ({n}): {}",
                others.join(", ")
            ),
        )
    })
}

fn environment_mismatch(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let listed = v.entry()?.environment.as_deref()?;
    if !v.context_audited() {
        return None;
    }
    let found = v.context_environment().to_lowercase();
    // KSeF's own environments, and the simulator the demo labels `simulator`; a proxy's
    // or custom URL's label says nothing the inventory could be compared with.
    if !matches!(found.as_str(), "prod" | "demo" | "test" | "simulator") {
        return None;
    }
    (!listed.eq_ignore_ascii_case(&found)).then(|| {
        Detail::new(
            format!("the inventory says '{listed}' but the token was found in '{found}'"),
            format!("ewidencja podaje „{listed}”, a token znaleziono w środowisku „{found}”"),
        )
    })
}

fn personal_data_in_description(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let t = v.token()?;
    let kinds = personal_data(
        &t.description,
        rule.param_bool("email").unwrap_or(true),
        rule.param_bool("pesel").unwrap_or(true),
        rule.param_bool("token").unwrap_or(true),
    );
    (!kinds.is_empty()).then(|| {
        let pl: Vec<&str> = kinds.iter().map(|k| personal_data_pl(k)).collect();
        Detail::new(
            format!("the description holds {}", kinds.join(" and ")),
            format!("opis zawiera {}", pl.join(" i ")),
        )
    })
}

fn auditor_over_privileged(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let held = v.auditor_permissions()?;
    let allowed = rule.param_list("allowed");
    let extra: Vec<&str> = held
        .iter()
        .map(Permission::as_str)
        .filter(|p| !allowed.iter().any(|a| a.eq_ignore_ascii_case(p)))
        .collect();
    (!extra.is_empty()).then(|| {
        Detail::new(
            format!(
                "the tool's own token holds {} (needs only {})",
                extra.join(", "),
                allowed.join(", ")
            ),
            format!(
                "własny token narzędzia ma {} (potrzebuje tylko {})",
                extra.join(", "),
                allowed.join(", ")
            ),
        )
    })
}

fn secret_in_inventory(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let secrets = v.secrets();
    if secrets.is_empty() {
        return None;
    }
    let cols: BTreeSet<&str> = secrets.iter().map(|s| s.column.as_str()).collect();
    let cols = cols.into_iter().collect::<Vec<_>>().join(", ");
    let prints = |word: &str| {
        secrets
            .iter()
            .map(|s| format!("{} ({word} {})", s.preview, &s.fingerprint[..12]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The preview's length note in Polish: `…(64 chars)` -> `…(64 znaki)`.
    let prints_pl = |word: &str| ksef_model::previews_pl(&prints(word));
    Some(Detail::new(
        format!(
            "column {cols} holds a KSeF token value: {}",
            prints("fingerprint")
        ),
        format!(
            "kolumna {} zawiera wartość tokena KSeF: {}",
            polish_quotes(&cols),
            prints_pl("odcisk")
        ),
    ))
}

/// The staff member behind any of the grant holder's identifiers.
fn grant_staff<'a>(v: &'a dyn SubjectView, g: &GrantRecord) -> Option<&'a StaffMember> {
    g.holder_keys().into_iter().find_map(|k| v.staff_holder(k))
}

/// `Jan Nowak (Pesel 85*******45)`: the name when known, the identifier masked; in Polish
/// the identifier's type as people write it (`PESEL 85*******45`).
pub fn describe_holder(g: &GrantRecord, staff: Option<&StaffMember>, pl: bool) -> String {
    let name = staff
        .and_then(|m| m.name.clone())
        .or_else(|| g.holder_name());
    let id = format!("{} {}", g.holder.kind.label(pl), g.holder.masked());
    match name {
        Some(n) => format!("{n} ({id})"),
        None => id,
    }
}

fn grant_holder_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.held_by_other() {
        return None;
    }
    let m = grant_staff(v, g)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = describe_holder(g, Some(m), false);
        let who_pl = describe_holder(g, Some(m), true);
        Detail::new(
            format!(
                "{who} {} and still holds {} in this context",
                left_words(m, false),
                g.scope
            ),
            format!(
                "{who_pl}: ta osoba {}, a nadal ma {} w tym kontekście",
                left_words(m, true),
                g.scope
            ),
        )
    })
}

fn grant_holder_unknown(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.held_by_other() {
        return None;
    }
    let keys = g.holder_keys();
    if keys.is_empty() {
        return None;
    }
    let own = v.context_nip();
    let known = keys.iter().any(|k| {
        (k.kind == IdentifierType::Nip && k.value() == own)
            || v.staff_holder(k).is_some()
            || v.known_party(k).is_some()
    });
    (!known).then(|| {
        let who = describe_holder(g, None, false);
        let who_pl = describe_holder(g, None, true);
        Detail::new(
            format!("{who} is on neither the staff list nor the config's known parties"),
            format!(
                "{who_pl} nie figuruje ani na liście pracowników, ani wśród znanych podmiotów z konfiguracji"
            ),
        )
    })
}

/// Oldest first (start date, then id): the order in which grants count against a limit.
fn oldest_first(a: &&GrantRecord, b: &&GrantRecord) -> std::cmp::Ordering {
    a.start_date
        .cmp(&b.start_date)
        .then_with(|| a.id.cmp(&b.id))
}

fn too_many_credentials_managers(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if g.scope != GrantScope::CredentialsManage || !g.held_by_other() {
        return None;
    }
    let limit = usize::try_from(rule.param_i64("max-credentials-managers").unwrap_or(2)).ok()?;
    let mut managers: Vec<&GrantRecord> = v
        .context_grants()
        .iter()
        .filter(|o| o.scope == GrantScope::CredentialsManage && o.held_by_other())
        .collect();
    if managers.len() <= limit {
        return None;
    }
    managers.sort_by(oldest_first);
    let place = managers.iter().position(|o| o.id == g.id)?;
    // The holders within the limit are the oldest grants; the rest are the excess.
    (place >= limit).then(|| {
        let all = managers
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Detail::new(
            format!(
                "{} holders of CredentialsManage in this context (limit {limit}); this grant is number {} by age; all: {all}",
                managers.len(),
                place + 1,
            ),
            format!(
                "posiadacze CredentialsManage w tym kontekście: {} (limit: {limit}); to nadanie jest {}. od najstarszego; wszystkie: {all}",
                managers.len(),
                place + 1,
            ),
        )
    })
}

fn grant_fingerprint_only(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.is_fingerprint_only() {
        return None;
    }
    let cert = g.holder.masked();
    Some(match v.staff_holder(&g.holder) {
        Some(m) => {
            let who = m.name.as_deref().unwrap_or(&m.id);
            Detail::new(
                format!("bound only to certificate {cert} (the staff list names {who})"),
                format!(
                    "przypisane tylko do certyfikatu {cert} (lista pracowników wskazuje: {who})"
                ),
            )
        }
        None => Detail::new(
            format!("bound only to certificate {cert}; no PESEL or NIP behind it"),
            format!("przypisane tylko do certyfikatu {cert}; nie stoi za nim PESEL ani NIP"),
        ),
    })
}

fn grant_holder_in_many_contexts(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    if !g.held_by_other() {
        return None;
    }
    let limit = usize::try_from(rule.param_i64("max-contexts").unwrap_or(5)).ok()?;
    let key = g.holder_identity().unwrap_or(&g.holder);
    if key.value().is_empty() || key.kind == IdentifierType::Nip && key.value() == v.context_nip() {
        return None;
    }
    let nips: BTreeSet<&str> = v.contexts_held_by(key).into_iter().collect();
    (nips.len() > limit).then(|| {
        let who = describe_holder(g, grant_staff(v, g), false);
        let who_pl = describe_holder(g, grant_staff(v, g), true);
        Detail::new(
            format!(
                "{who} holds grants in {} client contexts (limit {limit})",
                nips.len()
            ),
            format!(
                "{who_pl} ma uprawnienia w kontekstach klientów: {} (limit: {limit})",
                nips.len()
            ),
        )
    })
}

fn grant_beyond_register(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let g = v.grant()?;
    let register = v.access_register()?;
    if !g.held_by_other() {
        return None;
    }
    let staff_id = grant_staff(v, g).map(|m| m.id.trim().to_lowercase());
    let keys = g.holder_keys();
    let nip = v.context_nip();
    let approved: BTreeSet<&GrantScope> = register
        .entries
        .iter()
        .filter(|e| e.nip == nip)
        .filter(|e| match &e.holder {
            AccessHolder::Identifier(id) => keys.iter().any(|k| same_holder(k, id)),
            AccessHolder::Staff(s) => staff_id.as_deref() == Some(s.trim().to_lowercase().as_str()),
        })
        .flat_map(|e| e.permissions.iter())
        .collect();
    if approved.contains(&g.scope) {
        return None;
    }
    Some(if approved.is_empty() {
        let who = describe_holder(g, grant_staff(v, g), false);
        let who_pl = describe_holder(g, grant_staff(v, g), true);
        Detail::new(
            format!("the access register approves nothing for {who} in this context"),
            format!(
                "rejestr dostępów nie zatwierdza w tym kontekście żadnego uprawnienia posiadacza: {who_pl}"
            ),
        )
    } else {
        let approved = approved
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Detail::new(
            format!(
                "{} beyond what the access register approves ({approved})",
                g.scope
            ),
            format!(
                "{} ponad to, co zatwierdza rejestr dostępów ({approved})",
                g.scope
            ),
        )
    })
}

/// The system a token serves: the inventory's `system`, else the software part of an
/// `Entity-Software-Environment-Year` description.
pub fn system_key(token: &TokenRecord, entry: Option<&InventoryEntry>) -> Option<String> {
    if let Some(s) = entry.and_then(|e| e.system.as_deref()) {
        return Some(s.trim().to_lowercase());
    }
    let parts: Vec<&str> = token.description.split('-').map(str::trim).collect();
    (parts.len() >= 3 && !parts[1].is_empty()).then(|| parts[1].to_lowercase())
}

/// `A, B` or `empty` for no permissions.
pub fn join_or(perms: &[Permission], empty: &str) -> String {
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

fn left_words(m: &StaffMember, pl: bool) -> String {
    match (m.left_on, pl) {
        (Some(d), false) => format!("left on {}", d.format("%Y-%m-%d")),
        (None, false) => "has left".into(),
        (Some(d), true) => format!("nie pracuje już w firmie (od {})", d.format("%d.%m.%Y")),
        (None, true) => "nie pracuje już w firmie".into(),
    }
}

/// Text quoted with ASCII quotes (`'Uwagi'`, as the inventory reader names a column) with
/// Polish quotation marks instead (`„Uwagi”`).
fn polish_quotes(text: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"'([^']*)'").expect("static regex compiles"));
    re.replace_all(text, "„$1”").into_owned()
}

/// The Polish words for a kind [`personal_data`] names.
fn personal_data_pl(kind: &str) -> &'static str {
    match kind {
        "an e-mail address" => "adres e-mail",
        "a PESEL number" => "numer PESEL",
        "a token-like string" => "ciąg wyglądający na token",
        _ => "dane osobowe",
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
    // A token the tool already redacted (`ref|nip-…|abcd…(64 chars) sha256:…`, e.g. in a
    // saved tokens JSON) still counts: the description held a token.
    let redacted_token = text.contains(" chars) sha256:");
    if token && (!find_tokens(text).is_empty() || hex64_regex().is_match(text) || redacted_token) {
        out.push("a token-like string");
    }
    out
}

/// A date parameter (`"2027-11-30"`), as rules and the config write it.
pub fn param_date(rule: &PolicyRule, name: &str) -> Option<NaiveDate> {
    let text = rule.parameters.get(name)?.as_str()?;
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Parameters that hold a date: checked when rules load and when the config overrides them.
pub const DATE_PARAMETERS: &[&str] = &["sunset"];

/// The staff member behind a certificate's subject identifier (PESEL, NIP or fingerprint),
/// or behind the owner its inventory row names.
fn certificate_leaver(v: &dyn SubjectView, c: &CertificateRecord) -> Option<Detail> {
    let id = GrantIdentifier::new(
        IdentifierType::from(c.subject_identifier.kind.as_str()),
        c.subject_identifier.value.as_str(),
    );
    if let Some(m) = v
        .staff_holder(&id)
        .filter(|m| m.status == StaffStatus::Left)
    {
        let who = m.name.as_deref().unwrap_or(&m.id);
        let subject = c.subject_identifier.masked();
        return Some(Detail::new(
            format!(
                "its subject {subject} is {who}, who {}",
                left_words(m, false)
            ),
            format!(
                "jego podmiot {subject} to {who}; ta osoba {}",
                left_words(m, true)
            ),
        ));
    }
    let owner = v.entry()?.owner.as_deref()?;
    let m = v.staff_owner(owner)?;
    (m.status == StaffStatus::Left).then(|| {
        let who = describe_person(m, owner);
        Detail::new(
            format!("its inventory owner {who} {}", left_words(m, false)),
            format!(
                "właściciel w ewidencji {who}: ta osoba {}",
                left_words(m, true)
            ),
        )
    })
}

fn certificate_subject_left(v: &dyn SubjectView, _: &PolicyRule) -> Option<Detail> {
    let c = v.certificate()?;
    certificate_leaver(v, c)
}

fn certificate_limit_low(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let limits = v.context_certificates()?.limits.as_ref()?;
    let min = rule.param_i64("min-remaining").unwrap_or(1);
    let low: Vec<(String, String)> = [
        ("enrolments", "wniosków", limits.enrollment),
        ("certificates", "certyfikatów", limits.certificate),
    ]
    .iter()
    .filter(|(_, _, l)| l.remaining <= min)
    .map(|(en, pl, l)| {
        let left = l.remaining.max(0);
        (
            format!("{left} of {} {en} left", l.limit),
            format!("pozostało {left} z {} {pl}", l.limit),
        )
    })
    .collect();
    (!low.is_empty()).then(|| {
        let (en, pl): (Vec<String>, Vec<String>) = low.into_iter().unzip();
        Detail::new(en.join(", "), pl.join(", "))
    })
}

/// Fires when the certificate's `validTo` is more than `after-days` and at most `days` days
/// away (to the second, so a certificate expiring later today still counts).
fn certificate_expires_within(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let c = v.certificate()?;
    let days = rule.param_i64("days")?;
    let after = rule.param_i64("after-days")?;
    let left = (c.valid_to - v.now()).num_seconds();
    const DAY: i64 = 86_400;
    (left > after * DAY && left <= days * DAY).then(|| {
        let to = c.valid_to.format("%Y-%m-%d %H:%M UTC");
        let to_pl = c.valid_to.format("%d.%m.%Y %H:%M UTC");
        let n = c.days_left(v.now());
        Detail::new(
            format!("valid to {to} ({n} days left)"),
            format!("ważny do {to_pl} ({})", ksef_model::days_left_pl(n.max(0))),
        )
    })
}

/// When an active token stops working: the announced sunset, or the token's own validity
/// end when KSeF lists one (an unknown future field such as `validTo`) and it is earlier.
pub fn token_end(t: &TokenRecord, sunset: NaiveDate) -> (NaiveDate, bool) {
    let own = ["validTo", "validUntil", "expirationDate", "expiresAt"]
        .iter()
        .filter_map(|k| t.extra.get(*k)?.as_str())
        .find_map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|d| d.date_naive())
                .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
                .ok()
        });
    match own {
        Some(d) if d < sunset => (d, true),
        _ => (sunset, false),
    }
}

/// Days until the token stops working, and the words for it.
fn token_sunset(v: &dyn SubjectView, rule: &PolicyRule) -> Option<(i64, Detail)> {
    let t = v.token()?;
    if !TokenStatus::is_live(&t.status) {
        return None;
    }
    let sunset = param_date(rule, "sunset")?;
    let (end, own) = token_end(t, sunset);
    let left = (end - v.now().date_naive()).num_days();
    let when = if own {
        format!("its own validity ends on {end} (KSeF lists it)")
    } else {
        format!("KSeF stops accepting tokens on {end} (announced, not yet law)")
    };
    let end_pl = end.format("%d.%m.%Y");
    let when_pl = if own {
        format!("jego własna ważność kończy się {end_pl} (podaje ją KSeF)")
    } else {
        format!("KSeF przestaje przyjmować tokeny {end_pl} (zapowiedź, jeszcze nie przepis)")
    };
    let words = match left {
        n if n < 0 => format!("{when}: {} days ago", -n),
        0 => format!("{when}: today"),
        1 => format!("{when}: 1 day left"),
        n => format!("{when}: {n} days left"),
    };
    let words_pl = match left {
        n if n < 0 => format!("{when_pl}: {} temu", ksef_model::days_pl(-n)),
        0 => format!("{when_pl}: dziś"),
        n => format!("{when_pl}: {}", ksef_model::days_left_pl(n)),
    };
    Some((left, Detail::new(words, words_pl)))
}

fn token_sunset_approaching(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let (left, words) = token_sunset(v, rule)?;
    let days = rule.param_i64("days")?;
    let near = rule.param_i64("near-days")?;
    (left <= days && left > near).then_some(words)
}

fn token_sunset_near(v: &dyn SubjectView, rule: &PolicyRule) -> Option<Detail> {
    let (left, words) = token_sunset(v, rule)?;
    let near = rule.param_i64("near-days")?;
    (left <= near).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_registered_name_is_found_and_unique() {
        let mut names = BTreeSet::new();
        for b in BUILTINS {
            assert!(names.insert(b.name), "{} registered twice", b.name);
            assert!(std::ptr::eq(find_builtin(b.name).expect("found"), b));
        }
        assert!(find_builtin("owner-lefft").is_none());
    }
}
