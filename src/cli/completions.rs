//! `ksef-audit completions`.

use clap::{Args, ValueEnum};

const EXAMPLES: &str = "EXAMPLES:
  ksef-audit completions bash > ~/.local/share/bash-completion/completions/ksef-audit
  ksef-audit completions zsh > \"${fpath[1]}/_ksef-audit\"
  ksef-audit completions fish > ~/.config/fish/completions/ksef-audit.fish
  ksef-audit completions powershell >> $PROFILE";

/// Shells `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}
