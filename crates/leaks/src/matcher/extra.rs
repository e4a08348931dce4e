//! The passes of issue 12 beyond "one regex per rule over the text", called from
//! [`Scanner::scan`] through two hooks (`take_placeholders`, `scan_extra`) so that the
//! matching engine in `mod.rs` stays apart from them:
//!
//! - KSeF context beyond the line for LEAK002 and LEAK003 ([`crate::matcher::context`]);
//! - KSeF certificate keys (LEAK004) and their passwords (LEAK005) ([`crate::matcher::keys`]);
//! - decoded views: escaped separators and JSON strings, quoted-printable mail bodies,
//!   base64 wrapped over several lines ([`crate::matcher::decode`]); ANSI-stripped logs,
//!   joined continuations, .docx paragraphs, PDF streams, UTF-16 SQLite pages
//!   ([`crate::matcher::views`]);
//! - placeholders counted, not silently dropped.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::matcher::CompiledRule;
use crate::matcher::Hit;
use crate::matcher::RawMatch;
use crate::matcher::Scanner;
use crate::matcher::check_match;
use crate::matcher::context::ContextPass;
use crate::matcher::context::Shape;
use crate::matcher::decode;
use crate::matcher::dedupe;
use crate::matcher::keys;
use crate::position::Locator;
use ksef_model::Confidence;
use ksef_rules::leak::SecretCheck;

/// A value dropped as a placeholder: counted in the scan's stats, listed with `-v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub rule_id: String,
    pub line: u64,
    pub reason: &'static str,
}

/// What [`Scanner::scan`] found in one buffer.
#[derive(Debug, Default)]
pub struct ScanOutput {
    pub matches: Vec<RawMatch>,
    pub placeholders: Vec<Dropped>,
}

/// Rules whose matches come only from the key pass: their regex never yields a match
/// (`check_match` drops it), so the line passes leave them out entirely.
pub(super) fn own_pass_check(check: SecretCheck) -> bool {
    matches!(
        check,
        SecretCheck::KsefCertificateKey | SecretCheck::KeyPassword
    )
}

/// Rule indexes the extra passes report under.
pub(super) struct Extra {
    context: ContextPass,
    token40: Option<usize>,
    token64: Option<usize>,
    key: Option<usize>,
    password: Option<usize>,
    /// Rule ids by index (placeholder drops name their rule).
    ids: Vec<String>,
    /// By index: the rule's matches come from the key pass only.
    own_pass_rules: Vec<bool>,
    /// What a buffer must hold for its escaped view to wake a line rule (None: always build
    /// the view). See [`escaped_pieces`].
    escaped_pieces: Option<Vec<String>>,
}

/// The escaped view only turns escapes into `|`, `"`, `/` or `\` and copies every other byte:
/// a keyword found in the view has its longest piece between those characters in the original
/// buffer too. So a buffer holding no such piece gives a view where no line rule wakes, and
/// the view (a copy of the buffer plus an offset map) is not built. None when some keyword is
/// made only of those characters.
fn escaped_pieces(keywords: &[String]) -> Option<Vec<String>> {
    let mut pieces = Vec::new();
    for k in keywords {
        let piece = k
            .split(['|', '"', '/', '\\'])
            .max_by_key(|p| p.len())
            .filter(|p| !p.is_empty())?;
        pieces.push(piece.to_string());
    }
    (!pieces.is_empty()).then_some(pieces)
}

/// The literals the context and key passes start from (`ksef` in the text, a PEM header) and
/// the quoted-printable declaration.
const PASS_LITERALS: &[&str] = &[
    "ksef",
    PEM_HEADER,
    QP_DECLARATION,
    crate::matcher::views::DOCX_RUN,
];

/// What starts a PEM block.
pub(super) const PEM_HEADER: &str = "-----BEGIN ";

/// What a mail part declares when its body is quoted-printable.
pub(super) const QP_DECLARATION: &str = "quoted-printable";

