"""One error family: every refusal's code is one of ErrorCode, and each maps to one HTTP status
in one table (accounts.http) that the pages share."""

import pytest

from accounts.base import DocentError, ErrorCode
from accounts.http import STATUS_BY_CODE, status_for


def test_every_code_has_exactly_one_status():
    assert set(STATUS_BY_CODE) == set(ErrorCode)
    assert all(200 <= status < 600 for status in STATUS_BY_CODE.values())


def test_a_code_outside_the_family_is_refused_when_the_error_is_made():
    with pytest.raises(ValueError):
        DocentError("Nope.", code="made_up")


@pytest.mark.parametrize(("code", "status"), [("too_large", 413), ("rate_limited", 429), ("gone", 410),
                                              ("not_found", 404), ("conflict", 409), ("invalid", 400)])
def test_a_refusal_answers_its_codes_status(code, status):
    assert status_for(DocentError("Refused.", code=code)) == status
