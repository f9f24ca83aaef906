#!/usr/bin/env python3
"""Bytes a visitor downloads per search query on a built dualprev site.

    query_bytes.py OUT_DIR [--queries-from SITE/bench-phrases.json] [--json] [QUERY ...]

Mirrors src/search/tokenize.rs (query_terms), src/search/index.rs (FNV-1a-32 shard of a term) and
src/search/query.rs / themes/default/static/js/search.js (all terms required, CJK phrase = adjacent
bigrams, BM25 with title and heading boosts). For each query it counts, exactly as the browser script
fetches them:
  meta.json + every distinct shard s/<fnv1a(term) % shards>.json of the query's tokens
  + the result files d/<doc>.json of the first 10 ranked hits (and of the first 20: search.js shows
    PAGE = 20 results at first).
Sizes are raw bytes of the files on disk; `gz` is the same set compressed with gzip -6 (what a
server with compression would send).
"""

import argparse
import gzip
import json
import math
import os
import sys

K1, B, TITLE_BOOST, HEADING_BOOST = 1.2, 0.75, 3.0, 1.0


def is_cjk(c):
    o = ord(c)
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF
            or 0x20000 <= o <= 0x2EBEF or 0x30000 <= o <= 0x3134F or 0x3040 <= o <= 0x30FF
            or 0xAC00 <= o <= 0xD7A3)


def fold(c):
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:
        c = chr(o - 0xFEE0)
    elif o == 0x3000:
        c = " "
    return c.lower() if "A" <= c <= "Z" else c


def cls(c):
    if is_cjk(c):
        return "cjk"
    if "0" <= c <= "9":
        return "digit"
    if c.isalpha():
        return "letter"
    return "other"


def tokenize(text):
    chars = [fold(c) for c in text]
    out, pos, i = [], 0, 0
    while i < len(chars):
        k = cls(chars[i])
        if k == "other":
            i += 1
        elif k == "cjk":
            s = i
            while i < len(chars) and cls(chars[i]) == "cjk":
                i += 1
            run = chars[s:i]
            if len(run) == 1:
                out.append((run[0], pos))
                pos += 1
            else:
                for a, b in zip(run, run[1:]):
                    out.append((a + b, pos))
                    pos += 1
                out.append((run[-1], pos))
                pos += 1
            pos += 1
        elif k == "letter":
            s = i
            while i < len(chars) and cls(chars[i]) == "letter":
                i += 1
            out.append(("".join(chars[s:i]).lower(), pos))
            pos += 1
        else:
            s = i
            while i < len(chars) and (cls(chars[i]) == "digit" or (
                    chars[i] == "." and i + 1 < len(chars) and "0" <= chars[i + 1] <= "9" and i > s)):
                i += 1
            out.append(("".join(chars[s:i]), pos))
            pos += 1
    return out


def query_terms(q):
    toks = tokenize(q)
    terms, i = [], 0
    while i < len(toks):
        t, _ = toks[i]
        if is_cjk(t[0]) and len(t) == 2:
            phrase, j = [t], i + 1
            while j < len(toks) and toks[j][1] == toks[j - 1][1] + 1:
                if len(toks[j][0]) == 2:
                    phrase.append(toks[j][0])
                j += 1
            terms.append(phrase)
            i = j
        else:
            terms.append([t])
            i += 1
    return terms


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def b36(n):
    d = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n == 0:
        return "0"
    s = ""
    while n:
        s = d[n % 36] + s
        n //= 36
    return s


def parse_postings(s):
    out = {}
    for entry in s.split(";"):
        nums = [int(x, 36) for x in entry.split(",") if x]
        if len(nums) < 4:
            continue
        pos, acc = [], 0
        for d in nums[4:]:
            acc += d
            pos.append(acc)
        out[nums[0]] = (nums[1], nums[2], nums[3], pos, set(pos))
    return out


