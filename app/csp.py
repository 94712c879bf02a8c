#!/usr/bin/env python3
"""Puts the Content-Security-Policy on the built pages (run by `./dev build` after trunk).

Trunk injects one inline `<script type="module">` per page (the loader that starts the wasm); its
text changes with every build's hashed file names, so its SHA-256 is computed here from the built
file and allowed by hash. Every other script is a file. The policy goes

- into each page as a `<meta http-equiv="Content-Security-Policy">`, first in `<head>` so that it
  covers everything after it (without `frame-ancestors`, which browsers ignore in a meta tag
  and log an error for), and
- into `dist/csp.json` (page path -> policy with `frame-ancestors 'none'`), which the server
  (`tests/e2e/server.mjs`, `./dev serve`) sends as the header of each page.

Usage: python3 app/csp.py app/dist   (the field app's dist; its department/ page too)
"""

import base64
import hashlib
import json
import pathlib
import re
import sys

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
EXISTING_META = re.compile(r'\s*<meta http-equiv="Content-Security-Policy"[^>]*>', re.I)

BASE = [
    "default-src 'self'",
    None,  # script-src, with the hashes of the page's inline scripts
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
]


def policy(html):
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]
    script_src = " ".join(["script-src 'self' 'wasm-unsafe-eval'", *hashes])
    return "; ".join(script_src if part is None else part for part in BASE), len(hashes)


def main(dist):
    dist = pathlib.Path(dist)
    headers = {}
    for page in [dist / "index.html", dist / "department" / "index.html"]:
        if not page.exists():
            continue
        html = EXISTING_META.sub("", page.read_text(encoding="utf-8"))
        meta_policy, count = policy(html)
        if count != 1:
            sys.exit(f"{page}: expected trunk's one inline loader script, found {count} inline scripts")
        meta = f'<meta http-equiv="Content-Security-Policy" content="{meta_policy}">'
        html = re.sub(r"(<head[^>]*>)", lambda m: m.group(1) + "\n  " + meta, html, count=1, flags=re.I)
        page.write_text(html, encoding="utf-8")
        path = "/" + page.relative_to(dist).as_posix()
        headers[path] = meta_policy + "; frame-ancestors 'none'"
        print(f"  CSP on {path}: {count} inline script allowed by hash", file=sys.stderr)
    (dist / "csp.json").write_text(json.dumps(headers, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "app/dist")
