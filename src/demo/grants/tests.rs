use std::collections::{HashMap, HashSet};

use super::*;
use crate::demo::demo_firm;
use ksef_model::validate_nip;

fn now() -> DateTime<Utc> {
    "2026-03-01T09:00:00Z".parse().expect("date")
}

#[test]
fn every_demo_client_has_grants_and_the_fixture_stays_valid() {
    let mut fixture = demo_firm(now());
    add_demo_grants(&mut fixture, now());
    assert!(fixture.contexts.iter().all(|c| !c.grants.is_empty()));
    fixture.validate().expect("valid fixture");
    assert_eq!(demo_grants(now()), demo_grants(now()), "deterministic");
    let ids: HashSet<String> = demo_grants(now())
        .into_iter()
        .flat_map(|(_, g)| g.into_iter().map(|g| g.id))
        .collect();
    assert_eq!(
        ids.len(),
        demo_grants(now())
            .iter()
            .map(|(_, g)| g.len())
            .sum::<usize>()
    );
    for nip in [
        RETAILER_NIP,
        TAX_REPRESENTATIVE_NIP,
        HOTEL_NIP,
        ACCOUNTING_FIRM_NIP,
    ] {
        validate_nip(nip).expect("valid NIP");
    }
}

#[test]
fn the_demo_has_every_case_the_grant_rules_look_for() {
    let people = demo_people();
    let leavers: HashSet<&str> = people
        .iter()
        .filter(|p| p.left_days_ago.is_some())
        .map(|p| p.pesel.as_str())
        .collect();
    let known: HashSet<&str> = people.iter().map(|p| p.pesel.as_str()).collect();
    let all: Vec<(String, GrantRecord)> = demo_grants(now())
        .into_iter()
        .flat_map(|(nip, g)| g.into_iter().map(move |g| (nip.clone(), g)))
        .collect();
    let held_by_leaver = |g: &GrantRecord| {
        g.holder_identity()
            .is_some_and(|i| leavers.contains(i.value()))
    };
    assert!(all.iter().any(|(_, g)| held_by_leaver(g)
        && g.scope == GrantScope::CredentialsManage
        && g.kind == GrantKind::Person));
    assert!(
        all.iter()
            .any(|(_, g)| g.holder.kind == IdentifierType::Pesel
                && !known.contains(g.holder.value())
                && g.holder.value() == DEMO_STRANGER_PESEL)
    );
    assert!(all.iter().any(|(_, g)| g.can_delegate));
    assert!(all.iter().any(|(_, g)| g.reaches_all_partners()));
    assert!(all.iter().any(|(_, g)| g.is_fingerprint_only()));
    assert!(
        all.iter()
            .any(|(_, g)| g.holder.kind == IdentifierType::Fingerprint && !g.is_fingerprint_only())
    );
    assert!(
        all.iter()
            .any(|(_, g)| g.kind == GrantKind::AuthorizationGranted)
    );
    assert!(all.iter().any(|(_, g)| g.kind == GrantKind::Entity));
    let mut managers: HashMap<&str, usize> = HashMap::new();
    for (nip, g) in &all {
        if g.scope == GrantScope::CredentialsManage {
            *managers.entry(nip).or_default() += 1;
        }
    }
    assert_eq!(managers.get(TRANSBUD), Some(&3));
}
