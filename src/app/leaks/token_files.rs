//! The config's own token files among a scan's findings (issue 20 point 7). A token file
//! that `[[contexts]] token-file` names is the tool's credential, where the user was told to
//! put it: found in the working tree and not tracked by git, it is a note ("your configured
//! token file: keep it out of the repository"), suppressed, not a leak and not counted for
//! the exit code. Tracked by git, or held in its history, it stays a finding, and the note
//! says so.

use std::path::{Path, PathBuf};

use ksef_model::{LeakFinding, LeakResults, Suppression, SuppressionKind};

/// Moves the working-tree findings in untracked configured token files to `suppressed` and
/// adds the note (a warning) naming them, and the note for the ones that stay.
pub(super) fn note_configured_token_files(
    results: &mut LeakResults,
    roots: &[PathBuf],
    token_files: &[PathBuf],
) {
    let configured: Vec<PathBuf> = token_files
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    if configured.is_empty() {
        return;
    }
    let roots: Vec<PathBuf> = if roots.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        roots.to_vec()
    };
    let history = results.target.mode == "git";
    let (mut noted, mut kept) = (Vec::new(), Vec::new());
    let findings = std::mem::take(&mut results.findings);
    for mut f in findings {
        let Some(file) = configured_file(&f, &roots, &configured, history) else {
            results.findings.push(f);
            continue;
        };
        // As the finding names it: relative to the root given on the command line.
        let shown = ksef_model::escape_problem(&f.path).to_string();
        if history || f.commit.is_some() || tracked(&file) {
            push_once(&mut kept, shown);
            results.findings.push(f);
        } else {
            push_once(&mut noted, shown);
            f.suppression = Some(Suppression {
                kind: SuppressionKind::ConfiguredTokenFile,
                reason: None,
                exception: None,
            });
            results.suppressed.push(f);
        }
    }
    if !noted.is_empty() {
        results.warnings.push(format!(
            "your configured token files: {} — keep them out of the repository (.gitignore); not reported as leaks",
            noted.join(", ")
        ));
    }
    if !kept.is_empty() {
        results.warnings.push(format!(
            "your configured token files {} are tracked by git or held in its history, so they stay findings\nhelp: remove them from the repository (`git rm --cached FILE`, then rewrite its history), revoke the tokens and keep the files in .gitignore",
            kept.join(", ")
        ));
    }
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The configured token file a finding is in, if any: its path under one of the roots
/// (for history, the file of the same path in the repository's working tree).
fn configured_file(
    f: &LeakFinding,
    roots: &[PathBuf],
    configured: &[PathBuf],
    history: bool,
) -> Option<PathBuf> {
    if f.path.contains('!') || (f.commit.is_some() && !history) {
        return None;
    }
    roots.iter().find_map(|root| {
        let base = if root.is_file() {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            root.clone()
        };
        [base.join(&f.path), root.clone()]
            .into_iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .find(|p| configured.contains(p))
    })
}

/// Whether git tracks `file` (its repository's index lists it).
fn tracked(file: &Path) -> bool {
    let Some(dir) = file.parent() else {
        return false;
    };
    let Ok(repo) = gix::discover(dir) else {
        return false;
    };
    let Some(workdir) = repo.workdir().and_then(|w| std::fs::canonicalize(w).ok()) else {
        return false;
    };
    let Ok(relative) = file.strip_prefix(&workdir) else {
        return false;
    };
    let relative = relative.to_string_lossy().replace('\\', "/");
    repo.index_or_empty()
        .is_ok_and(|index| index.entry_by_path(relative.as_str().into()).is_some())
}
