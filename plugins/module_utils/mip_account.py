# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A ZIA MIP account brought to a desired state.

Reads use the documented API; writes go through ``zia_mip_contract``. A
custom connector's credentials are validated against Microsoft before they
are saved. After a change the module activates, then can wait until the
account is validated, active, or has retrieved its labels.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils import zia_mip_contract as contract
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError, MipConnectError

# ZIA's status words and the Admin Portal's.
VALIDATION_SUCCESS = "CASB_TENANT_VALIDATION_SUCCESS"
VALIDATION_FAILED = "CASB_TENANT_VALIDATION_FAILED"
TENANT_ACTIVE = "CASB_TENANT_ACTIVE"
TENANT_INACTIVE = "CASB_TENANT_INACTIVE"
RETRIEVAL_PENDING = "CASB_TENANT_RETRIEVAL_PENDING"
REDACTED = "********"
WAIT_POLL_SECONDS = 2.0


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
    """Tenant Inactive, from the status list ZIA always gives, or the contract's field."""
    return TENANT_INACTIVE in (raw.get("status") or []) or bool(raw.get("tenantInactive"))


def portal_status(raw):
    """The status the MIP Labels page shows, from ZIA's status list and fields."""
    statuses = set(raw.get("status") or [])
    if is_inactive(raw):
        return "Tenant Inactive"
    if VALIDATION_FAILED in statuses:
        return "Validation Failed"
    if RETRIEVAL_PENDING in statuses:
        return "Retrieval Pending"
    if TENANT_ACTIVE in statuses and label_retrieval_of(raw):
        return "Active"
    if VALIDATION_SUCCESS in statuses:
        return "Validation Successful"
    return ", ".join(sorted(statuses)) or "Unknown"


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


def describe(raw, validation=None, label_count=None):
    """The account as modules return it: ZIA's words and the portal's."""
    if raw is None:
        return None
    connector = raw.get("connectorType")
    info = (validation or {}).get("tenantAuthorizationInfo") or {}
    scan = raw.get("tagsScanInfo") or {}
    validation_status, validation_message = validation_summary(validation)
    return {
        "id": raw.get("tenantId"),
        "name": raw.get("tenantName"),
        "tenant_id": raw.get("enterpriseTenantId"),
        "connector": {"CUSTOM": "custom", "ZSCALER_DEFINED": "zscaler_defined"}.get(connector, connector),
        "client_id": info.get("clientId"),
        "statuses": list(raw.get("status") or []),
        "status": portal_status(raw),
        "label_retrieval": label_retrieval_of(raw),
        "inactive": is_inactive(raw),
        "validation_status": validation_status,
        "validation_message": validation_message,
        "last_validation_time": _epoch(raw.get("lastTenantValidationTime")
                                       or (validation or {}).get("lastTenantValidationTime")),
        "last_label_scan_time": _epoch(scan.get("tag_latest_success_scan_time")),
        "label_count": label_count,
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
        "connectorType": {"custom": "CUSTOM", "zscaler_defined": "ZSCALER_DEFINED"}.get(connector, connector),
        "status": list(account.get("statuses") or []),
        "tenantInactive": bool(account.get("inactive")),
        "lastTenantValidationTime": _epoch_of(account.get("last_validation_time")),
    }
    if account.get("label_retrieval") is not None:
        raw["labelRetrieval"] = bool(account["label_retrieval"])
    scanned = _epoch_of(account.get("last_label_scan_time"))
    if scanned:
        raw["tagsScanInfo"] = {"tag_latest_success_scan_time": scanned}
    return raw


class MipAccountSpec:
    def __init__(self, **kwargs):
        self.name = kwargs["name"]
        self.connector = kwargs.get("connector", "custom")
        self.tenant_id = kwargs.get("tenant_id")
        self.client_id = kwargs.get("client_id")
        self.client_secret = kwargs.get("client_secret")
        self.update_secret = kwargs.get("update_secret", "on_create")
        self.validate = kwargs.get("validate", True)
        self.validation_wait = kwargs.get("validation_wait", 0)
        self.label_retrieval = kwargs.get("label_retrieval")
        self.status = kwargs.get("status")
        self.reauthorize = kwargs.get("reauthorize", False)
        self.activate = kwargs.get("activate", True)
        self.wait_for = kwargs.get("wait_for", "none")
        self.wait_timeout = kwargs.get("wait_timeout", 600)
        self.consent_url = kwargs.get("consent_url")
        # Accounts as mip_account_info listed them moments ago (None: list them here).
        self.known_accounts = kwargs.get("known_accounts")
        self.label_count = kwargs.get("label_count", True)


