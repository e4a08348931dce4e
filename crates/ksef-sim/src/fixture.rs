//! The fixture: contexts and their tokens, as a JSON file (see `docs/simulator.md`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Faults;
use crate::SimError;
use ksef_model::CertificateLimits;
use ksef_model::CertificateRecord;
use ksef_model::GrantRecord;
use ksef_model::Identifier;
use ksef_model::TokenRecord;
use ksef_model::validate_nip;

/// Everything the simulator serves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixture {
    pub contexts: Vec<FixtureContext>,
}

/// One context (a client NIP) and its tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixtureContext {
    pub nip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Set for an `InternalId` context (`NNNNNNNNNN-DDDDD`); tokens then use the
    /// `internalId-` form and authenticate with `contextIdentifier.type = InternalId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_id: Option<String>,
    /// Faults for this context only (replace the global ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<Faults>,
    #[serde(default)]
    pub tokens: Vec<FixtureToken>,
    /// Permission grants of the context, in the snapshot's shape (see `simulator::grants`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<GrantRecord>,
    /// KSeF certificates of the context, as `POST /certificates/query` lists them
    /// (see `simulator::certificates`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<CertificateRecord>,
    /// What `GET /certificates/limits` answers (default: 10 of 10 left for both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_limits: Option<CertificateLimits>,
}

/// A token: every field of the contract's token record, plus its secret.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FixtureToken {
    #[serde(flatten)]
    pub record: TokenRecord,
    /// The 64-hex secret part. Without it the token cannot authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl std::fmt::Debug for FixtureToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FixtureToken")
            .field("record", &self.record)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl FixtureContext {
    /// The context identifier tokens of this context carry and authenticate with.
    pub fn identifier(&self) -> Identifier {
        match &self.internal_id {
            Some(id) => Identifier {
                kind: "InternalId".into(),
                value: id.clone(),
            },
            None => Identifier {
                kind: "Nip".into(),
                value: self.nip.clone(),
            },
        }
    }

    /// The middle part of the token string: `nip-{nip}` or `internalId-{id}`.
    pub fn token_segment(&self) -> String {
        match &self.internal_id {
            Some(id) => format!("internalId-{id}"),
            None => format!("nip-{}", self.nip),
        }
    }

    /// The full token string `{referenceNumber}|{segment}|{secret}`, if the token has a secret.
    pub fn token_string(&self, token: &FixtureToken) -> Option<String> {
        token.secret.as_ref().map(|secret| {
            format!(
                "{}|{}|{}",
                token.record.reference_number,
                self.token_segment(),
                secret
            )
        })
    }
}

impl Fixture {
    /// Reads and checks a fixture file.
    pub fn load(path: &Path) -> Result<Fixture, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::FixtureRead {
            path: path.to_path_buf(),
            source,
        })?;
        let fixture: Fixture = serde_json::from_str(&text).map_err(|e| {
            SimError::Fixture(format!(
                "fixture '{}' line {} column {}: {e}",
                path.display(),
                e.line(),
                e.column()
            ))
        })?;
        fixture.validate()?;
        Ok(fixture)
    }

    /// Checks what the simulator relies on; every problem is listed.
    pub fn validate(&self) -> Result<(), SimError> {
        let mut problems = Vec::new();
        let mut seen_nips = std::collections::HashSet::new();
        let mut seen_refs = std::collections::HashSet::new();
        for (ci, ctx) in self.contexts.iter().enumerate() {
            let at = format!("contexts[{ci}] (NIP {})", ctx.nip);
            if let Err(e) = validate_nip(&ctx.nip) {
                problems.push(format!("{at}: {e}"));
            }
            if !seen_nips.insert(ctx.identifier()) {
                problems.push(format!("{at}: context listed twice"));
            }
            let ident = ctx.identifier();
            for (ti, token) in ctx.tokens.iter().enumerate() {
                let r = &token.record;
                let at = format!("{at} tokens[{ti}] ({})", r.reference_number);
                if r.reference_number.len() != 36 {
                    problems.push(format!("{at}: referenceNumber must be 36 characters"));
                }
                if !seen_refs.insert(r.reference_number.clone()) {
                    problems.push(format!("{at}: referenceNumber used twice"));
                }
                if r.context_identifier != ident {
                    problems.push(format!(
                        "{at}: contextIdentifier {}/{} does not match the context {}/{}",
                        r.context_identifier.kind,
                        r.context_identifier.value,
                        ident.kind,
                        ident.value
                    ));
                }
                if let Some(secret) = &token.secret
                    && (secret.is_empty() || secret.contains('|'))
                {
                    problems.push(format!("{at}: secret must be non-empty and without '|'"));
                }
            }
            crate::grants::validate(ctx, &at, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SimError::Fixture(problems.join("\n")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "20251010-EC-1DCE3E3000-12ECB5B36E-45";
    // Assembled at run time so no token-shaped literal sits in the sources.
    const SECRET: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

    fn context(internal_id: Option<&str>) -> FixtureContext {
        let ident = match internal_id {
            Some(id) => Identifier {
                kind: "InternalId".into(),
                value: id.into(),
            },
            None => Identifier {
                kind: "Nip".into(),
                value: "5265877635".into(),
            },
        };
        let token: FixtureToken = serde_json::from_value(serde_json::json!({
            "referenceNumber": REFERENCE,
            "authorIdentifier": {"type": "Nip", "value": "5265877635"},
            "contextIdentifier": ident,
            "description": "Wystawianie faktur",
            "requestedPermissions": ["InvoiceWrite"],
            "dateCreated": "2025-10-10T10:00:00Z",
            "status": "Active",
            "secret": SECRET
        }))
        .expect("token parses");
        FixtureContext {
            nip: "5265877635".into(),
            name: None,
            internal_id: internal_id.map(str::to_string),
            faults: None,
            tokens: vec![token],
            grants: Vec::new(),
            certificates: Vec::new(),
            certificate_limits: None,
        }
    }

    #[test]
    fn token_strings_use_the_nip_or_internal_id_form() {
        let nip = context(None);
        assert_eq!(
            nip.token_string(&nip.tokens[0]).as_deref(),
            Some(format!("{REFERENCE}|nip-5265877635|{SECRET}").as_str())
        );
        let internal = context(Some("5265877635-12345"));
        assert_eq!(
            internal.token_string(&internal.tokens[0]).as_deref(),
            Some(format!("{REFERENCE}|internalId-5265877635-12345|{SECRET}").as_str())
        );
        Fixture {
            contexts: vec![internal],
        }
        .validate()
        .expect("valid");
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let ctx = context(None);
        let debug = format!("{:?}", ctx.tokens[0]);
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn validation_lists_every_problem() {
        let mut ctx = context(None);
        ctx.tokens.push(ctx.tokens[0].clone());
        ctx.tokens[1].secret = Some("a|b".into());
        let err = Fixture {
            contexts: vec![ctx.clone(), ctx],
        }
        .validate()
        .expect_err("invalid")
        .to_string();
        assert!(err.contains("referenceNumber used twice"), "{err}");
        assert!(err.contains("context listed twice"), "{err}");
        assert!(err.contains("without '|'"), "{err}");
    }
}
