"""Real recorded ZIA answers, replayed verbatim by the emulator, read through the modules.

The MIP entry of ``GET /casbTenant/lite`` is the one a real cloud returned (the recorded
sample in tests/emulator/data). ZIA's tags/policy answer was not recorded: the list here has
its documented fields only (tagId, tagName, tagUUID, tenantId, deleted), one tag deleted.
All three modules run in one playbook.
"""

import csv
import json

from emulator.catalog import DATA_DIR
from proof_helpers import run_batch

RECORDED = json.loads((DATA_DIR / "zia_recorded_samples.json").read_text())
RECORDED_MIP = next(entry for entry in RECORDED["GET /zia/api/v1/casbTenant/lite (200)"]
                    if entry["saasApplication"] == "MIP")
TENANT = RECORDED_MIP["tenantId"]
POLICY_TAGS = [
    {"tagId": 1441700, "tagName": "Public", "tagUUID": "87ba5c36-b7cf-4793-bbc2-bd5b3a9f95ca", "tenantId": TENANT,
     "deleted": False},
    {"tagId": 1441701, "tagName": "General", "tagUUID": "f42aa342-8706-4288-bd11-ebb85995028c", "tenantId": TENANT,
     "deleted": False},
    {"tagId": 1441702, "tagName": "Confidential", "tagUUID": "4e4234dd-377b-42a3-935b-0e42f138fa23",
     "tenantId": TENANT, "deleted": False},
    {"tagId": 1441703, "tagName": "Old Secret", "tagUUID": "9fbde396-1a24-4c79-8edf-9254a0f35055",
     "tenantId": TENANT, "deleted": True},
]


def test_recorded_mip_entry_reads_the_same_through_every_module(tenant, tmp_path):
    tenant.emulator.replay_recorded_tenant(tenant.zia_org["org_id"], RECORDED_MIP, POLICY_TAGS)
    csv_path = tmp_path / "labels.csv"
    name = RECORDED_MIP["tenantName"]
    cases = [
        {"id": "info", "module": "mipconnect.zia.mip_account_info", "args": {"name": name, "details": True}},
        {"id": "account", "module": "mipconnect.zia.mip_account",
         "args": {"name": name, "tenant_id": RECORDED_MIP["enterpriseTenantId"], "activate": False}},
        {"id": "labels", "module": "mipconnect.zia.mip_labels_info", "args": {"source": "zia", "account_name": name}},
        {"id": "export", "module": "mipconnect.zia.mip_labels_export",
         "args": {"source": "zia", "account_name": name, "csv_path": str(csv_path)}},
    ]
    outcomes, output, _rc = run_batch(tenant, cases, zia="oneapi")
    for outcome in outcomes.values():
        assert not outcome.result.get("failed"), (outcome.case["id"], outcome.msg, output[-3000:])

    listed = outcomes["info"].result["accounts"]
    assert len(listed) == 1
    client_id = RECORDED_MIP["zscalerAppTenantId"]["name"]
    assert listed[0]["client_id"] == client_id
    assert listed[0]["status"] == "Active" and listed[0]["statuses"] == RECORDED_MIP["status"]
    assert listed[0]["inactive"] is False and listed[0]["label_retrieval"] is True

    account = outcomes["account"]
    assert account.result["changed"] is False and account.writes == []
    assert account.result["account"]["client_id"] == client_id

    # A tag marked deleted is no label anywhere: not counted, not exported.
    live = [tag["tagName"] for tag in POLICY_TAGS if not tag["deleted"]]
    assert listed[0]["policy_tag_count"] == account.result["account"]["policy_tag_count"] == len(live)
    labels = outcomes["labels"].result
    assert labels["count"] == outcomes["export"].result["count"] == len(live)
    assert [label["name"] for label in labels["labels"]] == live
    with open(csv_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(live) and "Old Secret" not in json.dumps(rows)
