"""The web book (`make book`, tools/book.py) opened in a real browser.

A module fixture builds the book once, in quick mode, into a temporary folder (or takes a
built one from ``CS231N_BOOK=path/to/book``: ``make book`` writes ``_build/book``), and serves
it on 127.0.0.1 as a teacher's web host would. Headless Chromium (tests/_browser.py) opens
every page and checks what a reader sees: the math typeset by the bundled MathJax (no raw
TeX left in the text), every figure loaded, no error output, nothing fetched from outside the
book; search finds "im2col". Every internal link of every HTML file resolves to a file and
anchor of the book. Two tests without a browser check the builder itself: a cell that raises
fails the build and names the notebook; widgets are shown as they first appeared.
"""
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import _browser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tools import book as bk  # noqa: E402
from tools import nbio  # noqa: E402

NOTEBOOKS = bk.notebook_paths()
PAGES = ["index"] + [f"notebooks/{p.stem}" for p in NOTEBOOKS]
# raw TeX that MathJax should have replaced (outside code blocks and cell outputs)
RAW_TEX = re.compile(r"\\(frac|sum|mathbf|begin\{|left|right|cdot|partial|sqrt)\b|\$\$|\$[^$\s][^$\n]{0,200}\$"
                     r"|\\\(|\\\[")


try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the tests skip (tests/_browser.py says why)
    PlaywrightError = Exception


def _needs_book_tools():
    try:
        import myst_nb  # noqa: F401
        import sphinx_book_theme  # noqa: F401
    except ImportError:
        _browser._unavailable("the book's tools are not installed: pip install -e '.[book]'")


@pytest.fixture(scope="module")
def chromium():
    # module scope: Playwright's sync API runs an asyncio loop until it is closed, which would
    # break asyncio.run (and the next sync_playwright) in every test after this module
    with _browser.browser() as b:
        yield b


