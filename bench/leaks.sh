#!/usr/bin/env bash
# Speed and memory of `ksef-audit leaks` against ripgrep and `git cat-file`, on generated data.
#
#   bench/leaks.sh                 everything (first run generates ~1 GB under $BENCH_DIR)
#   TREE_MB=300 COMMITS=40000 SMALL_COMMITS=10000 bench/leaks.sh
#   KSEF_AUDIT_BIN=path/to/ksef-audit bench/leaks.sh   (skip the build)
#
# Generated data lives in $BENCH_DIR (default /work/benchdata), never in the repository.
# Needs: cargo, git, python3; installs hyperfine and ripgrep with apt-get when missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$here")"
BENCH_DIR="${BENCH_DIR:-/work/benchdata}"
TREE_MB="${TREE_MB:-300}"
COMMITS="${COMMITS:-40000}"
SMALL_COMMITS="${SMALL_COMMITS:-10000}"
FILES="${FILES:-3000}"
RUNS="${RUNS:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo_root/target}"
gen="$here/gen.py"

need() {
    local cmd="$1" pkg="$2"
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "installing $pkg" >&2
        if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq "$pkg" >/dev/null; else sudo apt-get install -y -qq "$pkg" >/dev/null; fi
    fi
}
need hyperfine hyperfine
need rg ripgrep
[ -x /usr/bin/time ] || need /usr/bin/time time

mkdir -p "$BENCH_DIR"
# The target dir may be shared: benchmark a private copy of the binary.
bin="$BENCH_DIR/ksef-audit"
if [ -n "${KSEF_AUDIT_BIN:-}" ]; then
    cp "$KSEF_AUDIT_BIN" "$bin"
else
    echo "== build (--release)" >&2
    (cd "$repo_root" && cargo build --release --quiet)
    cp "$CARGO_TARGET_DIR/release/ksef-audit" "$bin"
fi
out="$BENCH_DIR/results"
mkdir -p "$out"

# ripgrep searches for exactly the built-in leak rules' patterns (multi-line ones need -U).
patterns="$BENCH_DIR/rg-patterns.txt"
python3 - "$repo_root/rules/leaks" > "$patterns" <<'PY'
import glob, sys, tomllib
for f in sorted(glob.glob(sys.argv[1] + "/*.toml")):
    for rule in tomllib.load(open(f, "rb"))["rule"]:
        print(rule["pattern"])
PY
rg_args="-U -f $patterns"

tree="$BENCH_DIR/tree-${TREE_MB}mb"
if [ ! -f "$tree/.done" ]; then
    echo "== generating a ${TREE_MB} MiB working tree in $tree" >&2
    rm -rf "$tree" && mkdir -p "$tree"
    python3 "$gen" tree "$tree" "$TREE_MB"
    touch "$tree/.done"
fi

make_history() {
    local dir="$1" commits="$2"
    if [ ! -f "$dir/.done" ]; then
        echo "== generating a repository of $commits commits in $dir" >&2
        rm -rf "$dir" && git init -q --bare "$dir"
        git -C "$dir" symbolic-ref HEAD refs/heads/main
        python3 "$gen" history "$commits" "$FILES" | git -C "$dir" fast-import --quiet
        git -C "$dir" repack -adq
        touch "$dir/.done"
    fi
}
big="$BENCH_DIR/history-$COMMITS.git"
small="$BENCH_DIR/history-$SMALL_COMMITS.git"
make_history "$big" "$COMMITS"
make_history "$small" "$SMALL_COMMITS"

# A work tree of the small repository with one staged file: the pre-commit case.
precommit="$BENCH_DIR/precommit"
if [ ! -d "$precommit/.git" ]; then
    git clone -q "$small" "$precommit"
fi
python3 "$gen" token 99 | sed 's/^/KSEF_TOKEN=/' > "$precommit/staged.env"
git -C "$precommit" add staged.env
one_file="$precommit/staged.env"

