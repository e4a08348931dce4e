//! Issue 13, "the habits that keep it so": property tests (proptest) for every parser that
//! takes outside input — the inventory, staff and access-register CSV readers, the TOML files
//! (config, exceptions, policy and leak rules), the results JSON reader, the KSeF API bodies,
//! the matcher with its decoders, and the redaction. Each must return (an error is fine)
//! without a panic, in bounded time, and round-trip where a writer exists.
//!
//! Case counts are kept modest (64–256) so that `cargo test` stays fast; raise them locally
//! with `PROPTEST_CASES=10000 cargo test --test properties`.

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use ksef_audit::inputs::access_register::parse_access_register;
use ksef_audit::inputs::exceptions::parse_exceptions;
use ksef_audit::inputs::inventory::parse_inventory;
use ksef_audit::inputs::results::load_leak_results;
use ksef_audit::inputs::results::load_token_snapshot;
use ksef_audit::inputs::staff::parse_staff;
use ksef_audit::render::csv::CsvOptions;
use ksef_audit::render::csv::CsvWriter;
use ksef_client::grants::QueryEntityAuthorizationPermissionsResponse;
use ksef_client::grants::QueryEntityPermissionsResponse;
use ksef_client::grants::QueryPersonPermissionsResponse;
use ksef_client::models::QueryTokensResponse;
use ksef_leaks::matcher::builtin_scanner;
use ksef_leaks::redact::redact_text;
use ksef_model::AuditResults;
use ksef_model::CertificateRecord;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::LeakResults;
use ksef_model::TokenSnapshot;
use ksef_model::redact_token_shapes;
use ksef_policy::merge::merge_audits;
use ksef_policy::merge::merge_leaks;
use ksef_policy::rule::parse_policy_sources;
use ksef_rules::leak::LeakRule;
use ksef_rules::leak::validate_leak_rules;
use ksef_rules::load::RuleSource;
use ksef_rules::load::parse_rule_files;

/// `n`, or `PROPTEST_CASES` when set (for a longer run by hand).
fn cases(n: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}

/// Generous: a debug build on a shared two-core machine. A parser that goes quadratic on
/// a few kilobytes takes far longer than this.
const BOUND: Duration = Duration::from_secs(5);

fn bounded<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < BOUND, "{what} took {took:?}");
    out
}

/// Synthetic (never issued) KSeF 2.0 token, as in tests/hardening.
const TOKEN: &str = "20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";
const SECRET: &str = "facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd";

/// Text that looks like a spreadsheet export gone wrong: delimiters, quotes, line ends, a BOM,
/// Polish letters, controls and bidi characters, formula starts, token fragments.
fn table_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("nip".to_string()),
        Just("reference_number".to_string()),
        Just("owner".to_string()),
        Just("expires".to_string()),
        Just("status".to_string()),
        Just("left_on".to_string()),
        Just("id".to_string()),
        Just("holder".to_string()),
        Just("permissions".to_string()),
        Just("5265877635".to_string()),
        Just("20250110-EC-0000000001-0000000001-01".to_string()),
        Just("2026-12-31".to_string()),
        Just("31.12.2026".to_string()),
        Just(TOKEN.to_string()),
        Just("\u{feff}".to_string()),
        "[,;\"\r\n\t ]{1,3}",
        "[a-zA-Z0-9ąęłńóśźżĄŁŻ=+@\\-\u{1b}\u{7}\u{202e}\u{0}]{0,12}",
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

/// TOML-like text: keys, tables, quotes, brackets and values of the files the tool reads.
fn toml_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[[exception]]\n".to_string()),
        Just("[[rule]]\n".to_string()),
        Just("[ksef]\n".to_string()),
        Just("[leaks]\n".to_string()),
        Just("[audit]\n".to_string()),
        Just("rule = \"*\"\n".to_string()),
        Just("target = \"x\"\n".to_string()),
        Just("reason = \"r\"\n".to_string()),
        Just("owner = \"o\"\n".to_string()),
        Just("expires = \"2099-01-01\"\n".to_string()),
        Just("id = \"LEAK900\"\n".to_string()),
        Just("name = \"x-y\"\n".to_string()),
        Just("pattern = '''(a+)+b'''\n".to_string()),
        Just("environment = \"test\"\n".to_string()),
        Just("exclude = [\"**\"]\n".to_string()),
        Just("max-file-size = 1\n".to_string()),
        Just(format!("token = \"{TOKEN}\"\n")),
        "[a-z\\-]{1,10} = (\"[^\"\\\\\n]{0,12}\"|[0-9]{1,20}|true|\\[\\]|\\{\\})\n",
        "[\\[\\]{}=\"',.\n #\u{1b}\u{202e}a-z0-9]{1,8}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("2025-06-22T10:41:11+00:00")),
        Just(serde_json::Value::from("0001-01-01T00:00:00Z")),
        Just(serde_json::Value::from("Active")),
        Just(serde_json::Value::from(TOKEN)),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,16}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `seed` with the values at some of its paths replaced (wrong types, odd strings, nulls).
