"""Imported once by each training worker (and by the forkserver that forks them), before any series.

Prophet takes about 1.3 s to import and statsmodels' ETS most of a second more; a worker that imported them
lazily would pay that inside its first series.

The objects those imports leave (about 140,000 the garbage collector tracks) are then frozen (``gc.freeze``,
as Python's documentation suggests before forking): they live as long as the process, and every full
collection in a worker walked them all again, and wrote to each one's header, copying the forkserver's
pages into each worker. Measured over 30 series in one process: 0.131 s in the collector, 0.043 s frozen;
with 2 workers, 250,000 -> 237,000 minor page faults a retrain.
"""

import gc
import sys

# Prophet imports matplotlib for its plots whenever it can (a quarter of the whole import: 1.3 s of 5.3 s
# measured with -X importtime); a training worker never plots, and a None entry makes that import fail fast,
# which Prophet handles by leaving plotting off. Only when nothing in this process has imported it already.
sys.modules.setdefault("matplotlib", None)

from .ets_speedups import LeanETSModel  # noqa: E402,F401
from .prophet_model import load_prophet  # noqa: E402

load_prophet()

from . import train  # noqa: E402,F401  (imported here so that its modules are frozen too)

gc.collect()  # what is garbage now is not frozen with the rest
gc.freeze()
