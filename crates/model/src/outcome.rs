//! How a run ends, and the exit code that tells CI.

use std::process::ExitCode;

/// The result of a command that ran to the end.
///
/// | exit | meaning |
/// |------|---------|
/// | 0 | no active finding at or above `--fail-on` |
/// | 1 | at least one such finding |
/// | 2 | an error: usage, config, rules, API, I/O, incomplete context or partial scan |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Clean,
    Findings,
    /// The command finished its output but something was not read in full.
    Incomplete,
}

impl Outcome {
    /// `--exit-zero` turns findings into success, never an incomplete run.
    pub fn with_exit_zero(self, exit_zero: bool) -> Outcome {
        match (self, exit_zero) {
            (Outcome::Findings, true) => Outcome::Clean,
            (other, _) => other,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Incomplete => 2,
        }
    }

    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// Exit code for a run that failed with an error.
pub const ERROR_EXIT: u8 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_zero_never_hides_an_error() {
        assert_eq!(Outcome::Findings.with_exit_zero(true).code(), 0);
        assert_eq!(Outcome::Incomplete.with_exit_zero(true).code(), 2);
        assert_eq!(Outcome::Findings.with_exit_zero(false).code(), 1);
        assert_eq!(Outcome::Clean.code(), 0);
    }
}
