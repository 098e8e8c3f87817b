"""Report templates: folders of user-editable files.

A template is a folder holding any of `report.html.j2` (Jinja2, for HTML and PDF), `style.css`
and `report.docx` (a Word file whose styles — 标题 1/2, 正文, … — the DOCX report uses). A
file the folder lacks is taken from the built-in `default` template. `--template NAME` looks for
NAME as a path, then in `$QINGGONG_CONFIG_DIR/templates/NAME`, then among the built-in templates.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from qinggong.errors import InputError

DEFAULT = "default"


def builtin_dir(name: str = DEFAULT) -> Path:
    return Path(str(resources.files("qinggong.publish") / "templates" / name))


def resolve(name: str | None) -> Path:
    name = name or DEFAULT
    candidates = [Path(name).expanduser()]
    override = os.environ.get("QINGGONG_CONFIG_DIR")
    if override:
        candidates.append(Path(override) / "templates" / name)
    candidates.append(builtin_dir(name))
    for folder in candidates:
        if folder.is_dir() and any((folder / f).is_file() for f in ("report.html.j2", "style.css", "report.docx")):
            return folder
    raise InputError(
        f"找不到报告模板“{name}”：应为包含 report.html.j2、style.css 或 report.docx 的文件夹"
        f"（可放在 $QINGGONG_CONFIG_DIR/templates/{name}/）", field="template"
    )


def template_file(folder: Path, filename: str) -> Path | None:
    """`filename` from the template folder, else from the built-in default (None if neither has it)."""
    for candidate in (folder / filename, builtin_dir() / filename):
        if candidate.is_file():
            return candidate
    return None


def save_template(destination: str | Path, config: dict | None = None) -> list[Path]:
    """Write the built-in template as editable files: report.html.j2, style.css and a
    report.docx whose styles (标题, 标题 1/2, 正文, 题注) the DOCX report will use."""
    import shutil

    from qinggong.config import load_method
    from qinggong.publish.render_docx import build_style_document

    folder = Path(destination).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("report.html.j2", "style.css"):
        target = folder / name
        shutil.copyfile(builtin_dir() / name, target)
        written.append(target)
    doc = build_style_document(config or load_method("report"))
    doc.add_paragraph("报告标题（样式：标题）", style="Title")
    doc.add_paragraph("一、一级标题（样式：标题 1）", style="Heading 1")
    doc.add_paragraph("（一）二级标题（样式：标题 2）", style="Heading 2")
    doc.add_paragraph("正文（样式：正文）。修改这些样式后保存，生成报告时正文内容会被替换，样式保留。")
    doc.add_paragraph("图1　题注（样式：题注）", style="Caption")
    target = folder / "report.docx"
    doc.save(str(target))
    written.append(target)
    return written
