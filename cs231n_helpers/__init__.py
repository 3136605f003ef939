"""cs231n_helpers: the one small package behind the CS231n course companion notebooks.

Building blocks, generated from the notebooks' ``#| export`` cells by ``make export`` (edit the
notebook, not the module; every block names the notebook cell it came from): ``knn`` (01),
``linear_classifier``, ``toy2d`` (02), ``layers``, ``optim``, ``fc_net`` (03), ``conv_layers``
(04), ``pooling``, ``cnn`` (05), ``torch_models``, ``torch_train`` (06), ``visualize``
(07), ``augment``, ``transfer`` (08).

Support code, written by hand once and imported by the notebooks, the tests and the benchmarks:

* ``config`` (quick mode, paths, seeds), ``data`` (CIFAR-10: format, verified download,
  loading, the synthetic fallback), ``device``, ``timing``, ``parallel`` (chunks of a batch on
  every core);
* ``validation`` (arguments checked at the boundary), ``reference`` (PyTorch oracles),
  ``gradcheck``, ``checks`` (verdicts and hints) and ``feedback`` (each exercise's check, with
  the classic mistakes it recognises);
* ``solver`` (the Solver of notebook 03), ``checkpoints``, ``progress`` (LivePlot),
  ``torch_bench`` (benchmark_epoch), ``train_cli`` (the training command line),
  ``plotting``, ``utils`` (add_to_class);
* for the official CS231n assignments (the README's "Beside the official assignments"):
  ``data.official`` (``data_utils``'s names and float64 results), ``persist`` (``save(fname)``
  / ``load(fname)`` of the classifiers, npz, no pickle), ``features`` (HOG and hue histograms).

The authoring tools (export, hygiene, student versions) live in the repository's ``tools/``
folder, not in the package.
"""

__version__ = "0.1.0"
