#!/usr/bin/env bash
# Installs the independent checkers the tests run (and the English word list of the Polish
# outputs test): the XAdES verifiers that tests/xades.rs runs against our signed
# AuthTokenRequest documents: xmlsec1 (Debian package) and Python's signxml (PyPI, with
# lxml and cryptography). Idempotent: installs only what is missing. Under CI=true the
# tests fail when a verifier is missing, so .ci/run calls this before `cargo test`.
set -euo pipefail

if ! command -v xmlsec1 >/dev/null; then
  echo "installing xmlsec1" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xmlsec1 >/dev/null
fi

# tests/it/polish/words.rs checks the Polish outputs against an English word list (Debian's
# wamerican); the test fails when the list is missing.
if [ ! -r /usr/share/dict/american-english ]; then
  echo "installing wamerican" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wamerican >/dev/null
fi

if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "installing python3 and pip" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-pip >/dev/null
fi

if ! python3 -c 'import signxml.xades' 2>/dev/null; then
  echo "installing signxml" >&2
  # Debian's system Python refuses pip installs unless told otherwise (PEP 668).
  python3 -m pip install --quiet signxml 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages signxml
fi

# tests/calendar.rs parses `ksef-audit calendar` output with an independent iCalendar
# parser (Python's icalendar); under CI=true it fails when the parser is missing.
if ! python3 -c 'import icalendar' 2>/dev/null; then
  echo "installing icalendar" >&2
  python3 -m pip install --quiet icalendar 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages icalendar
fi

# tests/it/ci_formats.rs reads `--format junit` with an independent JUnit parser (junitparser);
# under CI=true it fails when the parser is missing.
if ! python3 -c 'import junitparser' 2>/dev/null; then
  echo "installing junitparser" >&2
  python3 -m pip install --quiet junitparser 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages junitparser
fi

xmlsec1 --version
wc -l /usr/share/dict/american-english
python3 -c 'import icalendar; print("icalendar", icalendar.__version__)'
python3 -c 'import junitparser; print("junitparser", junitparser.version)'
python3 -c 'import signxml, lxml; print("signxml ok, lxml", lxml.__version__)'
