//! One integration test binary over the crates' public API and the `ksef-audit` binary
//! (trycmd cases in `tests/cli/`, insta snapshots in `tests/it/snapshots/`).

mod support;

mod api;
mod architecture;
mod audit;
mod certificates;
mod ci_files;
mod ci_formats;
mod cli;
mod cli_certificates;
mod cli_outputs;
mod cli_simulate;
mod cli_tokens;
mod contract;
mod doctor;
mod git_history;
mod grants;
mod grants_cli;
mod hardening;
mod hardening_cli;
mod init;
mod key_passwords;
mod leaks_cli;
mod offboard;
mod offboard_records;
mod polish;
mod progress_tty;
mod properties;
mod quickstart;
mod reasons_cli;
mod report;
mod rules;
mod scan;
mod shard_merge;
mod simulator;
mod tables;
mod xades;
