use std::{io, process::ExitCode};

use clap::Parser;

use ksef_audit::cli::Cli;
use ksef_model::ERROR_EXIT;

fn main() -> ExitCode {
    ksef_audit::app::process::disable_core_dumps();
    let cli = Cli::parse();
    let lang = ksef_audit::app::lang(cli.command.lang_flag());
    match ksef_audit::app::run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Redacted and escaped: an error may echo a file name or a cell (issue 13, 14).
            ksef_audit::app::output::print_error(&err, lang);
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
