#!/usr/bin/env bash
# Speed and memory of `ksef-audit leaks` on REAL data, against ripgrep, Kingfisher and
# `git cat-file`, in one run and on the same data.
#
#   bench/real.sh REPO_PATH [TREE_PATH]
#
#   REPO_PATH  any git repository (e.g. a clone of git/git); scanned with --git
#   TREE_PATH  any directory (e.g. several releases of a large project); default: the work tree
#              of REPO_PATH
#
# Synthetic tokens (bench/gen.py fake_token) are planted into a COPY of the tree and of the
# repository under $BENCH_WORK (default /work/benchdata/real-work), never into the inputs or
# this repository, and every tool must find every planted token.
#
#   KSEF_AUDIT_BIN=path/to/ksef-audit  skip the release build
#   RUNS=3 HISTORY_RUNS=2              hyperfine runs
#   SKIP_KINGFISHER=1                  when kingfisher is not installed (pip install kingfisher-bin)
#   REUSE=1                            keep the copies of an earlier run in $BENCH_WORK (no copy,
#                                      no clone, same planted tokens)
#   RG_MULTILINE=1                     also time `rg -uu -U` with every rule pattern (slow: the
#                                      multi-line parts of LEAK002/LEAK003 need -U)
#   DENSE=FILE                         keyword-dense text (a package index, CI logs, a database
#                                      dump) for the third case; default: Debian's package
#                                      index from /var/lib/apt/lists, decompressed
#
# Figures are hyperfine MEDIANS. ripgrep's fair baseline is `rg -uu` with the two single-line
# KSeF patterns that Kingfisher also gets (LEAK001 and the one-line form of LEAK002): the same
# search, without multi-line mode.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$here")"
[ $# -ge 1 ] || { sed -n '2,20p' "$0"; exit 64; }
REPO="$(cd "$1" && pwd)"
TREE="$(cd "${2:-$1}" && pwd)"
WORK="${BENCH_WORK:-/work/benchdata/real-work}"
RUNS="${RUNS:-3}"
HISTORY_RUNS="${HISTORY_RUNS:-2}"
TREE_TOKENS="${TREE_TOKENS:-25}"
gen="$here/gen.py"
for cmd in hyperfine rg git python3; do
    command -v "$cmd" >/dev/null || { echo "needs $cmd" >&2; exit 69; }
done
kf=1
if [ -n "${SKIP_KINGFISHER:-}" ] || ! command -v kingfisher >/dev/null; then
    kf=0
    echo "kingfisher not run (install: pip install kingfisher-bin)" >&2
fi
load() { cut -d' ' -f1-3 /proc/loadavg; }

mkdir -p "$WORK"
bin="$WORK/ksef-audit"
if [ -n "${KSEF_AUDIT_BIN:-}" ]; then
    cp "$KSEF_AUDIT_BIN" "$bin"
else
    echo "== build (--release)" >&2
    (cd "$repo_root" && cargo build --release --quiet)
    cp "${CARGO_TARGET_DIR:-$repo_root/target}/release/ksef-audit" "$bin"
fi
out="$WORK/results"
mkdir -p "$out"

# ripgrep and Kingfisher search for the rules' own patterns.
patterns="$WORK/rg-patterns.txt"
python3 - "$repo_root/rules/leaks" >"$patterns" <<'PY'
import glob, sys, tomllib
for f in sorted(glob.glob(sys.argv[1] + "/*.toml")):
    for rule in tomllib.load(open(f, "rb"))["rule"]:
        print(rule["pattern"])
PY
kf_rules="$(mktemp -d)"
trap 'rm -rf "$kf_rules"' EXIT
cat >"$kf_rules/ksef.yml" <<'YAML'
rules:
  - name: KSeF 2.0 token
    id: kingfisher.ksef.1
    pattern: |
      (?x)
      \b
      (
        20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-[A-Z]{2}-[0-9A-F]{10}-[0-9A-F]{10}-[0-9A-F]{2}
        (?:\||%7[cC])(?:nip-\d{10}|internalId-\d{10}-\d{5})(?:\||%7[cC])[0-9a-fA-F]{64}
      )
      \b
    min_entropy: 3.0
    confidence: medium
    examples:
      - '20250101-EC-FA4EFA4E00-0000000001-49|nip-1111111111|facefeed0000111122223333444455556666777788889999aaaabbbbccccdddd'
  - name: KSeF 40-character token
    id: kingfisher.ksef.2
    pattern: |
      (?xi)
      ksef[\w.\-]{0,24}?(?:token|secret)\w{0,12}["']?\s*(?:=>|:=|[:=>])\s*["']?
      ([A-Za-z0-9]{40})
      \b
    min_entropy: 3.0
    confidence: medium
    examples:
      - 'KSEF_TOKEN=FAKEksefT0kenForTestsOnly9Q8W7E6R5T4Y3U2'
YAML
kingfisher_cmd() { echo "kingfisher scan $1 --no-validate --no-update-check --load-builtins=false --rules-path $kf_rules $2"; }

# --- the copies, with planted tokens -------------------------------------------------------
# The same two patterns as one-line regexes, for the fair ripgrep baseline.
rg_fair="$WORK/rg-fair-patterns.txt"
# The I/O floor: ripgrep reading everything for a literal that never occurs.
floor_literal="zq7xv-never-occurs-k9wj"
cat >"$rg_fair" <<'PATS'
\b(20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-[A-Z]{2}-[0-9A-F]{10}-[0-9A-F]{10}-[0-9A-F]{2}(?:\||%7[cC])(?:nip-\d{10}|internalId-\d{10}-\d{5})(?:\||%7[cC])[0-9a-fA-F]{64})\b
(?i)ksef[\w.\-]{0,24}?(?:token|secret)\w{0,12}["']?\s*(?:=>|:=|[:=>])\s*["']?([A-Za-z0-9]{40})\b
PATS

tree="$WORK/tree"
repo="$WORK/repo.git"
one="$WORK/one-file.env"
clean_one="$WORK/one-file-clean.c"
dense="$WORK/dense.txt"
dense_one="$WORK/keyword-dense-README.md"
if [ -n "${REUSE:-}" ] && [ -d "$tree" ] && [ -d "$repo" ] && [ -s "$WORK/tokens-tree.txt" ] && [ -s "$WORK/tokens-history.txt" ] && [ -s "$WORK/tokens-dense.txt" ]; then
    echo "== reusing $tree and $repo (REUSE=1)" >&2
else
echo "== copying $TREE to $tree (without .git) and planting $TREE_TOKENS tokens" >&2
rm -rf "$tree" && mkdir -p "$tree"
tar -C "$TREE" --exclude=.git -cf - . | tar -C "$tree" -xf -
: >"$WORK/tokens-tree.txt"
mapfile -t targets < <(cd "$tree" && find . -type f \( -name '*.c' -o -name '*.h' -o -name '*.txt' -o -name '*.sh' -o -name '*.py' -o -name '*.md' \) | sort | awk -v n="$TREE_TOKENS" 'NR % 997 == 1' | head -n "$TREE_TOKENS")
i=0
for f in "${targets[@]}"; do
    t="$(python3 "$gen" token $((1000 + i)))"
    printf '\n/* config: KSEF_TOKEN=%s */\n' "$t" >>"$tree/$f"
    echo "$t" >>"$WORK/tokens-tree.txt"
    i=$((i + 1))
done

echo "== cloning $REPO to $repo (bare, all refs) and committing 4 planted tokens" >&2
rm -rf "$repo"
git clone -q --mirror "$REPO" "$repo"
: >"$WORK/tokens-history.txt"
parent="$(git -C "$repo" rev-parse HEAD)"
base_tree="$(git -C "$repo" rev-parse "HEAD^{tree}")"
entries=""
for n in 1 2 3 4; do
    t="$(python3 "$gen" token $((2000 + n)))"
    echo "$t" >>"$WORK/tokens-history.txt"
    blob="$(printf 'ENV=prod\nKSEF_TOKEN=%s\n' "$t" | git -C "$repo" hash-object -w --stdin)"
    entries+="100644 blob $blob	planted-$n.env"$'\n'
done
# The planted files next to the root tree's entries, in one commit on a new branch.
new_tree="$( (git -C "$repo" ls-tree "$base_tree"; printf '%s' "$entries") | git -C "$repo" mktree)"
commit="$(GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench \
    GIT_COMMITTER_EMAIL=bench@example.com git -C "$repo" commit-tree "$new_tree" -p "$parent" -m "planted tokens")"
git -C "$repo" update-ref refs/heads/planted "$commit"

printf 'KSEF_TOKEN=%s\n' "$(python3 "$gen" token 3000)" >"$one"
printf 'int main(void) { return 0; }\n' >"$clean_one"

echo "== keyword-dense text, with 20 planted tokens" >&2
if [ -n "${DENSE:-}" ]; then
    cp "$DENSE" "$dense"
else
    index="$(ls /var/lib/apt/lists/*_main_binary-*_Packages* 2>/dev/null | head -n 1)"
    [ -n "$index" ] || { echo "no package index: set DENSE=FILE" >&2; exit 66; }
    case "$index" in
        *.lz4) lz4 -dc "$index" ;; *.xz) xz -dc "$index" ;; *.gz) gzip -dc "$index" ;; *) cat "$index" ;;
    esac >"$dense"
