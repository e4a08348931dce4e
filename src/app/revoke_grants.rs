//! `ksef-audit revoke --from audit.json --grants [--rule R] [--yes]`: removes the
//! permission grants that audit findings name (e.g. a leaver's grants). A dry run unless
//! `--yes`. The same safeguards as for tokens: only findings of the given results file
//! whose ids still match what they claim, each grant re-checked against a fresh listing
//! of its context, and never the grant the auditing credential itself works through.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use crate::app::revoke::Removal;
use crate::app::revoke::write_refused;
use crate::app::revoke::write_removals;
use crate::app::revoke_plan::ActionBounds;
use crate::app::revoke_plan::Plan;
use crate::app::revoke_plan::STAFF_RULES;
use crate::app::revoke_plan::confirm;
use crate::app::revoke_plan::live_grant_findings;
use crate::app::revoke_plan::protected_grant;
use crate::app::revoke_plan::staff_list;
use crate::config::Config;
use crate::config::resolve_settings_for_nips;
use ksef_client::fetch::fetch_snapshot;
use ksef_client::progress::Progress;
use ksef_client::settings::KsefSettings;
use ksef_client::verify::AuditorIdentity;
use ksef_client::verify::auditor_identity;
use ksef_client::verify::revoke_grants;
use ksef_model::AuditResults;
use ksef_model::ContextSnapshot;
use ksef_model::ContextStatus;
use ksef_model::FindingSubject;
use ksef_model::GrantRecord;
use ksef_model::Outcome;
use ksef_model::escape_terminal;
use ksef_model::i18n::commands::text as say;
use ksef_policy::evaluate::finding_id;

/// One grant to remove, as the results file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTarget {
    pub nip: String,
    pub grant_id: String,
    pub holder_type: String,
    /// Masked, as in the results file.
    pub holder: String,
    pub holder_name: Option<String>,
    pub permissions: Vec<String>,
    /// Rules whose findings name the grant.
    pub rules: Vec<String>,
}

/// A grant `revoke` will not touch, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRefused {
    pub nip: String,
    pub grant_id: String,
    pub reason: String,
}

/// The rules `revoke --grants` acts on without `--rule`: a grant held by someone who left
/// the firm has no reason to exist. Other grant findings (a stranger, delegation, too many
/// managers, beyond the register …) need a person's judgement first: name them with `--rule`.
pub const DEFAULT_RULES: [&str; 2] = ["grant-held-by-leaver", "read-grant-held-by-leaver"];

/// Everything `revoke --grants` does, without clap types.
#[derive(Debug, Clone)]
pub struct GrantRevokeRequest {
    /// `audit --format json` results.
    pub from: PathBuf,
    /// Only findings of these rules (names or ids); empty: [`DEFAULT_RULES`].
    pub rules: Vec<String>,
    /// With `--yes`: the config the KSeF settings come from. `None`: a dry run.
    pub revoke_with: Option<Box<Config>>,
    /// `--nip` and `--max-actions`.
    pub bounds: ActionBounds,
    /// `--staff` (else the config's `[audit] staff`).
    pub staff: Option<PathBuf>,
    /// `--lang`: the language of the plan and the results.
    pub lang: ksef_model::i18n::Lang,
}

