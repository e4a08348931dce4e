//! `ksef-audit revoke --from leaks.json [--yes]`: revokes the leaked tokens that
//! `leaks --verify` found active. A dry run unless `--yes`. Uses the firm's own
//! credential per NIP; the leaked secret is never sent.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::app::revoke_plan::ActionBounds;
use crate::app::revoke_plan::Plan;
use crate::app::revoke_plan::confirm;
use crate::cli::GlobalArgs;
use crate::cli::RevokeArgs;
use crate::config::Config;
use crate::config::RuleDirs;
use crate::config::resolve_settings_for_nips;
use ksef_client::verify::revoke_tokens;
use ksef_leaks::redact::redact_text;
use ksef_model::LeakResults;
use ksef_model::LeakStatus;
use ksef_model::Outcome;
use ksef_model::escape_terminal;
use ksef_model::i18n::Lang;
use ksef_model::i18n::commands::text as say;

/// One token to revoke, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub nip: String,
    pub reference: String,
    pub found_at: String,
}

/// Everything `ksef-audit revoke` does, without clap types.
#[derive(Debug, Clone)]
pub struct RevokeRequest {
    /// `leaks --verify --format json` results.
    pub from: PathBuf,
    /// With `--yes`: the config the KSeF settings come from. `None`: a dry run.
    pub revoke_with: Option<Box<Config>>,
    /// `-q`: no progress on stderr.
    pub quiet: bool,
    /// `--nip` and `--max-actions`.
    pub bounds: ActionBounds,
    /// `--lang`: the language of the plan and the results.
    pub lang: Lang,
}

/// `ksef-audit revoke`: flags (+ config with `--yes`) -> [`RevokeRequest`] -> [`revoke`].
pub fn run(global: &GlobalArgs, args: &RevokeArgs) -> Result<Outcome> {
    let lang = crate::app::messages::command_lang(args.lang.lang, global);
    if args.grants {
        let Some(from) = &args.from else {
            bail!(
                "nothing to revoke from\nhelp: run `ksef-audit audit --format json -o audit.json`, then `ksef-audit revoke --from audit.json --grants`"
            );
        };
        let revoke_with = match args.yes {
            true => Some(Box::new(crate::app::load_config(
                global,
                RuleDirs::NotRead,
            )?)),
            false => None,
        };
        return crate::app::revoke_grants::revoke(&crate::app::revoke_grants::GrantRevokeRequest {
            from: from.clone(),
            rules: args.rule.clone(),
            revoke_with,
            bounds: bounds(global, args)?,
            staff: args.staff.clone(),
            lang,
        });
    }
    let Some(from) = &args.from else {
        bail!(
            "nothing to revoke from\nhelp: run `ksef-audit leaks --verify --format json -o leaks.json PATH`, then `ksef-audit revoke --from leaks.json`"
        );
    };
    let revoke_with = match args.yes {
        true => Some(Box::new(crate::app::load_config(
            global,
            RuleDirs::NotRead,
        )?)),
        false => None,
    };
    revoke(&RevokeRequest {
        from: from.clone(),
        revoke_with,
        quiet: global.quiet,
        bounds: bounds(global, args)?,
        lang,
    })
}

/// `--nip` (validated) and `--max-actions`.
fn bounds(global: &GlobalArgs, args: &RevokeArgs) -> Result<ActionBounds> {
    let mut nips = Vec::new();
    for n in &global.nips {
        nips.push(
            ksef_model::validate_nip(n)
                .map_err(|e| anyhow::anyhow!("--nip '{}': {e}", escape_terminal(n)))?,
        );
    }
    Ok(ActionBounds {
        nips,
        max_actions: args.max_actions,
    })
}