class Index:
    def __init__(self, out):
        self.root = os.path.join(out, "search")
        self.meta_bytes = self._read("meta.json")
        self.meta = json.loads(self.meta_bytes)
        self.shards = {}

    def _read(self, rel):
        with open(os.path.join(self.root, rel), "rb") as f:
            return f.read()

    def shard(self, n):
        if n not in self.shards:
            raw = self._read("s/%d.json" % n)
            self.shards[n] = (raw, json.loads(raw))
        return self.shards[n]

    def run(self, q):
        """(ranked doc ids, fetched files as [(name, bytes)] without result files)."""
        terms = query_terms(q)
        nshards = self.meta["shards"]
        fetched = [("meta.json", self.meta_bytes)]
        wanted = sorted({fnv1a(t) % nshards for ph in terms for t in ph})
        for s in wanted:
            fetched.append(("s/%d.json" % s, self.shard(s)[0]))
        if not terms:
            return [], fetched
        n, avgdl = float(self.meta["n"]), max(1.0, float(self.meta["avgdl"]))
        per_term = []
        for phrase in terms:
            lists = []
            for t in phrase:
                raw = self.shard(fnv1a(t) % nshards)[1].get(t)
                if raw is None:
                    return [], fetched
                lists.append(parse_postings(raw))
            found = {}
            for doc, (ln, tlen, hh, pos, _) in lists[0].items():
                hits = []
                for p in pos:
                    ok = True
                    for k, l in enumerate(lists[1:], 1):
                        pk = l.get(doc)
                        if pk is None or (p + k) not in pk[4]:
                            ok = False
                            break
                    if ok:
                        hits.append(p)
                if not hits:
                    continue
                in_title = sum(1 for p in hits if p < tlen)
                tf = len(hits) + TITLE_BOOST * in_title + HEADING_BOOST * min(hh, len(hits))
                found[doc] = (tf, ln)
            per_term.append(found)
        docs = sorted(d for d in per_term[0] if all(d in m for m in per_term))
        scored = []
        for d in docs:
            score = 0.0
            for m in per_term:
                df = len(m)
                idf = math.log((n - df + 0.5) / (df + 0.5) + 1.0)
                tf, ln = m[d]
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * ln / avgdl))
            scored.append((-score, d))
        scored.sort()
        return [d for _, d in scored], fetched

    def doc_file(self, d):
        return ("d/%s.json" % b36(d), self._read("d/%s.json" % b36(d)))


def gz(files):
    return sum(len(gzip.compress(b, 6)) for _, b in files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--queries-from")
    ap.add_argument("--json", action="store_true", help="print one JSON summary line")
    ap.add_argument("queries", nargs="*")
    a = ap.parse_args()
    queries = list(a.queries)
    if a.queries_from:
        with open(a.queries_from, encoding="utf-8") as f:
            queries += json.load(f)["queries"]
    idx = Index(a.out)
    rows = []
    for q in queries:
        ranked, fetched = idx.run(q)
        docs10 = [idx.doc_file(d) for d in ranked[:10]]
        docs20 = docs10 + [idx.doc_file(d) for d in ranked[10:20]]
        rows.append({
            "query": q, "hits": len(ranked), "shards": len(fetched) - 1,
            "index_bytes": sum(len(b) for _, b in fetched),
            "bytes10": sum(len(b) for _, b in fetched + docs10),
            "bytes20": sum(len(b) for _, b in fetched + docs20),
            "gz10": gz(fetched + docs10),
        })
    total_index = 0
    for dirpath, _, files in os.walk(idx.root):
        total_index += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    shard_dir = os.path.join(idx.root, "s")
    shard_sizes = [os.path.getsize(os.path.join(shard_dir, f)) for f in os.listdir(shard_dir)]
    summary = {
        "queries": len(rows),
        "avg_bytes10": round(sum(r["bytes10"] for r in rows) / max(1, len(rows))),
        "max_bytes10": max((r["bytes10"] for r in rows), default=0),
        "avg_bytes20": round(sum(r["bytes20"] for r in rows) / max(1, len(rows))),
        "avg_gz10": round(sum(r["gz10"] for r in rows) / max(1, len(rows))),
        "index_total_bytes": total_index,
        "shards": idx.meta["shards"], "docs": idx.meta["n"],
        "shard_avg": round(sum(shard_sizes) / max(1, len(shard_sizes))),
        "shard_max": max(shard_sizes, default=0),
        "rows": rows,
    }
    if a.json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    print("%-16s %7s %6s %11s %11s %11s %9s" % ("query", "hits", "shards", "index B", "B@10", "B@20", "gz@10"))
    for r in rows:
        print("%-16s %7d %6d %11d %11d %11d %9d" % (r["query"], r["hits"], r["shards"], r["index_bytes"],
                                                  r["bytes10"], r["bytes20"], r["gz10"]))
    print("average bytes/query: %d (10 results), %d (20 results), %d gzip (10); whole index %d bytes, "
          "%d shards (avg %d, max %d B), %d docs" % (
              summary["avg_bytes10"], summary["avg_bytes20"], summary["avg_gz10"], total_index,
              summary["shards"], summary["shard_avg"], summary["shard_max"], summary["docs"]))


if __name__ == "__main__":
    sys.exit(main())
