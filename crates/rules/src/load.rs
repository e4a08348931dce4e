//! The one rule loader, for policy and leak rules alike: built-in files plus those of
//! `--rules DIR`, `[[rule]]` tables parsed with unknown keys refused, and ids and names made
//! unique. Every problem is a [`RuleProblem`] (file, rule, message); all are collected before
//! the load fails once.
//!
//! Uniqueness: two rules with the same id or the same name among the built-in files, or among
//! the files of `--rules DIR`, are an error naming both files. A rule of `--rules DIR` with the
//! id of a built-in rule replaces it (that is how a firm adapts a shipped rule); taking the
//! *name* of another built-in rule is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::RuleLoadError;
use crate::RuleProblem;

/// The two kinds of rule file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// `rules/policy/*.toml`, ids `POL…`.
    Policy,
    /// `rules/leaks/*.toml`, ids `LEAK…`.
    Leak,
}

impl RuleKind {
    /// The sub-directory of a rules directory holding this kind.
    pub fn dir(self) -> &'static str {
        match self {
            RuleKind::Policy => "policy",
            RuleKind::Leak => "leaks",
        }
    }

    /// The id prefix of this kind.
    pub(crate) fn id_prefix(self) -> &'static str {
        match self {
            RuleKind::Policy => "POL",
            RuleKind::Leak => "LEAK",
        }
    }
}

/// A rule file: its display name and its text.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub origin: String,
    pub text: String,
}

/// The files to load for one kind: the built-in ones, then those of `extra` (`extra/<kind>/`
/// when it exists, else the `*.toml` of `extra` whose first rule is not of the other kind).
#[derive(Debug, Clone, Default)]
pub struct RuleFiles {
    pub builtin: Vec<RuleSource>,
    pub extra: Vec<RuleSource>,
}

impl RuleFiles {
    /// Built-in sources from `(origin, text)` pairs plus the files of `extra` for `kind`.
    pub fn gather(
        kind: RuleKind,
        builtin: &[(&str, &str)],
        extra: Option<&Path>,
    ) -> Result<RuleFiles, RuleLoadError> {
        let builtin = builtin
            .iter()
            .map(|(origin, text)| RuleSource {
                origin: (*origin).to_string(),
                text: (*text).to_string(),
            })
            .collect();
        let extra = match extra {
            None => Vec::new(),
            Some(dir) => {
                let sub = dir.join(kind.dir());
                if sub.is_dir() {
                    read_rule_dir(&sub)?
                } else {
                    // A flat directory may mix kinds: each loader takes its own files.
                    read_rule_dir(dir)?
                        .into_iter()
                        .filter(|s| first_rule_id(&s.text).is_none_or(|id| is_kind(&id, kind)))
                        .collect()
                }
            }
        };
        Ok(RuleFiles { builtin, extra })
    }

    /// Every source, built-in first.
    pub fn all(&self) -> impl Iterator<Item = &RuleSource> {
        self.builtin.iter().chain(&self.extra)
    }
}

/// Whether `id` belongs to `kind` (a `LEAK` id is not a policy id and the other way round).
fn is_kind(id: &str, kind: RuleKind) -> bool {
    match kind {
        RuleKind::Policy => !id.starts_with(RuleKind::Leak.id_prefix()),
        RuleKind::Leak => !id.starts_with(RuleKind::Policy.id_prefix()),
    }
}

/// The id of the first rule in a rule file (`POL001`, `LEAK002`), telling its kind when
/// a flat `--rules DIR` mixes policy and leak files.
pub(crate) fn first_rule_id(text: &str) -> Option<String> {
    let table = toml::from_str::<toml::Table>(text).ok()?;
    let id = table
        .get("rule")?
        .as_array()?
        .first()?
        .get("id")?
        .as_str()?;
    Some(id.to_string())
}

/// Reads every `*.toml` file of `dir`, sorted by name.
pub(crate) fn read_rule_dir(dir: &Path) -> Result<Vec<RuleSource>, RuleLoadError> {
    let read_err = |source| RuleLoadError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text =
                ksef_model::input::read_limited_text(&path, ksef_model::input::MAX_TOML_BYTES)
                    .map_err(|source| RuleLoadError::Read {
                        path: path.clone(),
                        source,
                    })?;
            Ok(RuleSource {
                origin: ksef_model::shown_path(&path).to_string(),
                text,
            })
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile<T> {
    #[serde(default = "Vec::new")]
    rule: Vec<T>,
}

/// The `[[rule]]` tables of each source, with the source's origin. A file that does not parse
/// (bad TOML, unknown key, wrong type) is one problem naming the file, line and column.
pub fn parse_rule_files<'s, T: DeserializeOwned>(
    sources: impl IntoIterator<Item = &'s RuleSource>,
    problems: &mut Vec<RuleProblem>,
) -> Vec<(T, String)> {
    let mut out = Vec::new();
    for source in sources {
        match toml::from_str::<RuleFile<T>>(&source.text) {
            Ok(file) => out.extend(file.rule.into_iter().map(|r| (r, source.origin.clone()))),
            Err(e) => problems.push(RuleProblem {
                origin: source.origin.clone(),
                rule: None,
                message: ksef_model::toml_error_message(&source.text, &e),
            }),
        }
    }
    out
}

