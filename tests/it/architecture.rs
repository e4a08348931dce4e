//! The architecture, checked: the crate graph of the workspace (read with `cargo metadata`)
//! and, inside every crate, imports between its top-level modules that run one way.
//!
//! Cargo already refuses a cycle between crates; what it cannot refuse is a crate that
//! depends on the wrong one (the model on anything, a library on the simulator, anyone on
//! the binary), or two modules of one crate that import each other. Every `.rs` file of
//! each crate is read; an import is `use crate::x`, a `crate::x::` path in code, a
//! `use crate::{a, b}` group, or a `super::super::x` escape to the crate root. Comments
//! and string literals do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// One import found in a file: the layer it reaches, its line and the path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Import {
    layer: String,
    line: usize,
    text: String,
}

/// Module path of a file under a crate's `src/`: `crates/leaks/src/scan/mod.rs` -> `[scan]`.
fn module_path(rel: &str) -> Vec<String> {
    let rel = rel.split_once("src/").map_or(rel, |(_, r)| r);
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
        let crate_word = ["crate"].into_iter().find(|w| {
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

/// The workspace's crates as `(name, {normal dependencies among the members})`.
fn crate_graph() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let members: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .filter_map(|d| d["name"].as_str())
                .filter(|d| members.contains(*d))
                .map(str::to_string)
                .collect();
            (p["name"].as_str().expect("name").to_string(), deps)
        })
        .collect()
}

/// What the crate graph must not do, one line per breach.
fn graph_breaches(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    if graph.len() < 6 {
        out.push(format!("only {} workspace crates", graph.len()));
    }
    for (name, deps) in graph {
        if name == MODEL && !deps.is_empty() {
            out.push(format!(
                "{MODEL} depends on {deps:?}: the model depends on no member"
            ));
        }
        if deps.contains(BINARY) {
            out.push(format!("{name} depends on the binary crate {BINARY}"));
        }
        if name != BINARY && deps.contains(SIMULATOR) {
            out.push(format!(
                "library crate {name} depends on the simulator {SIMULATOR}"
            ));
        }
    }
    out
}

const MODEL: &str = "ksef-model";
const BINARY: &str = "ksef-audit";
const SIMULATOR: &str = "ksef-sim";

#[test]
fn the_crate_graph_shows_the_architecture() {
    let graph = crate_graph();
    let breaches = graph_breaches(&graph);
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

#[test]
fn crate_graph_breaches_are_named() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        (MODEL, vec!["ksef-rules"]),
        ("ksef-policy", vec![MODEL, SIMULATOR]),
        (SIMULATOR, vec![BINARY]),
        (BINARY, vec![SIMULATOR]),
    ]
    .into_iter()
    .map(|(n, d)| (n.to_string(), d.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(
        graph_breaches(&graph),
        [
            "only 4 workspace crates",
            "ksef-model depends on {\"ksef-rules\"}: the model depends on no member",
            "library crate ksef-policy depends on the simulator ksef-sim",
            "ksef-sim depends on the binary crate ksef-audit",
        ]
    );
}

/// Top-level module -> (module it imports -> first `file:line: import` that does).
type ModuleGraph = BTreeMap<String, BTreeMap<String, String>>;

/// The import graph between the top-level modules of one crate (`lib.rs`/`main.rs` left out:
/// the root only declares the modules; code from the first `#[cfg(test)]` on left out).
fn module_graph(files: &[(String, String)]) -> ModuleGraph {
    let mut graph = ModuleGraph::new();
    for (rel, text) in files {
        let module = module_path(rel);
        let Some(own) = module.first().filter(|m| *m != "lib" && *m != "main") else {
            continue;
        };
        let edges = graph.entry(own.clone()).or_default();
        // Unit tests may reach anywhere in their crate: only the product code is layered.
        let product = text.split("#[cfg(test)]").next().unwrap_or_default();
        for imp in imports(&module, product) {
            if imp.layer != *own {
                edges
                    .entry(imp.layer)
                    .or_insert_with(|| format!("{rel}:{}: {}", imp.line, imp.text));
            }
        }
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for edges in graph.values_mut() {
        edges.retain(|to, _| known.contains(to));
    }
    graph
}

/// Every pair of modules that import each other, directly or through others, with the
/// import that closes the circle.
fn circles(graph: &ModuleGraph) -> Vec<String> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(m) = stack.pop() {
            if m == to {
                return true;
            }
            if seen.insert(m.clone()) {
                stack.extend(graph.get(&m).into_iter().flat_map(|e| e.keys().cloned()));
            }
        }
        false
    };
    let mut out = Vec::new();
    for (from, edges) in graph {
        for (to, at) in edges {
            if reaches(to, from) {
                out.push(format!(
                    "{at} ({from} -> {to}, and {to} leads back to {from})"
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
                .expect("under the workspace")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).expect("read source")));
        }
    }
}

