#!/usr/bin/env python
"""Duplicate detection (重复件) benchmark: MinHash LSH index over N stored cases, query latency, baseline.

    .venv/bin/python benchmarks/duplicates_bench.py --db sqlite|postgresql --cases 1000000 [--queries 1000]
    .venv/bin/python benchmarks/duplicates_bench.py --evaluate     # precision/recall on the labelled pairs

Prints one JSON object. Steps of the index benchmark:

1. A fresh database (SQLite file under ``var/bench/`` or a throwaway PostgreSQL database
   ``gongzhi_dup_bench`` on 127.0.0.1:5432, user postgres, dropped at the end unless ``--keep``), migrated.
2. A district through the services: 8 streets × 6 communities × 4 grids and one street dispatcher per street.
3. N synthetic cases spread over ``--months`` months (open when recent, mostly closed when old), loaded
   in bulk (``bulk_create``, not through the services). Texts are real TipDM 2020 messages
   (``messages_labeled.csv`` + ``messages_unlabeled.csv``, read in place), each case a random message
   perturbed: a title cut or extended, characters dropped from the details, another message's opening
   sometimes spliced in — so near-duplicates exist as in a real hotline.
4. The index: signatures computed in batches with ``MinHasher.signatures``; fingerprints and band keys
   written with executemany (SQLite) or COPY (PostgreSQL); indexes built afterwards.
5. ``--queries`` random cases of the last 30 days: ``duplicate_candidates(dispatcher, [case])`` exactly as
   the workbench calls it (scoped, place filter, evidence with shared words) — p50/p99 ms.
6. Baseline in the same run: a brute-force scan of the same street's open cases in the same window
   (exact Jaccard of the same text + the same place filter) for ``--baseline-queries`` of those cases;
   p50/p99 ms, the speed ratio, and the share of the baseline's matches the LSH query also returned.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import benchdb

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("GONGZHI_TIPDM_DIR", "/work/shared/data/tipdm2020"))
DB_NAME = "dup_bench"  # var/bench/dup_bench.sqlite3 or the PostgreSQL database gongzhi_dup_bench
SEED = 20240501
NULL = "\\N"  # COPY text format
FP_COLUMNS = "case_id, signature, params, street_id, received_at, indexed_at"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--evaluate", action="store_true", help="only score the labelled pairs (no database)")
    parser.add_argument("--pairs", default=str(ROOT / "benchmarks" / "data" / "duplicate_pairs.csv"))
    parser.add_argument(
        "--thresholds",
        default="0.10,0.12,0.15,0.18,0.20,0.25",
        help="with --evaluate: the thresholds to compare (precision, recall, suggestions per message)",
    )
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def read_messages() -> list[tuple[str, str, str]]:
    """(id, title, details) of the TipDM messages (read in place, never copied)."""
    rows = []
    for name in ("messages_labeled.csv", "messages_unlabeled.csv", "hotspot_messages.csv"):
        path = DATA / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                rows.append((row.get("留言编号", ""), row.get("留言主题", ""), row.get("留言详情", "")))
    return rows


# ---------------------------------------------------------------------------------------------------------
# evaluation on the labelled pairs (no database)


def product_threshold() -> float:
    """``gongzhi.intelligence.duplicates.THRESHOLD``, the one place that owns it (Django is set up in test
    mode for the import; no database is opened)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("GONGZHI_TESTING", "1")
    import django

    django.setup()
    from gongzhi.intelligence.duplicates import THRESHOLD

    return THRESHOLD


