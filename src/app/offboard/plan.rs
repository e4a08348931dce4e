//! What a person can still do, derived from one listing of every context: the tokens they
//! authored (in use or not), the grants they hold, their KSeF certificates, and the
//! contexts that could not be read. Pure: the same function plans the dry run and
//! re-derives every action from the fresh listing `--yes` reads before acting.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use crate::app::revoke_plan::protected_grant;
use ksef_client::verify::AuditorIdentity;
use ksef_model::CertificateStatus;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::GrantIdentifier;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::IdentifierType;
use ksef_model::Inventory;
use ksef_model::OffboardAction;
use ksef_model::OffboardContext;
use ksef_model::OffboardItem;
use ksef_model::OffboardKind;
use ksef_model::OffboardResult;
use ksef_model::Permission;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::TokenRecord;
use ksef_model::TokenSnapshot;
use ksef_model::TokenStatus;
use ksef_model::same_holder;

/// Who may carry out an action the auditing credential can.
pub const BY_TOOL: &str = "ksef-audit (CredentialsManage)";

/// What the plan is derived from.
pub struct PlanInputs<'a> {
    pub snapshot: &'a TokenSnapshot,
    pub person: &'a StaffMember,
    pub staff: &'a [StaffMember],
    pub inventory: &'a Inventory,
    /// `[offboard] in-use-days`.
    pub in_use_days: u32,
    /// Days to rotate an in-use token (`[report.due-days] critical`).
    pub rotate_days: u32,
    pub now: DateTime<Utc>,
    /// The contexts the tool signs in to with a certificate.
    pub certificate_nips: &'a BTreeSet<String>,
    /// The auditing credential's identity per NIP (its own grants are never removed).
    pub identities: &'a BTreeMap<String, AuditorIdentity>,
}

/// The plan: contexts, items, and the grant records of the items to remove.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    pub contexts: Vec<OffboardContext>,
    pub items: Vec<OffboardItem>,
    /// `(nip, grant)` of every `Remove` item, for the removal call.
    pub grants: Vec<(String, GrantRecord)>,
}

/// The person's identifiers as KSeF names token authors and grant holders.
fn identifiers(person: &StaffMember) -> Vec<GrantIdentifier> {
    let mut ids = Vec::new();
    if let Some(p) = &person.pesel {
        ids.push(GrantIdentifier::pesel(p.clone()));
    }
    if let Some(f) = &person.fingerprint {
        ids.push(GrantIdentifier::new(IdentifierType::Fingerprint, f.clone()));
    }
    ids
}

/// Every context, token, grant and certificate of `inputs.person`.
pub fn derive(inputs: &PlanInputs) -> Derived {
    let ids = identifiers(inputs.person);
    let mut out = Derived::default();
    let mut serials = BTreeSet::new();
    for ctx in &inputs.snapshot.contexts {
        out.contexts.push(context(ctx, inputs.certificate_nips));
        for t in ctx.tokens.iter().filter(|t| authored(t, &ids)) {
            out.items.push(token_item(inputs, ctx, t));
        }
        grant_items(inputs, ctx, &ids, &mut out);
        for c in &ctx.certificates.list {
            let mine = c
                .subject_identifier
                .pesel()
                .is_some_and(|p| inputs.person.pesel.as_deref() == Some(p));
            let live = matches!(
                c.status,
                CertificateStatus::Active | CertificateStatus::Other(_)
            );
            if mine && live && serials.insert(c.certificate_serial_number.clone()) {
                out.items.push(certificate_item(ctx, c, inputs));
            }
        }
    }
    out
}

fn context(ctx: &ContextSnapshot, certificate_nips: &BTreeSet<String>) -> OffboardContext {
    let complete = ctx.status == ContextStatus::Complete;
    OffboardContext {
        nip: ctx.nip.clone(),
        name: ctx.name.clone(),
        status: if complete { "complete" } else { "incomplete" }.into(),
        reason: (!complete).then(|| {
            ctx.reason
                .clone()
                .unwrap_or_else(|| "the context could not be read in full".into())
        }),
        reason_code: (!complete).then(|| ctx.reason_code.clone()).flatten(),
        signed_in_with: if certificate_nips.contains(&ctx.nip) {
            "certificate"
        } else {
            "token"
        }
        .into(),
    }
}

/// An Active or Pending token (or a status this version does not know) authored by the
/// person's PESEL or certificate fingerprint.
fn authored(t: &TokenRecord, ids: &[GrantIdentifier]) -> bool {
    let live = matches!(
        t.status,
        TokenStatus::Active | TokenStatus::Pending | TokenStatus::Other(_)
    );
    let author = GrantIdentifier::new(
        IdentifierType::from(t.author_identifier.kind.as_str()),
        t.author_identifier.value.clone(),
    );
    live && ids.iter().any(|id| same_holder(id, &author))
}