fi
python3 - "$gen" "$dense" "$WORK/tokens-dense.txt" <<'PY'
import importlib.util, random, sys
spec = importlib.util.spec_from_file_location("gen", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
lines = open(sys.argv[2], encoding="utf-8", errors="surrogateescape").read().split("\n")
rng = random.Random(7)
tokens = [gen.fake_token(5000 + i) for i in range(20)]
for t in tokens:
    lines.insert(rng.randrange(len(lines)), "Description: deploy with KSEF_TOKEN=%s" % t)
open(sys.argv[2], "w", encoding="utf-8", errors="surrogateescape").write("\n".join(lines))
open(sys.argv[3], "w").write("\n".join(tokens) + "\n")
PY
cp "$repo_root/README.md" "$dense_one"
fi

# --- recall: every tool finds every planted token -------------------------------------------
check() { # check NAME TOKENS_FILE OUTPUT_FILE: every line of TOKENS_FILE occurs in OUTPUT_FILE
    python3 - "$@" <<'PY'
import sys
name, tokens, output = sys.argv[1:4]
text = open(output, encoding="utf-8", errors="replace").read()
want = [l.strip() for l in open(tokens) if l.strip()]
missed = [t for t in want if t not in text]
if missed:
    sys.exit("RECALL FAILURE: %s missed %d of %d planted tokens" % (name, len(missed), len(want)))
print("  %s found all %d planted tokens" % (name, len(want)), file=sys.stderr)
PY
}
fps() { python3 -c 'import hashlib,sys; [print(hashlib.sha256(l.strip().encode()).hexdigest()) for l in open(sys.argv[1]) if l.strip()]' "$1"; }
echo "== recall" >&2
"$bin" leaks --quiet --exit-zero --format json -o "$out/ours-tree.json" "$tree" || true
fps "$WORK/tokens-tree.txt" >"$WORK/fp-tree.txt"
check "ksef-audit leaks" "$WORK/fp-tree.txt" "$out/ours-tree.json"
rg -uu -o -N --no-filename -f "$rg_fair" "$tree" >"$out/rg-tree.txt" || true
check "rg -uu" "$WORK/tokens-tree.txt" "$out/rg-tree.txt"
"$bin" leaks --quiet --exit-zero --format json -o "$out/ours-history.json" --git "$repo" || true
fps "$WORK/tokens-history.txt" >"$WORK/fp-history.txt"
check "ksef-audit leaks --git" "$WORK/fp-history.txt" "$out/ours-history.json"
python3 - "$out/ours-history.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
planted = [f for f in d["findings"] if f["path"].startswith("planted-")]
assert planted and all(f.get("commit") and f.get("author") for f in planted), "provenance missing"
print("  provenance kept: commit and author on every planted finding", file=sys.stderr)
PY
"$bin" leaks --quiet --exit-zero --format json -o "$out/ours-dense.json" "$dense" || true
fps "$WORK/tokens-dense.txt" >"$WORK/fp-dense.txt"
check "ksef-audit leaks (keyword-dense)" "$WORK/fp-dense.txt" "$out/ours-dense.json"
rg -uu -o -N --no-filename -f "$rg_fair" "$dense" >"$out/rg-dense.txt" || true
check "rg -uu (keyword-dense)" "$WORK/tokens-dense.txt" "$out/rg-dense.txt"
if [ "$kf" = 1 ]; then
    $(kingfisher_cmd "$tree" "--format jsonl") >"$out/kf-tree.jsonl" 2>/dev/null || true
    check "kingfisher (tree)" "$WORK/tokens-tree.txt" "$out/kf-tree.jsonl"
    $(kingfisher_cmd "$repo" "--git-history full --format jsonl") >"$out/kf-history.jsonl" 2>/dev/null || true
    check "kingfisher (history)" "$WORK/tokens-history.txt" "$out/kf-history.jsonl"
fi

# Medians (the machine is shared: a median shrugs off a run that met another build).
median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.4f" % x["median"] for x in r))' "$1"; }

# --- speed ------------------------------------------------------------------------------------
echo "== working tree (load $(load))" >&2
tree_cmds=(-n ksef-audit "$bin leaks --quiet --exit-zero --format json --output /dev/null $tree"
    -n rg "rg -uu -c -f $rg_fair $tree"
    -n rg-floor "rg -uu -c -F $floor_literal $tree")
[ "$kf" = 1 ] && tree_cmds+=(-n kingfisher "$(kingfisher_cmd "$tree" "--format json") -o /dev/null")
[ -n "${RG_MULTILINE:-}" ] && tree_cmds+=(-n rg-multiline "rg -uu -c -U -f $patterns $tree")
hyperfine --warmup 1 --runs "$RUNS" -i --export-json "$out/tree.json" "${tree_cmds[@]}" >&2
read -r t_ours t_rg t_floor t_kf t_rgu < <(median "$out/tree.json")
[ "$kf" = 1 ] || { t_rgu="${t_kf:-}"; t_kf=""; }
load_tree="$(load)"

echo "== history (load $(load))" >&2
hist_cmds=(-n ksef-audit "$bin leaks --quiet --exit-zero --format json --output /dev/null --git $repo"
    -n cat-file "git -C $repo cat-file --batch-all-objects --batch --unordered")
[ "$kf" = 1 ] && hist_cmds+=(-n kingfisher "$(kingfisher_cmd "$repo" "--git-history full --format json") -o /dev/null")
hyperfine --runs "$HISTORY_RUNS" -i --output=null --export-json "$out/history.json" "${hist_cmds[@]}" >&2
read -r h_ours h_cat h_kf < <(median "$out/history.json")
load_hist="$(load)"

echo "== keyword-dense text (load $(load))" >&2
hyperfine --warmup 1 --runs "$RUNS" -i --export-json "$out/dense.json" \
    -n ksef-audit "$bin leaks --quiet --exit-zero --format json --output /dev/null $dense" \
    -n rg "rg -uu -c -f $rg_fair $dense" \
    -n rg-floor "rg -uu -c -F $floor_literal $dense" >&2
read -r d_ours d_rg d_floor < <(median "$out/dense.json")
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
rss_dense="$(rss "$bin" leaks --quiet --exit-zero --format json --output /dev/null "$dense")"
rss_dense_rg="$(rss rg -uu -c -f "$rg_fair" "$dense")"
load_dense="$(load)"

echo "== one file (load $(load))" >&2
hyperfine -N --warmup 3 --runs 30 -i --export-json "$out/one.json" \
    -n one-file-token "$bin leaks --quiet --exit-zero $one" \
    -n one-file-clean "$bin leaks --quiet --exit-zero $clean_one" \
    -n one-file-keyword-dense "$bin leaks --quiet --exit-zero $dense_one" >&2
read -r one_token one_clean one_dense < <(median "$out/one.json")

echo "== heap (anonymous memory, without mapped packs)" >&2
read -r rss_hist anon_hist < <("$here/peak-mem.sh" "$bin" leaks --quiet --exit-zero --format json --output /dev/null --git "$repo")
read -r rss_tree anon_tree < <("$here/peak-mem.sh" "$bin" leaks --quiet --exit-zero --format json --output /dev/null "$tree")

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2fx' % (a/b) if b else 'n/a')" "$1" "${2:-0}"; }
objs="$(git -C "$repo" count-objects -v | awk '/in-pack/ {print $2}')"
commits="$(git -C "$repo" rev-list --all --count)"
cat <<REPORT | tee "$out/summary.txt"
figures: hyperfine medians; $(date -u '+%Y-%m-%d %H:%M UTC'); uptime at the end: $(uptime)
machine: $(nproc) cores; $(rg --version | head -n 1); $(hyperfine --version); $(git --version)$([ "$kf" = 1 ] && echo "; kingfisher $(kingfisher --version 2>/dev/null | awk '{print $NF}')")
working tree: $TREE, $(find "$tree" -type f | wc -l) files, $(du -sm "$tree" | cut -f1) MiB, $TREE_TOKENS planted tokens (load $load_tree)
  ksef-audit leaks TREE          $(printf '%8.3f' "$t_ours") s
  rg -uu (2 KSeF patterns)       $(printf '%8.3f' "$t_rg") s   ksef-audit/rg = $(ratio "$t_ours" "$t_rg")
  rg -uu a literal (I/O floor)   $(printf '%8.3f' "$t_floor") s   ksef-audit/floor = $(ratio "$t_ours" "$t_floor")
  rg -uu -U (every rule pattern) $([ -n "${t_rgu:-}" ] && echo "$(printf '%8.3f' "$t_rgu") s   ksef-audit/rg-U = $(ratio "$t_ours" "$t_rgu")" || echo "not run (RG_MULTILINE=1)")
  kingfisher (2 KSeF rules)      $(printf '%8.3f' "${t_kf:-0}") s   ksef-audit/kingfisher = $(ratio "$t_ours" "${t_kf:-0}")
history: $REPO, $commits commits, $objs objects, 4 planted tokens (load $load_hist)
  ksef-audit leaks --git         $(printf '%8.3f' "$h_ours") s
  git cat-file --batch-all-objects --batch --unordered
                                 $(printf '%8.3f' "$h_cat") s   ksef-audit/cat-file = $(ratio "$h_ours" "$h_cat")
  kingfisher --git-history full  $(printf '%8.3f' "${h_kf:-0}") s   ksef-audit/kingfisher = $(ratio "$h_ours" "${h_kf:-0}")
keyword-dense text: $(du -m "$dense" | cut -f1) MiB, 20 planted tokens (load $load_dense)
  ksef-audit leaks FILE          $(printf '%8.3f' "$d_ours") s   max RSS $rss_dense KiB
  rg -uu (2 KSeF patterns)       $(printf '%8.3f' "$d_rg") s   max RSS $rss_dense_rg KiB   ksef-audit/rg = $(ratio "$d_ours" "$d_rg")
  rg -uu a literal (I/O floor)   $(printf '%8.3f' "$d_floor") s   ksef-audit/floor = $(ratio "$d_ours" "$d_floor")
peak memory (KiB)                max RSS  anonymous
  --git                          $rss_hist  $anon_hist
  working tree                   $rss_tree  $anon_tree
one file (pre-commit)
  with a token                   $(python3 -c "print('%.1f ms' % ($one_token * 1000))")
  without                        $(python3 -c "print('%.1f ms' % ($one_clean * 1000))")
  keyword-dense (README.md)      $(python3 -c "print('%.1f ms' % ($one_dense * 1000))")
REPORT
