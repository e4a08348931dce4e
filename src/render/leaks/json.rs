//! `--format json`: the versioned `LeakResults` document; `--format jsonl`: one finding per
//! line (active first, then suppressed ones with their `suppression`).

use std::io::Write;

use crate::render::RenderError;
use crate::render::leaks::encode_err;
use crate::render::leaks::io_err;
use ksef_model::LeakResults;

pub fn render_json(results: &LeakResults, out: &mut dyn Write) -> Result<(), RenderError> {
    serde_json::to_writer_pretty(&mut *out, results).map_err(encode_err("json"))?;
    writeln!(out).map_err(io_err("json"))
}

pub fn render_jsonl(results: &LeakResults, out: &mut dyn Write) -> Result<(), RenderError> {
    for f in results.findings.iter().chain(&results.suppressed) {
        serde_json::to_writer(&mut *out, f).map_err(encode_err("jsonl"))?;
        writeln!(out).map_err(io_err("jsonl"))?;
    }
    Ok(())
}
