"""cs231n_helpers: the one small package behind the CS231n course companion notebooks.

Infrastructure (hand-written): ``config`` (quick mode, paths, seeds), ``data`` (CIFAR-10
download/verify/load, synthetic fallback), ``gradcheck``, ``checks`` (exercise verdicts),
``plotting``, ``timing``, ``device``, ``export`` (notebook -> module), ``exercises``
(student versions).

Building blocks (generated from the notebooks by ``python -m cs231n_helpers.export``; edit
the notebook, not the module): ``knn`` (01), ``linear_classifier`` (02), ``layers``,
``optim``, ``solver``, ``fc_net`` (03), ``conv_layers`` (04), ``pooling``, ``cnn`` (05),
``torch_models`` / ``torch_train`` (06).
"""

__version__ = "0.1.0"
