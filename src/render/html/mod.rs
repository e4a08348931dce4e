//! HTML reports (security review, quarterly compliance report) and their CSV tables.
//!
//! Templates live in `reports/` and are built into the binary; `--templates DIR`
//! overrides any of them by file name. Every number is computed in [`model`];
//! templates only lay out. `.html` templates are auto-escaped and undefined
//! values are errors (strict mode).

pub mod chart;
mod csv_out;
pub mod mask;
pub mod model;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use minijinja::{Environment, UndefinedBehavior, value::Serde};

pub use csv_out::{CsvTable, render_csv};
use ksef_model::DueDays;
use model::ReportView;

use crate::render::RenderError;

use ksef_model::AuditResults;
use ksef_model::LeakResults;
use ksef_model::OffboardRecord;
use ksef_model::ReportFacts;
use ksef_model::StaffMember;
use ksef_model::i18n::Lang;

/// Built-in templates, by the name the templates use to refer to each other.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../reports/base.html")),
    ("review.html", include_str!("../../../reports/review.html")),
    (
        "quarterly.html",
        include_str!("../../../reports/quarterly.html"),
    ),
    (
        "partials/style.css",
        include_str!("../../../reports/partials/style.css"),
    ),
    (
        "partials/cover.html",
        include_str!("../../../reports/partials/cover.html"),
    ),
    (
        "partials/macros.html",
        include_str!("../../../reports/partials/macros.html"),
    ),
    (
        "partials/leaks.html",
        include_str!("../../../reports/partials/leaks.html"),
    ),
    (
        "partials/urgent.html",
        include_str!("../../../reports/partials/urgent.html"),
    ),
    (
        "partials/certificates.html",
        include_str!("../../../reports/partials/certificates.html"),
    ),
    (
        "partials/appendix.html",
        include_str!("../../../reports/partials/appendix.html"),
    ),
    (
        "partials/grants.html",
        include_str!("../../../reports/partials/grants.html"),
    ),
    (
        "partials/leavers.html",
        include_str!("../../../reports/partials/leavers.html"),
    ),
    (
        "offboard.html",
        include_str!("../../../reports/offboard.html"),
    ),
];

/// What a report is made from.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub audit: Option<AuditResults>,
    pub leaks: Option<LeakResults>,
    /// Earlier quarters' audit results, in any order (sorted by their `generated_at`).
    pub previous: Vec<AuditResults>,
    /// Maps PESELs of token authors to names.
    pub staff: Vec<StaffMember>,
    /// Offboarding records kept (`report --offboard-records DIR`); `None`: not given.
    pub offboard_records: Option<Vec<LinkedRecord>>,
    /// Scores, KPIs, due dates and the comparison with `previous`, decided by
    /// `evaluate::posture::report_facts` (the renderer only lays them out).
    pub facts: ReportFacts,
}

/// An offboarding record kept, and the link to its HTML page from the report.
#[derive(Debug, Clone)]
pub struct LinkedRecord {
    pub record: OffboardRecord,
    /// Relative to the report's directory.
    pub href: String,
}

/// Which NIPs are masked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NipMasking {
    #[default]
    None,
    /// These NIPs (sole traders).
    Only(BTreeSet<String>),
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Review,
    Quarterly,
}

#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub lang: Lang,
    /// Directory whose files override the built-in templates.
    pub templates: Option<PathBuf>,
    /// Generation time shown on the cover (default: now).
    pub now: Option<DateTime<Utc>>,
    /// Quarter label, e.g. `2026Q4` (default: the quarter of the audit date).
    pub quarter: Option<String>,
    pub due_days: DueDays,
    pub mask_nip: NipMasking,
    /// Digests of the input files (`name`, lowercase hex SHA-256) for the cover.
    pub input_digests: Vec<(String, String)>,
    /// Firm name (default: the audit results' `firm`).
    pub firm: Option<String>,
}

/// Largest template file `--templates DIR` may hold.
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

fn environment(templates: Option<&Path>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Every value a template prints passes the one outbound filter (PESELs masked, tokens
    // redacted, controls escaped), then HTML escaping; markup the renderer built is kept.
    env.set_formatter(
        |out, state, value| match value.as_str().filter(|_| !value.is_safe()) {
            Some(s) => match ksef_leaks::redact::outbound(s) {
                std::borrow::Cow::Owned(o) => {
                    minijinja::escape_formatter(out, state, &minijinja::Value::from(o))
                }
                std::borrow::Cow::Borrowed(_) => minijinja::escape_formatter(out, state, value),
            },
            None => minijinja::escape_formatter(out, state, value),
        },
    );
    let dir = templates.map(Path::to_path_buf);
    env.set_loader(move |name| {
        let refuse = |why: String| {
            Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "template '{}' refused: {why}; templates load only from --templates DIR and the built-in set",
                    name.escape_debug()
                ),
            ))
        };
        let relative = !name.is_empty()
            && !name.contains(['\\', '\0'])
            && Path::new(name)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !relative {
            return refuse("not a plain relative name (no absolute path, no '..')".into());
        }
        if let Some(dir) = &dir {
            let path = dir.join(name);
            if path.is_file() {
                return read_template(dir, &path).map(Some).or_else(refuse);
            }
        }
        Ok(BUILTIN_TEMPLATES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, src)| (*src).to_string()))
    });
    env
}

