#!/usr/bin/env python3
"""Turn the Markdown pages of a generated dualprev site into a minimal Hugo site.

    to_hugo.py SITE HUGO_DIR

Copies SITE/content/**/*.md to HUGO_DIR/content/ unchanged except for links: `@/a/b.md#x` becomes a
plain relative link to Hugo's URL of that page (`../../a/b/#x`). The `+++` TOML front matter
(title, weight, description) is read by Hugo as it is. Adds hugo.toml and three layouts
(_default/baseof.html, single.html with a table of contents, list.html listing the section's pages).
data/ (enterprise records) has no Hugo equivalent and is not copied.
"""

import os
import re
import shutil
import sys

LINK = re.compile(r"\]\(@/([^)#\s]+?)\.md(#[^)\s]*)?\)")

CONFIG = '''baseURL = "https://example.org/lianshan/"
languageCode = "zh-CN"
title = "连山镇工贸企业双重预防机制（基准测试）"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderer]
unsafe = true
'''

BASEOF = '''<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ .Site.Title }}</title>
<meta name="description" content="{{ .Description }}">
</head>
<body>
<header><a href="{{ relURL "" }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
'''

SINGLE = '''{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<nav>{{ .TableOfContents }}</nav>
{{ .Content }}
</article>
<nav>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">上一篇：{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">下一篇：{{ .Title }}</a>{{ end }}
</nav>
{{ end }}
'''

LIST = '''{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
{{ range .Pages.ByWeight }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Description }}</li>{{ end }}
</ul>
{{ end }}
'''


def url_key(rel):
    """content path -> URL path without leading slash: a/b.md -> a/b/, a/_index.md -> a/."""
    stem = rel[:-3]
    if stem == "_index":
        return ""
    if stem.endswith("/_index"):
        return stem[: -len("_index")]
    return stem + "/"


def main():
    site, out = sys.argv[1], sys.argv[2]
    if os.path.exists(out):
        shutil.rmtree(out)
    src_root = os.path.join(site, "content")
    n = 0
    for dirpath, _, files in os.walk(src_root):
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), src_root).replace(os.sep, "/")
            up = "../" * url_key(rel).count("/")
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                text = f.read()
            text = LINK.sub(lambda m: "](%s%s%s)" % (up, url_key(m.group(1) + ".md"), m.group(2) or ""), text)
            dest = os.path.join(out, "content", rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as f:
                f.write(text)
            n += 1
    layouts = os.path.join(out, "layouts", "_default")
    os.makedirs(layouts)
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST)):
        with open(os.path.join(layouts, name), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(out, "hugo.toml"), "w", encoding="utf-8") as f:
        f.write(CONFIG)
    print("hugo site %s: %d Markdown files" % (out, n), file=sys.stderr)


if __name__ == "__main__":
    main()
