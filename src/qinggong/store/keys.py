"""Series keys: the SDMX-style tuple of dimension codes that identifies a series."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from qinggong.errors import UnknownCodeError

NOT_APPLICABLE = "_Z"
NATIONAL = "000000"
DATAFLOWS = ("OFFICIAL", "ENTERPRISE", "DERIVED")
FREQUENCIES = ("M", "Q", "A")


@dataclass(frozen=True, order=True)
class SeriesKey:
    """indicator × industry × region × product × measure × unit × frequency, within a dataflow."""

    dataflow: str
    freq: str
    indicator: str
    industry: str
    region: str
    product: str
    measure: str
    unit: str

    DIMENSIONS = ("dataflow", "freq", "indicator", "industry", "region", "product", "measure", "unit")

    def __str__(self) -> str:
        return ".".join(getattr(self, name) for name in self.DIMENSIONS)

    @classmethod
    def parse(cls, text: str) -> "SeriesKey":
        parts = text.strip().split(".")
        if len(parts) != len(cls.DIMENSIONS):
            raise UnknownCodeError(
                f"序列键“{text}”格式不正确：应为 {len(cls.DIMENSIONS)} 段，以“.”分隔"
                f"（数据流.频率.指标.行业.地区.产品.计量.单位），例如 OFFICIAL.M.VA.21.000000._Z.YOY_M.PCT"
            )
        if parts[0] not in DATAFLOWS:
            raise UnknownCodeError(f"序列键“{text}”的数据流“{parts[0]}”未知：可选 {'、'.join(DATAFLOWS)}")
        if parts[1] not in FREQUENCIES:
            raise UnknownCodeError(f"序列键“{text}”的频率“{parts[1]}”未知：可选 {'、'.join(FREQUENCIES)}")
        return cls(*parts)

    @classmethod
    def of(
        cls,
        indicator: str,
        industry: str,
        measure: str,
        unit: str,
        *,
        region: str = NATIONAL,
        product: str = NOT_APPLICABLE,
        freq: str = "M",
        dataflow: str = "OFFICIAL",
    ) -> "SeriesKey":
        return cls(dataflow, freq, indicator, industry, region, product, measure, unit)

    def replace(self, **changes: str) -> "SeriesKey":
        values = asdict(self)
        values.update(changes)
        return SeriesKey(**values)

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

MEASURE_LABELS = {
    "M": "当月值",
    "YTD": "累计值",
    "YOY_M": "当月同比",
    "YOY_YTD": "累计同比",
    "MOM": "环比",
    "SA": "季调值",
    "MOM_SA": "季调环比",
    "TREND": "趋势循环",
    "SF": "季节因子",
    "HF": "节假日因子",
    "IDX_PY": "指数(上年同月=100)",
    "IDX_FB": "定基指数",
    "EOP": "期末值",
    "YOY_EOP": "期末同比",
    "SHARE": "比重",
    "CONTRIB": "拉动",
    "SHARE_YTD": "比重(累计)",
    "CONTRIB_YTD": "拉动(累计)",
    "YOY_M_IMPLIED": "当月同比(推算)",
}
DATAFLOW_LABELS = {"OFFICIAL": "官方统计", "ENTERPRISE": "企业直报", "DERIVED": "派生"}
