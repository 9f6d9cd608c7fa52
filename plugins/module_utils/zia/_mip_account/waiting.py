# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Activating ZIA's configuration, and waiting until the account is where wait_for asked.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.state import MipAccountState
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.status import (
    KNOWN_STATUSES, is_inactive, is_validated, label_retrieval_of, portal_status, unknown_statuses,
    validated_since, validation_failed, validation_summary,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError

WAIT_POLL_SECONDS = 2.0


class AccountWaits(MipAccountState):
    """Activation, and polls until the account gets where asked or cannot."""

    def _activate(self):
        """Activate after our change; also when ZIA still holds staged changes, so that a run
        interrupted between saving and activating is finished by the next one."""
        if not self.spec.activate:
            return {"activated": False, "status": None}
        description = "activate the ZIA configuration"
        if not self.changes:
            # Read: only ZIA knows whether an earlier run (or admin) left changes staged.
            status = self.zia.activation_status()
            if status != "PENDING":
                return {"activated": False, "status": status}
            description += ", which holds changes that were saved but not activated"
        # Recorded as it is sent: an activation whose wait fails may still have activated.
        result = self.recorder.send(description, lambda: self.zia.activate(timeout=self.spec.wait_timeout))
        if self.check_mode:
            return {"activated": False, "status": None}
        result["activated"] = True
        return result

    # Waiting ---------------------------------------------------------------

    def _wait_for_portal(self, steps_error):
        """Without wait_for, stop with the steps; with it, poll until a person has done them."""
        if self.spec.wait_for == "none" or self.check_mode:
            raise steps_error
        return self._wait_until(lambda account: account is not None, steps_error)

    def _wait_until(self, done, timeout_error, hopeless=None):
        """Poll until ``done(account)``; stop at once when ``hopeless(account)`` gives a reason."""
        deadline = self._clock() + self.spec.wait_timeout
        while True:
            account = self.find(fresh=True)
            if done(account):
                return account
            reason = hopeless(account) if hopeless is not None and account is not None else None
            if reason:
                raise MipConnectError(reason, hint="The MIP Labels page of the ZIA Admin Portal shows the account; "
                                                   "fix what it says, then re-run.")
            if self._clock() > deadline:
                raise timeout_error
            self._sleep(WAIT_POLL_SECONDS)

    def _reached(self, account):
        """Whether the account is where wait_for asked."""
        goal = self.spec.wait_for
        if goal == "validated":
            return is_validated(account)
        if goal == "active":
            return portal_status(account) == ("Tenant Inactive" if self.spec.status == "inactive" else "Active")
        return bool((account.get("tagsScanInfo") or {}).get("tag_latest_success_scan_time"))

    def _why_it_cannot_get_there(self, account):
        """Why waiting longer for wait_for is pointless, or None while the account may still get there:
        a status value no recording explains, a failed validation, or a state that rules the goal out."""
        goal, name = self.spec.wait_for, account.get("tenantName") or self.spec.name
        unknown = unknown_statuses(account)
        if unknown:
            return ("MIP account '%s' shows the status %s, which is neither a success nor a pending state this "
                    "collection knows (known: %s); stopped waiting for '%s'."
                    % (name, ", ".join(unknown), ", ".join(KNOWN_STATUSES), goal))
        if not is_validated(account):
            validation = self.zia.validation_status(account["tenantId"]) or {}
            fresh = not self._revalidation_asked or validated_since(validation, self.started)
            if fresh and validation_failed(validation):
                return "ZIA could not validate MIP account '%s': %s" % (name, validation_summary(validation)[1])
            return None
        if goal != "validated" and self.spec.status != "inactive" and is_inactive(account):
            return "MIP account '%s' is Tenant Inactive, so it retrieves no labels; stopped waiting for '%s'." % (
                name, goal)
        if goal != "validated" and label_retrieval_of(account) is False:
            return "Label Retrieval is off for MIP account '%s'; stopped waiting for '%s'." % (name, goal)
        return None

    def _wait(self, raw):
        """The account once it reached wait_for, and whether ZIA had to be asked again.

        A run that wrote nothing trusts the account it just read: a no-op re-run
        should cost no second listing."""
        goal = self.spec.wait_for
        if goal == "none":
            return raw, False
        polled = bool(self.changes) or not self._reached(raw)
        if not polled:
            return raw, False
        timeout = MipConnectError(
            "MIP account '%s' did not reach '%s' within %d seconds." % (self.spec.name, goal, self.spec.wait_timeout),
            hint="Its last status is in the ZIA Admin Portal; raise wait_timeout if ZIA is slow today.")
        account = self._wait_until(lambda a: a is not None and self._reached(a), timeout,
                                   hopeless=self._why_it_cannot_get_there)
        return account, True
