use std::path::Path;

use crate::config::*;
use ksef_client::settings::CredentialSource;

fn flags(env: Option<&str>, nips: &[&str]) -> Flags {
    Flags {
        env: env.map(str::to_string),
        nips: nips.iter().map(|s| s.to_string()).collect(),
        ..Flags::default()
    }
}

fn config(text: &str, path: &Path, flags: &Flags) -> Config {
    from_text(path, text, flags).expect("test config is valid")
}

fn no_config(flags: &Flags) -> Config {
    validate::validate(&RawConfig::default(), "", None, flags).expect("no config file")
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn unknown_key_is_rejected_with_its_line() {
    let err = parse(
        Path::new("k.toml"),
        "firm = \"X\"\n[ksef]\nenviroment = \"test\"\n",
    )
    .expect_err("typo must fail");
    let msg = err.to_string();
    assert!(msg.contains("k.toml"), "{msg}");
    assert!(msg.contains("line 3"), "{msg}");
    assert!(msg.contains("enviroment"), "{msg}");
}

#[test]
fn official_environments_map_to_v2_urls() {
    let e = parse_environment("test").expect("test");
    assert_eq!(
        (e.label.as_str(), e.base_url.as_str()),
        ("test", "https://api-test.ksef.mf.gov.pl/v2")
    );
    assert_eq!(
        parse_environment("prod").expect("prod").base_url,
        "https://api.ksef.mf.gov.pl/v2"
    );
    assert_eq!(
        parse_environment("DEMO").expect("demo").base_url,
        "https://api-demo.ksef.mf.gov.pl/v2"
    );
}

#[test]
fn urls_are_used_exactly_and_labelled() {
    let e = parse_environment("http://127.0.0.1:4010").expect("url");
    assert_eq!(
        (e.label.as_str(), e.base_url.as_str()),
        ("custom", "http://127.0.0.1:4010")
    );
    let e = parse_environment("prod=https://proxy.example/ksef").expect("labelled");
    assert_eq!(
        (e.label.as_str(), e.base_url.as_str()),
        ("prod", "https://proxy.example/ksef")
    );
    // A URL whose query holds '=' is still a plain URL.
    let e = parse_environment("https://h.example/x?a=b").expect("query url");
    assert_eq!(e.label, "custom");
    assert!(parse_environment("staging").is_err());
    assert!(parse_environment("pr od=https://x.example").is_err());
    assert!(parse_environment("ftp://x.example").is_err());
}

#[test]
fn nip_flag_is_validated_with_a_clear_message() {
    let err = resolve_settings_with(&no_config(&flags(Some("test"), &["1234567890"])), &no_env)
        .expect_err("bad NIP");
    let msg = err.to_string();
    assert!(msg.contains("--nip '1234567890'"), "{msg}");
    assert!(msg.contains("check digit"), "{msg}");
    assert!(msg.contains("help:"), "{msg}");
}

#[test]
fn missing_environment_says_what_to_do() {
    let err = resolve_settings_with(&no_config(&flags(None, &["5265877635"])), &no_env)
        .expect_err("no env");
    let msg = err.to_string();
    assert!(msg.contains("--env"), "{msg}");
    assert!(msg.starts_with("config 'command line': "), "{msg}");
}

#[test]
fn credentials_come_from_env_in_order_and_never_hold_values() {
    let env = |k: &str| match k {
        "KSEF_TOKEN_5265877635" => Some("secret-a".to_string()),
        "KSEF_TOKEN" => Some("secret-single".to_string()),
        "KSEF_ACCESS_TOKEN_7762811692" => Some("jwt".to_string()),
        _ => None,
    };
    let s = resolve_settings_with(
        &no_config(&flags(
            Some("test"),
            &["5265877635", "7762811692", "3756977049"],
        )),
        &env,
    )
    .expect("resolves");
    let creds: Vec<_> = s.contexts.iter().map(|c| c.credential.clone()).collect();
    assert_eq!(
        creds,
        vec![
            CredentialSource::Env("KSEF_TOKEN_5265877635".into()),
            CredentialSource::AccessToken("KSEF_ACCESS_TOKEN_7762811692".into()),
            CredentialSource::Missing,
        ]
    );
    assert!(!format!("{s:?}").contains("secret-a"));
    // KSEF_TOKEN applies only to a single context.
    let s = resolve_settings_with(&no_config(&flags(Some("test"), &["3756977049"])), &env)
        .expect("resolves");
    assert_eq!(
        s.contexts[0].credential,
        CredentialSource::Env("KSEF_TOKEN".into())
    );
}

#[test]
fn nip_flag_overrides_config_contexts_but_keeps_their_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ksef-audit.toml");
    let text = "[ksef]\nenvironment = \"demo\"\nconcurrency = 2\n[[contexts]]\nnip = \"5265877635\"\nname = \"Alfa\"\n[[contexts]]\nnip = \"7762811692\"\n";
    let s = resolve_settings_with(&config(text, &path, &flags(None, &[])), &no_env)
        .expect("config only");
    assert_eq!(s.contexts.len(), 2);
    assert_eq!(s.concurrency, 2);
    assert_eq!(s.environment.label, "demo");
    let cfg = config(text, &path, &flags(Some("prod"), &["526-587-76-35"]));
    let s = resolve_settings_with(&cfg, &no_env).expect("flag wins");
    assert_eq!(s.contexts.len(), 1);
    assert_eq!(s.contexts[0].nip, "5265877635");
    assert_eq!(s.contexts[0].name.as_deref(), Some("Alfa"));
    assert_eq!(s.environment.label, "prod");
}

