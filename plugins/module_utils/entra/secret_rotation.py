# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a connector's client secret is due for rotation: the decision, once, as a pure function.

azure_app_connector returns it as ``secret_rotation``; the connector_secret_rotation
role acts on it. The reasons, first match wins:

======================================  ===========================================================
reason                                  when
======================================  ===========================================================
the connector does not exist            no application (check mode before it is made)
an earlier rotation did not finish (N   more than one of our secrets, and no other MIP account of
secrets)                                the tenant that may hold one of them
the connector has no secret of ours     none of our secrets
forced                                  the caller forces it
a client secret's expiry cannot be      an expiry that is not an ISO 8601 time: it is treated as
read (...)                              expired, so a rotation replaces it
the secret expires <time>Z              the newest expiry is less than ``rotate_before_days`` away
not due                                 otherwise (also when none of our secrets has an expiry)
======================================  ===========================================================
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

NOT_DUE = "not due"

# Graph writes endDateTime in UTC, to the second or with up to seven digits of
# fractions (2027-01-01T00:00:00Z, ...:00.123Z, ...:00.1234567Z). Python's
# strptime takes at most six, so the fraction is cut off: the decision is to
# the second. An offset other than Z is taken into account.
_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:[.]\d+)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_expiry(value):
    """An endDateTime as an aware UTC datetime to the second; None for None or ''. ValueError when unreadable."""
    if not value:
        return None
    match = _TIME_RE.match(value.strip())
    if not match:
        raise ValueError("not an ISO 8601 time: %r" % (value,))
    moment = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
    zone = match.group(2) or "Z"
    offset = datetime.timedelta(0)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    return (moment - offset).replace(tzinfo=datetime.timezone.utc)


def format_time(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def expires_within(moment, now, days):
    """Whether ``moment`` is less than ``days`` days after ``now`` (or already past)."""
    return moment - now < datetime.timedelta(days=days)


def expiring(expiries, now, days):
    """Whether no secret stays valid for ``days`` more days: the rule of azure_app_connector's
    ``rotate: when_expiring`` and of the expiry reason below. An unreadable expiry counts as
    expired; a secret without one never expires."""
    readable, unreadable = _read(expiries)
    return bool(unreadable) or (bool(readable) and expires_within(max(readable), now, days))


def _read(expiries):
    readable, unreadable = [], []
    for value in expiries:
        try:
            moment = parse_expiry(value)
        except ValueError:
            unreadable.append(value)
            continue
        if moment is not None:
            readable.append(moment)
    return readable, unreadable


def decide(expiries, now, rotate_before_days, force=False, sibling_accounts=0, connector_exists=True):
    """Whether our client secrets are due for rotation.

    ``expiries``: the endDateTime of each of our secrets (those with our description),
    as Graph gives it (None when a secret has none). ``now``: an aware datetime.
    ``sibling_accounts``: how many other ZIA MIP accounts of the tenant may hold one of
    the secrets; while there are any, several secrets are no unfinished rotation.
    Returns ``{"due": bool, "reason": str, "expires": the newest expiry or None}``.
    """
    readable, unreadable = _read(expiries)
    newest = max(readable) if readable else None
    expires = format_time(newest) if newest is not None else None
    reason = _reason(len(expiries), newest, unreadable, now, rotate_before_days, force, sibling_accounts,
                     connector_exists)
    return {"due": reason is not None, "reason": reason or NOT_DUE, "expires": expires}


def _reason(count, newest, unreadable, now, rotate_before_days, force, sibling_accounts, connector_exists):
    if not connector_exists:
        return "the connector does not exist"
    if count > 1 and not sibling_accounts:
        return "an earlier rotation did not finish (%d secrets)" % count
    if count == 0:
        return "the connector has no secret of ours"
    if force:
        return "forced"
    if unreadable:
        return "a client secret's expiry cannot be read (%s)" % ", ".join(str(v) for v in unreadable)
    if newest is not None and expires_within(newest, now, rotate_before_days):
        return "the secret expires %s" % format_time(newest)
    return None
