//! The files CI users copy or reference: the release workflow, the composite action, the
//! pre-commit hooks, the Dockerfiles, the GitLab and Azure DevOps templates and the scale-out
//! recipes. Parsed as YAML and checked for the properties their users rely on: supported runners,
//! actions pinned to commit SHAs, no persisted credentials, checksums and attestations, an image
//! made from the released binary running as non-root, an action that follows its own ref.

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

/// Every `uses:` value anywhere in a YAML document.
fn uses_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                if k.as_str() == Some("uses")
                    && let Some(u) = val.as_str()
                {
                    out.push(u.to_owned());
                }
                uses_of(val, out);
            }
        }
        Value::Sequence(s) => s.iter().for_each(|x| uses_of(x, out)),
        _ => {}
    }
}

/// Every step (a mapping with `uses` or `run`) of every job of a workflow.
fn workflow_steps(wf: &Value) -> Vec<&Value> {
    wf["jobs"]
        .as_mapping()
        .expect("jobs")
        .values()
        .flat_map(|j| j["steps"].as_sequence().expect("steps").iter())
        .collect()
}

fn is_sha(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A third-party `uses:` is `owner/repo[/path]@<40 hex>`; the file names the tag in a comment.
fn assert_pinned(path: &str) {
    let text = std::fs::read_to_string(path).expect(path);
    let mut uses = Vec::new();
    uses_of(&load(path), &mut uses);
    assert!(!uses.is_empty(), "{path}: no uses:");
    for u in uses {
        let (_, rev) = u
            .split_once('@')
            .unwrap_or_else(|| panic!("{path}: {u} has no @ref"));
        assert!(is_sha(rev), "{path}: {u} is not pinned to a commit SHA");
        let line = text
            .lines()
            .find(|l| l.contains(&u))
            .unwrap_or_else(|| panic!("{path}: {u} not on one line"));
        let comment = line.split_once(" # ").map(|(_, c)| c.trim()).unwrap_or("");
        assert!(
            comment.starts_with('v'),
            "{path}: {u} has no tag comment: {line}"
        );
    }
}

#[test]
fn release_workflow_builds_on_supported_runners_with_checksums_and_attestations() {
    let wf = load(".github/workflows/release.yml");
    let on = wf.get("on").expect("on:");
    assert!(on["push"]["tags"].is_sequence(), "runs on tags");
    assert_eq!(
        wf["permissions"].as_mapping().map(|m| m.len()),
        Some(0),
        "no default permissions"
    );
    let jobs = &wf["jobs"];
    let build = &jobs["build"];
    let matrix: Vec<(&str, &str)> = build["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("matrix include")
        .iter()
        .map(|e| (str_at(e, "os"), str_at(e, "target")))
        .collect();
    for (os, target) in [
        ("ubuntu-24.04", "x86_64-unknown-linux-musl"),
        ("ubuntu-24.04-arm", "aarch64-unknown-linux-musl"),
        ("macos-15-intel", "x86_64-apple-darwin"),
        ("macos-15", "aarch64-apple-darwin"),
        ("windows-2025", "x86_64-pc-windows-msvc"),
    ] {
        assert!(
            matrix.contains(&(os, target)),
            "{target} on {os} missing from {matrix:?}"
        );
    }
    // Runners GitHub has retired (macos-13 since December 2025) or floating labels.
    for (os, _) in &matrix {
        assert!(
            ![
                "macos-13",
                "macos-12",
                "ubuntu-20.04",
                "macos-latest",
                "ubuntu-latest"
            ]
            .contains(os),
            "unsupported or floating runner {os}"
        );
    }
    let build_steps = format!("{:?}", build["steps"]);
    assert!(
        build_steps.contains("--locked"),
        "builds with the lock file"
    );
    assert!(build_steps.contains(".sha256"), "a checksum per asset");

    let publish = &jobs["publish"];
    let run: String = publish["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .filter_map(|s| s.get("run").and_then(Value::as_str))
        .collect();
    assert!(run.contains("> SHA256SUMS"), "writes SHA256SUMS");
    assert!(
        run.contains("sha256sum --check"),
        "checks each .sha256 first"
    );
    let attest = publish["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| {
            s.get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with("actions/attest-build-provenance@"))
        })
        .expect("a build provenance attestation");
    let subjects = str_at(&attest["with"], "subject-path");
    for s in ["tar.gz", "zip", "cdx.json", "SHA256SUMS"] {
        assert!(subjects.contains(s), "attests {s}: {subjects}");
    }
    assert_eq!(publish["permissions"]["id-token"].as_str(), Some("write"));
    assert_eq!(
        publish["permissions"]["attestations"].as_str(),
        Some("write")
    );
    assert_eq!(publish["permissions"]["contents"].as_str(), Some("write"));
    assert!(
        format!("{:?}", jobs["sbom"]["steps"]).contains("cargo cyclonedx"),
        "a CycloneDX SBOM per target"
    );
    assert!(
        format!("{:?}", jobs["attest-sbom"]["steps"]).contains("sbom-path"),
        "SBOM attestations"
    );
    // Only publish may write contents; the image job pushes packages, nothing else writes.
    for (name, job) in jobs.as_mapping().expect("jobs") {
        assert!(job.get("runs-on").is_some(), "{name:?} has runs-on");
        let perms = job
            .get("permissions")
            .unwrap_or_else(|| panic!("{name:?} sets permissions"));
        if name.as_str() != Some("publish") {
            assert_ne!(
                perms["contents"].as_str(),
                Some("write"),
                "{name:?} writes contents"
            );
        }
    }
}

#[test]
fn every_action_reference_is_pinned_to_a_commit_sha_with_its_tag() {
    for path in [".github/workflows/release.yml", "action.yml"] {
        assert_pinned(path);
    }
    // The recipes users copy follow the same rule (the project's own action is pinned by tag,
    // which pins the binary too).
    for block in yaml_blocks("docs/scale-out.md") {
        let mut uses = Vec::new();
        uses_of(&block, &mut uses);
        for u in uses
            .iter()
            .filter(|u| !u.starts_with("ksef-audit/ksef-audit@"))
        {
            let rev = u.split_once('@').map(|(_, r)| r).unwrap_or("");
            assert!(is_sha(rev), "docs/scale-out.md: {u} is not pinned to a SHA");
        }
    }
}

#[test]
fn checkouts_do_not_persist_credentials() {
    let mut checkouts = 0;
    let wf = load(".github/workflows/release.yml");
    let mut steps = workflow_steps(&wf);
    let blocks = yaml_blocks("docs/scale-out.md");
    for b in blocks.iter().filter(|b| b.get("jobs").is_some()) {
        steps.extend(workflow_steps(b));
    }
    for step in steps {
        let uses = step.get("uses").and_then(Value::as_str).unwrap_or("");
        if uses.starts_with("actions/checkout@") {
            checkouts += 1;
            assert_eq!(
                step["with"]["persist-credentials"].as_bool(),
                Some(false),
                "{step:?} persists credentials"
            );
        }
    }
    assert!(checkouts >= 3, "found {checkouts} checkouts");
    let azure = load("ci/azure/ksef-audit.azure-pipelines.yml");
    let checkout = azure["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| s.get("checkout").is_some())
        .expect("a checkout");
    assert_eq!(checkout["persistCredentials"].as_str(), Some("false"));
}

#[test]
fn no_step_writes_inputs_into_the_environment_or_path() {
    for path in [".github/workflows/release.yml", "action.yml"] {
        let doc = load(path);
        let steps: Vec<&Value> = if path == "action.yml" {
            doc["runs"]["steps"]
                .as_sequence()
                .expect("steps")
                .iter()
                .collect()
        } else {
            workflow_steps(&doc)
        };
        for step in steps {
            let Some(run) = step.get("run").and_then(Value::as_str) else {
                continue;
            };
            // Expressions go through env:, never straight into a script.
            assert!(
                !run.contains("${{"),
                "{path}: an expression in a script: {run}"
            );
            for line in run
                .lines()
                .filter(|l| l.contains("GITHUB_PATH") || l.contains("GITHUB_ENV"))
            {
                assert_eq!(
                    line.trim(),
                    r#"echo "${RUNNER_TEMP}/ksef-audit/bin" >> "$GITHUB_PATH""#,
                    "{path}: writes something other than a fixed directory"
                );
            }
        }
    }
}

#[test]
fn action_downloads_its_own_release_verifies_the_checksum_and_uploads_sarif() {
    let action = load("action.yml");
    str_at(&action, "name");
    str_at(&action, "description");
    for (name, input) in action["inputs"].as_mapping().expect("inputs") {
        assert!(
            input.get("description").is_some(),
            "input {name:?} has a description"
        );
    }
    // No default of `latest`: an action pinned to a tag downloads that tag's binary.
    assert_eq!(action["inputs"]["version"]["default"].as_str(), Some(""));
    let runs = &action["runs"];
    assert_eq!(str_at(runs, "using"), "composite");
    let steps = runs["steps"].as_sequence().expect("steps");
    for step in steps.iter().filter(|s| s.get("run").is_some()) {
        str_at(step, "shell");
    }
    let version = steps
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some("version"))
        .expect("a version step");
    assert_eq!(
        version["env"]["ACTION_REF"].as_str(),
        Some("${{ github.action_ref }}")
    );
    let resolve = str_at(version, "run");
    assert!(
        resolve.contains(r#"VERSION="$ACTION_REF""#),
        "follows the action's ref: {resolve}"
    );
    assert!(resolve.contains("tag_re"), "only a release tag is followed");

    let download = steps
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some("download"))
        .expect("a download step");
    let script = str_at(download, "run");
    assert!(
        script.contains("releases/download/${TAG}"),
        "downloads the resolved tag"
    );
    assert!(
        script.contains("SHA256SUMS"),
        "fetches the release's checksums"
    );
    let check = script
        .find(r#""$actual" != "$expected""#)
        .expect("compares checksums");
    let extract = script.find("tar -C").expect("extracts the archive");
    assert!(check < extract, "verifies before extracting");
    assert!(
        script.contains("gh attestation verify"),
        "optional attestation check"
    );
    assert!(
        steps.iter().any(|s| s
            .get("run")
            .and_then(Value::as_str)
            .is_some_and(|r| r.contains(" leaks ") && r.contains("--format sarif"))),
        "runs leaks to SARIF"
    );
    assert!(
        steps.iter().any(|s| s
            .get("uses")
            .and_then(Value::as_str)
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))),
        "uploads SARIF"
    );
}

