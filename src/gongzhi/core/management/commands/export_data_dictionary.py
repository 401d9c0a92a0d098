"""``gongzhi export-data-dictionary DIR``: one Markdown page per model (docs/data-dictionary/models/).

Generated from the models themselves (Chinese verbose names, types, nullability, relations, constraints,
the model docstring), so the dictionary cannot drift: a test compares the committed pages with this output.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import translation


def _field_type(field) -> str:
    if field.is_relation and field.related_model is not None:
        target = f"{field.related_model._meta.app_label}.{field.related_model.__name__}"
        kind = "多对多" if field.many_to_many else ("一对一" if field.one_to_one else "外键")
        return f"{kind} → `{target}`"
    name = type(field).__name__
    if name == "EncryptedTextField":
        return "加密文本（AES-256-GCM / SM4-GCM）"
    if getattr(field, "max_length", None) and isinstance(field, models.CharField):
        return f"{name}({field.max_length})"
    return name


def model_page(model) -> str:
    meta = model._meta
    doc = inspect.getdoc(model) or ""
    if doc.startswith(model.__name__ + "("):
        doc = ""
    lines = [f"# {meta.verbose_name} `{meta.app_label}.{model.__name__}`", ""]
    if doc:
        lines += [doc, ""]
    lines += [f"表名：`{meta.db_table}`", "", "| 字段 | 名称 | 类型 | 可空 | 说明 |", "|---|---|---|---|---|"]
    for field in meta.get_fields():
        if field.auto_created and not field.concrete:
            continue
        column = field.name
        nullable = "是" if getattr(field, "null", False) else "否"
        notes = []
        if getattr(field, "unique", False) and not field.primary_key:
            notes.append("唯一")
        if field.primary_key:
            notes.append("主键")
        if getattr(field, "db_index", False):
            notes.append("索引")
        if getattr(field, "choices", None):
            notes.append("取值：" + "、".join(f"`{value}` {label}" for value, label in field.choices))
        verbose = str(getattr(field, "verbose_name", column))
        lines.append(f"| `{column}` | {verbose} | {_field_type(field)} | {nullable} | {'；'.join(notes)} |")
    constraints = list(meta.constraints)
    if constraints:
        lines += ["", "约束：", ""]
        for constraint in constraints:
            fields = ", ".join(getattr(constraint, "fields", ()) or ())
            condition = getattr(constraint, "condition", None)
            text = f"- `{constraint.name}`" + (f"：{fields}" if fields else "")
            lines.append(text + (f"（条件 {condition}）" if condition else ""))
    return "\n".join(lines) + "\n"


def dictionary_pages() -> dict[str, str]:
    pages: dict[str, str] = {}
    with translation.override("zh-hans"):
        for config in apps.get_app_configs():
            if not config.name.startswith("gongzhi."):
                continue
            for model in config.get_models():
                if ".tests." in model.__module__:
                    continue  # models that only tests define
                pages[f"{config.label}.{model.__name__}.md"] = model_page(model)
        index = ["# 数据字典 (data dictionary)", "", "每个模型一页，由 `make docs` 从代码生成。", ""]
        for name in sorted(pages):
            index.append(f"- [{name.removesuffix('.md')}]({name})")
        pages["README.md"] = "\n".join(index) + "\n"
    return pages


class Command(BaseCommand):
    help = "Write one Markdown page per model into DIR (default docs/data-dictionary/models)."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default="docs/data-dictionary/models")

    def handle(self, *args, **options):
        target = Path(options["directory"])
        target.mkdir(parents=True, exist_ok=True)
        pages = dictionary_pages()
        for old in target.glob("*.md"):
            if old.name not in pages:
                old.unlink()
        for name, text in pages.items():
            (target / name).write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {len(pages)} pages to {target}")
