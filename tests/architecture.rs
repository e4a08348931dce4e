//! The layering of `src/` (notes/helpers.md, issue 8): imports flow one way,
//! model <- rule <- config <- collect, evaluate <- render <- app <- main.
//!
//! Reads every `.rs` file under `src/`, finds what it imports from the crate (`use crate::x`,
//! `crate::x::` paths in code, `use crate::{a, b}` groups, `super::super::x` escapes that leave
//! the file's layer, and `ksef_audit::x` in the binary) and fails listing every `file:line:
//! import` that the table below does not allow. Comments and string literals do not count.

use std::collections::BTreeSet;
use std::path::Path;

/// What each layer (the first module under `src/`) may import besides itself.
/// `None` = anything. This is the table of notes/helpers.md, word for word.
const ALLOWED: &[(&str, Option<&[&str]>)] = &[
    // model imports nothing of the crate but model.
    ("model", Some(&[])),
    ("rule", Some(&["model"])),
    // config: model, rule (never cli).
    ("config", Some(&["model", "rule"])),
    // collect: model, rule, config (never evaluate/render/app).
    ("collect", Some(&["model", "rule", "config"])),
    // evaluate: model, rule, config (never collect/render/app).
    ("evaluate", Some(&["model", "rule", "config"])),
    // render: model, rule (never collect/evaluate/config/app).
    ("render", Some(&["model", "rule"])),
    ("simulator", Some(&["model"])),
    // cli: model (clap types only).
    ("cli", Some(&["model"])),
    // app (+ demo): anything.
    ("app", None),
    ("demo", None),
    // main: app, cli.
    ("main", Some(&["app", "cli"])),
    // Not named in helpers.md: `error` only re-exports `model::{Outcome, ERROR_EXIT}`
    // (a path kept for old callers), so it sits on model.
    ("error", Some(&["model"])),
];

/// One import found in a file: the layer it reaches, its line and the path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Import {
    layer: String,
    line: usize,
    text: String,
}

