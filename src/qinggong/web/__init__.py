"""Web: the FastAPI app (REST API under /api/v1 with OpenAPI, Chinese pages), accounts and roles.

Owns migration 0005_web (users, sessions, API tokens, login attempts). Pages and API call the
service functions of the stages before it; ECharts and the CJK font are served from `static/`.
Entry points: `qinggong.web.app.create_app(db)`, `qinggong.web.auth` (accounts) and `qinggong serve`.
"""