mean() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.4f" % x["mean"] for x in r))' "$1"; }

echo "== working tree: ksef-audit vs rg -uu" >&2
hyperfine --warmup 1 --runs "$RUNS" -i --export-json "$out/tree.json" \
    -n ksef-audit "$bin leaks --exit-zero --format json --output /dev/null $tree" \
    -n rg "rg -uu -c $rg_args $tree"
read -r t_ours t_rg < <(mean "$out/tree.json")

echo "== history: ksef-audit --git vs git cat-file --batch-all-objects --batch | rg" >&2
hyperfine --runs "${HISTORY_RUNS:-2}" -i --export-json "$out/history.json" \
    -n ksef-audit "$bin leaks --exit-zero --format json --output /dev/null --git $big" \
    -n cat-file-rg "git -C $big cat-file --batch-all-objects --batch | rg -a -c $rg_args"
read -r h_ours h_rg < <(mean "$out/history.json")

echo "== pre-commit: one file, and --staged" >&2
hyperfine --warmup 3 --runs 30 -N -i --export-json "$out/precommit.json" \
    -n one-file "$bin leaks --exit-zero $one_file" \
    -n staged "$bin leaks --exit-zero --git $precommit --staged"
read -r p_file p_staged < <(mean "$out/precommit.json")

peak="$here/peak-mem.sh"
echo "== peak memory (max RSS, and anonymous = without memory-mapped packs and files)" >&2
read -r rss_small anon_small < <("$peak" "$bin" leaks --exit-zero --format json --output /dev/null --git "$small")
read -r rss_big anon_big < <("$peak" "$bin" leaks --exit-zero --format json --output /dev/null --git "$big")
read -r rss_tree anon_tree < <("$peak" "$bin" leaks --exit-zero --format json --output /dev/null "$tree")
pack_mib() { du -sm "$1/objects/pack" | cut -f1; }

objs() { git -C "$1" count-objects -v | awk '/in-pack/ {print $2}'; }
raw_bytes() { git -C "$1" cat-file --batch-all-objects --batch-check='%(objectsize)' | awk '{s+=$1} END {printf "%d", s/1048576}'; }

cat <<REPORT | tee "$out/summary.txt"
machine: $(nproc) cores, $(rg --version | head -n 1), $(hyperfine --version), $(git --version)
working tree: $TREE_MB MiB, $(find "$tree" -type f | wc -l) files
  ksef-audit leaks DIR          $(printf '%8.3f' "$t_ours") s
  rg -uu (same patterns)        $(printf '%8.3f' "$t_rg") s
  ratio ksef-audit / rg         $(python3 -c "print('%.2f' % ($t_ours / $t_rg))")  (target <= 2.00)
history: $COMMITS commits, $(objs "$big") objects, $(raw_bytes "$big") MiB inflated
  ksef-audit leaks --git        $(printf '%8.3f' "$h_ours") s
  cat-file --batch | rg         $(printf '%8.3f' "$h_rg") s
  ratio ksef-audit / cat-file   $(python3 -c "print('%.2f' % ($h_ours / $h_rg))")  (target <= 1.00)
peak memory (KiB)                    max RSS    anonymous   (pack size)
  --git $SMALL_COMMITS commits        $rss_small    $anon_small   ($(pack_mib "$small") MiB)
  --git $COMMITS commits        $rss_big    $anon_big   ($(pack_mib "$big") MiB)
  anonymous big / small         $(python3 -c "print('%.2f' % ($anon_big / $anon_small))")  (max RSS includes the memory-mapped pack)
  tree $TREE_MB MiB                 $rss_tree    $anon_tree
pre-commit
  one file                      $(python3 -c "print('%.1f ms' % ($p_file * 1000))")  (target well under 100 ms)
  --staged (one staged file)    $(python3 -c "print('%.1f ms' % ($p_staged * 1000))")
REPORT