/// Who can revoke a token or remove a grant in `ctx`: the tool when its credential has
/// CredentialsManage, else whoever holds it there (named by staff id, else masked).
fn who_can(inputs: &PlanInputs, ctx: &ContextSnapshot) -> String {
    let holders = managers(inputs, ctx);
    let others = match holders.is_empty() {
        true => "a holder of CredentialsManage in this context".to_string(),
        false => format!("a holder of CredentialsManage here: {}", holders.join(", ")),
    };
    match &ctx.auditor_permissions {
        Some(p) if p.contains(&Permission::CredentialsManage) => BY_TOOL.into(),
        Some(_) => format!("{others} (the auditing credential lacks it)"),
        None => format!("ksef-audit if its credential holds CredentialsManage here, else {others}"),
    }
}

/// The holders of CredentialsManage in `ctx` other than the person, at most three: a staff
/// member by id, the firm itself by NIP, anyone else masked.
fn managers(inputs: &PlanInputs, ctx: &ContextSnapshot) -> Vec<String> {
    let person = identifiers(inputs.person);
    let mut out: Vec<String> = Vec::new();
    for g in ctx
        .grants
        .iter()
        .filter(|g| g.scope == GrantScope::CredentialsManage)
    {
        let keys = g.holder_keys();
        if keys
            .iter()
            .any(|k| person.iter().any(|p| same_holder(p, k)))
        {
            continue;
        }
        let staff = inputs.staff.iter().find(|s| {
            identifiers(s)
                .iter()
                .any(|id| keys.iter().any(|k| same_holder(id, k)))
        });
        let name = match staff {
            Some(s) => s.id.clone(),
            None if g.holder.kind == IdentifierType::Nip && g.holder.value() == ctx.nip => {
                format!("the firm itself (NIP {})", ctx.nip)
            }
            None => format!("{} {}", g.holder.kind, g.holder.masked()),
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.len() > 3 {
        let more = out.len() - 3;
        out.truncate(3);
        out.push(format!("{more} more"));
    }
    out
}

fn token_item(inputs: &PlanInputs, ctx: &ContextSnapshot, t: &TokenRecord) -> OffboardItem {
    let permission = t
        .requested_permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut item = OffboardItem {
        kind: OffboardKind::Token,
        nip: ctx.nip.clone(),
        reference_number: Some(t.reference_number.clone()),
        grant_id: None,
        certificate_serial: None,
        permission,
        action: OffboardAction::Revoke,
        result: OffboardResult::Planned,
        who_can: who_can(inputs, ctx),
        owner: None,
        system: None,
        due: None,
        note: String::new(),
    };
    if ctx.auditor_reference.as_deref() == Some(t.reference_number.as_str()) {
        item.action = OffboardAction::Keep;
        item.result = OffboardResult::Left;
        item.note = "this is the credential ksef-audit signs in with for this context: replace it with a token of a current employee, then revoke it by hand".into();
        return item;
    }
    let entry = inputs
        .inventory
        .entries
        .iter()
        .find(|e| e.nip == ctx.nip && e.reference_number == t.reference_number);
    let colleague = entry
        .and_then(|e| e.owner.as_deref())
        .and_then(|owner| active_colleague(inputs, owner));
    let since = inputs.now - Duration::days(i64::from(inputs.in_use_days));
    let recently = t.last_use_date.filter(|d| *d >= since);
    if colleague.is_none() && recently.is_none() {
        item.note = match entry.and_then(|e| e.owner.as_deref()) {
            Some(_) => format!(
                "not in use: its inventory owner is not an active colleague and it was not used in the last {} days",
                inputs.in_use_days
            ),
            None => format!(
                "not in use: nobody owns it in the inventory and it was not used in the last {} days",
                inputs.in_use_days
            ),
        };
        return item;
    }
    item.action = OffboardAction::RotateThenRevoke;
    item.owner = colleague
        .map(|c| c.id.clone())
        .or_else(|| entry.and_then(|e| e.owner.clone()))
        .filter(|o| !o.trim().eq_ignore_ascii_case(&inputs.person.id));
    item.system = entry
        .and_then(|e| e.system.clone())
        .or_else(|| Some(t.description.clone()).filter(|d| !d.trim().is_empty()));
    item.due = Some((inputs.now + Duration::days(i64::from(inputs.rotate_days))).date_naive());
    let why = match (colleague, recently) {
        (Some(c), Some(d)) => format!(
            "in use: {} owns it in the inventory and it was used on {}",
            c.id,
            d.date_naive()
        ),
        (Some(c), None) => format!("in use: {} owns it in the inventory", c.id),
        (None, Some(d)) => format!("in use: it was used on {}", d.date_naive()),
        (None, None) => String::new(),
    };
    item.note = format!(
        "{why}; the person may have kept a copy of its secret, so it must be replaced, not kept: rotate: {} replaces it in {}, then revoke",
        item.owner.as_deref().unwrap_or("its owner"),
        item.system.as_deref().unwrap_or("the system that uses it"),
    );
    item
}

/// An active member of staff other than the person, named by the inventory's `owner`.
fn active_colleague<'a>(inputs: &PlanInputs<'a>, owner: &str) -> Option<&'a StaffMember> {
    inputs.staff.iter().find(|s| {
        s.status == StaffStatus::Active
            && s.id != inputs.person.id
            && (s.id.eq_ignore_ascii_case(owner.trim())
                || s.name.as_deref().is_some_and(|n| n == owner.trim()))
    })
}

