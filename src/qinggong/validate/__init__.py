"""The edit-rule engine: declarative rules from `config/edit_rules.yaml` (hard = reject,
soft = needs an explanation), evaluated on report frames with the store as history: in-record,
cross-period, Hidiroglou–Berthelot outliers by stratum, completeness and continuity, and the
in-record and cross-period rules of the product rows (主要产品产量)."""

from qinggong.validate.engine import (
    RULE_KINDS,
    hb_bounds,
    load_rules,
    prepare_validation,
    validate_products,
    validate_reports,
)

__all__ = ["RULE_KINDS", "hb_bounds", "load_rules", "prepare_validation", "validate_products", "validate_reports"]
