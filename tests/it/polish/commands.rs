//! Issue 20 point 4: `simulate` and `demo` take `--lang pl`; what they print for a person
//! (the simulator's startup lines, the demo's narration headings) is Polish.

use std::process::Stdio;

use crate::support::cli::{ksef_audit, simulator_startup, text};

#[test]
fn issue_20_simulate_says_its_startup_lines_in_polish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = ksef_audit(dir.path())
        .args(["simulate", "--addr", "127.0.0.1:0", "--lang", "pl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let printed = simulator_startup(child);
    for polish in [
        "symulator KSeF działa pod adresem http://127.0.0.1:",
        "jak wskazać go narzędziu:",
        "(token w KSEF_TOKEN_",
        "Ctrl-C zatrzymuje symulator",
    ] {
        assert!(printed.contains(polish), "no '{polish}' in:\n{printed}");
    }
    for english in ["listening on", "point the tool", "press Ctrl-C"] {
        assert!(!printed.contains(english), "'{english}' in:\n{printed}");
    }
}

#[test]
fn issue_20_demo_narrates_in_polish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = ksef_audit(dir.path())
        .args(["demo", "--out", "d", "--lang", "pl"])
        .output()
        .expect("runs");
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{err}");
    for polish in [
        "ksef-audit demo: przykładowa firma, kontekstów klientów: ",
        "\ndo zrobienia od razu:\n",
        "\naudyt: ustalenia: ",
        "\nwycieki: ustalenia: ",
        "\nwyniki w katalogu d:\n",
        "\nco dalej:\n",
    ] {
        assert!(out.contains(polish), "no '{polish}' in:\n{out}");
    }
    assert!(
        err.contains("demo: symulator KSeF z przykładową firmą"),
        "{err}"
    );
    for english in ["act now:", "outputs in ", "next, try:", "example firm"] {
        assert!(!out.contains(english), "'{english}' in:\n{out}");
    }
}
