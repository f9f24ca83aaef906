#!/usr/bin/env bash
# dualprev benchmark: build time, memory, output and search-index size, search bytes per query,
# a Hugo comparison on the same Markdown pages, and serve's edit-to-reload latency.
#
#   bench/run.sh                       # N=1000,10000 pages (few enterprises); M=500,5000 enterprises (few pages)
#   BENCH_PAGE_SIZES="1000" BENCH_ENT_SIZES="" bench/run.sh     # a quick run
#
# Environment (all optional):
#   CARGO_TARGET_DIR     where cargo builds (default: <repo>/target); the binary is $CARGO_TARGET_DIR/release/dualprev
#   BENCH_PAGE_SIZES     page counts of the page-heavy sites           (default "1000 10000")
#   BENCH_SHAPES         page shapes of the page-heavy sites (gen.py --shape): "ours" (pages-N) and
#                        "guidance" (guide-N, a shape this project was not written around) (default both)
#   BENCH_ENT_SIZES      enterprise counts of the record-heavy sites   (default "500 5000")
#   BENCH_FEW_ENTS       enterprises in the page-heavy sites           (default 10)
#   BENCH_FEW_PAGES      Markdown pages in the record-heavy sites      (default 50)
#   BENCH_SEED           generator seed                                (default 1)
#   BENCH_DIR            scratch folder                                (default /dev/shm/dualprev-bench)
#   BENCH_LATENCY_RUNS   edits per file for the latency median         (default 5; 0 skips serve)
#   BENCH_HUGO           1 = compare with Hugo (installs Debian's hugo if missing), 0 = skip (default 1)
#   BENCH_KEEP           1 = keep generated sites and outputs in BENCH_DIR (default 0: deleted per site)
#   BENCH_REPEAT         timed builds per tool and site; the fastest is reported (default 3; a build
#                        that takes over 60 s is run once)
#   BENCH_MEM_LIMIT_GB   address-space cap for every dualprev process (prlimit --as), so a site too big
#                        for this machine fails with "memory allocation failed" instead of pushing the
#                        machine into the OOM killer (default: MemAvailable at start minus 3 GB). dualprev
#                        processes also get oom_score_adj 1000 (choom), so the kernel would pick them first.
#   BENCH_OUT_DIR        where build outputs go (default: BENCH_DIR; put it on disk to save RAM)
#   BENCH_NO_BUILD       1 = do not run cargo build (use an existing binary)
#   BENCH_CHROMIUM       Chromium for the search bytes and the edit-to-screen latency measured in a
#                        browser (default: chromium on PATH; empty = skip those)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
PAGE_SIZES=${BENCH_PAGE_SIZES-"1000 10000"}
SHAPES=${BENCH_SHAPES-"ours guidance"}
ENT_SIZES=${BENCH_ENT_SIZES-"500 5000"}
FEW_ENTS=${BENCH_FEW_ENTS:-10}
FEW_PAGES=${BENCH_FEW_PAGES:-50}
SEED=${BENCH_SEED:-1}
WORK=${BENCH_DIR:-/dev/shm/dualprev-bench}
RUNS=${BENCH_LATENCY_RUNS:-5}
HUGO=${BENCH_HUGO:-1}
KEEP=${BENCH_KEEP:-0}
REPEAT=${BENCH_REPEAT:-3}
OUT_BASE=${BENCH_OUT_DIR:-$WORK}
MEM_LIMIT_GB=${BENCH_MEM_LIMIT_GB:-$(awk '/MemAvailable/ {g = int($2 / 1048576) - 3; print (g < 4 ? 4 : g)}' /proc/meminfo)}
AS_OF=2025-06-30
BIN=$CARGO_TARGET_DIR/release/dualprev
# Every dualprev process runs capped and first in line for the OOM killer (both tools exec the command).
CAP=(prlimit --as=$((MEM_LIMIT_GB * 1024 * 1024 * 1024)) choom -n 1000 --)

