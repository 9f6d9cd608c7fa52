# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Creating and updating an MIP account, and validating its credentials first.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia_mip_contract as contract
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.state import MipAccountState
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.status import (
    client_id_of, is_inactive, is_validated, label_retrieval_of, unknown_statuses, validated_since,
    validation_summary,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError, MipConnectError


class AccountWrites(MipAccountState):
    """The account created or brought to the options' state."""

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
                                     spec.client_secret, label_retrieval=bool(spec.wanted_label_retrieval),
                                     inactive=spec.status == "inactive")
        steps = contract.add_custom_account_steps(spec.name, spec.tenant_id, spec.client_id, spec.consent_url,
                                                  label_retrieval=bool(spec.wanted_label_retrieval),
                                                  inactive=spec.status == "inactive")
        description = "create MIP account '%s' (custom connector, client id %s)" % (spec.name, spec.client_id)
        if not self.check_mode:
            self._revalidation_asked = True
        try:
            created = self.recorder.write(description, lambda: self._sent_by_contract(
                "POST /casbTenant", lambda: contract.create_account(self.zia, body, steps), with_secret=True))
        except contract.ManualStepsRequired as err:
            return self._wait_for_portal(err), False
        except ApiError as err:
            return self._created_meanwhile(err)
        if self.check_mode:
            return {"tenantName": spec.name, "enterpriseTenantId": spec.tenant_id, "connectorType": contract.CUSTOM,
                    "labelRetrieval": bool(spec.wanted_label_retrieval), "tenantInactive": spec.status == "inactive",
                    "status": []}, bool(spec.client_secret)
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
        current_client = client_id_of(raw, validation)
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
        revalidating = send_secret or bool(spec.reauthorize)
        wanted.extend(self._state_changes(raw, validation, revalidating))
        if spec.reauthorize:
            wanted.append("reauthorize the account")
        if not wanted:
            return raw, False
        self._revalidation_asked = revalidating
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
            label_retrieval=spec.wanted_label_retrieval,
            inactive=None if spec.status is None else spec.status == "inactive",
            reauthorize=spec.reauthorize)
        description = "update MIP account '%s': %s" % (spec.name, "; ".join(wanted))
        steps = contract.edit_account_steps(raw.get("tenantName") or spec.name, wanted)
        request = "PUT /casbTenant/%s" % raw.get("tenantId")
        try:
            updated = self.recorder.write(description, lambda: self._sent_by_contract(
                request, lambda: contract.update_account(self.zia, raw["tenantId"], body, steps), send_secret))
        except contract.ManualStepsRequired as err:
            if spec.wait_for == "none":
                raise
            # A new secret or client id, or a reauthorization, cannot be seen in the read model:
            # only a validation the portal did after this run started tells that a person did it.
            return self._wait_until(lambda a: a is not None and not self._still_differs(a, revalidating), err), False
        if self.check_mode:
            predicted = dict(raw)
            if spec.wanted_label_retrieval is not None:
                predicted["labelRetrieval"] = spec.wanted_label_retrieval
            if spec.status is not None:
                predicted["tenantInactive"] = spec.status == "inactive"
            return predicted, send_secret
        return updated, send_secret

    def _state_changes(self, raw, validation, revalidating):
        """The changes label_retrieval and status ask for, as steps a person could follow."""
        changes = []
        if self._label_retrieval_differs(raw):
            changes.append("turn label retrieval %s" % ("on" if self.spec.wanted_label_retrieval else "off"))
        inactive = is_inactive(raw)
        if self.spec.status is not None and inactive is None:
            self._warn_once("ZIA's answer does not say whether MIP account '%s' is Tenant Inactive (status: %s); "
                            "it was left as it is. The MIP Labels page of the Admin Portal shows it."
                            % (raw.get("tenantName") or self.spec.name, ", ".join(raw.get("status") or []) or "none"))
        elif self.spec.status is not None and inactive != (self.spec.status == "inactive"):
            changes.append("set the status to %s" % ("Tenant Inactive" if self.spec.status == "inactive" else "Active"))
        if self.spec.status == "active" and inactive is False and not revalidating:
            self._refuse_active_without_validation(raw, validation)
        return changes

    def _refuse_active_without_validation(self, raw, validation):
        """An account that ZIA does not list as validated cannot become Active by any edit: say why."""
        if is_validated(raw) or not raw.get("status") or unknown_statuses(raw):
            return
        _status, message = validation_summary(validation)
        raise MipConnectError(
            "MIP account '%s' cannot be Active: ZIA does not list it as validated (status: %s)%s."
            % (raw.get("tenantName") or self.spec.name, ", ".join(raw["status"]),
               ("; its last validation said: %s" % message) if message else ""),
            hint="Check the connector's admin consent and secret, then re-run with reauthorize: true (or a new "
                 "client_secret and update_secret: always).")

    def _label_retrieval_differs(self, raw):
        """Whether the wanted Label Retrieval asks for a change. When the cloud's read model does
        not tell (no field, no scan yet), on is asked for only when the run then waits for a label
        scan (status: active, wait_for active or labels_retrieved), which the read model shows;
        otherwise nothing is written either way, since a write could never be seen to have
        settled, and a warning says so."""
        wanted = self.spec.wanted_label_retrieval
        if wanted is None:
            return False
        now = label_retrieval_of(raw)
        if now is None and wanted and (self.spec.status == "active"
                                       or self.spec.wait_for in ("active", "labels_retrieved")):
            return True
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
        if self._state_changes(raw, None, revalidate):
            return True
        if revalidate:
            # /casbTenant/lite may show 0 here (the recorded MIP entry does); the validation
            # status has its own lastTenantValidationTime.
            validation = None
            if not validated_since(raw, self.started) or spec.client_id:
                validation = self.zia.validation_status(raw["tenantId"]) or {}
                if not (validated_since(raw, self.started) or validated_since(validation, self.started)):
                    return True
            info = (validation or {}).get("tenantAuthorizationInfo") or {}
            return bool(spec.client_id and info.get("clientId")) and info["clientId"] != spec.client_id
        return False
