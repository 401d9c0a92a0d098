"""``gongzhi nlp …``: train and run the case classifier, manage model versions.

* ``gongzhi nlp train --input FILE --text-cols 留言主题,留言详情 --label-col 一级标签 --out MODEL`` —
  train on a CSV/XLSX export (no database needed); prints the validation scores.
* ``gongzhi nlp train --from-db [--kind category|department] [--activate] [--out MODEL]`` — train on
  this deployment's decided cases and dispatcher labels and register a new version.
* ``gongzhi nlp classify --model MODEL --input FILE --text-cols 留言主题,留言详情 --output OUT.csv`` —
  the input rows, same order, plus ``predicted_label`` and ``confidence`` (no database needed).
* ``gongzhi nlp urgency --input FILE --text-cols … --output OUT.csv`` — the input plus ``urgent`` and
  ``urgent_terms`` (no database needed).
* ``gongzhi nlp hotspots --input FILE --top N --output OUT.xlsx`` — hotspot mining (热点发现): the
  ranked table of problems reported by several messages at one place (``.xlsx`` or ``.csv``; no
  database needed; method in ``nlp/hotspots.py`` and ``docs/intelligence-hotspots.md``).
* ``gongzhi nlp models [--kind …]``, ``gongzhi nlp activate VERSION [--kind …]``,
  ``gongzhi nlp rollback [--kind …]`` — list, activate and roll back registered versions.
* ``gongzhi nlp index-duplicates [--all] [--since YYYY-MM-DD] [--batch-size N]`` — backfill (or with
  ``--all`` rebuild) the duplicate-detection index (重复件) of stored cases.

The first column of ``--text-cols`` is the title (it counts double), the others are the details.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.intelligence.nlp import (
    ModelLoadError,
    TrainConfig,
    TrainingError,
    compose_fields,
    describe,
    detect_urgency,
    load_model,
    train,
)
from gongzhi.intelligence.nlp.tables import TableError, prepare_output, read_table, replacing, write_csv

KINDS = ("category", "department")


def _columns(value: str) -> list[str]:
    names = [c.strip() for c in value.replace("，", ",").split(",") if c.strip()]
    if not names:
        raise CommandError("--text-cols needs at least one column name")
    return names


class Command(BaseCommand):
    help = "Case classifier: train, classify, urgency, models, activate VERSION, rollback."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)

        tr = sub.add_parser("train", help="Train a classifier from a CSV/XLSX file or from the database.")
        tr.add_argument("--input", help="CSV or XLSX file with a header row")
        tr.add_argument("--text-cols", default="留言主题,留言详情", help="title column, then detail columns")
        tr.add_argument("--label-col", default="一级标签")
        tr.add_argument("--out", help="where to write the model file")
        tr.add_argument("--from-db", action="store_true", help="train on this deployment's cases and labels")
        tr.add_argument("--kind", choices=KINDS, default="category", help="with --from-db: what to predict")
        tr.add_argument("--activate", action="store_true", help="with --from-db: use the new version at once")
        tr.add_argument("--folds", type=int, default=5, help="validation folds (default 5)")
        tr.add_argument(
            "--target-precision",
            type=float,
            default=0.95,
            help="precision the auto-dispatch threshold must reach on validation data",
        )

        cl = sub.add_parser("classify", help="Add predicted_label and confidence columns to a CSV/XLSX file.")
        cl.add_argument("--model", required=True)
        cl.add_argument("--input", required=True)
        cl.add_argument("--text-cols", default="留言主题,留言详情")
        cl.add_argument("--output", required=True, help="CSV file to write (UTF-8 with BOM)")
        cl.add_argument("--batch-size", type=int, default=2000)

        ur = sub.add_parser("urgency", help="Add urgent and urgent_terms columns to a CSV/XLSX file.")
        ur.add_argument("--input", required=True)
        ur.add_argument("--text-cols", default="留言主题,留言详情")
        ur.add_argument("--output", required=True)

        hs = sub.add_parser("hotspots", help="Rank hotspots (热点问题) of a CSV/XLSX file of messages.")
        hs.add_argument("--input", required=True)
        hs.add_argument("--output", required=True, help=".xlsx (ranked table + member messages) or .csv")
        hs.add_argument("--top", type=int, default=20, help="how many hotspots to write (default 20)")
        hs.add_argument("--text-cols", default="留言主题,留言详情", help="title column, then detail columns")
        hs.add_argument("--id-col", default="留言编号")
        hs.add_argument("--time-col", default="留言时间")
        hs.add_argument("--user-col", default="留言用户", help="reporter column (optional in the file)")
        hs.add_argument("--likes-col", default="点赞数", help="support column (optional in the file)")
        hs.add_argument("--dislikes-col", default="反对数", help="subtracted from support (optional)")
        hs.add_argument("--place-col", default="", help="address or place column, if the file has one")
        hs.add_argument("--window-days", type=float, default=30.0, help="longest gap inside a hotspot")
        hs.add_argument("--min-size", type=int, default=2, help="fewest messages of a hotspot")
        hs.add_argument("--now", help="rank as of this time (default: the newest message)")

        ls = sub.add_parser("models", help="List registered model versions.")
        ls.add_argument("--kind", choices=KINDS)

        ac = sub.add_parser("activate", help="Use a registered model version.")
        ac.add_argument("version", type=int)
        ac.add_argument("--kind", choices=KINDS, default="category")

        rb = sub.add_parser("rollback", help="Go back to the version in use before the current one.")
        rb.add_argument("--kind", choices=KINDS, default="category")

        dx = sub.add_parser("index-duplicates", help="Backfill or rebuild the duplicate-detection index.")
        dx.add_argument("--all", action="store_true", help="re-index every case, not only missing ones")
        dx.add_argument("--since", help="only cases received on or after this date (YYYY-MM-DD)")
        dx.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, **options):
        from gongzhi.core.errors import DomainError

        try:
            getattr(self, "_" + options["subcommand"].replace("-", "_"))(options)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        except (TableError, ModelLoadError, TrainingError) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # a file that cannot be read or written: no traceback
            raise CommandError(f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)) from exc

    # --- file based: no database --------------------------------------------------------------------

    def _train(self, options) -> None:
        config = TrainConfig(folds=options["folds"], target_precision=options["target_precision"])
        if options["from_db"]:
            return self._train_from_db(options, config)
        if not options["input"] or not options["out"]:
            raise CommandError("train needs --input and --out (or --from-db)")
        prepare_output(options["out"])
        table = read_table(options["input"])
        text_cols = _columns(options["text_cols"])
        table.require([*text_cols, options["label_col"]])
        indexes = [table.index(c) for c in text_cols]
        label_index = table.index(options["label_col"])
        texts, labels = [], []
        skipped = 0
        for row in table.rows:
            label = row[label_index].strip() if label_index < len(row) else ""
            if not label:
                skipped += 1
                continue
            texts.append(compose_fields(row[i] if i < len(row) else "" for i in indexes))
            labels.append(label)
        self.stderr.write(f"training on {len(texts)} rows ({skipped} without a label skipped) …")
        model = train(
            texts,
            labels,
            config=config,
            extra_metadata={
                "source": Path(options["input"]).name,
                "text_columns": text_cols,
                "label_column": options["label_col"],
            },
        )
        size = model.save(options["out"])
        self.stdout.write(f"{options['out']}: {size / 1e6:.1f} MB; {describe(model)}")
        self.stdout.write(json.dumps(model.metadata.get("validation", {}), ensure_ascii=False))

    def _classify(self, options) -> None:
        prepare_output(options["output"])
        model = load_model(options["model"])
        table = read_table(options["input"])
        text_cols = _columns(options["text_cols"])
        table.require(text_cols)
        indexes = [table.index(c) for c in text_cols]
        texts = [compose_fields(row[i] if i < len(row) else "" for i in indexes) for row in table.rows]
        started = time.perf_counter()
        labels: list[str] = []
        confidences: list[float] = []
        step = max(1, options["batch_size"])
        for start in range(0, len(texts), step):
            batch_labels, batch_conf = model.predict(texts[start : start + step])
            labels.extend(batch_labels)
            confidences.extend(batch_conf)
        elapsed = time.perf_counter() - started
        columns, rows = self._with_columns(
            table, {"predicted_label": labels, "confidence": [f"{c:.4f}" for c in confidences]}
        )
        write_csv(options["output"], columns, rows)
        per = elapsed / len(texts) * 1000 if texts else 0.0
        self.stdout.write(f"{options['output']}: {len(rows)} rows classified ({per:.2f} ms per row)")

    def _urgency(self, options) -> None:
        prepare_output(options["output"])
        table = read_table(options["input"])
        text_cols = _columns(options["text_cols"])
        table.require(text_cols)
        indexes = [table.index(c) for c in text_cols]
        flags, terms = [], []
        for row in table.rows:
            result = detect_urgency(*(row[i] if i < len(row) else "" for i in indexes))
            flags.append("1" if result.is_urgent else "0")
            terms.append("、".join(result.terms))
        columns, rows = self._with_columns(table, {"urgent": flags, "urgent_terms": terms})
        write_csv(options["output"], columns, rows)
        self.stdout.write(f"{options['output']}: {flags.count('1')} of {len(rows)} rows urgent")

    def _hotspots(self, options) -> None:
        from gongzhi.intelligence.nlp import hotspots as hot

        output = prepare_output(options["output"])
        table = read_table(options["input"])
        text_cols = _columns(options["text_cols"])
        table.require([options["id_col"], options["time_col"], *text_cols])
        now = hot.parse_time(options["now"]) if options["now"] else None
        if options["now"] and now is None:
            raise CommandError(f"--now {options['now']!r} is not a date or time")
        started = time.perf_counter()
        records, skipped = hot.records_from_table(
            table,
            id_col=options["id_col"],
            time_col=options["time_col"],
            text_cols=text_cols,
            user_col=options["user_col"],
            likes_col=options["likes_col"],
            dislikes_col=options["dislikes_col"],
            place_col=options["place_col"],
        )
        found = hot.find_hotspots(
            records, window_days=options["window_days"], min_size=options["min_size"], now=now
        )
        top = found[: max(0, options["top"])]
        if output.suffix.lower() in {".xlsx", ".xlsm"}:
            hot.write_xlsx(output, top, table, id_col=options["id_col"])
        else:
            write_csv(output, hot.TABLE_COLUMNS, hot.hotspot_table(top))
        elapsed = time.perf_counter() - started
        if skipped:
            self.stderr.write(f"{skipped} rows without a readable {options['time_col']} skipped")
        self.stdout.write(
            f"{output}: top {len(top)} of {len(found)} hotspots "
            f"from {len(records)} messages ({elapsed:.1f} s)"
        )

    @staticmethod
    def _with_columns(table, added: dict[str, list[str]]) -> tuple[list[str], list[list[str]]]:
        """The input table with ``added`` columns (replacing columns of the same name), same row order."""
        columns = list(table.columns)
        rows = [list(row) + [""] * (len(columns) - len(row)) for row in table.rows]
        for name, values in added.items():
            if name in columns:
                index = columns.index(name)
                for row, value in zip(rows, values, strict=True):
                    row[index] = value
            else:
                columns.append(name)
                for row, value in zip(rows, values, strict=True):
                    row.append(value)
        return columns, rows

    # --- database -------------------------------------------------------------------------------------

    def _train_from_db(self, options, config: TrainConfig) -> None:
        from gongzhi.accounts.services import system_actor
        from gongzhi.intelligence.selectors import model_file
        from gongzhi.intelligence.services import train_from_cases

        if options["out"]:
            prepare_output(options["out"])
        row = train_from_cases(
            actor=system_actor(), kind=options["kind"], activate=options["activate"], config=config
        )
        if options["out"]:
            with replacing(options["out"]) as tmp:
                tmp.write_bytes(model_file(row).read_bytes())
        state = "active" if row.is_active else f"not active (gongzhi nlp activate {row.version})"
        self.stdout.write(
            f"registered {row.kind} v{row.version} ({row.training_size} examples, "
            f"macro-F1 {row.metrics.get('macro_f1')}, threshold {row.threshold}); {state}"
        )

    def _models(self, options) -> None:
        from gongzhi.intelligence.selectors import classifier_models

        rows = list(classifier_models(kind=options["kind"]))
        if not rows:
            self.stdout.write("no model versions registered")
            return
        for row in rows:
            self.stdout.write(
                f"{'*' if row.is_active else ' '} {row.kind:<10} v{row.version:<4} "
                f"{row.created_at:%Y-%m-%d %H:%M}  examples={row.training_size:<7} "
                f"macro-F1={row.metrics.get('macro_f1', '-')}  threshold={row.threshold:.4f}  "
                f"{row.size_bytes / 1e6:.1f} MB  {row.source}"
            )

    def _activate(self, options) -> None:
        from gongzhi.accounts.services import system_actor
        from gongzhi.intelligence.selectors import get_classifier_model
        from gongzhi.intelligence.services import activate_model

        row = get_classifier_model(kind=options["kind"], version=options["version"])
        row = activate_model(actor=system_actor(), model=row)
        self.stdout.write(f"{row.kind} v{row.version} is active")

    def _index_duplicates(self, options) -> None:
        from datetime import date, datetime, time

        from django.utils import timezone

        from gongzhi.accounts.services import system_actor
        from gongzhi.intelligence.duplicates import rebuild_duplicate_index

        since = None
        if options["since"]:
            try:
                day = date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError("--since must be a date like 2024-05-01") from exc
            since = timezone.make_aware(datetime.combine(day, time.min))
        result = rebuild_duplicate_index(
            actor=system_actor(),
            only_missing=not options["all"],
            batch_size=options["batch_size"],
            since=since,
        )
        self.stdout.write(f"indexed {result.indexed} cases in {result.seconds} s")

    def _rollback(self, options) -> None:
        from gongzhi.accounts.services import system_actor
        from gongzhi.intelligence.services import rollback_model

        row = rollback_model(actor=system_actor(), kind=options["kind"])
        self.stdout.write(f"rolled back: {row.kind} v{row.version} is active")
