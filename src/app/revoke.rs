//! `ksef-audit revoke --from leaks.json [--yes]`: revokes the leaked tokens that
//! `leaks --verify` found active. A dry run unless `--yes`. Uses the firm's own
//! credential per NIP; the leaked secret is never sent.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::{GlobalArgs, RevokeArgs};
use crate::collect::ksef::revoke_tokens;
use crate::config::{Config, RuleDirs, resolve_settings_for_nips};
use crate::error::Outcome;
use crate::model::{LeakResults, LeakStatus};

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
}

/// `ksef-audit revoke`: flags (+ config with `--yes`) -> [`RevokeRequest`] -> [`revoke`].
pub fn run(global: &GlobalArgs, args: &RevokeArgs) -> Result<Outcome> {
    let Some(from) = &args.from else {
        bail!(
            "nothing to revoke from\nhelp: run `ksef-audit leaks --verify --format json -o leaks.json PATH`, then `ksef-audit revoke --from leaks.json`"
        );
    };
    let revoke_with = match args.yes {
        true => Some(Box::new(super::load_config(global, RuleDirs::NotRead)?)),
        false => None,
    };
    revoke(&RevokeRequest {
        from: from.clone(),
        revoke_with,
    })
}

/// The `revoke` pipeline: list the targets; with a config, revoke them.
pub fn revoke(req: &RevokeRequest) -> Result<Outcome> {
    let from = &req.from;
    let results = read_leaks(from)?;
    let targets = targets(&results);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if targets.is_empty() {
        writeln!(
            out,
            "nothing to revoke: no finding in '{}' has status active\nhelp: statuses come from `ksef-audit leaks --verify`",
            from.display()
        )?;
        return Ok(Outcome::Clean);
    }
    let Some(config) = &req.revoke_with else {
        writeln!(out, "would revoke {} token(s):", targets.len())?;
        for t in &targets {
            writeln!(
                out,
                "  {}  {}  (found in {})",
                t.nip, t.reference, t.found_at
            )?;
        }
        writeln!(
            out,
            "dry run: nothing was revoked; run again with --yes to revoke them"
        )?;
        return Ok(Outcome::Clean);
    };
    let nips: Vec<String> = targets.iter().map(|t| t.nip.clone()).collect();
    let settings = resolve_settings_for_nips(config, &nips)?;
    let pairs: Vec<(String, String)> = targets
        .iter()
        .map(|t| (t.nip.clone(), t.reference.clone()))
        .collect();
    let outcomes = revoke_tokens(&settings, &pairs);
    let mut failed = 0;
    for o in &outcomes {
        match &o.result {
            Ok(()) => writeln!(out, "revoked  {}  {}", o.nip, o.reference)?,
            Err(reason) => {
                failed += 1;
                writeln!(
                    out,
                    "FAILED   {}  {}: {}",
                    o.nip,
                    o.reference,
                    reason.replace('\n', "\n         ")
                )?;
            }
        }
    }
    writeln!(
        out,
        "{} revoked, {failed} failed (KSeF moves them Active -> Revoking -> Revoked; live access tokens last until they expire)",
        outcomes.len() - failed
    )?;
    Ok(if failed > 0 {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    })
}

/// Active, unsuppressed findings with a reference and NIP, one per reference.
pub fn targets(results: &LeakResults) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for f in &results.findings {
        let (Some(nip), Some(reference)) = (&f.nip, &f.reference_number) else {
            continue;
        };
        if f.status != LeakStatus::Active || out.iter().any(|t| &t.reference == reference) {
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
    out
}

fn read_leaks(path: &Path) -> Result<LeakResults> {
    Ok(crate::collect::results::load_leak_results(path, "from")?.value)
}
