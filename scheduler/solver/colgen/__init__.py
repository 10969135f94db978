"""Column generation over individual rows (pricing by labeling, HiGHS master, diving), no Django.

from scheduler.solver.colgen import solve_colgen, unsupported_rules
"""

from .solve import solve_colgen, unsupported_rules

__all__ = ["solve_colgen", "unsupported_rules"]
