"""重复件: find earlier open cases that report the same problem, with MinHash LSH over stored cases.

Writes (keep the index): ``index_case`` / ``index_cases`` store a case's MinHash signature
(``CaseFingerprint``) and its LSH band keys (``CaseBand``). The index is derived data like a search
index: intake indexes each new case once its transaction commits (``index_case_on_intake``, registered
in ``cases.services.routing``), and ``rebuild_duplicate_index`` (``gongzhi nlp index-duplicates``)
backfills or rebuilds it, audited once per run.

Read (``duplicate_candidates``): for each case of a page, the earlier cases that

1. share at least one LSH band key (same street: the street is mixed into every key) and were received
   within ``WINDOW`` before it — read from the composite index (band_key, received_at, case);
2. are visible to the user (``cases_visible_to``: scope is applied before anything is revealed), open
   (``OPEN_STATUSES``) and not themselves merged into another case;
3. are at the same place: the same grid, a grid of the same community (adjacent grids are taken to be
   those of one community; boundary geometry is not consulted), or within ``NEARBY_METRES`` of the
   case's point;
4. have an estimated Jaccard similarity of at least ``THRESHOLD``.

Each returned case carries ``duplicate_evidence`` (similarity, shared words, place, distance, days apart).
Nothing is merged automatically: the dispatcher decides with the existing merge action.
"""

from __future__ import annotations

import copy
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.scoping import require
from gongzhi.audit.services import record
from gongzhi.cases.choices import OPEN_STATUSES
from gongzhi.cases.models import Case
from gongzhi.cases.selectors import cases_visible_to
from gongzhi.regions.paths import COMMUNITY_DEPTH, ancestor_path

from .models import CaseBand, CaseFingerprint
from .nlp.minhash import MinHasher, dedupe_text, shared_phrases
from .nlp.text import clean_text

__all__ = [
    "NEARBY_METRES",
    "PARAMS",
    "THRESHOLD",
    "WINDOW",
    "DuplicateEvidence",
    "RebuildResult",
    "duplicate_candidates",
    "index_case",
    "index_case_on_intake",
    "index_cases",
    "rebuild_duplicate_index",
]

logger = logging.getLogger(__name__)

#: The hashing used for every stored signature (see nlp/minhash.py and docs/intelligence-duplicates.md).
HASHER = MinHasher()
PARAMS = f"minhash1-b{HASHER.bands}r{HASHER.rows}n{HASHER.ngram}s{HASHER.seed}"
#: How far back an earlier report of the same problem is looked for.
WINDOW = timedelta(days=30)
#: Estimated Jaccard similarity (of title + start of the details) from which a case is suggested.
THRESHOLD = 0.10
#: Two points this close are the same place even across a grid boundary.
NEARBY_METRES = 300.0
#: Candidates per case read from the band index (the ones sharing most bands first).
MAX_CANDIDATES = 100
#: Characters of the details whose words are compared for the evidence.
EVIDENCE_CHARS = 200

SAME_GRID = "same_grid"
SAME_COMMUNITY = "same_community"
NEARBY = "nearby"


# ----------------------------------------------------------------------------------------------- writes


def _salt(case: Case) -> int:
    return int(case.street_id or 0)


def _text(case: Case) -> str:
    return dedupe_text(case.title, case.description)


def index_cases(cases: Sequence[Case], *, now: datetime | None = None, new: bool = False) -> int:
    """Store signatures and band keys of ``cases`` (replacing older ones); returns how many were indexed.

    ``new``: the cases were never indexed (just submitted), so there is nothing to replace.

    Derived data, like a search index: no permission check and no audit event per case (intake calls it
    for every new case; ``rebuild_duplicate_index`` is the audited bulk operation).
    """
    cases = [case for case in cases if case.pk is not None]
    if not cases:
        return 0
    now = now or timezone.now()
    signatures = HASHER.signatures([_text(case) for case in cases])
    keys = HASHER.band_keys(signatures, salts=[_salt(case) for case in cases])
    ids = [case.pk for case in cases]
    with transaction.atomic():
        if not new:
            CaseBand.objects.filter(case_id__in=ids).delete()
            CaseFingerprint.objects.filter(case_id__in=ids).delete()
        CaseFingerprint.objects.bulk_create(
            [
                CaseFingerprint(
                    case_id=case.pk,
                    signature=MinHasher.to_bytes(sig),
                    params=PARAMS,
                    street_id=case.street_id,
                    received_at=case.received_at,
                    indexed_at=now,
                )
                for case, sig in zip(cases, signatures, strict=True)
            ]
        )
        CaseBand.objects.bulk_create(
            [
                CaseBand(band_key=int(key), received_at=case.received_at, case_id=case.pk)
                for case, sig, row in zip(cases, signatures, keys, strict=True)
                if not MinHasher.is_empty(sig)
                for key in row
            ],
            batch_size=5000,
        )
    return len(cases)


