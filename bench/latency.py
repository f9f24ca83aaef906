#!/usr/bin/env python3
"""Edit-to-notified latency of `dualprev serve`.

    latency.py --bin DUALPREV --root SITE [--runs 5] [--page REL] [--record REL] [--chromium PATH] [--json]

Starts `dualprev serve --root SITE --port 0`, waits for `预览地址：http://127.0.0.1:PORT/`, opens
`/__dualprev/events` (server-sent events) on a raw socket and waits for the `hello` event. Then, for
one Markdown page and one enterprise record, it `runs` times: waits until the server is idle (no CPU
time used for 1 s, read from /proc/PID/stat; the seconds it stayed busy after the previous reload
event are reported as *_busy_after_s), appends a sentence to the file (open/append/close;
for the record a new [[red_lines]] entry), and measures the time from just before the write to the arrival of the next
`event: reload` line. It also collects the server's own rebuild time (`已重新生成（N 毫秒）`).
With --chromium, the edited page (and, for the record, its enterprise page) is open in headless
Chromium (bench/cdp.py) and each edit is also timed until the page shows the new text: the latency a
person at the screen sees (the live script reloads the page; the text must be in the new DOM).
Both files are restored afterwards. The server is always stopped (also on SIGTERM/SIGINT).
"""

import argparse
import glob
import json
import os
import queue
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import cdp


