"""The read side planners, managers and the roster solver consume: role capacity (three interchangeable
sources), the capacity heatmap, project availability, skill match, find-available and the grid snapshot.

Every aggregate is computed from current data, scoped by a set of department ids (the caller expands a
department to its subtree with `capacity.selectors.department_subtree_ids`), and read through the "capacity"
namespace of ops.cache, which every capacity write bumps (capacity.week_hours.capacity_changed).
"""
