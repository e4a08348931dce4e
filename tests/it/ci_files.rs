//! The files CI users copy or reference: the release workflow, the composite action, the
//! pre-commit hooks and the Dockerfile. Parsed as YAML and checked for the keys their
//! consumers (GitHub Actions, pre-commit) require, and for the one project URL.

use serde_yaml::Value;

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid YAML: {e}"))
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing string '{key}' in {v:?}"))
}

#[test]
fn release_workflow_builds_every_platform_with_checksums() {
    let wf = load(".github/workflows/release.yml");
    // `on` is a YAML 1.1 boolean to some parsers; serde_yaml keeps it a string key.
    let on = wf.get("on").expect("on:");
    assert!(
        on.get("push").and_then(|p| p.get("tags")).is_some(),
        "runs on tags"
    );
    let jobs = wf.get("jobs").expect("jobs:");
    let build = jobs.get("build").expect("a build job");
    let targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("matrix include")
        .iter()
        .map(|e| str_at(e, "target"))
        .collect();
    for t in [
        "x86_64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t} missing from {targets:?}");
    }
    let steps = build["steps"].as_sequence().expect("steps");
    assert!(
        steps.iter().any(|s| s
            .get("run")
            .and_then(Value::as_str)
            .is_some_and(|r| r.contains("sha256"))),
        "a checksum step"
    );
    for job in jobs.as_mapping().expect("jobs map").values() {
        assert!(job.get("runs-on").is_some(), "every job has runs-on");
    }
    let release = jobs.get("release").expect("a release job");
    assert_eq!(release["permissions"]["contents"].as_str(), Some("write"));
}

#[test]
fn action_downloads_the_release_runs_leaks_and_uploads_sarif() {
    let action = load("action.yml");
    str_at(&action, "name");
    str_at(&action, "description");
    let runs = action.get("runs").expect("runs:");
    assert_eq!(str_at(runs, "using"), "composite");
    let steps = runs["steps"].as_sequence().expect("steps");
    for step in steps {
        if step.get("run").is_some() {
            // A composite action's run step must name its shell.
            str_at(step, "shell");
        }
    }
    let text: Vec<String> = steps.iter().map(|s| format!("{s:?}")).collect();
    assert!(
        text.iter()
            .any(|s| s.contains("releases") && s.contains(".sha256")),
        "downloads a checksummed release"
    );
    assert!(
        text.iter()
            .any(|s| s.contains("ksef-audit leaks") && s.contains("sarif")),
        "runs leaks to SARIF"
    );
    assert!(
        steps.iter().any(|s| s
            .get("uses")
            .and_then(Value::as_str)
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))),
        "uploads SARIF"
    );
    for (name, input) in action["inputs"].as_mapping().expect("inputs") {
        assert!(
            input.get("description").is_some(),
            "input {name:?} has a description"
        );
    }
}

#[test]
fn pre_commit_hooks_have_stages_and_a_system_variant() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    let mut system = 0;
    for h in hooks {
        for key in ["id", "name", "entry", "language"] {
            str_at(h, key);
        }
        let stages = h["stages"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{} has no stages", str_at(h, "id")));
        assert!(!stages.is_empty());
        if str_at(h, "language") == "system" {
            system += 1;
        }
        let entry = str_at(h, "entry");
        assert!(
            !entry.contains("--since \""),
            "{entry}: revisions go to --since-commit"
        );
    }
    assert!(system >= 1, "a language: system variant");
    let push = hooks
        .iter()
        .find(|h| str_at(h, "id") == "ksef-audit-leaks-push")
        .expect("push hook");
    assert_eq!(push["stages"][0].as_str(), Some("pre-push"));
    let entry = str_at(push, "entry");
    assert!(
        entry.contains("--since-commit") && entry.contains("merge-base"),
        "{entry}"
    );
    // Only the push hook may run on pre-push: a files hook there fails every push.
    for h in hooks
        .iter()
        .filter(|h| str_at(h, "id") != "ksef-audit-leaks-push")
    {
        assert!(
            !h["stages"]
                .as_sequence()
                .expect("stages")
                .iter()
                .any(|s| s.as_str() == Some("pre-push")),
            "{} runs on pre-push",
            str_at(h, "id")
        );
    }
}