/// Open (not excepted) findings about grants, one target per (NIP, grant id), checked
/// against the document itself: the subject must name the same grant and NIP, and the
/// finding id must be the one the audit computes from rule, NIP and grant id (an edited
/// results file must not steer `revoke`).
pub fn grant_targets(
    results: &AuditResults,
    rules: &[String],
) -> (Vec<GrantTarget>, Vec<GrantRefused>) {
    let mut out: Vec<GrantTarget> = Vec::new();
    let mut refused: Vec<GrantRefused> = Vec::new();
    let wanted = |rule: &str, id: &str| match rules.is_empty() {
        true => DEFAULT_RULES.contains(&rule),
        false => rules
            .iter()
            .any(|r| r.eq_ignore_ascii_case(rule) || r.eq_ignore_ascii_case(id)),
    };
    for f in results.findings.iter().filter(|f| !f.excepted) {
        let Some(grant_id) = &f.grant_id else {
            continue;
        };
        if !wanted(&f.rule, &f.rule_id) {
            continue;
        }
        let subject = match &f.subject {
            Some(FindingSubject::Grant {
                grant_id: sid,
                nip,
                holder_type,
                holder,
                holder_name,
                permissions,
                ..
            }) if sid == grant_id && nip == &f.nip => {
                Some((holder_type, holder, holder_name, permissions))
            }
            _ => None,
        };
        let id_ok = f.id == finding_id(&f.rule, &f.nip, grant_id);
        let Some((holder_type, holder, holder_name, permissions)) = subject.filter(|_| id_ok)
        else {
            let reason = if id_ok {
                "the finding's subject names another grant or NIP (an edited results file?)"
            } else {
                "the finding's id does not match its rule, NIP and grant (an edited results file?)"
            };
            if !refused
                .iter()
                .any(|r| &r.grant_id == grant_id && r.nip == f.nip)
            {
                refused.push(GrantRefused {
                    nip: escape_terminal(&f.nip).into_owned(),
                    grant_id: escape_terminal(grant_id).into_owned(),
                    reason: reason.into(),
                });
            }
            continue;
        };
        if let Some(t) = out
            .iter_mut()
            .find(|t| &t.grant_id == grant_id && t.nip == f.nip)
        {
            if !t.rules.contains(&f.rule) {
                t.rules.push(f.rule.clone());
            }
            continue;
        }
        out.push(GrantTarget {
            nip: f.nip.clone(),
            grant_id: grant_id.clone(),
            holder_type: holder_type.clone(),
            holder: holder.clone(),
            holder_name: holder_name.clone(),
            permissions: permissions.clone(),
            rules: vec![f.rule.clone()],
        });
    }
    // A target also refused for another finding is not removed.
    out.retain(|t| {
        !refused
            .iter()
            .any(|r| r.grant_id == t.grant_id && r.nip == t.nip)
    });
    (out, refused)
}

/// A `--rule` must name a grant rule (name or id) or a rule of the results file (a
/// custom rule): a typo is an error, never an empty, successful run.
fn check_rule_names(rules: &[String], results: &AuditResults) -> Result<()> {
    let set = ksef_policy::rule::builtin_policy_rules()?;
    let grant_rules: Vec<_> = set
        .rules
        .iter()
        .filter(|r| r.subject == ksef_policy::rule::Subject::Grant)
        .collect();
    for given in rules {
        let same = |name: &str, id: &str| {
            given.eq_ignore_ascii_case(name) || given.eq_ignore_ascii_case(id)
        };
        let known = grant_rules.iter().any(|r| same(&r.name, &r.id))
            || results.findings.iter().any(|f| same(&f.rule, &f.rule_id));
        if !known {
            let names: Vec<String> = grant_rules
                .iter()
                .map(|r| format!("{} ({})", r.name, r.id))
                .collect();
            anyhow::bail!(
                "--rule '{}': no grant rule and no rule of the results file has that name or id\nhelp: grant rules: {}",
                escape_terminal(given),
                names.join(", ")
            );
        }
    }
    Ok(())
}

