"""Where the change log and the tokens are kept, by the settings: PostgreSQL when
`database_url` is set (several instances share them), else files in `data_dir`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from kgapi.curation.changelog import ChangeLog
from kgapi.curation.tokens import TokenStore
from kgapi.settings import Settings

# The PostgreSQL side (and psycopg, 70 ms to import) is loaded only where database_url is set.
if TYPE_CHECKING:
    from kgapi.curation.postgres import PostgresChangeLog, PostgresTokenStore

AnyChangeLog: TypeAlias = "ChangeLog | PostgresChangeLog"
AnyTokenStore: TypeAlias = "TokenStore | PostgresTokenStore"


def change_log_for(settings: Settings) -> AnyChangeLog:
    if settings.database_url:
        from kgapi.curation.postgres import PostgresChangeLog

        return PostgresChangeLog(settings.database_url)
    return ChangeLog(settings.data_dir)


def token_store_for(settings: Settings) -> AnyTokenStore:
    if settings.database_url:
        from kgapi.curation.postgres import PostgresTokenStore

        return PostgresTokenStore(settings.database_url)
    return TokenStore(settings.data_dir)
