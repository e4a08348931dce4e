//! Items: the findings as a person acts on them. One rule in one context with the
//! credentials it affects; one person who left with every access they keep (and the command
//! that offboards them); one item for a starter inventory; one item for certificates when the
//! inventory lists none. The per-credential findings stay in the document beside them.

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use ksef_model::AuditContext;
use ksef_model::AuditFinding;
use ksef_model::AuditItem;
use ksef_model::FindingSubject;
use ksef_model::Inventory;
use ksef_model::ItemKind;
use ksef_model::StaffMember;
use ksef_model::StaffStatus;
use ksef_model::mask_pesel;
use ksef_model::pesel_key;

use crate::rule::PolicyRule;

/// Rules whose finding means a person who left still has access: gathered per person.
pub const LEAVER_RULES: &[&str] = &[
    "grant-held-by-leaver",
    "read-grant-held-by-leaver",
    "author-left",
    "owner-left",
    "certificate-of-leaver",
];

/// Rules a starter inventory (most rows without owner or planned expiry) raises on every row.
const INVENTORY_RULES: &[&str] = &["missing-owner", "no-planned-expiry"];

/// Raised per certificate; one firm-wide item when the inventory names no certificate at all.
const CERTIFICATE_NOT_IN_INVENTORY: &str = "certificate-not-in-inventory";

/// What items are computed from.
pub struct ItemInput<'a> {
    /// Sorted as in the document (severity first); excepted findings are left out.
    pub findings: &'a [AuditFinding],
    pub contexts: &'a [AuditContext],
    pub rules: &'a [&'a PolicyRule],
    pub staff: &'a [StaffMember],
    pub inventory: &'a Inventory,
}

/// The items of `input`, most severe first (then by rule id, context, person).
pub fn items(input: &ItemInput<'_>) -> Vec<AuditItem> {
    let active: Vec<&AuditFinding> = input.findings.iter().filter(|f| !f.excepted).collect();
    let starter = starter_inventory(input.inventory);
    let no_certificates = input.inventory.certificate_entries.is_empty();
    let mut people: BTreeMap<String, (&StaffMember, Vec<&AuditFinding>)> = BTreeMap::new();
    let mut by_rule: BTreeMap<(String, String), Vec<&AuditFinding>> = BTreeMap::new();
    let mut inventory: Vec<&AuditFinding> = Vec::new();
    for f in active {
        if LEAVER_RULES.contains(&f.rule.as_str())
            && let Some(person) = leaver(f, input)
        {
            people
                .entry(person.id.clone())
                .or_insert_with(|| (person, Vec::new()))
                .1
                .push(f);
        } else if starter.is_some() && INVENTORY_RULES.contains(&f.rule.as_str()) {
            inventory.push(f);
        } else if no_certificates && f.rule == CERTIFICATE_NOT_IN_INVENTORY {
            by_rule
                .entry((f.rule.clone(), String::new()))
                .or_default()
                .push(f);
        } else {
            by_rule
                .entry((f.rule.clone(), f.nip.clone()))
                .or_default()
                .push(f);
        }
    }
    let mut out: Vec<AuditItem> = by_rule
        .into_values()
        .map(|members| rule_item(&members, input.rules))
        .collect();
    out.extend(
        people
            .into_values()
            .map(|(person, members)| person_item(person, &members)),
    );
    if let Some((no_owner, no_expiry)) = starter
        && !inventory.is_empty()
    {
        out.push(inventory_item(&inventory, no_owner, no_expiry));
    }
    sort_items(&mut out);
    out
}

/// Sorts items: severity (highest first), rule ids, context, person.
pub fn sort_items(items: &mut [AuditItem]) {
    items.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule_ids.cmp(&b.rule_ids))
            .then_with(|| a.nip.cmp(&b.nip))
            .then_with(|| a.person.cmp(&b.person))
    });
}

/// `Some((rows without owner, rows without planned expiry))` when most rows of the
/// inventory lack one of them: a starter inventory nobody has filled in yet.
fn starter_inventory(inventory: &Inventory) -> Option<(usize, usize)> {
    let rows = inventory.entries.len();
    let no_owner = inventory
        .entries
        .iter()
        .filter(|e| e.owner.as_deref().is_none_or(|o| o.trim().is_empty()))
        .count();
    let no_expiry = inventory
        .entries
        .iter()
        .filter(|e| e.expires.is_none())
        .count();
    (rows > 0 && (no_owner * 2 > rows || no_expiry * 2 > rows)).then_some((no_owner, no_expiry))
}

