# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A ZIA MIP account brought to a desired state.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this file; names here may change without notice.

Reads use the documented API; writes go through ``zia_mip_contract``, and each is
recorded by the run's ``ChangeRecorder``. A custom connector's credentials are
validated against Microsoft before they are saved. After a change the module
activates, then can wait until the account is validated, active, or has retrieved
its labels.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia_mip_contract as contract
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.status import (
    VALIDATION_SUCCESS,
    describe,
    validated_since,
    validation_summary,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.waiting import AccountWaits
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.writes import AccountWrites
from ansible_collections.mipconnect.zia.plugins.module_utils.changes import failing_with_partial_result


class MipAccountReconciler(AccountWrites, AccountWaits):
    """Reads the MIP account and makes it match a MipAccountSpec."""

    @failing_with_partial_result
    def present(self):
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
        policy_tag_count = None
        if raw.get("tenantId") and spec.policy_tag_count:
            if before["exists"] is False and secret_sent and not activation.get("activated"):
                # No read: ZIA retrieves an account's labels only after an activation, and this
                # run created the account without one, so no policy rule can use them yet.
                policy_tag_count = 0
            else:
                # Read: the number is in no other answer; a play that reads the policy tags
                # anyway (an export) sets policy_tag_count: false and counts them there.
                policy_tag_count = len(self.zia.policy_tags(raw["tenantId"]))
        return {
            "changed": bool(self.changes),
            "changes": self.changes,
            "assumed_contract_writes": self.assumed_contract_writes,
            "account": describe(raw, validation, policy_tag_count=policy_tag_count),
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
        return (status == VALIDATION_SUCCESS and validated_since(validation, self.sent_at)
                and client_id in (None, self.spec.client_id))

    @failing_with_partial_result
    def absent(self):
        raw = self.find()
        if raw is None:
            activation = self._activate()  # a deletion saved by an interrupted run may await activation
            return {"changed": bool(self.changes), "changes": self.changes, "account": None,
                    "assumed_contract_writes": self.assumed_contract_writes,
                    "activation": activation, "diff": {"before": {"exists": False}, "after": {"exists": False}}}
        before = self._view(raw, None)
        description = "delete MIP account '%s' (id %s)" % (self.spec.name, raw.get("tenantId"))
        try:
            self.recorder.write(description, lambda: self._sent_by_contract(
                "DELETE /casbTenant/%s" % raw["tenantId"],
                lambda: contract.delete_account(self.zia, raw["tenantId"], contract.delete_account_steps(self.spec.name))))
        except contract.ManualStepsRequired as err:
            if self.spec.wait_for == "none":
                raise
            self._wait_until(lambda account: account is None, err)
        activation = self._activate()
        return {"changed": bool(self.changes), "changes": self.changes, "account": describe(raw), "activation": activation,
                "assumed_contract_writes": self.assumed_contract_writes,
                "diff": {"before": before, "after": {"exists": False}}}
