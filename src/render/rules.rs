//! `rules list`, `rules explain` and the generated `docs/rules.md`.

use std::fmt::Write as _;

use crate::render::csv::value_word;
use crate::render::style::Style;
use crate::render::style::Tone;
use crate::render::table::Cell;
use crate::render::table::Layout;
use ksef_model::Severity;
use ksef_model::escape_terminal_text;
use ksef_model::i18n::Lang;
use ksef_policy::rule::PolicyRule;
use ksef_policy::rule::PolicyRuleSet;
use ksef_policy::rule::RawCondition;
use ksef_rules::RuleStatus;
use ksef_rules::leak::LeakRule;

fn first_sentence(s: &str) -> &str {
    let s = s.trim();
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// One condition in words, e.g. `token.created older-than days (= 365)`.
pub fn condition_text(c: &RawCondition, rule: &PolicyRule) -> String {
    if let Some(any) = &c.any {
        return format!(
            "any of ({})",
            any.iter()
                .map(|a| condition_text(a, rule))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    if let Some(b) = &c.builtin {
        return format!("built-in {b}");
    }
    let mut s = format!(
        "{} {}",
        c.field.as_deref().unwrap_or("?"),
        c.op.as_deref().unwrap_or("?")
    );
    if let Some(v) = &c.value {
        s.push(' ');
        s.push_str(&value_text(v));
    }
    if let Some(p) = &c.param {
        let v = rule.parameters.get(p).map(value_text).unwrap_or_default();
        s.push_str(&format!(" {p} (= {v})"));
    }
    s
}

const NAME: usize = 1;
const STATUS: usize = 3;
const KIND: usize = 4;
const TITLE: usize = 5;

/// The `rules list` columns: the title (description) is cut first, then KIND, STATUS and
/// NAME are left out, in that order. ID and SEVERITY always stay.
fn list_layout(lang: Lang) -> Layout<'static> {
    Layout {
        header: match lang {
            Lang::En => &["ID", "NAME", "SEVERITY", "STATUS", "KIND", "DESCRIPTION"],
            Lang::Pl => &["ID", "NAZWA", "ISTOTNOŚĆ", "STATUS", "RODZAJ", "TYTUŁ"],
        },
        shrink: &[(TITLE, 20)],
        drop: &[KIND, STATUS, NAME],
        elsewhere: (
            "`ksef-audit rules explain NAME` shows a rule in full",
            "`ksef-audit rules explain NAZWA` pokazuje całą regułę",
        ),
    }
}

/// A rule's status as `rules list` writes it (`stabilna`, `wstępna`, `wycofana` in Polish,
/// agreeing with *reguła*).
fn status_word(status: RuleStatus, lang: Lang) -> &'static str {
    match status {
        RuleStatus::Stable => lang.t("stable", "stabilna"),
        RuleStatus::Preview => lang.t("preview", "wstępna"),
        RuleStatus::Deprecated => lang.t("deprecated", "wycofana"),
    }
}

/// The kind column of `rules list`: `policy/credential`, `leak` in English; in Polish the
/// label of the translation table (`polityka/token`, `wyciek`).
fn rule_kind(lang: Lang, subject: Option<&str>) -> String {
    match (lang, subject) {
        (Lang::En, Some(subject)) => format!("policy/{subject}"),
        (Lang::En, None) => "leak".to_string(),
        (Lang::Pl, Some(subject)) => {
            let key = format!("rule_kind_{}", subject.replace('-', "_"));
            match ksef_model::i18n::lookup(lang, &key) {
                Some(label) => label.to_string(),
                None => format!("polityka/{subject}"),
            }
        }
        (Lang::Pl, None) => ksef_model::i18n::tr(lang, "rule_kind_leak").to_string(),
    }
}

/// `rules list`: one line per rule, policy rules then leak rules, in aligned columns fitted
/// to `style.width`, severities coloured. In Polish the last column is the rule's Polish
/// title (`title-pl`), the kind column Polish too.
pub fn write_list(
    w: &mut dyn std::io::Write,
    policy: &PolicyRuleSet,
    leaks: &[LeakRule],
    style: Style,
    lang: Lang,
) -> std::io::Result<()> {
    // Rule files given with --rules are data: escaped before colour codes are added.
    let data = |s: &str| -> Cell {
        if style.color {
            escape_terminal_text(s).into_owned().into()
        } else {
            s.into()
        }
    };
    let severity = |sev: Severity, enabled: bool| {
        if enabled {
            Cell::toned(value_word(lang, sev.as_str()), Some(Tone::of(sev)))
        } else {
            Cell::toned(lang.t("disabled", "wyłączona"), Some(Tone::Dim))
        }
    };
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for r in &policy.rules {
        let title = match (lang, &r.title_pl) {
            (Lang::Pl, Some(pl)) => pl.clone(),
            _ => first_sentence(&one_paragraph(&r.description)).to_string(),
        };
        rows.push(vec![
            data(&r.id),
            data(&r.name),
            severity(r.severity, r.enabled),
            status_word(r.status, lang).into(),
            rule_kind(lang, Some(r.subject.as_str())).into(),
            data(&title),
        ]);
    }
    for r in leaks {
        rows.push(vec![
            data(&r.id),
            data(&r.name),
            severity(r.severity, true),
            status_word(r.status, lang).into(),
            rule_kind(lang, None).into(),
            data(&match (lang, &r.title_pl) {
                (Lang::Pl, Some(pl)) => pl.clone(),
                _ => first_sentence(&one_paragraph(&r.description)).to_string(),
            }),
        ]);
    }
    let layout = list_layout(lang);
    let shown = layout.columns(w, rows.iter().map(Vec::as_slice), style, lang)?;
    layout.write_block(w, &rows, &shown, style)?;
    let policy_count = lang.count(
        policy.rules.len() as u64,
        ("policy rule", "policy rules"),
        ("reguła polityki", "reguły polityki", "reguł polityki"),
    );
    let leak_count = lang.count(
        leaks.len() as u64,
        ("leak rule", "leak rules"),
        ("reguła wycieków", "reguły wycieków", "reguł wycieków"),
    );
    writeln!(
        w,
        "\n{policy_count}, {leak_count}. {}",
        lang.t(
            "`ksef-audit rules explain NAME` shows one in full.",
            "`ksef-audit rules explain NAZWA` pokazuje jedną regułę w całości."
        )
    )
}

/// `rules explain NAME`.
pub fn explain(r: &PolicyRule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", r.name, r.id);
    let sev = if r.severity == r.default_severity {
        r.severity.to_string()
    } else {
        format!(
            "{} (default {}; set in the config)",
            r.severity, r.default_severity
        )
    };
    let _ = writeln!(
        out,
        "kind: policy rule on a {}\nseverity: {sev}\nstatus: {}, since {}{}",
        r.subject.as_str(),
        r.status,
        r.since,
        if r.enabled {
            ""
        } else {
            "\nenabled: false (config)"
        }
    );
    let _ = writeln!(out, "\n{}\n", r.description.trim());
    let _ = writeln!(out, "Why it matters:\n{}\n", indent(&r.why));
    let _ = writeln!(out, "Remediation:\n{}\n", indent(&r.remediation));
    let _ = writeln!(out, "Finds when all hold:");
    for c in &r.raw_when {
        let _ = writeln!(out, "  - {}", condition_text(c, r));
    }
    if !r.parameters.is_empty() {
        let _ = writeln!(
            out,
            "\nParameters (override in the config under [rules.{}]):",
            r.name
        );
        for (k, v) in &r.parameters {
            let default = r.defaults.get(k).map(value_text).unwrap_or_default();
            let _ = writeln!(out, "  {k} = {} (default {default})", value_text(v));
        }
    }
    let _ = writeln!(out, "\nMessage: {}", r.message);
    let _ = writeln!(out, "\nExamples (judged at 2026-01-15 12:00 UTC):");
    for ex in &r.examples.fail {
        let _ = writeln!(out, "  finds:       {}", ex.note);
    }
    for ex in &r.examples.pass {
        let _ = writeln!(out, "  does not:    {}", ex.note);
    }
    if !r.references.is_empty() {
        let _ = writeln!(out, "\nReferences:");
        for link in &r.references {
            let _ = writeln!(out, "  {link}");
        }
    }
    out
}

/// `rules explain NAME` for a leak rule (examples are counted, not shown: they look like secrets).
pub fn explain_leak(r: &LeakRule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", r.name, r.id);
    let _ = writeln!(
        out,
        "kind: leak rule (used by `ksef-audit leaks`)\nseverity: {}\nstatus: {}",
        r.severity, r.status
    );
    let _ = writeln!(out, "\n{}\n", r.description.trim());
    let _ = writeln!(out, "Remediation:\n{}\n", indent(&r.remediation));
    let _ = writeln!(
        out,
        "Pattern (one capture group: the secret):\n  {}",
        r.pattern
    );
    if !r.keywords.is_empty() {
        let _ = writeln!(out, "Keywords: {}", r.keywords.join(", "));
    }
    let _ = writeln!(
        out,
        "\nExamples: {} that must match, {} that must not (see {})",
        r.examples.len(),
        r.negative_examples.len(),
        if r.source.is_empty() {
            "rules/leaks/"
        } else {
            r.source.as_str()
        }
    );
    if !r.references.is_empty() {
        let _ = writeln!(out, "\nReferences:");
        for link in &r.references {
            let _ = writeln!(out, "  {link}");
        }
    }
    out
}

fn indent(s: &str) -> String {
    s.trim()
        .lines()
        .map(|l| format!("  {}", l.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn one_paragraph(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn example_toml(ex: &ksef_policy::rule::Example) -> String {
    toml::to_string(ex).unwrap_or_default().trim().to_string()
}

/// `docs/rules.md`, generated from the built-in rules (a test fails when it is stale).
pub fn markdown(policy: &PolicyRuleSet, leaks: &[LeakRule]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Rules\n\n<!-- Generated from rules/ by `KSEF_AUDIT_BLESS=1 cargo test --test rules`. Do not edit. -->\n"
    );
    let _ = writeln!(
        out,
        "Policy rules compare the tokens KSeF lists with the inventory and the staff list \
         (`ksef-audit audit`). Each rule is TOML data in `rules/policy/`; severities, \
         `enabled` and parameters can be changed per rule name in the config under \
         `[rules.<name>]` (see `docs/config.md`). Findings can be waived in the \
         exceptions file. Rule examples are judged at 2026-01-15 12:00 UTC in context \
         NIP 5265877635 (environment prod) and run by `cargo test` and \
         `ksef-audit rules check`.\n"
    );
    let _ = writeln!(out, "## Policy rules\n");
    let _ = writeln!(out, "| id | name | severity | finds |\n|---|---|---|---|");
    for r in &policy.rules {
        let _ = writeln!(
            out,
            "| {} | [`{}`](#{}) | {} | {} |",
            r.id,
            r.name,
            r.name,
            r.default_severity,
            first_sentence(&one_paragraph(&r.description))
        );
    }
    for r in &policy.rules {
        let _ = writeln!(out, "\n### {}\n", r.name);
        let _ = writeln!(
            out,
            "| id | kind | severity | status | since |\n|---|---|---|---|---|\n| {} | policy ({}) | {} | {} | {} |\n",
            r.id,
            r.subject.as_str(),
            r.default_severity,
            r.status,
            r.since
        );
        let _ = writeln!(out, "{}\n", one_paragraph(&r.description));
        let _ = writeln!(out, "**Why it matters.** {}\n", one_paragraph(&r.why));
        let _ = writeln!(out, "**Remediation.** {}\n", one_paragraph(&r.remediation));
        let _ = writeln!(out, "**Finds when all hold:**\n");
        for c in &r.raw_when {
            let _ = writeln!(out, "- `{}`", condition_text(c, r));
        }
        if !r.defaults.is_empty() {
            let _ = writeln!(out, "\n**Parameters** (`[rules.{}]`):\n", r.name);
            for (k, v) in &r.defaults {
                let _ = writeln!(out, "- `{k}` = `{}`", value_text(v));
            }
        }
        let _ = writeln!(out, "\n**Message:** `{}`\n", r.message);
        if let Some(pl) = &r.message_pl {
            let _ = writeln!(out, "**Message (pl):** `{pl}`\n");
        }
        let _ = writeln!(out, "**Examples.**\n");
        for (label, list) in [
            ("finds", &r.examples.fail),
            ("does not find", &r.examples.pass),
        ] {
            for ex in list {
                let _ = writeln!(
                    out,
                    "- {label}: {}\n\n  ```toml\n{}\n  ```",
                    ex.note,
                    example_toml(ex)
                        .lines()
                        .map(|l| if l.is_empty() {
                            String::new()
                        } else {
                            format!("  {l}")
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
        if !r.references.is_empty() {
            let _ = writeln!(out, "\n**References:**\n");
            for link in &r.references {
                let _ = writeln!(out, "- <{link}>");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n## Leak rules\n\nLeak rules find token values in files, archives and git history \
         (`ksef-audit leaks`). Each is TOML data in `rules/leaks/` with a pattern whose one \
         capture group is the secret, and examples that must and must not match (run by \
         `cargo test` and `ksef-audit rules check`; not shown here, as they look like secrets).\n"
    );
    let _ = writeln!(out, "| id | name | severity | finds |\n|---|---|---|---|");
    for r in leaks {
        let _ = writeln!(
            out,
            "| {} | [`{}`](#{}) | {} | {} |",
            r.id,
            r.name,
            r.name,
            r.severity,
            first_sentence(&one_paragraph(&r.description))
        );
    }
    for r in leaks {
        let _ = writeln!(out, "\n### {}\n", r.name);
        let _ = writeln!(
            out,
            "| id | kind | severity | status |\n|---|---|---|---|\n| {} | leak | {} | {} |\n",
            r.id, r.severity, r.status
        );
        let _ = writeln!(out, "{}\n", one_paragraph(&r.description));
        let _ = writeln!(out, "**Remediation.** {}\n", one_paragraph(&r.remediation));
        if !r.keywords.is_empty() {
            let _ = writeln!(out, "**Keywords:** {}\n", r.keywords.join(", "));
        }
        let _ = writeln!(
            out,
            "**Examples:** {} must match, {} must not.",
            r.examples.len(),
            r.negative_examples.len()
        );
        if !r.references.is_empty() {
            let _ = writeln!(out, "\n**References:**\n");
            for link in &r.references {
                let _ = writeln!(out, "- <{link}>");
            }
        }
    }
    out
}