/// The `revoke` pipeline: list the targets; with a config, revoke them.
pub fn revoke(req: &RevokeRequest) -> Result<Outcome> {
    let from = &req.from;
    let results = read_leaks(from)?;
    let (mut targets, mut refused) = checked_targets(&results);
    let before = targets.len();
    targets.retain(|t| req.bounds.in_scope(&t.nip));
    refused.retain(|r| req.bounds.in_scope(&r.nip));
    let outside = before - targets.len();
    // Values from the (possibly edited) results file and the server's messages: escaped.
    let mut out = crate::app::output::Safe(std::io::stdout().lock());
    let lang = req.lang;
    for r in &refused {
        write_refused(&mut out, lang, &r.nip, &r.reference, &r.reason)?;
    }
    if outside > 0 {
        let nips = req.bounds.nips.join(", ");
        let line = say(
            lang,
            "revoke_outside_tokens",
            &[("n", &outside), ("nips", &nips)],
        );
        writeln!(out, "{line}")?;
    }
    if targets.is_empty() && !refused.is_empty() {
        return Ok(Outcome::Incomplete);
    }
    if targets.is_empty() {
        let file = ksef_model::shown_path(from);
        writeln!(
            out,
            "{}",
            say(lang, "revoke_nothing_tokens", &[("file", &file)])
        )?;
        return Ok(Outcome::Clean);
    }
    let Some(config) = &req.revoke_with else {
        let n = targets.len();
        writeln!(out, "{}", say(lang, "revoke_would_tokens", &[("n", &n)]))?;
        for t in &targets {
            let place = escape_terminal(&redact_text(&t.found_at)).into_owned();
            writeln!(
                out,
                "  {}  {}  {}",
                escape_terminal(&t.nip),
                escape_terminal(&t.reference),
                say(lang, "revoke_found_in", &[("place", &place)])
            )?;
        }
        writeln!(out, "{}", say(lang, "revoke_dry_run_tokens", &[]))?;
        return Ok(Outcome::Clean);
    };
    let nips: Vec<String> = targets.iter().map(|t| t.nip.clone()).collect();
    let settings = resolve_settings_for_nips(config, &nips)?;
    let spinner = crate::app::progress::Spinner::start(
        req.quiet,
        say(lang, "revoke_checking", &[("n", &targets.len())]),
    );
    let (targets, live_refused) = recheck_live(&settings, &results, targets);
    for r in &live_refused {
        write_refused(&mut out, lang, &r.nip, &r.reference, &r.reason)?;
    }
    refused.extend(live_refused);
    spinner.finish();
    let pairs: Vec<(String, String)> = targets
        .iter()
        .map(|t| (t.nip.clone(), t.reference.clone()))
        .collect();
    let plan = Plan {
        grants: Vec::new(),
        tokens: pairs.clone(),
        person: None,
        lang,
    };
    out.flush()?;
    confirm(&plan, &req.bounds)?;
    let outcomes: Vec<Removal> = revoke_tokens(&settings, &pairs)
        .into_iter()
        .map(|o| Removal {
            nip: o.nip,
            key: o.reference,
            result: o.result.map(|()| String::new()),
        })
        .collect();
    write_removals(&mut out, lang, &outcomes, "tokens", refused.len())
}

/// One removal's result: `Ok` with what to add to its line.
pub(super) struct Removal {
    pub nip: String,
    /// Token reference or grant id.
    pub key: String,
    pub result: Result<String, String>,
}

/// `REFUSED  NIP  KEY: reason`, the reason too in `lang`.
pub(super) fn write_refused(
    out: &mut impl Write,
    lang: Lang,
    nip: &str,
    key: &str,
    reason: &str,
) -> std::io::Result<()> {
    let reason = ksef_model::i18n::errors::localised(lang, reason).replace('\n', "\n         ");
    let line = say(
        lang,
        "revoke_refused",
        &[("nip", &nip), ("key", &key), ("reason", &reason)],
    );
    writeln!(out, "{line}")
}

/// Prints a line per removal (`revoked` or `FAILED` with the reason) and the totals with what
/// happens next, in the words of `kind` (`tokens` are revoked, `grants` removed: the
/// `revoke_*_{kind}` messages). Exit 2 when anything failed or was refused.
pub(super) fn write_removals(
    out: &mut impl Write,
    lang: Lang,
    removals: &[Removal],
    kind: &str,
    refused: usize,
) -> Result<Outcome> {
    let mut failed = 0;
    for o in removals {
        let (nip, key) = (&o.nip, &o.key);
        let line = match &o.result {
            Ok(more) => say(
                lang,
                &format!("revoke_done_{kind}"),
                &[("nip", nip), ("key", key), ("more", more)],
            ),
            Err(reason) => {
                failed += 1;
                let reason =
                    ksef_model::i18n::errors::localised(lang, reason).replace('\n', "\n         ");
                say(
                    lang,
                    "revoke_failed",
                    &[("nip", nip), ("key", key), ("reason", &reason)],
                )
            }
        };
        writeln!(out, "{line}")?;
    }
    let done = removals.len() - failed;
    let note = say(lang, &format!("revoke_note_{kind}"), &[]);
    let totals = [
        ("done", &done as &dyn std::fmt::Display),
        ("failed", &failed),
        ("note", &note),
    ];
    let totals = say(lang, &format!("revoke_totals_{kind}"), &totals);
    writeln!(out, "{totals}")?;
    if refused > 0 {
        writeln!(
            out,
            "{}",
            say(lang, "revoke_refused_total", &[("n", &refused)])
        )?;
    }
    Ok(if failed > 0 || refused > 0 {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    })
}

/// A target `revoke` will not touch, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub nip: String,
    pub reference: String,
    pub reason: String,
}

/// Active, unsuppressed findings with a reference and NIP, one per (NIP, reference).
pub fn targets(results: &LeakResults) -> Vec<Target> {
    checked_targets(results).0
}

