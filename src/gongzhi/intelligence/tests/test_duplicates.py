"""重复件: MinHash LSH duplicate suggestions — crafted pairs, scope, intake indexing and the workbench."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongzhi.audit.models import AuditEvent
from gongzhi.cases.selectors import possible_duplicates
from gongzhi.cases.services import merge_case
from gongzhi.cases.tests import factories as f
from gongzhi.core.testing import PASSWORD
from gongzhi.intelligence.duplicates import PARAMS, duplicate_candidates
from gongzhi.intelligence.models import CaseBand, CaseFingerprint
from gongzhi.intelligence.nlp.minhash import (
    MinHasher,
    dedupe_text,
    exact_jaccard,
    shared_phrases,
    shingle_ids,
)
from gongzhi.intelligence.nlp.text import clean_text

STALL = (
    "幸福里小区南门早市占道经营",
    "每天早上6点到9点，幸福里小区南门外人行道上全是卖菜的摊子，推婴儿车、坐轮椅的根本过不去，希望城管管一管。",
)
STALL_AGAIN = (
    "幸福里小区南门外早市摊贩占道",
    "幸福里小区南门外面的人行道每天早上都被卖菜的摊子占满了，老人轮椅和婴儿车都过不去，请城管来管管。",
)
BARBECUE = (
    "楼下烧烤店深夜噪音扰民",
    "3号楼底商的烧烤店天天营业到凌晨两点，客人喝酒划拳声音特别大，孩子没法睡觉，已经一个多月了。",
)


@pytest.fixture
def submit(world, django_capture_on_commit_callbacks):
    """Submit a case through intake and run its on-commit hooks (which index it)."""

    def _submit(text, *, grid="a", **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return f.submitted_case(world, grid=grid, title=text[0], description=text[1], **overrides)

    return _submit


# --- the pure part ---------------------------------------------------------------------------------------


def test_signatures_are_deterministic_and_estimate_jaccard():
    a, b = dedupe_text(*STALL), dedupe_text(*STALL_AGAIN)
    first = MinHasher().signatures([a, b])
    again = MinHasher().signatures([a, b])

    assert np.array_equal(first, again)
    assert abs(MinHasher.similarity(first[0], first[1]) - exact_jaccard(a, b)) < 0.12
    assert MinHasher.similarity(first[0], first[0]) == 1.0


def test_band_keys_of_other_streets_never_meet():
    hasher = MinHasher()
    sig = hasher.signature(dedupe_text(*STALL))

    same = hasher.band_keys(sig, salts=7)[0]
    other = hasher.band_keys(sig, salts=8)[0]

    assert same.dtype == np.int64 and same.shape == (hasher.bands,)
    assert not set(same.tolist()) & set(other.tolist())


def test_empty_text_has_no_shingles_and_no_similarity():
    hasher = MinHasher()
    empty = hasher.signature("")

    assert shingle_ids("，。！").size == 0
    assert MinHasher.is_empty(empty)
    assert MinHasher.similarity(empty, empty) == 0.0


def test_shared_phrases_are_the_common_runs_of_the_new_text():
    phrases = shared_phrases(
        clean_text("幸福里小区南门外早市摊贩占道"), clean_text("幸福里小区南门早市占道经营")
    )

    assert phrases == ["幸福里小区南门", "早市", "占道"]


def test_boilerplate_does_not_make_letters_alike():
    polite = ("尊敬的领导您好", "尊敬的领导您好，请问这个问题什么时候解决，谢谢！")
    other = ("尊敬的领导您好", "尊敬的领导您好，请问路灯不亮的问题什么时候解决，谢谢！")

    assert exact_jaccard(dedupe_text(*polite), dedupe_text(*other)) < 0.5


# --- crafted pairs -----------------------------------------------------------------------------------------


def test_suggests_an_earlier_rephrased_report_in_the_same_grid_with_evidence(world, submit):
    first = submit(STALL)
    second = submit(STALL_AGAIN)

    found = possible_duplicates(world.dispatcher, [second])[second.pk]

    assert [c.pk for c in found] == [first.pk]
    evidence = found[0].duplicate_evidence
    assert evidence.place == "same_grid"
    assert evidence.similarity >= 0.10
    assert evidence.days_apart < 1
    assert "南门" in "、".join(evidence.shared_words)
    assert "人行道" in "、".join(evidence.shared_words)


def test_the_earlier_case_is_not_told_to_merge_into_the_later_one(world, submit):
    first = submit(STALL)
    submit(STALL_AGAIN)

    assert possible_duplicates(world.dispatcher, [first])[first.pk] == []


def test_a_different_problem_in_the_same_grid_is_not_suggested(world, submit):
    submit(BARBECUE)
    second = submit(STALL_AGAIN)

    assert possible_duplicates(world.dispatcher, [second])[second.pk] == []


def test_the_same_text_in_another_street_is_not_suggested(world, submit):
    submit(STALL, grid="c")
    second = submit(STALL_AGAIN, grid="a")

    assert possible_duplicates(world.district_leader, [second])[second.pk] == []


def test_a_neighbouring_grid_of_the_same_community_counts_as_the_same_place(world, submit):
    first = submit(STALL, grid="b")
    second = submit(STALL_AGAIN, grid="a")

    found = possible_duplicates(world.dispatcher, [second])[second.pk]

    assert [c.pk for c in found] == [first.pk]
    assert found[0].duplicate_evidence.place == "same_community"


def test_reports_placed_from_their_address_at_community_level_are_compared_too(world, submit):
    address = {"lon": None, "lat": None, "address": "向阳区幸福里社区南门"}  # no grid, no point
    first = submit(STALL, **address)
    second = submit(STALL_AGAIN, **address)
    assert second.grid_id is None and second.region_path == world.community.path

    found = possible_duplicates(world.dispatcher, [second])[second.pk]

    assert [c.pk for c in found] == [first.pk]
    assert found[0].duplicate_evidence.place == "same_community"


def test_a_report_older_than_the_window_is_not_suggested(world, submit):
    with time_machine.travel(timezone.now() - timedelta(days=45)):
        submit(STALL)
    second = submit(STALL_AGAIN)

    assert possible_duplicates(world.dispatcher, [second])[second.pk] == []
    assert duplicate_candidates(world.dispatcher, [second], window=timedelta(days=60))[second.pk]


def test_closed_and_merged_cases_are_not_suggested(world, submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        f.closed_case(world, title=STALL[0], description=STALL[1])
        master = f.dispatched_case(world, title=BARBECUE[0], description=BARBECUE[1])
        merged = f.submitted_case(world, title=STALL[0], description=STALL[1])
    merge_case(actor=world.dispatcher, case=merged, master=master, reason="同一点位重复反映。")
    second = submit(STALL_AGAIN)

    assert possible_duplicates(world.dispatcher, [second])[second.pk] == []


# --- scope -------------------------------------------------------------------------------------------------


def test_suggestions_never_reveal_cases_outside_the_users_scope(world, submit):
    in_grid_a = submit(STALL, grid="a")
    in_grid_b = submit(STALL_AGAIN, grid="b")

    assert [c.pk for c in possible_duplicates(world.community_worker, [in_grid_b])[in_grid_b.pk]] == [
        in_grid_a.pk
    ]
    assert possible_duplicates(world.grid_worker_b, [in_grid_b])[in_grid_b.pk] == []


def test_a_resident_sees_no_other_residents_cases(world, submit):
    submit(STALL, reporter_user=None)  # reported by phone by somebody else
    mine = submit(STALL_AGAIN)

    assert possible_duplicates(world.resident, [mine])[mine.pk] == []


# --- index on intake and rebuild ---------------------------------------------------------------------------


def test_intake_indexes_the_new_case_after_commit(world, submit):
    case = submit(STALL)

    fingerprint = CaseFingerprint.objects.get(case=case)
    assert fingerprint.params == PARAMS
    assert fingerprint.street_id == world.street.pk
    assert CaseBand.objects.filter(case=case).count() == MinHasher().bands


def test_nothing_is_indexed_when_the_intake_transaction_does_not_commit(world):
    case = f.submitted_case(world, title=STALL[0], description=STALL[1])

    assert not CaseFingerprint.objects.filter(case=case).exists()


def test_index_command_backfills_missing_cases_and_is_audited(world):
    first = f.submitted_case(world, title=STALL[0], description=STALL[1])
    second = f.submitted_case(world, title=STALL_AGAIN[0], description=STALL_AGAIN[1])

    call_command("nlp", "index-duplicates")
    call_command("nlp", "index-duplicates")  # nothing left to do: a no-op

    assert CaseFingerprint.objects.filter(case_id__in=[first.pk, second.pk]).count() == 2
    assert [c.pk for c in possible_duplicates(world.dispatcher, [second])[second.pk]] == [first.pk]
    runs = AuditEvent.objects.filter(action="intelligence.rebuild_duplicate_index").order_by("pk")
    assert [run.data["indexed"] for run in runs] == [2, 0]


# --- the dispatcher's workbench ----------------------------------------------------------------------------


def test_workbench_shows_the_suggestion_with_evidence_and_prefills_the_merge(world, client, submit):
    first = submit(STALL)
    second = submit(STALL_AGAIN)
    client.login(username=world.dispatcher.username, password=PASSWORD)

    response = client.get(reverse("cases:workbench"))

    html = response.content.decode()
    row = html[html.index(f'data-testid="duplicates-{second.pk}"') :]
    assert first.number in row[:2000]
    assert f'data-testid="duplicate-evidence-{first.pk}"' in row[:2000]
    assert f'value="{first.number}"' in html  # the merge form suggests the earlier case as the master