#[test]
fn modules_inside_each_crate_import_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("src")];
    let mut crates: Vec<_> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .map(|e| e.expect("entry").path().join("src"))
        .collect();
    crates.sort();
    dirs.extend(crates);
    let mut bad = Vec::new();
    for dir in &dirs {
        let mut files = Vec::new();
        read_src(dir, root, &mut files);
        assert!(!files.is_empty(), "no sources in {}", dir.display());
        bad.extend(circles(&module_graph(&files)));
    }
    assert!(
        bad.is_empty(),
        "{} import(s) close a circle between the modules of one crate:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn file(rel: &str, text: &str) -> (String, String) {
    (rel.to_string(), text.to_string())
}

#[test]
fn circles_are_caught_in_every_form() {
    let files = [
        file(
            "crates/leaks/src/scan/blob.rs",
            "use crate::{\n    matcher::Scanner,\n    findings::{LeakScan, x},\n};\n",
        ),
        file(
            "crates/leaks/src/findings.rs",
            "fn f() { let s = crate::scan::blob::BlobScan::default(); }\n",
        ),
        file(
            "crates/leaks/src/matcher/mod.rs",
            "mod tests { use super::super::sources::walk; }\n",
        ),
        file(
            "crates/leaks/src/sources/walk.rs",
            "use super::super::matcher::echo;\n",
        ),
        file(
            "crates/leaks/src/lib.rs",
            "pub mod findings;\npub mod scan;\n",
        ),
    ];
    assert_eq!(
        circles(&module_graph(&files)),
        [
            "crates/leaks/src/findings.rs:1: crate::scan::blob::BlobScan::default (findings -> scan, and scan leads back to findings)",
            "crates/leaks/src/matcher/mod.rs:1: super::super::sources::walk (matcher -> sources, and sources leads back to matcher)",
            "crates/leaks/src/scan/blob.rs:3: crate::{… findings …} (scan -> findings, and findings leads back to scan)",
            "crates/leaks/src/sources/walk.rs:1: super::super::matcher::echo (sources -> matcher, and matcher leads back to sources)",
        ]
    );
}

#[test]
fn one_way_imports_comments_and_strings_pass() {
    let files = [
        file(
            "src/app/audit.rs",
            "//! See [`crate::render::html`].\nuse crate::{render::X, inputs::staff};\nconst S: &str = \"crate::app::run\";\nconst C: char = '{';\nfn f<'a>(x: &'a str) {}\n",
        ),
        file(
            "src/render/text.rs",
            "use crate::render::style::Style;\n// crate::app::run\n",
        ),
        file(
            "src/inputs/staff.rs",
            "#[cfg(test)]\nmod tests { use crate::app::run; }\n",
        ),
        file("src/main.rs", "use ksef_audit::app;\n"),
    ];
    assert_eq!(circles(&module_graph(&files)), Vec::<String>::new());
}
