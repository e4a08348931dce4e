#!/usr/bin/env bash
# Lints the CI definitions this repository ships:
#   zizmor (GitHub Actions security linter), offline: .github/workflows and action.yml must have
#     no findings;
#   check-jsonschema with the schemas it vendors (no network): the workflows, the composite action,
#     the GitLab CI template and the Azure DevOps pipeline against their platforms' schemas, and
#     the vendored GitLab report schema against its meta-schema.
# Installs both from PyPI at pinned versions when missing or different (quietly; idempotent).
# Called by .ci/run; runs on its own from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."

ZIZMOR_VERSION="${ZIZMOR_VERSION:-1.33.1}"
CHECK_JSONSCHEMA_VERSION="${CHECK_JSONSCHEMA_VERSION:-0.39.0}"

pip_install() {
  # Debian's system Python refuses pip installs unless told otherwise (PEP 668).
  python3 -m pip install --quiet --disable-pip-version-check "$@" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$@"
}

if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "lint-ci: python3 with pip is needed (scripts/install-test-tools.sh installs it)" >&2
  exit 2
fi
if [ "$(zizmor --version 2>/dev/null)" != "zizmor ${ZIZMOR_VERSION}" ]; then
  echo "lint-ci: installing zizmor ${ZIZMOR_VERSION}" >&2
  pip_install "zizmor==${ZIZMOR_VERSION}"
fi
if [ "$(check-jsonschema --version 2>/dev/null)" != "check-jsonschema, version ${CHECK_JSONSCHEMA_VERSION}" ]; then
  echo "lint-ci: installing check-jsonschema ${CHECK_JSONSCHEMA_VERSION}" >&2
  pip_install "check-jsonschema==${CHECK_JSONSCHEMA_VERSION}"
fi

echo "== zizmor --offline .github/workflows action.yml"
# --offline: no GitHub API (the online audits need a token and the network). Exit status is
# non-zero on any finding that is not ignored in place with a reason.
zizmor --offline --no-progress .github/workflows action.yml

echo "== check-jsonschema: GitHub workflows and action"
check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
check-jsonschema --builtin-schema vendor.github-actions action.yml

echo "== check-jsonschema: GitLab CI template, Azure DevOps pipeline"
check-jsonschema --builtin-schema vendor.gitlab-ci ci/gitlab/ksef-audit.gitlab-ci.yml
# The vendored Azure schema has patterns that the default (unicode ECMAScript) regex engine rejects.
check-jsonschema --regex-variant nonunicode --builtin-schema vendor.azure-pipelines \
  ci/azure/ksef-audit.azure-pipelines.yml

echo "== check-jsonschema: the vendored GitLab secret-detection report schema is a valid schema"
check-jsonschema --check-metaschema tests/fixtures/schemas/gitlab/secret-detection-report-format.json
