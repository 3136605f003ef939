"""The exercise checks of the notebooks, with hints that name the classic mistakes.

One module per notebook topic (``knn`` for 01, ``linear`` for 02, ``backprop`` for 03, ``conv``
for 04, ``pooling`` and ``norm`` (spatial batch and group normalization) for 05, ``torch_nets``
for 06, ``cnn_vis`` for 07, ``transfer`` for 08). Each exercise has one check function, ``check_<exercise>(...)``, that takes the
learner's function(s) - the ones defined in the notebook, not the package's - runs them on fixed
inputs and compares with a reference (CS231n's printed numbers, numeric gradients, PyTorch
through :mod:`cs231n_helpers.reference`).
The notebook's check cell is one call::

    check_conv_forward_naive(conv_forward_naive)

It prints one ``✓`` line per property checked and a verdict, or raises
:class:`~cs231n_helpers.checks.CheckFailed` whose hint names the mistake it recognised: every
check lists the classic mistakes of its exercise as :class:`~cs231n_helpers.checks.Mistake`
objects (what the mistaken code would output on the same inputs, or a test on the output).
A stub that still raises ``NotImplementedError`` is reported as "not implemented yet".

The tests (``tests/test_hints_*.py``) inject each mistake into the notebook's solution with
:mod:`tools.inject` and assert that the check fails and names it.
"""