def index_case(case: Case) -> None:
    """Index one case (see ``index_cases``)."""
    index_cases([case])


def index_case_on_intake(case: Case) -> None:
    """Intake listener: index a new case after its transaction committed; a failure is only logged."""
    try:
        index_cases([case], new=True)
    except Exception:  # the index can be rebuilt; intake must never fail because of it
        logger.exception("could not index case %s for duplicate detection", case.pk)


@dataclass(frozen=True)
class RebuildResult:
    indexed: int
    skipped: int
    seconds: float


def rebuild_duplicate_index(
    *, actor: User, only_missing: bool = True, batch_size: int = 2000, since: datetime | None = None
) -> RebuildResult:
    """重建重复件索引: index stored cases in batches (only those without a current signature by default).

    Each batch is its own transaction, so a long backfill neither holds locks nor starts over after an
    interruption; one audit event records the run.
    """
    require(actor, "intelligence.rebuild_duplicate_index")
    started = timezone.now()
    clock = timezone.now
    queryset = Case.objects.order_by("pk")
    if since is not None:
        queryset = queryset.filter(received_at__gte=since)
    if only_missing:
        current = CaseFingerprint.objects.filter(params=PARAMS).values("case_id")
        queryset = queryset.exclude(pk__in=current)
    indexed = 0
    last = 0
    fields = ("pk", "title", "description", "street_id", "received_at")
    while True:
        batch = list(queryset.filter(pk__gt=last).only(*fields)[:batch_size])
        if not batch:
            break
        indexed += index_cases(batch)
        last = batch[-1].pk
    seconds = (clock() - started).total_seconds()
    with transaction.atomic():
        record(
            actor=actor,
            action="intelligence.rebuild_duplicate_index",
            target=None,
            data={"indexed": indexed, "only_missing": only_missing, "params": PARAMS},
        )
    total = Case.objects.count()
    return RebuildResult(indexed=indexed, skipped=max(total - indexed, 0), seconds=round(seconds, 2))


# ------------------------------------------------------------------------------------------------- read


@dataclass(frozen=True)
class DuplicateEvidence:
    """Why a case is suggested as an earlier report of the same problem (shown to the dispatcher)."""

    similarity: float
    place: str
    days_apart: float
    distance_m: float | None = None
    shared_words: tuple[str, ...] = field(default=())

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def place_label(self) -> str:
        if self.place == SAME_GRID:
            return _("same grid")
        if self.place == SAME_COMMUNITY:
            return _("same community")
        return _("%(metres)s m away") % {"metres": round(self.distance_m or 0)}

    @property
    def days_label(self) -> str:
        days = math.floor(self.days_apart)
        if days < 1:
            return _("the same day")
        return _("%(days)s days earlier") % {"days": days}


def _metres(a: Case, b: Case) -> float | None:
    if None in (a.lon, a.lat, b.lon, b.lat):
        return None
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def _community_path(case: Case) -> str | None:
    """The path of the community a case lies in (its grid's, or its own when it was placed at community
    level from an address)."""
    return ancestor_path(case.region_path, COMMUNITY_DEPTH)


def _same_place(case: Case, other: Case) -> tuple[str, float | None] | None:
    """(place, distance) when the two cases are at the same or an adjacent place, else None."""
    distance = _metres(case, other)
    if case.grid_id and case.grid_id == other.grid_id:
        return SAME_GRID, distance
    if distance is not None and distance <= NEARBY_METRES:
        return NEARBY, distance
    community = _community_path(case)
    if community is not None and community == _community_path(other):
        return SAME_COMMUNITY, distance
    return None


def _evidence_text(case: Case) -> str:
    return clean_text(case.title) + "。" + clean_text(case.description)[:EVIDENCE_CHARS]


def _shared_words(case: Case, other: Case, *, limit: int = 6) -> tuple[str, ...]:
    """Phrases of the new case that also occur in the earlier one (longest first, in text order)."""
    return tuple(shared_phrases(_evidence_text(case), _evidence_text(other), min_len=2, limit=limit))


def _signatures(cases: Sequence[Case]) -> dict[int, np.ndarray]:
    """Signatures of the page's cases, computed from their text (cheaper than reading them back)."""
    return dict(zip([c.pk for c in cases], HASHER.signatures([_text(c) for c in cases]), strict=True))


