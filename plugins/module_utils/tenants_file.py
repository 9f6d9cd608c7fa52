# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema of a GitOps tenants file (``mipconnect_tenants``), as data.

A tenants file is edited in pull requests, so it is untrusted input: Ansible
renders any Jinja it holds (``{{ lookup('pipe', ...) }}`` runs a command),
and any variable it sets beside ``mipconnect_tenants`` (an endpoint URL, a CA
bundle, ``ansible_connection``) would be an extra var that overrides the
playbook. This module refuses both. It reads plain Python data (what
``yaml.safe_load`` returns, or Ansible's raw, not yet templated variables),
imports nothing from Ansible, and so serves the reconcile playbook (through
the ``mipconnect.zia.tenants_check`` action) and a stand-alone checker that
runs before Ansible ever reads the file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

TENANTS_VARIABLE = "mipconnect_tenants"
TEMPLATE_MARKERS = ("{{", "{%", "{#")
GUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# The name becomes an inventory host and a directory (mipconnect-saas/<name>).
TENANT_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
# An Entra tenant is a GUID or one of its verified domains.
TENANT_ID = GUID[:-1] + r"|^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$"
FORMATS = {
    GUID: "a GUID",
    TENANT_NAME: "letters, digits, '.', '_' or '-', at most 64",
    TENANT_ID: "a GUID or a domain name",
}
VAULTED_TYPES = ("AnsibleVaultEncryptedUnicode", "EncryptedString", "Vaulted")
APPLICATIONS = ("mip", "azure_blob_storage", "copilot", "exchange", "onedrive", "sharepoint", "teams")

# field: (required, kind, pattern or choices)
TENANT_FIELDS = {
    "name": (True, "str", TENANT_NAME),
    "tenant_id": (True, "str", TENANT_ID),
    "account_name": (False, "str", None),
    "state": (False, "choice", ("present", "absent")),
    "applications": (False, "choices", APPLICATIONS),
    "subscription_id": (False, "str", GUID),
    "delete_connector": (False, "bool", None),
    "entra_auth": (False, "auth", None),
}
ENTRA_AUTH_FIELDS = ("auth_client_id", "auth_client_secret")
# Options that send requests, and so credentials, somewhere else.
ENDPOINT_OVERRIDES = frozenset((
    "cloud", "authority_url", "graph_url", "arm_url", "power_platform_url", "ca_bundle", "validate_certs",
    "zscaler_cloud", "zscaler_token_url", "zscaler_vanity_domain", "zia_cloud", "zia_api_url",
))


def has_template(text):
    return any(marker in text for marker in TEMPLATE_MARKERS)


def check_document(document):
    """Problems of a whole tenants file: one variable, mipconnect_tenants, and nothing else."""
    if not isinstance(document, dict):
        return ["the tenants file must be a mapping with the single key %s" % TENANTS_VARIABLE]
    problems = []
    for key in sorted(document, key=str):
        if key != TENANTS_VARIABLE:
            problems.append("top-level key %r is not allowed: the tenants file sets only %s (it is passed as "
                            "extra vars, which override every other variable of the playbook)"
                            % (_printable(key), TENANTS_VARIABLE))
    if TENANTS_VARIABLE not in document:
        problems.append("%s is missing" % TENANTS_VARIABLE)
    else:
        problems.extend(check_tenants(document[TENANTS_VARIABLE]))
    return problems


def check_tenants(tenants):
    """Problems of the mipconnect_tenants list; an empty list means it is safe to template."""
    if not isinstance(tenants, list):
        return ["%s must be a list of tenants" % TENANTS_VARIABLE]
    problems = []
    names = set()
    for index, tenant in enumerate(tenants):
        label = _tenant_label(index, tenant)
        if not isinstance(tenant, dict):
            problems.append("%s: must be a mapping" % label)
            continue
        problems.extend("%s, field %s: %s" % (label, field, problem) for field, problem in _tenant_problems(tenant))
        name = tenant.get("name")
        if isinstance(name, str) and name in names:
            problems.append("%s, field name: the name is used twice; names must be unique" % label)
        names.add(name if isinstance(name, str) else None)
    return problems


def _tenant_problems(tenant):
    for field, text in _templated_strings(tenant, ""):
        yield field, ("Jinja templates ({{ }}, {% %}, {# #}) are not allowed in the tenants file: Ansible would "
                      "render them (and could run commands); write the value itself")
    for key in sorted(tenant, key=str):
        if key not in TENANT_FIELDS:
            yield _printable(key), _unknown_key(key, TENANT_FIELDS)
    for field in sorted(TENANT_FIELDS):
        required, kind, rule = TENANT_FIELDS[field]
        if field not in tenant:
            if required:
                yield field, "is required"
            continue
        problem = _value_problem(tenant[field], kind, rule)
        if problem:
            yield field, problem
    auth = tenant.get("entra_auth")
    if isinstance(auth, dict):
        for key in sorted(auth, key=str):
            if key not in ENTRA_AUTH_FIELDS:
                yield "entra_auth." + _printable(key), _unknown_key(key, ENTRA_AUTH_FIELDS)
            elif not (_is_text(auth[key]) or is_vaulted(auth[key])):
                yield "entra_auth." + key, "must be a string or a !vault value"


def _value_problem(value, kind, rule):
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "auth":
        return None if isinstance(value, dict) else "must be a mapping with %s" % ", ".join(ENTRA_AUTH_FIELDS)
    if kind == "choices":
        if not isinstance(value, list) or not all(isinstance(item, str) and item in rule for item in value):
            return "must be a list of: %s" % ", ".join(rule)
        return None
    if is_vaulted(value):
        return None
    if not isinstance(value, str):
        return "must be a string"
    if kind == "choice" and value not in rule:
        return "must be one of: %s" % ", ".join(rule)
    if kind == "str" and rule and not has_template(value) and not re.match(rule, value):
        return "has an unexpected format (expected %s)" % FORMATS[rule]
    return None


def _unknown_key(key, allowed):
    if key in ENDPOINT_OVERRIDES:
        return ("endpoint and TLS overrides are not allowed in the tenants file: they would send the "
                "credentials elsewhere; set them in the playbook or the environment of the run")
    return "unknown field (allowed: %s)" % ", ".join(sorted(allowed))


def _templated_strings(value, path, found=None):
    """[(path, text)] of every string (keys included) that holds a template marker."""
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            child = "%s.%s" % (path, _printable(key)) if path else _printable(key)
            if _is_text(key) and has_template(key):
                found.append((child, key))
            _templated_strings(item, child, found)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _templated_strings(item, "%s[%d]" % (path, index), found)
    elif _is_text(value) and has_template(value):
        found.append((path, value))
    return found


def _tenant_label(index, tenant):
    """'tenant #2 (fabrikam)': the name only when it is a plain, printable name."""
    name = tenant.get("name") if isinstance(tenant, dict) else None
    if isinstance(name, str) and re.match(TENANT_NAME, name):
        return "tenant #%d (%s)" % (index + 1, name)
    return "tenant #%d" % (index + 1)


def _printable(key):
    """A key as it may be shown: never a template, never more than a short name."""
    text = key if isinstance(key, str) else repr(key)
    if has_template(text) or not re.match(r"^[A-Za-z0-9_.-]{1,64}$", text):
        return "<a key that is not a plain name>"
    return text


def is_vaulted(value):
    """A !vault value, as Ansible (2.16: AnsibleVaultEncryptedUnicode, 2.19: EncryptedString) or the
    stand-alone checker (Vaulted) loads it; known by class name so this module imports nothing."""
    return type(value).__name__ in VAULTED_TYPES


def _is_text(value):
    # Vaulted values are not str (and are never decrypted here).
    return isinstance(value, str)
