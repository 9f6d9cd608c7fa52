# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of option values, each raising an InputError that names the option and the fix.

Pure Python: the auth builders and the domain code use them without ansible-core.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def is_guid(value):
    return isinstance(value, str) and bool(_GUID_RE.match(value.strip()))


def require_guid(option, value):
    """Refuse anything but a GUID; return it lower-cased."""
    if value is None:
        return None
    if not is_guid(value):
        raise InputError(option, "'%s' is not a GUID. Copy the value from the Azure portal's Overview page "
                                 "(form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)." % _shorten(value))
    return value.strip().lower()


def require_text(option, value, max_length):
    """Refuse empty text, control characters and over-long values."""
    if value is None:
        return None
    if not value.strip():
        raise InputError(option, "must not be empty.")
    if _CONTROL_RE.search(value):
        raise InputError(option, "must not contain control characters (newlines, tabs, NUL).")
    if len(value) > max_length:
        raise InputError(option, "is %d characters long; the limit is %d." % (len(value), max_length))
    return value


def require_https_url(option, value, allow_localhost_http=False):
    if value is None:
        return None
    if value.startswith("https://") and len(value) > len("https://"):
        return value
    if allow_localhost_http and re.match(r"^http://(localhost|127\.0\.0\.1)(:\d+)?(/|$)", value):
        return value
    raise InputError(option, "'%s' must be an https:// URL." % _shorten(value))


def require_range(option, value, low, high):
    if value is not None and not low <= value <= high:
        raise InputError(option, "is %s; it must be between %s and %s." % (value, low, high))
    return value


def _shorten(value, limit=60):
    text = _CONTROL_RE.sub("?", str(value))
    return text if len(text) <= limit else text[:limit] + "..."
