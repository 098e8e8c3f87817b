"""The edit-rule engine: declarative rules from `config/edit_rules.yaml` (hard = reject,
soft = needs an explanation), evaluated on report frames with the store as history: in-record,
cross-period, Hidiroglou–Berthelot outliers by stratum, completeness and continuity."""

from qinggong.validate.engine import RULE_KINDS, hb_bounds, load_rules, validate_reports

__all__ = ["RULE_KINDS", "hb_bounds", "load_rules", "validate_reports"]
