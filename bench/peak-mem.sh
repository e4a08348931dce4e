#!/usr/bin/env bash
# peak-mem.sh CMD...: runs CMD, prints "max_rss_kib peak_anon_kib" (anonymous = heap and stacks,
# without file-backed pages such as memory-mapped git packs), sampled every 20 ms.
set -euo pipefail
"$@" >/dev/null 2>&1 &
pid=$!
peak_anon=0
peak_rss=0
while kill -0 "$pid" 2>/dev/null; do
    if read -r anon rss < <(awk '/^RssAnon:/ {a=$2} /^VmHWM:/ {h=$2} END {print a+0, h+0}' "/proc/$pid/status" 2>/dev/null); then
        [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
        [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    fi
    sleep 0.02
done
wait "$pid" || true
echo "$peak_rss $peak_anon"
