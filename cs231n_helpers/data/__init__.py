"""CIFAR-10: verified download, offline import, safe loading, CS231n splits, synthetic fallback.

Where data lives: ``$CS231N_DATA`` if set, else the repository's ``data/`` folder; the
loader looks for ``cifar-10-batches-py/`` inside it.

Which dataset: ``CS231N_DATASET=cifar10`` (default; falls back to the synthetic set, loudly,
when CIFAR-10 is neither present nor downloadable) or ``CS231N_DATASET=synthetic``.

Command line::

    python -m cs231n_helpers.data status            # what is there, where
    python -m cs231n_helpers.data download          # fetch + verify + extract (resumes)
    python -m cs231n_helpers.data download --from ~/Downloads/cifar-10-python.tar.gz
    python -m cs231n_helpers.data verify            # md5 of the archive and sanity of the batches

One module per concern; everything is importable from here:

- :mod:`.cifar10`: the format on disk - folder and file names, the restricted unpickler,
  ``load_batch``, ``load_cifar10`` (uint8), ``class_names``;
- :mod:`.official`: CS231n's ``data_utils`` with the official behaviour - ``load_pickle``
  (restricted), ``load_CIFAR_batch`` and ``load_CIFAR10`` (float64), ``get_CIFAR10_data``
  (the official dict, NCHW float64, mean subtracted);
- :mod:`.synthetic`: ``make_synthetic``, the offline fallback;
- :mod:`.loading`: ``Dataset``, ``load_dataset`` (the one selector, loud about the fallback)
  and ``get_cifar10_data`` (CS231n-style splits);
- :mod:`.download`: ``download_cifar10`` - a resumable, md5-verified download or a local
  tarball, and safe extraction;
- :mod:`.cli`: ``status``, ``verify`` and ``main``, the command line.
"""
from .cifar10 import (BATCH_FILES, CLASS_NAMES, FOLDER, FULL_TEST, FULL_TRAIN, META_FILE, TEST_FILE,
                      TRAIN_FILES, DataError, cifar10_folder, cifar10_present, class_names, data_root,
                      is_full_size, load_batch, load_cifar10, require_cifar10, restricted_load, safe_unpickle)
from .cli import main, status, verify
from .download import (ARCHIVE_NAME, CIFAR10_MD5, CIFAR10_SIZE, CIFAR10_URL, download_archive,
                       download_cifar10, md5sum, safe_extract)
from .official import get_CIFAR10_data, load_CIFAR10, load_CIFAR_batch, load_pickle
from .loading import SYNTHETIC_NOTICE, Dataset, dataset_choice, get_cifar10_data, load_dataset
from .synthetic import SYNTHETIC_CLASS_NAMES, make_synthetic

__all__ = [
    # the format on disk
    "FOLDER", "TRAIN_FILES", "TEST_FILE", "BATCH_FILES", "META_FILE", "CLASS_NAMES", "FULL_TRAIN",
    "FULL_TEST", "DataError", "data_root", "is_full_size", "restricted_load", "safe_unpickle", "load_batch",
    "cifar10_folder", "cifar10_present", "require_cifar10", "load_cifar10", "class_names",
    # CS231n's data_utils, official behaviour
    "load_pickle", "load_CIFAR_batch", "load_CIFAR10", "get_CIFAR10_data",
    # the synthetic set
    "SYNTHETIC_CLASS_NAMES", "make_synthetic",
    # loading and splits
    "Dataset", "SYNTHETIC_NOTICE", "dataset_choice", "load_dataset", "get_cifar10_data",
    # download
    "CIFAR10_URL", "CIFAR10_MD5", "CIFAR10_SIZE", "ARCHIVE_NAME", "md5sum", "download_archive",
    "safe_extract", "download_cifar10",
    # command line
    "status", "verify", "main",
]
