//! The words of a finding: placeholders of the rule's message, and the evidence line (what
//! was seen of the token and the inventory row, plus the built-ins' details).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::view::{Known, View, age_days, age_days_dt};
use crate::model::TokenStatus;
use crate::rule::policy::builtins::{join_or, personal_data, system_key};
use crate::rule::policy::{Field, PolicyRule, RawCondition, Subject};

impl View<'_> {
    pub(super) fn placeholder(&self, rule: &PolicyRule, key: &str, detail: &str) -> Option<String> {
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
            "grant-id" => self.grant.map_or(String::new(), |g| g.id.clone()),
            "grant-kind" => self.grant.map_or(String::new(), |g| g.kind.to_string()),
            "holder" => self.grant.map_or(String::new(), |g| g.holder.masked()),
            "holder-type" => self
                .grant
                .map_or(String::new(), |g| g.holder.kind.to_string()),
            "scope" => self.grant.map_or(String::new(), |g| g.scope.to_string()),
            "certificate-serial" => self.reference.clone(),
            "certificate-subject" => self
                .certificate()
                .map_or_else(|| "unknown".into(), |c| c.subject_identifier.masked()),
            "certificate-status" => self
                .certificate()
                .map_or_else(|| "not listed".into(), |c| c.status.to_string()),
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

    pub(super) fn evidence(&self, rule: &PolicyRule, details: &[String]) -> String {
        let fields = rule_fields(&rule.raw_when);
        let mut parts: Vec<String> = Vec::new();
        if rule.subject == Subject::Certificate {
            match self.certificate() {
                Some(c) => {
                    parts.push(format!(
                        "certificate {} ({}, {}): subject {}, valid {} to {}, {}",
                        c.certificate_serial_number,
                        c.kind,
                        c.status,
                        c.subject_identifier.masked(),
                        c.valid_from.format("%Y-%m-%d"),
                        c.valid_to.format("%Y-%m-%d"),
                        if c.never_used() {
                            "never used".to_string()
                        } else {
                            c.last_use_date.map_or_else(String::new, |d| {
                                format!("last used {}", d.format("%Y-%m-%d"))
                            })
                        }
                    ));
                }
                None => parts.push(format!(
                    "certificate {}: not on KSeF's certificate list of context {}",
                    self.reference, self.ctx.snap.nip
                )),
            }
            match self.entry {
                Some(e) => parts.push(format!(
                    "inventory row {}{}",
                    e.row,
                    e.owner
                        .as_deref()
                        .map(|o| format!(" (owner {o})"))
                        .unwrap_or_default()
                )),
                None => parts.push("not in the inventory".into()),
            }
            parts.extend(details.iter().cloned());
            return parts.join("; ");
        }
        if let Some(g) = self.grant {
            parts.push(format!(
                "grant {} ({}): {} {} holds {} since {}",
                g.id,
                g.kind,
                g.holder.kind,
                g.holder.masked(),
                g.scope,
                g.start_date.date_naive().format("%Y-%m-%d")
            ));
            if g.can_delegate {
                parts.push("may delegate (canDelegate)".into());
            }
            if let Some(t) = &g.target {
                parts.push(format!("target {} {}", t.kind, t.masked()));
            }
            parts.extend(details.iter().cloned());
            return parts.join("; ");
        }
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