def _validated_since(raw, since):
    """Whether ZIA's read model shows a validation at or after ``since`` (epoch seconds)."""
    try:
        validated_at = int(raw.get("lastTenantValidationTime") or 0)
    except (TypeError, ValueError):
        return False
    return validated_at >= int(since)


class MipAccountReconciler:
    def __init__(self, zia, spec, check_mode, validator=None, sleep=time.sleep, clock=time.monotonic,
                 wall_clock=time.time):
        self.zia = zia
        self.spec = spec
        self.check_mode = check_mode
        self.validator = validator  # callable(client_id, secret, tenant_id) -> validation result
        self._sleep = sleep
        self._clock = clock
        # When this run started, in ZIA's terms (epoch seconds): a validation at or after it
        # is one a person did in the portal while we waited.
        self._wall_clock = wall_clock
        self.started = wall_clock()
        self.sent_at = None  # when this run's write that carried the client secret was taken by ZIA
        self.changes = []
        self.warnings = []  # shown by Ansible under the task
        self.validation = None

    # Reading ---------------------------------------------------------------

    def find(self, fresh=False):
        """The one account with this name; two of them is an error a person must resolve.

        Names compare by the collection's one rule (``names``): case, surrounding and
        repeated whitespace do not count, as ZIA merges them.
        Unless ``fresh``, the accounts the play already listed (known_accounts) stand in for a
        listing: a play that reconciles many tenants lists an organisation once, not per tenant.
        """
        if self.spec.known_accounts is not None and not fresh:
            listed = [raw_of(account) for account in self.spec.known_accounts]
        else:
            listed = self.zia.mip_accounts()
        matches = names.named(listed, self.spec.name)
        if len(matches) > 1:
            raise MipConnectError(
                "Two MIP accounts are named '%s': %s; account names must be unique (ZIA compares them "
                "without regard to case and surrounding whitespace)."
                % (self.spec.name, " and ".join("'%s' (id %s)" % (m.get("tenantName"), m.get("tenantId"))
                                                for m in matches[:2])),
                hint="Rename or delete one in the ZIA Admin Portal, then re-run.")
        return matches[0] if matches else None

    def _view(self, raw, validation, secret_sent=False):
        if raw is None:
            return {"exists": False}
        view = describe(raw, validation)
        view["exists"] = True
        view["client_secret"] = "(changed)" if secret_sent else REDACTED
        for key in ("statuses", "last_validation_time", "last_label_scan_time", "label_count",
                    "validation_message"):
            view.pop(key, None)
        return view

    # The steps -----------------------------------------------------------------

    def present(self):
        try:
            return self._present()
        except MipConnectError as err:
            raise self._with_partial_result(err)

    def _with_partial_result(self, err):
        """What this run did before it failed, and our validation (no secret in it) when there was one."""
        err.partial_result = {"changed": bool(self.changes), "changes": list(self.changes)}
        if self.validation is not None:
            err.partial_result["validation"] = self.validation
        return err

    def _present(self):
        spec = self.spec
        raw = self.find()
        if raw is None and spec.known_accounts is not None:
            # Read: the play's listing may predate a person's or a parallel run's creation, and
            # creating from it would duplicate. Only a run about to create pays this read.
            raw = self.find(fresh=True)
        if raw is None and spec.connector == "zscaler_defined":
            raw = self._wait_for_portal(contract.ManualStepsRequired(
                "A Zscaler-defined connector needs a Microsoft sign-in in the Admin Portal.",
                contract.add_zscaler_defined_account_steps(spec.name)))
        # Read: the only documented answer that names the client id the account signs in with (a
        # connector made again has another) and ZIA's last validation; the listing has neither.
        validation_before = self.zia.validation_status(raw["tenantId"]) if raw else None
        before = self._view(raw, validation_before)
        if raw is None:
            raw, secret_sent = self._create()
            if not secret_sent and not self.check_mode:
                # A person added the account in the portal while we waited: what they may have
                # left out (label retrieval, status) is set, or asked of them, like any update.
                self.warnings.append("MIP account '%s' was added in the ZIA Admin Portal while this run waited; "
                                     "this run did not write it." % spec.name)
                raw, _sent = self._update(raw, self.zia.validation_status(raw["tenantId"]), just_created=True)
        else:
            raw, secret_sent = self._update(raw, validation_before)
        activation = self._activate()
        polled = False
        if not self.check_mode:
            raw, polled = self._wait(raw)
        validation = validation_before
        if raw.get("tenantId") and (self.changes or polled or validation_before is None):
            validation = self.zia.validation_status(raw["tenantId"])  # Read: it may have changed since
        label_count = None
        if raw.get("tenantId") and spec.label_count:
            if before["exists"] is False and secret_sent and not activation.get("activated"):
                # No read: ZIA retrieves an account's labels only after an activation, and this
                # run created the account without one.
                label_count = 0
            else:
                # Read: the number of labels is in no other answer; a play that reads the labels
                # anyway (an export) sets label_count: false and counts them there.
                label_count = len(self.zia.label_policy(raw["tenantId"]))
        return {
            "changed": bool(self.changes),
            "changes": self.changes,
            "account": describe(raw, validation, label_count=label_count),
            "validation": self.validation,
            "secret_validated": self._secret_validated(validation),
            "activation": activation,
            "warnings": self.warnings,
            "diff": {"before": before, "after": self._view(raw, validation, secret_sent)},
        }

    def _secret_validated(self, validation):
        """Whether ZIA validated, successfully and after this run stored it, the secret this run sent.

        Only this proves that ZIA works with that secret, so only this lets a caller remove
        the secrets it replaced: a success ZIA recorded before the store says nothing of it."""
        if self.sent_at is None or self.check_mode or not validation:
            return False
        status, _message = validation_summary(validation)
        client_id = (validation.get("tenantAuthorizationInfo") or {}).get("clientId")
        return (status == VALIDATION_SUCCESS and _validated_since(validation, self.sent_at)
                and client_id in (None, self.spec.client_id))

    def _validate_credentials(self):
        """Refuse to save credentials Microsoft would refuse (unless validate: false)."""
        spec = self.spec
        if not spec.validate or self.validator is None:
            return
        self.validation = self.validator(spec.client_id, spec.client_secret, spec.tenant_id)
        if not self.validation["valid"]:
            # The validation result goes into the failure result (see present()).
            raise MipConnectError("The connector's credentials did not validate, so nothing was saved in ZIA: %s"
                                  % self.validation["reason"])

    def _create(self):
        """(the account, whether we sent its secret): created by us, planned, or added by a person."""
        spec = self.spec
        # In check mode the secret may not exist yet (a plan made before the connector): plan without it.
        if not spec.client_id or not spec.tenant_id or not (spec.client_secret or self.check_mode):
            raise InputError("client_secret", "creating a custom MIP account needs client_id, client_secret and "
                                              "tenant_id.")
        if spec.client_secret:
            self._validate_credentials()
        body = contract.account_body(spec.name, spec.tenant_id, contract.CUSTOM, spec.client_id,
                                     spec.client_secret, label_retrieval=bool(spec.label_retrieval),
                                     inactive=spec.status == "inactive")
        steps = contract.add_custom_account_steps(spec.name, spec.tenant_id, spec.client_id, spec.consent_url,
                                                  label_retrieval=bool(spec.label_retrieval),
                                                  inactive=spec.status == "inactive")
        description = "create MIP account '%s' (custom connector, client id %s)" % (spec.name, spec.client_id)
        if self.check_mode:
            self.changes.append(description)
            return {"tenantName": spec.name, "enterpriseTenantId": spec.tenant_id, "connectorType": contract.CUSTOM,
                    "labelRetrieval": bool(spec.label_retrieval), "tenantInactive": spec.status == "inactive",
                    "status": []}, bool(spec.client_secret)
        # A change is recorded once ZIA took it: a refused write changed nothing.
        sending = self._wall_clock()
        try:
            created = contract.create_account(self.zia, body, steps)
        except contract.ManualStepsRequired as err:
            return self._wait_for_portal(err), False
        except ApiError as err:
            return self._created_meanwhile(err)
        self.sent_at = sending
        self.changes.append(description)
        return created, True

    def _created_meanwhile(self, err):
        """ZIA refused the create as a duplicate: another run made the account since we looked.
        Carry on as an update of that account (the next step decides whether to send the secret)."""
        if err.code != "DUPLICATE_ITEM":
            raise err
        raw = self.find(fresh=True)
        if raw is None:
            raise err
        self.warnings.append("MIP account '%s' was created by someone else while this run worked; this run "
                             "updated it instead." % raw.get("tenantName"))
        return self._update(raw, self.zia.validation_status(raw["tenantId"]))

    def _update(self, raw, validation, just_created=False):
        """(the account, whether we sent a secret). ``just_created``: a person has just entered
        the credentials in the portal, so update_secret: always does not ask for them again."""
        spec = self.spec
        current_client = ((validation or {}).get("tenantAuthorizationInfo") or {}).get("clientId")
        wanted = []
        if spec.tenant_id and raw.get("enterpriseTenantId") and spec.tenant_id != raw["enterpriseTenantId"].lower():
            raise InputError("tenant_id", "MIP account '%s' belongs to Entra tenant %s, not %s. Use another name, "
                                          "or delete the account first."
                             % (spec.name, raw["enterpriseTenantId"], spec.tenant_id))
        client_changes = bool(spec.client_id and current_client and spec.client_id != current_client)
        if spec.connector == "custom" and client_changes and spec.client_secret is None:
            self.warnings.append("MIP account '%s' uses client id %s, not %s; it was left as it is because no "
                                 "client_secret was given for %s." % (spec.name, current_client, spec.client_id,
                                                                      spec.client_id))
        send_secret = spec.connector == "custom" and spec.client_secret is not None and (
            (spec.update_secret == "always" and not just_created) or client_changes)
        if send_secret:
            wanted.append("set client id %s and its client secret" % spec.client_id)
        if self._label_retrieval_differs(raw):
            wanted.append("turn label retrieval %s" % ("on" if spec.label_retrieval else "off"))
        if spec.status is not None and is_inactive(raw) != (spec.status == "inactive"):
            wanted.append("set the status to %s" % ("Tenant Inactive" if spec.status == "inactive" else "Active"))
        if spec.reauthorize:
            wanted.append("reauthorize the account")
        if not wanted:
            return raw, False
        if send_secret:
            self._validate_credentials()
        if raw.get("tenantName") and raw["tenantName"] != spec.name:
            self.warnings.append("MIP account '%s' is named '%s' in ZIA (names are compared without regard to "
                                 "case and surrounding whitespace); the name was kept."
                                 % (spec.name, raw["tenantName"]))
        body = contract.account_body(
            raw.get("tenantName") or spec.name, raw.get("enterpriseTenantId"),
            raw.get("connectorType") or (contract.CUSTOM if spec.connector == "custom" else contract.ZSCALER_DEFINED),
            spec.client_id if send_secret else None, spec.client_secret if send_secret else None,
            label_retrieval=spec.label_retrieval, inactive=None if spec.status is None else spec.status == "inactive",
            reauthorize=spec.reauthorize)
        description = "update MIP account '%s': %s" % (spec.name, "; ".join(wanted))
        if self.check_mode:
            self.changes.append(description)
            predicted = dict(raw)
            if spec.label_retrieval is not None:
                predicted["labelRetrieval"] = spec.label_retrieval
            if spec.status is not None:
                predicted["tenantInactive"] = spec.status == "inactive"
            return predicted, send_secret
        steps = contract.edit_account_steps(raw.get("tenantName") or spec.name, wanted)
        sending = self._wall_clock()
        try:
            updated = contract.update_account(self.zia, raw["tenantId"], body, steps)
        except contract.ManualStepsRequired as err:
            if spec.wait_for == "none":
                raise
            # A new secret or client id, or a reauthorization, cannot be seen in the read model:
            # only a validation the portal did after this run started tells that a person did it.
            revalidate = send_secret or bool(spec.reauthorize)
            return self._wait_until(lambda a: a is not None and not self._still_differs(a, revalidate), err), False
        if send_secret:
            self.sent_at = sending
        self.changes.append(description)
        return updated, send_secret

    def _label_retrieval_differs(self, raw):
        """Whether label_retrieval asks for a change. When the cloud's read model does not tell
        (no field, no scan yet) nothing is written either way: a write could never be seen to
        have settled. Unknown reads as off, and an ask for on says so in a warning."""
        wanted = self.spec.label_retrieval
        if wanted is None:
            return False
        now = label_retrieval_of(raw)
        if now is None and wanted:
            self._warn_once("ZIA's read API does not say whether Label Retrieval is on for MIP account '%s' "
                            "(no label scan yet); it was left as it is. The MIP Labels page of the Admin Portal "
                            "shows it." % (raw.get("tenantName") or self.spec.name))
            return False
        return bool(now) != wanted

    def _warn_once(self, text):
        if text not in self.warnings:
            self.warnings.append(text)

    def _still_differs(self, raw, revalidate=False):
        spec = self.spec
        if self._label_retrieval_differs(raw):
            return True
        if spec.status is not None and is_inactive(raw) != (spec.status == "inactive"):
            return True
        if revalidate:
            # /casbTenant/lite may show 0 here (the recorded MIP entry does); the validation
            # status has its own lastTenantValidationTime.
            validation = None
            if not _validated_since(raw, self.started) or spec.client_id:
                validation = self.zia.validation_status(raw["tenantId"]) or {}
                if not (_validated_since(raw, self.started) or _validated_since(validation, self.started)):
                    return True
            info = (validation or {}).get("tenantAuthorizationInfo") or {}
            return bool(spec.client_id and info.get("clientId")) and info["clientId"] != spec.client_id
        return False

    def _activate(self):
        """Activate after our change; also when ZIA still holds staged changes, so that a run
        interrupted between saving and activating is finished by the next one."""
        if not self.spec.activate:
            return {"activated": False, "status": None}
        if not self.changes:
            # Read: only ZIA knows whether an earlier run (or admin) left changes staged.
            status = self.zia.activation_status()
            if status != "PENDING":
                return {"activated": False, "status": status}
            self.changes.append("activate the ZIA configuration, which holds changes that were saved but not "
                                "activated")
        else:
            self.changes.append("activate the ZIA configuration")
        if self.check_mode:
            return {"activated": False, "status": None}
        result = self.zia.activate(timeout=self.spec.wait_timeout)
        result["activated"] = True
        return result

    # Waiting ---------------------------------------------------------------

    def _wait_for_portal(self, steps_error):
        """Without wait_for, stop with the steps; with it, poll until a person has done them."""
        if self.spec.wait_for == "none" or self.check_mode:
            raise steps_error
        return self._wait_until(lambda account: account is not None, steps_error)

    def _wait_until(self, done, timeout_error):
        deadline = self._clock() + self.spec.wait_timeout
        while True:
            account = self.find(fresh=True)
            if done(account):
                return account
            if self._clock() > deadline:
                raise timeout_error
            self._sleep(WAIT_POLL_SECONDS)

    def _wait(self, raw):
        """The account once it reached wait_for, and whether ZIA had to be asked again.

        A run that wrote nothing trusts the account it just read: a no-op re-run
        should cost no second listing."""
        goal = self.spec.wait_for
        if goal == "none":
            return raw, False
        checks = {
            "validated": lambda a: VALIDATION_SUCCESS in (a.get("status") or []) or VALIDATION_FAILED in (a.get("status") or []),
            "active": lambda a: portal_status(a) in ("Active", "Tenant Inactive"),
            "labels_retrieved": lambda a: bool((a.get("tagsScanInfo") or {}).get("tag_latest_success_scan_time")),
        }
        check = checks[goal]
        polled = bool(self.changes) or not check(raw)
        if polled:
            timeout = MipConnectError(
                "MIP account '%s' did not reach '%s' within %d seconds." % (self.spec.name, goal, self.spec.wait_timeout),
                hint="Its last status is in the ZIA Admin Portal; raise wait_timeout if ZIA is slow today.")
            account = self._wait_until(lambda a: a is not None and check(a), timeout)
        else:
            account = raw
        if goal == "validated" and VALIDATION_FAILED in (account.get("status") or []):
            _status, message = validation_summary(self.zia.validation_status(account["tenantId"]))
            raise MipConnectError("ZIA could not validate MIP account '%s': %s" % (
                self.spec.name, message or "no reason given"),
                hint="Check admin consent for the connector, then re-run with reauthorize: true.")
        return account, polled

    # Removal -----------------------------------------------------------------

    def absent(self):
        try:
            return self._absent()
        except MipConnectError as err:
            raise self._with_partial_result(err)

    def _absent(self):
        raw = self.find()
        if raw is None:
            activation = self._activate()  # a deletion saved by an interrupted run may await activation
            return {"changed": bool(self.changes), "changes": self.changes, "account": None,
                    "activation": activation, "diff": {"before": {"exists": False}, "after": {"exists": False}}}
        before = self._view(raw, None)
        description = "delete MIP account '%s' (id %s)" % (self.spec.name, raw.get("tenantId"))
        if self.check_mode:
            self.changes.append(description)
        else:
            try:
                contract.delete_account(self.zia, raw["tenantId"], contract.delete_account_steps(self.spec.name))
                self.changes.append(description)
            except contract.ManualStepsRequired as err:
                if self.spec.wait_for == "none":
                    raise
                self._wait_until(lambda account: account is None, err)
        activation = self._activate()
        return {"changed": bool(self.changes), "changes": self.changes, "account": describe(raw), "activation": activation,
                "diff": {"before": before, "after": {"exists": False}}}
