"""Settings are validated when read: a wrong value names its variable and the form expected."""

from __future__ import annotations

import pytest

from kgapi.parameters import FALSE_WORDS, TRUE_WORDS, parse_boolean, parse_integer
from kgapi.settings import Settings, SettingsError


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("KGAPI_PORT", "abc", "KGAPI_PORT='abc': expected an integer"),
        ("KGAPI_PORT", "70000", "port must be at most 65535"),
        ("KGAPI_ALLOW_SERVICE", "maybe", "KGAPI_ALLOW_SERVICE='maybe': expected true or false"),
        ("KGAPI_QUERY_TIMEOUT", "-1", "query_timeout must be at least 0"),
        ("KGAPI_QUERY_TIMEOUT", "soon", "expected a decimal number"),
        # NaN compares false with everything: it would have turned the time limit off.
        ("KGAPI_QUERY_TIMEOUT", "nan", "expected a decimal number"),
        ("KGAPI_QUERY_TIMEOUT", "inf", "expected a decimal number"),
        ("KGAPI_QUERY_TIMEOUT", "1e309", "expected a decimal number"),
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


@pytest.mark.parametrize(("raw", "value"), [("0", 0), (" 42 ", 42), ("+7", 7), ("-3", -3)])
def test_one_integer_reader_for_every_parameter(raw: str, value: int) -> None:
    assert parse_integer(raw) == value


@pytest.mark.parametrize(
    "raw",
    ["", " ", "1.5", "1e3", "0x10", "1_000", "\u00b2", "\u0663", "\uff11", "12a", "--1", "1" * 19],
)
def test_what_is_no_integer_in_ascii_digits_is_refused(raw: str) -> None:
    """Python's int() takes `1_000`, Arabic-Indic and full-width digits, and str.isdigit()
    takes a superscript two that int() refuses: the one reader takes ASCII digits alone, as
    the API description's `integer` means."""
    with pytest.raises(ValueError, match="expected an integer"):
        parse_integer(raw)


def test_an_integer_out_of_its_range_names_the_range() -> None:
    assert parse_integer("5", minimum=0, maximum=5) == 5
    with pytest.raises(ValueError, match="at least 1"):
        parse_integer("0", minimum=1)
    with pytest.raises(ValueError, match="at most 9"):
        parse_integer("10", maximum=9)


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["serve", "--query-timeout", "nan"], "expected a decimal number"),
        (["serve", "--port", "1_0"], "expected an integer"),
        (["history", "--limit", "\u00b2"], "expected an integer"),
    ],
)
def test_flags_are_read_as_the_settings_are(
    arguments: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from kgapi.cli import main

    with pytest.raises(SystemExit) as exited:
        main(arguments)
    assert exited.value.code == 2
    assert complaint in capsys.readouterr().err
