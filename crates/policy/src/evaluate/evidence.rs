//! The words of a finding: placeholders of the rule's message, and the evidence line (what
//! was seen of the token and the inventory row, plus the built-ins' details).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::evaluate::view::Known;
use crate::evaluate::view::View;
use crate::evaluate::view::age_days;
use crate::evaluate::view::age_days_dt;
use crate::rule::Field;
use crate::rule::PolicyRule;
use crate::rule::RawCondition;
use crate::rule::Subject;
use crate::rule::builtins::Detail;
use crate::rule::builtins::join_or;
use crate::rule::builtins::personal_data;
use crate::rule::builtins::system_key;
use ksef_model::GrantRecord;
use ksef_model::TokenStatus;
use ksef_model::days_pl;

impl View<'_> {
    /// The value of a message placeholder; `pl`: the words it falls back on in Polish.
    pub(super) fn placeholder(
        &self,
        rule: &PolicyRule,
        key: &str,
        detail: &str,
        pl: bool,
    ) -> Option<String> {
        let t = self.token();
        let e = self.entry;
        let date = |d: NaiveDate| person_date(d, pl);
        let w = |en: &str, polish: &str| if pl { polish } else { en }.to_string();
        Some(match key {
            "nip" => self.ctx.snap.nip.clone(),
            "reference" => self.reference.clone(),
            "owner" => e
                .and_then(|e| e.owner.clone())
                .unwrap_or_else(|| w("no owner", "brak właściciela")),
            "status" => t.map_or(w("unknown", "nieznany"), |t| match pl {
                true => t.status.polish().to_string(),
                false => t.status.to_string(),
            }),
            "system" => e
                .and_then(|e| e.system.clone())
                .or_else(|| t.and_then(|t| system_key(t, None)))
                .unwrap_or_else(|| w("unknown system", "nieznany system")),
            "environment" => self.ctx.snap.environment.clone(),
            "inventory-environment" => e
                .and_then(|e| e.environment.clone())
                .unwrap_or_else(|| w("none", "brak")),
            "permissions" => t.map_or(String::new(), |t| {
                join_or(&t.requested_permissions, &w("none", "brak"))
            }),
            "created" => t.map_or(String::new(), |t| date(t.date_created.date_naive())),
            "last-used" => t
                .and_then(|t| t.last_use_date)
                .map_or(w("never", "nigdy"), |d| date(d.date_naive())),
            "expires" => e.and_then(|e| e.expires).map_or(w("none", "brak"), date),
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
            "grant-id" => self.grant.map_or(String::new(), |g| g.id.clone()),
            "grant-kind" => self.grant.map_or(String::new(), |g| g.kind.to_string()),
            "holder" => self.grant.map_or(String::new(), |g| g.holder.masked()),
            "holder-type" => self
                .grant
                .map_or(String::new(), |g| g.holder.kind.label(pl).to_string()),
            "scope" => self.grant.map_or(String::new(), |g| g.scope.to_string()),
            "certificate-serial" => self.reference.clone(),
            "certificate-subject" => self.certificate().map_or_else(
                || w("unknown", "nieznany"),
                |c| c.subject_identifier.masked(),
            ),
            "certificate-status" => self.certificate().map_or_else(
                || w("not listed", "niewykazany"),
                |c| match pl {
                    true => c.status.polish().to_string(),
                    false => c.status.to_string(),
                },
            ),
            "valid-to" => self
                .certificate()
                .map_or(String::new(), |c| date(c.valid_to.date_naive())),
            "days-left" => self
                .certificate()
                .map_or(String::new(), |c| c.days_left(self.now).to_string()),
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

    /// The evidence line: what was seen of the grant, or of the token and its inventory row,
    /// then the built-ins' details; in Polish when `pl`.
    pub(super) fn evidence(&self, rule: &PolicyRule, details: &[Detail], pl: bool) -> String {
        let mut parts = if rule.subject == Subject::Certificate {
            let mut parts = vec![self.certificate_evidence(pl)];
            parts.push(self.certificate_row_evidence(pl));
            parts
        } else if let Some(g) = self.grant {
            grant_evidence(g, pl)
        } else {
            let fields = rule_fields(&rule.raw_when);
            let mut parts = self.token_evidence(&fields, pl);
            parts.extend(self.entry_evidence(rule, &fields, pl));
            parts
        };
        parts.extend(details.iter().map(|d| d.text(pl).to_string()));
        parts.join("; ")
    }

    /// The certificate as KSeF lists it, or that KSeF does not list it.
    fn certificate_evidence(&self, pl: bool) -> String {
        let w = words(pl);
        let Some(c) = self.certificate() else {
            return format!(
                "{} {}: {} {}",
                w("certificate", "certyfikat"),
                self.reference,
                w(
                    "not on KSeF's certificate list of context",
                    "nie ma go na liście certyfikatów KSeF kontekstu"
                ),
                self.ctx.snap.nip
            );
        };
        let used = if c.never_used() {
            w("never used", "nigdy nieużyty").to_string()
        } else {
            c.last_use_date.map_or_else(String::new, |d| {
                format!(
                    "{} {}",
                    w("last used", "ostatnio użyty"),
                    person_date(d.date_naive(), pl)
                )
            })
        };
        format!(
            "{} {} ({}, {}): {} {}, {} {} {} {}, {used}",
            w("certificate", "certyfikat"),
            c.certificate_serial_number,
            if pl { c.kind.polish() } else { c.kind.as_str() },
            if pl {
                c.status.polish()
            } else {
                c.status.as_str()
            },
            w("subject", "podmiot"),
            c.subject_identifier.masked(),
            w("valid", "ważny od"),
            person_date(c.valid_from.date_naive(), pl),
            w("to", "do"),
            person_date(c.valid_to.date_naive(), pl),
        )
    }

    /// The certificate's inventory row and its owner, or that the inventory lacks it.
    fn certificate_row_evidence(&self, pl: bool) -> String {
        let w = words(pl);
        match self.entry {
            Some(e) => format!(
                "{}{}",
                w("inventory row {row}", "wiersz {row} ewidencji")
                    .replace("{row}", &e.row.to_string()),
                e.owner
                    .as_deref()
                    .map(|o| format!(" ({} {o})", w("owner", "właściciel")))
                    .unwrap_or_default()
            ),
            None => w("not in the inventory", "brak w ewidencji").into(),
        }
    }

    /// What was seen of the token: status, creation, last use, and the permissions and
    /// description when the rule looks at them.
    fn token_evidence(&self, fields: &BTreeSet<Field>, pl: bool) -> Vec<String> {
        let w = words(pl);
        let mut parts = Vec::new();
        match self.token {
            Known::Yes(t) => {
                if t.status != TokenStatus::Active {
                    let status = if pl {
                        t.status.polish()
                    } else {
                        t.status.as_str()
                    };
                    parts.push(format!("{} {status}", w("status", "status")));
                }
                let created = t.date_created;
                parts.push(format!(
                    "{} {}, {}",
                    w("created", "utworzony"),
                    person_date(created.date_naive(), pl),
                    ago(age_days_dt(self.now, created), pl)
                ));
                parts.push(match t.last_use_date {
                    Some(d) => format!(
                        "{} {}, {}",
                        w("last used", "ostatnio użyty"),
                        person_date(d.date_naive(), pl),
                        ago(age_days_dt(self.now, d), pl)
                    ),
                    None => w("never used", "nigdy nieużyty").into(),
                });
                if fields.contains(&Field::TokenPermissions) {
                    parts.push(format!(
                        "{} {}",
                        w("permissions", "uprawnienia"),
                        join_or(&t.requested_permissions, w("none", "brak"))
                    ));
                }
                if fields.contains(&Field::TokenDescription) {
                    parts.push(description_evidence(&t.description, pl));
                }
            }
            Known::No => parts.push(
                w(
                    "KSeF lists no token {reference} in context {nip}",
                    "KSeF nie wykazuje tokena {reference} w kontekście {nip}",
                )
                .replace("{reference}", &self.reference)
                .replace("{nip}", &self.ctx.snap.nip),
            ),
            Known::Unknown => {}
        }
        parts
    }

    /// What was seen of the inventory row: the row, its owner and planned expiry when the
    /// rule looks at them, or that the inventory lacks the credential.
    fn entry_evidence(&self, rule: &PolicyRule, fields: &BTreeSet<Field>, pl: bool) -> Vec<String> {
        let w = words(pl);
        let row = |en: &'static str, polish: &'static str, row: usize| {
            w(en, polish).replace("{row}", &row.to_string())
        };
        let mut parts = Vec::new();
        match self.entry {
            None if rule.subject == Subject::Credential && fields.contains(&Field::Inventory) => {
                parts.push(w("not in the inventory", "brak w ewidencji").into())
            }
            None => {}
            Some(e) => {
                if rule.subject == Subject::InventoryEntry {
                    parts.push(row("inventory row {row}", "wiersz {row} ewidencji", e.row));
                }
                if fields.contains(&Field::InventoryOwner) {
                    parts.push(match &e.owner {
                        Some(o) => format!("{} {o}", w("owner", "właściciel")),
                        None => row(
                            "inventory row {row} names no owner",
                            "wiersz {row} ewidencji nie wskazuje właściciela",
                            e.row,
                        ),
                    });
                }
                if fields.contains(&Field::InventoryExpires) {
                    parts.push(match e.expires {
                        Some(d) => self.expiry_evidence(d, pl),
                        None => row(
                            "inventory row {row} has no planned expiry",
                            "wiersz {row} ewidencji nie ma planowanej daty wygaśnięcia",
                            e.row,
                        ),
                    });
                }
            }
        }
        parts
    }

    /// The planned expiry of the inventory row and how far it is.
    fn expiry_evidence(&self, d: NaiveDate, pl: bool) -> String {
        let w = words(pl);
        let when = match age_days(self.now, d) {
            0 => w("today", "dziś").to_string(),
            a if a > 0 => format!("{} {}", w("passed", "termin minął"), ago(a, pl)),
            a => ago(a, pl),
        };
        format!(
            "{} {} ({when})",
            w("planned expiry", "planowane wygaśnięcie"),
            person_date(d, pl)
        )
    }
}

/// The grant: id, kind, holder, scope and start, delegation and target.
fn grant_evidence(g: &GrantRecord, pl: bool) -> Vec<String> {
    let w = words(pl);
    let mut parts = vec![
        w(
            "grant {id} ({kind}): {type} {holder} holds {scope} since {date}",
            "nadanie {id} ({kind}): {type} {holder} ma {scope} od {date}",
        )
        .replace("{id}", &g.id)
        .replace("{kind}", if pl { g.kind.polish() } else { g.kind.as_str() })
        .replace("{type}", g.holder.kind.label(pl))
        .replace("{holder}", &g.holder.masked())
        .replace("{scope}", &g.scope.to_string())
        .replace("{date}", &person_date(g.start_date.date_naive(), pl)),
    ];
    if g.can_delegate {
        parts.push(
            w(
                "may delegate (canDelegate)",
                "może przekazywać dalej (canDelegate)",
            )
            .into(),
        );
    }
    if let Some(t) = &g.target {
        // A target without a value (`AllPartners`) is named by its type alone.
        let value = t.masked();
        parts.push(match (pl, value == t.kind.as_str()) {
            (false, _) => format!("target {} {value}", t.kind),
            (true, true) => format!("dotyczy: {}", t.kind.label(true)),
            (true, false) => format!("dotyczy: {} {value}", t.kind.label(true)),
        });
    }
    parts
}

/// The token's description, unless it holds personal data.
fn description_evidence(description: &str, pl: bool) -> String {
    if personal_data(description, true, true, true).is_empty() {
        match pl {
            true => format!("opis „{description}”"),
            false => format!("description '{description}'"),
        }
    } else {
        words(pl)(
            "description not shown (it holds personal data)",
            "opisu nie pokazano (zawiera dane osobowe)",
        )
        .into()
    }
}

/// The one place the evidence words live, in both languages: `w(english, polish)`.
fn words(pl: bool) -> impl Fn(&'static str, &'static str) -> &'static str {
    move |en, polish| if pl { polish } else { en }
}

/// How long ago (or, negative, how far ahead) `n` days are: `3 days ago`, `za 3 dni`.
fn ago(n: i64, pl: bool) -> String {
    match (n, pl) {
        (0, false) => "today".to_string(),
        (0, true) => "dziś".to_string(),
        (1, true) => "wczoraj".to_string(),
        (-1, true) => "jutro".to_string(),
        (1, false) => "1 day ago".to_string(),
        (n, false) if n < 0 => format!("in {} days", -n),
        (n, false) => format!("{n} days ago"),
        (n, true) if n < 0 => format!("za {}", days_pl(-n)),
        (n, true) => format!("{} temu", days_pl(n)),
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

/// A date in a finding's words: ISO (`2026-11-30`) in English, `30.11.2026` in Polish
/// (docs/polish.md).
fn person_date(d: NaiveDate, pl: bool) -> String {
    let format = if pl { "%d.%m.%Y" } else { "%Y-%m-%d" };
    d.format(format).to_string()
}
