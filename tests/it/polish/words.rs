//! Issue 20 point 4: every output a person reads under `--lang pl` (audit text and CSV, the
//! token, permission and certificate tables and CSVs, the rules list,
//! `doctor`, a history scan, `merge` of audits and of leaks, both HTML reports and their CSV, the calendar, the
//! demo's narration, an `offboard` plan, and what each of these runs and the common failed
//! runs write on stderr) has no English word outside user data, on the demo firm.
//!
//! A word is English when the word list of Debian's `wamerican`
//! (`/usr/share/dict/american-english`, installed by `scripts/install-test-tools.sh`) has it.
//! Exempt are the words of the demo's own inputs (user data: names, descriptions, reasons)
//! and [`ALLOWED`], the one allow-list of identifiers and of Polish words the English list
//! also holds. Text in backticks is code (commands, config keys) and is not read.

use std::collections::BTreeSet;
use std::path::Path;

use super::{demo, run};

/// The failed and acting runs of the check.
mod failed;
/// The demo's narration and `offboard` against the demo firm on loopback.
mod live;
use crate::support::cli::text;

/// The English word list (Debian package `wamerican`).
const WORD_LIST: &str = "/usr/share/dict/american-english";

/// The one allow-list. Rule ids and names are added from `rules list`.
const ALLOWED: &[&str] = &[
    // KSeF enum values: permissions and certificate types, as KSeF names them
    "InvoiceWrite",
    "InvoiceRead",
    "CredentialsRead",
    "CredentialsManage",
    "Introspection",
    "SubunitManage",
    "EnforcementOperations",
    "TaxRepresentative",
    "SelfInvoicing",
    "Authentication",
    "Offline",
    // commands, pseudo-paths and abbreviations
    "ksef-audit",
    "revoke",
    "leaks",
    "<commit message>",
    "leaked-token-active",
    "leaked-token",
    "HTTP",
    "HTML",
    "URL",
    "UTC",
    "e-mail",
    // Polish words the English list also has
    "ale",
    "ani",
    "bo",
    "co",
    "go",
    "jest",
    "ma",
    "mu",
    "na",
    "we",
    "od",
    "sam",
    "stan",
    "ten",
    "to",
    "ta",
    "tam",
    "dane",
    "plan",
    "problem",
    "trend",
    "pole",
    "limit",
    "format",
    "ref",
    "status",
    "nip",
    "pod",
    "no",
    "re",
    "np",
];

/// Every output of the demo in Polish, by name.
fn outputs(dir: &Path) -> Vec<(String, String)> {
    let runs: &[(&str, &[&str])] = &[
        ("audit", &["audit", "--from", "tokens.json"]),
        (
            "audit.csv",
            &["audit", "--from", "tokens.json", "--csv-excel"],
        ),
        ("tokens", &["tokens", "--from", "tokens.json"]),
        (
            "tokens.csv",
            &["tokens", "--from", "tokens.json", "--csv-excel"],
        ),
        ("permissions", &["permissions", "--from", "tokens.json"]),
        (
            "permissions.csv",
            &["permissions", "--from", "tokens.json", "--csv-excel"],
        ),
        ("certificates", &["certificates", "--from", "tokens.json"]),
        (
            "certificates.csv",
            &["certificates", "--from", "tokens.json", "--csv-excel"],
        ),
        ("rules list", &["rules", "list"]),
        ("doctor", &["doctor"]),
        ("leaks", &["leaks", "."]),
        ("leaks --git", &["leaks", "--git", "example-repo"]),
        (
            "merge, audits",
            &[
                "merge",
                "--format",
                "text",
                "audit-2026q2.json",
                "audit-2026q3.json",
            ],
        ),
        (
            "merge, leaks",
            &["merge", "--format", "text", "leaks.json", "leaks.json"],
        ),
        (
            "report findings.csv",
            &[
                "report",
                "--audit",
                "audit.json",
                "--csv-excel",
                "--table",
                "findings",
            ],
        ),
        (
            "quarterly",
            &[
                "report",
                "--audit",
                "audit.json",
                "--leaks",
                "leaks.json",
                "--previous",
                "audit-2026q2.json",
                "--previous",
                "audit-2026q3.json",
                "--staff",
                "staff.csv",
                "--kind",
                "quarterly",
            ],
        ),
        (
            "review",
            &[
                "report",
                "--audit",
                "audit.json",
                "--leaks",
                "leaks.json",
                "--staff",
                "staff.csv",
                "--kind",
                "review",
            ],
        ),
    ];
    let mut out = Vec::new();
    for (name, args) in runs {
        let mut args = args.to_vec();
        args.extend(["--lang", "pl"]);
        let o = run(&args);
        assert!(
            !o.stdout.is_empty(),
            "{name}: no output: {}",
            text(&o.stderr)
        );
        out.push((name.to_string(), text(&o.stdout)));
        out.push((format!("{name} (stderr)"), text(&o.stderr)));
    }
    out.extend(failed_runs());
    out.extend(failed::outputs());
    out.extend(live::outputs());
    let ics = dir.join("kalendarz-pl.ics");
    let o = run(&[
        "calendar",
        "--audit",
        "audit.json",
        "--lang",
        "pl",
        "-o",
        "kalendarz-pl.ics",
    ]);
    let calendar = std::fs::read_to_string(&ics)
        .unwrap_or_else(|e| panic!("calendar: {e}: {}", text(&o.stderr)));
    out.push(("calendar".to_string(), calendar));
    out.push(("calendar (stderr)".to_string(), text(&o.stderr)));
    out
}

