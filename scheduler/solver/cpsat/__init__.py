"""CP-SAT engine (OR-Tools). See `solve.solve_cpsat`."""

from .solve import solve_cpsat

__all__ = ["solve_cpsat"]