/// Reads a template override that really lies inside `dir` (a symlink leaving it is refused),
/// at most [`MAX_TEMPLATE_BYTES`].
fn read_template(dir: &Path, path: &Path) -> Result<String, String> {
    let root = dir.canonicalize().map_err(|e| {
        format!(
            "cannot read --templates '{}': {e}",
            ksef_model::shown_path(dir)
        )
    })?;
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot read '{}': {e}", ksef_model::shown_path(path)))?;
    if !real.starts_with(&root) {
        return Err(format!(
            "'{}' leads outside '{}' (a symlink)",
            ksef_model::shown_path(path),
            ksef_model::shown_path(dir)
        ));
    }
    let file = std::fs::File::open(&real)
        .map_err(|e| format!("cannot read '{}': {e}", ksef_model::shown_path(path)))?;
    let mut text = String::new();
    use std::io::Read;
    file.take(MAX_TEMPLATE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read '{}': {e}", ksef_model::shown_path(path)))?;
    if text.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(format!(
            "'{}' is larger than {MAX_TEMPLATE_BYTES} bytes",
            ksef_model::shown_path(path)
        ));
    }
    Ok(text)
}

fn template_error(name: &str, e: &minijinja::Error) -> RenderError {
    // The innermost cause first (a refused include is deep in the chain), then the context;
    // cut on a character boundary.
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    let full = format!("{e:#}");
    let mut detail = if std::ptr::addr_eq(root, e) {
        full
    } else {
        format!("{root}\n{full}")
    };
    if detail.len() > 2000 {
        let mut cut = 2000;
        while !detail.is_char_boundary(cut) {
            cut -= 1;
        }
        detail.truncate(cut);
    }
    RenderError::Template {
        name: name.to_string(),
        detail,
        help: "a template override (--templates) may use a name the report does not provide; \
               compare it with the built-in one in reports/"
            .to_string(),
    }
}

/// Renders `template` with the report view.
pub fn render_view(
    view: &ReportView,
    template: &str,
    opts: &ReportOptions,
) -> Result<String, RenderError> {
    let env = environment(opts.templates.as_deref());
    let tmpl = env
        .get_template(template)
        .map_err(|e| template_error(template, &e))?;
    tmpl.render(Serde(view))
        .map_err(|e| template_error(template, &e))
}

/// Renders a page that is not a report (the offboarding record) from the built-in
/// templates: its view is computed by the caller, the template only lays it out.
pub fn render_page<T: serde::Serialize>(view: &T, template: &str) -> Result<String, RenderError> {
    let env = environment(None);
    let tmpl = env
        .get_template(template)
        .map_err(|e| template_error(template, &e))?;
    tmpl.render(Serde(view))
        .map_err(|e| template_error(template, &e))
}

/// Builds the report model of `kind` (exposed for tests and other renderers).
pub fn build_view(
    input: &ReportInput,
    opts: &ReportOptions,
    kind: ReportKind,
) -> Result<ReportView, RenderError> {
    if input.audit.is_none() && input.leaks.is_none() {
        return Err(RenderError::NoInput);
    }
    Ok(model::build(input, opts, kind))
}

/// The security review: every finding with its evidence and fix.
pub fn render_review(input: &ReportInput, opts: &ReportOptions) -> Result<String, RenderError> {
    let view = build_view(input, opts, ReportKind::Review)?;
    render_view(&view, "review.html", opts)
}

/// The quarterly compliance report for management.
pub fn render_quarterly(input: &ReportInput, opts: &ReportOptions) -> Result<String, RenderError> {
    let view = build_view(input, opts, ReportKind::Quarterly)?;
    render_view(&view, "quarterly.html", opts)
}

/// `ksef-audit audit --format html`: the security review of one audit run.
/// `facts` come from `evaluate::posture::report_facts`.
pub fn render_audit_html(
    results: &AuditResults,
    facts: ReportFacts,
    opts: &ReportOptions,
) -> Result<String, RenderError> {
    let input = ReportInput {
        audit: Some(results.clone()),
        facts,
        ..ReportInput::default()
    };
    render_review(&input, opts)
}

/// `ksef-audit leaks --format html`: the security review of one leak scan.
/// `facts` come from `evaluate::posture::report_facts`.
pub fn render_leaks_html(
    results: &LeakResults,
    facts: ReportFacts,
    opts: &ReportOptions,
) -> Result<String, RenderError> {
    let input = ReportInput {
        leaks: Some(results.clone()),
        facts,
        ..ReportInput::default()
    };
    render_review(&input, opts)
}
