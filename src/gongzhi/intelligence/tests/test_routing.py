"""智能分拨: the classifier suggester, dispatcher labels, model versions, retraining and scope."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import system_actor
from gongzhi.audit.models import AuditEvent
from gongzhi.cases.models import Category
from gongzhi.cases.services import create_duty_rule, dispatch_case
from gongzhi.cases.services.catalog import import_categories
from gongzhi.cases.services.routing import _AUTOMATIC, _SUGGESTERS, suggest
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongzhi.intelligence import services
from gongzhi.intelligence.choices import LabelKind
from gongzhi.intelligence.models import ClassifierModel, Label
from gongzhi.intelligence.nlp import compose, train
from gongzhi.intelligence.selectors import training_examples
from gongzhi.intelligence.suggester import classifier_suggester, forget_models
from gongzhi.intelligence.tasks import retrain_classifiers_task

from .fixtures import messages

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
TREE = {
    "城市管理": ("市容环境", "占道经营"),
    "劳动和社会保障": ("劳动关系", "欠薪"),
    "教育文体": ("教育管理", "教育收费"),
    "卫生计生": ("医疗服务", "医疗机构"),
}
WAGES = ("装修老板拖欠工资三个月", "我们五个人在幸福里小区干装修，老板拖欠工资三个月一直不给，电话也不接。")


@pytest.fixture(autouse=True)
def models_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    forget_models()
    yield tmp_path / "models"
    forget_models()


@pytest.fixture
def tree(world):
    rows = [{"一级分类": top, "二级分类": mid, "三级分类": leaf} for top, (mid, leaf) in TREE.items()]
    report = import_categories(actor=world.admin, file_or_rows=rows, source="tests")
    assert not report.errors
    return {c.name: c for c in Category.objects.filter(level=1).order_by("path")}


_TRAINED: dict[tuple, object] = {}


def _trained(tree, rows):
    """Train once per test session for the same rows and category codes."""
    key = (tuple(rows), tuple((name, c.code) for name, c in tree.items()))
    if key not in _TRAINED:
        _TRAINED[key] = train([compose(t, d) for t, d, _ in rows], [tree[label].code for *_, label in rows])
    return _TRAINED[key]


@pytest.fixture
def category_model(world, tree, tmp_path):
    """An active category model whose labels are the level-1 category codes of ``tree``."""
    path = tmp_path / "upload.npz"
    _trained(tree, messages()).save(path)
    return services.register_model(
        actor=world.admin, kind=LabelKind.CATEGORY, path=path, source="tests", activate=True
    )


def _case(world, title, description, **kw):
    return f.accepted_case(world, title=title, description=description, **kw)


# --- the suggester --------------------------------------------------------------------------------------


def test_the_classifier_is_registered_as_a_suggester():
    assert classifier_suggester in _SUGGESTERS
    assert classifier_suggester in _AUTOMATIC  # intake asks it when classifying a case by itself


def test_without_an_active_model_there_are_no_classifier_suggestions(world, tree):
    case = _case(world, *WAGES)

    assert classifier_suggester(case) == []


def test_suggests_up_to_three_categories_with_confidence_and_words(world, tree, category_model):
    create_duty_rule(actor=world.admin, category=tree["劳动和社会保障"], lead_department=world.zhujian)
    case = _case(world, *WAGES)

    suggestions = classifier_suggester(case)

    assert 1 <= len(suggestions) <= 3
    best = suggestions[0]
    assert best.category == tree["劳动和社会保障"] and best.source == "classifier"
    assert best.department_id == world.zhujian.pk  # from the duty list
    assert 0.5 < best.confidence <= 1
    assert best.reasons and any("工资" in word for word in best.reasons)
    merged = suggest(case)
    assert len(merged) <= 3 and merged[0].category == tree["劳动和社会保障"]


def _department_model(world, tmp_path, codes: dict[str, str]):
    """An active department model: wages go to one department code, everything else to the other."""
    rows = messages()
    model = train([compose(t, d) for t, d, _ in rows], [codes[label] for *_, label in rows])
    model.save(tmp_path / "departments.npz")
    return services.register_model(
        actor=world.admin, kind=LabelKind.DEPARTMENT, path=tmp_path / "departments.npz", activate=True
    )


DEPARTMENT_CODES = {"劳动和社会保障": "ZJ", "城市管理": "CG", "教育文体": "CG", "卫生计生": "CG"}


def test_a_department_model_suggests_departments_by_their_codes_as_written(world, tmp_path):
    row = _department_model(world, tmp_path, DEPARTMENT_CODES)
    assert sorted(row.labels) == ["CG", "ZJ"]  # codes keep their case

    suggestions = classifier_suggester(_case(world, *WAGES))

    assert suggestions and suggestions[0].department_id == world.zhujian.pk
    assert suggestions[0].category is None and suggestions[0].source == "classifier"


def test_a_model_trained_when_labels_were_lower_cased_still_finds_its_departments(world, tmp_path):
    _department_model(world, tmp_path, {k: v.lower() for k, v in DEPARTMENT_CODES.items()})

    assert classifier_suggester(_case(world, *WAGES))[0].department_id == world.zhujian.pk


def test_the_workbench_shows_a_suggestion_that_names_no_department(world, tree, category_model, client):
    from django.urls import reverse

    case = f.submitted_case(world, title=WAGES[0], description=WAGES[1])  # no duty rule, no department model
    assert classifier_suggester(case)[0].department_id is None
    client.force_login(world.dispatcher, backend=BACKEND)

    page = client.get(reverse("cases:workbench"))

    assert page.status_code == 200
    assert "劳动和社会保障 → —" in page.content.decode()


def test_labels_the_model_all_but_rules_out_are_not_suggested(world, tree, category_model, monkeypatch):
    from gongzhi.intelligence import suggester

    class Ranked:
        def top_k(self, text, k):
            codes = [tree[name].code for name in ("劳动和社会保障", "城市管理", "教育文体")]
            return [(codes[0], 0.962, ["工资"]), (codes[1], 0.031, ["小区"]), (codes[2], 0.007, ["老板"])]

    monkeypatch.setattr(suggester, "loaded_model", lambda row: Ranked())

    shown = classifier_suggester(_case(world, *WAGES))

    assert [s.category for s in shown] == [tree["劳动和社会保障"], tree["城市管理"]]  # not the 0.7 % one


def test_a_new_version_is_used_after_activation_and_rollback(world, tree, category_model, tmp_path):
    _trained(tree, [r for r in messages() if r[2] != "劳动和社会保障"]).save(tmp_path / "second.npz")
    case = _case(world, *WAGES)

    second = services.register_model(actor=world.admin, kind="category", path=tmp_path / "second.npz")
    assert second.version == 2 and not second.is_active
    assert classifier_suggester(case)[0].category == tree["劳动和社会保障"]

    services.activate_model(actor=world.admin, model=second)
    assert tree["劳动和社会保障"] not in {s.category for s in classifier_suggester(case)}

    back = services.rollback_model(actor=world.admin, kind="category")
    assert back.version == 1 and back.is_active
    assert classifier_suggester(case)[0].category == tree["劳动和社会保障"]
    assert ClassifierModel.objects.filter(is_active=True).count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="intelligence.").values_list("action", flat=True)
    )
    assert actions.count("intelligence.activate_model") == 2
    assert actions.count("intelligence.rollback_model") == 1


def test_activating_twice_is_a_no_op_and_rollback_needs_a_previous_version(world, tree, category_model):
    again = services.activate_model(actor=world.admin, model=category_model)

    assert again.pk == category_model.pk
    assert AuditEvent.objects.filter(action="intelligence.activate_model").count() == 1
    with pytest.raises(InvalidTransition):
        services.rollback_model(actor=world.admin, kind="category")


def test_only_model_managers_register_or_activate(world, category_model):
    with pytest.raises(PermissionDenied):
        services.activate_model(actor=world.dispatcher, model=category_model)
    with pytest.raises(PermissionDenied):
        services.rollback_model(actor=world.district_leader, kind="category")


def test_a_missing_model_file_gives_no_suggestions_instead_of_an_error(
    world, tree, category_model, models_dir
):
    (models_dir / category_model.file_path).unlink()
    forget_models()

    assert classifier_suggester(_case(world, *WAGES)) == []


# --- scope ----------------------------------------------------------------------------------------------


def test_suggestions_use_only_the_case_itself(world, tree, category_model):
    """Explanations come from the case's own words; nothing about other cases is in a suggestion."""
    elsewhere = f.submitted_case(
        world, grid="c", title="朝晖社区秘密举报拖欠工资", description="朝晖社区某工地拖欠工资。"
    )
    case = _case(world, *WAGES)

    for suggestion in classifier_suggester(case):
        assert all(word in compose(*WAGES) for word in suggestion.reasons)
        assert "朝晖" not in "".join(suggestion.reasons)
        fields = {"category", "department_id", "confidence", "source", "reasons", "auto"}
        assert set(vars(suggestion)) == fields
    assert elsewhere.number not in repr(classifier_suggester(case))