/// What runs that fail say on stderr (the error, its `help:` line and its cause), by name.
fn failed_runs() -> Vec<(String, String)> {
    let runs: &[(&str, &[&str])] = &[
        ("report, no such file", &["report", "--audit", "brak.json"]),
        (
            "calendar, no such file",
            &["calendar", "--audit", "brak.json"],
        ),
        (
            "tokens, no such config",
            &["tokens", "--config", "brak.toml"],
        ),
        (
            "doctor, no such config",
            &["doctor", "--config", "brak.toml"],
        ),
        ("leaks, no such path", &["leaks", "brak-katalogu"]),
        (
            "leaks, no such baseline",
            &["leaks", "--baseline", "brak.baseline", "."],
        ),
        (
            "rules list, no such directory",
            &["rules", "list", "--rules", "brak-katalogu"],
        ),
        ("merge, a tokens snapshot", &["merge", "tokens.json"]),
        (
            "merge, leaks among audits",
            &["merge", "audit.json", "leaks.json"],
        ),
        (
            "report, nothing to report",
            &["report", "--kind", "quarterly"],
        ),
        (
            "calendar, leak results",
            &["calendar", "--audit", "leaks.json"],
        ),
        (
            "revoke --grants, no such rule",
            &[
                "revoke",
                "--from",
                "audit.json",
                "--grants",
                "--rule",
                "nie-ma",
            ],
        ),
        (
            "offboard, no such person",
            &[
                "offboard",
                "nikt",
                "--staff",
                "staff.csv",
                "--env",
                "http://127.0.0.1:9",
            ],
        ),
        (
            "offboard, no such staff list",
            &[
                "offboard",
                "jan",
                "--staff",
                "brak.csv",
                "--env",
                "http://127.0.0.1:9",
            ],
        ),
    ];
    runs.iter()
        .map(|(name, args)| {
            let mut args = args.to_vec();
            args.extend(["--lang", "pl"]);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o.stderr));
            let err = text(&o.stderr);
            assert!(err.starts_with("błąd: "), "{name}: {err}");
            (format!("{name} (stderr)"), err)
        })
        .collect()
}

/// Words of the demo's inputs: the inventory, staff list, access register, the config's and
/// exceptions' quoted values, and names and descriptions of the token snapshot.
fn user_data(dir: &Path) -> BTreeSet<String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    let mut data = String::new();
    for f in ["inventory.csv", "staff.csv", "access-register.csv"] {
        data.push_str(&read(f));
    }
    for f in ["ksef-audit.toml", "ksef-audit.exceptions.toml"] {
        for line in read(f).lines().filter(|l| !l.trim_start().starts_with('#')) {
            if let Some((_, value)) = line.split_once('=') {
                data.push_str(value);
                data.push('\n');
            }
        }
    }
    let snapshot: serde_json::Value =
        serde_json::from_str(&read("tokens.json")).expect("the demo's tokens.json");
    collect_names(&snapshot, None, &mut data);
    words(&data).map(str::to_lowercase).collect()
}

fn collect_names(v: &serde_json::Value, key: Option<&str>, out: &mut String) {
    const KEYS: &[&str] = &[
        "description",
        "name",
        "firstName",
        "lastName",
        "fullName",
        "commonName",
        "label",
    ];
    match v {
        serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| collect_names(v, Some(k), out)),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_names(v, key, out)),
        serde_json::Value::String(s) if key.is_some_and(|k| KEYS.contains(&k)) => {
            out.push_str(s);
            out.push('\n');
        }
        _ => {}
    }
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
}

