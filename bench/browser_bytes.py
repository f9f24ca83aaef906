#!/usr/bin/env python3
"""Bytes of search data Chromium downloads per query on a built dualprev site, measured, not
estimated: the built folder is served over HTTP by this script, which counts the body bytes of
every request under /search/ except the page itself (meta.json, shards, lists, follow codes,
result files and text chunks), while a fresh headless Chromium opens /search/?q=QUERY and waits
until the status line says the search has settled.

    browser_bytes.py OUT_DIR [--chromium /usr/bin/chromium] [--json] QUERY ...

Each query runs in a new browser profile, so nothing comes from a cache. Prints per query the
number of files and bytes, and the status line the page showed (标准库 only, plus Chromium).
"""

import argparse
import functools
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

LOG = []
LOCK = threading.Lock()


class Counting(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        with LOCK:
            LOG.append((path, len(data)))


def is_data(path):
    return path.startswith("/search/") and re.search(r"\.(json|txt)$", path) is not None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("queries", nargs="+")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--json", action="store_true", help="print one JSON summary line")
    a = ap.parse_args()
    handler = functools.partial(Counting, directory=os.path.abspath(a.out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    rows = []
    for q in a.queries:
        with LOCK:
            LOG.clear()
        url = "http://127.0.0.1:%d/search/?q=%s" % (port, urllib.parse.quote(q))
        with tempfile.TemporaryDirectory() as profile:
            dom = subprocess.run(
                [a.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
                 "--virtual-time-budget=30000", "--dump-dom", url],
                capture_output=True, text=True, timeout=120).stdout
        m = re.search(r'id="search-status"[^>]*>([^<]*)<', dom)
        status = html.unescape(m.group(1)) if m else ""
        with LOCK:
            data = [(p, n) for p, n in LOG if is_data(p)]
        rows.append({"query": q, "files": len(data), "bytes": sum(n for _, n in data), "status": status,
                     "settled": bool(status) and "正在搜索" not in status})
    server.shutdown()
    summary = {
        "queries": len(rows),
        "avg_bytes": round(sum(r["bytes"] for r in rows) / max(1, len(rows))),
        "max_bytes": max((r["bytes"] for r in rows), default=0),
        "all_settled": all(r["settled"] for r in rows),
        "rows": rows,
    }
    if a.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print("%-16s %6s %10s  %s" % ("query", "files", "bytes", "status"))
        for r in rows:
            print("%-16s %6d %10d  %s" % (r["query"], r["files"], r["bytes"], r["status"]))
        print("average %d bytes, max %d bytes per query (Chromium, search data only)%s" % (
            summary["avg_bytes"], summary["max_bytes"], "" if summary["all_settled"] else "; SOME DID NOT SETTLE"))
    return 0 if summary["all_settled"] else 1


if __name__ == "__main__":
    sys.exit(main())
