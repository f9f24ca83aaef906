#!/usr/bin/env python3
"""Bytes a visitor downloads per search query on a built dualprev site.

    query_bytes.py OUT_DIR [--queries-from SITE/bench-phrases.json] [--json] [QUERY ...]

Mirrors src/search/tokenize.rs (query_terms), src/search/index.rs (FNV-1a-32 shard of a term, varint
postings, long lists in l/) and src/search/query.rs / themes/default/static/js/search.js (cover terms
of each phrase, candidates = pages with all of them ranked by summed impacts, CJK phrases confirmed
against each result file's text). For each query it counts, exactly as the browser script fetches:
  meta.json + every distinct shard s/<fnv1a(term) % shards>.json of the cover terms + their l/<key>.txt
  lists + the n/<key>.txt follow codes of the long lists whose bigram must be followed by the next
  character of its phrase (pages where it never is are dropped unread) + the result files d/<doc>.json fetched 10 at a time in rank order until 10 (or 20) results
  are confirmed (search.js shows PAGE = 10 at first, 10 more per "显示更多结果").
Sizes are raw bytes of the files on disk; `gz` is the same set compressed with gzip -6 (what a
server with compression would send).
"""

import argparse
import gzip
import json
import os
import sys

PAGE = 10  # result files search.js fetches at a time


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


DIGITS = "0123456789abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"
DIGIT = {c: i for i, c in enumerate(DIGITS)}


def decode_postings(s):
    nums, acc = [], 0
    for ch in s:
        d = DIGIT.get(ch)
        if d is None:
            continue
        if d >= 32:
            acc = acc * 32 + d - 32
        else:
            nums.append(acc * 32 + d)
            acc = 0
    out, doc = [], 0
    for k in range(0, len(nums) - 1, 2):
        doc += nums[k]
        out.append((doc, nums[k + 1]))
    return out


def decode_follows(s):
    """Per posting: None (any character may follow) or the (code, first chunk) pairs
    (src/search/format.rs)."""
    out, i = [], 0
    while i < len(s):
        n = DIGIT.get(s[i], 0)
        i += 1
        if n == 63:
            out.append(None)
            continue
        codes = []
        for _ in range(n):
            if i + 3 > len(s):
                break
            codes.append((DIGIT[s[i]] * 64 + DIGIT[s[i + 1]], DIGIT[s[i + 2]]))
            i += 3
        out.append(codes)
    return out


def read_varint(s, i):
    v = 0
    while i < len(s):
        d = DIGIT.get(s[i], 0)
        i += 1
        if d >= 32:
            v = v * 32 + d - 32
        else:
            return v * 32 + d, i
    return v, i


def decode_follows_part(s, n):
    """One part of split follow codes, inverted by code (src/search/format.rs
    decode_follows_part): the postings any character may follow, then per code its postings."""
    out = [[] for _ in range(n)]
    anyn, i = read_varint(s, 0)
    at = 0
    for _ in range(anyn):
        skip, i = read_varint(s, i)
        at += skip
        if at < n:
            out[at] = None
        at += 1
    while i + 2 <= len(s):
        code = DIGIT.get(s[i], 0) * 64 + DIGIT.get(s[i + 1], 0)
        count, i = read_varint(s, i + 2)
        at = 0
        for _ in range(count):
            skip, i = read_varint(s, i)
            at += skip
            chunk = DIGIT.get(s[i], 0) if i < len(s) else 0
            i += 1
            if at < n and out[at] is not None:
                out[at].append((code, chunk))
            at += 1
    return out


def cover(ph):
    """(bigram, the character that must follow it or None): every other bigram, and the last."""
    out = [(t, ph[i + 1][1] if i + 1 < len(ph) else None) for i, t in enumerate(ph) if i % 2 == 0]
    if len(ph) % 2 == 0:
        out.append((ph[-1], None))
    return out