/// What a person reads of an output: HTML without markup and style, a calendar's
/// summaries and descriptions unfolded, the demo's suggested commands without the commands,
/// and no code in backticks.
fn readable(name: &str, raw: &str) -> String {
    let mut s = raw.to_string();
    if matches!(name, "quarterly" | "review") || name.contains(" html ") {
        s = cut(&s, "<style", "</style>");
        s = cut(&s, "<", ">");
        for (entity, c) in [
            ("&amp;", "&"),
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&quot;", "\""),
            ("&#x27;", "'"),
            ("&#x2f;", "/"),
        ] {
            s = s.replace(entity, c);
        }
    }
    if name == "calendar" {
        s = s.replace("\r\n ", "").replace("\n ", "");
        s = s
            .lines()
            .filter(|l| l.starts_with("SUMMARY") || l.starts_with("DESCRIPTION"))
            .filter_map(|l| l.split_once(':').map(|(_, v)| v))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("\\n", "\n")
            .replace("\\,", ",")
            .replace("\\;", ";");
    }
    if name.starts_with("demo") {
        // The commands the demo suggests are code; what each does follows its `#`.
        s = s
            .lines()
            .map(|l| match l.split_once("   # ") {
                Some((_, what)) => what,
                None => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    cut(&s, "`", "`")
}

/// `s` without every span from `open` to the next `close` (both included).
fn cut(s: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        out.push(' ');
        match rest[i + open.len()..].find(close) {
            Some(j) => rest = &rest[i + open.len() + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// English words of `text` that no exemption covers, with the piece of text each came in.
fn english(
    text: &str,
    dict: &BTreeSet<String>,
    allowed: &BTreeSet<String>,
    user: &BTreeSet<String>,
) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let text = ALLOWED
        .iter()
        .filter(|a| a.contains(' '))
        .fold(text.to_string(), |t, a| t.replace(a, " "));
    for token in text.split(|c: char| c.is_whitespace() || c == ';') {
        // identifiers: numbers, references, e-mail addresses, paths, flags, file names
        if token.contains(|c: char| c.is_ascii_digit() || "@/\\_".contains(c))
            || token
                .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .starts_with("--")
        {
            continue;
        }
        let core = token
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .to_lowercase();
        if allowed.contains(&core)
            || core.rsplit_once('.').is_some_and(|(_, ext)| {
                [
                    "csv", "json", "toml", "txt", "html", "ics", "pem", "baseline",
                ]
                .contains(&ext)
            })
        {
            continue;
        }
        for w in words(token).filter(|w| w.is_ascii() && w.len() > 1) {
            let lw = w.to_lowercase();
            if dict.contains(&lw) && !allowed.contains(&lw) && !user.contains(&lw) {
                found.push((w.to_string(), token.to_string()));
            }
        }
    }
    found
}

#[test]
fn issue_20_polish_outputs_have_no_english_words_outside_user_data() {
    let list = std::fs::read_to_string(WORD_LIST).unwrap_or_else(|e| {
        panic!(
            "cannot read the English word list {WORD_LIST} ({e}): install Debian's `wamerican` \
             (bash scripts/install-test-tools.sh, or apt-get install wamerican)"
        )
    });
    let dict: BTreeSet<String> = list.lines().map(|w| w.trim().to_lowercase()).collect();
    assert!(
        dict.len() > 50_000,
        "{WORD_LIST} is too short to be the word list"
    );
    let dir = demo();
    let mut allowed: BTreeSet<String> = ALLOWED.iter().map(|a| a.to_lowercase()).collect();
    for line in text(&run(&["rules", "list"]).stdout).lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if let [id, name, ..] = cols.as_slice()
            && (id.starts_with("POL") || id.starts_with("LEAK"))
        {
            allowed.insert(id.to_lowercase());
            allowed.insert(name.to_lowercase());
        }
    }
    let user = user_data(dir);
    let mut report = Vec::new();
    for (name, raw) in outputs(dir) {
        let found = english(&readable(&name, &raw), &dict, &allowed, &user);
        let distinct: BTreeSet<_> = found
            .iter()
            .map(|(w, t)| format!("{w} (in '{t}')"))
            .collect();
        if !distinct.is_empty() {
            report.push(format!(
                "{name}: {}",
                distinct.into_iter().take(20).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "English words in Polish outputs:\n{}",
        report.join("\n")
    );
}

/// Issue 20 point 5: the quarterly report is for the board: no Markdown and no API calls in
/// either language; the commands are in the appendix's technical steps, in `<code>`.
#[test]
fn issue_20_quarterly_reports_show_no_markdown_or_api_calls() {
    for lang in ["en", "pl"] {
        let out = run(&[
            "report",
            "--audit",
            "audit.json",
            "--leaks",
            "leaks.json",
            "--staff",
            "staff.csv",
            "--kind",
            "quarterly",
            "--lang",
            lang,
        ]);
        let page = text(&out.stdout);
        let body = cut(&page, "<style", "</style>");
        assert!(
            !body.contains('`'),
            "{lang}: a backtick in the quarterly report"
        );
        for call in ["GET /", "POST /", "DELETE /", "PUT /"] {
            assert!(
                !body.contains(call),
                "{lang}: an API call '{call}' in the quarterly report"
            );
        }
        let (management, appendix) = body.split_once("id=\"appendix\"").expect("an appendix");
        assert!(
            !management.contains("ksef-audit revoke"),
            "{lang}: a command for the board"
        );
        assert!(appendix.contains("<code>ksef-audit revoke --from audit.json --grants</code>"));
        let title = if lang == "pl" {
            "dostęp do KSeF"
        } else {
            "KSeF access"
        };
        assert!(page.contains(title), "{lang}: the title names KSeF access");
    }
}