/// The `revoke --grants` pipeline: list the targets; with a config, re-check each against
/// a fresh listing and remove it.
pub fn revoke(req: &GrantRevokeRequest) -> Result<Outcome> {
    let results = crate::inputs::results::load_audit_results(&req.from, "from")?.value;
    check_rule_names(&req.rules, &results)?;
    let (mut targets, mut refused) = grant_targets(&results, &req.rules);
    let outside = targets.len();
    targets.retain(|t| req.bounds.in_scope(&t.nip));
    refused.retain(|r| req.bounds.in_scope(&r.nip));
    let outside = outside - targets.len();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let lang = req.lang;
    for r in &refused {
        write_refused(&mut out, lang, &r.nip, &r.grant_id, &r.reason)?;
    }
    if outside > 0 {
        let nips = req.bounds.nips.join(", ");
        let line = say(
            lang,
            "revoke_outside_grants",
            &[("n", &outside), ("nips", &nips)],
        );
        writeln!(out, "{line}")?;
    }
    if targets.is_empty() && !refused.is_empty() {
        return Ok(Outcome::Incomplete);
    }
    if targets.is_empty() {
        let (rules, file) = (rules_named(&req.rules), req.from.display());
        let line = say(
            lang,
            "revoke_nothing_grants",
            &[("rules", &rules), ("file", &file)],
        );
        writeln!(out, "{line}")?;
        return Ok(Outcome::Clean);
    }
    let Some(config) = &req.revoke_with else {
        let (n, rules) = (targets.len(), rules_named(&req.rules));
        let line = say(lang, "revoke_would_grants", &[("n", &n), ("rules", &rules)]);
        writeln!(out, "{line}")?;
        for t in &targets {
            writeln!(out, "  {}", describe(t))?;
        }
        writeln!(out, "{}", say(lang, "revoke_dry_run_grants", &[]))?;
        return Ok(Outcome::Clean);
    };
    let nips: Vec<String> = targets
        .iter()
        .map(|t| t.nip.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut settings = resolve_settings_for_nips(config, &nips)?;
    settings.contexts.retain(|c| nips.contains(&c.nip));
    let staff = staff_list(&req.staff, config)?;
    let (checked, live_refused) = recheck_live(&settings, config, staff.as_deref(), targets)?;
    for r in &live_refused {
        write_refused(&mut out, lang, &r.nip, &r.grant_id, &r.reason)?;
    }
    refused.extend(live_refused);
    let plan = Plan {
        grants: checked
            .iter()
            .map(|(nip, g)| (nip.clone(), g.id.clone()))
            .collect(),
        tokens: Vec::new(),
        person: None,
        lang,
    };
    if !plan.is_empty() {
        writeln!(
            out,
            "{}",
            say(lang, "revoke_will", &[("plan", &plan.summary())])
        )?;
        for (nip, g) in &checked {
            writeln!(out, "  {}", describe_live(nip, g))?;
        }
    }
    out.flush()?;
    confirm(&plan, &req.bounds)?;
    let removals: Vec<Removal> = revoke_grants(&settings, &checked)
        .into_iter()
        .map(|o| Removal {
            nip: o.nip,
            key: o.grant_id,
            result: o
                .result
                .map(|op| say(lang, "revoke_operation", &[("op", &escape_terminal(&op))])),
        })
        .collect();
    write_removals(&mut out, lang, &removals, "grants", refused.len())
}

fn rules_named(rules: &[String]) -> String {
    let names: Vec<String> = match rules.is_empty() {
        true => DEFAULT_RULES.iter().map(|r| r.to_string()).collect(),
        false => rules
            .iter()
            .map(|r| escape_terminal(r).into_owned())
            .collect(),
    };
    names.join(", ")
}

/// `NIP  GRANT  Pesel 85*******45  CredentialsManage  [grant-held-by-leaver]`. No holder
/// name: the results file's names are not evidence (the live run shows KSeF's).
fn describe(t: &GrantTarget) -> String {
    escape_terminal(&format!(
        "{}  {}  {} {}  {}  [{}]",
        t.nip,
        t.grant_id,
        t.holder_type,
        t.holder,
        t.permissions.join(", "),
        t.rules.join(", ")
    ))
    .into_owned()
}

/// `NIP  GRANT  Pesel 85*******45 (Jan Nowak)  CredentialsManage`, the name as KSeF gives it.
fn describe_live(nip: &str, g: &GrantRecord) -> String {
    let name = g
        .holder_name()
        .map(|n| format!(" ({})", ksef_model::cut(&n, 60)))
        .unwrap_or_default();
    escape_terminal(&format!(
        "{nip}  {}  {} {}{name}  {}",
        g.id,
        g.holder.kind,
        g.holder.masked(),
        g.scope
    ))
    .into_owned()
}

/// The grants to remove, by NIP, and the targets refused.
type Rechecked = (Vec<(String, GrantRecord)>, Vec<GrantRefused>);

/// Reads each target's context again with the firm's credential: only a grant KSeF lists
/// now, with the holder and permission the results file names, is removed, and never one
/// held by the auditing credential itself. A context whose grants cannot be read fully
/// refuses all its targets.
fn recheck_live(
    settings: &KsefSettings,
    config: &Config,
    staff: Option<&[ksef_model::StaffMember]>,
    targets: Vec<GrantTarget>,
) -> Result<Rechecked> {
    let fresh = fetch_snapshot(settings, Progress::none());
    let live = live_grant_findings(config, &fresh, staff.unwrap_or_default())?;
    let mut candidates = Vec::new();
    let mut refused = Vec::new();
    for t in targets {
        let ctx = fresh.contexts.iter().find(|c| c.nip == t.nip);
        let checked = check_one(settings, ctx, &t)
            .and_then(|g| rederive(&t, staff.is_some(), &live).map(|()| g));
        match checked {
            Ok(g) => candidates.push((t.nip, g)),
            Err(reason) => refused.push(GrantRefused {
                nip: t.nip,
                grant_id: t.grant_id,
                reason,
            }),
        }
    }
    // The firm's own grants and a context's last CredentialsManage stay, whatever names them.
    let mut keep = Vec::new();
    for (nip, g) in &candidates {
        let removing: BTreeSet<String> = candidates
            .iter()
            .filter(|(n, o)| n == nip && o.id != g.id)
            .map(|(_, o)| o.id.clone())
            .collect();
        let Some(ctx) = fresh.contexts.iter().find(|c| &c.nip == nip) else {
            continue;
        };
        match protected_grant(ctx, g, &removing) {
            Some(reason) => refused.push(GrantRefused {
                nip: nip.clone(),
                grant_id: g.id.clone(),
                reason,
            }),
            None => keep.push((nip.clone(), g.clone())),
        }
    }
    Ok((keep, refused))
}

/// The rules that named `t`, evaluated again on KSeF's data now: each must still find the
/// grant. The leaver and stranger rules need the staff list (a stranger is someone not on it).
fn rederive(
    t: &GrantTarget,
    have_staff: bool,
    live: &BTreeSet<(String, String, String)>,
) -> Result<(), String> {
    for rule in &t.rules {
        if !have_staff && STAFF_RULES.contains(&rule.as_str()) {
            return Err(format!(
                "{} is judged against the staff list and none was given; help: pass --staff FILE or set [audit] staff in the config",
                escape_terminal(rule)
            ));
        }
        if !live.contains(&(rule.clone(), t.nip.clone(), t.grant_id.clone())) {
            return Err(format!(
                "{} does not find this grant in what KSeF lists now (with the staff list and config of this run); the results file is not evidence",
                escape_terminal(rule)
            ));
        }
    }
    Ok(())
}

fn check_one(
    settings: &KsefSettings,
    ctx: Option<&ContextSnapshot>,
    t: &GrantTarget,
) -> Result<GrantRecord, String> {
    let Some(ctx) = ctx else {
        return Err("cannot re-check it in KSeF: the context was not read".into());
    };
    let unread = ctx.reason.as_deref().unwrap_or("");
    if ctx.status == ContextStatus::Incomplete
        && (ctx.grants.is_empty() || unread.contains("permission grants not read"))
    {
        let first = unread
            .lines()
            .find(|l| l.contains("grants"))
            .unwrap_or(unread);
        // Each line escaped on its own: a reason's `help:` line stays a line of its own.
        let first = if first.is_empty() {
            "the context could not be read"
        } else {
            first
        };
        let lines: Vec<_> = first.lines().map(escape_terminal).collect();
        return Err(format!("cannot re-check it in KSeF: {}", lines.join("\n")));
    }
    let Some(g) = ctx.grants.iter().find(|g| g.id == t.grant_id) else {
        return Err("KSeF no longer lists this grant in the context (already removed?)".into());
    };
    if g.holder.masked() != t.holder
        || g.holder.kind.to_string() != t.holder_type
        || !t.permissions.iter().any(|p| p == g.scope.as_str())
    {
        return Err(format!(
            "KSeF lists this grant for {} {} with {}, not what the results file says (an edited results file?)",
            g.holder.kind,
            g.holder.masked(),
            g.scope
        ));
    }
    let identity = auditor_identity(settings, ctx);
    if identity.may_hold(g) {
        return Err(match identity {
            AuditorIdentity::Known(_) => "this grant is held by the credential ksef-audit works with for this NIP; remove it by hand if you mean to".into(),
            AuditorIdentity::Unknown(why) => format!(
                "it gives {} and the auditing credential's own identity is not known ({why}), so it may be ksef-audit's own access; remove it by hand if you mean to",
                g.scope
            ),
        });
    }
    Ok(g.clone())
}
