# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ZIA's read model says of an MIP account, in ZIA's words and the Admin Portal's.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.mipconnect.zia.plugins.module_utils.checks import is_guid

# The status values real ZIA responses were recorded with, and the Admin Portal's words for
# them (seed "About Microsoft Information Protection Labels"). ZIA surely has more; which
# strings they are is not known, so any other value is shown as it comes, never guessed.
TENANT_ACTIVE = "CASB_TENANT_ACTIVE"
VALIDATION_SUCCESS = "CASB_TENANT_VALIDATION_SUCCESS"
KNOWN_STATUSES = (TENANT_ACTIVE, VALIDATION_SUCCESS)
# The portal's words, as the MIP Labels page spells them; "Validation Successful" (the
# Adding an MIP Account page) is accepted as input for "Validation Success".
PORTAL_STATUSES = ("Active", "Retrieval Pending", "Tenant Inactive", "Validation Failed", "Validation Success")
PORTAL_STATUS_SPELLINGS = dict([(word.lower(), word) for word in PORTAL_STATUSES]
                               + [("validation successful", "Validation Success")])
REDACTED = "********"


def portal_word(text):
    """The portal's word for ``text`` in either spelling, or None."""
    return PORTAL_STATUS_SPELLINGS.get((text or "").strip().lower())


def unknown_statuses(raw):
    """The status values of an account that no recording shows, as ZIA gave them."""
    return [value for value in (raw.get("status") or []) if value not in KNOWN_STATUSES]


# ZIA's documented read model (/casbTenant/lite, recorded in a real cloud) has no
# labelRetrieval, tenantInactive or connectorType field: those belong to our write
# contract. Where a cloud leaves them out, the account's other fields say what
# they can, and what they cannot say is unknown (None), never "off".
def label_retrieval_of(raw):
    """Whether Label Retrieval is on: the field, else True once ZIA has scanned labels, else None."""
    if raw.get("labelRetrieval") is not None:
        return bool(raw["labelRetrieval"])
    if (raw.get("tagsScanInfo") or {}).get("tag_latest_success_scan_time"):
        return True
    return None


def is_inactive(raw):
    """Whether the account is Tenant Inactive: the contract's field, else True when ZIA lists the
    validation but not CASB_TENANT_ACTIVE, False when it lists CASB_TENANT_ACTIVE, else None
    (no status, or one no recording explains)."""
    if raw.get("tenantInactive") is not None:
        return bool(raw["tenantInactive"])
    statuses = raw.get("status") or []
    if TENANT_ACTIVE in statuses:
        return False
    if statuses and not unknown_statuses(raw):
        return True
    return None


def is_validated(raw):
    return VALIDATION_SUCCESS in (raw.get("status") or [])


def client_id_of(raw, validation=None):
    """The connector's client id: the validation's tenantAuthorizationInfo, else the lite entry's
    zscalerAppTenantId.name when that is a GUID (the recorded MIP entry has one there)."""
    found = ((validation or {}).get("tenantAuthorizationInfo") or {}).get("clientId")
    if found:
        return found
    name = (raw.get("zscalerAppTenantId") or {}).get("name")
    if is_guid(name):
        return name.strip().lower()
    return None


def validation_failed(validation):
    """Whether /casbTenant/validate/status tells of a failed validation: no success and a reason."""
    status, message = validation_summary(validation)
    return bool(validation) and status != VALIDATION_SUCCESS and bool(message)


def portal_status(raw, validation=None):
    """The status the MIP Labels page shows, from what ZIA's read API tells; a status value no
    recording explains is shown as it comes."""
    unknown = unknown_statuses(raw)
    if unknown:
        return ", ".join(unknown)
    if is_inactive(raw):
        return "Tenant Inactive"
    if not is_validated(raw):
        # No recording shows an account that is not validated: without a reason from the
        # validation status, the values are shown as they are.
        if validation_failed(validation):
            return "Validation Failed"
        return ", ".join(raw.get("status") or []) or "Unknown"
    retrieval = label_retrieval_of(raw)
    scanned = bool((raw.get("tagsScanInfo") or {}).get("tag_latest_success_scan_time"))
    if retrieval and scanned:
        return "Active"
    if retrieval:
        return "Retrieval Pending"
    return "Validation Success"


def _epoch(value):
    if not value:
        return None
    return datetime.datetime.fromtimestamp(int(value), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def validation_summary(validation):
    """(status, message) from /casbTenant/validate/status: ``status`` is a list there,
    the reason is ``lastValidationMsg.errorMsg``."""
    if not validation:
        return None, None
    status = validation.get("status")
    if isinstance(status, list):
        status = status[0] if status else None
    message = (validation.get("lastValidationMsg") or {}).get("errorMsg") or validation.get("message")
    return status, message


def describe(raw, validation=None, policy_tag_count=None):
    """The account as modules return it: ZIA's words and the portal's."""
    if raw is None:
        return None
    connector = raw.get("connectorType")
    scan = raw.get("tagsScanInfo") or {}
    validation_status, validation_message = validation_summary(validation)
    return {
        "id": raw.get("tenantId"),
        "name": raw.get("tenantName"),
        "tenant_id": raw.get("enterpriseTenantId"),
        "connector": {"CUSTOM": "custom", "ZSCALER_DEFINED": "zscaler_defined"}.get(connector, connector),
        "client_id": client_id_of(raw, validation),
        "statuses": list(raw.get("status") or []),
        "status": portal_status(raw, validation),
        "label_retrieval": label_retrieval_of(raw),
        "inactive": is_inactive(raw),
        "validation_status": validation_status,
        "validation_message": validation_message,
        "last_validation_time": _epoch(raw.get("lastTenantValidationTime")
                                       or (validation or {}).get("lastTenantValidationTime")),
        "last_label_scan_time": _epoch(scan.get("tag_latest_success_scan_time")),
        "policy_tag_count": policy_tag_count,
    }


def _epoch_of(text):
    """Epoch seconds of a time _epoch wrote, or 0 when there is none."""
    if not text:
        return 0
    try:
        moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return 0
    return int((moment - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds())


def raw_of(account):
    """The fields of ZIA's read model this module decides on, from an account as ``describe`` gave it
    (mip_account_info's ``accounts``): a play that listed the accounts need not list them again."""
    connector = account.get("connector")
    raw = {
        "tenantId": account.get("id"),
        "tenantName": account.get("name"),
        "enterpriseTenantId": account.get("tenant_id"),
        "status": list(account.get("statuses") or []),
        "lastTenantValidationTime": _epoch_of(account.get("last_validation_time")),
    }
    # What describe could not tell (None) stays out, so it is derived again, never read as "off".
    if connector is not None:
        raw["connectorType"] = {"custom": "CUSTOM", "zscaler_defined": "ZSCALER_DEFINED"}.get(connector, connector)
    if account.get("inactive") is not None:
        raw["tenantInactive"] = bool(account["inactive"])
    if account.get("client_id"):
        raw["zscalerAppTenantId"] = {"name": account["client_id"]}
    if account.get("label_retrieval") is not None:
        raw["labelRetrieval"] = bool(account["label_retrieval"])
    scanned = _epoch_of(account.get("last_label_scan_time"))
    if scanned:
        raw["tagsScanInfo"] = {"tag_latest_success_scan_time": scanned}
    return raw


def validated_since(raw, since):
    """Whether ZIA's read model shows a validation at or after ``since`` (epoch seconds)."""
    try:
        validated_at = int(raw.get("lastTenantValidationTime") or 0)
    except (TypeError, ValueError):
        return False
    return validated_at >= int(since)