fn grant_items(
    inputs: &PlanInputs,
    ctx: &ContextSnapshot,
    ids: &[GrantIdentifier],
    out: &mut Derived,
) {
    let held: Vec<&GrantRecord> = ctx
        .grants
        .iter()
        .filter(|g| {
            g.holder_keys()
                .iter()
                .any(|k| ids.iter().any(|id| same_holder(id, k)))
        })
        .collect();
    let removing: BTreeSet<String> = held.iter().map(|g| g.id.clone()).collect();
    for g in held {
        let mut others = removing.clone();
        others.remove(&g.id);
        let own = inputs
            .identities
            .get(&ctx.nip)
            .is_some_and(|i| matches!(i, AuditorIdentity::Known(_)) && i.may_hold(g));
        let protected = if own {
            Some("it is the access ksef-audit itself works with in this context; remove it by hand once another credential is in place".to_string())
        } else {
            protected_grant(ctx, g, &others)
        };
        let mut item = OffboardItem {
            kind: OffboardKind::Grant,
            nip: ctx.nip.clone(),
            reference_number: None,
            grant_id: Some(g.id.clone()),
            certificate_serial: None,
            permission: g.scope.to_string(),
            action: OffboardAction::Remove,
            result: OffboardResult::Planned,
            who_can: who_can(inputs, ctx),
            owner: None,
            system: None,
            due: None,
            note: match &g.target {
                Some(t) => format!(
                    "given through an intermediary, for {} {}",
                    t.kind,
                    t.masked()
                ),
                None => String::new(),
            },
        };
        match protected {
            Some(reason) => {
                item.action = OffboardAction::Keep;
                item.result = OffboardResult::Left;
                item.note = reason;
            }
            None => out.grants.push((ctx.nip.clone(), g.clone())),
        }
        out.items.push(item);
    }
}

