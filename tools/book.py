"""Build the web book of the executed series (``make book``).

Every ``notebooks/NN_*.ipynb`` is executed with nbclient, as the test suite and the benchmarks
run them (kernel working directory ``notebooks/``; quick mode by default, full sizes with
``--full``; ``CS231N_DATA`` and ``CS231N_DATASET`` are passed on to the kernels). A cell that
raises fails the build: the notebook, the cell and the traceback are printed, and no HTML is
written. The executed notebooks and a landing page (``book/index.md`` filled in from README.md:
the notebook table and the benchmark tables, written once, in the README) are staged in a
source folder, and Sphinx renders them with MyST-NB and sphinx-book-theme (``book/conf.py``)
into a static HTML folder that needs no network (MathJax is copied into it).

Command line::

    python -m tools.book                 # quick mode -> _build/book/index.html
    python -m tools.book --full          # full sizes (notebook 06 is meant for a GPU)
    python -m tools.book --jobs 1        # one notebook at a time (default: 2 at a time)
    python -m tools.book --out DIR       # another output folder
    python -m tools.book --only 00,04    # a preview of some notebooks (prefixes or names)
    python -m tools.book --no-execute    # render again what the last build executed

Interactive widgets need a running kernel; the book shows each ``interact`` cell as it first
appeared (its figure or text) with a line naming its controls and their values.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import copy
import datetime
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

from tools.exercises import BEGIN_SOLUTION, END_SOLUTION
from tools.nbio import NOTEBOOK_DIR, REPO_ROOT, notebook_client, notebook_paths

BOOK_DIR = REPO_ROOT / "book"                    # conf.py and the landing page template
DEFAULT_OUT = REPO_ROOT / "_build" / "book"      # the HTML book
README = REPO_ROOT / "README.md"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# The test suite's kernel settings (conftest.py), used in quick mode: one BLAS/OpenMP thread per
# kernel, so that two notebooks executed side by side do not fight over 2 cores.
QUICK_ENV = {"CS231N_QUICK": "1", "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
             "OMP_NUM_THREADS": "1"}


class BookError(RuntimeError):
    """The book cannot be built (a notebook failed, the README lacks a section, ...)."""


# --------------------------------------------------------------------------- execution


def execute(path, timeout=None) -> dict:
    """Execute one notebook in its own folder; returns ``{"name", "seconds", "notebook" | "error"}``.

    ``timeout``: seconds per cell (None: no limit). Runs in a worker process; the kernel gets
    this process's environment.
    """
    import nbclient
    import nbformat

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    client = notebook_client(nb, path, timeout=timeout)
    t0 = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        return {"name": path.name, "seconds": time.perf_counter() - t0,
                "error": f"a cell raised {exc.ename}: {exc.evalue}\n{exc}"}
    except Exception as exc:  # kernel died, cell timeout
        return {"name": path.name, "seconds": time.perf_counter() - t0,
                "error": f"{type(exc).__name__}: {exc}"}
    return {"name": path.name, "seconds": time.perf_counter() - t0, "notebook": nbformat.writes(nb)}


def execute_all(paths, jobs=2, timeout=None, log=print) -> list[dict]:
    """Execute the notebooks, ``jobs`` at a time; raises BookError naming every one that failed."""
    paths = list(paths)
    results = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, min(jobs, len(paths) or 1))) as pool:
        futures = {pool.submit(execute, str(p), timeout): p for p in paths}
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            results[r["name"]] = r
            log(f"  {'FAILED' if 'error' in r else 'executed'} {r['name']} in {r['seconds']:.1f} s")
    failed = [results[p.name] for p in paths if "error" in results[p.name]]
    if failed:
        raise BookError("\n\n".join(f"{r['name']}: {r['error']}" for r in failed)
                        + f"\n\n{len(failed)} notebook(s) failed: "
                        + ", ".join(r["name"] for r in failed) + " (no book was written)")
    return [results[p.name] for p in paths]


# --------------------------------------------------------------------------- widgets


def _widget_tree(state, model_id):
    """The models of a widget and of its children, depth first."""
    model = state.get(model_id)
    if model is None:
        return []
    out = [model]
    for child in model.get("state", {}).get("children", []):
        out += _widget_tree(state, str(child).replace("IPY_MODEL_", ""))
    return out


def snapshot_widgets(nb: dict) -> int:
    """Replace each widget view in ``nb`` (a dict) by what it showed when it was executed.

    An ``interact`` is a box of controls and an Output widget: the book shows a line naming the
    controls and their values, then the Output widget's outputs (a figure, printed text). A
    widget without an Output (a progress bar) keeps its plain-text form. The saved widget state
    is dropped: rendering it would need the widget JavaScript from the network. Returns the
    number of widget views replaced.
    """
    state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    replaced = 0
    for cell in nb["cells"]:
        new = []
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                new.append(out)
                continue
            replaced += 1
            tree = _widget_tree(state, view.get("model_id", ""))
            shown = [o for m in tree if m.get("model_name") == "OutputModel"
                     for o in m.get("state", {}).get("outputs", [])]
            controls = [m["state"] for m in tree if "value" in m.get("state", {})
                        and m.get("model_name") != "OutputModel" and m["state"].get("description")]
            if not shown and not controls:
                plain = {k: v for k, v in out["data"].items() if k != WIDGET_VIEW}
                if plain:
                    new.append({**out, "data": plain})
                continue
            if controls:
                values = ", ".join(f"{c['description']} = {c['value']}" for c in controls)
                note = (f"*Interactive in JupyterLab: move the controls ({values}) to change the "
                        "output. Shown here at these values.*")
                new.append({"output_type": "display_data", "metadata": {},
                            "data": {"text/markdown": note, "text/plain": note.strip("*")}})
            new += copy.deepcopy(shown)
        if "outputs" in cell:
            cell["outputs"] = new
    return replaced


def tidy_answers(nb: dict) -> None:
    """In Markdown cells, the solution markers around an inline question's answer would render
    as headings (and fill the page's table of contents): the answer starts with "Answer:"
    instead. Code cells keep their markers, as comments."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines = "".join(cell["source"]).split("\n")
        lines = ["**Answer:**" if line.strip() == BEGIN_SOLUTION else line
                 for line in lines if line.strip() != END_SOLUTION]
        cell["source"] = "\n".join(lines)


# --------------------------------------------------------------------------- landing page


def readme_section(text: str, heading: str) -> str:
    """The body of the README section whose heading line is ``heading`` (up to the next heading
    of the same or a higher level)."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == heading.strip())
    except StopIteration:
        raise BookError(f"README.md has no heading {heading!r} (book/index.md asks for it)") from None
    body = []
    in_code = False
    for line in lines[start + 1:]:
        if line.startswith("```"):
            in_code = not in_code
        m = re.match(r"(#+) ", line)
        if m and not in_code and len(m.group(1)) <= level:
            break
        body.append(line)
    return "\n".join(body).strip()


def tables(markdown: str) -> str:
    """The Markdown tables in a text (runs of lines that start with ``|``)."""
    blocks, current = [], []
    for line in markdown.splitlines() + [""]:
        if line.lstrip().startswith("|"):
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    return "\n\n".join(blocks)


def fix_links(markdown: str, pages: set[str]) -> str:
    """Keep links to the web and to the notebooks in the book; other links (README anchors,
    repository files) become plain text, so that every link in the book resolves."""
    def repl(m):
        label, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+://", target) or target.split("#")[0] in pages:
            return m.group(0)
        return label
    return re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)", repl, markdown)


def landing_page(template: str, readme: str, pages: set[str], build_info: str) -> str:
    """``book/index.md`` with its ``<!-- README text|tables: HEADING -->`` and
    ``<!-- BUILD INFO -->`` lines filled in."""
    def repl(m):
        body = readme_section(readme, m.group(2))
        if m.group(1) == "tables":
            body = tables(body)
            if not body:
                raise BookError(f"README.md section {m.group(2)!r} has no table (book/index.md asks for one)")
        elif m.group(2).startswith("# "):
            body = body.split("\n## ")[0].strip()   # the title's paragraphs, before the first section
        return fix_links(body, pages)
    page = re.sub(r"<!-- README (text|tables): (#+ [^>]*?) -->", repl, template)
    return page.replace("<!-- BUILD INFO -->", build_info)


def build_info(results, full: bool) -> str:
    data = os.environ.get("CS231N_DATA", "").strip()
    if os.environ.get("CS231N_DATASET", "").strip() == "synthetic":
        source = "the synthetic dataset (CS231N_DATASET=synthetic)"
    elif data:
        source = f"CIFAR-10 from the folder `{Path(data).name}` (CS231N_DATA)"
    else:
        source = "CIFAR-10 from `data/` (the synthetic dataset where it was missing)"
    total = sum(r["seconds"] for r in results)
    rows = "\n".join(f"| {r['name'].removesuffix('.ipynb')} | {r['seconds']:.1f} s |" for r in results)
    mode = "full sizes" if full else "quick mode (`CS231N_QUICK=1`: the sizes CI uses)"
    return (f"This build: executed on {datetime.date.today().isoformat()} in {mode}, on {source}; "
            f"each notebook's first cell says what it loaded. Execution times of this build "
            f"({total:.0f} s in all):\n\n| notebook | executed in |\n| --- | --- |\n{rows}")


# --------------------------------------------------------------------------- build


def stage(results, src: Path, full: bool) -> None:
    """Write the executed notebooks and the landing page into the source folder ``src``."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    for r in results:
        nb = json.loads(r["notebook"])
        snapshot_widgets(nb)
        tidy_answers(nb)
        (src / "notebooks" / r["name"]).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    (src.parent / "build-info.md").write_text(build_info(results, full), encoding="utf-8")
    write_landing_page(src)


def write_landing_page(src: Path) -> None:
    """``src/index.md`` from book/index.md, README.md and the build's notes (build-info.md)."""
    pages = {f"notebooks/{p.name}" for p in notebook_paths(src / "notebooks")}
    template = (BOOK_DIR / "index.md").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    info = (src.parent / "build-info.md").read_text(encoding="utf-8")
    (src / "index.md").write_text(landing_page(template, readme, pages, info), encoding="utf-8")


def sphinx_build(src: Path, out: Path, doctrees: Path, quiet=True) -> None:
    from sphinx.cmd.build import build_main

    args = ["-b", "html", "-c", str(BOOK_DIR), "-d", str(doctrees), "-E", str(src), str(out)]
    if quiet:
        args.insert(0, "-q")
    if build_main(args) != 0:
        raise BookError("sphinx-build failed (see the messages above)")


def select(paths, only: str) -> list[Path]:
    """The notebooks whose names start with one of the comma-separated ``only`` (all if empty)."""
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    chosen = [p for p in paths if not wanted or any(p.name.startswith(w) for w in wanted)]
    unknown = [w for w in wanted if not any(p.name.startswith(w) for p in paths)]
    if unknown:
        raise BookError(f"--only: no notebook starts with {unknown} (have {[p.stem for p in paths]})")
    return chosen


def build(out=DEFAULT_OUT, full=False, jobs=2, notebooks=None, execute_notebooks=True, log=print) -> Path:
    """Execute every notebook and build the book into ``out``; returns ``out/index.html``.

    ``execute_notebooks=False`` renders the notebooks that the previous build into ``out``
    executed (its staged sources), for changes to the landing page or the configuration.
    """
    out = Path(out).resolve()
    work = out.parent / (out.name + "-src")         # staged sources and Sphinx's doctrees
    if not execute_notebooks:
        if not (work / "build-info.md").is_file():
            raise BookError(f"--no-execute: no previous build in {work} to render again")
        t0 = time.perf_counter()
        write_landing_page(work / "src")
        _render(work, out, t0, t0, log)
        return out / "index.html"
    paths = notebook_paths() if notebooks is None else list(notebooks)
    if not paths:
        raise BookError(f"no notebooks/NN_*.ipynb in {NOTEBOOK_DIR}")
    if full:
        os.environ.pop("CS231N_QUICK", None)
    else:
        for k, v in QUICK_ENV.items():
            os.environ.setdefault(k, v)
        os.environ["CS231N_QUICK"] = "1"
    t0 = time.perf_counter()
    log(f"executing {len(paths)} notebooks ({'full sizes' if full else 'quick mode'}, {jobs} at a time)")
    results = execute_all(paths, jobs=jobs, timeout=None if full else 300, log=log)
    t1 = time.perf_counter()
    stage(results, work / "src", full)
    _render(work, out, t0, t1, log)
    return out / "index.html"


def _render(work, out, t0, t1, log):
    log(f"rendering with Sphinx into {out}")
    if out.exists():
        shutil.rmtree(out)
    sphinx_build(work / "src", out, work / "doctrees")
    t2 = time.perf_counter()
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    log(f"book: {out / 'index.html'} ({size / 2**20:.1f} MiB); executing {t1 - t0:.0f} s, "
        f"rendering {t2 - t1:.0f} s, total {t2 - t0:.0f} s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.book", description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="full sizes (default: quick mode, as CI)")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks executed at a time (default 2)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default _build/book)")
    ap.add_argument("--only", default="", help="comma-separated notebook names or prefixes (a preview)")
    ap.add_argument("--no-execute", action="store_true",
                    help="render again the notebooks the previous build executed")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error(f"--jobs must be >= 1, got {args.jobs}")
    try:
        build(args.out, full=args.full, jobs=args.jobs, notebooks=select(notebook_paths(), args.only),
              execute_notebooks=not args.no_execute)
    except BookError as exc:
        msg = str(exc) if sys.stderr.isatty() else re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # colours for a terminal only
        print(f"\nmake book FAILED:\n{msg}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