def test_suggestion_endpoint_hides_cases_outside_the_users_scope(world, tree, category_model, client):
    mine = _case(world, *WAGES)
    other = f.submitted_case(
        world, grid="c", title="朝晖社区工地欠薪", description="朝晖社区工地老板拖欠工资。"
    )
    client.force_login(world.grid_worker_a, backend=BACKEND)

    assert client.get(f"/api/v1/cases/{other.pk}/suggestions").status_code == 404
    body = client.get(f"/api/v1/cases/{mine.pk}/suggestions").json()
    assert body and body[0]["source"] == "classifier"
    assert all(word in compose(*WAGES) for word in body[0]["reasons"])
    client.force_login(world.grid_worker_b, backend=BACKEND)
    assert client.get(f"/api/v1/cases/{mine.pk}/suggestions").status_code == 404


# --- dispatcher labels ----------------------------------------------------------------------------------


def test_a_correction_is_stored_with_what_the_model_suggested(world, tree, category_model):
    case = _case(world, *WAGES)

    label, dept_label = services.record_correction(
        actor=world.dispatcher, case=case, category=tree["城市管理"], department=world.chengguan
    )

    assert label.kind == "category" and label.category == tree["城市管理"] and label.by == world.dispatcher
    assert label.suggested == tree["劳动和社会保障"].code and label.agreed is False
    assert label.model == category_model and 0 < label.suggested_confidence <= 1
    assert dept_label.kind == "department" and dept_label.department == world.chengguan
    assert dept_label.suggested == "" and dept_label.agreed is None  # no department model yet
    event = AuditEvent.objects.filter(action="intelligence.record_correction").first()
    assert event.data["kind"] == "category" and event.data["model_version"] == 1


