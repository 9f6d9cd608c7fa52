# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How ZIA account names compare: the one rule every module and role uses.

ZIA stores an Account Name without the whitespace around it and keeps names
unique without regard to case; the Admin Portal shows runs of whitespace as
one space. So two names are the same account name when they are equal once
trimmed, with whitespace runs made one space, and case folded. Names are
written to ZIA in that shown form (``shown``), so what is stored is what the
next run compares against.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_WHITESPACE = re.compile(r"\s+", re.UNICODE)


def shown(name):
    """The name as ZIA stores it and the portal shows it: trimmed, whitespace runs as one space."""
    return _WHITESPACE.sub(" ", name or "").strip()


def name_key(name):
    """What two names must share to be the same account name in ZIA."""
    return shown(name).casefold()


def same_name(left, right):
    return name_key(left) == name_key(right)


def named(items, name, field="tenantName"):
    """The items whose ``field`` is the same account name as ``name``."""
    wanted = name_key(name)
    return [item for item in items if name_key(item.get(field)) == wanted]
