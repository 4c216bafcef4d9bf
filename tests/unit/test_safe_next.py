"""``safe_next``: a ``next`` parameter may only lead to a page on this site."""

from __future__ import annotations

import pytest

from burgerbegroting.core.web import safe_next

DEFAULT = "/"


@pytest.mark.parametrize(
    "target",
    [
        "/profile",
        "/beheer/accounts?q=bea",
        "/rondes/wijkbudgetten-2027#districts",
        "/%2F%2Fevil.example",  # an encoded slash stays part of our own path
        "/a/b/../c",
    ],
)
def test_paths_on_this_site_are_followed(target: str) -> None:
    assert safe_next(target, DEFAULT) == target


@pytest.mark.parametrize("target", [None, ""])
def test_nothing_gives_the_default(target: str | None) -> None:
    assert safe_next(target, "/profile") == "/profile"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/profile",
        "///evil.example",
        "https://evil.example",
        "http://evil.example/",
        "HTTPS://evil.example",
        "http:/evil.example",
        "http:evil.example",
        "ftp://evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "evil.example",
        "profile",
        "./profile",
        " /profile",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "\\/evil.example",
        "/\tevil.example",
        "/\t/evil.example",
        "/profile\r\nSet-Cookie: a=b",
        "/profile\nLocation: https://evil.example",
        "/\x00evil",
        "/\x1bevil",
        "\x00//evil.example",
        "\uff0f\uff0fevil.example",  # full-width solidus
    ],
)
def test_open_redirect_attempts_give_the_default(target: str) -> None:
    assert safe_next(target, DEFAULT) == DEFAULT
