#!/usr/bin/env bash
# Renders HTML reports in headless Chromium and fails on console errors or failed
# requests (a report must be self-contained: no network at all). Saves a screenshot of
# the first screen and PNGs of the print layout (A4, via --print-to-pdf + pdftoppm).
#
# usage: scripts/browser-check.sh [REPORT.html [OUT_DIR]]
# Without arguments, renders the quarterly (en, pl) and review reports of the fixtures
# in tests/fixtures/results with the debug binary and checks each; pictures go to
# target/browser-check/ (or $BROWSER_CHECK_OUT). Installs Debian's chromium, poppler-utils and
# python3 when missing. Fails when a table's header row is not on the printed page (issue 20.6),
# a printed page holds fewer than 3 rows of a table split over pages, or a quarterly report
# takes more than 12 A4 pages.
set -euo pipefail

if [ $# -eq 0 ]; then
  cd "$(dirname "$0")/.."
  out=${BROWSER_CHECK_OUT:-target/browser-check}
  mkdir -p "$out"
  cargo build -q
  bin=${CARGO_TARGET_DIR:-target}/debug/ksef-audit
  f=tests/fixtures/results
  common=(--audit $f/audit-2026q4.json --leaks $f/leaks-2026q4.json --previous $f/audit-2026q2.json
          --previous $f/audit-2026q3.json --staff $f/staff.csv --quiet)
  # exit 2 is expected: the fixture has an incomplete context
  # the quarterly reports link the kept offboarding records (People who left, issue 24.4)
  records=(--offboard-records $f/offboard)
  "$bin" report "${common[@]}" "${records[@]}" --kind quarterly -o "$out/quarterly.html" || [ $? -eq 2 ]
  "$bin" report "${common[@]}" "${records[@]}" --kind quarterly --lang pl -o "$out/kwartalny.html" || [ $? -eq 2 ]
  "$bin" report "${common[@]}" --kind review -o "$out/review.html" || [ $? -eq 2 ]
  rc=0
  for r in quarterly kwartalny review; do
    bash "$0" "$out/$r.html" "$out" || rc=1
  done
  # Issue 14: printed, the management summary is within the first two A4 pages of the
  # quarterly report, and an active leaked token is on the review's first page.
  need_text() { # PDF FIRST LAST TEXT WHAT
    if ! pdftotext -f "$2" -l "$3" "$1" - | tr -s ' \n' ' ' | grep -qF -- "$4"; then
      echo "error: $5: '$4' not found on pages $2-$3 of $1" >&2
      rc=1
    fi
  }
  need_text "$out/quarterly.pdf" 1 2 "Executive summary" "management summary on the first two pages"
  need_text "$out/quarterly.pdf" 1 2 "Act now" "urgent facts on the management page"
  need_text "$out/kwartalny.pdf" 1 2 "Podsumowanie dla zarządu" "Polish management summary on the first two pages"
  need_text "$out/review.pdf" 1 1 "still works in KSeF: revoke it now" "active leak on the review's first page"
  # Issue 20.6: the quarterly report is for the board: a few pages, the per-client detail
  # is in the security review.
  for q in quarterly kwartalny; do
    n=$(pdfinfo "$out/$q.pdf" | awk '/^Pages:/ {print $2}')
    if [ "$n" -gt 12 ]; then
      echo "error: $q.pdf has $n A4 pages; the quarterly report must fit in 12" >&2
      rc=1
    fi
  done
  exit $rc
fi
report=$1
out=${2:-$(dirname "$report")/browser-check}
[ -f "$report" ] || { echo "error: no such file: $report" >&2; exit 2; }
mkdir -p "$out"
report=$(realpath "$report")
out=$(realpath "$out")

if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null \
   || ! command -v python3 >/dev/null; then
  echo "installing chromium, poppler-utils and python3" >&2
  apt-get update -qq
  apt-get install -y -qq chromium poppler-utils python3 >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --no-first-run --disable-sync --disable-extensions
       --disable-default-apps --mute-audio --user-data-dir="$profile"
       --enable-logging=stderr --v=0)
url="file://$report"
base=$(basename "$report" .html)

# 1. DOM dump with console logging: console errors and failed loads show up on stderr.
timeout 120 chromium "${flags[@]}" --dump-dom "$url" >"$out/$base.dom.html" 2>"$out/$base.console.log" || true
# 2. First screen, A4 proportions at 150 dpi-ish.
timeout 120 chromium "${flags[@]}" --hide-scrollbars --window-size=1240,1754 \
  --screenshot="$out/$base.first-page.png" "$url" 2>>"$out/$base.console.log" >/dev/null || true
# 3. Print layout.
timeout 120 chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/$base.pdf" "$url" \
  2>>"$out/$base.console.log" >/dev/null || true
rm -f "$out/$base".print-*.png
pdftoppm -png -r 60 "$out/$base.pdf" "$out/$base.print"

