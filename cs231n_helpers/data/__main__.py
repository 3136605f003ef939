"""``python -m cs231n_helpers.data status|download|verify``: see :mod:`cs231n_helpers.data.cli`."""
import sys

from .cli import main

sys.exit(main())