#[test]
fn config_problems_name_the_key_and_are_reported_together() {
    let path = Path::new("/nonexistent/ksef-audit.toml");
    let msg = from_text(
        path,
        "[ksef]\nenvironment = \"staging\"\nconcurrency = 0\n[[contexts]]\nnip = \"1234567890\"\n",
        &Flags::default(),
    )
    .expect_err("invalid")
    .to_string();
    assert!(msg.contains("ksef-audit.toml"), "{msg}");
    assert!(
        msg.contains("line 2, column 15: [ksef] environment"),
        "{msg}"
    );
    assert!(
        msg.contains("line 3, column 15: [ksef] concurrency"),
        "{msg}"
    );
    assert!(msg.contains("line 5, column 7: contexts[0].nip"), "{msg}");
}

#[test]
fn every_section_is_checked_at_once_with_positions() {
    let text = "[audit]\nfail-on = \"severe\"\n[leaks]\nfail-on = \"loud\"\nexclude = [\"a/[b\"]\n[report]\nlang = \"de\"\nsole-traders = [\"1234567890\"]\n[rules.unused-token]\ndays = \"ninety\"\n[rules.no-such-rule]\nseverity = \"high\"\n";
    let flags = Flags {
        rules: RuleDirs::Read(None),
        ..Flags::default()
    };
    let err = from_text(Path::new("k.toml"), text, &flags).expect_err("invalid");
    let ConfigError::Invalid { origin, problems } = &err else {
        panic!("expected every problem, got {err}");
    };
    assert_eq!(origin, "k.toml");
    let at: Vec<_> = problems.iter().map(|p| p.at.map(|(l, _)| l)).collect();
    assert_eq!(
        at,
        vec![
            Some(2),
            Some(4),
            Some(5),
            Some(7),
            Some(8),
            Some(9),
            Some(11)
        ],
        "{err}"
    );
    let msg = err.to_string();
    for needle in [
        "[audit] fail-on",
        "[leaks] fail-on",
        "[leaks] exclude 'a/[b'",
        "[report] lang = 'de' is not supported",
        "'1234567890' is not a valid NIP",
        "[rules.unused-token] parameter 'days'",
        "[rules.no-such-rule] no such rule",
    ] {
        assert!(msg.contains(needle), "{needle} missing in {msg}");
    }
}

#[test]
fn rule_names_unknown_to_the_built_ins_are_left_to_commands_that_read_rules() {
    let text = "[rules.custom-rule]\nseverity = \"high\"\n[rules.unused-token]\ndays = 60\n";
    let cfg = from_text(Path::new("k.toml"), text, &Flags::default()).expect("not read here");
    assert!(cfg.rules.policy.is_none());
    let flags = Flags {
        rules: RuleDirs::Read(None),
        ..Flags::default()
    };
    assert!(from_text(Path::new("k.toml"), text, &flags).is_err());
    let bad = "[rules.unused-token]\ndays = true\n";
    assert!(from_text(Path::new("k.toml"), bad, &Flags::default()).is_err());
}

#[test]
fn defaults_fill_what_the_file_leaves_out() {
    let cfg = from_text(
        Path::new("dir/k.toml"),
        "[audit]\ninventory = \"inv.csv\"\n[report.due-days]\ncritical = 3\n",
        &Flags::default(),
    )
    .expect("valid");
    assert_eq!(cfg.audit.fail_on, Severity::High);
    assert_eq!(cfg.leaks.fail_on, Severity::Info);
    assert_eq!(cfg.leaks.max_file_size, 64 * 1024 * 1024);
    assert_eq!(cfg.report.due_days.critical, 3);
    assert_eq!(
        cfg.report.due_days.high, 30,
        "unset keys keep their defaults"
    );
    assert_eq!(cfg.audit.inventory, Some(Path::new("dir").join("inv.csv")));
    assert_eq!(Config::default().audit.fail_on, Severity::High);
}

