"""Statistical disclosure control for published enterprise aggregates.

Primary suppression (fewer than `min_count` enterprises, (n,k) dominance, p% rule), secondary
suppression along the industry hierarchy, the region hierarchy and 累计 = 上月累计 + 当月 by a
linked-table heuristic (every relation holds zero or at least two suppressed cells, with
complements large enough for the protection margin), then verification by linear programming:
for each sensitive cell an attacker's minimum and maximum given every published cell
(scipy.optimize.linprog / HiGHS) must lie outside the protection interval. Flags are SDMX
CL_CONF_STATUS codes. Parameters come from config/disclosure.yaml and are never printed.
"""

from qinggong.disclose.suppress import (
    CONF_LABELS,
    Protection,
    build_relations,
    feasible_intervals,
    primary_suppression,
    protect_cells,
)
from qinggong.disclose.publish import enterprise_observations, publish_enterprise_aggregates, public_table

__all__ = [
    "CONF_LABELS",
    "Protection",
    "build_relations",
    "enterprise_observations",
    "feasible_intervals",
    "primary_suppression",
    "protect_cells",
    "public_table",
    "publish_enterprise_aggregates",
]