impl Extra {
    /// `keywords`: those of the line rules; `all_keyed`: every line rule has some (else the
    /// escaped view is always built).
    pub(super) fn new(rules: &[CompiledRule], keywords: &[String], all_keyed: bool) -> Extra {
        let by_id = |id: &str| rules.iter().position(|r| r.id == id);
        let by_check = |c: SecretCheck| rules.iter().position(|r| r.check == c);
        Extra {
            context: ContextPass::default(),
            token40: by_id("LEAK002"),
            token64: by_id("LEAK003"),
            key: by_check(SecretCheck::KsefCertificateKey),
            password: by_check(SecretCheck::KeyPassword),
            ids: rules.iter().map(|r| r.id.clone()).collect(),
            own_pass_rules: rules.iter().map(|r| own_pass_check(r.check)).collect(),
            escaped_pieces: all_keyed.then(|| escaped_pieces(keywords)).flatten(),
        }
    }

    /// The LEAK004 rule (certificate keys), when loaded.
    pub(super) fn key_rule(&self) -> Option<usize> {
        self.key
    }

    /// What a buffer holds when any extra pass except the base64 ones can find something:
    /// [`PASS_LITERALS`] and the escaped view's keyword pieces. None when the escaped view
    /// must always be built (see [`escaped_pieces`]).
    pub(super) fn quick_literals(&self) -> Option<Vec<String>> {
        let mut literals = self.escaped_pieces.clone()?;
        literals.extend(PASS_LITERALS.iter().map(|s| s.to_string()));
        Some(literals)
    }

    /// Rules whose matches come from their own pass (the regex only names the place).
    pub(super) fn own_pass(&self, rule: usize) -> bool {
        self.own_pass_rules[rule]
    }

    /// Drops line-rule hits of the 40-character and 1.0 token rules whose value is assigned
    /// to a key naming a digest (`skrót_tokena_ksef = <64 hex>`, `ksef_token_sha256: …`).
    pub(super) fn drop_digest_values(&self, hits: &mut Vec<Hit>, text: &[u8]) {
        hits.retain(|h| {
            let token_rule = Some(h.rule) == self.token40 || Some(h.rule) == self.token64;
            !(token_rule && crate::matcher::context::assigned_to_digest_key(text, h.start, h.end))
        });
    }

    /// Moves placeholder hits out of `hits` into `dropped`.
    pub(super) fn take_placeholders(
        &self,
        hits: &mut Vec<Hit>,
        text: &[u8],
        dropped: &mut Vec<Dropped>,
    ) {
        hits.retain(|h| match h.placeholder {
            Some(reason) => {
                dropped.push(Dropped {
                    rule_id: self.ids[h.rule].clone(),
                    line: crate::position::line_col(text, h.start).0,
                    reason,
                });
                false
            }
            None => true,
        });
    }
}

impl Scanner {
    /// The extra passes over one (UTF-8) buffer; `out` holds the line rules' matches.
    /// `presence`: which of the scanner's quick literals (keywords, [`Extra::quick_literals`])
    /// `text` holds; with none, only the base64 passes and the views with their own
    /// signatures can find anything, and the context and key passes only through a KSeF
    /// path. `wrapped`: the buffer may hold
    /// wrapped base64 ([`decode::may_hold_wrapped_base64`]).
    pub(super) fn scan_extra(
        &self,
        path: &str,
        text: &[u8],
        presence: super::Presence,
        wrapped: bool,
        out: &mut Vec<RawMatch>,
        dropped: &mut Vec<Dropped>,
    ) {
        let signals = self
            .extra
            .context
            .signals_gated(path, text, presence.keyed, presence.pem);
        self.context_pass(&signals, text, out, dropped);
        if self.extra.key.is_some() || self.extra.password.is_some() {
            self.key_pass(&signals, text, out, dropped);
        }
        let escaped = if presence.keyed {
            decode::escaped_view(text)
        } else {
            None
        };
        let quoted = if presence.quoted {
            decode::quoted_printable_view(text)
        } else {
            None
        };
        for view in [escaped, quoted].into_iter().flatten() {
            self.view_pass(&view, text, out);
        }
        // Issue 22: each gated by its own signature, so they run on quiet buffers too (a
        // keyword split by colour codes or across .docx runs is not in the raw text).
        for view in crate::matcher::views::views(text, presence) {
            self.view_pass(&view, text, out);
        }
        if wrapped {
            self.wrapped_base64_pass(text, out);
        }
        // A PKCS#12 bundle that opens without a password (with one: the key-file pass).
        if crate::matcher::bundle::looks_like_pkcs12(text) {
            out.extend(self.scan_pkcs12(text, &[]));
        }
        dropped.sort_by(|a, b| a.line.cmp(&b.line).then(a.rule_id.cmp(&b.rule_id)));
    }

