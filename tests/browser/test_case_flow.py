"""接诉即办 end to end in headless Chromium: report → dispatch → sign → resolve → review → rate.

Runs against pytest-django's ``live_server`` with the system Chromium (never a downloaded browser).
Elements are found by ids, names and ``data-testid`` attributes, not by translated text.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.utils import translation

from gongzhi.cases.choices import CaseStatus
from gongzhi.cases.models import Case
from gongzhi.core.testing import PASSWORD

# Playwright's sync API runs its own event loop in this thread; the ORM calls of the test body are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - playwright is a dev dependency
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="needs the system Chromium at /usr/bin/chromium (make system-deps)",
    ),
    pytest.mark.skipif(sync_playwright is None, reason="needs the playwright Python package"),
]


def _photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 160, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page_for(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 414, "height": 896}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_identifier", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_case_flow_from_report_to_rating(world, live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # 1. The resident reports on the phone form: address, a tap on the map (the communities' outlines:
    #    no tile server here), a photo.
    resident = _page_for(browser, live_server, "resident")
    resident.goto(f"{live_server.url}/cases/report/")
    resident.fill("#id_title", "小区南门早市占道经营")
    resident.fill(
        "#id_description",
        "每天早上6点到9点，南门外人行道上全是卖菜的摊子，推婴儿车、坐轮椅的根本过不去，希望管一管。",
    )
    resident.fill("#id_address", "向阳街道幸福里社区南门外人行道")
    xingfuli = resident.locator("[data-testid=pick-map] path.leaflet-interactive").first  # 幸福里社区
    box, previous = xingfuli.bounding_box(), None
    while box != previous:  # the map zooms to the outlines with an animation: tap once it has settled
        resident.wait_for_timeout(100)
        previous, box = box, xingfuli.bounding_box()
    xingfuli.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})  # in its first grid
    assert resident.input_value("input[name=lat]") and resident.input_value("input[name=lng]"), "no tap"
    assert resident.locator("[data-locate-status]").inner_text() == "已在地图上选好位置。"  # said in words
    resident.set_input_files(
        "#id_photos", files=[{"name": "nanmen.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    resident.click("[data-testid=report-submit]")
    number = resident.locator("[data-testid=case-number]").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.PENDING_ACCEPT and case.attachments.count() == 1
    assert case.grid_id == world.grid_a.pk  # located from the tap on the map
    pk = case.pk

    # 2. The street dispatcher dispatches to 城管 from the workbench (one click when suggested).
    dispatcher = _page_for(browser, live_server, "dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/workbench/")
    dispatcher.screenshot(path=str(ARTIFACTS / "case_flow_workbench.png"), full_page=True)
    dispatcher.select_option(f"#id_dispatch-{pk}-department", str(world.chengguan.pk))
    dispatcher.click(f"[data-testid=do-dispatch-{pk}]")
    dispatcher.wait_for_selector(f'#case-{pk}-row[data-status="pending_sign"]')

    # 3. The 城管 handler signs for it and resolves it with a reply, in the inbox.
    handler = _page_for(browser, live_server, "handler")
    handler.goto(f"{live_server.url}/cases/inbox/?box=to_sign")
    handler.click(f"[data-testid=do-sign-{pk}]")
    handler.wait_for_selector(f'#case-{pk}-row[data-status="processing"]')
    handler.screenshot(path=str(ARTIFACTS / "case_flow_inbox.png"), full_page=True)
    handler.fill(
        f"#id_resolve-{pk}-reply",
        "已联系市场监管和街道，早市已迁入幸福里便民市场，南门人行道已清理，后续每天早上巡查。",
    )
    handler.click(f"[data-testid=do-resolve-{pk}]")
    handler.wait_for_selector(f'#case-{pk}-row[data-status="pending_review"]')

    # 4. The dispatcher approves the result on the case detail page.
    dispatcher.goto(f"{live_server.url}/cases/{pk}/detail/")
    dispatcher.screenshot(path=str(ARTIFACTS / "case_flow_detail.png"), full_page=True)
    dispatcher.click(f"[data-testid=do-review-{pk}]")
    dispatcher.wait_for_selector(f'#case-{pk}-actions[data-status="pending_follow_up"]')

    # 5. The resident reads the reply and rates 满意 on the case page.
    resident.goto(f"{live_server.url}/cases/{number}/")
    assert resident.locator("[data-testid=case-reply]").inner_text().startswith("已联系市场监管")
    resident.check(f'input[name="rate-{pk}-rating"][value="satisfied"]')
    resident.fill(f"#id_rate-{pk}-comment", "早上出门方便多了，谢谢！")
    resident.click(f"[data-testid=do-rate-{pk}]")
    resident.wait_for_selector(f'#case-{pk}-progress[data-status="closed"]')

    status = resident.locator(f"#case-{pk}-progress [data-testid=case-status]")
    with translation.override("zh-hans"):
        expected = str(CaseStatus.CLOSED.label)
    assert status.get_attribute("data-status") == "closed"
    assert status.inner_text().strip() == expected
    resident.screenshot(path=str(ARTIFACTS / "case_flow.png"), full_page=True)

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.rating == "satisfied"
    assert [s.action for s in case.steps.order_by("at", "pk")] == [
        "submit",
        "dispatch",
        "sign",
        "resolve",
        "approve",
        "rate",
    ]


def test_the_phone_menu_opens_below_the_top_bar(world, live_server, browser):
    """On a phone the ☰ button opens the menu as full-width rows under the brand, not squeezed beside it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_identifier", "resident")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.click(".nav-toggle")
    brand, toggle = page.locator(".brand").bounding_box(), page.locator(".nav-toggle").bounding_box()
    nav = page.locator(".mainnav").bounding_box()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone_menu.png"))
    assert nav["y"] >= max(brand["y"] + brand["height"], toggle["y"] + toggle["height"]) - 1
    assert nav["width"] > 300  # the whole width of the bar
    assert toggle["x"] + toggle["width"] > 390 - 40  # the ☰ button stays at the right edge
