"""Publish: the monthly operation report (运行报告) and the periodic data release.

Owns the report's data model gathered from the store with provenance (`model`), the Chinese
statistical phrasing rules (`phrasing`), the drafted text (`narrative`), charts (`charts`), the
DOCX/HTML/PDF renderers and their user-editable templates (`templates/`), the data release
tables in XLSX/CSV/SDMX-CSV (`release`) and the service functions `build_report` and
`build_release` (`service`). Reads only the store and the service functions of monitor and
plan; numbers that are missing or not free to publish never reach any output.
"""

from qinggong.publish.service import build_release, build_report, latest_period, prepare

__all__ = ["build_release", "build_report", "latest_period", "prepare"]