def phrase_text(ph):
    return ph[0] + "".join(t[1:] for t in ph[1:])


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
        """(ranked candidate doc ids, phrases to confirm, needles, files fetched before any result
        file)."""
        groups = query_terms(q)
        nshards = self.meta["shards"]
        fetched = [("meta.json", self.meta_bytes)]
        if not groups:
            return [], [], [], fetched
        terms = [c for g in groups for c in cover(g)]
        for s in sorted({fnv1a(t) % nshards for t, _ in terms}):
            fetched.append(("s/%d.json" % s, self.shard(s)[0]))
        lists, seen = [], set()

        def fetch(name):
            data = self._read(name)
            if name not in seen:
                seen.add(name)
                fetched.append((name, data))
            return data.decode("ascii")

        bounded = []
        for g in groups:
            for i, (t, then) in enumerate(cover(g)):
                bounded.append(i == 0 and then is not None)
        for t, then in terms:
            raw = self.shard(fnv1a(t) % nshards)[1].get(t)
            if raw is None:
                return [], [], [], fetched
            keep = None
            if raw.startswith("@"):
                key, _, parts = raw[1:].partition(":")
                parts = int(parts or "1")
                postings = fetch("l/%s.txt" % key)
                if then and parts > 1:
                    keep = decode_follows_part(fetch("n/%s-%d.txt" % (key, (ord(then) % self.meta["f"]) % parts)),
                                               len(decode_postings(postings)))
                elif then:
                    keep = decode_follows(fetch("n/%s.txt" % key))
            else:
                postings, _, follows = raw.partition(".")
                keep = decode_follows(follows)
            lst = [(d, imp, 0) for d, imp in decode_postings(postings)]
            if then:
                code, kept = ord(then) % self.meta["f"], []
                for (d, imp, _), k in zip(lst, keep):
                    if k is None:
                        kept.append((d, imp, 0))
                    else:
                        chunks = [chunk for c, chunk in k if c == code]
                        if chunks:
                            kept.append((d, imp, chunks[0]))
                lst = kept
            lists.append(lst)
        shortest = min(lists, key=len)
        acc = {d: [0, 0, None] for d, _, _ in shortest}
        for l, b in zip(lists, bounded):
            for d, imp, chunk in l:
                v = acc.get(d)
                if v is not None:
                    v[0] += imp
                    v[1] += 1
                    if b:
                        v[2] = chunk if v[2] is None else min(v[2], chunk)
        all_bounded = sum(bounded) == len(groups)
        ranked = sorted((-v[0], d, max(1, v[2]) if all_bounded else 1) for d, v in acc.items() if v[1] == len(lists))
        phrases = [phrase_text(g) for g in groups if len(g) > 1]
        needles = [phrase_text(g) for g in groups]
        return [(d, start) for _, d, start in ranked], phrases, needles, fetched

    def read_doc(self, d, needles, start=1):
        """Files of one result as search.js reads them: d/<doc>.json, then x/<doc>-<k>.txt chunks
        in order from `start` (the first chunk's text is left out when start >= 2) while some
        needle is unseen. Returns (files, folded title, folded text)."""
        name = "d/%s.json" % b36(d)
        raw = self._read(name)
        files = [(name, raw)]
        doc = json.loads(raw)
        skip = 2 <= start < doc.get("n", 1)
        ft = "".join(fold(c) for c in doc.get("t", ""))
        fx = "" if skip else "".join(fold(c) for c in doc.get("x", ""))
        k = start if skip else 1
        while k < doc.get("n", 1) and any(w not in ft and w not in fx for w in needles):
            cname = "x/%s-%d.txt" % (b36(d), k)
            chunk = self._read(cname)
            files.append((cname, chunk))
            fx += "".join(fold(c) for c in chunk.decode("utf-8"))
            k += 1
        return files, ft, fx

    def confirmed(self, ranked, phrases, needles, want):
        """Result files fetched (PAGE at a time, in rank order, as search.js does) until `want`
        hits are confirmed, and the number of hits confirmed."""
        files, hits, nxt = [], 0, 0
        while hits < want and nxt < len(ranked):
            batch = ranked[nxt:nxt + PAGE]
            nxt += len(batch)
            for d, start in batch:
                fs, ft, fx = self.read_doc(d, needles, start)
                files += fs
                if all(p in ft or p in fx for p in phrases):
                    hits += 1
        return files, hits


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
        ranked, phrases, needles, fetched = idx.run(q)
        docs10, _ = idx.confirmed(ranked, phrases, needles, 10)
        docs20, _ = idx.confirmed(ranked, phrases, needles, 20)
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
    print("%-16s %7s %6s %11s %11s %11s %9s" % ("query", "cands", "files", "index B", "B@10", "B@20", "gz@10"))
    for r in rows:
        print("%-16s %7d %6d %11d %11d %11d %9d" % (r["query"], r["hits"], r["shards"], r["index_bytes"],
                                                  r["bytes10"], r["bytes20"], r["gz10"]))
    print("average bytes/query: %d (10 results), %d (20 results), %d gzip (10); whole index %d bytes, "
          "%d shards (avg %d, max %d B), %d docs" % (
              summary["avg_bytes10"], summary["avg_bytes20"], summary["avg_gz10"], total_index,
              summary["shards"], summary["shard_avg"], summary["shard_max"], summary["docs"]))


if __name__ == "__main__":
    sys.exit(main())
