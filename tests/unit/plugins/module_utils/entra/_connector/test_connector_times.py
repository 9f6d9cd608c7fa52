# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.times import iso, parse_time


def test_graph_times_read_with_or_without_fractions_and_write_back():
    moment = parse_time("2026-11-23T12:00:00.1234567Z")
    assert moment == datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)
    assert iso(moment) == "2026-11-23T12:00:00Z" and parse_time(iso(moment)) == moment
    assert parse_time(None) is None and parse_time("") is None
