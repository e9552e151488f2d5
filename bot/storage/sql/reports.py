"""Reports users file about items."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Report, UserKey
from bot.storage.sql.codecs import _dt, _ts
from bot.storage.sql.core import Script, SqlCore, fetch_one, user_pk

INSERT_REPORT = (
    "INSERT INTO reports (user_ref, item_id, reason, created_at) VALUES (?, ?, ?, ?) RETURNING id"
)


class SqlReports(SqlCore):
    """The ReportStore part of the SQL stores."""

    async def add_report(
        self, user: UserKey | None, item_id: str, reason: str, now: datetime
    ) -> Report:
        def script() -> Script[int]:
            pk = (yield from user_pk(user)) if user is not None else None
            row = yield from fetch_one(INSERT_REPORT, pk, item_id, reason, _ts(now))
            assert row is not None
            return int(row[0])

        report_id = await self._write(script())
        return Report(report_id, user, item_id, reason, _dt(_ts(now)))

    async def list_reports(self) -> list[Report]:
        rows = await self._all(
            "SELECT r.id, u.platform, u.user_id, r.item_id, r.reason, r.created_at "
            "FROM reports r LEFT JOIN users u ON u.id = r.user_ref ORDER BY r.created_at, r.id"
        )
        return [
            Report(
                id=row[0],
                user=UserKey(row[1], row[2]) if row[1] is not None else None,
                item_id=row[3],
                reason=row[4],
                created_at=_dt(row[5]),
            )
            for row in rows
        ]