    fn context_pass(
        &self,
        signals: &crate::matcher::context::Signals,
        text: &[u8],
        out: &mut Vec<RawMatch>,
        dropped: &mut Vec<Dropped>,
    ) {
        let found = self.extra.context.find(signals, text);
        if found.is_empty() {
            return;
        }
        let mut locator = Locator::default();
        for c in found {
            let rule = match c.shape {
                Shape::Alnum40 => self.extra.token40,
                Shape::Hex64 => self.extra.token64,
            };
            let Some(ri) = rule else { continue };
            let check = self.rules[ri].check;
            let Some(hit) = check_match(ri, check, c.start, c.end, &text[c.start..c.end]) else {
                continue;
            };
            let (line, column) = locator.locate(text, c.start);
            if out.iter().any(|m| m.line == line && m.column == column) {
                continue;
            }
            if let Some(reason) = hit.placeholder {
                let id = &self.rules[ri].id;
                if dropped.iter().any(|d| d.line == line && &d.rule_id == id) {
                    continue;
                }
                dropped.push(Dropped {
                    rule_id: self.rules[ri].id.clone(),
                    line,
                    reason,
                });
                continue;
            }
            let allowed = self.inline_allowed(text, c.start, c.end);
            out.push(self.raw_match(hit, line, column, allowed, None));
        }
    }

    fn key_pass(
        &self,
        signals: &crate::matcher::context::Signals,
        text: &[u8],
        out: &mut Vec<RawMatch>,
        dropped: &mut Vec<Dropped>,
    ) {
        let found = keys::scan_keys(signals, text);
        let passwords: Vec<String> = found
            .passwords
            .iter()
            .map(|p| String::from_utf8_lossy(&text[p.start..p.end]).into_owned())
            .collect();
        // Encrypted keys of this buffer opened with its passwords: (password index, key).
        let opened: Vec<(usize, &keys::KeyHit)> = found
            .keys
            .iter()
            .filter(|k| k.encrypted)
            .filter_map(|k| {
                let tried: Vec<&str> = passwords.iter().map(String::as_str).collect();
                let (i, _) = crate::matcher::bundle::public_key_with_password(&k.der, &tried)?;
                Some((i, k))
            })
            .collect();
        if let Some(ri) = self.extra.key {
            for k in &found.keys {
                let state = match (k.encrypted, opened.iter().any(|(_, o)| o.start == k.start)) {
                    (false, _) => "unencrypted",
                    (true, true) => "encrypted, its password is in the same file",
                    (true, false) if passwords.is_empty() => "encrypted",
                    (true, false) => "encrypted, a password is in the same file",
                };
                let hit = Hit {
                    secret: STANDARD.encode(&k.der),
                    nip: k.certificate.nip.clone(),
                    confidence: if k.encrypted && opened.is_empty() {
                        Confidence::Medium
                    } else {
                        Confidence::High
                    },
                    severity: k.certificate.key_severity(),
                    detail: Some(format!(
                        "private key ({state}) of {}",
                        k.certificate.describe()
                    )),
                    ..Hit::at(ri, k.start, k.end)
                };
                self.push_located(hit, text, out, None);
            }
        }
        let Some(ri) = self.extra.password else {
            return;
        };
        dropped.extend(found.placeholders.iter().map(|(line, reason)| Dropped {
            rule_id: self.rules[ri].id.clone(),
            line: *line,
            reason,
        }));
        for (i, p) in found.passwords.iter().enumerate() {
            let value = passwords[i].clone();
            let n = value.chars().count();
            let key = opened.iter().find(|(o, _)| *o == i).map(|(_, k)| *k);
            let detail = match key {
                Some(k) => {
                    let (line, _) = crate::position::line_col(text, k.start);
                    let fp = ksef_model::fingerprint_hex(STANDARD.encode(&k.der).as_bytes());
                    format!(
                        "password of a KSeF certificate key ({n} chars); it opens the key on line {line} of this file (key fingerprint {}) of {}",
                        &fp[..12],
                        k.certificate.describe()
                    )
                }
                None => format!("password of a KSeF certificate key ({n} chars)"),
            };
            let hit = Hit {
                secret: value,
                nip: found.keys.first().and_then(|k| k.certificate.nip.clone()),
                confidence: if found.keys.is_empty() {
                    Confidence::Medium
                } else {
                    Confidence::High
                },
                severity: key.map(|k| {
                    k.certificate
                        .key_severity()
                        .unwrap_or(ksef_model::Severity::Critical)
                }),
                weak_password: p.weak && key.is_none(),
                detail: Some(detail),
                ..Hit::at(ri, p.start, p.end)
            };
            self.push_located(hit, text, out, None);
        }
    }