@pytest.fixture(scope="module")
def book_dir(tmp_path_factory, chromium):
    """The built book: $CS231N_BOOK, or built here once in quick mode (the costly step)."""
    given = os.environ.get("CS231N_BOOK")
    if given:
        out = Path(given).resolve()
        assert (out / "index.html").is_file(), f"CS231N_BOOK={given}: no index.html there"
        return out
    _needs_book_tools()
    out = tmp_path_factory.mktemp("book") / "book"
    proc = subprocess.run([sys.executable, "-m", "tools.book", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"make book failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return out


@pytest.fixture(scope="module")
def base_url(book_dir):
    handler = functools.partial(_QuietHandler, directory=str(book_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _open(chromium, url):
    """A new page at ``url``, with what it requested and what went wrong while loading."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    seen = {"requests": [], "failed": [], "js_errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("favicon.ico")
            and seen["failed"].append(f"{r.url} (HTTP {r.status})"))
    page.on("pageerror", lambda e: seen["js_errors"].append(str(e)))
    page.goto(url, wait_until="load")
    return page, seen


# JavaScript run in each page: load every image (lazy ones too), then report what it shows.
_INSPECT = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  const article = document.querySelector('article') || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll('pre, code, script, style, mjx-container, .cell_output, .highlight')
       .forEach(e => e.remove());
  const maths = [...article.querySelectorAll('.math')];
  const outputs = [...article.querySelectorAll('.cell_output')];
  return {
    images: imgs.map(i => ({src: i.getAttribute('src').slice(0, 80), ok: i.complete && i.naturalWidth > 0})),
    figures: article.querySelectorAll('.cell_output img').length,
    prose: prose.textContent,
    math: maths.length,
    math_untypeset: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
    math_errors: [...article.querySelectorAll('mjx-merror')].map(m => m.textContent.slice(0, 80)),
    error_outputs: article.querySelectorAll('.output.traceback, .output.error, .cell_output .traceback').length,
    tracebacks: outputs.filter(o => /Traceback \\(most recent call last\\)/.test(o.textContent)).length,
    title: document.title,
  };
}"""


def _figures_in_notebook(book_dir, page):
    """Image outputs of the executed notebook behind ``page`` (None when the build's staged
    sources are not beside it)."""
    src = book_dir.parent / (book_dir.name + "-src") / "src" / f"{page}.ipynb"
    if not src.is_file():
        return None
    nb = json.loads(src.read_text(encoding="utf-8"))
    return sum(1 for c in nb["cells"] for o in c.get("outputs", [])
               if any(k.startswith("image/") for k in o.get("data", {})))


def _has_tex(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return any(re.search(r"\$[^$\n]+\$", "".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("page_name", PAGES)
def test_page_as_a_reader_sees_it(chromium, base_url, book_dir, page_name):
    page, seen = _open(chromium, f"{base_url}{page_name}.html")
    try:
        mathjax = "no math on the page"
        if page.locator(".math").count():
            # MathJax (served from the book's _static/mathjax) typesets when the page is ready
            try:
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                       timeout=30_000)
                page.evaluate("() => MathJax.startup.promise")
                mathjax = "loaded"
            except PlaywrightError as exc:
                mathjax = f"MathJax did not start within 30 s ({type(exc).__name__})"
        info = page.evaluate(_INSPECT)
    finally:
        page.close()
    problems = []
    outside = [u for u in seen["requests"] if not u.startswith(base_url) and not u.startswith("data:")]
    if outside:
        problems.append(f"fetched from outside the book (the book must work offline): {outside[:5]}")
    if seen["failed"]:
        problems.append(f"failed to load: {seen['failed'][:5]}")
    if seen["js_errors"]:
        problems.append(f"JavaScript errors: {seen['js_errors'][:3]}")
    if mathjax not in ("loaded", "no math on the page"):
        problems.append(mathjax)
    if info["math_untypeset"] or info["math_errors"]:
        problems.append(f"math not typeset: {info['math_untypeset'][:3]}; MathJax errors: {info['math_errors'][:3]}")
    raw = sorted({m.group(0) for m in RAW_TEX.finditer(info["prose"])})
    if raw:
        problems.append(f"raw TeX left in the text: {raw[:8]}")
    broken = [i["src"] for i in info["images"] if not i["ok"]]
    if broken:
        problems.append(f"{len(broken)} image(s) did not load: {broken[:3]}")
    if info["error_outputs"] or info["tracebacks"]:
        problems.append(f"error output: {info['error_outputs']} error cell(s), {info['tracebacks']} traceback(s)")
    if page_name.startswith("notebooks/"):
        expected = _figures_in_notebook(book_dir, page_name)
        if expected is not None and info["figures"] < expected:
            problems.append(f"{info['figures']} figures shown, the executed notebook has {expected}")
        if info["math"] == 0 and _has_tex(ROOT / f"{page_name}.ipynb"):
            problems.append("no typeset math on the page, but the notebook's Markdown has $...$")
    assert not problems, f"{page_name}.html ({info['title']}):\n  " + "\n  ".join(problems)


def test_search_finds_im2col(chromium, base_url):
    page, seen = _open(chromium, f"{base_url}search.html?q=im2col")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=60_000)
        hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
    finally:
        page.close()
    assert any("04_conv_layer" in h for h in hrefs), f"search for im2col found {hrefs}"


def test_landing_page_has_the_readme_tables(chromium, base_url):
    """The notebook table and the benchmark tables come from README.md, with working links."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"\]\(notebooks/(\d\d_\w+)\.ipynb\)", bk.tables(bk.readme_section(readme, "## The notebooks")))
    rows = [r.split("|") for r in bk.tables(bk.readme_section(readme, "### Latest results")).splitlines()
            if r.startswith("|") and not r.startswith("| ---")]
    bench_cells = [r[2].strip() for r in rows[1:] if len(r) > 3]   # the "variant" column
    page, _ = _open(chromium, base_url + "index.html")
    try:
        links = page.eval_on_selector_all("article a", "els => els.map(e => e.getAttribute('href'))")
        nav = page.eval_on_selector_all("nav.bd-links a", "els => els.map(e => e.getAttribute('href'))")
        text = page.inner_text("article")
    finally:
        page.close()
    assert listed, "README's notebook table links no notebook"
    missing = [n for n in listed if f"notebooks/{n}.html" not in links]
    assert not missing, f"the landing page's notebook table does not link {missing}"
    unlisted = [p.stem for p in NOTEBOOKS if not any(h.endswith(f"notebooks/{p.stem}.html") for h in nav)]
    assert not unlisted, f"the navigation lacks {unlisted}"
    assert bench_cells and all(c in text for c in bench_cells), "the benchmark table is missing"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        ref = a.get("href") if tag in ("a", "link") else a.get("src") if tag in ("img", "script") else None
        if ref:
            self.refs.append(ref)


def test_every_internal_link_resolves(book_dir):
    parsed = {}
    for f in book_dir.rglob("*.html"):
        if "_static" in f.relative_to(book_dir).parts:   # the theme's template macros, not pages
            continue
        p = _Links()
        p.feed(f.read_text(encoding="utf-8", errors="replace"))
        parsed[f.resolve()] = p
    assert len(parsed) >= len(PAGES)
    broken = []
    for f, p in parsed.items():
        for ref in p.refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc or ref in ("#", "") or ref.startswith("javascript:"):
                continue
            target = (f.parent / unquote(parts.path)).resolve() if parts.path else f
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{f.relative_to(book_dir)}: {ref} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if target not in parsed:
                    continue
                if unquote(parts.fragment) not in parsed[target].ids:
                    broken.append(f"{f.relative_to(book_dir)}: {ref} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal link(s):\n  " + "\n  ".join(sorted(set(broken))[:30])


def test_a_failing_cell_fails_the_build_and_names_the_notebook(tmp_path):
    """No browser needed: the builder's execution step on a notebook whose second cell raises."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3",
          "display_name": "Python 3", "language": "python"}}, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "x = 1"},
        {"cell_type": "code", "id": "b", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "x / 0"}]}
    path = tmp_path / "99_broken.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(bk.BookError) as err:
        bk.execute_all([path], jobs=1, timeout=60, log=lambda *a: None)
    msg = str(err.value)
    assert "99_broken.ipynb" in msg and "ZeroDivisionError" in msg and "x / 0" in msg, msg