#[test]
fn the_action_can_install_without_scanning() {
    let action = load("action.yml");
    assert_eq!(action["inputs"]["scan"]["default"].as_str(), Some("true"));
    for step in action["runs"]["steps"].as_sequence().expect("steps") {
        let name = str_at(step, "name");
        let cond = step.get("if").and_then(Value::as_str).unwrap_or("");
        let installs = ["Resolve", "Download", "Put ksef-audit on PATH"]
            .iter()
            .any(|p| name.starts_with(p));
        if installs {
            assert!(cond.is_empty(), "{name} always runs");
        } else {
            assert!(
                cond.contains("inputs.scan == 'true'"),
                "{name} runs only when scanning"
            );
        }
    }
}

#[test]
fn release_image_is_the_released_binary_running_as_non_root() {
    let text = std::fs::read_to_string("Dockerfile").expect("Dockerfile");
    let code: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let froms: Vec<&&str> = code.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 1, "one stage: nothing compiled");
    assert!(text.contains("ARG BASE=gcr.io/distroless/static:nonroot"));
    assert!(
        !code.iter().any(|l| l.starts_with("RUN ")),
        "no RUN: the binary is copied, not built"
    );
    assert!(code.contains(&"COPY dist/linux-${TARGETARCH}/ksef-audit /usr/local/bin/ksef-audit"));
    let user = code
        .iter()
        .rev()
        .find(|l| l.starts_with("USER "))
        .expect("USER");
    assert_eq!(*user, "USER 65532:65532");
    // The workflow fills dist/linux-<arch>/ from the published archives checked against SHA256SUMS.
    let wf = load(".github/workflows/release.yml");
    let image = format!("{:?}", wf["jobs"]["image"]);
    assert!(image.contains("gh release download") && image.contains("sha256sum --check"));
    assert!(image.contains("dist/linux-"));
    assert_eq!(wf["jobs"]["image"]["needs"].as_str(), Some("publish"));

    let source = std::fs::read_to_string("Dockerfile.source").expect("Dockerfile.source");
    assert!(source.contains("cargo build --release --locked"));
    let user = source
        .lines()
        .rev()
        .find(|l| l.starts_with("USER "))
        .expect("USER");
    assert_eq!(user, "USER 65532:65532");

    let ignore = std::fs::read_to_string(".dockerignore").expect(".dockerignore");
    for entry in ["**/target/", ".git/", "/ksef-audit.toml", "**/*.token"] {
        assert!(
            ignore.lines().any(|l| l == entry),
            ".dockerignore lacks {entry}"
        );
    }
}

