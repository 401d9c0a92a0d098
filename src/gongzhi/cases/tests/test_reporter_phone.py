"""显示完整号码: staff who call the reporter may see the full phone; every look-up is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.audit.models import AuditEvent
from gongzhi.cases import services
from gongzhi.cases.tests import factories as f
from gongzhi.core.errors import NotFound, PermissionDenied

BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"
PHONE = "13911112222"


def caller_case(world, **overrides):
    """Being handled by 城管, reported by a caller who left a name and a phone."""
    return f.processing_case(
        world, reporter_user=None, reporter_name="王大爷", reporter_phone=PHONE, **overrides
    )


def reveals(case) -> int:
    return AuditEvent.objects.filter(action="cases.reveal_reporter", target_id=str(case.pk)).count()


def test_the_handling_department_and_the_dispatcher_may_see_the_full_phone(world):
    case = caller_case(world)

    assert services.reveal_reporter_phone(actor=world.handler, case_id=case.pk) == PHONE
    assert services.reveal_reporter_phone(actor=world.dispatcher, case_id=case.pk) == PHONE
    assert reveals(case) == 2
    event = AuditEvent.objects.filter(action="cases.reveal_reporter").first()
    assert PHONE not in str(event.data)  # the log says who looked, never the number


def test_others_may_not_and_nothing_is_logged(world):
    case = caller_case(world)

    with pytest.raises(PermissionDenied):  # may see the case, does not call reporters
        services.reveal_reporter_phone(actor=world.district_leader, case_id=case.pk)
    with pytest.raises(NotFound):  # cannot see the case at all
        services.reveal_reporter_phone(actor=world.grid_worker_b, case_id=case.pk)
    assert reveals(case) == 0


def test_a_confidential_reporter_stays_hidden_from_the_department(world):
    case = caller_case(world, confidential=True)

    with pytest.raises(PermissionDenied):
        services.reveal_reporter_phone(actor=world.handler, case_id=case.pk)
    assert services.reveal_reporter_phone(actor=world.dispatcher, case_id=case.pk) == PHONE


def test_an_anonymous_reporter_has_nothing_to_reveal(world):
    case = f.processing_case(world, reporter_user=None, anonymous=True)

    assert not services.may_reveal_reporter_phone(world.dispatcher, case)
    with pytest.raises(PermissionDenied):
        services.reveal_reporter_phone(actor=world.dispatcher, case_id=case.pk)


def test_the_detail_page_offers_the_full_number_on_request(world, client):
    case = caller_case(world)
    client.force_login(world.handler, backend=BACKEND)

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert PHONE not in page and "139****2222" in page and 'data-testid="reveal-phone"' in page
    assert client.get(reverse("cases:reporter_phone", args=[case.pk])).status_code == 405  # POST only
    fragment = client.post(reverse("cases:reporter_phone", args=[case.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and f'href="tel:{PHONE}"' in fragment.content.decode()
    assert reveals(case) == 1

    client.force_login(world.district_leader, backend=BACKEND)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="reveal-phone"' not in page
    assert client.post(reverse("cases:reporter_phone", args=[case.pk])).status_code == 403


def test_the_api_reveals_to_the_department_and_refuses_others(world, client):
    from gongzhi.accounts.services import create_token

    case = caller_case(world)
    url = f"/api/v1/cases/{case.pk}/reporter-phone"
    _token, key = create_token(actor=world.handler, user=world.handler, name="tests")
    answer = client.post(url, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200 and answer.json() == {"phone": PHONE}

    _token, key = create_token(actor=world.district_leader, user=world.district_leader, name="tests")
    refused = client.post(url, headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 403 and refused.json()["message"]
    assert reveals(case) == 1