fn mutated(seed: &'static str) -> impl Strategy<Value = serde_json::Value> {
    let base: serde_json::Value = serde_json::from_str(seed).expect("seed is JSON");
    let paths = json_paths(&base);
    prop::collection::vec((0..paths.len(), json_value()), 0..4).prop_map(move |edits| {
        let mut v = base.clone();
        for (i, replacement) in edits {
            if let Some(slot) = v.pointer_mut(&paths[i]) {
                *slot = replacement;
            }
        }
        v
    })
}

fn json_paths(v: &serde_json::Value) -> Vec<String> {
    let mut out = vec![String::new()];
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                out.extend(json_paths(child).into_iter().map(|p| format!("/{k}{p}")));
            }
        }
        serde_json::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                out.extend(json_paths(child).into_iter().map(|p| format!("/{i}{p}")));
            }
        }
        _ => {}
    }
    out
}

const TOKENS_BODY: &str = r#"{"continuationToken": "abc", "tokens": [{"referenceNumber": "20250110-EC-0000000001-0000000001-01", "authorIdentifier": {"type": "Pesel", "value": "85010112345"}, "contextIdentifier": {"type": "Nip", "value": "5265877635"}, "description": "Acme-Symfonia-prod-2025", "requestedPermissions": ["InvoiceRead", "InvoiceWrite"], "dateCreated": "2025-01-10T08:00:00Z", "lastUseDate": "2026-01-14T08:00:00Z", "status": "Active", "statusDetails": []}]}"#;

const PERSONS_BODY: &str = r#"{"hasMore": false, "permissions": [{"id": "0c9a72e8-f344-457f-9c16-7c640eb60242", "authorizedIdentifier": {"type": "Nip", "value": "7762811692"}, "targetIdentifier": {"type": "Nip", "value": "9786214922"}, "authorIdentifier": {"type": "Pesel", "value": "15062788702"}, "permissionScope": "InvoiceWrite", "description": "praca dla klienta", "permissionState": "Active", "startDate": "2025-06-22T10:41:11+00:00", "canDelegate": false}]}"#;

const ENTITIES_BODY: &str = r#"{"hasMore": true, "permissions": [{"id": "1c9a72e8-f344-457f-9c16-7c640eb60242", "contextIdentifier": {"type": "Nip", "value": "5265877635"}, "permissionScope": "InvoiceRead", "description": "biuro", "startDate": "2025-06-22T10:41:11+00:00", "canDelegate": true}]}"#;

const AUTHORIZATIONS_BODY: &str = r#"{"hasMore": false, "authorizationGrants": [{"id": "0c9a72e8-f344-457f-9c16-7c640eb60242", "authorIdentifier": {"type": "Pesel", "value": "15062788702"}, "authorizedEntityIdentifier": {"type": "Nip", "value": "7762811692"}, "authorizingEntityIdentifier": {"type": "Nip", "value": "1134256681"}, "authorizationScope": "SelfInvoicing", "description": "samofakturowanie", "startDate": "2025-06-22T10:41:11+00:00"}]}"#;

const CERTIFICATES_BODY: &str = r#"[{"certificateSerialNumber": "0321B1A2C3D4", "name": "Kasa 1", "type": "Authentication", "commonName": "Jan Nowak", "status": "Active", "subjectIdentifier": {"type": "Pesel", "value": "85010112345"}, "validFrom": "2025-01-01T00:00:00Z", "validTo": "2027-01-01T00:00:00Z", "lastUseDate": "0001-01-01T00:00:00Z", "requestDate": "2024-12-20T00:00:00Z"}]"#;

const LEAKS_DOC: &str = include_str!("../fixtures/results/leaks-2026q4.json");
const AUDIT_Q3: &str = include_str!("../fixtures/results/audit-2026q3.json");
const AUDIT_Q4: &str = include_str!("../fixtures/results/audit-2026q4.json");

