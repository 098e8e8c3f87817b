"""The report's charts (matplotlib, Agg, CJK font): trends, sector bars, heat map, signal lights.

Charts are drawn only from the model's publishable facts, so a withheld number can appear in
no chart. `render(model, name, fmt)` returns the image bytes (PNG for DOCX/HTML/PDF, SVG with
text kept as text for checks).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402

from qinggong.publish import phrasing as ph  # noqa: E402
from qinggong.publish.model import ReportModel  # noqa: E402

LIGHT_COLOURS = {
    "red": "#d62728", "红": "#d62728", "红灯": "#d62728",
    "orange": "#ff7f0e", "橙": "#ff7f0e", "橙灯": "#ff7f0e",
    "yellow": "#f1c40f", "黄": "#f1c40f", "黄灯": "#f1c40f",
    "green": "#2ca02c", "绿": "#2ca02c", "绿灯": "#2ca02c",
    "lightblue": "#7fb3d5", "浅蓝": "#7fb3d5", "浅蓝灯": "#7fb3d5",
    "blue": "#1f4e9c", "蓝": "#1f4e9c", "蓝灯": "#1f4e9c",
}


@dataclass
class Chart:
    name: str
    caption: str
    data: bytes
    mime: str


def _setup(model: ReportModel) -> None:
    families = model.config["charts"]["font_family"]
    plt.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": list(families),
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
        "figure.dpi": 100,
    })


def _month_tick(period: str) -> str:
    year, month = period.split("-")
    return f"{year[2:]}年{int(month)}月" if month in ("01", "02") else f"{int(month)}月"


def _save(fig, fmt: str, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def available(model: ReportModel) -> list[str]:
    names = []
    months = int(model.config["charts"]["months"])
    for role in ("light", "total"):
        if any(f is not None for _, f in model.series("VA", model.subjects[role][0], "YOY_M", months)):
            names.append("trend")
            break
    if any(model.get("VA", code, "YOY_M") for code, _ in model.sectors):
        names += ["sectors", "heatmap"]
    if model.lights is not None and not model.lights.empty:
        names.append("lights")
    return names


def trend(model: ReportModel, fmt: str = "png") -> Chart:
    months = int(model.config["charts"]["months"])
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    for role, style in (("light", "-o"), ("total", "--s")):
        code, label, _ = model.subjects[role]
        points = model.series("VA", code, "YOY_M", months)
        values = [f.value if f is not None else np.nan for _, f in points]
        if all(math.isnan(v) for v in values):
            continue
        ax.plot(range(len(points)), values, style, label=label, linewidth=1.6, markersize=4)
        ticks = [_month_tick(p) for p, _ in points]
    ax.set_xticks(range(len(ticks)))
    ax.set_xticklabels(ticks, fontsize=8)
    ax.axhline(0, color="#888", linewidth=0.8)
    ax.set_ylabel("同比增速（%）")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("增加值当月同比增速", fontsize=11)
    caption = f"图1　增加值当月同比增速（{ph.period_label(points[0][0])}—{ph.period_label(model.period)}）"
    return Chart("trend", caption, _save(fig, fmt, int(model.config["charts"]["dpi"])), _mime(fmt))


def sectors(model: ReportModel, fmt: str = "png") -> Chart:
    rows = [(label, model.get("VA", code, "YOY_M")) for code, label in model.sectors]
    rows = [(label, f.value) for label, f in rows if f is not None]
    rows.sort(key=lambda item: item[1])
    fig, ax = plt.subplots(figsize=(7.2, 0.35 * len(rows) + 1.0))
    colours = ["#c0392b" if v >= 0 else "#2e86c1" for _, v in rows]
    ax.barh([label for label, _ in rows], [v for _, v in rows], color=colours)
    for n, (_, v) in enumerate(rows):
        ax.text(v, n, f" {ph.fmt_number(v)}" if v >= 0 else f"{ph.fmt_number(v)} ", va="center",
                ha="left" if v >= 0 else "right", fontsize=8)
    ax.axvline(0, color="#555", linewidth=0.8)
    ax.set_xlabel("增加值当月同比（%）")
    ax.tick_params(axis="y", labelsize=8)
    lo, hi = min([0] + [v for _, v in rows]), max([0] + [v for _, v in rows])
    pad = (hi - lo) * 0.15 + 0.5
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_title(f"重点行业增加值当月同比（{ph.period_label(model.period)}）", fontsize=11)
    return Chart("sectors", f"图2　重点行业增加值当月同比（{ph.period_label(model.period)}）",
                 _save(fig, fmt, int(model.config["charts"]["dpi"])), _mime(fmt))


def heatmap(model: ReportModel, fmt: str = "png") -> Chart:
    months = int(model.config["charts"]["months"])
    labels, grid, periods = [], [], None
    for code, label in model.sectors:
        points = model.series("VA", code, "YOY_M", months)
        periods = [p for p, _ in points]
        values = [f.value if f is not None else np.nan for _, f in points]
        if all(math.isnan(v) for v in values):
            continue
        labels.append(label)
        grid.append(values)
    data = np.ma.masked_invalid(np.array(grid, dtype=float))
    fig, ax = plt.subplots(figsize=(8.0, 0.38 * len(labels) + 1.4))
    bound = max(1.0, float(np.nanmax(np.abs(data.filled(np.nan)))) if data.count() else 1.0)
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="#eeeeee")
    image = ax.imshow(data, cmap=cmap, norm=TwoSlopeNorm(0, -bound, bound), aspect="auto")
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if not np.ma.is_masked(data[i, j]):
                value = float(data[i, j])
                ax.text(j, i, ph.fmt_number(value), ha="center", va="center", fontsize=7,
                        color="white" if abs(value) > bound * 0.6 else "black")
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_xticks(range(len(periods or [])))
    ax.set_xticklabels([_month_tick(p) for p in periods or []], fontsize=8)
    fig.colorbar(image, ax=ax, fraction=0.025, pad=0.02).set_label("%")
    ax.set_title("重点行业增加值当月同比热力图（灰色为无可公开数据）", fontsize=11)
    return Chart("heatmap", f"图3　重点行业×月份增加值当月同比（{ph.period_label(periods[0])}—{ph.period_label(model.period)}）",
                 _save(fig, fmt, int(model.config["charts"]["dpi"])), _mime(fmt))


def lights(model: ReportModel, fmt: str = "png") -> Chart:
    frame = model.lights
    months = int(model.config["charts"]["months"])
    periods = sorted(frame["period"].unique())[-months:]
    codes = [(code, label) for code, label in model.sectors if code in set(frame["industry_code"])]
    extra = sorted(set(frame["industry_code"]) - {c for c, _ in codes})
    names = dict(zip(frame["industry_code"], frame.get("industry_name", frame["industry_code"])))
    codes += [(code, str(names.get(code, code))) for code in extra]
    fig, ax = plt.subplots(figsize=(8.0, 0.36 * len(codes) + 1.2))
    lookup = {(r.industry_code, r.period): str(r.light) for r in frame.itertuples(index=False)}
    for i, (code, _) in enumerate(codes):
        for j, period in enumerate(periods):
            light = lookup.get((code, period))
            if light is None:
                continue
            ax.scatter(j, i, s=120, color=LIGHT_COLOURS.get(light.lower(), "#999999"), edgecolors="#333", linewidths=0.4)
    ax.set_yticks(range(len(codes)))
    ax.set_yticklabels([label for _, label in codes], fontsize=8)
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels([_month_tick(p) for p in periods], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-0.6, len(periods) - 0.4)
    ax.set_title("重点行业景气信号灯", fontsize=11)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return Chart("lights", "图4　重点行业景气信号灯", _save(fig, fmt, int(model.config["charts"]["dpi"])), _mime(fmt))


RENDERERS = {"trend": trend, "sectors": sectors, "heatmap": heatmap, "lights": lights}


def render(model: ReportModel, name: str, fmt: str = "png") -> Chart:
    _setup(model)
    return RENDERERS[name](model, fmt)


def render_all(model: ReportModel, names: list[str] | None = None, fmt: str = "png") -> dict[str, Chart]:
    wanted = [n for n in (names or available(model)) if n in available(model)]
    return {name: render(model, name, fmt) for name in wanted}


def _mime(fmt: str) -> str:
    return "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
