"""One router per dashboard area: its pages and its /api/v1 endpoints."""
