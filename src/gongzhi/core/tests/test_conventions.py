"""Guards for the architecture rules of STYLE.md that a test can check."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2]
DOCS = SRC.parent.parent / "docs"


def _interface_files():
    for app in sorted(p for p in SRC.iterdir() if p.is_dir()):
        for stem in ("views", "api", "forms", "tasks"):  # and their split modules, e.g. views_catalog.py
            yield from sorted(app.glob(f"{stem}.py")) + sorted(app.glob(f"{stem}_*.py"))


def test_views_and_api_never_touch_model_managers():
    offenders = []
    for path in _interface_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b[A-Z]\w*\.objects\b", line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not offenders, "interfaces must go through selectors and services:\n" + "\n".join(offenders)


def test_every_gongzhi_setting_is_documented():
    documented = (DOCS / "configuration.md").read_text(encoding="utf-8")
    settings_source = (SRC / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"\b(GONGZHI_[A-Z0-9_]+)\b", settings_source))
    missing = sorted(name for name in names if name not in documented)
    assert not missing, f"document these settings in docs/configuration.md: {missing}"


def test_no_cdn_in_templates():
    for path in SRC.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "cdn." not in text and "unpkg" not in text and "//cdnjs" not in text, path


def test_production_defaults_are_safe():
    assert settings.SESSION_COOKIE_HTTPONLY
    source = (SRC / "settings.py").read_text(encoding="utf-8")
    assert 'DEBUG = env_bool("GONGZHI_DEBUG", False)' in source


def test_data_dictionary_is_current():
    from gongzhi.core.management.commands.export_data_dictionary import dictionary_pages

    folder = DOCS / "data-dictionary" / "models"
    pages = dictionary_pages()
    stale = [
        name
        for name, text in pages.items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run `make docs` and commit docs/data-dictionary/models: {stale[:5]}"


def test_chinese_is_the_default_even_for_english_browsers(db, client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录共治平台" in page
    client.cookies["django_language"] = "en"
    assert "Sign in to Gongzhi" in client.get("/accounts/login/").content.decode()