/// Module path of a file under `src/`: `src/evaluate/scan/mod.rs` -> `[evaluate, scan]`.
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.strip_prefix("src/").unwrap_or(rel);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The code of `text` with comments and the contents of string and char literals blanked
/// (newlines kept, so lines still count).
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !b
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // Raw string r"…" / r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push_str(&" ".repeat(j - i + 1));
            i = j + 1;
            loop {
                if i >= b.len() {
                    break;
                }
                if b[i] == '"' && (0..hashes).all(|k| b.get(i + 1 + k) == Some(&'#')) {
                    out.push_str(&" ".repeat(hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1f}', '{'); a lifetime ('a) is left alone.
            let end = if next == Some('\\') {
                (i + 2..b.len()).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str(&" ".repeat(end - i + 1));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first segment of each item of the path that starts at `rest` (after `crate::`), with
/// its offset in `rest`: `model::X` -> [model]; `{model::A, evaluate::{B, C}}` -> [model,
/// evaluate].
fn first_segments(rest: &[char]) -> Vec<(String, usize)> {
    let mut i = 0;
    while rest.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    if rest.get(i) == Some(&'{') {
        let mut out = Vec::new();
        let mut depth = 0;
        let mut at_item_start = true;
        while let Some(&c) = rest.get(i) {
            match c {
                '{' => {
                    depth += 1;
                    at_item_start = depth == 1;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ',' if depth == 1 => at_item_start = true,
                c if at_item_start && is_ident(c) => {
                    let word: String = rest[i..].iter().take_while(|c| is_ident(**c)).collect();
                    out.push((word.clone(), i));
                    i += word.len();
                    at_item_start = false;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        out
    } else {
        let word: String = rest[i..].iter().take_while(|c| is_ident(**c)).collect();
        if word.is_empty() {
            Vec::new()
        } else {
            vec![(word, i)]
        }
    }
}

/// Every crate layer `text` (the file at module path `module`) imports.
fn imports(module: &[String], text: &str) -> Vec<Import> {
    let code: Vec<char> = code_only(text).chars().collect();
    let mut out = Vec::new();
    // Inline modules (`mod tests { … }`) shift what `super` means.
    let mut inline: Vec<(usize, usize)> = Vec::new(); // (brace depth at open, extra levels)
    let mut depth = 0usize;
    let mut line = 1;
    let mut i = 0;
    let starts_word = |i: usize| i == 0 || !is_ident(code[i - 1]) && code[i - 1] != ':';
    let word_at = |i: usize, w: &str| {
        w.chars()
            .enumerate()
            .all(|(k, c)| code.get(i + k) == Some(&c))
            && !code.get(i + w.len()).is_some_and(|c| is_ident(*c))
    };
    while i < code.len() {
        let c = code[i];
        match c {
            '\n' => line += 1,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|(d, _)| *d > depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        if starts_word(i) && word_at(i, "mod") {
            // `mod name {` opens an inline module.
            let mut j = i + 3;
            while code.get(j).is_some_and(|c| c.is_whitespace()) {
                j += 1;
            }
            while code.get(j).is_some_and(|c| is_ident(*c)) {
                j += 1;
            }
            while code.get(j).is_some_and(|c| c.is_whitespace()) {
                j += 1;
            }
            if code.get(j) == Some(&'{') {
                inline.push((depth + 1, 1));
            }
        }
        let crate_word = ["crate", "ksef_audit"].into_iter().find(|w| {
            starts_word(i) && word_at(i, w) && code[i + w.len()..].starts_with(&[':', ':'])
        });
        if let Some(w) = crate_word {
            let rest = &code[i + w.len() + 2..];
            let text: String = rest
                .iter()
                .take_while(|c| is_ident(**c) || **c == ':')
                .collect();
            for (layer, at) in first_segments(rest) {
                let line = line + rest[..at].iter().filter(|c| **c == '\n').count();
                let text = if text.is_empty() {
                    format!("{w}::{{… {layer} …}}")
                } else if text.ends_with("::") {
                    format!("{w}::{text}{{…}}")
                } else {
                    format!("{w}::{text}")
                };
                out.push(Import { layer, line, text });
            }
            i += w.len();
            continue;
        }
        if starts_word(i) && word_at(i, "super") {
            let mut n = 0;
            let mut j = i;
            while word_at(j, "super") && code[j + 5..].starts_with(&[':', ':']) {
                n += 1;
                j += 7;
            }
            if n > 0 {
                let nested: usize = inline.iter().map(|(_, k)| k).sum();
                let levels = module.len() + nested;
                let written: String = code[i..j].iter().collect::<String>()
                    + &code[j..]
                        .iter()
                        .take_while(|c| is_ident(**c) || **c == ':')
                        .collect::<String>();
                if n >= levels {
                    // Escapes to the crate root: the next segment names the layer.
                    for (layer, _) in first_segments(&code[j..]) {
                        out.push(Import {
                            layer,
                            line,
                            text: written.clone(),
                        });
                    }
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `file:line: import (layer may not import x)` for every import the table forbids.
fn violations(files: &[(String, String)]) -> Vec<String> {
    let layers: BTreeSet<&str> = ALLOWED.iter().map(|(l, _)| *l).collect();
    let mut out = Vec::new();
    for (rel, text) in files {
        let module = module_path(rel);
        if module.len() == 1 && module[0] == "lib" {
            continue; // the crate root only declares the layers
        }
        let own = module[0].as_str();
        let Some((_, allowed)) = ALLOWED.iter().find(|(l, _)| *l == own) else {
            out.push(format!("{rel}: module '{own}' is in no layer of the table"));
            continue;
        };
        for imp in imports(&module, text) {
            if imp.layer == own || !layers.contains(imp.layer.as_str()) {
                continue;
            }
            if let Some(allowed) = allowed
                && !allowed.contains(&imp.layer.as_str())
            {
                out.push(format!(
                    "{rel}:{}: {} ({own} may not import {})",
                    imp.line, imp.text, imp.layer
                ));
            }
        }
    }
    out
}

fn read_src(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_src(&path, root, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path
                .strip_prefix(root)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).expect("read source")));
        }
    }
}

#[test]
fn imports_follow_the_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    read_src(&root.join("src"), root, &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    let bad = violations(&files);
    assert!(
        bad.is_empty(),
        "{} import(s) against the layering of notes/helpers.md \
         (model <- rule <- config <- collect, evaluate <- render <- app <- main):\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn file(rel: &str, text: &str) -> (String, String) {
    (rel.to_string(), text.to_string())
}

#[test]
fn forbidden_imports_are_caught_in_every_form() {
    let files = [
        file(
            "src/rule/leak.rs",
            "use crate::evaluate::scan::Scanner;\nuse crate::model::Severity;\n",
        ),
        file(
            "src/collect/inventory.rs",
            "use crate::{\n    model::InventoryEntry,\n    evaluate::{scan::Scanner, policy},\n};\n",
        ),
        file(
            "src/evaluate/scan/blob.rs",
            "use super::Scanner;\nuse super::super::super::collect::sources::read_source;\n",
        ),
        file(
            "src/render/html/model.rs",
            "fn f() { let s = crate::evaluate::audit::apply_baseline(x); }\n",
        ),
        file("src/config.rs", "use crate::cli::GlobalArgs;\n"),
        file("src/main.rs", "use ksef_client;\n"),
        file("src/model/mod.rs", "pub use crate::rule::RuleStatus;\n"),
    ];
    let bad = violations(&files);
    let expected = [
        "src/rule/leak.rs:1: crate::evaluate::scan::Scanner (rule may not import evaluate)",
        "src/collect/inventory.rs:3: crate::{… evaluate …} (collect may not import evaluate)",
        "src/evaluate/scan/blob.rs:2: super::super::super::collect::sources::read_source (evaluate may not import collect)",
        "src/render/html/model.rs:1: crate::evaluate::audit::apply_baseline (render may not import evaluate)",
        "src/config.rs:1: crate::cli::GlobalArgs (config may not import cli)",
        "src/main.rs:1: ksef_client (main may not import collect)",
        "src/model/mod.rs:1: crate::rule::RuleStatus (model may not import rule)",
    ];
    assert_eq!(bad, expected);
}

#[test]
fn allowed_imports_comments_strings_and_test_modules_pass() {
    let files = [
        file(
            "src/evaluate/policy/view.rs",
            "//! See [`crate::collect::inventory`].\nuse super::super::leaks;\nuse crate::{model::X, rule::policy::Y};\nconst S: &str = \"crate::app::run\";\nconst C: char = '{';\nfn f<'a>(x: &'a str) {}\nmod tests { use super::*; use super::super::Z; }\n",
        ),
        file(
            "src/config.rs",
            "use crate::model::Outcome;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::rule::RuleStatus;\n}\n",
        ),
        file(
            "src/app/audit.rs",
            "use crate::collect::staff; use crate::render::html;\n",
        ),
        file("src/lib.rs", "pub mod app;\npub mod cli;\n"),
        file(
            "src/main.rs",
            "use ksef_audit::cli::Cli;\nfn main() { ksef_audit::app::run(); }\n",
        ),
    ];
    assert_eq!(violations(&files), Vec::<String>::new());
}

#[test]
fn a_test_module_escaping_to_the_root_is_still_an_import() {
    // In `src/rule/mod.rs`, `mod tests { use super::super::evaluate; }` reaches the crate root.
    let files = [file(
        "src/rule/mod.rs",
        "mod tests {\n    use super::super::evaluate::selftest;\n}\n",
    )];
    assert_eq!(
        violations(&files),
        ["src/rule/mod.rs:2: super::super::evaluate::selftest (rule may not import evaluate)"]
    );
}
