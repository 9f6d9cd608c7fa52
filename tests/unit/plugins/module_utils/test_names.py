# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one rule for account names: what ZIA merges is the same name."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import names


@pytest.mark.parametrize("left,right", [
    ("case mip", "Case MIP"),
    ("Trim MIP ", "Trim MIP"),
    ("  Trim MIP", "trim mip"),
    ("Two  spaces", "two spaces"),
    ("Tab\tinside", "tab inside"),
    (u"Stra\u00dfe MIP", "STRASSE mip"),  # casefold, as case-insensitive comparison should
])
def test_names_ZIA_merges_are_the_same_name(left, right):
    assert names.same_name(left, right)


@pytest.mark.parametrize("left,right", [("Contoso MIP", "Contoso-MIP"), ("Contoso MIP", "Contoso MIP 2"),
                                        ("ContosoMIP", "Contoso MIP")])
def test_other_names_differ(left, right):
    assert not names.same_name(left, right)


def test_shown_is_what_ZIA_stores():
    assert names.shown("  Trim   MIP \t") == "Trim MIP"
    assert names.shown(None) == ""


def test_named():
    accounts = [{"tenantName": "Case MIP", "tenantId": 1}, {"tenantName": "other", "tenantId": 2},
                {"tenantName": "case  mip ", "tenantId": 3}]
    assert [a["tenantId"] for a in names.named(accounts, "CASE MIP")] == [1, 3]
    assert names.named([{"name": "Trim MIP"}], "Trim MIP ", field="name") == [{"name": "Trim MIP"}]