fn certificate_item(
    ctx: &ContextSnapshot,
    c: &ksef_model::CertificateRecord,
    inputs: &PlanInputs,
) -> OffboardItem {
    OffboardItem {
        kind: OffboardKind::Certificate,
        nip: ctx.nip.clone(),
        reference_number: None,
        grant_id: None,
        certificate_serial: Some(c.certificate_serial_number.clone()),
        permission: c.kind.to_string(),
        action: OffboardAction::OwnerRevokes,
        result: OffboardResult::Left,
        who_can: format!("only its owner, {}", inputs.person.id),
        owner: Some(inputs.person.id.clone()),
        system: None,
        due: None,
        note: format!(
            "KSeF lets only the certificate's owner revoke it, and it carries every right the person holds in every context until {}: the owner signs in to KSeF (the taxpayer application, with the certificate or a trusted profile), opens the certificates list and revokes serial {}; ask for it before their last day, then run offboard again to confirm it is gone",
            c.valid_to.date_naive(),
            c.certificate_serial_number
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIP: &str = "5265877635";
    const FP: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    fn token(n: u32, author: (&str, &str), used_days_ago: Option<i64>) -> serde_json::Value {
        let now = Utc::now();
        serde_json::json!({
            "referenceNumber": format!("R{n}"),
            "authorIdentifier": {"type": author.0, "value": author.1},
            "contextIdentifier": {"type": "Nip", "value": NIP},
            "description": "Optima", "requestedPermissions": ["InvoiceWrite"],
            "dateCreated": now.to_rfc3339(), "status": "Active",
            "lastUseDate": used_days_ago.map(|d| (now - Duration::days(d)).to_rfc3339()),
        })
    }

    fn grant(id: &str, holder: (&str, &str), scope: &str, target: bool) -> serde_json::Value {
        let mut g = serde_json::json!({
            "id": id, "kind": "Person", "holder": {"type": holder.0, "value": holder.1},
            "scope": scope, "startDate": "2025-06-01T08:00:00Z",
        });
        if target {
            g["target"] = serde_json::json!({"type": "Nip", "value": "7762811692"});
        }
        g
    }

    /// One context of `NIP` whose auditing credential has `auditor`.
    fn snapshot(
        auditor: &str,
        tokens: Vec<serde_json::Value>,
        grants: Vec<serde_json::Value>,
    ) -> TokenSnapshot {
        serde_json::from_value(serde_json::json!({
            "schema_version": 1, "kind": "ksef-audit/tokens", "tool_version": "0",
            "environment": {"label": "test", "base_url": "http://x"},
            "fetched_at": Utc::now().to_rfc3339(),
            "contexts": [{
                "nip": NIP, "environment": "test", "status": "complete",
                "fetched_at": Utc::now().to_rfc3339(),
                "auditor_permissions": [auditor],
                "tokens": tokens,
                "grants": grants,
            }],
        }))
        .expect("snapshot")
    }

    fn plan(snapshot: &TokenSnapshot, person: &StaffMember, staff: &[StaffMember]) -> Derived {
        derive(&PlanInputs {
            snapshot,
            person,
            staff,
            inventory: &Inventory::default(),
            in_use_days: 30,
            rotate_days: 7,
            now: Utc::now(),
            certificate_nips: &BTreeSet::new(),
            identities: &BTreeMap::new(),
        })
    }

    #[test]
    fn fingerprints_intermediaries_recent_use_and_the_last_manager_are_judged() {
        let snapshot = snapshot(
            "CredentialsManage",
            vec![
                token(1, ("Fingerprint", &FP.to_uppercase()), None),
                token(2, ("Pesel", "85010112345"), Some(5)),
                token(3, ("Pesel", "88020212344"), None),
            ],
            vec![
                grant("g1", ("Fingerprint", FP), "InvoiceRead", true),
                grant("g2", ("Pesel", "85010112345"), "CredentialsManage", false),
            ],
        );
        let person = StaffMember {
            row: 2,
            id: "jan@firma.pl".into(),
            name: None,
            pesel: Some("85010112345".into()),
            nip: None,
            fingerprint: Some(FP.into()),
            status: StaffStatus::Left,
            left_on: None,
        };
        let derived = plan(&snapshot, &person, std::slice::from_ref(&person));
        let got: Vec<(String, OffboardAction)> = derived
            .items
            .iter()
            .map(|i| {
                let key = i.reference_number.clone().or(i.grant_id.clone());
                (key.unwrap_or_default(), i.action)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("R1".into(), OffboardAction::Revoke),
                ("R2".into(), OffboardAction::RotateThenRevoke),
                ("g1".into(), OffboardAction::Remove),
                ("g2".into(), OffboardAction::Keep),
            ]
        );
        assert!(
            derived.items[2].note.contains("intermediary"),
            "{:?}",
            derived.items[2]
        );
        assert!(derived.items[3].note.contains("last CredentialsManage"));
        assert_eq!(
            derived.items[1].owner, None,
            "the person is no owner to rotate it"
        );
        assert_eq!(derived.grants.len(), 1, "only g1 is removed");
        assert_eq!(derived.items[0].who_can, BY_TOOL);
    }

    #[test]
    fn without_credentials_manage_the_plan_names_who_holds_it_without_a_pesel() {
        let snapshot = snapshot(
            "CredentialsRead",
            vec![token(1, ("Pesel", "85010112345"), None)],
            vec![
                grant("g1", ("Pesel", "88020212344"), "CredentialsManage", false),
                grant("g2", ("Nip", NIP), "CredentialsManage", false),
                grant("g3", ("Pesel", "92071512346"), "CredentialsManage", false),
            ],
        );
        let member = |id: &str, pesel: &str, status| StaffMember {
            row: 2,
            id: id.into(),
            name: None,
            pesel: Some(pesel.into()),
            nip: None,
            fingerprint: None,
            status,
            left_on: None,
        };
        let staff = vec![
            member("jan@firma.pl", "85010112345", StaffStatus::Left),
            member("anna@firma.pl", "88020212344", StaffStatus::Active),
        ];
        let derived = plan(&snapshot, &staff[0], &staff);
        let who = &derived.items[0].who_can;
        assert!(who.contains("anna@firma.pl"), "{who}");
        assert!(
            who.contains(&format!("the firm itself (NIP {NIP})")),
            "{who}"
        );
        assert!(who.contains("lacks it"), "{who}");
        assert!(
            !who.contains("92071512346") && !who.contains("88020212344"),
            "{who}"
        );
    }
}
