"""The fast select widgets produce the markup Django's template-rendered selects produce."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django import forms

from gongzhi.core.widgets import FastSelect, FastSelectMultiple


class _Elements(HTMLParser):
    """The page as a list of (start/end/text, tag, attributes as a dict): attribute order and the blank
    text between tags do not matter to a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("end", tag, {}))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data, {}))


def _parsed(html: str) -> list[tuple]:
    parser = _Elements()
    parser.feed(str(html))
    return parser.items


CHOICES = [
    ("", "---------"),
    (1, "市容环境"),
    (2, '占道经营 <b>"摊贩"</b> & 噪音'),
    ("城市管理", [(3, "垃圾清运"), (4, "违法建设")]),
    (5, "供暖"),
]

CASES = [
    ("category", None, {}),
    ("category", 2, {"id": "id_category", "required": True, "class": "wide", "data-x": "a&b"}),
    ("category", "4", {"disabled": True, "aria-label": "事项分类"}),
]


@pytest.mark.parametrize(("name", "value", "attrs"), CASES)
def test_fast_select_renders_what_the_template_renders(name, value, attrs):
    expected = forms.Select(choices=CHOICES).render(name, value, attrs=dict(attrs))
    actual = FastSelect(choices=CHOICES).render(name, value, attrs=dict(attrs))
    assert _parsed(actual) == _parsed(expected)
    assert "<b>" not in actual  # labels are escaped, not markup


@pytest.mark.parametrize("value", [None, [], [1, 4], ["2", "5"]])
def test_fast_select_multiple_renders_what_the_template_renders(value):
    attrs = {"id": "id_assisting"}
    expected = forms.SelectMultiple(choices=CHOICES).render("assisting", value, attrs=dict(attrs))
    actual = FastSelectMultiple(choices=CHOICES).render("assisting", value, attrs=dict(attrs))
    assert _parsed(actual) == _parsed(expected)
    selected = [a["value"] for kind, tag, a in _parsed(actual) if tag == "option" and "selected" in a]
    assert selected == [str(v) for v in (value or [])]


def test_a_form_field_renders_through_the_fast_widget():
    class Form(forms.Form):
        category = forms.ChoiceField(choices=CHOICES, widget=FastSelect, required=False)

    bound = Form(data={"category": "3"})
    html = str(bound["category"])
    expected = forms.Select(choices=CHOICES).render("category", "3", {"id": "id_category"})
    assert _parsed(html) == _parsed(expected)
