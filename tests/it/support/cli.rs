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