#[test]
fn gitlab_template_reports_secret_detection_and_junit_from_a_checked_binary() {
    let ci = load("ci/gitlab/ksef-audit.gitlab-ci.yml");
    let base = &ci[".ksef-audit"];
    let before = format!("{:?}", base["before_script"]);
    assert!(before.contains("SHA256SUMS") && before.contains("sha256sum -c"));
    let script = format!("{:?}", base["script"]);
    assert!(script.contains("--format gitlab -o gl-secret-detection-report.json"));
    assert!(script.contains("--format junit -o ksef-audit-junit.xml"));
    let reports = &base["artifacts"]["reports"];
    assert_eq!(
        reports["secret_detection"].as_str(),
        Some("gl-secret-detection-report.json")
    );
    assert_eq!(reports["junit"].as_str(), Some("ksef-audit-junit.xml"));
    assert_eq!(base["artifacts"]["when"].as_str(), Some("always"));
    let job = &ci["ksef-audit-leaks"];
    assert_eq!(job["extends"].as_str(), Some(".ksef-audit"));
    assert!(format!("{:?}", job["rules"]).contains("merge_request_event"));
}

#[test]
fn azure_pipeline_publishes_sarif_and_junit_from_a_checked_binary() {
    let p = load("ci/azure/ksef-audit.azure-pipelines.yml");
    let steps = p["steps"].as_sequence().expect("steps");
    let text = format!("{steps:?}");
    assert!(text.contains("sha256sum --check --strict"));
    assert!(text.contains("--format sarif") && text.contains("--format junit"));
    let tasks: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.get("task").and_then(Value::as_str))
        .collect();
    assert!(tasks.contains(&"PublishTestResults@2") && tasks.contains(&"PublishBuildArtifacts@1"));
    for s in steps.iter().filter(|s| s.get("task").is_some()) {
        assert_eq!(
            s["condition"].as_str(),
            Some("succeededOrFailed()"),
            "{s:?}"
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
        "ci/gitlab/ksef-audit.gitlab-ci.yml",
        "ci/azure/ksef-audit.azure-pipelines.yml",
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
        scan_steps.contains(&format!("--shard \\\"$SHARD/{shards}\\\"")),
        "each job scans its shard of {shards}: {scan_steps}"
    );
    assert!(
        scan_steps.contains("\"SHARD\": String(\"${{ matrix.shard }}\")"),
        "{scan_steps}"
    );
    assert!(scan_steps.contains("actions/upload-artifact@"));
    let merge = &jobs["merge"];
    assert_eq!(merge["needs"].as_str(), Some("scan"));
    let merge_steps = steps(merge);
    assert!(merge_steps.contains("ksef-audit merge") && merge_steps.contains("--format sarif"));
    assert!(merge_steps.contains("github/codeql-action/upload-sarif@"));
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
        assert!(
            text.contains("\"scan\": String(\"false\")"),
            "the action only installs"
        );
    }

    // Kubernetes: the distroless image has no shell, so each Job's shard is in its arguments.
    let k8s = blocks
        .iter()
        .find(|b| b.get("kind").and_then(Value::as_str) == Some("Job"))
        .expect("a Kubernetes Job");
    let pod = &k8s["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    let container = &pod["containers"][0];
    assert!(str_at(container, "image").starts_with("ghcr.io/ksef-audit/ksef-audit:v"));
    assert_eq!(
        container["securityContext"]["readOnlyRootFilesystem"].as_bool(),
        Some(true)
    );
    let args: Vec<&str> = container["args"]
        .as_sequence()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let shard = args.iter().position(|a| *a == "--shard").expect("--shard");
    let n: usize = args[shard + 1]
        .strip_prefix("@K@/")
        .and_then(|n| n.parse().ok())
        .expect("--shard @K@/N");
    let text = std::fs::read_to_string("docs/scale-out.md").expect("scale-out.md");
    let ks: String = (1..=n).map(|k| k.to_string()).collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&format!("for k in {ks};")),
        "one Job per shard 1..={n}"
    );
    let merge = blocks
        .iter()
        .find(|b| format!("{b:?}").contains("String(\"merge\")"))
        .expect("the merge Job's args");
    let merged = format!("{merge:?}").matches("/results/leaks-").count();
    assert_eq!(merged, n, "merges every shard's file: {merge:?}");
}

#[test]
fn readme_installs_three_ways_and_has_recipes_for_github_gitlab_and_azure() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let install = readme
        .split("\n## Install\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("an Install section");
    for needle in [
        "cargo install --locked --path .",
        "ghcr.io/ksef-audit/ksef-audit:",
        "SHA256SUMS",
        "docs/install.md",
    ] {
        assert!(install.contains(needle), "Install lacks {needle}");
    }
    let blocks = yaml_blocks("README.md");
    let text: Vec<String> = blocks.iter().map(|b| format!("{b:?}")).collect();
    assert!(
        text.iter().any(|b| b.contains("ksef-audit/ksef-audit@")),
        "GitHub"
    );
    assert!(
        text.iter()
            .any(|b| b.contains("ci/gitlab/ksef-audit.gitlab-ci.yml") && b.contains("integrity")),
        "GitLab"
    );
    assert!(
        text.iter().any(|b| b.contains("PublishTestResults@2")),
        "Azure DevOps"
    );
    // The README's pre-commit hooks point here.
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").expect("hooks");
    if hooks.contains("README") {
        assert!(
            hooks.contains("Install"),
            "the hooks name the Install section"
        );
    }
}
