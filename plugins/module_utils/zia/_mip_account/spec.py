# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired state of an MIP account (``MipAccountSpec``), made from the module's options.

The options' defaults are written once, in ``DEFAULTS``; the mip_account module's argument
spec reads them from there.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import consent
from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_guid, require_range, require_text
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

DEFAULTS = {
    "connector": "custom",
    "update_secret": "on_create",
    "validate": True,
    "validation_wait": 0,
    "reauthorize": False,
    "activate": True,
    "wait_for": "none",
    "wait_timeout": 600,
    "policy_tag_count": True,
}
# Options without a default that go into the spec as they are checked (or as they are).
_OTHER_OPTIONS = ("tenant_id", "client_id", "client_secret", "label_retrieval", "status", "known_accounts")


class MipAccountSpec:
    """The validated desired state."""

    def __init__(self, **kwargs):
        def option(name):
            return kwargs.get(name, DEFAULTS.get(name))

        self.name = kwargs["name"]
        self.connector = option("connector")
        self.tenant_id = option("tenant_id")
        self.client_id = option("client_id")
        self.client_secret = option("client_secret")
        self.update_secret = option("update_secret")
        self.validate = option("validate")
        self.validation_wait = option("validation_wait")
        self.label_retrieval = option("label_retrieval")
        self.status = option("status")
        self.reauthorize = option("reauthorize")
        self.activate = option("activate")
        self.wait_for = option("wait_for")
        self.wait_timeout = option("wait_timeout")
        self.consent_url = kwargs.get("consent_url")
        # Accounts as mip_account_info listed them moments ago (None: list them here).
        self.known_accounts = option("known_accounts")
        self.policy_tag_count = option("policy_tag_count")
        if self.status == "active" and self.label_retrieval is False:
            raise InputError("status", "active contradicts label_retrieval: false: the Admin Portal shows an MIP "
                                       "account as Active only while it retrieves labels. Remove label_retrieval, "
                                       "or leave status out to keep the account at Validation Success.")

    @classmethod
    def from_params(cls, params, endpoints):
        """Check every option that can be checked without ZIA, and build the desired state.
        ``endpoints``: Microsoft's, for the admin consent URL shown in the steps for a person."""
        p = params
        if p["connector"] == "zscaler_defined" and (p["client_id"] or p["client_secret"]):
            raise InputError("client_id", "a Zscaler-defined connector has no client id or secret of yours; "
                                          "remove them or use connector: custom.")
        if p["client_secret"] is not None and not p["client_secret"].strip():
            raise InputError("client_secret", "is empty.")
        require_range("wait_timeout", p["wait_timeout"], 1, 7200)
        require_range("validation_wait", p["validation_wait"], 0, 3600)
        client_id = require_guid("client_id", p["client_id"])
        for account in p["known_accounts"] or []:
            if not isinstance(account.get("name"), str) or not isinstance(account.get("id"), int):
                raise InputError("known_accounts", "every entry needs the name and id mipconnect.zia.mip_account_info "
                                                   "returns; pass its accounts as they are.")
        options = dict((name, value) for name, value in p.items() if name in DEFAULTS or name in _OTHER_OPTIONS)
        options.update(
            name=names.shown(require_text("name", p["name"], 255)),
            tenant_id=require_guid("tenant_id", p["tenant_id"]),
            client_id=client_id,
            consent_url=consent.admin_consent_url(endpoints.authority_host, client_id or "<client id>"),
        )
        return cls(**options)

    @property
    def wanted_label_retrieval(self):
        """label_retrieval as asked, or on when status: active asks for an Active account."""
        if self.label_retrieval is None and self.status == "active":
            return True
        return self.label_retrieval
