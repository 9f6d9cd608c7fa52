# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.zia_mip_contract import ManualStepsRequired
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.test_zia_mip_account import CLIENT, TENANT, FakeZia, account


def spec(**options):
    given = dict(name="Contoso MIP", tenant_id=TENANT, client_id=CLIENT, client_secret="s3cret", validate=False)
    given.update(options)
    return MipAccountSpec(**given)


def test_check_mode_plans_the_update_without_a_write():
    zia = FakeZia([account(label_retrieval=True)], contract=True)
    rec = MipAccountReconciler(zia, spec(label_retrieval=False), True)
    raw, sent = rec._update(zia.mip_accounts()[0], None)
    assert zia.writes == [] and raw["labelRetrieval"] is False and sent is False
    assert rec.changes == ["update MIP account 'Contoso MIP': turn label retrieval off"]


def test_a_write_zia_refuses_is_not_recorded():
    zia = FakeZia([account(label_retrieval=True)], contract=False)
    rec = MipAccountReconciler(zia, spec(label_retrieval=False), False)
    with pytest.raises(ManualStepsRequired):
        rec._update(zia.mip_accounts()[0], None)
    assert zia.writes and rec.changes == [] and rec.assumed_contract_writes == []


def test_a_write_zia_takes_is_recorded_with_its_contract_request():
    zia = FakeZia([account(label_retrieval=True)], contract=True)
    rec = MipAccountReconciler(zia, spec(label_retrieval=False), False)
    raw, _sent = rec._update(zia.mip_accounts()[0], None)
    assert raw["labelRetrieval"] is False and rec.assumed_contract_writes == ["PUT /casbTenant/7"]
    assert rec.changes == ["update MIP account 'Contoso MIP': turn label retrieval off"] and rec.sent_at is None