/// [`targets`], re-checked against the document itself (an edited results file must not
/// steer `revoke`): a finding counts only when its fingerprint is a SHA-256 and its redacted
/// preview — taken from the leaked token itself — carries the same reference and NIP.
/// Deduplicated by (NIP, reference), so a bad entry cannot hide a good one.
pub fn checked_targets(results: &LeakResults) -> (Vec<Target>, Vec<Refused>) {
    let mut out: Vec<Target> = Vec::new();
    let mut refused: Vec<Refused> = Vec::new();
    for f in &results.findings {
        let (Some(nip), Some(reference)) = (&f.nip, &f.reference_number) else {
            continue;
        };
        if f.status != LeakStatus::Active
            || out
                .iter()
                .any(|t| &t.reference == reference && &t.nip == nip)
        {
            continue;
        }
        let fingerprint_ok =
            f.fingerprint.len() == 64 && f.fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
        let preview_ok = f.redacted.starts_with(&format!("{reference}|nip-{nip}|"));
        if !fingerprint_ok || !preview_ok {
            let reason = if fingerprint_ok {
                "the finding's token preview names another reference or NIP (an edited results file?)"
            } else {
                "the finding has no SHA-256 fingerprint (an edited results file?)"
            };
            if !refused
                .iter()
                .any(|r| &r.reference == reference && &r.nip == nip)
            {
                refused.push(Refused {
                    nip: ksef_model::escape_terminal(nip).into_owned(),
                    reference: ksef_model::escape_terminal(reference).into_owned(),
                    reason: reason.into(),
                });
            }
            continue;
        }
        let found_at = match (&f.commit, f.line) {
            (Some(commit), _) => {
                let short: String = commit.chars().take(12).collect();
                format!("{} @ {short}", f.path)
            }
            (None, Some(line)) => format!("{}:{line}", f.path),
            (None, None) => f.path.clone(),
        };
        out.push(Target {
            nip: nip.clone(),
            reference: reference.clone(),
            found_at,
        });
    }
    (out, refused)
}

/// Before anything is revoked, asks KSeF again (`GET /tokens/{ref}` with the firm's own
/// credential for the NIP): only a token that is Active in that NIP's context now is revoked,
/// and never the token `ksef-audit` itself authenticates with.
fn recheck_live(
    settings: &ksef_client::settings::KsefSettings,
    results: &LeakResults,
    targets: Vec<Target>,
) -> (Vec<Target>, Vec<Refused>) {
    let mut refused = Vec::new();
    let mut keep = Vec::new();
    for t in targets {
        let own =
            settings
                .context(&t.nip)
                .and_then(|c| {
                    match ksef_client::credentials::load_credential(&t.nip, &c.credential) {
                        Ok(ksef_client::credentials::Credential::KsefToken(s)) => {
                            s.expose().split('|').next().map(str::to_string)
                        }
                        _ => None,
                    }
                });
        if own.as_deref() == Some(t.reference.as_str()) {
            refused.push(Refused {
                nip: t.nip,
                reference: t.reference,
                reason: "this is the credential ksef-audit authenticates with for this NIP; revoke it by hand if you mean to".into(),
            });
            continue;
        }
        match refind_secret(results, &t) {
            Ok(()) => keep.push(t),
            Err(reason) => refused.push(Refused {
                nip: t.nip,
                reference: t.reference,
                reason: format!(
                    "the leaked secret cannot be re-found: {}",
                    escape_terminal(&reason)
                ),
            }),
        }
    }
    let mut check = results.clone();
    check.findings.retain(|f| {
        keep.iter().any(|t| {
            f.nip.as_deref() == Some(t.nip.as_str())
                && f.reference_number.as_deref() == Some(t.reference.as_str())
        })
    });
    check.suppressed.clear();
    let verdicts = ksef_client::verify::verify_leaks(&check, settings);
    let failed: Vec<&ksef_model::ScanIssue> = verdicts.errors.iter().collect();
    let mut out = Vec::new();
    for t in keep {
        match verdicts.statuses.get(&(t.nip.clone(), t.reference.clone())) {
            Some(LeakStatus::Active) => out.push(t),
            status => {
                let reason = match (status, failed.iter().find(|e| e.path.ends_with(&t.nip))) {
                    (_, Some(e)) => format!("cannot re-check it in KSeF: {}", e.message),
                    (Some(LeakStatus::Revoked), _) => "KSeF says it is no longer active".into(),
                    _ => "KSeF does not show it as an active token of this NIP".into(),
                };
                refused.push(Refused {
                    nip: t.nip,
                    reference: t.reference,
                    reason,
                });
            }
        }
    }
    (out, refused)
}

/// The secret of `t`, re-found where one of its active findings says it is (the file under
/// the scanned root, or the blob at the finding's commit) with the finding's fingerprint,
/// reference and NIP. A preview and a fingerprint in a results file are not evidence.
fn refind_secret(results: &LeakResults, t: &Target) -> Result<(), String> {
    let mut why = String::from("no active finding names it");
    for f in results.findings.iter().filter(|f| {
        f.status == LeakStatus::Active
            && f.nip.as_deref() == Some(t.nip.as_str())
            && f.reference_number.as_deref() == Some(t.reference.as_str())
    }) {
        let root = f.repository.as_deref().unwrap_or(&results.target.root);
        if root == "-" {
            why = "it was read from standard input, which cannot be read again".into();
            continue;
        }
        match ksef_leaks::refind::refind(Path::new(root), f) {
            Ok(()) => return Ok(()),
            Err(e) => why = e,
        }
    }
    Err(why)
}

fn read_leaks(path: &Path) -> Result<LeakResults> {
    Ok(crate::inputs::results::load_leak_results(path, "from")?.value)
}
