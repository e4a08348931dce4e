use std::io::Write;

use ksef_model::AuditResults;

/// The versioned JSON document (pretty, keys in a fixed order, a final newline).
pub fn render_json(results: &AuditResults, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, results).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}
