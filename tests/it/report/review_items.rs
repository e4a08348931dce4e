//! The review's per-client findings as items: one block per rule in a client with a row per
//! credential, the remediation once; Revoked or Failed tokens without findings counted.

use super::*;
use ksef_model::AuditFinding;

const NIP: &str = "5265877635";

/// The canonical input with the `unused-token` finding of `NIP` repeated for five more
/// tokens (as the demo firm has dozens per client).
fn many_unused() -> (ReportInput, Vec<String>) {
    let mut input = canonical();
    let audit = input.audit.as_mut().expect("audit");
    let unused = audit
        .findings
        .iter()
        .find(|f| f.rule == "unused-token" && f.nip == NIP)
        .expect("fixture has an unused token")
        .clone();
    let mut refs = vec![unused.reference_number.clone().expect("reference")];
    for i in 0..5 {
        let reference = format!("20250110-EC-00000001{i:02}-1122334455-AB");
        let f = AuditFinding {
            id: format!("unused-{i}"),
            reference_number: Some(reference.clone()),
            message: unused.message.replace(&refs[0], &reference),
            evidence: format!("last used 2026-05-0{}, 20{i} days ago", i + 2),
            ..unused.clone()
        };
        refs.push(reference);
        audit.findings.push(f);
    }
    (with_facts(input), refs)
}

/// The HTML of one client's section of the review.
fn section<'a>(html: &'a str, nip: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"ctx-{nip}\""))
        .expect("client section");
    let end = html[start..].find("</section>").expect("section end");
    &html[start..start + end]
}

#[test]
fn one_item_per_rule_in_a_client_lists_every_token_and_says_the_remediation_once() {
    let (input, refs) = many_unused();
    let html = html::render_review(&input, &opts(Lang::En)).expect("renders");
    let client = section(&html, NIP);
    let blocks: Vec<&str> = client
        .split("<div class=\"finding item\">")
        .skip(1)
        .collect();
    let unused: Vec<&&str> = blocks
        .iter()
        .filter(|b| b.contains(">unused-token</a>"))
        .collect();
    assert_eq!(unused.len(), 1, "one item for six unused tokens: {client}");
    let block = unused[0];
    assert!(block.contains("findings in this client: 6"), "{block}");
    for r in &refs {
        assert!(block.contains(r.as_str()), "{r} is listed");
    }
    let remediation = &input
        .audit
        .as_ref()
        .expect("audit")
        .findings
        .iter()
        .find(|f| f.rule == "unused-token")
        .expect("unused")
        .remediation;
    assert_eq!(
        client.matches(&html_escape(remediation)).count(),
        1,
        "the remediation is said once"
    );
    // Each row keeps its own fact.
    assert!(block.contains("last used 2026-05-06, 204 days ago"));
    // No per-finding card is left in the client's section.
    assert!(!client.contains("class=\"finding\""));
}

#[test]
fn polish_items_speak_polish() {
    let (input, _) = many_unused();
    let html = html::render_review(&input, &opts(Lang::Pl)).expect("renders");
    assert!(section(&html, NIP).contains("ustalenia u tego klienta: 6"));
}

#[test]
fn revoked_tokens_without_findings_are_counted_not_listed() {
    let html = html::render_review(&canonical(), &opts(Lang::En)).expect("renders");
    let client = section(&html, NIP);
    let table = &client[client.find("class=\"small tokens\"").expect("tokens table")..];
    assert!(!table.contains("20250110-EC-0000000005-1122334455-AB"));
    assert!(table.contains("20250110-EC-0000000004-1122334455-AB"));
    assert!(client.contains(
        "Revoked or Failed tokens without findings, not listed here (they are in the audit results): 1."
    ));
}

/// `text` as minijinja writes it into HTML.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}
