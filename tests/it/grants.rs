//! Permission grants against the simulator on loopback: every page is read, a refusal
//! names the missing permission, a listing that fails midway is an error, unknown
//! values survive, grants can be removed; and every grant answer of the simulator
//! validates against the contract (`tests/fixtures/contract/ksef-openapi-permissions.json`).

use crate::support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use ksef_client::auth::Session;
use ksef_client::auth::authenticate;
use ksef_client::grants::GrantsError;
use ksef_client::grants::delete_grant;
use ksef_client::grants::list_person_grants;
use ksef_client::grants::operation_status;
use ksef_client::grants::read_grants;
use ksef_client::grants::revoke_grant;
use ksef_client::http::Transport;
use ksef_client::http::http_client;
use ksef_client::progress::Progress;
use ksef_client::settings::KsefSettings;
use ksef_model::EnvironmentRef;
use ksef_model::GrantIdentifier;
use ksef_model::GrantKind;
use ksef_model::GrantRecord;
use ksef_model::GrantScope;
use ksef_model::IdentifierType;
use ksef_model::Permission;
use ksef_model::PermissionState;
use ksef_model::Secret;
use ksef_sim as simulator;
use ksef_sim::Faults;
use ksef_sim::Fixture;
use ksef_sim::SimHandle;
use ksef_sim::SimOptions;

use support::fixture::*;
use support::schema::validate;

fn id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn date(days_ago: usize) -> DateTime<Utc> {
    // Whole seconds, so the dates survive the API's 7-digit fractions unchanged.
    let base: DateTime<Utc> = "2026-01-01T08:00:00Z".parse().expect("date");
    base - chrono::Duration::days(days_ago as i64)
}

fn grant(n: usize, kind: GrantKind, holder: GrantIdentifier, scope: GrantScope) -> GrantRecord {
    GrantRecord {
        id: id(n),
        kind,
        holder,
        scope,
        description: format!("uprawnienie testowe {n}"),
        start_date: date(n % 700),
        can_delegate: n.is_multiple_of(7),
        author: Some(GrantIdentifier::nip(ALFA)),
        target: None,
        context: None,
        state: Some(PermissionState::Active),
        subject: None,
        extra: Default::default(),
    }
}

/// `persons` person grants plus entity grants and authorizations granted and received.
fn grants(persons: usize, context: &str) -> Vec<GrantRecord> {
    let mut out: Vec<GrantRecord> = (0..persons)
        .map(|n| {
            grant(
                n,
                GrantKind::Person,
                GrantIdentifier::pesel(format!("850101{:05}", n % 100_000)),
                if n % 3 == 0 {
                    GrantScope::InvoiceWrite
                } else {
                    GrantScope::InvoiceRead
                },
            )
        })
        .collect();
    let other = GrantIdentifier::nip("9786214922");
    let mut entity = grant(
        10_000,
        GrantKind::Entity,
        GrantIdentifier::nip(context),
        GrantScope::InvoiceRead,
    );
    entity.author = None;
    entity.state = None;
    entity.context = Some(other.clone());
    let mut granted = grant(
        10_001,
        GrantKind::AuthorizationGranted,
        other.clone(),
        GrantScope::SelfInvoicing,
    );
    granted.can_delegate = false;
    granted.state = None;
    granted.context = Some(GrantIdentifier::nip(context));
    let mut received = grant(
        10_002,
        GrantKind::AuthorizationReceived,
        GrantIdentifier::nip(context),
        GrantScope::TaxRepresentative,
    );
    received.can_delegate = false;
    received.state = None;
    received.context = Some(other);
    out.extend([entity, granted, received]);
    out
}

fn with_grants(nip: &str, list: Vec<GrantRecord>) -> Fixture {
    let mut fixture = basic();
    let ctx = fixture
        .contexts
        .iter_mut()
        .find(|c| c.nip == nip)
        .expect("context");
    ctx.grants = list;
    fixture
}

