# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as Microsoft Graph writes them.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime


def parse_time(value):
    if not value:
        return None
    text = value.rstrip("Z").split(".")[0]
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