/// What the uniqueness check needs to know of a rule.
pub trait Identified {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
    /// The file the rule was read from.
    fn origin(&self) -> &str;
}

/// Built-in rules plus extra ones, made unique (see the module docs): duplicates within one
/// group are problems naming both files; an extra rule with a built-in id replaces it.
/// The result keeps the order: built-in rules (replaced in place), then new extra rules.
pub fn merge_unique<T: Identified>(
    builtin: Vec<T>,
    extra: Vec<T>,
    problems: &mut Vec<RuleProblem>,
) -> Vec<T> {
    let mut rules = first_of_each_id(builtin, problems);
    let extra = first_of_each_id(extra, problems);
    let mut index: BTreeMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id().to_string(), i))
        .collect();
    for rule in extra {
        match index.get(rule.id()) {
            Some(&i) => rules[i] = rule,
            None => {
                index.insert(rule.id().to_string(), rules.len());
                rules.push(rule);
            }
        }
    }
    let mut names: BTreeMap<&str, &T> = BTreeMap::new();
    for rule in &rules {
        if let Some(first) = names.insert(rule.name(), rule) {
            problems.push(RuleProblem {
                origin: rule.origin().to_string(),
                rule: Some(rule.id().to_string()),
                message: format!(
                    "name '{}' is already used by rule {} in {}",
                    rule.name(),
                    first.id(),
                    first.origin()
                ),
            });
        }
    }
    rules
}

/// Keeps the first rule of each id; every later one is a problem naming both files.
fn first_of_each_id<T: Identified>(rules: Vec<T>, problems: &mut Vec<RuleProblem>) -> Vec<T> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for rule in rules {
        if let Some(first) = seen.get(rule.id()) {
            problems.push(RuleProblem {
                origin: rule.origin().to_string(),
                rule: Some(rule.id().to_string()),
                message: format!("id {} is already used in {first}", rule.id()),
            });
            continue;
        }
        seen.insert(rule.id().to_string(), rule.origin().to_string());
        out.push(rule);
    }
    out
}

/// Kebab-case: lowercase ASCII letters and digits in `-`-separated words.
pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// `POL` + 3 digits or `LEAK` + 3 digits.
pub fn is_rule_id(s: &str, kind: RuleKind) -> bool {
    let prefix = kind.id_prefix();
    s.len() == prefix.len() + 3
        && s.starts_with(prefix)
        && s[prefix.len()..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R(&'static str, &'static str, &'static str);
    impl Identified for R {
        fn id(&self) -> &str {
            self.0
        }
        fn name(&self) -> &str {
            self.1
        }
        fn origin(&self) -> &str {
            self.2
        }
    }

    #[test]
    fn duplicate_ids_and_names_name_both_files_and_extra_ids_replace() {
        let mut problems = Vec::new();
        let rules = merge_unique(
            vec![
                R("POL001", "a", "rules/policy/x.toml"),
                R("POL001", "b", "rules/policy/y.toml"),
            ],
            vec![
                R("POL001", "a", "mine/one.toml"),
                R("POL900", "c", "mine/one.toml"),
                R("POL900", "d", "mine/two.toml"),
                R("POL901", "a", "mine/two.toml"),
            ],
            &mut problems,
        );
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "rules/policy/y.toml: rule POL001: id POL001 is already used in rules/policy/x.toml",
                "mine/two.toml: rule POL900: id POL900 is already used in mine/one.toml",
                "mine/two.toml: rule POL901: name 'a' is already used by rule POL001 in mine/one.toml",
            ]
        );
        let ids: Vec<(&str, &str)> = rules.iter().map(|r| (r.0, r.2)).collect();
        assert_eq!(
            ids,
            [
                ("POL001", "mine/one.toml"),
                ("POL900", "mine/one.toml"),
                ("POL901", "mine/two.toml")
            ]
        );
    }
}
