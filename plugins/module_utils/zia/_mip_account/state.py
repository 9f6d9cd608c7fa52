# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the steps of an MIP account run share, and how they find the account.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this file; names here may change without notice.

=======================  =======================================================
attribute                holds
=======================  =======================================================
recorder                 the run's changes (``ChangeRecorder``); every write
                         goes through it
assumed_contract_writes  the writes sent by the assumed write contract,
                         "METHOD path", for the result
warnings                 shown by Ansible under the task
validation               this run's validation of the credentials (no secret)
started                  when the run started, in ZIA's terms (epoch seconds):
                         a validation at or after it is one a person did in the
                         portal while the run waited
sent_at                  when ZIA took this run's write that carried the secret
=======================  =======================================================
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.status import REDACTED, describe, raw_of
from ansible_collections.mipconnect.zia.plugins.module_utils.changes import ChangeRecorder, RecordedRun
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError


class MipAccountState(RecordedRun):
    """The shared state of one run."""

    def __init__(self, zia, spec, check_mode, validator=None, sleep=time.sleep, clock=time.monotonic,
                 wall_clock=time.time):
        self.zia = zia
        self.spec = spec
        self.recorder = ChangeRecorder(check_mode)
        self.validator = validator  # callable(client_id, secret, tenant_id) -> validation result
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self.started = wall_clock()
        self.sent_at = None
        self.warnings = []
        # Whether this run asked ZIA (or a person) to validate again: an older failure then no
        # longer tells how the account stands.
        self._revalidation_asked = False
        self.assumed_contract_writes = []
        self.validation = None

    def partial_result(self):
        """What this run did before it failed, and our validation (no secret in it) when there was one."""
        extra = {"assumed_contract_writes": list(self.assumed_contract_writes)}
        if self.validation is not None:
            extra["validation"] = self.validation
        return self.recorder.partial_result(**extra)

    def _sent_by_contract(self, request, send, with_secret=False):
        """Send a write of the assumed contract and note it; and when ZIA took it, if it carried the secret."""
        sending = self._wall_clock()
        answer = send()
        if with_secret:
            self.sent_at = sending
        self.assumed_contract_writes.append(request)
        return answer

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
        for key in ("statuses", "last_validation_time", "last_label_scan_time", "policy_tag_count",
                    "validation_message"):
            view.pop(key, None)
        return view
