"""Sphinx configuration of the web book (`make book`, see tools/book.py).

tools/book.py executes the notebooks and stages them with the landing page in a source folder;
this file only says how to render them: MyST-NB reads the executed notebooks (it executes
nothing itself), sphinx-book-theme lays them out, and MathJax is served from the book itself.
"""
import importlib.util
from pathlib import Path

project = "CS231n course companion"
author = "the CS231n course companion authors"
html_title = "CS231n course companion"
copyright = "the CS231n course companion authors"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# --- notebooks: already executed by tools/book.py (a cell error has failed the build there)
nb_execution_mode = "off"
nb_merge_streams = True          # one output block per cell, as JupyterLab shows it
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True  # $$...$$ inside a paragraph, as JupyterLab renders it
myst_heading_anchors = 3         # links to a notebook's sections (#heading-slug) resolve
# the notebooks are written for reading in order; a heading that skips a level is no error
suppress_warnings = ["myst.header"]

# --- theme: navigation (the sidebar lists every notebook), search, a download button
html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
}
html_show_sourcelink = False
html_last_updated_fmt = ""        # the build date (tools/book.py also prints it on the landing page)

# --- math without a network: MathJax 3 from the sphinx-mathjax-offline wheel (PyPI), copied
# into the book. Only what tex-chtml needs at run time: the component, the TeX extensions it
# loads on demand, its fonts, and the accessibility menu with the English speech rules
# (the wheel's 24 MB become about 3 MB).
mathjax_path = "mathjax/tex-chtml.js"
MATHJAX_FILES = ("tex-chtml.js", "input/tex/extensions", "output/chtml/fonts", "a11y", "ui",
                 "sre/mathmaps/base.json", "sre/mathmaps/en.json", "sre/mathmaps/nemeth.json")


def _mathjax_dir():
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError("the book needs MathJax from the sphinx-mathjax-offline package: "
                           "pip install -e '.[book]'")
    return Path(spec.origin).parent / "static" / "mathjax"


def _copy_mathjax(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    from sphinx.util.fileutil import copy_asset

    src, dest = _mathjax_dir(), Path(app.outdir) / "_static" / "mathjax"
    for rel in MATHJAX_FILES:
        target = dest / rel
        if (src / rel).is_dir():
            copy_asset(str(src / rel), str(target))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_asset(str(src / rel), str(target.parent))


def setup(app):
    _mathjax_dir()  # fail at once, before any rendering, when MathJax is missing
    app.connect("build-finished", _copy_mathjax)
