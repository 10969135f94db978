"""The capacity aggregates over HTTP: reports/* and the bulk edit of assignment hours."""
