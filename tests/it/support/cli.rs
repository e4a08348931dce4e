//! Running the binary in a directory, with an empty environment.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// `ksef-audit` run in `cwd` with no inherited environment (no stray `KSEF_*` variable).
pub fn ksef_audit(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ksef-audit").expect("binary");
    cmd.env_clear().current_dir(cwd);
    cmd
}

/// Output bytes as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a started `ksef-audit simulate` (stdout piped) prints up to its `Ctrl-C` line; the
/// simulator is stopped then.
pub fn simulator_startup(mut child: std::process::Child) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout");
    let mut printed = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("line");
        printed.push_str(&line);
        printed.push('\n');
        if line.contains("Ctrl-C") {
            break;
        }
    }
    child.kill().expect("stop the simulator");
    let _ = child.wait();
    printed
}