#[cfg(unix)]
#[test]
fn token_file_readable_by_others_is_refused_with_chmod_hint() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("alfa.token");
    std::fs::write(&token, "x").expect("write");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let path = dir.path().join("ksef-audit.toml");
    let cfg = config(
        "[ksef]\nenvironment = \"test\"\n[[contexts]]\nnip = \"5265877635\"\ntoken-file = \"alfa.token\"\n",
        &path,
        &Flags::default(),
    );
    let msg = resolve_settings_with(&cfg, &no_env)
        .expect_err("refused")
        .to_string();
    assert!(msg.contains("chmod 600"), "{msg}");
    assert!(msg.contains("alfa.token"), "{msg}");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let s = resolve_settings_with(&cfg, &no_env).expect("accepted");
    assert_eq!(s.contexts[0].credential, CredentialSource::File(token));
}

#[test]
fn config_is_discovered_upward_and_stops_at_the_repository_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    let deep = repo.join("a").join("b");
    std::fs::create_dir_all(&deep).expect("dirs");
    // Outside the repository: never read from inside it.
    std::fs::write(dir.path().join(DEFAULT_CONFIG_FILE), "").expect("outer config");
    std::fs::create_dir(repo.join(".git")).expect(".git");
    assert_eq!(crate::config::discover(&deep), None);
    // At the repository's root: found from a subdirectory, as a relative path.
    std::fs::write(repo.join(DEFAULT_CONFIG_FILE), "").expect("config");
    assert_eq!(
        crate::config::discover(&deep),
        Some(Path::new("../..").join(DEFAULT_CONFIG_FILE))
    );
    assert_eq!(
        crate::config::discover(&repo),
        Some(Path::new(DEFAULT_CONFIG_FILE).to_path_buf())
    );
    // Without a repository the search goes on to the filesystem root.
    let plain = dir.path().join("plain").join("sub");
    std::fs::create_dir_all(&plain).expect("dirs");
    assert_eq!(
        crate::config::discover(&plain),
        Some(Path::new("../..").join(DEFAULT_CONFIG_FILE))
    );
    // A `.git` file (a worktree or submodule) is a boundary too.
    let wt = dir.path().join("worktree");
    std::fs::create_dir_all(wt.join("src")).expect("dirs");
    std::fs::write(wt.join(".git"), "gitdir: elsewhere\n").expect(".git file");
    assert_eq!(crate::config::discover(&wt.join("src")), None);
}

#[test]
fn offboard_in_use_days_defaults_to_30_and_is_checked() {
    let p = Path::new("k.toml");
    assert_eq!(config("", p, &flags(None, &[])).offboard.in_use_days, 30);
    let c = config("[offboard]\nin-use-days = 45\n", p, &flags(None, &[]));
    assert_eq!(c.offboard.in_use_days, 45);
    let err = from_text(p, "[offboard]\nin-use-days = 0\n", &flags(None, &[]))
        .expect_err("0 days is refused");
    let msg = err.to_string();
    assert!(
        msg.contains("line 2") && msg.contains("in-use-days"),
        "{msg}"
    );
}

#[test]
fn token_last_issuance_defaults_to_the_regulation_and_a_bad_date_names_the_key() {
    let f = flags(Some("test"), &[]);
    assert_eq!(
        no_config(&f).audit.token_last_issuance,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date")
    );
    let c = config(
        "[audit]\ntoken-last-issuance = \"2027-06-30\"\n",
        Path::new("k.toml"),
        &f,
    );
    assert_eq!(
        c.audit.token_last_issuance,
        chrono::NaiveDate::from_ymd_opt(2027, 6, 30).expect("date")
    );
    let err = from_text(
        Path::new("k.toml"),
        "[audit]\ntoken-last-issuance = \"end of 2026\"\n",
        &f,
    )
    .expect_err("not a date");
    let msg = format!("{err:#}");
    assert!(msg.contains("[audit] token-last-issuance"), "{msg}");
    assert!(msg.contains("YYYY-MM-DD"), "{msg}");
}

#[test]
fn token_sign_in_end_sets_the_sunset_rules_unless_their_table_does() {
    let f = Flags {
        rules: RuleDirs::Read(None),
        ..flags(Some("test"), &[])
    };
    let sunset = |c: &Config, rule: &str| {
        let set = c.policy_rules(None).expect("rules");
        let r = set.rules.iter().find(|r| r.name == rule).expect("rule");
        r.parameters["sunset"]
            .as_str()
            .expect("a string")
            .to_string()
    };
    let c = config(
        "[audit]\ntoken-sign-in-end = \"2028-03-31\"\n[rules.token-sunset-near]\nsunset = \"2028-06-30\"\n",
        Path::new("k.toml"),
        &f,
    );
    assert_eq!(sunset(&c, "token-sunset-approaching"), "2028-03-31");
    assert_eq!(sunset(&c, "token-sunset-near"), "2028-06-30");
    let c = config("", Path::new("k.toml"), &f);
    assert_eq!(sunset(&c, "token-sunset-approaching"), "2027-11-30");
    let err = from_text(
        Path::new("k.toml"),
        "[audit]\ntoken-sign-in-end = \"soon\"\n",
        &f,
    )
    .expect_err("not a date");
    assert!(
        format!("{err:#}").contains("[audit] token-sign-in-end"),
        "{err:#}"
    );
}