fail=0
if grep -E 'CONSOLE[:(]|Uncaught|ERR_(FILE_NOT_FOUND|NAME_NOT_RESOLVED|CONNECTION|BLOCKED|INTERNET|ACCESS)|Failed to load resource' \
     "$out/$base.console.log"; then
  echo "error: console errors or failed requests (see $out/$base.console.log)" >&2
  fail=1
fi
# The report must not load anything from outside itself (plain <a href> links, e.g. to
# the rule docs, are fine: nothing is fetched until someone clicks).
if grep -Eo '(src|srcset|data|poster)="[^"]*"|<link[^>]*>|<iframe|<object|<embed|@import|url\(' "$out/$base.dom.html"; then
  echo "error: the report loads external resources" >&2
  fail=1
fi
if grep -qi '<script' "$out/$base.dom.html"; then
  echo "error: the report contains a <script> element" >&2
  fail=1
fi
[ -s "$out/$base.dom.html" ] || { echo "error: empty DOM dump" >&2; fail=1; }
# Issue 20.6: every table fits an A4 portrait page. Chromium clips what overflows the
# printed page, so each table's header row (its cells in order, white space ignored) must
# be in the PDF's text: a column pushed off the page takes its header with it.
pdftotext -raw "$out/$base.pdf" "$out/$base.pdf.txt"
if ! python3 - "$out/$base.dom.html" "$out/$base.pdf.txt" <<'PY'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
printed = re.sub(r"\s+", "", open(sys.argv[2], encoding="utf-8").read())
missing = 0
for head in re.findall(r"<thead>(.*?)</thead>", dom, flags=re.S):
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]
    if re.sub(r"\s+", "", "".join(cells)) not in printed:
        print(f"error: a table does not fit the printed A4 page: header {' | '.join(cells)}", file=sys.stderr)
        missing += 1
sys.exit(1 if missing else 0)
PY
then
  fail=1
fi
# Issue 20.6: no printed page holds only a few orphan rows of a table. Each body row is
# found, in order, in the text of the printed pages (from the page its header is first on);
# a table split over pages must leave at least MIN_ROWS of its rows on each of them.
pdftotext -raw "$out/$base.pdf" "$out/$base.pages.txt"
if ! python3 - "$out/$base.dom.html" "$out/$base.pages.txt" <<'PY'
import html, re, sys
MIN_ROWS = 3
dom = open(sys.argv[1], encoding="utf-8").read()
pages = [re.sub(r"\s+", "", p) for p in open(sys.argv[2], encoding="utf-8").read().split("\f")]
def text(fragment):
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", fragment)))
orphans = 0
# Tables print in document order: each one is looked for after the last row found of the
# one before, so tables with the same header (the review's items) or the same rows (a token
# in several items and in the tokens table) are told apart.
cursor = (0, 0)
def find_from(key, start):
    for p in range(start[0], len(pages)):
        i = pages[p].find(key, start[1] if p == start[0] else 0)
        if i >= 0:
            return p, i + len(key)
    return None
for table in re.findall(r"<table[^>]*>(.*?)</table>", dom, flags=re.S):
    head = re.search(r"<thead>(.*?)</thead>", table, flags=re.S)
    body = re.sub(r"<thead>.*?</thead>", "", table, flags=re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    page, at = cursor
    if head and text(head.group(1)):
        page, at = find_from(text(head.group(1)), cursor) or cursor
    if len(rows) < 2:
        # Nothing to split, but the cursor passes it (its header and row are not the next
        # table's).
        key = "".join(text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", "".join(rows), flags=re.S))[:24]
        cursor = (find_from(key, (page, at)) if len(key) >= 6 else None) or (page, at)
        continue
    per_page, lost = {}, 0
    for row in rows:
        cells = [text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        key = "".join(cells)[:24]
        if len(key) < 6:
            lost += 1
            continue
        for p in range(page, len(pages)):
            i = pages[p].find(key, at if p == page else 0)
            if i >= 0:
                page, at = p, i + len(key)
                per_page[p] = per_page.get(p, 0) + 1
                break
        else:
            lost += 1
    if per_page:
        cursor = (page, at)
    if lost > len(rows) // 4 or len(per_page) < 2:
        continue
    name = " | ".join(text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), flags=re.S)) if head else "?"
    for p, n in sorted(per_page.items()):
        if n < MIN_ROWS:
            print(f"error: printed page {p + 1} holds only {n} row(s) of a table split over pages {min(per_page) + 1}-{max(per_page) + 1} (header {name})", file=sys.stderr)
            orphans += 1
sys.exit(1 if orphans else 0)
PY
then
  fail=1
fi
[ -s "$out/$base.first-page.png" ] || { echo "error: no screenshot" >&2; fail=1; }
pages=$(ls "$out/$base".print-*.png 2>/dev/null | wc -l)
echo "$base: $pages A4 pages; screenshot $out/$base.first-page.png; print pages $out/$base.print-*.png"
exit $fail
