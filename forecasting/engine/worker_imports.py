"""Imported once by each training worker (and by the forkserver that forks them), before any series.

Prophet takes about 1.3 s to import and statsmodels' ETS most of a second more; a worker that imported them
lazily would pay that inside its first series.
"""

import sys

# Prophet imports matplotlib for its plots whenever it can (a quarter of the whole import: 1.3 s of 5.3 s
# measured with -X importtime); a training worker never plots, and a None entry makes that import fail fast,
# which Prophet handles by leaving plotting off. Only when nothing in this process has imported it already.
sys.modules.setdefault("matplotlib", None)

from .ets_speedups import LeanETSModel  # noqa: E402,F401
from .prophet_model import load_prophet  # noqa: E402

load_prophet()