/// A leak results document as `merge` reads it: a real one with some values replaced, a
/// shard of any numbers (hostile ones included) and counts up to `u64::MAX`.
fn leak_shard() -> impl Strategy<Value = serde_json::Value> {
    (
        mutated(LEAKS_DOC),
        prop::option::of((
            prop_oneof![0..4u64, Just(u64::from(u32::MAX)), any::<u64>()],
            prop_oneof![0..4u64, 1020..1030u64, Just(4_000_000_000u64), any::<u64>()],
        )),
        prop::option::of(any::<u64>()),
        prop::option::of("[0-9a-f]{0,40}"),
    )
        .prop_map(|(mut doc, shard, files, head)| {
            // Only where the mutation left objects (indexing a non-object would panic here).
            let set = |doc: &mut serde_json::Value, at: &str, key: &str, v: serde_json::Value| {
                if let Some(o) = doc.pointer_mut(at).and_then(|o| o.as_object_mut()) {
                    o.insert(key.to_string(), v);
                }
            };
            if let Some((index, count)) = shard {
                let shard = serde_json::json!({"index": index, "count": count});
                set(&mut doc, "/target", "shard", shard);
            }
            if let Some(n) = files {
                set(&mut doc, "/stats", "files", n.into());
            }
            if let Some(h) = head {
                set(&mut doc, "/target", "head", h.into());
            }
            doc
        })
}

/// An audit results document as `merge` reads it: one of the fixtures, some values replaced.
fn audit_doc() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![mutated(AUDIT_Q3), mutated(AUDIT_Q4)]
}

