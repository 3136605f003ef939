"""Inject a classic mistake into a notebook's solution, for the tests of the exercise hints.

A hint that names a mistake is only worth something if the check really recognises that
mistake. The tests prove it: they take the solution as the notebook has it, change one piece
of it the way a learner would get it wrong (``+=`` written as ``=``, a forgotten ``/ N``, ...),
rebuild the module that the notebook exports from the changed notebook (with the same code
that ``make export`` uses) and run the exercise's check on it::

    mod = module_with_mistake("04_conv_layer", "dx_pad[n, :, rows, cols] +=", "dx_pad[n, :, rows, cols] =")
    with pytest.raises(CheckFailed, match="windows overlap"):
        feedback.conv.check_conv_backward_naive(mod.conv_forward_naive, mod.conv_backward_naive)

The replacement must occur inside a solution region (``### BEGIN SOLUTION`` ...
``### END SOLUTION``), exactly ``count`` times: a test whose mistake no longer matches the
solution fails loudly instead of silently testing the right code.
"""
from __future__ import annotations

import copy
import itertools
import sys
import types
from pathlib import Path

from tools.exercises import find_notebooks, parse_regions
from tools.export import collect_notebook, export_targets
from tools.nbio import like, read, text

_counter = itertools.count()


def _notebook(name) -> tuple[dict, str]:
    (path,) = find_notebooks([name])
    return read(path), Path(path).name


def notebook_with_mistake(notebook, old: str, new: str, count: int = 1) -> tuple[dict, str, list[int]]:
    """(changed notebook, file name, indices of the changed cells): ``old`` -> ``new`` inside the
    solution regions of ``notebook`` (a name such as ``"04_conv_layer"`` or a unique prefix)."""
    nb, name = _notebook(notebook)
    nb = copy.deepcopy(nb)
    found, changed = 0, []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        src = text(cell.get("source"))
        pieces, hit = [], False
        for kind, lines in parse_regions(src, f"{name} cell {i}: "):
            chunk = "".join(lines)
            if kind == "solution" and old in chunk:
                found += chunk.count(old)
                chunk = chunk.replace(old, new)
                hit = True
            pieces.append(chunk)
        if hit:
            cell["source"] = like(cell.get("source"), "".join(pieces))
            changed.append(i)
    if found != count:
        raise ValueError(f"{name}: {old!r} occurs {found} time(s) in the solution regions, expected {count}: "
                         "the test's mistake no longer matches the solution; update the test")
    return nb, name, changed


def module_with_mistake(notebook, old: str, new: str, count: int = 1, module: str | None = None) -> types.ModuleType:
    """The module exported by ``notebook``, built from its solution with ``old`` replaced by ``new``.

    ``module`` picks the generated module when the notebook exports several (default: the
    module of the changed cell). The result is a fresh module object, not registered in
    ``sys.modules``; the real package is untouched.
    """
    nb, name, changed = notebook_with_mistake(notebook, old, new, count)
    sources = collect_notebook(nb, name)
    if module is None:
        targets = export_targets(nb)
        owners = {targets[i] for i in changed if i in targets}
        if len(owners) != 1:
            raise ValueError(f"{name}: the changed cells {changed} belong to modules {sorted(owners)}; pass module=")
        module = owners.pop()
    mod = types.ModuleType(f"cs231n_helpers._with_mistake_{module}_{next(_counter)}")
    mod.__file__ = f"<{name} with a mistake>"
    code = compile(sources[module], mod.__file__, "exec")
    sys.modules[mod.__name__] = mod  # dataclasses and pickling look a module up by name
    try:
        exec(code, mod.__dict__)
    finally:
        sys.modules.pop(mod.__name__, None)
    return mod


def cell_with_mistake(notebook, old: str, new: str, count: int = 1) -> str:
    """The source of the one cell of ``notebook`` whose solution holds ``old``, with ``new``
    instead: for exercises that live in a plain (not exported) cell."""
    nb, _, changed = notebook_with_mistake(notebook, old, new, count)
    if len(changed) != 1:
        raise ValueError(f"{old!r} changes {len(changed)} cells, expected one")
    return text(nb["cells"][changed[0]]["source"])
