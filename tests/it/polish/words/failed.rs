//! Issue 20 point 4, the runs people meet when something is wrong, under `--lang pl`: a
//! config with bad values, an inventory and a staff list with bad cells, an exceptions file
//! with bad entries, `tokens` against a closed loopback port, and the commands that act on
//! their own (`revoke`'s dry runs, and its refusals of targets in edited results files,
//! `init` and its refusal to overwrite). Their stdout and
//! stderr go through the English-word check of [`super`]. The bad values are Polish words
//! or codes, so only the tool's own text can be English.

use std::path::Path;

use super::super::{demo, run};
use crate::support::cli::text;

/// The outputs of the failed and acting runs, by name, for the word check.
pub(super) fn outputs() -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path();
    let mut out = Vec::new();
    let mut check = |name: &str, args: &[&str], code: i32| {
        let mut args = args.to_vec();
        args.extend(["--lang", "pl"]);
        let o = run(&args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{name}: {err}");
        out.push((format!("{name} (stdout)"), text(&o.stdout)));
        out.push((format!("{name} (stderr)"), err));
    };
    let config = write(tmp, "zly.toml", BAD_CONFIG);
    check(
        "config with bad values",
        &["audit", "--config", &config, "--from", "tokens.json"],
        2,
    );
    check(
        "doctor, config with bad values",
        &["doctor", "--config", &config],
        1,
    );
    #[cfg(unix)]
    check(
        "config is a device",
        &["audit", "--config", "/dev/null", "--from", "tokens.json"],
        2,
    );
    let inventory = write(tmp, "ewidencja.csv", &bad_inventory());
    check(
        "inventory with bad cells",
        &["audit", "--from", "tokens.json", "--inventory", &inventory],
        2,
    );
    let staff = write(tmp, "pracownicy.csv", BAD_STAFF);
    check(
        "staff list with bad cells",
        &["audit", "--from", "tokens.json", "--staff", &staff],
        2,
    );
    let exceptions = write(tmp, "wyjatki.toml", BAD_EXCEPTIONS);
    check(
        "exceptions with bad entries",
        &[
            "audit",
            "--from",
            "tokens.json",
            "--exceptions",
            &exceptions,
        ],
        2,
    );
    let closed = closed_port_config(tmp);
    check(
        "tokens, closed port",
        &["tokens", "--config", &closed, "-v"],
        2,
    );
    check("revoke, dry run", &["revoke", "--from", "leaks.json"], 0);
    check(
        "revoke --grants, dry run",
        &["revoke", "--from", "audit.json", "--grants"],
        0,
    );
    let (leaks, audit) = edited_results(tmp);
    check(
        "revoke, an edited results file",
        &["revoke", "--from", &leaks],
        2,
    );
    check(
        "revoke --grants, an edited results file",
        &["revoke", "--from", &audit, "--grants"],
        0,
    );
    let init = tmp.join("start").to_string_lossy().into_owned();
    // The demo's snapshot has a context read in part: init says so and exits 2.
    check(
        "init",
        &["init", "--dir", &init, "--from", "tokens.json"],
        2,
    );
    check("init, files exist", &["init", "--dir", &init], 2);
    out
}

/// Bad values in four sections; every problem is reported at once.
const BAD_CONFIG: &str = r#"[ksef]
environment = "nigdzie"
concurrency = 0

[[contexts]]
nip = "5261048378"

[audit]
fail-on = "ogromny"

[report]
lang = "de"

[offboard]
in-use-days = 0

[[known-parties]]
identifier = "Zly:123"
name = "Biuro"
reason = "obsługa"

[[known-parties]]
identifier = "Nip:5261048379"
name = " "
reason = "obsługa"

[[known-parties]]
identifier = "Nip:5261048379"
name = "Biuro"
reason = "obsługa"

[leaks]
exclude = ["dostawca/[a"]

[rules.rotation-due]
severity = "ogromna"
enabled = "tak"
kolor = 1

[rules.nie-ma-takiej]
enabled = false

[rules.token-sunset-approaching]
sunset = "jutro"
"#;

const BAD_STAFF: &str = "id,name,pesel,nip,status,left_on
anna@biuro.example.pl,Anna,78090436156,,odeszła,
jan@biuro.example.pl,Jan,,526104837X,left,31.02.2026
";

const BAD_EXCEPTIONS: &str = r#"[[exception]]
rule = "rotation-due"
target = "20250928-EC-4B17AEBDE6-FB01E75CF8-FA"
owner = "anna@biuro.example.pl"
expires = 2027-03-07

[[exception]]
rule = "unused-token"
target = "x"
reason = "sezonowy klient"
owner = "anna@biuro.example.pl"
expires = "jutro"
"#;

/// The demo's leak results with the live token's fingerprint edited and its audit results
/// with a grant finding's id edited: `revoke` refuses both targets.
fn edited_results(tmp: &Path) -> (String, String) {
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(demo().join(f)).expect("reads"))
            .expect("JSON")
    };
    let mut leaks = read("leaks.json");
    let live = leaks["findings"]
        .as_array_mut()
        .and_then(|f| f.iter_mut().find(|f| f["status"] == "active"))
        .expect("a live leaked token");
    live["fingerprint"] = "zmieniony".into();
    let mut audit = read("audit.json");
    let grant = audit["findings"]
        .as_array_mut()
        .and_then(|f| f.iter_mut().find(|f| f["rule"] == "grant-held-by-leaver"))
        .expect("a grant finding");
    grant["id"] = "zmieniony".into();
    (
        write(tmp, "wycieki.json", &leaks.to_string()),
        write(tmp, "audyt.json", &audit.to_string()),
    )
}

/// The demo's inventory with a bad NIP, permission and date (columns A, G and H).
fn bad_inventory() -> String {
    let good = std::fs::read_to_string(demo().join("inventory.csv")).expect("demo inventory");
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    for (row, (column, value)) in [(0, "526104837X"), (6, "InvoiceWrtie"), (7, "31.02.2026")]
        .into_iter()
        .enumerate()
    {
        let mut cells: Vec<&str> = lines[row + 2].split(';').collect();
        cells[column] = value;
        lines[row + 2] = cells.join(";");
    }
    lines.join("\n") + "\n"
}

/// A config whose one context signs in with a well-formed token at a loopback port that
/// nothing listens on.
fn closed_port_config(tmp: &Path) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let token = tmp.join("5261048379.token");
    std::fs::write(
        &token,
        "20261116-EC-372E1D9127-5DFF9E37DC-8F|nip-5261048379|0123456789abcdef0123456789abcdef\n",
    )
    .expect("token file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("0600");
    }
    let config = format!(
        "[ksef]\nenvironment = \"http://127.0.0.1:{port}\"\nconnect-timeout = 2\n\n[[contexts]]\nnip = \"5261048379\"\ntoken-file = {:?}\n",
        token.to_string_lossy()
    );
    write(tmp, "zamkniety.toml", &config)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writes");
    path.to_string_lossy().into_owned()
}