class Server:
    def __init__(self, binary, root, prefix=()):
        self.t_start = time.monotonic()
        # `prefix` must exec the command (prlimit, choom, nice...) so that proc.pid is the server.
        self.proc = subprocess.Popen(list(prefix) + [binary, "serve", "--timings", "--root", root, "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.url_q = queue.Queue()
        self.rebuild_q = queue.Queue()
        self.stderr_tail = []
        self.stdout_tail = []
        self.last_stages = ""
        threading.Thread(target=self._stdout, daemon=True).start()
        threading.Thread(target=self._stderr, daemon=True).start()

    def _stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace")
            self.stdout_tail = (self.stdout_tail + [line])[-10:]
            m = re.search(r"预览地址：(http://[^/\s]+)/", line)
            if m:
                self.url_q.put((time.monotonic(), m.group(1)))
            m = re.search(r"已重新生成（(\d+) 毫秒(?:：([^）]*))?", line)
            if m:
                self.rebuild_q.put(int(m.group(1)))
                self.last_stages = (m.group(2) or "").replace("，", ", ")

    def _stderr(self):
        for raw in self.proc.stderr:
            self.stderr_tail = (self.stderr_tail + [raw.decode("utf-8", "replace")])[-20:]

    def peak_rss_kb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def stop(self):
        cdp.stop(self.proc)


class Events:
    """A minimal SSE reader: timestamps of `event: NAME` lines, by name."""

    def __init__(self, hostport):
        host, port = hostport.replace("http://", "").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=None)
        # The server answers only requests addressed to itself (Host: 127.0.0.1:PORT, no scheme).
        self.sock.sendall(b"GET /__dualprev/events HTTP/1.1\r\nHost: %s:%s\r\nAccept: text/event-stream\r\n\r\n"
                          % (host.encode(), port.encode()))
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            now = time.monotonic()
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.startswith(b"event: "):
                    self.q.put((line[7:].decode().strip(), now))

    def wait(self, name, after, timeout, alive=lambda: True):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not alive():
                return None
            try:
                ev, t = self.q.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if ev == name and t >= after:
                return t
            if ev == "overlay":
                raise RuntimeError("the server reported a build error (overlay event)")

    def drain(self):
        while not self.q.empty():
            self.q.get_nowait()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_idle(pid, limit=300.0):
    """Waits until the process has used (almost) no CPU for 1 s; returns the seconds waited."""
    t0 = time.monotonic()
    quiet_since, last = None, cpu_ticks(pid)
    while time.monotonic() - t0 < limit:
        time.sleep(0.1)
        now = cpu_ticks(pid)
        if now - last <= 1:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 1.0:
                break
        else:
            quiet_since = None
        last = now
    return time.monotonic() - t0


def measure(ev, server, path, make_text, runs, timeout, browser=None, marker=None):
    lat, rebuild, busy, seen = [], [], [], []
    for k in range(runs):
        # Edit only when the server is idle: after the reload event serve may still be working
        # (it builds the search index after telling the pages), and an edit arriving then waits.
        busy.append(round(wait_idle(server.proc.pid) - 1.0, 1))
        ev.drain()
        while not server.rebuild_q.empty():
            server.rebuild_q.get_nowait()
        text = make_text(k)
        t0 = time.monotonic()
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
        t = ev.wait("reload", t0, timeout, alive=lambda: server.proc.poll() is None)
        if browser is not None and t is not None:
            shown = browser.wait_for("document.body !== null && document.body.innerText.indexOf(%s) >= 0"
                                     % json.dumps(marker(k)), timeout)
            if shown is None:
                raise RuntimeError("the page in Chromium did not show %r within %d s" % (marker(k), timeout))
            seen.append((shown - t0) * 1000)
        if t is None:
            raise RuntimeError("no reload event within %d s after editing %s (or the server died); exit status %s; "
                               "stdout tail: %s; stderr tail: %s" % (
                                   timeout, path, server.proc.poll(), "".join(server.stdout_tail),
                                   "".join(server.stderr_tail)))
        lat.append((t - t0) * 1000)
        try:
            rebuild.append(server.rebuild_q.get(timeout=5))
        except queue.Empty:
            pass
    return lat, rebuild, busy, seen


def url_of(root, path):
    """The preview URL path of a Markdown page or an enterprise record."""
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    if rel.startswith("content/"):
        key = rel[len("content/"):]
        key = key[:-len("_index.md")] if key.endswith("_index.md") else key[:-3] + "/"
        return "/" + key
    return "/enterprises/%s/" % os.path.splitext(os.path.basename(rel))[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--page", help="Markdown page to edit (relative to root); default: first generated page")
    ap.add_argument("--record", help="enterprise record to edit (relative to root); default: first record")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--prefix", default="", help="command words put before the server, e.g. 'prlimit --as=N --'")
    ap.add_argument("--chromium", help="also time each edit until the page shows it in this headless Chromium")
    a = ap.parse_args()

    root = os.path.abspath(a.root)
    page = a.page or next(iter(sorted(glob.glob(os.path.join(root, "content", "sec-*", "page-*.md")))), None)
    record = a.record or next(iter(sorted(glob.glob(os.path.join(root, "data", "enterprises", "*.toml")))), None)
    page = os.path.join(root, page) if page and not os.path.isabs(page) else page
    record = os.path.join(root, record) if record and not os.path.isabs(record) else record
    originals = {}
    for p in (page, record):
        if p:
            with open(p, "rb") as f:
                originals[p] = f.read()

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server = Server(a.bin, root, shlex.split(a.prefix))
    ev = None
    result = {"root": root, "page": page, "record": record}
    failed = None
    try:
        end = time.monotonic() + a.timeout
        while True:
            try:
                t_url, hostport = server.url_q.get(timeout=1.0)
                break
            except queue.Empty:
                if time.monotonic() > end or server.proc.poll() is not None:
                    raise RuntimeError("serve printed no 预览地址 within %d s (exit status %s): %s" % (
                        a.timeout, server.proc.poll(), "".join(server.stderr_tail)))
        result["startup_ms"] = round((t_url - server.t_start) * 1000)
        ev = Events(hostport)
        if ev.wait("hello", 0, 30) is None:
            raise RuntimeError("no hello event from /__dualprev/events")
        time.sleep(0.3)  # the server registers the client right after sending hello
        def browser_at(path):
            if not a.chromium:
                return None
            b = cdp.Browser(a.chromium, hostport + url_of(root, path))
            if b.wait_for("document.readyState === 'complete'", 60) is None:
                raise RuntimeError("Chromium did not load " + url_of(root, path))
            time.sleep(0.5)  # the live script connects to the events once the page has loaded
            return b

        # (kind, file, text appended by edit k, what the page then shows, busy-after values to skip:
        # the first page edit follows the start-up, whose busy time is not an edit's)
        edits = [
            ("page", page, lambda k: "\n基准测试追加的第%d句：修改页面后测量预览刷新延迟。\n" % (k + 1),
             lambda k: "基准测试追加的第%d句" % (k + 1), 1),
            ("record", record,
             lambda k: '\n[[red_lines]]\nkind = "人的不安全行为"\ntext = "基准测试追加的第%d条红线：未经审批进入危险区域作业"\n' % (k + 1),
             lambda k: "基准测试追加的第%d条红线" % (k + 1), 0),
        ]
        for kind, path, text, marker, skip_busy in edits:
            if not path:
                continue
            browser = browser_at(path)
            try:
                lat, rb, busy, seen = measure(ev, server, path, text, a.runs, a.timeout, browser, marker)
            finally:
                if browser:
                    browser.close()
            if seen:
                result[kind + "_chromium_ms"] = [round(x, 1) for x in seen]
                result[kind + "_chromium_median_ms"] = round(statistics.median(seen), 1)
            result[kind + "_ms"] = [round(x, 1) for x in lat]
            result[kind + "_median_ms"] = round(statistics.median(lat), 1)
            result[kind + "_rebuild_ms"] = rb
            result[kind + "_stages"] = server.last_stages
            result[kind + "_busy_after_s"] = busy[skip_busy:]
    except RuntimeError as e:
        failed = str(e)
        result["error"] = failed
    finally:
        result["serve_peak_rss_kb"] = server.peak_rss_kb()
        if ev:
            ev.close()
        server.stop()
        for p, data in originals.items():
            with open(p, "wb") as f:
                f.write(data)
    if a.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print("serve startup (first build) %s ms" % result.get("startup_ms"))
        for k in ("page", "record"):
            if k + "_ms" in result:
                print("%s edit -> reload event: median %.1f ms  runs %s  server rebuild %s ms" % (
                    k, result[k + "_median_ms"], result[k + "_ms"], result[k + "_rebuild_ms"]))
            if k + "_chromium_ms" in result:
                print("%s edit -> shown in Chromium: median %.1f ms  runs %s" % (
                    k, result[k + "_chromium_median_ms"], result[k + "_chromium_ms"]))
        print("serve peak RSS %s KB" % result.get("serve_peak_rss_kb"))
    if failed:
        print("error: " + failed, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