def evaluate(args) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import numpy as np

    from gongzhi.intelligence.nlp.minhash import MinHasher, dedupe_text, exact_jaccard

    threshold = product_threshold()
    messages = {mid: (title, details) for mid, title, details in read_messages() if mid}
    with open(args.pairs, encoding="utf-8", newline="") as fh:
        pairs = list(csv.DictReader(fh))
    ids = sorted({p["id_a"] for p in pairs} | {p["id_b"] for p in pairs})
    missing = [i for i in ids if i not in messages]
    if missing:
        raise SystemExit(f"{len(missing)} message ids of the pairs are not in {DATA}")
    pos = {mid: k for k, mid in enumerate(ids)}
    texts = [dedupe_text(*messages[mid]) for mid in ids]
    hasher = MinHasher()
    signatures = hasher.signatures(texts)
    keys = hasher.band_keys(signatures)
    y = np.array([int(p["same"]) for p in pairs])
    a = np.array([pos[p["id_a"]] for p in pairs])
    b = np.array([pos[p["id_b"]] for p in pairs])
    candidate = np.array([bool(set(keys[i]) & set(keys[j])) for i, j in zip(a, b, strict=True)])
    estimate = np.array(
        [MinHasher.similarity(signatures[i], signatures[j]) for i, j in zip(a, b, strict=True)]
    )
    exact = np.array([exact_jaccard(texts[i], texts[j]) for i, j in zip(a, b, strict=True)])

    def scores(predicted):
        tp = int((predicted & (y == 1)).sum())
        fp = int((predicted & (y == 0)).sum())
        fn = int((~predicted & (y == 1)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "tp": tp,
                "fp": fp, "fn": fn}  # fmt: skip

    sweep = {
        f"{t:.2f}": scores(candidate & (estimate >= t))["f1"]
        for t in (0.06, 0.08, 0.10, 0.12, 0.15, 0.2, 0.3)
    }
    thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    load = suggestion_load(hasher, thresholds)
    compared = {f"{t:.2f}": {**scores(candidate & (estimate >= t)), **load[t]} for t in thresholds}
    return {
        "pairs": len(pairs),
        "same": int(y.sum()),
        "not_same": int((y == 0).sum()),
        "params": {"bands": hasher.bands, "rows": hasher.rows, "ngram": hasher.ngram, "threshold": threshold},
        "detector": scores(candidate & (estimate >= threshold)),
        "lsh_candidate_recall": round(float(candidate[y == 1].mean()), 3),
        "lsh_candidate_rate_on_not_same": round(float(candidate[y == 0].mean()), 3),
        "exact_jaccard_same_threshold": scores(exact >= threshold),
        "f1_by_threshold": sweep,
        "by_threshold": compared,
        "note": "text only: the TipDM messages carry no grid or point, so the place filter is not applied; "
        "suggestions per message: every message of hotspot_messages.csv against the earlier ones of the "
        "30-day window (at most 3 shown), no place filter, so an upper bound of what a dispatcher sees",
    }


def _message_time(value: str) -> datetime | None:
    value = (value or "").strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def suggestion_load(hasher, thresholds: list[float], window_days: int = 30, shown: int = 3) -> dict:
    """Per threshold: how many earlier messages (≤ ``shown``) each message of hotspot_messages.csv would
    be offered, as the workbench does it (shares a band, estimate ≥ threshold, within the window)."""
    from collections import defaultdict

    from gongzhi.intelligence.nlp.minhash import MinHasher, dedupe_text

    rows = []
    with open(DATA / "hotspot_messages.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            at = _message_time(row.get("留言时间", ""))
            if at is not None:
                rows.append((at, row.get("留言主题", ""), row.get("留言详情", "")))
    rows.sort(key=lambda r: r[0])
    signatures = hasher.signatures([dedupe_text(title, details) for _at, title, details in rows])
    keys = hasher.band_keys(signatures)
    window = timedelta(days=window_days)
    seen: dict[int, list[int]] = defaultdict(list)
    counts: dict[float, list[int]] = {t: [] for t in thresholds}
    for k, (at, _title, _details) in enumerate(rows):
        candidates = set()
        if not MinHasher.is_empty(signatures[k]):
            for key in {int(x) for x in keys[k]}:
                candidates.update(j for j in seen[key] if at - rows[j][0] <= window)
                seen[key].append(k)
        sims = [MinHasher.similarity(signatures[k], signatures[j]) for j in candidates]
        for t in thresholds:
            counts[t].append(min(shown, sum(1 for sim in sims if sim >= t)))
    return {
        t: {
            "messages": len(rows),
            "suggestions_per_message": round(statistics.mean(c), 3),
            "share_with_a_suggestion": round(sum(1 for n in c if n) / len(c), 3),
        }
        for t, c in counts.items()
    }


# ---------------------------------------------------------------------------------------------------------
# database


def configure(args) -> None:
    benchdb.configure(args.db, name=DB_NAME)


def drop_database(args) -> None:
    if not args.keep:
        benchdb.drop(args.db, name=DB_NAME)


def square(lon: float, lat: float, size: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def build_district():
    """8 streets × 6 communities × 4 grids (0.01° squares) and one dispatcher per street, via services."""
    from gongzhi.accounts.models import Role
    from gongzhi.accounts.roles import sync_roles
    from gongzhi.accounts.services import assign_role, create_user, system_actor
    from gongzhi.regions.services import create_region

    sync_roles()
    system = system_actor()
    district = create_region(actor=system, code="110199", name="向阳区", level="district")
    role = Role.objects.get(code="street_dispatcher")
    streets = []
    for s in range(8):
        street = create_region(
            actor=system, code=f"110199{s + 1:03d}", name=f"第{s + 1}街道", level="street", parent=district
        )
        grids = []
        for c in range(6):
            community = create_region(
                actor=system, code=f"{street.code}{c + 1:03d}", name=f"第{s + 1}街道第{c + 1}社区",
                level="community", parent=street,
            )  # fmt: skip
            for g in range(4):
                lon, lat = 116.0 + s * 0.08 + c * 0.02 + (g % 2) * 0.01, 39.8 + (g // 2) * 0.01
                grid = create_region(
                    actor=system, code=f"{community.code}{g + 1:03d}", name=f"{community.name}第{g + 1}网格",
                    level="grid", parent=community, boundary=square(lon, lat, 0.01),
                )  # fmt: skip
                grids.append((grid, lon + 0.005, lat + 0.005))
        user = create_user(
            actor=None,
            username=f"dispatcher{s}",
            password="Bench#2026",
            display_name=f"派单员{s}",
            is_staff=True,
        )
        assign_role(actor=None, user=user, role=role, region=street)
        streets.append((street, grids, user))
    return streets


def perturb(rng: random.Random, messages, k: int) -> tuple[str, str]:
    _mid, title, details = messages[k]
    title = (title or "").strip() or "反映问题"
    details = " ".join((details or "").split())
    roll = rng.random()
    if roll < 0.3 and len(title) > 8:
        cut = rng.randrange(2, len(title) // 2)
        title = title[cut:] if rng.random() < 0.5 else title[:-cut]
    elif roll < 0.5:
        title = title + rng.choice(("，请尽快处理", "，盼解决", "！", "的问题"))
    chars = list(details[:400])
    if chars:
        drop = max(1, len(chars) // 20)
        for _ in range(drop):
            chars.pop(rng.randrange(len(chars)))
    details = "".join(chars)
    if rng.random() < 0.2:
        other = messages[rng.randrange(len(messages))][2] or ""
        details = " ".join(other.split())[:80] + details
    return title[:120], details or title


def load_cases(args, streets, now: datetime) -> dict:
    """Bulk-load the cases with executemany (prepared values of a template row) and return the timing.

    A quarter of the cases repeat a recent case: the same message perturbed, in the same grid, a few days
    later — the duplicates the detector is for. The others are a random message at a random grid and time.
    """
    from django.db import connection, transaction

    from gongzhi.cases.choices import CaseStatus
    from gongzhi.cases.models import Case

    messages = [m for m in read_messages() if (m[1] or "").strip()]
    if not messages:
        raise SystemExit(f"no messages found under {DATA}")
    rng = random.Random(SEED)
    open_statuses = [CaseStatus.PENDING_ACCEPT, CaseStatus.PENDING_DISPATCH, CaseStatus.PROCESSING]
    span = args.months * 30 * 86400
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    template = Case(number="B", title="t", description="d", channel="hotline", received_at=now)
    base = {f.attname: f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields}
    varying = ("number", "title", "description", "status", "lon", "lat", "grid_id", "street_id",
               "region_path", "received_at")  # fmt: skip
    columns = list(varying) + [f.attname for f in fields if f.attname not in varying]
    fixed = [base[c] for c in columns[len(varying) :]]
    date_field = Case._meta.get_field("received_at")
    sql = (
        f"INSERT INTO {Case._meta.db_table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    recent: list[tuple[int, int, int, float]] = []  # (message, street index, grid index, age)
    started = time.perf_counter()
    made = 0
    while made < args.cases:
        rows = []
        for i in range(made, min(made + args.batch, args.cases)):
            if recent and rng.random() < 0.25:
                k, s, g, age0 = recent[rng.randrange(len(recent))]
                age = max(0.0, age0 - rng.random() * 10 * 86400)
            else:
                k, s = rng.randrange(len(messages)), rng.randrange(len(streets))
                g, age = rng.randrange(len(streets[s][1])), rng.random() * span
                recent.append((k, s, g, age))
                if len(recent) > 5000:
                    recent.pop(rng.randrange(len(recent)))
            street, grids, _user = streets[s]
            grid, lon, lat = grids[g]
            fresh = age < 45 * 86400
            status = (
                rng.choice(open_statuses) if rng.random() < (0.7 if fresh else 0.03) else CaseStatus.CLOSED
            )
            title, details = perturb(rng, messages, k)
            received = date_field.get_db_prep_save(now - timedelta(seconds=age), connection)
            rows.append(
                [f"B{i:011d}", title, details, status, lon + rng.uniform(-0.004, 0.004),
                 lat + rng.uniform(-0.004, 0.004), grid.pk, street.pk, grid.path, received, *fixed]
            )  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        made += len(rows)
        if made % 200_000 < args.batch:
            log(f"cases: {made}")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Case._meta.db_table}")
    return {"cases": made, "seconds": round(time.perf_counter() - started, 1)}


def _band_indexes(connection):
    from gongzhi.intelligence.models import CaseBand

    table = CaseBand._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return table, [
        (name, info["columns"])
        for name, info in constraints.items()
        if info.get("index") and not info.get("primary_key") and not info.get("unique")
    ]


def build_index(args, engine: str) -> dict:
    """Signatures in batches, then fingerprints and band keys written in bulk; indexes built afterwards."""
    from django.db import connection, transaction

    from gongzhi.cases.models import Case
    from gongzhi.intelligence.duplicates import HASHER, PARAMS
    from gongzhi.intelligence.models import CaseFingerprint
    from gongzhi.intelligence.nlp.minhash import MinHasher, dedupe_text

    fp_table = CaseFingerprint._meta.db_table
    band_table, indexes = _band_indexes(connection)
    with connection.cursor() as cursor:
        for name, _cols in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        if engine == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
    timings = {"signatures": 0.0, "write": 0.0}
    indexed_at = datetime.now(UTC)
    last = 0
    band_id = 0
    total = 0
    while True:
        rows = list(
            Case.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "description", "street_id", "received_at")[: args.batch]
        )
        if not rows:
            break
        last = rows[-1][0]
        t0 = time.perf_counter()
        sigs = HASHER.signatures([dedupe_text(title, details) for _pk, title, details, _s, _r in rows])
        keys = HASHER.band_keys(sigs, salts=[int(street or 0) for _pk, _t, _d, street, _r in rows])
        timings["signatures"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic():
            if engine == "sqlite":
                stamp = [r[4].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for r in rows]
                now_s = indexed_at.strftime("%Y-%m-%d %H:%M:%S.%f")
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {fp_table} ({FP_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
                        [
                            (r[0], MinHasher.to_bytes(s), PARAMS, r[3], stamp[k], now_s)
                            for k, (r, s) in enumerate(zip(rows, sigs, strict=True))
                        ],
                    )
                    band_rows = []
                    for k, r in enumerate(rows):
                        if MinHasher.is_empty(sigs[k]):
                            continue
                        for key in keys[k].tolist():
                            band_id += 1
                            band_rows.append((band_id, key, stamp[k], r[0]))
                    cursor.executemany(
                        f"INSERT INTO {band_table} (id, band_key, received_at, case_id) "
                        "VALUES (%s, %s, %s, %s)",
                        band_rows,
                    )
            else:
                stamp = [r[4].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00") for r in rows]
                now_s = indexed_at.strftime("%Y-%m-%d %H:%M:%S.%f+00")
                raw = connection.connection
                with raw.cursor() as cur:
                    with cur.copy(f"COPY {fp_table} ({FP_COLUMNS}) FROM STDIN") as copy:
                        copy.write(
                            "".join(
                                f"{r[0]}\t\\\\x{MinHasher.to_bytes(s).hex()}\t{PARAMS}\t{r[3] or NULL}\t"
                                f"{stamp[k]}\t{now_s}\n"
                                for k, (r, s) in enumerate(zip(rows, sigs, strict=True))
                            )
                        )
                    lines = []
                    for k, r in enumerate(rows):
                        if MinHasher.is_empty(sigs[k]):
                            continue
                        tail = f"\t{stamp[k]}\t{r[0]}\n"
                        for key in keys[k].tolist():
                            band_id += 1
                            lines.append(f"{band_id}\t{key}{tail}")
                    with cur.copy(
                        f"COPY {band_table} (id, band_key, received_at, case_id) FROM STDIN"
                    ) as copy:
                        copy.write("".join(lines))
        timings["write"] += time.perf_counter() - t0
        total += len(rows)
        if total % 200_000 < args.batch:
            log(f"indexed: {total}")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        if engine == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{band_table}', 'id'), {max(band_id, 1)})")
        for name, cols in indexes:
            cursor.execute(f'CREATE INDEX "{name}" ON {band_table} ({", ".join(cols)})')
        # VACUUM sets the visibility map, so the band lookup is an index-only scan as after autovacuum
        verb = "VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE"
        cursor.execute(f"{verb} {band_table}")
        cursor.execute(f"{verb} {fp_table}")
    timings["indexes"] = time.perf_counter() - t0
    return {
        "cases": total,
        "band_rows": band_id,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }


def brute_force(user, case, window, threshold):
    """Baseline: every open case of the same street in the window, exact Jaccard + the same place filter."""
    from gongzhi.cases.choices import OPEN_STATUSES
    from gongzhi.cases.selectors import cases_visible_to
    from gongzhi.intelligence.duplicates import _same_place
    from gongzhi.intelligence.nlp.minhash import dedupe_text, exact_jaccard

    mine = dedupe_text(case.title, case.description)
    pool = (
        cases_visible_to(user)
        .filter(
            street_id=case.street_id,
            status__in=OPEN_STATUSES,
            master__isnull=True,
            received_at__gte=case.received_at - window,
            received_at__lte=case.received_at,
        )
        .exclude(pk=case.pk)
        .select_related("grid")
        .order_by("pk")
    )
    found = []
    for other in pool:
        if other.received_at == case.received_at and other.pk > case.pk:
            continue
        score = exact_jaccard(mine, dedupe_text(other.title, other.description))
        if score >= threshold and _same_place(case, other) is not None:
            found.append((score, other.pk))
    found.sort(reverse=True)
    return [pk for _s, pk in found]


def bench_queries(args, streets, now: datetime) -> dict:
    from gongzhi.cases.choices import OPEN_STATUSES
    from gongzhi.cases.models import Case
    from gongzhi.intelligence.duplicates import THRESHOLD, WINDOW, duplicate_candidates

    dispatcher = {street.pk: user for street, _grids, user in streets}
    recent = list(
        Case.objects.filter(received_at__gte=now - timedelta(days=30), status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rng = random.Random(SEED + 1)
    picked = rng.sample(recent, min(args.queries, len(recent)))
    cases = {
        c.pk: c for c in Case.objects.filter(pk__in=picked).select_related("grid", "category", "department")
    }
    # warm-up: the segmenter for the evidence and the connection
    for pk in picked[:5]:
        duplicate_candidates(dispatcher[cases[pk].street_id], [cases[pk]])
    lsh_ms, hits, found = [], 0, {}
    for pk in picked:
        case = cases[pk]
        t0 = time.perf_counter()
        result = duplicate_candidates(dispatcher[case.street_id], [case])[pk]
        lsh_ms.append((time.perf_counter() - t0) * 1000)
        found[pk] = [c.pk for c in result]
        hits += bool(result)
    base_ms, agree, base_total = [], 0, 0
    for pk in picked[: args.baseline_queries]:
        case = cases[pk]
        t0 = time.perf_counter()
        expected = brute_force(dispatcher[case.street_id], case, WINDOW, THRESHOLD)[:3]
        base_ms.append((time.perf_counter() - t0) * 1000)
        base_total += len(expected)
        agree += len(set(expected) & set(found[pk]))
    lsh = {"p50_ms": round(percentile(lsh_ms, 0.5), 2), "p99_ms": round(percentile(lsh_ms, 0.99), 2),
           "mean_ms": round(statistics.fmean(lsh_ms), 2), "queries": len(lsh_ms),
           "with_suggestion": hits}  # fmt: skip
    base = {"p50_ms": round(percentile(base_ms, 0.5), 2), "p99_ms": round(percentile(base_ms, 0.99), 2),
            "queries": len(base_ms)}  # fmt: skip
    return {
        "lsh": lsh,
        "baseline_brute_force_same_street": base,
        "speedup_p50": round(base["p50_ms"] / lsh["p50_ms"], 1) if lsh["p50_ms"] else None,
        "lsh_found_of_baseline_top3": round(agree / base_total, 3) if base_total else None,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.evaluate:
        print(json.dumps(evaluate(args), ensure_ascii=False, indent=2))
        return 0
    configure(args)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    result: dict = {"db": args.db, "cases": args.cases}
    try:
        log("migrate")
        call_command("migrate", verbosity=0)
        if args.db == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=OFF")
        streets = build_district()
        now = datetime.now(UTC)
        log("load cases")
        result["load"] = load_cases(args, streets, now)
        log("build index")
        result["index"] = build_index(args, args.db)
        log("queries")
        result["query"] = bench_queries(args, streets, now)
        result["total_seconds"] = round(time.perf_counter() - started, 1)
    finally:
        drop_database(args)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
