//! `ksef-audit man`.

use std::path::PathBuf;

use clap::Args;

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit man > ksef-audit.1 && man ./ksef-audit.1
  ksef-audit man --dir /usr/local/share/man/man1   one page per command";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct ManArgs {
    /// Write ksef-audit.1 and one page per command (ksef-audit-audit.1, …) into DIR instead of
    /// printing the main page
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
