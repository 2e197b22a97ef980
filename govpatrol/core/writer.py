"""Batched writes of a scan's rows: committed as the scan goes, never held whole in memory."""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from govpatrol.core.findings import SPECS
from govpatrol.core.models import Finding
from govpatrol.core.types import FindingData


def finding_row(data: FindingData, *, scan_id: int, site_url: str, stage: str = "site") -> Finding:
    spec = SPECS.get(data.check)
    severity = data.severity or (spec.severity if spec else "medium")
    return Finding(
        scan_id=scan_id,
        check=data.check,
        severity=severity,
        page=data.page,
        target=data.target,
        message=data.message,
        detail=data.detail,
        fingerprint=data.fingerprint(site_url),
        stage=stage,
    )


Batch = tuple[dict[Any, list[dict[str, Any]]], dict[Any, list[dict[str, Any]]]]


def _commit(engine: Engine, batch: Batch) -> None:
    """One transaction: the rows, then the copies."""
    rows, copies = batch
    # Core executemany inserts: the ORM's per-object bookkeeping costs ~10x more and
    # a large scan writes hundreds of thousands of link rows.
    with engine.begin() as connection:
        for table, values in rows.items():
            connection.execute(insert(table), values)
        for statement, params in copies.items():
            connection.execute(statement, params)


class _Committer(threading.Thread):
    """Commits batches in order, in a thread of its own: SQLite does the work with the GIL
    released, so a crawl keeps fetching on one core while its rows are written on the
    other. At most ``QUEUED`` batches wait; past that, the writer waits (memory stays
    bounded). A failed commit is raised to the writer at its next flush."""

    QUEUED = 2

    def __init__(self, engine: Engine) -> None:
        super().__init__(name="govpatrol-writer", daemon=True)
        self.engine = engine
        self.batches: queue.Queue[Batch | None] = queue.Queue(self.QUEUED)
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        while (batch := self.batches.get()) is not None:
            try:
                if self.error is None:  # after a failure, nothing later is committed
                    _commit(self.engine, batch)
            except BaseException as exc:
                self.error = exc
            finally:
                self.batches.task_done()
        self.batches.task_done()

    def submit(self, batch: Batch) -> None:
        self.raise_error()
        self.batches.put(batch)

    def drain(self) -> None:
        self.batches.join()
        self.raise_error()

    def stop(self) -> None:
        self.batches.put(None)
        self.join()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"writing the scan's rows failed: {self.error}") from self.error


class BatchWriter:
    """Collects rows and commits them every ``batch_size`` rows or ``max_wait_s`` seconds.

    ``background``: commit in a thread of its own (``flush(wait=True)`` or ``close()`` waits
    for everything to be committed); for the crawl, whose rows are mostly copies."""

    def __init__(
        self,
        engine: Engine,
        scan_id: int,
        site_url: str,
        *,
        batch_size: int = 500,
        max_wait_s: float = 2.0,
        finding_stage: str = "site",
        background: bool = False,
    ) -> None:
        self.engine = engine
        self.scan_id = scan_id
        self.site_url = site_url
        self.batch_size = batch_size
        self.max_wait_s = max_wait_s
        self.finding_stage = finding_stage
        self._pending: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        # INSERT … SELECT statements (copies of earlier rows), run after the rows of the batch
        self._copies: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        self._pending_count = 0
        self._last_flush = time.monotonic()
        self.written = 0
        self.findings = 0
        self._committer = _Committer(engine) if background else None

    def add(self, record: Any) -> None:
        if isinstance(record, FindingData):
            record = finding_row(
                record, scan_id=self.scan_id, site_url=self.site_url, stage=self.finding_stage
            )
        if isinstance(record, Finding):
            self.findings += 1
        if getattr(record, "scan_id", self.scan_id) is None:
            record.scan_id = self.scan_id
        self._queue(type(record).__table__, column_values(record))

    def add_row(self, model: type[SQLModel], values: dict[str, Any]) -> None:
        """A row given as column values: for the hot path (a page's dozens of link rows),
        where building model instances costs more than the insert. Every column but the
        primary key must be given, so a batch's rows share one shape."""
        self.add_rows(model, [values])

    def add_rows(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return  # an empty executemany would insert one row of defaults
        table = model.__table__
        columns = _insert_columns(table)
        for values in rows:
            if not values.keys() >= columns:
                missing = columns - values.keys()
                raise ValueError(f"{table.name} row lacks {sorted(missing)}")
        self._pending[table].extend(rows)
        self._count(len(rows))

    def add_copy(
        self, statement: Any, params: dict[str, Any], *, weight: int = 1, findings: int = 0
    ) -> None:
        """An ``INSERT … SELECT`` that copies rows the store already has (a rescan re-using
        an unchanged page's rows), run with the batch: the rows never pass through Python.
        ``weight``: about how many rows it copies, so batches stay about the same size;
        ``findings``: how many of them are findings (a driver's row count of an
        ``INSERT … SELECT`` cannot be relied on: psycopg's is -1)."""
        self._copies[statement].append(params)
        self.findings += findings
        self._count(weight)

    def _queue(self, table: Any, values: dict[str, Any]) -> None:
        self._pending[table].append(values)
        self._count(1)

    def _count(self, added: int) -> None:
        self._pending_count += added
        if (
            self._pending_count >= self.batch_size
            or time.monotonic() - self._last_flush > self.max_wait_s
        ):
            self.flush()

    def add_all(self, records: Iterable[Any]) -> None:
        for record in records:
            self.add(record)

    def flush(self, *, wait: bool = False) -> None:
        """Commit what is pending (in the background for a background writer, and there
        ``wait``: until everything handed over so far is committed)."""
        self._last_flush = time.monotonic()
        if self._pending_count:
            batch: Batch = (self._pending, self._copies)
            count = self._pending_count
            self._pending, self._copies, self._pending_count = (
                defaultdict(list),
                defaultdict(list),
                0,
            )
            if self._committer is None:
                _commit(self.engine, batch)
            else:
                self._committer.submit(batch)
            self.written += count
        if wait and self._committer is not None:
            self._committer.drain()

    def close(self) -> None:
        """Commit everything and, for a background writer, end its thread."""
        self.flush()
        if self._committer is not None:
            committer, self._committer = self._committer, None
            committer.stop()


@functools.cache
def _insert_columns(table: Any) -> frozenset[str]:
    return frozenset(c.key for c in table.columns if not c.primary_key)


def column_values(row: SQLModel) -> dict[str, Any]:
    values = {}
    for column in type(row).__table__.columns:
        value = getattr(row, column.key, None)
        if value is None and column.primary_key:
            continue
        values[column.key] = value
    return values