    fn push_located(
        &self,
        hit: Hit,
        text: &[u8],
        out: &mut Vec<RawMatch>,
        encoding: Option<&'static str>,
    ) {
        let (line, column) = crate::position::line_col(text, hit.start);
        let allowed = self.inline_allowed(text, hit.start, hit.end);
        out.push(self.raw_match(hit, line, column, allowed, encoding));
    }

    /// Runs the line rules over a decoded view; a match is located at its original offset
    /// and kept unless the same secret was already found on that line.
    fn view_pass(&self, view: &decode::View, text: &[u8], out: &mut Vec<RawMatch>) {
        let active = self.active_rules(&view.text);
        if active.is_empty() {
            return;
        }
        let mut hits: Vec<Hit> = self
            .match_rules(&view.text, &active)
            .into_iter()
            .filter(|h| h.placeholder.is_none())
            .collect();
        dedupe(&mut hits);
        for mut hit in hits {
            let start = view.original(hit.start);
            let end = view.original(hit.end.saturating_sub(1)) + 1;
            hit.start = start;
            hit.end = end.max(start);
            let (line, column) = crate::position::line_col(text, start);
            let fp = ksef_model::fingerprint_hex(hit.secret.as_bytes());
            if out.iter().any(|m| m.fingerprint == fp && m.line == line) {
                continue;
            }
            let allowed = self.inline_allowed(text, hit.start, hit.end);
            out.push(self.raw_match(hit, line, column, allowed, Some(view.label)));
        }
    }

    /// Base64 wrapped at 64 or 76 columns, joined and decoded; matched with the line before
    /// the block as its key context.
    fn wrapped_base64_pass(&self, text: &[u8], out: &mut Vec<RawMatch>) {
        for (start, end, joined) in decode::wrapped_base64_blocks(text) {
            let Some(decoded) = decode::decode_base64_text(&joined) else {
                continue;
            };
            let line_start = memchr::memrchr(b'\n', &text[..start]).map_or(0, |p| p + 1);
            let prev_start =
                memchr::memrchr(b'\n', &text[..line_start.saturating_sub(1)]).map_or(0, |p| p + 1);
            let prefix = &text[prev_start..line_start];
            let mut virt = Vec::with_capacity(prefix.len() + decoded.len());
            virt.extend_from_slice(prefix);
            virt.extend_from_slice(&decoded);
            let active = self.active_rules(&virt);
            if active.is_empty() {
                continue;
            }
            let mut hits: Vec<Hit> = self
                .match_rules(&virt, &active)
                .into_iter()
                .filter(|h| h.end > prefix.len() && h.placeholder.is_none())
                .collect();
            dedupe(&mut hits);
            let (line, column) = crate::position::line_col(text, start);
            for mut hit in hits {
                let fp = ksef_model::fingerprint_hex(hit.secret.as_bytes());
                if out.iter().any(|m| m.fingerprint == fp) {
                    continue;
                }
                hit.start = start;
                hit.end = end;
                let allowed = self.inline_allowed(text, start, end);
                out.push(self.raw_match(hit, line, column, allowed, Some("base64")));
            }
        }
    }
}