def test_widgets_are_shown_as_they_first_appeared():
    """An interact's view becomes a line naming its controls, then its Output widget's figure."""
    png = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_k", "IPY_MODEL_out"]}},
        "k": {"model_name": "IntSliderModel", "state": {"description": "k", "value": 7}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [png]}},
        "bar": {"model_name": "FloatProgressModel", "state": {"value": 1.0}},
    }
    view = {"output_type": "display_data", "metadata": {}, "data": {
        bk.WIDGET_VIEW: {"model_id": "box"}, "text/plain": "interactive(children=...)"}}
    bar = {"output_type": "display_data", "metadata": {}, "data": {
        bk.WIDGET_VIEW: {"model_id": "bar"}, "text/plain": "100%"}}
    nb = {"metadata": {"widgets": {bk.WIDGET_STATE: {"state": state}}},
          "cells": [{"cell_type": "code", "outputs": [view]}, {"cell_type": "code", "outputs": [bar]},
                    {"cell_type": "markdown", "source": "text"}]}
    assert bk.snapshot_widgets(nb) == 2
    first, second = nb["cells"][0]["outputs"], nb["cells"][1]["outputs"]
    assert "k = 7" in first[0]["data"]["text/markdown"] and first[1] == png
    assert second == [{"output_type": "display_data", "metadata": {}, "data": {"text/plain": "100%"}}]
    assert "widgets" not in nb["metadata"]


def test_inline_answers_are_not_headings():
    """The solution markers of a Markdown answer would render as headings; the book drops them."""
    nb = {"cells": [{"cell_type": "markdown", "source": ["**Inline question.** Why?\n", "\n",
                     "### BEGIN SOLUTION\n", "Because.\n", "### END SOLUTION"]},
                    {"cell_type": "code", "source": "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"}]}
    bk.tidy_answers(nb)
    assert nb["cells"][0]["source"] == "**Inline question.** Why?\n\n**Answer:**\nBecause."
    assert nb["cells"][1]["source"] == "### BEGIN SOLUTION\nx = 1\n### END SOLUTION"


def test_kernel_channels_are_polled_in_short_slices():
    """The workaround for nbclient's stall after widget cells: a wait of `timeout` seconds is made
    of polls of at most `step` seconds, so a message that a running poll missed is seen by the
    next one; with nothing to receive, Empty still comes after the whole timeout."""
    import asyncio
    import concurrent.futures
    from queue import Empty

    class FakeChannel:
        def __init__(self, ready_at_call):
            self.calls, self.ready_at_call = [], ready_at_call

        async def get_msg(self, timeout=None):
            self.calls.append(timeout)
            await asyncio.sleep(timeout)
            if len(self.calls) == self.ready_at_call:
                return {"msg_type": "execute_reply"}
            raise Empty

    def run(coro):  # in a thread of its own: the browser tests' Playwright loop may run in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    ch = FakeChannel(ready_at_call=3)
    nbio.poll_in_slices(ch, step=0.01)
    assert run(ch.get_msg(timeout=60)) == {"msg_type": "execute_reply"}
    assert len(ch.calls) == 3 and all(t <= 0.01 for t in ch.calls)
    ch = FakeChannel(ready_at_call=3)
    nbio.poll_in_slices(ch, step=0.01)
    assert run(ch.get_msg(timeout=None)) == {"msg_type": "execute_reply"}
    never = FakeChannel(ready_at_call=-1)
    nbio.poll_in_slices(never, step=0.01)
    with pytest.raises(Empty):
        run(never.get_msg(timeout=0.05))
    assert len(never.calls) >= 5 and all(t <= 0.01 for t in never.calls)