def test_filing_below_the_suggested_category_counts_as_agreeing(world, tree, category_model):
    leaf = Category.objects.get(name=TREE["劳动和社会保障"][1])  # 欠薪, two levels below the suggestion
    case = _case(world, *WAGES)

    [label] = services.record_correction(actor=world.dispatcher, case=case, category=leaf)

    assert label.suggested == tree["劳动和社会保障"].code and label.agreed is True


def test_a_lower_cased_department_suggestion_agrees_with_its_code(world, tmp_path):
    _department_model(world, tmp_path, {k: v.lower() for k, v in DEPARTMENT_CODES.items()})
    case = _case(world, *WAGES)

    [label] = services.record_correction(actor=world.dispatcher, case=case, department=world.zhujian)

    assert label.suggested == "zj" and label.agreed is True


def test_recording_the_same_choice_again_writes_nothing(world, tree):
    case = _case(world, *WAGES)
    first = services.record_correction(actor=world.dispatcher, case=case, category=tree["劳动和社会保障"])

    again = services.record_correction(actor=world.dispatcher, case=case, category=tree["劳动和社会保障"])

    assert again == first
    assert Label.objects.count() == 1
    assert AuditEvent.objects.filter(action="intelligence.record_correction").count() == 1


def test_corrections_need_dispatch_rights_over_the_case(world, tree):
    case = _case(world, *WAGES)
    other_street = f.submitted_case(world, grid="c")

    with pytest.raises(PermissionDenied):
        services.record_correction(actor=world.grid_worker_a, case=case, category=tree["城市管理"])
    with pytest.raises(PermissionDenied):
        services.record_correction(actor=world.dispatcher, case=other_street, category=tree["城市管理"])
    with pytest.raises(ValidationFailed):
        services.record_correction(actor=world.dispatcher, case=case)
    assert not Label.objects.exists()