#[test]
fn dockerfile_is_multi_stage_and_runs_as_non_root() {
    let text = std::fs::read_to_string("Dockerfile").expect("Dockerfile");
    assert!(
        text.matches("\nFROM ").count() + usize::from(text.starts_with("FROM ")) >= 2,
        "multi-stage"
    );
    let user = text
        .lines()
        .rev()
        .find(|l| l.starts_with("USER "))
        .expect("a USER line");
    assert_ne!(user.trim(), "USER root");
}

#[test]
fn no_placeholder_urls_and_one_project_url() {
    let url = ksef_model::PROJECT_URL;
    assert!(ksef_rules::DOCS_RULES_URL.starts_with(url));
    let docs = std::fs::read_dir("docs")
        .expect("docs/")
        .map(|e| e.expect("docs entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.to_string_lossy().into_owned());
    let files = [
        "README.md",
        ".pre-commit-hooks.yaml",
        "action.yml",
        "Cargo.toml",
    ]
    .map(String::from)
    .into_iter()
    .chain(docs);
    for path in files {
        let text = std::fs::read_to_string(&path).expect(&path);
        for bad in [
            "<org>",
            "github.com/OWNER",
            "example.com/ksef-audit",
            "example.com/",
        ] {
            assert!(!text.contains(bad), "{path} contains the placeholder {bad}");
        }
    }
    let readme = std::fs::read_to_string("README.md").expect("README");
    assert!(
        readme.contains("uses: ksef-audit/ksef-audit@"),
        "the README's CI recipe uses the action"
    );
    assert!(url.ends_with("ksef-audit/ksef-audit"));
}

/// The ```yaml blocks of a Markdown file, parsed.
fn yaml_blocks(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.split("```yaml\n")
        .skip(1)
        .map(|rest| rest.split("\n```").next().expect("block end"))
        .map(|block| {
            serde_yaml::from_str(block).unwrap_or_else(|e| panic!("{path}: a YAML block: {e}"))
        })
        .collect()
}

#[test]
fn scale_out_recipes_shard_and_merge_without_compiling() {
    let blocks = yaml_blocks("docs/scale-out.md");
    let workflow = blocks
        .iter()
        .find(|b| b.get("jobs").is_some())
        .expect("a GitHub Actions workflow");
    let jobs = &workflow["jobs"];
    let scan = &jobs["scan"];
    let shards = scan["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("a matrix over shards")
        .len();
    let steps = |job: &Value| format!("{:?}", job["steps"]);
    let scan_steps = steps(scan);
    assert!(
        scan_steps.contains(&format!("--shard ${{{{ matrix.shard }}}}/{shards}")),
        "each job scans its shard of {shards}: {scan_steps}"
    );
    assert!(scan_steps.contains("actions/upload-artifact"));
    let merge = &jobs["merge"];
    assert_eq!(merge["needs"].as_str(), Some("scan"));
    let merge_steps = steps(merge);
    assert!(merge_steps.contains("ksef-audit merge") && merge_steps.contains("--format sarif"));
    assert!(merge_steps.contains("github/codeql-action/upload-sarif"));
    for job in [scan, merge] {
        let text = steps(job);
        assert!(
            !text.contains("cargo install"),
            "no compiling in CI: {text}"
        );
        assert!(
            text.contains("ksef-audit/ksef-audit@"),
            "installs with the action"
        );
    }

    let k8s = blocks
        .iter()
        .find(|b| b.get("kind").and_then(Value::as_str) == Some("Job"))
        .expect("a Kubernetes Job");
    let spec = &k8s["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let completions = spec["completions"].as_u64().expect("completions");
    let args = format!("{:?}", spec["template"]["spec"]["containers"][0]["args"]);
    assert!(
        args.contains(&format!(
            "--shard $((JOB_COMPLETION_INDEX + 1))/{completions}"
        )),
        "the 0-based index becomes shard 1..={completions}: {args}"
    );
}

#[test]
fn the_action_can_install_without_scanning() {
    let action = load("action.yml");
    assert!(action["inputs"].get("scan").is_some(), "a scan input");
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    for step in steps {
        let name = step.get("name").and_then(Value::as_str).unwrap_or("");
        let cond = step.get("if").and_then(Value::as_str).unwrap_or("");
        if name.starts_with("Download") {
            assert!(cond.is_empty(), "the download always runs");
        } else {
            assert!(
                cond.contains("inputs.scan == 'true'"),
                "{name} runs only when scanning"
            );
        }
    }
}
