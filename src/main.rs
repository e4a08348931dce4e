use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use ksef_audit::app::ERROR_EXIT;
use ksef_audit::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match ksef_audit::app::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            ExitCode::from(ERROR_EXIT)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