# --- training from the deployment's cases ---------------------------------------------------------------


def _decided_cases(world, tree, rows):
    for title, details, label in rows:
        case = f.dispatched_case(world, title=title, description=details, category=tree[label])
        yield case


def test_training_from_cases_uses_decided_cases_and_dispatcher_labels(world, tree, monkeypatch):
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 10)
    rows = messages()[::5]  # 24 rows, 6 per label
    cases = list(_decided_cases(world, tree, rows))
    f.accepted_case(
        world, title="尚未派单的诉求", description="还没有派单，不应进入训练数据。", category=tree["城市管理"]
    )
    services.record_correction(actor=world.dispatcher, case=cases[0], category=tree["卫生计生"])

    examples = training_examples(user=system_actor(), kind="category")
    assert len(examples) == len(rows)
    assert examples[0].label == tree["卫生计生"].code  # the dispatcher's label wins

    row = services.train_from_cases(actor=system_actor(), kind="category", activate=True)

    assert row.version == 1 and row.is_active and row.training_size == len(rows)
    assert set(row.labels) == {c.code for c in tree.values()}
    assert 0 < row.threshold <= 1 and "macro_f1" in row.metrics
    assert (settings_models_dir(row)).exists()
    case = _case(world, *WAGES)
    assert classifier_suggester(case)[0].category == tree["劳动和社会保障"]


def settings_models_dir(row):
    from gongzhi.intelligence.selectors import model_file

    return model_file(row)


def test_training_refuses_too_few_cases(world, tree):
    list(_decided_cases(world, tree, messages()[:3]))

    with pytest.raises(ValidationFailed) as caught:
        services.train_from_cases(actor=system_actor(), kind="category")
    assert caught.value.code == "classifier.too_few_examples"
    with pytest.raises(PermissionDenied):
        services.train_from_cases(actor=world.dispatcher, kind="category")


def test_repeated_texts_count_once_towards_the_minimum_and_nothing_is_activated(world, tree, monkeypatch):
    """Sixty decided cases that are twelve letters posted five times each teach twelve examples, not sixty."""
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 20)
    rows = messages()[:6] + messages()[30:36]  # 城市管理 and 劳动和社会保障
    for _ in range(5):
        list(_decided_cases(world, tree, rows))
    assert len(training_examples(user=system_actor(), kind="category")) == 60

    with pytest.raises(ValidationFailed) as caught:
        services.train_from_cases(actor=system_actor(), kind="category", activate=True)
    assert caught.value.code == "classifier.too_few_examples"
    assert "12" in str(caught.value.message) and "20" in str(caught.value.message)
    assert not ClassifierModel.objects.exists()

    result = retrain_classifiers_task.call_local()
    assert result[0]["reason"] == "cannot train" and not result[0]["activated"]
    assert not ClassifierModel.objects.exists()


def test_weekly_job_retrains_only_when_enough_new_examples(world, tree, monkeypatch):
    monkeypatch.setattr(services, "MIN_TRAINING_EXAMPLES", 10)
    list(_decided_cases(world, tree, messages()[:4]))

    result = retrain_classifiers_task.call_local()
    assert [r["reason"] for r in result] == ["not enough new examples"] * 2

    list(_decided_cases(world, tree, messages()[4::6]))
    result = retrain_classifiers_task.call_local()
    category, department = result
    assert category["activated"] and category["version"] == 1
    assert department["version"] is None and department["reason"] == "cannot train"  # all went to 城管
    assert retrain_classifiers_task.call_local()[0]["reason"] == "not enough new examples"  # safe to repeat
    assert ClassifierModel.objects.filter(kind="category").count() == 1