BG_PIDS=()
cleanup() {
    local p
    for p in "${BG_PIDS[@]}"; do
        if kill -0 "$p" 2>/dev/null; then
            kill "$p" 2>/dev/null || true
            wait "$p" 2>/dev/null || true
        fi
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { printf '== %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
# Runs a command in the background, waits for it, and forgets it; the EXIT trap stops it if we are interrupted.
run_bg() {
    "$@" &
    local pid=$!
    BG_PIDS+=("$pid")
    local rc=0
    wait "$pid" || rc=$?
    local keep=() p
    for p in "${BG_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    BG_PIDS=("${keep[@]}")
    return $rc
}
rss_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
# timed NAME CMD...: runs CMD $REPEAT times under /usr/bin/time -v; sets T_MS (fastest wall, ms),
# T_RSS (largest peak RSS, KB) and T_LOAD (1-minute load average before the fastest run).
timed() {
    local tag=$1 i t0 ms rss ld
    shift
    T_MS=""; T_RSS=0; T_LOAD=""; T_RC=0
    for ((i = 1; i <= REPEAT; i++)); do
        sync
        ld=$(load1)
        t0=$(now_ms)
        T_RC=0
        /usr/bin/time -v -o "$D/$tag-time.txt" "$@" || T_RC=$?
        ms=$(($(now_ms) - t0))
        if ((T_RC != 0)); then
            log "$name: $tag run $i FAILED with exit status $T_RC after ${ms} ms, peak RSS $(rss_kb "$D/$tag-time.txt") KB"
            T_RSS=$(rss_kb "$D/$tag-time.txt"); T_MS=""
            return 0
        fi
        rss=$(rss_kb "$D/$tag-time.txt")
        log "$name: $tag run $i: ${ms} ms, peak RSS ${rss} KB, load before ${ld}"
        if [[ -z $T_MS || $ms -lt $T_MS ]]; then T_MS=$ms; T_LOAD=$ld; fi
        if ((rss > T_RSS)); then T_RSS=$rss; fi
        if ((ms > 60000)); then break; fi   # a build over a minute is measured once
    done
}

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    log "cargo build --release (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
    (cd "$REPO" && cargo build --release --quiet)
fi
[[ -x $BIN ]] || { echo "no binary at $BIN" >&2; exit 2; }

if [[ $HUGO == 1 ]] && ! command -v hugo >/dev/null; then
    log "installing Debian's hugo"
    if ! apt-get install -y hugo >/dev/null 2>&1; then
        apt-get update >/dev/null 2>&1 && apt-get install -y hugo >/dev/null 2>&1 || { echo "hugo not installable; skipping Hugo" >&2; HUGO=0; }
    fi
fi
CHROMIUM=${BENCH_CHROMIUM-$(command -v chromium || true)}
HUGO_VERSION=$([[ $HUGO == 1 ]] && hugo version | awk '{print $2}' || echo "-")

mkdir -p "$WORK"
log "dualprev processes are capped at ${MEM_LIMIT_GB} GB of address space"
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

SITES=()
for n in $PAGE_SIZES; do
    for shape in $SHAPES; do
        if [[ $shape == ours ]]; then SITES+=("pages-$n:$n:$FEW_ENTS:ours"); else SITES+=("guide-$n:$n:$FEW_ENTS:$shape"); fi
    done
done
for m in $ENT_SIZES; do SITES+=("ents-$m:$FEW_PAGES:$m:ours"); done

for spec in "${SITES[@]}"; do
    IFS=: read -r name pages ents shape <<<"$spec"
    D=$WORK/$name
    SITE=$D/site
    OUT=$OUT_BASE/$name/out
    rm -rf "$D" "$OUT"
    mkdir -p "$D"
    log "$name: generating $pages pages, $ents enterprises into $SITE"
    t0=$(now_ms)
    python3 "$HERE/gen.py" --pages "$pages" --enterprises "$ents" --seed "$SEED" --shape "$shape" --out "$SITE" 2>/dev/null
    gen_ms=$(($(now_ms) - t0))
    "${CAP[@]}" "$BIN" check --root "$SITE" --quiet || { echo "dualprev check failed on $SITE" >&2; exit 1; }

    log "$name: dualprev build --quiet (timed, best of $REPEAT)"
    timed dualprev "${CAP[@]}" "$BIN" build --root "$SITE" --out "$OUT" --as-of "$AS_OF" --quiet
    build_ms=$T_MS; build_rss=$T_RSS; build_load=$T_LOAD
    if [[ $T_RC != 0 ]]; then
        printf '{"name": "%s", "pages": %d, "ents": %d, "failed": "build exit status %s, peak RSS %s KB (cap %s GB)"}\n' \
            "$name" "$pages" "$ents" "$T_RC" "$T_RSS" "$MEM_LIMIT_GB" >>"$RESULTS"
        if [[ $KEEP != 1 ]]; then rm -rf "$OUT" "$SITE"; fi
        continue
    fi
    out_bytes=$(du -sb "$OUT" | cut -f1)
    out_files=$(find "$OUT" -type f | wc -l)
    html_files=$(find "$OUT" -type f -name '*.html' | wc -l)
    search_bytes=$(du -sb "$OUT/search" | cut -f1)
    site_bytes=$(du -sb "$SITE" | cut -f1)

    log "$name: dualprev build (per-stage timings)"
    stages=$("${CAP[@]}" "$BIN" build --timings --root "$SITE" --out "$OUT" --as-of "$AS_OF" 2>/dev/null | tail -1 |
        sed -n 's/.*用时 \([0-9]*\) 毫秒（\(.*\)）.*/total \1，\2/p' | sed 's/，/, /g' || true)
    log "$name: $stages"

    log "$name: search bytes per query"
    python3 "$HERE/query_bytes.py" "$OUT" --queries-from "$SITE/bench-phrases.json" >&2
    python3 "$HERE/query_bytes.py" "$OUT" --queries-from "$SITE/bench-phrases.json" --json >"$D/query.json"
    # The same queries, and a phrase whose parts are everywhere, measured in Chromium.
    echo '{}' >"$D/browser_bytes.json"
    if [[ -n $CHROMIUM ]]; then
        mapfile -t QS < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["queries"] + ["安全生产", "不存在的词语组合"]))' "$SITE/bench-phrases.json")
        python3 "$HERE/browser_bytes.py" "$OUT" --chromium "$CHROMIUM" --json "${QS[@]}" >"$D/browser_bytes.json" ||
            log "$name: a query did not settle in Chromium"
        log "$name: Chromium search bytes: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(", ".join("%s %d B (%s)" % (r["query"], r["bytes"], r["status"]) for r in d["rows"]))' "$D/browser_bytes.json")"
    fi

    hugo_ms=""; hugo_rss=""; hugo_bytes=""
    if [[ $HUGO == 1 && $name != ents-* ]]; then
        log "$name: hugo on the same $pages pages"
        python3 "$HERE/to_hugo.py" "$SITE" "$D/hugo" 2>/dev/null
        timed hugo hugo --quiet -s "$D/hugo" -d "$D/hugo-out" --cacheDir "$D/hugo-cache"
        hugo_ms=$T_MS; hugo_rss=$T_RSS
        hugo_bytes=$(du -sb "$D/hugo-out" | cut -f1)
    fi

    echo '{}' >"$D/latency.json"
    if [[ $RUNS -gt 0 ]]; then
        log "$name: serve edit-to-reload latency ($RUNS edits per file)"
        run_bg python3 "$HERE/latency.py" --bin "$BIN" --prefix "${CAP[*]}" --root "$SITE" --runs "$RUNS" \
            ${CHROMIUM:+--chromium "$CHROMIUM"} --json >"$D/latency.json" ||
            log "$name: latency measurement failed (see the error in the JSON below)"
        log "$name: $(cat "$D/latency.json")"
    fi

    python3 - "$D" >>"$RESULTS" <<EOF
