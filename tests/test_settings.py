"""Settings are validated when read: a wrong value names its variable and the form expected."""

from __future__ import annotations

import pytest

from kgapi.parameters import FALSE_WORDS, TRUE_WORDS, parse_boolean
from kgapi.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("KGAPI_PORT", "abc", "KGAPI_PORT='abc': expected a whole number"),
        ("KGAPI_PORT", "70000", "port must be at most 65535"),
        ("KGAPI_ALLOW_SERVICE", "maybe", "KGAPI_ALLOW_SERVICE='maybe': expected true or false"),
        ("KGAPI_QUERY_TIMEOUT", "-1", "query_timeout must be at least 0"),
        ("KGAPI_QUERY_TIMEOUT", "soon", "expected a number of seconds"),
        ("KGAPI_WORKERS", "0", "workers must be at least 1"),
    ],
)
def test_a_wrong_value_names_its_variable(variable: str, value: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint.replace("(", r"\(")):
        Settings.from_sources(environ={variable: value})


def test_values_of_each_type_are_read() -> None:
    settings = Settings.from_sources(
        environ={
            "KGAPI_PORT": " 9090 ",
            "KGAPI_ALLOW_SERVICE": "Yes",
            "KGAPI_QUERY_TIMEOUT": "2.5",
            "KGAPI_CORS_ORIGINS": "https://a.example, https://b.example",
        }
    )
    assert settings.port == 9090 and settings.allow_service is True
    assert settings.query_timeout == 2.5
    assert settings.cors_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize("word", [*TRUE_WORDS, *FALSE_WORDS, " TRUE ", "Off"])
def test_one_boolean_reader_for_every_parameter(word: str) -> None:
    assert parse_boolean(word) is (word.strip().lower() in TRUE_WORDS)


@pytest.mark.parametrize("word", ["", "maybe", "2", "tru"])
def test_unknown_boolean_words_are_refused(word: str) -> None:
    with pytest.raises(ValueError, match="expected true or false"):
        parse_boolean(word)