def test_auto_dispatch_only_above_the_versions_threshold(world, tree, category_model):
    from gongzhi.intelligence.suggester import predict_case

    case = _case(world, *WAGES)
    top = predict_case(case, kind="category")[0]
    assert category_model.threshold == category_model.metrics["threshold"]
    assert top.auto_dispatchable == (top.confidence >= category_model.threshold)

    ClassifierModel.objects.filter(pk=category_model.pk).update(threshold=1.0)  # "never" for this test
    assert not predict_case(case, kind="category")[0].auto_dispatchable


# --- the hooks in cases intake and dispatch -------------------------------------------------------------


def test_a_confident_classifier_classifies_and_auto_dispatches_a_new_case(world, tree, category_model):
    ClassifierModel.objects.filter(pk=category_model.pk).update(threshold=0.0)  # "always" for this test
    create_duty_rule(actor=world.admin, category=tree["劳动和社会保障"], lead_department=world.zhujian)

    case = f.submitted_case(world, title=WAGES[0], description=WAGES[1])

    assert case.category == tree["劳动和社会保障"] and case.category_certain
    assert case.status == "pending_sign" and case.department == world.zhujian
    submit = AuditEvent.objects.filter(action="cases.submit").latest("pk")
    assert submit.data["category"] == tree["劳动和社会保障"].pk
    assert submit.data["auto_category"]["source"] == "classifier"


def test_below_the_threshold_a_person_classifies(world, tree, category_model):
    ClassifierModel.objects.filter(pk=category_model.pk).update(threshold=1.0)  # "never"
    create_duty_rule(actor=world.admin, category=tree["劳动和社会保障"], lead_department=world.zhujian)

    case = f.submitted_case(world, title=WAGES[0], description=WAGES[1])

    assert case.category is None and case.status == "pending_accept"
    assert "auto_category" not in AuditEvent.objects.filter(action="cases.submit").latest("pk").data


def test_intake_marks_an_emergency_urgent_and_says_so_in_the_audit(world):
    case = f.submitted_case(
        world, title="楼道里有很重的煤气味", description="3号楼2单元楼道煤气泄漏，味道很大，请马上派人来！"
    )

    assert case.urgency == "urgent"
    event = AuditEvent.objects.filter(action="cases.submit").latest("pk")
    assert event.data["urgency_detected"] is True and event.data["urgency"] == "urgent"


def test_intake_leaves_an_ordinary_case_normal(world):
    case = f.submitted_case(world, title="小区路灯不亮", description="幸福里小区5号楼前的路灯坏了一个星期。")

    assert case.urgency == "normal"
    assert "urgency_detected" not in AuditEvent.objects.filter(action="cases.submit").latest("pk").data


def test_a_dispatchers_choice_is_kept_as_a_label_after_commit(
    world, tree, category_model, django_capture_on_commit_callbacks
):
    case = _case(world, *WAGES, category=tree["劳动和社会保障"])

    with django_capture_on_commit_callbacks(execute=True):
        dispatch_case(actor=world.dispatcher, case=case, department=world.chengguan)

    labels = {label.kind: label for label in Label.objects.filter(case=case)}
    assert labels["department"].department == world.chengguan and labels["department"].by == world.dispatcher
    assert labels["category"].category == tree["劳动和社会保障"] and labels["category"].agreed is True


def test_automatic_dispatch_by_the_system_is_not_a_label(world, django_capture_on_commit_callbacks):
    case = _case(world, *WAGES)

    with django_capture_on_commit_callbacks(execute=True):
        dispatch_case(actor=system_actor(), case=case, department=world.chengguan)

    assert not Label.objects.exists()