import json, sys
d = sys.argv[1]
q = json.load(open(d + "/query.json"))
lat = json.load(open(d + "/latency.json"))
bb = json.load(open(d + "/browser_bytes.json"))
print(json.dumps({
    "name": "$name", "pages": $pages, "ents": $ents, "site_bytes": $site_bytes, "gen_ms": $gen_ms,
    "build_ms": $build_ms, "build_rss_kb": int("$build_rss"), "build_load": "$build_load", "stages": "$stages",
    "out_bytes": $out_bytes, "out_files": $out_files, "html_files": $html_files, "search_bytes": $search_bytes,
    "hugo_ms": int("$hugo_ms") if "$hugo_ms" else None, "hugo_rss_kb": int("$hugo_rss") if "$hugo_rss" else None,
    "hugo_bytes": int("$hugo_bytes") if "$hugo_bytes" else None,
    "query": {k: v for k, v in q.items() if k != "rows"}, "query_rows": q["rows"], "latency": lat,
    "browser_bytes": bb,
}, ensure_ascii=False))
EOF
    if [[ $KEEP != 1 ]]; then rm -rf "$OUT" "$D/hugo-out" "$D/hugo" "$D/hugo-cache" "$SITE"; fi
done

python3 - "$RESULTS" "$HUGO_VERSION" "$(nproc)" "$REPEAT" <<'EOF' | tee "$WORK/results.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
hugo_version, cpus = sys.argv[2], sys.argv[3]
MB = 1024 * 1024
def f(x, fmt="%.2f"):
    return "-" if x is None else fmt % x
def med(r, k):
    return r["latency"].get(k + "_median_ms")
