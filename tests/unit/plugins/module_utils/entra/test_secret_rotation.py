# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rotation decision: Graph's expiry formats, the reasons in their order, and the boundary."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra.secret_rotation import decide, expiring, parse_expiry

NOW = datetime.datetime(2026, 12, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


def graph_time(days, fraction="", zone="Z"):
    """An endDateTime ``days`` from NOW as Graph writes it."""
    return (NOW + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone


@pytest.mark.parametrize("fraction", ["", ".1", ".123", ".123456", ".1234567"])
def test_graph_expiry_times_to_the_second_or_with_up_to_seven_digits_of_fractions(fraction):
    due = decide([graph_time(10, fraction)], NOW, 30)
    assert due == {"due": True, "reason": "the secret expires 2026-12-11T12:00:00Z", "expires": "2026-12-11T12:00:00Z"}
    not_due = decide([graph_time(300, fraction)], NOW, 30)
    assert not_due == {"due": False, "reason": "not due", "expires": "2027-09-27T12:00:00Z"}


@pytest.mark.parametrize("text,expected", [
    ("2027-01-01T00:00:00Z", "2027-01-01T00:00:00"),
    ("2027-01-01T00:00:00.9999999Z", "2027-01-01T00:00:00"),  # cut, not rounded up a second
    ("2027-01-01T00:00:00", "2027-01-01T00:00:00"),  # no zone: UTC, as Graph means it
    ("2027-01-01T00:00:00+00:00", "2027-01-01T00:00:00"),
    ("2027-01-01T02:00:00+02:00", "2027-01-01T00:00:00"),
    ("2026-12-31T19:30:00.5-0430", "2027-01-01T00:00:00"),
])
def test_expiry_times_become_utc_to_the_second(text, expected):
    assert parse_expiry(text).strftime("%Y-%m-%dT%H:%M:%S") == expected
    assert parse_expiry(text).utcoffset() == datetime.timedelta(0)


def test_the_newest_of_several_secrets_decides_and_is_returned():
    # One of ours expires in 5 days, the newer one in 300: not due, and 'expires' is the newer one.
    result = decide([graph_time(5), graph_time(300, ".1234567")], NOW, 30, sibling_accounts=1)
    assert result == {"due": False, "reason": "not due", "expires": "2027-09-27T12:00:00Z"}


def test_several_secrets_are_an_unfinished_rotation_unless_another_account_may_hold_one():
    assert decide([graph_time(300), graph_time(700)], NOW, 30) == {
        "due": True, "reason": "an earlier rotation did not finish (2 secrets)", "expires": "2028-10-31T12:00:00Z"}
    assert decide([graph_time(300)] * 3, NOW, 30)["reason"] == "an earlier rotation did not finish (3 secrets)"
    # While another MIP account of the tenant may hold one, only the expiry (or force) counts.
    assert decide([graph_time(300), graph_time(700)], NOW, 30, sibling_accounts=1)["due"] is False
    assert decide([graph_time(5), graph_time(10)], NOW, 30, sibling_accounts=2)["reason"] == (
        "the secret expires 2026-12-11T12:00:00Z")
    assert decide([graph_time(300), graph_time(700)], NOW, 30, force=True, sibling_accounts=1)["reason"] == "forced"


def test_no_secret_of_ours_is_due():
    assert decide([], NOW, 30) == {"due": True, "reason": "the connector has no secret of ours", "expires": None}
    assert decide([], NOW, 30, force=True)["reason"] == "the connector has no secret of ours"


def test_forced_rotates_a_secret_that_is_not_expiring():
    forced = decide([graph_time(700)], NOW, 30, force=True)
    assert forced == {"due": True, "reason": "forced", "expires": "2028-10-31T12:00:00Z"}
    assert decide([graph_time(700)], NOW, 30, force=False)["due"] is False


def test_a_missing_connector_comes_first():
    missing = decide([], NOW, 30, connector_exists=False)
    assert missing == {"due": True, "reason": "the connector does not exist", "expires": None}
    assert decide([graph_time(1), graph_time(2)], NOW, 30, force=True, connector_exists=False)["reason"] == (
        "the connector does not exist")


def test_the_threshold_is_strictly_less_than_the_days():
    just_inside = (NOW + datetime.timedelta(days=30, seconds=-1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert decide([just_inside], NOW, 30)["due"] is True
    assert decide([graph_time(30)], NOW, 30)["due"] is False
    assert decide([graph_time(-3)], NOW, 30)["reason"] == "the secret expires 2026-11-28T12:00:00Z"  # already past
    assert decide([graph_time(10)], NOW, 0)["due"] is False  # 0 days: only force or an unfinished rotation


def test_a_secret_without_expiry_never_expires():
    assert decide([None], NOW, 30) == {"due": False, "reason": "not due", "expires": None}
    assert decide([None, graph_time(10)], NOW, 30, sibling_accounts=1)["due"] is True


def test_an_unreadable_expiry_is_treated_as_expired_and_named():
    result = decide(["next tuesday"], NOW, 30)
    assert result == {"due": True, "reason": "a client secret's expiry cannot be read (next tuesday)", "expires": None}
    # A readable newer one is still reported, and force still wins over the unreadable one.
    mixed = decide(["2027-13-45", graph_time(700)], NOW, 30, sibling_accounts=1)
    assert mixed["due"] is True and mixed["expires"] == "2028-10-31T12:00:00Z"
    assert decide(["next tuesday"], NOW, 30, force=True)["reason"] == "forced"


def test_expiring_is_azure_app_connectors_when_expiring_rule():
    assert expiring([graph_time(10)], NOW, 30) is True
    assert expiring([graph_time(10), graph_time(400, ".1234567")], NOW, 30) is False  # the newest counts
    assert expiring([graph_time(31)], NOW, 30) is False
    assert expiring([], NOW, 30) is False
    assert expiring([None], NOW, 30) is False
    assert expiring(["next tuesday", graph_time(400)], NOW, 30) is True
