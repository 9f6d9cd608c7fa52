# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""LabelRun: the selection options are checked before any call, and ZIA's labels reach the sink
filtered, counted and named after their account (a fake module and a fake ZIA, no HTTP)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.label_run import LABEL_SELECTION_ARGUMENT_SPEC, LabelRun

TAGS = [
    {"tagId": 1, "tagName": "Public", "tagUUID": "u-public", "deleted": False},
    {"tagId": 2, "tagName": "Confidential", "tagUUID": "u-conf", "deleted": False},
    {"tagId": 3, "tagName": "Confidential Old", "tagUUID": "u-old", "deleted": True},
]


class LabelZia:
    """The two ZIA reads a label run makes: the MIP accounts, and one account's policy tags."""

    def __init__(self, accounts, tags_by_account):
        self.accounts = accounts
        self.tags_by_account = tags_by_account
        self.pages_read = []

    def mip_accounts(self):
        return list(self.accounts)

    def pages(self, path):
        self.pages_read.append(path)
        account_id = int(path.split("/")[2])
        if account_id not in self.tags_by_account:
            raise ApiError("Zscaler Internet Access", 404, code="RESOURCE_NOT_FOUND")
        return iter(self.tags_by_account[account_id])


class Clients:
    def __init__(self, zia):
        self._zia = zia

    def zia(self):
        return self._zia


class Module:
    """The module as LabelRun uses it: its params and the ZIA client (by either way of asking)."""

    def __init__(self, zia, **options):
        self.params = dict((name, spec.get("default")) for name, spec in LABEL_SELECTION_ARGUMENT_SPEC.items())
        self.params.update(options)
        self.clients = Clients(zia)
        self.zia_client = self.clients.zia


def run(zia, **options):
    records = []
    label_run = LabelRun(Module(zia, **options), records.append)
    label_run.check_input()
    return label_run.run(), records


@pytest.mark.parametrize("options, option", [
    (dict(source="zia"), "account_name"),
    (dict(source="both"), "account_name"),
    (dict(account_name="Contoso\nMIP"), "account_name"),
    (dict(page_size=1000), "page_size"),
    (dict(user_id=" "), "user_id"),
])
def test_bad_selection_options_are_refused_naming_the_option(options, option):
    zia = LabelZia([], {})
    with pytest.raises(InputError) as caught:
        LabelRun(Module(zia, **options), [].append).check_input()
    assert caught.value.option == option
    assert zia.pages_read == []


def test_a_name_pattern_that_is_no_regular_expression_is_refused():
    with pytest.raises(InputError) as caught:
        LabelRun(Module(LabelZia([], {}), name_pattern="Conf("), [].append)
    assert caught.value.option == "name_pattern" and "regular expression" in str(caught.value)


def test_zia_labels_of_the_named_account_are_filtered_and_named_after_it():
    zia = LabelZia([{"tenantId": 7, "tenantName": "Contoso MIP"}], {7: TAGS})
    result, records = run(zia, source="zia", account_name="contoso  mip", name_pattern="^Conf")
    assert [(r["name"], r["account"], r["source"]) for r in records] == [("Confidential", "contoso  mip", "zia")]
    assert result["count"] == 1 and zia.pages_read == ["/casbTenant/7/tags/policy"]


def test_filters_zia_cannot_evaluate_keep_the_label_and_say_so():
    zia = LabelZia([{"tenantId": 7, "tenantName": "Contoso MIP"}], {7: TAGS})
    result, records = run(zia, source="zia", account_name="Contoso MIP", active_only=True)
    assert [r["name"] for r in records] == ["Public", "Confidential"]
    assert result["filters_not_evaluated"] == {"active_only": 2}
    assert result["warnings"] == ["active_only could not be evaluated on 2 label(s): the ZIA account does not "
                                  "report whether a label is active; they were kept."]


def test_two_accounts_of_one_name_are_refused_naming_both():
    zia = LabelZia([{"tenantId": 7, "tenantName": "Contoso MIP"}, {"tenantId": 8, "tenantName": "contoso mip"}],
                   {7: TAGS, 8: TAGS})
    with pytest.raises(MipConnectError) as caught:
        run(zia, source="zia", account_name="Contoso MIP")
    assert "'Contoso MIP' (id 7) and 'contoso mip' (id 8)" in str(caught.value) and "account_id" in caught.value.hint
    assert zia.pages_read == []


def test_an_unknown_account_is_refused_by_name_or_by_id():
    with pytest.raises(MipConnectError) as by_name:
        run(LabelZia([], {}), source="zia", account_name="Contoso MIP")
    assert "No MIP account is named 'Contoso MIP'" in str(by_name.value)
    with pytest.raises(MipConnectError) as by_id:
        run(LabelZia([], {}), source="zia", account_name="Contoso MIP", account_id=99)
    assert "no MIP account with id 99 (account_id)" in str(by_id.value)


def test_an_account_id_is_read_without_listing_the_accounts():
    zia = LabelZia([], {42: TAGS})
    result, records = run(zia, source="zia", account_name="Contoso MIP", account_id=42)
    assert result["count"] == 2 and [r["zia_id"] for r in records] == [1, 2]