/// Uses a parsed grant the way the audit does: record, display, revoke call.
fn use_grant(rec: &GrantRecord) {
    let _ = rec.holder.masked();
    let _ = rec.revoke_endpoint();
    let _ = rec.scope.as_permission();
    let _ = format!("{rec:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    #[test]
    fn inventory_reader_never_panics(text in table_text()) {
        bounded("inventory", || {
            if let Ok(inv) = parse_inventory(Path::new("inv.csv"), text.as_bytes()) {
                // A token pasted into a cell never survives into an entry.
                let shown = format!("{:?}", inv.entries);
                prop_assert!(!shown.contains(SECRET), "{shown}");
            }
            Ok(())
        })?;
    }

    #[test]
    fn staff_and_access_register_readers_never_panic(text in table_text()) {
        bounded("staff", || {
            let _ = parse_staff(Path::new("staff.csv"), text.as_bytes());
            let _ = parse_access_register(Path::new("register.csv"), text.as_bytes());
        });
    }

    #[test]
    fn table_readers_never_panic_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        bounded("tables", || {
            let _ = parse_inventory(Path::new("inv.csv"), &bytes);
            let _ = parse_staff(Path::new("staff.csv"), &bytes);
            let _ = parse_access_register(Path::new("register.csv"), &bytes);
        });
    }

    #[test]
    fn table_errors_never_echo_a_token(prefix in "[a-z_0-9]{0,3}", suffix in "[a-z_0-9]{0,3}") {
        // Every error path of the CSV readers: the token glued to anything stays hidden.
        let cell = format!("{prefix}{TOKEN}{suffix}");
        let inventory = format!("nip,reference_number,owner,expires,environment,permissions\n{cell},{cell},{cell},{cell},{cell},{cell}\n");
        let staff = format!("id,name,pesel,nip,status,left_on\n{cell},{cell},{cell},{cell},{cell},{cell}\n");
        for message in [
            parse_inventory(Path::new("inv.csv"), inventory.as_bytes()).err().map(|e| e.to_string()),
            parse_staff(Path::new("staff.csv"), staff.as_bytes()).err().map(|e| e.to_string()),
        ].into_iter().flatten() {
            prop_assert!(!message.contains(SECRET), "{message}");
        }
    }

    #[test]
    fn exceptions_and_config_never_panic(text in toml_text()) {
        bounded("toml", || {
            if let Err(e) = parse_exceptions(Path::new("exc.toml"), &text) {
                let message = e.to_string();
                assert!(!message.contains(SECRET), "{message}");
            }
            let _ = ksef_audit::config::parse(Path::new("ksef-audit.toml"), &text);
            let _ = ksef_audit::config::from_text(
                Path::new("ksef-audit.toml"),
                &text,
                &ksef_audit::config::Flags::default(),
            );
        });
    }

    #[test]
    fn rule_files_never_panic(text in toml_text()) {
        bounded("rules", || {
            let sources = [RuleSource { origin: "extra/x.toml".into(), text: text.clone() }];
            let mut problems = Vec::new();
            let leak: Vec<(LeakRule, String)> = parse_rule_files(&sources, &mut problems);
            let rules: Vec<LeakRule> = leak.into_iter().map(|(r, _)| r).collect();
            let _ = validate_leak_rules(&rules);
            let _ = parse_policy_sources(&sources);
        });
    }

    #[test]
    fn matcher_and_decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        bounded("matcher", || {
            let _ = builtin_scanner().scan("x.txt", &bytes);
        });
    }

    #[test]
    fn matcher_finds_a_token_whatever_surrounds_it(
        before in "[ -~]{0,40}",
        after in "([g-z_ \n\"',;][ -~]{0,40})?",
        utf16 in any::<bool>(),
    ) {
        // Before: a non-digit; after: a non-hex. The token must be found, located and redacted.
        let before = before.trim_end_matches(|c: char| c.is_ascii_digit()).to_string();
        let text = format!("{before}{TOKEN}{after}");
        let bytes: Vec<u8> = if utf16 {
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        } else {
            text.clone().into_bytes()
        };
        let found = bounded("matcher", || builtin_scanner().scan_bytes(&bytes));
        prop_assert!(
            found.iter().any(|m| m.secret.expose() == TOKEN),
            "not found in {text:?}"
        );
        for m in &found {
            prop_assert!(!m.redacted.contains(SECRET));
        }
    }

    #[test]
    fn results_reader_never_panics(value in json_value(), raw in prop::collection::vec(any::<u8>(), 0..512)) {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("doc.json");
        for bytes in [serde_json::to_vec(&value).expect("json"), raw] {
            std::fs::write(&path, &bytes).expect("write");
            bounded("results", || {
                let _ = load_token_snapshot(&path, "from");
                let _ = load_leak_results(&path, "from");
            });
        }
    }

    /// Issue 21: the documents `merge` reads (leak shards, audits) never make it panic, and
    /// a merge never hides a hostile shard or claims to be complete with a gap.
    #[test]
    fn issue_21_merge_never_panics_on_hostile_documents(
        leaks in prop::collection::vec(leak_shard(), 1..4),
        audits in prop::collection::vec(audit_doc(), 1..4),
    ) {
        let dir = tempfile::tempdir().expect("tmp");
        let mut parts = Vec::new();
        for (i, doc) in leaks.iter().enumerate() {
            // Through the reader `merge` uses, then straight from the value.
            let path = dir.path().join(format!("s{i}.json"));
            std::fs::write(&path, serde_json::to_vec(doc).expect("json")).expect("write");
            bounded("leak results reader", || {
                let _ = load_leak_results(&path, "merge");
            });
            if let Ok(d) = serde_json::from_value::<LeakResults>(doc.clone()) {
                parts.push((format!("s{i}.json"), d));
            }
        }
        if !parts.is_empty() {
            let merged = bounded("merge of leaks", || merge_leaks(parts));
            if let Ok(m) = merged {
                prop_assert!(m.target.shard.is_none());
                let _ = serde_json::to_string(&m).expect("serialises");
            }
        }
        let docs: Vec<AuditResults> = audits
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        if !docs.is_empty() {
            let newest = docs.iter().map(|d| d.generated_at).max();
            if let Ok(m) = bounded("merge of audits", || merge_audits(docs)) {
                prop_assert_eq!(Some(m.generated_at), newest);
                let _ = serde_json::to_string(&m).expect("serialises");
            }
        }
    }

    #[test]
    fn token_listing_bodies_never_panic(value in mutated(TOKENS_BODY)) {
        bounded("tokens body", || {
            if let Ok(body) = serde_json::from_value::<QueryTokensResponse>(value) {
                for t in &body.tokens {
                    let _ = format!("{t:?} {}", t.status);
                }
            }
        });
    }

    #[test]
    fn grant_listing_bodies_never_panic(
        persons in mutated(PERSONS_BODY),
        entities in mutated(ENTITIES_BODY),
        authorizations in mutated(AUTHORIZATIONS_BODY),
    ) {
        bounded("grant bodies", || {
            if let Ok(body) = serde_json::from_value::<QueryPersonPermissionsResponse>(persons) {
                for p in body.permissions {
                    use_grant(&GrantRecord::from_person(p));
                }
            }
            let own = GrantIdentifier::nip("5265877635");
            if let Ok(body) = serde_json::from_value::<QueryEntityPermissionsResponse>(entities) {
                for e in body.permissions {
                    use_grant(&GrantRecord::from_entity(e, &own));
                }
            }
            if let Ok(body) =
                serde_json::from_value::<QueryEntityAuthorizationPermissionsResponse>(authorizations)
            {
                for a in body.authorization_grants {
                    use_grant(&GrantRecord::from_authorization(a, GrantKind::AuthorizationGranted));
                }
            }
        });
    }

    #[test]
    fn certificate_listing_bodies_never_panic(value in mutated(CERTIFICATES_BODY)) {
        bounded("certificates body", || {
            if let Ok(list) = serde_json::from_value::<Vec<CertificateRecord>>(value) {
                for c in &list {
                    let _ = c.subject_identifier.masked();
                    let _ = c.never_used();
                    let _ = c.days_left(chrono::Utc::now());
                }
            }
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn redaction_hides_every_token_and_is_idempotent(
        before in "[ -~]{0,12}",
        after in "[ -~]{0,12}",
        variant in 0usize..6,
    ) {
        let token = match variant {
            0 => TOKEN.to_string(),
            1 => TOKEN.replace('|', "%7C"),
            2 => TOKEN.to_uppercase(),
            3 => TOKEN.replace("nip-1111111111", "internalId-1111111111-00007"),
            4 => "FACEFEED0000111122223333444455556666777788889999AAAABBBBCCCCDDDD".to_string(),
            _ => "FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2".to_string(),
        };
        // A 40-character token is told by its run length: glued to a letter or digit it is a
        // longer run (any other character, `_` included, may touch it), so a space keeps it
        // apart. Built, not assumed: a long run (PROPTEST_CASES=20000) would reject too many.
        let alnum = |c: char| c.is_ascii_alphanumeric();
        let before = if variant == 5 && before.ends_with(alnum) { format!("{before} ") } else { before };
        let after = if variant == 5 && after.starts_with(alnum) { format!(" {after}") } else { after };
        let text = format!("{before}{token}{after}");
        let once = redact_text(&text).into_owned();
        if variant < 4 {
            prop_assert!(!once.to_lowercase().contains(SECRET), "{text:?} -> {once:?}");
        } else {
            prop_assert!(!once.contains(&token), "{text:?} -> {once:?}");
        }
        prop_assert_eq!(redact_text(&once).into_owned(), once.clone());
        prop_assert_eq!(redact_token_shapes(&once).into_owned(), once);
    }

    #[test]
    fn redaction_leaves_text_without_tokens_alone(text in "[ -~ąęłżź\n]{0,200}") {
        // Short runs only: nothing here has a token's shape.
        prop_assume!(!text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w.len() >= 40));
        prop_assert_eq!(redact_text(&text).into_owned(), text);
    }

    #[test]
    fn csv_writer_and_inventory_reader_round_trip(
        owner in "[^\u{0}-\u{1f}\u{7f}\u{feff}]{1,30}",
        notes in "[^\u{0}\u{feff}]{0,60}",
    ) {
        let owner = owner.trim().to_string();
        let notes = notes.trim().to_string();
        prop_assume!(!owner.is_empty());
        prop_assume!(redact_text(&owner) == owner.as_str() && redact_text(&notes) == notes.as_str());
        let mut w = CsvWriter::new(Vec::new(), CsvOptions::default()).expect("writer");
        w.row(["nip", "reference_number", "owner", "expires", "notes"]).expect("header");
        w.row(["5265877635", "20250110-EC-0000000001-0000000001-01", owner.as_str(), "2026-12-31", notes.as_str()])
            .expect("row");
        let bytes = w.finish().expect("finish");
        let inv = parse_inventory(Path::new("inv.csv"), &bytes)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(inv.entries.len(), 1);
        let e = &inv.entries[0];
        prop_assert_eq!(e.owner.as_deref(), Some(owner.as_str()));
        prop_assert_eq!(e.notes.as_deref().unwrap_or(""), notes.as_str());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn token_snapshot_json_round_trips(description in ".{0,80}", name in proptest::option::of(".{0,20}")) {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/inventory/basic/snapshot.json");
        let mut snapshot: TokenSnapshot =
            serde_json::from_slice(&std::fs::read(fixture).expect("fixture")).expect("snapshot");
        snapshot.contexts[0].tokens[0].description = description;
        snapshot.contexts[0].name = name;
        let mut bytes = Vec::new();
        ksef_audit::render::tokens::write_json(&mut bytes, &snapshot).expect("write");
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("snapshot.json");
        std::fs::write(&path, &bytes).expect("write");
        let back = load_token_snapshot(&path, "from").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.value, snapshot);
    }
}
