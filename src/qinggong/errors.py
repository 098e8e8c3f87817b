"""Errors that reach users. Every message is Simplified Chinese and names what was wrong."""


class QinggongError(Exception):
    """A failure the user can act on; the CLI prints the message without a traceback."""


class UnknownCodeError(QinggongError):
    """A code (industry, region, indicator, unit, product, series key) is not in its catalog."""


class StoreError(QinggongError):
    """The store cannot be opened or used (bad address, unreachable server, unwritable file)."""


class InputError(QinggongError):
    """Bad input data. Carries where it was found so CLI, API and web can all point at it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(f"文件 {self.file}")
        if self.sheet:
            where.append(f"工作表 {self.sheet}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列“{self.column}”")
        if self.field:
            where.append(f"字段“{self.field}”")
        return ("，".join(where) + "：" if where else "") + self.reason

    def in_sheet(self, sheet: str | None) -> "InputError":
        """The same error, placed on `sheet` if it named no sheet (for callers that know which
        worksheet the rows came from)."""
        if sheet and not self.sheet:
            self.sheet = sheet
            self.args = (self.describe(),)
        return self

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "reason": self.reason,
            "message": self.describe(),
        }
