"""The report's text, drafted from the model: sections of paragraphs of sentences.

Every sentence carries the facts it states (and so their appendix references). A sentence is
written only when all of its numbers are publishable: a clause whose number is missing or
withheld is left out, never written around. Sections whose source module is absent or has no
data are omitted and a note goes to the appendix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qinggong.publish import phrasing as ph
from qinggong.publish.model import Fact, ReportModel, shift

NUMERALS = "一二三四五六七八九十"


@dataclass
class Sentence:
    text: str
    facts: list[Fact] = field(default_factory=list)
    streaks: list[tuple[Fact, int]] = field(default_factory=list)  # (last fact, N) for 连续N个月
    origin: str = "report"  # "monitor": an alert explanation written by qinggong.monitor, quoted

    @property
    def refs(self) -> list[int]:
        return sorted({f.ref for f in self.facts if f.ref})


@dataclass
class Paragraph:
    sentences: list[Sentence]
    heading: str | None = None
    draft: bool = False


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    facts: list[Fact] = field(default_factory=list)
    lights: list[str | None] = field(default_factory=list)


@dataclass
class Section:
    number: str
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


@dataclass
class HeadlineItem:
    title: str
    subject: str
    text: str
    fact: Fact


@dataclass
class Narrative:
    title: str
    period: str
    headline: list[HeadlineItem]
    sections: list[Section]
    notes: list[str]


class Writer:
    def __init__(self, model: ReportModel) -> None:
        self.m = model
        cfg = model.config
        self.d = int(cfg["decimals"]["rate"])
        self.amount_kw = dict(decimals=int(cfg["decimals"]["amount"]), large_decimals=int(cfg["decimals"]["amount_large"]),
                              large_threshold=float(cfg["large_amount_threshold"]))
        self.streak_min = int(cfg["streak_min_months"])

    # ------------------------------------------------------------------ helpers
    def growth(self, f: Fact) -> str:
        return ph.growth(f.value, decimals=self.d)

    def amount(self, f: Fact) -> str:
        return ph.amount(f.value, f.unit, **self.amount_kw)

    def ref_label(self, fact: Fact, prev: Fact) -> str:
        if fact.measure in ("YTD", "YOY_YTD"):
            return ph.ytd_label(prev.period)
        return "上月" if prev.span == 1 else ph.current_label(prev.period, prev.span)

    def change_clause(self, fact: Fact, used: list[Fact]) -> str:
        prev = self.m.previous(fact)
        if prev is None:
            return ""
        if fact.measure in ("YTD", "YOY_YTD") and prev.period[:4] != fact.period[:4]:
            return ""  # a new year starts a new cumulation
        used.append(prev)
        return "，" + ph.change(fact.value, prev.value, reference=self.ref_label(fact, prev), decimals=self.d)

    def compare_clause(self, fact: Fact, used: list[Fact], subject_code: str) -> str:
        total_code, total_label, _ = self.m.subjects["total"]
        if subject_code == total_code:
            return ""
        bench = self.m.get(fact.indicator, total_code, fact.measure, fact.period, fact.region)
        if bench is None:
            return ""
        used.append(bench)
        return "，" + ph.compare(fact.value, bench.value, benchmark_label=total_label, decimals=self.d)

    def sentence(self, text: str, facts: list[Fact], streaks: list[tuple[Fact, int]] | None = None) -> Sentence:
        for f in facts:
            self.m.cite(f)
        return Sentence(text, list(facts), streaks or [])

    def streak_sentence(self, label: str, indicator_label: str, indicator: str, code: str, measure: str) -> Sentence | None:
        values = self.m.full_history(indicator, code, measure)
        phrase = ph.streak(values, minimum=self.streak_min, decimals=self.d)
        if not phrase:
            return None
        last = self.m.get(indicator, code, measure)
        n = ph.streak_length(values, decimals=self.d)
        return self.sentence(f"{label}{indicator_label}当月增速已{phrase}。" if label else f"当月增速已{phrase}。", [last], [(last, n)])

    # ------------------------------------------------------------------ headline
    def headline(self) -> list[HeadlineItem]:
        items = []
        roles = [self.m.subjects["light"], self.m.subjects["total"]]
        for spec in self.m.config["headline"]:
            for code, label, _ in roles:
                fact = self.m.get(spec["indicator"], code, spec["measure"])
                if fact is not None:
                    self.m.cite(fact)
                    when = ph.current_label(fact.period, fact.span) if spec["measure"] in ("M", "YOY_M") else ph.ytd_label(fact.period)
                    items.append(HeadlineItem(f"{spec['title']}（{when}）", label, f"{ph.fmt_number(fact.value, self.d)}%", fact))
                    break
        return items

    # ------------------------------------------------------------------ 一
    def overall(self) -> Section:
        section = Section("一", "总体运行情况")
        light = self.m.subjects["light"]
        total = self.m.subjects["total"]
        subject = light if self._has_any(light[0]) else total
        if subject is total:
            self.m.notes.append(f"库中没有“{light[1]}”（{light[0]}）本月的数据，第一部分以{total[1]}的数据说明总体运行情况。")
        code, label, enterprises = subject
        # 生产
        sentences = []
        f = self.m.get("VA", code, "YOY_M")
        if f is not None:
            used = [f]
            text = f"{ph.current_label(f.period, f.span)}，{label}增加值同比{self.growth(f)}"
            text += self.change_clause(f, used) + self.compare_clause(f, used, code) + "。"
            sentences.append(self.sentence(text, used))
        f = self.m.get("VA", code, "YOY_YTD")
        if f is not None:
            used = [f]
            text = f"{ph.ytd_label(f.period)}，{label}增加值同比{self.growth(f)}"
            text += self.change_clause(f, used) + self.compare_clause(f, used, code) + "。"
            sentences.append(self.sentence(text, used))
        s = self.streak_sentence(label, "增加值", "VA", code, "YOY_M")
        if s:
            sentences.append(s)
        if sentences:
            section.paragraphs.append(Paragraph(sentences, heading=self._subheading(section, "生产情况")))
            section.charts.append("trend")
        # 效益
        sentences = []
        lag = int(self.m.config.get("efficiency_max_lag_months", 0))
        for indicator, verb, name in (("REV", "实现营业收入", "营业收入"), ("PROFIT", "实现利润总额", "利润总额")):
            level = self.m.latest(indicator, code, "YTD", lag)
            rate = self.m.latest(indicator, code, "YOY_YTD", lag)
            if level is not None and rate is not None and level.period != rate.period:
                level, rate = (level, None) if level.period > rate.period else (None, rate)
            if level is None and rate is None:
                continue
            anchor = level or rate
            used: list[Fact] = []
            parts = []
            if level is not None:
                used.append(level)
                parts.append(f"{verb}{self.amount(level)}")
            if rate is not None:
                used.append(rate)
                clause = f"同比{self.growth(rate)}" + self.change_clause(rate, used) + self.compare_clause(rate, used, code)
                parts.append(clause if level is not None else f"{name}{clause}")
            sentences.append(self.sentence(f"{ph.ytd_label(anchor.period)}，{enterprises}" + "，".join(parts) + "。", used))
        if sentences:
            section.paragraphs.append(Paragraph(sentences, heading=self._subheading(section, "效益情况")))
        # 出口
        sentences = []
        for level_m, rate_m, when in (("M", "YOY_M", "current"), ("YTD", "YOY_YTD", "ytd")):
            level = self.m.get("EXPORT", code, level_m)
            rate = self.m.get("EXPORT", code, rate_m)
            if level is None and rate is None:
                continue
            anchor = level or rate
            period_text = ph.current_label(anchor.period, anchor.span) if when == "current" else ph.ytd_label(anchor.period)
            used = []
            text = f"{period_text}，{label}{'完成' if level is not None else ''}出口交货值"
            if level is not None:
                used.append(level)
                text += self.amount(level)
            if rate is not None:
                used.append(rate)
                text += ("，" if level is not None else "") + f"同比{self.growth(rate)}" + self.change_clause(rate, used) + self.compare_clause(rate, used, code)
            sentences.append(self.sentence(text + "。", used))
        if sentences:
            section.paragraphs.append(Paragraph(sentences, heading=self._subheading(section, "出口情况")))
        return section

    @staticmethod
    def _subheading(section: "Section", title: str) -> str:
        """（一）（二）… numbered in order of appearance, so an omitted part leaves no gap."""
        used = sum(1 for p in section.paragraphs if p.heading)
        return f"（{NUMERALS[used]}）{title}"

    def _has_any(self, code: str) -> bool:
        return any(self.m.get(ind, code, meas) for ind, spec in self.m.config["indicators"].items() for meas in spec["measures"])

    # ------------------------------------------------------------------ 二
    def sectors(self) -> Section | None:
        if not self.m.sectors:
            self.m.notes.append("库中没有本月重点行业的数据，第二部分从略。")
            return None
        section = Section("二", "重点行业运行情况")
        rising, falling, ranked = [], [], []
        paragraphs = []
        rows, row_facts, lights = [], [], []
        for code, label in self.m.sectors:
            sentences = []
            va = self.m.get("VA", code, "YOY_M")
            if va is not None:
                used = [va]
                text = f"{label}增加值同比{self.growth(va)}" + self.change_clause(va, used)
                ytd = self.m.get("VA", code, "YOY_YTD")
                if ytd is not None:
                    used.append(ytd)
                    text += f"；{ph.ytd_label(ytd.period)}累计{self.growth(ytd)}" if ph.shown(ytd.value, self.d) != 0 else f"；{ph.ytd_label(ytd.period)}累计与上年同期持平"
                sentences.append(self.sentence(text + "。", used))
                run = self.streak_sentence("", "增加值", "VA", code, "YOY_M")
                if run is not None:
                    sentences.append(run)
                ranked.append((va, label))
                (rising if ph.shown(va.value, self.d) > 0 else falling if ph.shown(va.value, self.d) < 0 else []).append(label)
            lag = int(self.m.config.get("efficiency_max_lag_months", 0))
            for indicator, verb in (("REV", "实现营业收入"), ("PROFIT", "实现利润总额")):
                level = self.m.latest(indicator, code, "YTD", lag)
                rate = self.m.latest(indicator, code, "YOY_YTD", lag)
                if level is None:
                    continue
                if rate is not None and rate.period != level.period:
                    rate = None
                used = [level]
                text = f"{ph.ytd_label(level.period)}{verb}{self.amount(level)}"
                if rate is not None:
                    used.append(rate)
                    text += f"，同比{self.growth(rate)}"
                sentences.append(self.sentence(text + "。", used))
            exp = self.m.get("EXPORT", code, "YOY_M")
            if exp is not None:
                used = [exp]
                sentences.append(self.sentence(f"出口交货值同比{self.growth(exp)}" + self.change_clause(exp, used) + "。", used))
            if sentences:
                sentences[0].text = sentences[0].text if sentences[0].text.startswith(label) else f"{label}" + sentences[0].text
                paragraphs.append(Paragraph(sentences))
            row, facts = self._sector_row(code, label)
            rows.append(row)
            row_facts.extend(facts)
            lights.append(self._light(code))
        summary = []
        if ranked:
            n = len(ranked)
            text = f"从增加值看，有数据的{n}个重点行业中，{len(rising)}个行业同比增长，{len(falling)}个行业同比下降。"
            summary.append(Sentence(text))
            top = sorted(ranked, key=lambda item: -item[0].value)[:3]
            if top and ph.shown(top[0][0].value, self.d) > 0:
                leaders = [(f, lab) for f, lab in top if ph.shown(f.value, self.d) > 0]
                text = "增速较快的有" + "、".join(f"{lab}（{self.growth(f)}）" for f, lab in leaders) + "。"
                summary.append(self.sentence(text, [f for f, _ in leaders]))
        if summary:
            section.paragraphs.append(Paragraph(summary))
        section.paragraphs.extend(paragraphs)
        section.tables.append(Table(f"表1　重点行业主要指标（{ph.period_label(self.m.period)}）",
                                    ["行业", "增加值当月同比(%)", "较上月(百分点)", "增加值累计同比(%)", "利润总额累计同比(%)", "出口交货值当月同比(%)"],
                                    rows, row_facts, lights))
        section.charts += ["sectors", "heatmap"]
        if self.m.lights is not None and not self.m.lights.empty:
            section.charts.append("lights")
        return section

    def _sector_row(self, code: str, label: str) -> tuple[list[str], list[Fact]]:
        facts = []
        def cell(f: Fact | None) -> str:
            if f is None:
                return "—"
            facts.append(f)
            self.m.cite(f)
            return ph.fmt_number(f.value, self.d)
        va = self.m.get("VA", code, "YOY_M")
        prev = self.m.previous(va) if va is not None else None
        delta = "—"
        if va is not None and prev is not None:
            facts.append(prev)
            self.m.cite(prev)
            delta = ph.fmt_number(ph.shown(va.value, self.d) - ph.shown(prev.value, self.d), self.d)
        return [label, cell(va), delta, cell(self.m.get("VA", code, "YOY_YTD")), cell(self.m.get("PROFIT", code, "YOY_YTD")),
                cell(self.m.get("EXPORT", code, "YOY_M"))], facts

    def _light(self, code: str) -> str | None:
        lights = self.m.lights
        if lights is None or lights.empty:
            return None
        match = lights[(lights["industry_code"] == code) & (lights["period"] == self.m.period)]
        return None if match.empty else str(match.iloc[0]["light"])

    # ------------------------------------------------------------------ 三
    def regions(self) -> Section | None:
        code = self.m.subjects["light"][0]
        facts = self.m.regions_with("VA", code, "YOY_M")
        label = self.m.subjects["light"][1]
        if not facts:
            code, label = self.m.subjects["total"][0], self.m.subjects["total"][1]
            facts = self.m.regions_with("VA", code, "YOY_M")
        if not facts:
            self.m.notes.append("库中没有本月分地区数据，第三部分（地区运行情况）从略。")
            return None
        section = Section("三", "地区运行情况")
        names = self.m.region_names
        up = [f for f in facts if ph.shown(f.value, self.d) > 0]
        down = [f for f in facts if ph.shown(f.value, self.d) < 0]
        sentences = [Sentence(f"{ph.current_label(self.m.period)}，有数据的{len(facts)}个地区中，{len(up)}个地区{label}增加值同比增长，{len(down)}个地区同比下降。")]
        ordered = sorted(facts, key=lambda f: -f.value)
        top = [f for f in ordered[:3] if ph.shown(f.value, self.d) > 0]
        if top:
            sentences.append(self.sentence("增速居前的有" + "、".join(f"{names.get(f.region, f.region)}（{self.growth(f)}）" for f in top) + "。", top))
        bottom = [f for f in reversed(ordered[-3:]) if ph.shown(f.value, self.d) < 0]
        if bottom:
            sentences.append(self.sentence("降幅较大的有" + "、".join(f"{names.get(f.region, f.region)}（{self.growth(f)}）" for f in bottom) + "。", bottom))
        section.paragraphs.append(Paragraph(sentences))
        rows = []
        for f in facts:
            self.m.cite(f)
            rows.append([names.get(f.region, f.region), ph.fmt_number(f.value, self.d)])
        section.tables.append(Table(f"表2　分地区{label}增加值当月同比（{ph.period_label(self.m.period)}）", ["地区", "当月同比(%)"], rows, facts))
        return section

    # ------------------------------------------------------------------ 四
    def alerts(self) -> Section | None:
        alerts = self.m.alerts
        if alerts is None:
            return None
        if alerts.empty:
            return Section("四", "监测预警", [Paragraph([Sentence("本月监测预警规则未触发预警。")])])
        from qinggong.store.keys import MEASURE_LABELS

        section = Section("四", "监测预警")
        new = alerts[alerts["first_period"] == self.m.period]
        sentences = [Sentence(f"本月共有预警{len(alerts)}条，其中新增{len(new)}条、持续{len(alerts) - len(new)}条。")]
        severities = alerts["severity"].value_counts()
        if len(severities):
            sentences.append(Sentence("按级别分，" + "、".join(f"{k}{v}条" for k, v in severities.items()) + "。"))
        section.paragraphs.append(Paragraph(sentences))
        limit = int(self.m.config.get("monitor", {}).get("max_alert_paragraphs", 12))
        labels = {code: spec["label"] for code, spec in self.m.config["indicators"].items()}
        rows = []
        for n, row in enumerate(alerts.itertuples(index=False)):
            is_new = row.first_period == self.m.period
            if n < limit and str(row.message or "").strip():
                state = "新增" if is_new else f"自{ph.period_label(row.first_period)}起持续"
                facts = []
                fact = self.m.get(row.indicator, row.industry_code, row.measure, region=row.region_code)
                if fact is not None and fact.key == getattr(row, "series_key", fact.key):
                    facts.append(fact)
                    prev = self.m.previous(fact)
                    if prev is not None:
                        facts.append(prev)
                text = f"{str(row.message).strip().rstrip('。')}（{row.severity}，{state}）。"
                quoted = self.sentence(text, facts)
                quoted.origin = "monitor"
                section.paragraphs.append(Paragraph([quoted]))
            rows.append([str(row.industry_name), f"{labels.get(row.indicator, row.indicator)}{MEASURE_LABELS.get(row.measure, row.measure)}",
                         str(getattr(row, "rule_name", None) or row.rule), str(row.severity), str(row.light or "—"),
                         "新增" if is_new else "持续"])
        section.tables.append(Table(f"表3　本月预警（{ph.period_label(self.m.period)}）", ["行业", "指标", "规则", "级别", "信号灯", "状态"], rows))
        return section

    # ------------------------------------------------------------------ 五
    def plan(self) -> Section | None:
        plan = self.m.plan
        if not plan:
            return None
        section = Section("五", "稳增长工作进展")
        for paragraph in plan.get("paragraphs", []):
            section.paragraphs.append(Paragraph([Sentence(p) for p in paragraph]))
        if plan.get("rows"):
            section.tables.append(Table("表4　工作方案目标与任务进展", plan["headers"], plan["rows"]))
        return section

    # ------------------------------------------------------------------ 六
    def recommendations(self) -> Section | None:
        recs = self.m.recommendations
        if not recs:
            return None
        section = Section("六", "下一步建议")
        section.paragraphs.append(Paragraph([Sentence("以下建议由触发的预警规则模板生成，系草稿，请分析人员结合实际研判修改。")], draft=True))
        for n, rec in enumerate(recs, 1):
            section.paragraphs.append(Paragraph([Sentence(f"（{NUMERALS[n - 1] if n <= 10 else n}）{rec['text']}")], draft=True))
        return section


def write(model: ReportModel) -> Narrative:
    """Draft the whole report from `model`; sections are renumbered in order of appearance."""
    writer = Writer(model)
    headline = writer.headline()
    candidates = [writer.overall(), writer.sectors(), writer.regions(), writer.alerts(), writer.plan(), writer.recommendations()]
    sections = [s for s in candidates if s is not None and (s.paragraphs or s.tables)]
    for n, section in enumerate(sections):
        section.number = NUMERALS[n]
    light_label = model.subjects["light"][1].replace("规模以上", "")
    title = f"{ph.period_label(model.period)}{light_label}经济运行报告"
    return Narrative(title, model.period, headline, sections, model.notes)


__all__ = ["Narrative", "Section", "Paragraph", "Sentence", "Table", "HeadlineItem", "write", "shift"]
