"""分类模型 for the administrator: the page and the API list, activate, roll back and retrain versions."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Category
from gongzhi.cases.services.catalog import import_categories
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import ValidationFailed
from gongzhi.intelligence import services
from gongzhi.intelligence.models import ClassifierModel, Label
from gongzhi.intelligence.suggester import forget_models

from .fixtures import messages

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
PAGE = "/intelligence/models/"
API = "/api/v1/intelligence/models"
TREE = {
    "城市管理": ("市容环境", "占道经营"),
    "劳动和社会保障": ("劳动关系", "欠薪"),
    "教育文体": ("教育管理", "教育收费"),
    "卫生计生": ("医疗服务", "医疗机构"),
}


@pytest.fixture(autouse=True)
def models_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    forget_models()
    yield tmp_path / "models"
    forget_models()


def login(client, user):
    client.force_login(user, backend=BACKEND)


@pytest.fixture
def versions(world, fixture_model_file):
    """Category v1 (was active), category v2 (active now) and department v1 (active)."""
    register = services.register_model
    first = register(actor=world.admin, kind="category", path=fixture_model_file, activate=True)
    second = register(actor=world.admin, kind="category", path=fixture_model_file, activate=True)
    department = register(actor=world.admin, kind="department", path=fixture_model_file, activate=True)
    return first, second, department


def active_versions() -> dict[str, int]:
    return {row.kind: row.version for row in ClassifierModel.objects.filter(is_active=True)}


def actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith="intelligence.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- the page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("denied", ["dispatcher", "handler", "district_leader"])
def test_the_page_is_for_administrators_only(world, client, versions, denied):
    login(client, world.admin)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "分类模型" in response.content.decode()
    login(client, getattr(world, denied))
    assert client.get(PAGE).status_code == 403
    assert "分类模型" not in client.get("/").content.decode()  # no navigation entry either
    client.logout()
    assert client.get(PAGE).status_code == 302


def test_the_page_shows_scores_threshold_labels_and_the_active_version(
    world, client, versions, fixture_model
):
    login(client, world.admin)
    page = client.get(PAGE).content.decode()

    validation = fixture_model.metadata["validation"]
    assert 'id="models-category"' in page and 'id="models-department"' in page
    assert f"{validation['macro_f1']:.3f}" in page and f"{validation['accuracy']:.3f}" in page
    assert f"{fixture_model.metadata['training_size']} 件不同诉求" in page
    assert "正在使用版本 2" in page
    assert "卫生计生" in page and "<details>" in page  # per-label F1, expandable
    assert "回退到版本 1" in page  # category can roll back to v1
    assert reverse("intelligence:activate", args=["category", 1]) in page
    assert reverse("intelligence:activate", args=["category", 2]) not in page  # in use: no button
    assert "分类模型" in client.get("/").content.decode()  # navigation entry


def test_labels_stored_since_the_active_model_are_counted(world, versions):
    from gongzhi.intelligence.selectors import model_overview

    case = f.dispatched_case(world, title="幸福里小区门口占道经营", description="摊贩占了人行道。")
    Label.objects.all().delete()
    services.record_correction(actor=world.dispatcher, case=case, department=world.chengguan)
    overview = {o.kind: o for o in model_overview()}
    assert overview["department"].labels_since_active == 1
    assert overview["category"].labels_since_active == 0


def test_activating_from_the_page_changes_the_version_in_use_and_is_audited(world, client, versions):
    login(client, world.admin)
    response = client.post(reverse("intelligence:activate", args=["category", 1]))
    assert response.status_code == 302
    assert active_versions() == {"category": 1, "department": 1}
    assert actions()[-1] == "intelligence.activate_model"
    assert (
        "分类 模型版本 1 已启用" in client.get(PAGE).content.decode()
        or "已启用" in client.get(response.url).content.decode()
    )


def test_rolling_back_from_the_page_with_htmx_returns_the_section(world, client, versions):
    login(client, world.admin)
    response = client.post(reverse("intelligence:rollback", args=["category"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "model-changed"
    body = response.content.decode()
    assert body.startswith('<section class="card" id="models-category">') and "<html" not in body
    assert active_versions()["category"] == 1
    event = AuditEvent.objects.filter(action="intelligence.rollback_model").get()
    assert event.actor_id == world.admin.pk and event.data["previous"] == 2 and event.data["version"] == 1


def test_rollback_without_an_earlier_version_says_so(world, client, versions):
    login(client, world.admin)
    response = client.post(reverse("intelligence:rollback", args=["department"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "没有可以回退的早期模型版本。" in response.content.decode()
    assert active_versions()["department"] == 1


def test_others_cannot_activate_or_roll_back_from_the_page(world, client, versions):
    login(client, world.dispatcher)
    assert client.post(reverse("intelligence:activate", args=["category", 1])).status_code == 403
    assert client.post(reverse("intelligence:rollback", args=["category"])).status_code == 403
    assert client.post(reverse("intelligence:retrain", args=["category"])).status_code == 403
    assert active_versions() == {"category": 2, "department": 1}


def test_a_version_of_another_kind_cannot_be_activated_for_the_wrong_kind(world, client, versions):
    """Version numbers count per kind: category v2 exists, department v2 does not."""
    login(client, world.admin)
    before = len(actions())
    assert client.post(reverse("intelligence:activate", args=["department", 2])).status_code == 404
    assert client.post(f"{API}/department/versions/2/actions/activate").status_code == 404
    assert client.post(f"{API}/weather/versions/1/actions/activate").status_code == 422
    assert client.post("/intelligence/models/weather/1/activate/").status_code == 404
    assert active_versions() == {"category": 2, "department": 1}
    assert len(actions()) == before


def test_a_file_trained_for_one_kind_is_not_registered_as_the_other(world, fixture_model, tmp_path):
    fixture_model.metadata["kind"] = "category"
    path = tmp_path / "category.npz"
    fixture_model.save(path)
    try:
        with pytest.raises(ValidationFailed) as caught:
            services.register_model(actor=world.admin, kind="department", path=path, activate=True)
    finally:
        del fixture_model.metadata["kind"]
    assert caught.value.code == "classifier.wrong_kind"
    assert not ClassifierModel.objects.exists()


# --- the API ----------------------------------------------------------------------------------------------


def test_api_lists_versions_with_their_scores(world, client, versions, fixture_model):
    login(client, world.admin)
    body = client.get(API).json()
    assert body["count"] == 3
    rows = body["items"]
    assert [(r["kind"], r["version"], r["is_active"]) for r in rows] == [
        ("category", 2, True),
        ("category", 1, False),
        ("department", 1, True),
    ]
    validation = fixture_model.metadata["validation"]
    assert rows[0]["macro_f1"] == validation["macro_f1"]
    assert rows[0]["coverage_at_threshold"] == validation["coverage_at_threshold"]
    assert set(rows[0]["per_label_f1"]) == set(fixture_model.labels)
    assert rows[0]["training_size"] == fixture_model.metadata["training_size"]
    assert client.get(API, {"kind": "department"}).json()["count"] == 1
    kind = client.get(f"{API}/category").json()
    assert kind["active_version"] == 2 and kind["previous_version"] == 1 and kind["versions"] == 2


def test_api_activate_and_rollback_change_the_version_in_use_and_are_audited(world, client, versions):
    login(client, world.admin)
    response = client.post(f"{API}/category/versions/1/actions/activate")
    assert response.status_code == 200 and response.json()["is_active"]
    assert active_versions()["category"] == 1
    assert actions()[-1] == "intelligence.activate_model"

    response = client.post(f"{API}/category/actions/rollback")
    assert response.status_code == 200 and response.json()["version"] == 2
    assert active_versions()["category"] == 2
    assert actions()[-1] == "intelligence.rollback_model"


def test_api_refuses_other_users(world, client, versions):
    login(client, world.dispatcher)
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/category").status_code == 403
    assert client.post(f"{API}/category/versions/1/actions/activate").status_code == 403
    assert client.post(f"{API}/category/actions/rollback").status_code == 403
    assert client.post(f"{API}/category/actions/retrain").status_code == 403
    assert active_versions() == {"category": 2, "department": 1}


# --- retraining now ---------------------------------------------------------------------------------------


@pytest.fixture
def tree(world):
    rows = [{"一级分类": top, "二级分类": mid, "三级分类": leaf} for top, (mid, leaf) in TREE.items()]
    assert not import_categories(actor=world.admin, file_or_rows=rows, source="tests").errors
    return {c.name: c for c in Category.objects.filter(level=1).order_by("path")}


def _decided(world, tree, rows):
    for title, details, label in rows:
        f.dispatched_case(world, title=title, description=details, category=tree[label])


def test_retraining_with_too_few_labels_says_so_and_registers_nothing(world, client, tree):
    _decided(world, tree, messages()[:3])
    login(client, world.admin)

    response = client.post(reverse("intelligence:retrain", args=["category"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "目前只有 3 件已分拨的诉求" in response.content.decode()

    response = client.post(f"{API}/category/actions/retrain")
    assert response.status_code == 422
    assert response.json()["code"] == "classifier.too_few_examples"
    assert "3" in response.json()["message"] and "50" in response.json()["message"]

    response = client.post(reverse("intelligence:retrain", args=["category"]), follow=True)
    assert "目前只有 3 件已分拨的诉求" in response.content.decode()
    assert not ClassifierModel.objects.exists()
    assert "intelligence.request_retraining" not in actions()


def test_repeated_letters_count_once_before_anything_is_queued(world, client, tree, monkeypatch):
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 20)
    for _ in range(3):
        _decided(world, tree, messages()[:8])  # 24 cases, 8 different letters
    login(client, world.admin)
    response = client.post(f"{API}/category/actions/retrain")
    assert response.status_code == 422
    assert "8" in response.json()["message"]
    assert not ClassifierModel.objects.exists()


def test_retraining_now_registers_a_version_without_activating_it(
    world, client, tree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 10)
    _decided(world, tree, messages()[::5])  # 24 cases, 6 per category
    login(client, world.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/category/actions/retrain")
    assert response.status_code == 202
    assert response.json()["examples"] == 24 and "几分钟" in response.json()["message"]
    row = ClassifierModel.objects.get()
    assert row.kind == "category" and row.version == 1 and not row.is_active
    assert row.training_size == 24
    assert actions() == ["intelligence.request_retraining", "intelligence.register_model"]
    request_event = AuditEvent.objects.get(action="intelligence.request_retraining")
    assert request_event.actor_id == world.admin.pk and request_event.data["examples"] == 24

    # the job run again for the same request finds the version it made
    from gongzhi.accounts.services import system_actor

    requested_at = datetime.fromisoformat(response.json()["requested_at"])
    again = services.train_requested(actor=system_actor(), kind="category", requested_at=requested_at)
    assert again.pk == row.pk and ClassifierModel.objects.count() == 1


def test_a_retraining_that_fails_in_the_background_is_shown_on_the_page(
    world, client, tree, monkeypatch, django_capture_on_commit_callbacks
):
    """The administrator waits for a new version; when the job registers none, the page says why."""
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 10)
    _decided(world, tree, messages()[::5])  # 24 cases
    login(client, world.admin)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.post(f"{API}/category/actions/retrain").status_code == 202
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 1000)  # the job finds too few, as after merging
    for job in queued:
        job()
    assert not ClassifierModel.objects.exists()
    event = AuditEvent.objects.get(action="intelligence.retraining_failed")
    assert event.target_id == "category" and "1000" in event.reason

    html = client.get(PAGE).content.decode()
    shown = html.split('data-testid="failed-retraining-category"')[1].split("</p>")[0]
    assert "没有产生新版本" in shown and "1000" in shown
    assert 'data-testid="failed-retraining-department"' not in html

    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 10)  # a later version answers it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{API}/category/actions/retrain")
    assert ClassifierModel.objects.count() == 1
    assert 'data-testid="failed-retraining-category"' not in client.get(PAGE).content.decode()