/// Rule names and ids of `members`, most severe first, without repeats.
fn rules_of(members: &[&AuditFinding]) -> (Vec<String>, Vec<String>) {
    let mut sorted = members.to_vec();
    sorted.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule_id.cmp(&b.rule_id)));
    let mut names = Vec::new();
    let mut ids = Vec::new();
    for f in sorted {
        if !names.contains(&f.rule) {
            names.push(f.rule.clone());
            ids.push(f.rule_id.clone());
        }
    }
    (names, ids)
}

/// What a finding is about, as an item lists it.
fn credential(f: &AuditFinding) -> String {
    if let Some(g) = f.subject.as_ref().and_then(FindingSubject::grant_id) {
        return format!("grant {g}");
    }
    if let Some(s) = &f.certificate_serial {
        return format!("certificate {s}");
    }
    match (&f.reference_number, &f.subject) {
        (Some(r), _) => r.clone(),
        (None, Some(FindingSubject::InventoryEntry { row, .. })) => format!("row {row}"),
        _ => f.nip.clone(),
    }
}

/// The parts every item shares: severity, rules, contexts, credentials, finding ids.
fn base(kind: ItemKind, members: &[&AuditFinding]) -> AuditItem {
    let (rules, rule_ids) = rules_of(members);
    let nips: BTreeSet<String> = members.iter().map(|f| f.nip.clone()).collect();
    let credentials: BTreeSet<String> = members.iter().map(|f| credential(f)).collect();
    AuditItem {
        kind,
        severity: members
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(ksef_model::Severity::Info),
        rules,
        rule_ids,
        nip: None,
        client_name: None,
        nips: nips.into_iter().collect(),
        person: None,
        title: String::new(),
        title_pl: String::new(),
        detail: None,
        detail_pl: None,
        action: String::new(),
        action_pl: String::new(),
        command: None,
        credentials: credentials.into_iter().collect(),
        finding_ids: members.iter().map(|f| f.id.clone()).collect(),
    }
}

/// One rule in one context (or, for a firm-wide fact, in every context).
fn rule_item(members: &[&AuditFinding], rules: &[&PolicyRule]) -> AuditItem {
    let first = members[0];
    let rule = rules.iter().find(|r| r.name == first.rule);
    let mut item = base(ItemKind::Rule, members);
    if item.nips.len() == 1 {
        item.nip = Some(first.nip.clone());
        item.client_name = first.client_name.clone();
    } else {
        item.kind = ItemKind::Firm;
    }
    if members.len() == 1 {
        let (m, _, _) = first.words(true);
        item.detail = Some(first.message.clone());
        item.detail_pl = Some(m.to_string());
    }
    item.title = rule
        .and_then(|r| r.title.clone())
        .unwrap_or_else(|| first.rule.clone());
    item.title_pl = rule
        .and_then(|r| r.title_pl.clone())
        .unwrap_or_else(|| item.title.clone());
    (item.action, item.action_pl) = shared_action(members, rule);
    item
}

/// The remediation all `members` share; when they differ (it names each credential), the
/// rule's own remediation.
fn shared_action(members: &[&AuditFinding], rule: Option<&&PolicyRule>) -> (String, String) {
    let first = members[0];
    let (_, _, first_pl) = first.words(true);
    let same = members.iter().all(|f| f.remediation == first.remediation);
    if same || rule.is_none() {
        return (first.remediation.clone(), first_pl.to_string());
    }
    let rule = rule.expect("checked above");
    let en = rule.remediation.trim().to_string();
    let pl = rule
        .remediation_pl
        .as_deref()
        .filter(|p| !p.contains('{'))
        .map_or_else(|| first_pl.to_string(), |p| p.trim().to_string());
    (en, pl)
}