fn settings(sim: &SimHandle) -> KsefSettings {
    let mut s = KsefSettings::new(
        EnvironmentRef {
            label: "test".into(),
            base_url: sim.base_url.clone(),
        },
        vec![],
    );
    s.retry_base = Duration::from_millis(20);
    s
}

/// A started simulator, and a transport and session of `nip` with token `reference`.
async fn signed_in(
    fixture: Fixture,
    nip: &str,
    reference: &str,
) -> (SimHandle, Transport, Session) {
    let secret = token(&fixture, nip, reference);
    let sim = simulator::start(fixture, SimOptions::default())
        .await
        .expect("simulator starts");
    let s = settings(&sim);
    let t = Transport::new(http_client(&s).expect("client"), &s, nip, Progress::none());
    let session = authenticate(&t, &secret, Duration::from_secs(10))
        .await
        .expect("authenticated");
    (sim, t, session)
}

fn sorted(mut list: Vec<GrantRecord>) -> Vec<GrantRecord> {
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list
}

fn person_pages(sim: &SimHandle) -> Vec<simulator::RecordedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/permissions/query/persons/grants"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_grant_of_every_listing_is_read_over_several_pages() {
    let expected = grants(230, ALFA);
    let (sim, t, mut session) =
        signed_in(with_grants(ALFA, expected.clone()), ALFA, ALFA_AUDITOR).await;
    let read = read_grants(&t, &mut session, Some(&[Permission::CredentialsRead]), 10)
        .await
        .expect("all grants");
    assert_eq!(
        sorted(read.clone()),
        sorted(expected),
        "every grant, as the fixture has it"
    );
    let kinds = |k: GrantKind| read.iter().filter(|g| g.kind == k).count();
    assert_eq!(kinds(GrantKind::Person), 230);
    assert_eq!(kinds(GrantKind::Entity), 1);
    assert_eq!(kinds(GrantKind::AuthorizationGranted), 1);
    assert_eq!(kinds(GrantKind::AuthorizationReceived), 1);

    let pages = person_pages(&sim);
    let queries: Vec<&str> = pages.iter().filter_map(|r| r.query.as_deref()).collect();
    assert_eq!(
        queries,
        [
            "pageOffset=0&pageSize=100",
            "pageOffset=1&pageSize=100",
            "pageOffset=2&pageSize=100"
        ]
    );
    assert!(pages.iter().all(|r| r.status == 200 && r.method == "POST"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_pages_than_the_cap_is_an_error_not_a_partial_list() {
    let (_sim, t, mut session) =
        signed_in(with_grants(ALFA, grants(230, ALFA)), ALFA, ALFA_AUDITOR).await;
    let err = list_person_grants(&t, &mut session, 2)
        .await
        .expect_err("capped");
    assert!(
        matches!(err, GrantsError::PageCap { pages: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("max-pages"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_credentials_read_gets_403_naming_the_missing_permission() {
    let (sim, t, mut session) =
        signed_in(with_grants(ALFA, grants(5, ALFA)), ALFA, ALFA_INVOICING).await;
    let err = read_grants(&t, &mut session, None, 10)
        .await
        .expect_err("refused");
    match &err {
        GrantsError::MissingPermission {
            missing, present, ..
        } => {
            assert_eq!(missing, &["CredentialsRead", "CredentialsManage"]);
            assert_eq!(
                present.as_deref(),
                Some(&["InvoiceRead".to_string(), "InvoiceWrite".to_string()][..])
            );
        }
        other => panic!("expected a missing permission, got {other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "context {ALFA}: POST /permissions/query/persons/grants"
        )) && text.contains("has neither CredentialsRead nor CredentialsManage")
            && text.contains("help: give the auditing token CredentialsRead"),
        "{text}"
    );
    assert_eq!(person_pages(&sim).last().map(|r| r.status), Some(403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_that_fails_midway_is_an_error_with_what_was_read() {
    let (sim, t, mut session) =
        signed_in(with_grants(ALFA, grants(230, ALFA)), ALFA, ALFA_AUDITOR).await;
    sim.set_faults(
        Some(ALFA),
        Faults {
            grants_fail_from_page: Some(1),
            ..Faults::default()
        },
    );
    let err = read_grants(&t, &mut session, None, 10)
        .await
        .expect_err("fails on page 2");
    assert!(
        matches!(
            err,
            GrantsError::Midway {
                page: 2,
                read: 100,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("the list is partial") && text.contains("HTTP 503"),
        "{text}"
    );
    // The client retried the failing page before giving up.
    let failed = person_pages(&sim)
        .iter()
        .filter(|r| r.status == 503)
        .count();
    assert!(failed > 1, "retried: {failed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_the_grant_listing_is_waited_out_as_retry_after_says() {
    let (sim, t, mut session) =
        signed_in(with_grants(ALFA, grants(150, ALFA)), ALFA, ALFA_AUDITOR).await;
    sim.set_faults(
        Some(ALFA),
        Faults {
            rate_limit_every: Some(2),
            retry_after_secs: 1,
            ..Faults::default()
        },
    );
    let started = std::time::Instant::now();
    let read = list_person_grants(&t, &mut session, 10)
        .await
        .expect("read after waiting");
    assert_eq!(read.len(), 150);
    let limited: Vec<_> = person_pages(&sim)
        .into_iter()
        .filter(|r| r.status == 429)
        .collect();
    assert!(!limited.is_empty());
    assert!(
        limited
            .iter()
            .all(|r| r.retry_after.as_deref() == Some("1"))
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_enum_values_and_fields_are_kept() {
    let mut odd = grant(
        1,
        GrantKind::Person,
        GrantIdentifier::new(IdentifierType::Other("EuVat".into()), "DE123456789"),
        GrantScope::Other("FutureScope".into()),
    );
    odd.state = Some(PermissionState::Other("Suspended".into()));
    odd.target = Some(GrantIdentifier {
        kind: IdentifierType::AllPartners,
        value: None,
    });
    odd.extra.insert("validUntil".into(), json!("2027-01-01"));
    let (_sim, t, mut session) =
        signed_in(with_grants(ALFA, vec![odd.clone()]), ALFA, ALFA_AUDITOR).await;
    let read = list_person_grants(&t, &mut session, 10)
        .await
        .expect("read");
    assert_eq!(read, vec![odd]);
    let g = &read[0];
    assert!(g.reaches_all_partners());
    let snapshot = serde_json::to_value(g).expect("json");
    assert_eq!(snapshot["scope"], "FutureScope");
    assert_eq!(snapshot["holder"]["type"], "EuVat");
    assert_eq!(snapshot["state"], "Suspended");
    assert_eq!(snapshot["validUntil"], "2027-01-01");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_are_removed_with_the_call_their_kind_needs() {
    let list = grants(3, BETA);
    let person = list[0].clone();
    let authorization = list
        .iter()
        .find(|g| g.kind == GrantKind::AuthorizationGranted)
        .expect("authorization")
        .clone();
    let (sim, t, mut session) = signed_in(with_grants(BETA, list), BETA, BETA_AUDITOR).await;

    // An authorization is not removed by the common call.
    let err = delete_grant(&t, &mut session, &authorization.id)
        .await
        .expect_err("wrong endpoint");
    assert!(
        matches!(&err, GrantsError::Api(e) if e.http_status() == Some(400)),
        "{err}"
    );

    let reference = delete_grant(&t, &mut session, &person.id)
        .await
        .expect("removed");
    let status = operation_status(&t, &mut session, &reference)
        .await
        .expect("status");
    assert_eq!(status.code, 200);
    revoke_grant(&t, &mut session, &authorization)
        .await
        .expect("authorization removed");

    let left = read_grants(&t, &mut session, None, 10).await.expect("read");
    assert!(
        left.iter()
            .all(|g| g.id != person.id && g.id != authorization.id)
    );
    assert_eq!(left.len(), 4);
    let in_sim = &sim
        .fixture()
        .contexts
        .into_iter()
        .find(|c| c.nip == BETA)
        .expect("context")
        .grants;
    assert_eq!(in_sim.len(), 4);
    let paths: Vec<String> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| format!("{} {}", r.status, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            format!("400 /v2/permissions/common/grants/{}", authorization.id),
            format!("202 /v2/permissions/common/grants/{}", person.id),
            format!(
                "202 /v2/permissions/authorizations/grants/{}",
                authorization.id
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removal_without_credentials_manage_names_it() {
    let list = grants(3, ALFA);
    let (sim, t, mut session) =
        signed_in(with_grants(ALFA, list.clone()), ALFA, ALFA_AUDITOR).await;
    let err = delete_grant(&t, &mut session, &list[0].id)
        .await
        .expect_err("refused");
    assert_eq!(err.missing_permissions(), ["CredentialsManage"]);
    let text = err.to_string();
    assert!(
        text.contains("lacks CredentialsManage (it has [CredentialsRead]), so KSeF refuses to remove the grant"),
        "{text}"
    );
    let ctx = sim.fixture().contexts.into_iter().find(|c| c.nip == ALFA);
    assert_eq!(
        ctx.map(|c| c.grants.len()),
        Some(list.len()),
        "nothing removed"
    );
}

// ---------------------------------------------------------------------------------
// The simulator's grant answers against the contract.

fn permissions_contract() -> Value {
    serde_json::from_str(include_str!(
        "../fixtures/contract/ksef-openapi-permissions.json"
    ))
    .expect("contract parses")
}

/// Sends a request and checks the answer against operation `method path` of the
/// contract: a documented status, a listed content type, a body valid for its schema.
async fn conforms(
    root: &Value,
    path: &str,
    method: &str,
    req: reqwest::RequestBuilder,
) -> (u16, Value) {
    let response = req.send().await.expect("request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = response.text().await.expect("body");
    let documented = &root["paths"][path][method]["responses"][status.to_string()];
    assert!(
        documented.is_object(),
        "{method} {path}: {status} is not documented"
    );
    let ct = content_type.expect("a content type");
    let schema = &documented["content"][&ct]["schema"];
    assert!(
        schema.is_object(),
        "{method} {path} {status}: {ct} is not documented"
    );
    let body: Value = serde_json::from_str(&text).expect("JSON body");
    let mut errors = Vec::new();
    validate(root, schema, &body, "body", &mut errors);
    assert!(
        errors.is_empty(),
        "{method} {path} {status}: {errors:#?}\n{body:#}"
    );
    (status, body)
}

const PERSONS: &str = "/permissions/query/persons/grants";
const ENTITIES: &str = "/permissions/query/entities/grants";
const AUTHORIZATIONS: &str = "/permissions/query/authorizations/grants";

/// The permissions contract and a client of the simulator, for checking its grant answers.
struct GrantApi<'a> {
    root: Value,
    http: reqwest::Client,
    sim: &'a SimHandle,
}

impl GrantApi<'_> {
    /// A request to `path` of the simulator with `bearer`.
    fn req(&self, method: Method, path: &str, bearer: &Secret) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sim.base_url))
            .bearer_auth(bearer.expose())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_grant_answer_validates_against_the_contract() {
    // The demo's grants have every shape: subject details, fingerprints, AllPartners.
    let mut list = ksef_audit::demo::demo_grants(Utc::now())
        .into_iter()
        .flat_map(|(_, g)| g)
        .collect::<Vec<_>>();
    list.extend(grants(12, BETA));
    let fixture = with_grants(BETA, list);
    let reader = token(&fixture, ALFA, ALFA_AUDITOR);
    let (sim, t, mut session) = signed_in(fixture, BETA, BETA_AUDITOR).await;
    let access = session.access(&t).await.expect("access").clone();
    let api = GrantApi {
        root: permissions_contract(),
        http: reqwest::Client::new(),
        sim: &sim,
    };

    let items = grant_listings_conform(&api, &access).await;
    grant_listing_refusals_conform(&api, &access).await;
    grant_removal_conforms(&api, &access, &items, &reader).await;
    grant_listing_rate_limit_conforms(&api, &access).await;
}

/// The persons' grants (a page with more to come, then all of them in every shape), the
/// entities' grants and the authorizations granted and received; returns all persons' grants.
async fn grant_listings_conform(api: &GrantApi<'_>, access: &Secret) -> Vec<Value> {
    let (status, page) = conforms(
        &api.root,
        PERSONS,
        "post",
        api.req(
            Method::POST,
            &format!("{PERSONS}?pageOffset=1&pageSize=10"),
            access,
        )
        .json(&json!({"queryType": "PermissionsInCurrentContext"})),
    )
    .await;
    assert_eq!((status, page["hasMore"].as_bool()), (200, Some(true)));
    let (_, all) = conforms(
        &api.root,
        PERSONS,
        "post",
        api.req(Method::POST, &format!("{PERSONS}?pageSize=100"), access)
            .json(&json!({"queryType": "PermissionsInCurrentContext"})),
    )
    .await;
    let items = all["permissions"].as_array().expect("permissions");
    assert!(
        items
            .iter()
            .any(|p| p["targetIdentifier"]["type"] == "AllPartners")
    );
    assert!(
        items
            .iter()
            .any(|p| p["subjectPersonDetails"]["subjectDetailsType"]
                == "PersonByFingerprintWithoutIdentifier")
    );
    assert!(
        items
            .iter()
            .any(|p| p["subjectEntityDetails"]["fullName"].is_string())
    );
    conforms(
        &api.root,
        ENTITIES,
        "post",
        api.req(Method::POST, ENTITIES, access).json(&json!({})),
    )
    .await;
    for query_type in ["Granted", "Received"] {
        let (_, body) = conforms(
            &api.root,
            AUTHORIZATIONS,
            "post",
            api.req(Method::POST, AUTHORIZATIONS, access)
                .json(&json!({"queryType": query_type})),
        )
        .await;
        assert!(
            !body["authorizationGrants"]
                .as_array()
                .expect("grants")
                .is_empty()
        );
    }
    items.clone()
}

/// A listing refused: 400 (legacy and Problem Details), 401 without a bearer, 403 for a
/// token of another context without CredentialsRead/Manage.
async fn grant_listing_refusals_conform(api: &GrantApi<'_>, access: &Secret) {
    // 400: legacy and Problem Details.
    let (status, _) = conforms(
        &api.root,
        PERSONS,
        "post",
        api.req(Method::POST, PERSONS, access)
            .json(&json!({"queryType": "Everything"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = conforms(
        &api.root,
        AUTHORIZATIONS,
        "post",
        api.req(
            Method::POST,
            &format!("{AUTHORIZATIONS}?pageSize=500"),
            access,
        )
        .header("X-Error-Format", "problem-details")
        .json(&json!({"queryType": "Granted"})),
    )
    .await;
    assert_eq!((status, &body["errors"][0]["code"]), (400, &json!(21405)));
    // 401 without a bearer.
    let (status, _) = conforms(
        &api.root,
        ENTITIES,
        "post",
        api.http
            .post(format!("{}{ENTITIES}", api.sim.base_url))
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 401);
    // 403 for a token of another context without CredentialsRead/Manage.
    let other = signed_in_raw(api.sim, ALFA, &token(&basic(), ALFA, ALFA_INVOICING)).await;
    let (status, body) = conforms(
        &api.root,
        PERSONS,
        "post",
        api.req(Method::POST, PERSONS, &other)
            .json(&json!({"queryType": "PermissionsInCurrentContext"})),
    )
    .await;
    assert_eq!(
        (status, body["reasonCode"].as_str()),
        (403, Some("missing-permissions"))
    );
}

/// Removal: 202, then its operation; 400 for an unknown id; 403 without CredentialsManage
/// (a session of `reader`).
async fn grant_removal_conforms(
    api: &GrantApi<'_>,
    access: &Secret,
    items: &[Value],
    reader: &Secret,
) {
    let first = items[0]["id"].as_str().expect("id").to_string();
    let common = "/permissions/common/grants/{permissionId}";
    let (status, op) = conforms(
        &api.root,
        common,
        "delete",
        api.req(
            Method::DELETE,
            &format!("/permissions/common/grants/{first}"),
            access,
        ),
    )
    .await;
    assert_eq!(status, 202);
    let reference = op["referenceNumber"].as_str().expect("reference");
    let (status, _) = conforms(
        &api.root,
        "/permissions/operations/{referenceNumber}",
        "get",
        api.req(
            Method::GET,
            &format!("/permissions/operations/{reference}"),
            access,
        ),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = conforms(
        &api.root,
        common,
        "delete",
        api.req(
            Method::DELETE,
            &format!("/permissions/common/grants/{first}"),
            access,
        ),
    )
    .await;
    assert_eq!(status, 400);
    let read_only = signed_in_raw(api.sim, ALFA, reader).await;
    let (status, _) = conforms(
        &api.root,
        "/permissions/authorizations/grants/{permissionId}",
        "delete",
        api.req(
            Method::DELETE,
            &format!("/permissions/authorizations/grants/{}", id(1)),
            &read_only,
        ),
    )
    .await;
    assert_eq!(status, 403);
}

/// 429 with Retry-After.
async fn grant_listing_rate_limit_conforms(api: &GrantApi<'_>, access: &Secret) {
    api.sim.set_faults(
        Some(BETA),
        Faults {
            rate_limit_every: Some(1),
            ..Faults::default()
        },
    );
    let (status, _) = conforms(
        &api.root,
        ENTITIES,
        "post",
        api.req(Method::POST, ENTITIES, access).json(&json!({})),
    )
    .await;
    assert_eq!(status, 429);
}

/// The access token of a fresh session of `nip`.
async fn signed_in_raw(sim: &SimHandle, nip: &str, secret: &Secret) -> Secret {
    let s = settings(sim);
    let t = Transport::new(http_client(&s).expect("client"), &s, nip, Progress::none());
    let mut session = authenticate(&t, secret, Duration::from_secs(10))
        .await
        .expect("authenticated");
    session.access(&t).await.expect("access").clone()
}

#[test]
fn contract_examples_parse_and_the_query_bodies_validate() {
    use ksef_client::grants::PermissionsOperationResponse;
    use ksef_client::grants::PermissionsOperationStatusResponse;
    use ksef_client::grants::QueryEntityAuthorizationPermissionsResponse;
    use ksef_client::grants::QueryEntityPermissionsResponse;
    use ksef_client::grants::QueryPersonPermissionsResponse;
    use ksef_client::grants::query_body;
    let root = permissions_contract();
    let example = |path: &str, method: &str, status: &str| -> Value {
        root["paths"][path][method]["responses"][status]["content"]["application/json"]["example"]
            .clone()
    };
    let persons: QueryPersonPermissionsResponse =
        serde_json::from_value(example("/permissions/query/persons/grants", "post", "200"))
            .expect("persons example");
    let rec = GrantRecord::from_person(persons.permissions[0].clone());
    assert_eq!(
        (
            rec.holder.value(),
            rec.target.as_ref().map(GrantIdentifier::value)
        ),
        ("7762811692", Some("9786214922"))
    );
    let entities: QueryEntityPermissionsResponse =
        serde_json::from_value(example("/permissions/query/entities/grants", "post", "200"))
            .expect("entities example");
    assert_eq!(entities.permissions.len(), 1);
    let auths: QueryEntityAuthorizationPermissionsResponse = serde_json::from_value(example(
        "/permissions/query/authorizations/grants",
        "post",
        "200",
    ))
    .expect("authorizations example");
    assert_eq!(
        auths.authorization_grants[0].authorization_scope,
        GrantScope::SelfInvoicing
    );
    let op: PermissionsOperationResponse = serde_json::from_value(example(
        "/permissions/common/grants/{permissionId}",
        "delete",
        "202",
    ))
    .expect("delete example");
    assert_eq!(op.reference_number.len(), 36);
    let status: PermissionsOperationStatusResponse = serde_json::from_value(example(
        "/permissions/operations/{referenceNumber}",
        "get",
        "200",
    ))
    .expect("operation example");
    assert_eq!(status.status.code, 200);

    for (path, kind) in [
        ("/permissions/query/persons/grants", GrantKind::Person),
        ("/permissions/query/entities/grants", GrantKind::Entity),
        (
            "/permissions/query/authorizations/grants",
            GrantKind::AuthorizationGranted,
        ),
        (
            "/permissions/query/authorizations/grants",
            GrantKind::AuthorizationReceived,
        ),
    ] {
        let schema =
            &root["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"];
        let mut errors = Vec::new();
        validate(&root, schema, &query_body(&kind), "request", &mut errors);
        assert!(errors.is_empty(), "{path} {kind}: {errors:?}");
    }
}

#[test]
fn snapshots_written_before_grants_still_read_and_new_ones_keep_them() {
    use ksef_model::TokenSnapshot;
    let old: TokenSnapshot =
        serde_json::from_str(include_str!("../fixtures/inventory/basic/snapshot.json"))
            .expect("an older snapshot reads");
    assert!(!old.contexts.is_empty());
    assert!(old.contexts.iter().all(|c| c.grants.is_empty()));
    let mut new = old.clone();
    new.contexts[0].grants = grants(2, &new.contexts[0].nip.clone());
    let text = serde_json::to_string(&new).expect("serialises");
    let back: TokenSnapshot = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back, new);
    let json: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["contexts"][0]["grants"][0]["kind"], "Person");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subunit_manager_sees_part_of_the_persons_and_never_gets_a_partial_list() {
    let mut list = grants(20, ALFA);
    list[3].context = Some(GrantIdentifier::new(
        IdentifierType::InternalId,
        "5265877635-00001",
    ));
    list[3].scope = GrantScope::CredentialsManage;
    let mut fixture = with_grants(ALFA, list);
    for ctx in &mut fixture.contexts {
        for t in &mut ctx.tokens {
            if t.record.reference_number == ALFA_INVOICING {
                t.record.requested_permissions = vec![Permission::SubunitManage];
            }
        }
    }
    let (_sim, t, mut session) = signed_in(fixture, ALFA, ALFA_INVOICING).await;
    // The persons listing alone answers, with the subunit administrators only.
    let persons = list_person_grants(&t, &mut session, 10)
        .await
        .expect("persons");
    assert_eq!(persons.len(), 1);
    // The whole read stops at the next listing, and a known token is refused up front.
    let err = read_grants(&t, &mut session, None, 10)
        .await
        .expect_err("refused");
    assert_eq!(
        err.missing_permissions(),
        ["CredentialsRead", "CredentialsManage"]
    );
    assert!(
        err.to_string()
            .contains("POST /permissions/query/entities/grants"),
        "{err}"
    );
    let err = read_grants(&t, &mut session, Some(&[Permission::SubunitManage]), 10)
        .await
        .expect_err("refused up front");
    assert!(
        err.to_string().contains("(it has [SubunitManage])"),
        "{err}"
    );
}
