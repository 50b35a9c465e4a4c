"""Where the change log and the tokens are kept, by the settings: PostgreSQL when
`database_url` is set (several instances share them), else files in `data_dir`."""

from __future__ import annotations

from kgapi.curation.changelog import ChangeLog
from kgapi.curation.postgres import PostgresChangeLog, PostgresTokenStore
from kgapi.curation.tokens import TokenStore
from kgapi.settings import Settings

AnyChangeLog = ChangeLog | PostgresChangeLog
AnyTokenStore = TokenStore | PostgresTokenStore


def change_log_for(settings: Settings) -> AnyChangeLog:
    if settings.database_url:
        return PostgresChangeLog(settings.database_url)
    return ChangeLog(settings.data_dir)


def token_store_for(settings: Settings) -> AnyTokenStore:
    if settings.database_url:
        return PostgresTokenStore(settings.database_url)
    return TokenStore(settings.data_dir)
