# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does a connector's client id + secret work for what Zscaler will do with it?

The same check as the Admin Portal's Validate button, saying more: get an
app-only token per resource API with the connector's credentials, read the
``roles`` claim (the application permissions actually consented), compare
with the catalog, and probe one labels request on a Graph label API the
chosen cloud has (see ``EntraEndpoints.label_apis``). What the cloud does not
let us check is listed in ``not_checked``, never passed over in silence.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.clients import graph_client
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import EntraTokenProvider, token_claims
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, TokenError
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.labels import BETA_PATH, V1_PATH, choose_endpoint

LABELS_PROBE_PATHS = {"beta": BETA_PATH, "v1.0": V1_PATH}
# AADSTS codes that can mean "just created, not replicated yet" rather than "wrong".
TRANSIENT_AADSTS = (700016, 7000215)


def required_roles(applications):
    """{resource appId: [role values]} the applications need (app roles only: delegated
    scopes cannot be seen in an app-only token)."""
    needed = {}
    for name in applications:
        for resource_key, value, _actions in catalog.APPLICATIONS[name]:
            kind, _id = catalog.PERMISSION_IDS[(resource_key, value)]
            if kind == catalog.ROLE:
                app_id = catalog.RESOURCES[resource_key]["app_id"]
                roles = needed.setdefault(app_id, [])
                if value not in roles:
                    roles.append(value)
    return needed


def _resource_for_token(endpoints, resource_app_id):
    if resource_app_id == catalog.RESOURCES["microsoft_graph"]["app_id"]:
        return endpoints.graph_resource
    return resource_app_id


def _names():
    return dict((r["app_id"], r["display_name"]) for r in catalog.RESOURCES.values())


def validate_connector(http, endpoints, tenant_id, client_id, client_secret, applications=("mip",),
                       probe_labels=True, wait=0, sleep=time.sleep, clock=time.monotonic):
    """Return {valid, reason, aadsts, missing_permissions, granted_roles, labels_probe, not_checked}.

    With ``wait`` > 0, answers that can mean "created moments ago" (unknown
    app, unknown secret, permissions not yet in the token) are retried for up
    to that many seconds.
    """
    deadline = clock() + wait
    attempt = 0
    while True:
        result = _validate_once(http, endpoints, tenant_id, client_id, client_secret, applications, probe_labels)
        transient = result["aadsts"] in TRANSIENT_AADSTS or (result["aadsts"] is None and not result["valid"])
        if result["valid"] or not transient or clock() + 2 > deadline:
            return result
        sleep(min(2 ** attempt, 10))
        attempt += 1


def connector_validator(http, endpoints, wait=0):
    """``validate_connector`` for one run's HTTP layer and cloud, called as MipAccountReconciler
    calls it: ``validator(client_id, client_secret, tenant_id)``."""
    def validator(client_id, client_secret, tenant_id):
        return validate_connector(http, endpoints, tenant_id, client_id, client_secret, wait=wait)
    return validator


def _validate_once(http, endpoints, tenant_id, client_id, client_secret, applications, probe_labels):
    tokens = EntraTokenProvider(http, endpoints, tenant_id, client_id, client_secret=client_secret)
    result = {"valid": False, "reason": None, "aadsts": None, "missing_permissions": {}, "granted_roles": {},
              "labels_probe": None, "not_checked": []}
    names = _names()
    graph_token = None
    try:
        for resource_app_id, roles in sorted(required_roles(applications).items()):
            token = tokens.token(_resource_for_token(endpoints, resource_app_id))
            if resource_app_id == catalog.RESOURCES["microsoft_graph"]["app_id"]:
                graph_token = token
            granted = token_claims(token).get("roles") or []
            name = names.get(resource_app_id, resource_app_id)
            result["granted_roles"][name] = sorted(granted)
            missing = [role for role in roles if role not in granted]
            if missing:
                result["missing_permissions"][name] = missing
    except TokenError as err:
        result["reason"] = str(err)
        result["aadsts"] = err.aadsts
        return result
    if result["missing_permissions"]:
        result["reason"] = "Admin consent is missing for: %s. Grant it (azure_app_connector with " \
                           "grant_admin_consent: true) or open the admin consent URL." % "; ".join(
                               "%s: %s" % (name, ", ".join(roles))
                               for name, roles in sorted(result["missing_permissions"].items()))
        return result
    if probe_labels and "mip" in applications:
        graph_token = graph_token or tokens.token(endpoints.graph_resource)
        endpoint = choose_endpoint("auto", token_claims(graph_token).get("roles") or [], endpoints.label_apis)
        if endpoint is None:
            result["not_checked"].append(_unprobed_labels(endpoints))
        else:
            result["labels_probe"] = _probe_labels(http, endpoints, tokens, endpoint)
            if not result["labels_probe"]["ok"]:
                result["reason"] = "The sensitivity labels endpoint refused the connector: %s" % \
                    result["labels_probe"]["error"]
                return result
    result["valid"] = True
    result["reason"] = "The connector's credentials work and every required permission is consented."
    if result["not_checked"]:
        result["reason"] += " Not checked: %s" % " ".join(result["not_checked"])
    return result


def _unprobed_labels(endpoints):
    """Why no labels request was made, for a cloud without the API the connector's permission opens."""
    if not endpoints.label_apis:
        return ("Reading sensitivity labels: Microsoft Graph in %s has no sensitivity label API, so whether Zscaler "
                "can read the labels could not be checked there." % endpoints.cloud_name)
    return ("Reading sensitivity labels: in %s only the v1.0 label API exists (the beta one that "
            "InformationProtectionPolicy.Read.All opens does not), and the connector does not hold "
            "SensitivityLabels.Read.All, so no labels request was made." % endpoints.cloud_name)


def _probe_labels(http, endpoints, tokens, endpoint):
    graph = graph_client(http, endpoints, tokens, version=endpoint)
    path = LABELS_PROBE_PATHS[endpoint]
    try:
        page = graph.get(path, params={"$top": "1"})
    except ApiError as err:
        return {"ok": False, "endpoint": endpoint + path, "status": err.status, "error": str(err)}
    return {"ok": True, "endpoint": endpoint + path, "status": 200, "labels_seen": len(page.get("value", []))}
