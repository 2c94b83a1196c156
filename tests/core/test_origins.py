"""The https-or-loopback rule, in its cheap start-up form and the client's httpx form."""

from __future__ import annotations

import pytest

from fttui.api.origins import InsecureURLError, check_safe_url, require_safe_url


@pytest.mark.parametrize(
    "url",
    ["https://pub.finetuning.ai", "http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:9"],
)
def test_https_and_loopback_http_pass_both_checks(url: str) -> None:
    assert check_safe_url(url) == url
    assert str(require_safe_url(url)).rstrip("/") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://pub.finetuning.ai",
        "http://10.0.0.1:8787",
        "http://127.0.0.1@evil.example",  # userinfo that looks like loopback
        "ftp://127.0.0.1",
        "https://",
        "pub.finetuning.ai",
    ],
)
def test_anything_else_fails_both_checks(url: str) -> None:
    with pytest.raises(InsecureURLError):
        check_safe_url(url)
    with pytest.raises(InsecureURLError):
        require_safe_url(url)
