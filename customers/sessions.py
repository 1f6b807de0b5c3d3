"""Sessions in the database, as Django keeps them, read with SQL built once per process.

``SESSION_ENGINE``: every signed-in request reads its session row first; building and compiling that
``get`` cost the process several times what PostgreSQL spends finding the row (docs/PERFORMANCE.md,
"The back-office queue page"). The row, its expiry check and everything written are Django's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.contrib.sessions.models import Session
from django.db.models import Field, QuerySet
from django.utils import timezone

from kartosfera import compiled_sql

_FIELDS: dict[str, Field[Any, Any]] = {
    "key": Session._meta.get_field("session_key"),
    "now": Session._meta.get_field("expire_date"),
}


def _live_session(values: Mapping[str, Any]) -> QuerySet[Session, tuple[str]]:
    return Session.objects.filter(session_key=values["key"], expire_date__gt=values["now"]).values_list(
        "session_data"
    )


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """The session's row if it has not expired; none (and no key) otherwise, as Django's store does."""
        if self.session_key is None:  # no cookie: no row to read
            return None
        rows = compiled_sql.run(
            "live session", _live_session, _FIELDS, {"key": self.session_key, "now": timezone.now()}
        )
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=rows[0][0])