def busy(r):
    b = r["latency"].get("page_busy_after_s", []) + r["latency"].get("record_busy_after_s", [])
    return sorted(b)[len(b) // 2] if b else None
metrics = [
    ("Markdown pages / enterprise records", lambda r: "%d / %d" % (r["pages"], r["ents"])),
    ("input size (MB)", lambda r: f(r["site_bytes"] / MB, "%.1f")),
    ("dualprev build wall, best of %s (s)" % sys.argv[4], lambda r: f(r["build_ms"] / 1000)),
    ("  1-min load average before that run", lambda r: r.get("build_load") or "-"),
    ("  stages, separate run (ms)", lambda r: r["stages"] or "-"),
    ("  input docs/s (pages+records)", lambda r: f((r["pages"] + r["ents"]) / (r["build_ms"] / 1000), "%.0f")),
    ("  HTML files written / per s", lambda r: "%d / %.0f" % (r["html_files"], r["html_files"] / (r["build_ms"] / 1000))),
    ("  peak RSS (MB)", lambda r: f(r["build_rss_kb"] / 1024, "%.0f")),
    ("  output size (MB) / files", lambda r: "%.1f / %d" % (r["out_bytes"] / MB, r["out_files"])),
    ("  search index (MB) / shards", lambda r: "%.1f / %d" % (r["search_bytes"] / MB, r["query"]["shards"])),
    ("  shard size avg / max (KB)", lambda r: "%.1f / %.1f" % (r["query"]["shard_avg"] / 1024, r["query"]["shard_max"] / 1024)),
    ("  bytes/query, 10 results: avg / max (KB)", lambda r: "%.0f / %.0f" % (r["query"]["avg_bytes10"] / 1024, r["query"]["max_bytes10"] / 1024)),
    ("  bytes/query, 20 results (KB) / gzip@10 (KB)", lambda r: "%.0f / %.0f" % (r["query"]["avg_bytes20"] / 1024, r["query"]["avg_gz10"] / 1024)),
    ("  Chromium bytes/query: avg / max (KB), queries", lambda r: "-" if not r.get("browser_bytes") else "%.0f / %.0f, %d" % (
        r["browser_bytes"]["avg_bytes"] / 1024, r["browser_bytes"]["max_bytes"] / 1024, r["browser_bytes"]["queries"])),
    ("hugo %s wall (s)" % hugo_version, lambda r: f(r["hugo_ms"] / 1000 if r["hugo_ms"] is not None else None)),
    ("  hugo peak RSS (MB) / output (MB)", lambda r: "-" if r["hugo_ms"] is None else "%.0f / %.1f" % (r["hugo_rss_kb"] / 1024, r["hugo_bytes"] / MB)),
    ("dualprev / hugo wall", lambda r: f(r["build_ms"] / r["hugo_ms"] if r["hugo_ms"] else None, "%.1f×")),
    ("serve: first build until URL printed (ms)", lambda r: f(r["latency"].get("startup_ms"), "%.0f")),
    ("serve: page edit → reload event, median (ms)", lambda r: f(med(r, "page"), "%.0f")),
    ("serve: record edit → reload event, median (ms)", lambda r: f(med(r, "record"), "%.0f")),
    ("serve: page edit → shown in Chromium, median (ms)", lambda r: f(med(r, "page_chromium"), "%.0f")),
    ("serve: record edit → shown in Chromium, median (ms)", lambda r: f(med(r, "record_chromium"), "%.0f")),
    ("serve: still busy after a reload event, median (s)", lambda r: f(busy(r), "%.1f")),
    ("serve: peak RSS after the edits (MB)", lambda r: f(r["latency"].get("serve_peak_rss_kb") and r["latency"]["serve_peak_rss_kb"] / 1024, "%.0f")),
]
failed = [r for r in rows if r.get("failed")]
rows = [r for r in rows if not r.get("failed")]
names = [r["name"] for r in rows]
print("dualprev benchmark (%s CPUs; --as-of 2025-06-30; public profile)\n" % cpus)
print("| metric | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for label, fn in metrics:
    print("| %s | %s |" % (label, " | ".join(fn(r) for r in rows)))
for r in rows:
    if r["latency"].get("error"):
        print("\n%s: serve latency failed: %s" % (r["name"], r["latency"]["error"][:400]))
for r in failed:
    print("\n%s (%d pages, %d enterprises): %s" % (r["name"], r["pages"], r["ents"], r["failed"]))
EOF
log "results: $WORK/results.md, raw: $RESULTS"
