# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The desired state of a connector, built once from the module's options.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.

``DEFAULTS`` holds each option's default once: the module's argument spec takes its
defaults from it, and a ``ConnectorSpec`` built without an option gets the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import certificate as certs
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import consent
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import (
    require_guid,
    require_https_url,
    require_range,
    require_text,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.lease import OWNER_RE

DEFAULTS = {
    "sign_in_audience": "AzureADMultipleOrgs",
    "redirect_uris": (consent.DEFAULT_REDIRECT_URI,),
    "applications": ("mip",),
    "extra_permissions": (),
    "purge_permissions": False,
    "grant_admin_consent": True,
    "create_secret": True,
    "secret_description": "Zscaler connector (mipconnect.zia)",
    "secret_expires_in_days": 730,
    "rotate": "never",
    "rotate_before_days": 30,
    "certificate_validity_days": certs.DEFAULT_VALIDITY_DAYS,
    "certificate_renew_before_days": 30,
    "permanently_delete": False,
}
# Options without a default that go into the spec as they are.
_OTHER_OPTIONS = ("remove_old_secrets_after", "private_key_json_path", "power_platform_token")


class ConnectorSpec:
    """The validated desired state."""

    def __init__(self, **kwargs):
        def option(name):
            value = kwargs.get(name, DEFAULTS.get(name))
            return list(value) if isinstance(value, tuple) else value

        self.display_name = kwargs["display_name"]
        self.unique_name = option("unique_name")
        self.app_id = option("app_id")
        self.sign_in_audience = option("sign_in_audience")
        self.redirect_uris = list(option("redirect_uris") or [consent.DEFAULT_REDIRECT_URI])
        self.applications = list(option("applications") or [])
        self.extra_permissions = option("extra_permissions") or []
        self.purge_permissions = option("purge_permissions")
        self.grant_admin_consent = option("grant_admin_consent")
        self.consent_state = kwargs.get("consent_state", catalog.CONSENT_STATE_MIP)
        self.create_secret = option("create_secret")
        self.secret_description = option("secret_description")
        self.secret_expires_in_days = option("secret_expires_in_days")
        self.rotate = option("rotate")
        self.rotate_before_days = option("rotate_before_days")
        self.remove_old_secrets_after = option("remove_old_secrets_after")
        self.private_key_json_path = option("private_key_json_path")
        self.certificate_validity_days = option("certificate_validity_days")
        self.certificate_renew_before_days = option("certificate_renew_before_days")
        self.subscription_id = option("subscription_id")
        self.power_platform_token = option("power_platform_token")
        self.permanently_delete = option("permanently_delete")
        self.lease_owner = option("lease_owner")

    @classmethod
    def from_params(cls, params):
        """Check every option that can be checked without Microsoft, and build the desired state."""
        p = params
        applications = sorted(set(p["applications"]))
        if p["state"] == "present" and not applications and not p["extra_permissions"]:
            raise InputError("applications", "is empty and so is extra_permissions: name at least one application.")
        extra_permissions = check_extra_permissions(p["extra_permissions"])
        for uri in p["redirect_uris"]:
            require_https_url("redirect_uris", uri, allow_localhost_http=True)
        if not p["redirect_uris"]:
            raise InputError("redirect_uris", "needs at least one URI; Zscaler's is https://console.zscaler.com.")
        require_range("secret_expires_in_days", p["secret_expires_in_days"], 1, 730)
        if p["rotate"] == "when_expiring":
            require_range("rotate_before_days", p["rotate_before_days"], 1, max(1, p["secret_expires_in_days"] - 1))
        require_range("remove_old_secrets_after", p["remove_old_secrets_after"], 0, 3650)
        require_range("certificate_validity_days", p["certificate_validity_days"], 1, 3650)
        require_range("certificate_renew_before_days", p["certificate_renew_before_days"], 0,
                      p["certificate_validity_days"] - 1)
        if p["state"] == "present":
            _check_application_needs(p, applications)
        consent_for = p["consent_for"] or ("mip_account" if "mip" in applications else "saas_tenant")
        options = dict((name, value) for name, value in p.items() if name in DEFAULTS or name in _OTHER_OPTIONS)
        options.update(
            display_name=require_text("display_name", p["display_name"], 120),
            unique_name=require_text("unique_name", p["unique_name"], 120),
            app_id=require_guid("app_id", p["app_id"]),
            applications=applications,
            extra_permissions=extra_permissions,
            consent_state=catalog.CONSENT_STATE_MIP if consent_for == "mip_account" else catalog.CONSENT_STATE_SAAS,
            secret_description=require_text("secret_description", p["secret_description"], 100),
            subscription_id=require_guid("subscription_id", p["subscription_id"]),
            lease_owner=_check_lease_owner(p["lease_owner"]),
        )
        return cls(**options)

    @property
    def wants_certificate(self):
        return "sharepoint" in self.applications

    @property
    def wants_role_assignments(self):
        return "azure_blob_storage" in self.applications

    @property
    def wants_power_platform(self):
        return "copilot" in self.applications


def _check_lease_owner(owner):
    if owner is not None and not OWNER_RE.match(owner):
        raise InputError("lease_owner", "is not an owner mipconnect.zia.connector_lease returns (letters, digits and "
                                        ". _ @ / + -, at most 120 characters); pass its 'owner' result.")
    return owner


def check_extra_permissions(entries):
    """Each entry must be {resource, permission, type?}; return them normalised."""
    checked = []
    for index, entry in enumerate(entries):
        option = "extra_permissions[%d]" % index
        if not isinstance(entry, dict):
            raise InputError(option, "must be a dictionary like {resource: microsoft_graph, permission: "
                                     "User.Read.All, type: Role}, not %r." % (entry,))
        unknown = sorted(set(entry) - set(("resource", "permission", "type")))
        if unknown:
            raise InputError(option, "has unknown keys %s; the keys are resource, permission and type."
                             % ", ".join(unknown))
        for key in ("resource", "permission"):
            if not isinstance(entry.get(key), str):
                raise InputError("%s.%s" % (option, key), "is required and must be a string.")
        resource = entry["resource"]
        if resource not in catalog.RESOURCES:
            resource = require_guid("%s.resource" % option, resource)
        kind = entry.get("type", "Role")
        if kind not in ("Role", "Scope"):
            raise InputError("%s.type" % option, "must be Role (application permission) or Scope (delegated).")
        checked.append({"resource": resource, "permission": require_text("%s.permission" % option,
                                                                         entry["permission"], 200),
                        "type": kind})
    return checked


def _check_application_needs(p, applications):
    if "sharepoint" in applications:
        path = p["private_key_json_path"]
        if not path:
            raise InputError("private_key_json_path", "is required for sharepoint: give the path where the "
                                                      "private-key JSON file for the ZIA Admin Portal is kept.")
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
            raise InputError("private_key_json_path", "directory %s does not exist or is not writable." % directory)
        if os.path.isdir(path):
            raise InputError("private_key_json_path", "%s is a directory; give the path of the JSON file." % path)
        # A file that is not ours (owner, mode, symbolic link, content) fails here, before any remote call.
        certs.load_json_file(path)
    if "azure_blob_storage" in applications and not p["subscription_id"]:
        raise InputError("subscription_id", "is required for azure_blob_storage: the storage roles are assigned "
                                            "at the subscription's scope.")