/// Every leaver finding about one person, with the command that offboards them.
fn person_item(person: &StaffMember, members: &[&AuditFinding]) -> AuditItem {
    let mut item = base(ItemKind::Person, members);
    let count = |rules: &[&str]| {
        members
            .iter()
            .filter(|f| rules.contains(&f.rule.as_str()))
            .count()
    };
    let grants = count(&["grant-held-by-leaver", "read-grant-held-by-leaver"]);
    let authored = count(&["author-left"]);
    let owned = count(&["owner-left"]);
    let certificates = count(&["certificate-of-leaver"]);
    let who = match &person.name {
        Some(n) => format!("{n} ({})", person.id),
        None => person.id.clone(),
    };
    let since_en = person
        .left_on
        .map(|d| format!(" on {}", d.format("%Y-%m-%d")))
        .unwrap_or_default();
    let since_pl = person
        .left_on
        .map(|d| format!(" (od {})", d.format("%d.%m.%Y")))
        .unwrap_or_default();
    let n = item.nips.len();
    let parts = |words: [(&str, usize); 4]| {
        words
            .iter()
            .filter(|(_, k)| *k > 0)
            .map(|(w, k)| w.replace("{n}", &k.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let en = parts([
        ("{n} permission grant(s)", grants),
        ("{n} active token(s) they created", authored),
        ("{n} token(s) they own", owned),
        ("{n} KSeF certificate(s)", certificates),
    ]);
    let pl = parts([
        ("uprawnienia: {n}", grants),
        ("utworzone przez tę osobę aktywne tokeny: {n}", authored),
        ("tokeny tej osoby: {n}", owned),
        ("certyfikaty KSeF: {n}", certificates),
    ]);
    item.title =
        format!("{who} left the firm{since_en} and still has access in {n} context(s): {en}");
    item.title_pl = format!(
        "{who} nie pracuje już w firmie{since_pl}, a nadal ma dostęp (kontekstów: {n}): {pl}"
    );
    let command = format!("ksef-audit offboard {}", person.id);
    item.action = format!(
        "Offboard the person in every context at once: `{command}` shows the plan, `--yes` carries it out."
    );
    item.action_pl = format!(
        "Odbierz tej osobie dostęp we wszystkich kontekstach naraz: `{command}` pokazuje plan, `--yes` go wykonuje."
    );
    item.person = Some(person.id.clone());
    item.command = Some(command);
    item
}

/// A starter inventory: one item instead of a finding per row.
fn inventory_item(members: &[&AuditFinding], no_owner: usize, no_expiry: usize) -> AuditItem {
    let mut item = base(ItemKind::Inventory, members);
    item.title = format!(
        "Complete the inventory: {no_owner} row(s) without owner, {no_expiry} without planned expiry"
    );
    item.title_pl = format!(
        "Uzupełnij ewidencję: wiersze bez właściciela: {no_owner}, bez planowanej daty wygaśnięcia: {no_expiry}"
    );
    item.action = "Fill in the owner (an e-mail or staff id from the staff list) and the planned expiry of each row.".into();
    item.action_pl = "Uzupełnij w każdym wierszu właściciela (adres e-mail lub identyfikator z listy pracowników) i planowaną datę wygaśnięcia.".into();
    // The rows, not the tokens, are what the reader fills in.
    item
}

/// The person who left that a leaver finding is about, from the staff list: the token's
/// owner, the token's author, the grant's holder or the certificate's subject.
fn leaver<'a>(f: &AuditFinding, input: &ItemInput<'a>) -> Option<&'a StaffMember> {
    let left: Vec<&StaffMember> = input
        .staff
        .iter()
        .filter(|s| s.status == StaffStatus::Left)
        .collect();
    let unique = |found: Vec<&'a StaffMember>| (found.len() == 1).then(|| found[0]);
    match f.rule.as_str() {
        "owner-left" => {
            let owner = f.owner.as_deref()?.trim();
            unique(
                left.iter()
                    .copied()
                    .filter(|s| s.id.eq_ignore_ascii_case(owner))
                    .collect(),
            )
        }
        "author-left" => {
            let reference = f.reference_number.as_deref()?;
            let token = input
                .contexts
                .iter()
                .filter(|c| c.nip == f.nip)
                .flat_map(|c| &c.tokens)
                .find(|t| t.token.reference_number == reference)?;
            // Before the document is written the author's PESEL is in full; after, its key.
            let author = &token.token.author_identifier.value;
            let matches = |s: &&StaffMember| match s.pesel.as_deref() {
                Some(p) => p == author || token.author_key.as_deref() == Some(&pesel_key(p)),
                None => false,
            };
            unique(left.iter().copied().filter(matches).collect())
        }
        _ => by_subject(f, &left),
    }
}

/// A grant holder or certificate subject: by name when KSeF or the staff list gave one,
/// else by the masked PESEL, when exactly one person who left matches.
fn by_subject<'a>(f: &AuditFinding, left: &[&'a StaffMember]) -> Option<&'a StaffMember> {
    let (name, masked) = match f.subject.as_ref()? {
        FindingSubject::Grant {
            holder,
            holder_name,
            holder_type,
            ..
        } if holder_type.eq_ignore_ascii_case("pesel") => (holder_name.clone(), holder.clone()),
        FindingSubject::Certificate { subject, .. } => {
            (None, subject.trim_start_matches("PESEL ").to_string())
        }
        _ => return None,
    };
    let found: Vec<&StaffMember> = left
        .iter()
        .copied()
        .filter(|s| s.pesel.as_deref().map(mask_pesel).as_deref() == Some(masked.as_str()))
        .filter(|s| match (&name, &s.name) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
        .collect();
    (found.len() == 1).then(|| found[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksef_model::InventoryEntry;
    use ksef_model::Severity;

    fn finding(rule: &str, nip: &str, reference: &str) -> AuditFinding {
        AuditFinding {
            id: format!("{rule}-{nip}-{reference}"),
            rule: rule.into(),
            rule_id: "POL000".into(),
            severity: Severity::Medium,
            nip: nip.into(),
            client_name: None,
            reference_number: Some(reference.into()),
            owner: None,
            message: format!("{rule} {reference}"),
            evidence: String::new(),
            remediation: "do it".into(),
            help_uri: String::new(),
            excepted: false,
            exception: None,
            baseline: None,
            subject: None,
            grant_id: None,
            certificate_serial: None,
            pl: None,
        }
    }

    fn row(i: usize, owner: Option<&str>, expires: bool) -> InventoryEntry {
        InventoryEntry {
            row: i + 2,
            nip: "5265877635".into(),
            reference_number: format!("ref-{i}"),
            name: None,
            system: None,
            environment: None,
            owner: owner.map(str::to_string),
            permissions: Vec::new(),
            expires: expires.then(|| chrono::NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")),
            notes: None,
            extra: Default::default(),
            certificate_serial: None,
        }
    }

    fn run(findings: &[AuditFinding], inventory: &Inventory) -> Vec<AuditItem> {
        items(&ItemInput {
            findings,
            contexts: &[],
            rules: &[],
            staff: &[],
            inventory,
        })
    }

    #[test]
    fn a_starter_inventory_is_one_item_with_its_counts() {
        let inventory = Inventory {
            entries: (0..10)
                .map(|i| row(i, (i < 2).then_some("a@b.pl"), i < 1))
                .collect(),
            ..Inventory::default()
        };
        let mut findings = Vec::new();
        for i in 0..10 {
            let nip = if i % 2 == 0 {
                "5265877635"
            } else {
                "7762811692"
            };
            if i >= 2 {
                findings.push(finding("missing-owner", nip, &format!("ref-{i}")));
            }
            findings.push(finding("no-planned-expiry", nip, &format!("ref-{i}")));
        }
        findings.push(finding("unused-token", "5265877635", "ref-1"));
        let items = run(&findings, &inventory);
        let starter: Vec<_> = items
            .iter()
            .filter(|i| i.kind == ItemKind::Inventory)
            .collect();
        assert_eq!(starter.len(), 1, "{items:#?}");
        assert!(
            starter[0]
                .title
                .contains("8 row(s) without owner, 9 without planned expiry"),
            "{}",
            starter[0].title
        );
        assert_eq!(starter[0].finding_ids.len(), 18);
        assert_eq!(items.len(), 2, "the other rule stays its own item");
    }

    #[test]
    fn a_filled_in_inventory_keeps_one_item_per_rule_and_context() {
        let inventory = Inventory {
            entries: (0..10)
                .map(|i| row(i, (i > 0).then_some("a@b.pl"), true))
                .collect(),
            ..Inventory::default()
        };
        let findings = [finding("missing-owner", "5265877635", "ref-0")];
        let items = run(&findings, &inventory);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].kind, ItemKind::Rule);
        assert_eq!(items[0].nip.as_deref(), Some("5265877635"));
    }

    #[test]
    fn certificates_missing_from_an_inventory_without_certificates_are_one_item() {
        let rule = "certificate-not-in-inventory";
        let findings = [
            finding(rule, "5265877635", "A1"),
            finding(rule, "5265877635", "A2"),
            finding(rule, "7762811692", "B1"),
        ];
        let items = run(&findings, &Inventory::default());
        assert_eq!(items.len(), 1, "{items:#?}");
        assert_eq!(items[0].kind, ItemKind::Firm);
        assert_eq!(items[0].nips.len(), 2);
        assert_eq!(items[0].finding_ids.len(), 3);
        // With a certificate in the inventory, one item per context.
        let mut listed = Inventory::default();
        listed
            .certificate_entries
            .push(row(0, Some("a@b.pl"), true));
        assert_eq!(run(&findings, &listed).len(), 2);
    }
}