def duplicate_candidates(
    user: User,
    cases: Iterable[Case],
    *,
    limit: int = 3,
    threshold: float = THRESHOLD,
    window: timedelta = WINDOW,
) -> dict[int, list[Case]]:
    """``{case pk: [earlier open cases of the same problem, best first]}`` for the cases of a page.

    Three queries for the whole page (band keys, the candidates' signatures, the scoped candidate cases);
    the page's own signatures are computed from their text. Every returned case comes from
    ``cases_visible_to(user)`` and carries ``duplicate_evidence`` (a ``DuplicateEvidence``).
    """
    cases = [case for case in cases if case.pk is not None]
    result: dict[int, list[Case]] = {case.pk: [] for case in cases}
    if not cases:
        return result
    signatures = _signatures(cases)
    wanted: dict[int, set[int]] = {}
    for case in cases:
        sig = signatures[case.pk]
        if not MinHasher.is_empty(sig):
            wanted[case.pk] = {int(k) for k in HASHER.band_keys(sig, salts=_salt(case))[0]}
    if not wanted:
        return result
    by_pk = {case.pk: case for case in cases}
    start = min(by_pk[pk].received_at for pk in wanted) - window
    end = max(by_pk[pk].received_at for pk in wanted)
    all_keys = sorted(set().union(*wanted.values()))
    owners: dict[int, list[int]] = defaultdict(list)
    for pk, keys in wanted.items():
        for key in keys:
            owners[key].append(pk)
    shared: dict[int, Counter] = defaultdict(Counter)
    rows = (
        CaseBand.objects.filter(band_key__in=all_keys, received_at__gte=start, received_at__lte=end)
        .order_by("band_key", "received_at", "case_id")
        .values_list("band_key", "case_id", "received_at")
    )
    for key, other_id, received_at in rows.iterator(chunk_size=2000):
        for pk in owners[key]:
            case = by_pk[pk]
            if other_id == pk or received_at < case.received_at - window:
                continue
            if received_at > case.received_at or (received_at == case.received_at and other_id > pk):
                continue  # only earlier reports are suggested as the case to merge into
            shared[pk][other_id] += 1
    candidate_ids: set[int] = set()
    for counter in shared.values():
        candidate_ids.update(other for other, _n in counter.most_common(MAX_CANDIDATES))
    if not candidate_ids:
        return result
    # similarity first, from the fingerprints alone: only cases that pass are read (through the scope)
    stored = (
        CaseFingerprint.objects.filter(case_id__in=sorted(candidate_ids), params=PARAMS)
        .order_by("case_id")
        .values_list("case_id", "signature")
    )
    other_sigs = {pk: MinHasher.from_bytes(data) for pk, data in stored}
    passing: dict[int, list[tuple[float, int]]] = {}
    for pk, counter in shared.items():
        ids = [other for other, _n in counter.most_common(MAX_CANDIDATES) if other in other_sigs]
        if not ids:
            continue
        sims = MinHasher.similarities(signatures[pk], np.stack([other_sigs[o] for o in ids]))
        passing[pk] = [(float(sim), other) for sim, other in zip(sims, ids, strict=True) if sim >= threshold]
    wanted_ids = sorted({other for pairs in passing.values() for _sim, other in pairs})
    if not wanted_ids:
        return result
    others = {
        other.pk: other
        for other in cases_visible_to(user)
        .filter(pk__in=wanted_ids, status__in=OPEN_STATUSES, master__isnull=True)
        .select_related("grid")
    }
    for pk, pairs in passing.items():
        case = by_pk[pk]
        scored = []
        for similarity, other_id in pairs:
            other = others.get(other_id)
            if other is None:
                continue
            place = _same_place(case, other)
            if place is None:
                continue
            scored.append((similarity, other, place))
        scored.sort(key=lambda item: (-item[0], item[1].received_at, item[1].pk))
        for similarity, other, (where, distance) in scored[:limit]:
            shown = copy.copy(other)
            shown.duplicate_evidence = DuplicateEvidence(
                similarity=round(similarity, 3),
                place=where,
                distance_m=None if distance is None else round(distance, 1),
                days_apart=round((case.received_at - other.received_at).total_seconds() / 86400, 2),
                shared_words=_shared_words(case, other),
            )
            result[pk].append(shown)
    return result


def duplicate_finder(user: User, cases: Iterable[Case], *, limit: int = 3) -> dict[int, list[Case]]:
    """The seam ``cases.selectors.possible_duplicates`` calls when this app is installed."""
    return duplicate_candidates(user, cases, limit=limit)
