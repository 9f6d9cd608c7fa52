# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""THE WRITE CONTRACT for ZIA MIP accounts. Zscaler does not document it.

ZIA publishes read endpoints for MIP accounts (``/casbTenant/lite``,
``/casbTenant/validate/status/{id}``) but no public write. This file is the
one place that assumes one, shaped like the documented read model:

    POST   /casbTenant                {tenantName, saasApplication: "MIP", enterpriseTenantId,
                                       connectorType, tenantAuthorizationInfo: {clientId, clientSecret},
                                       labelRetrieval, tenantInactive, reAuth}
    PUT    /casbTenant/{tenantId}     the same; tenantAuthorizationInfo only when it changes
    DELETE /casbTenant/{tenantId}

When a ZIA cloud answers that it has no such endpoint (404/405), or refuses
the assumed call (400, 403 or 415, unless the error names a field of our input
or is the maintenance lock), the call raises ``ManualStepsRequired`` with the
exact Admin Portal steps for this account (and the error), never pretending a
write happened. Modules can then poll the documented read API until a person
has done them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, MipConnectError

CUSTOM = "CUSTOM"
ZSCALER_DEFINED = "ZSCALER_DEFINED"
PORTAL_MENU = "Policies > Data Protection > Common Resources > MIP Labels"


class ManualStepsRequired(MipConnectError):
    """The change needs a person in the ZIA Admin Portal; ``steps`` says exactly what to do."""

    def __init__(self, reason, steps, error=None):
        super(ManualStepsRequired, self).__init__(
            "%s Do these steps in the ZIA Admin Portal, then re-run (or use wait_for to wait for them): %s"
            % (reason, " ".join("%d. %s" % (i + 1, step) for i, step in enumerate(steps))))
        self.steps = steps
        self.error = error  # the API's refusal that sent us to the portal, when it was one

    def as_dict(self):
        found = {"message": self.message, "manual_steps": self.steps}
        if self.error is not None:
            found["error"] = self.error.as_dict()
        return found


def account_body(name, entra_tenant_id, connector, client_id=None, client_secret=None, label_retrieval=None,
                 inactive=None, reauthorize=False):
    """The request body of the contract; credentials only when they are to be written."""
    body = {"tenantName": name, "saasApplication": "MIP", "enterpriseTenantId": entra_tenant_id,
            "connectorType": connector}
    if client_id is not None and client_secret is not None:
        body["tenantAuthorizationInfo"] = {"clientId": client_id, "clientSecret": client_secret}
    if label_retrieval is not None:
        body["labelRetrieval"] = label_retrieval
    if inactive is not None:
        body["tenantInactive"] = inactive
    if reauthorize:
        body["reAuth"] = True
    return body


def create_account(zia, body, steps):
    return _write(zia, "POST", "/casbTenant", body, steps)


def update_account(zia, tenant_id, body, steps):
    return _write(zia, "PUT", "/casbTenant/%s" % tenant_id, body, steps)


def delete_account(zia, tenant_id, steps):
    return _write(zia, "DELETE", "/casbTenant/%s" % tenant_id, None, steps)


def _write(zia, method, path, body, steps):
    try:
        return zia.call(method, path, json=body)
    except ApiError as err:
        if _no_such_write(err):
            raise ManualStepsRequired("This ZIA cloud has no API to %s MIP accounts (HTTP %s)."
                                      % (_verb(method), err.status), steps)
        if _refused_write(err):
            raise ManualStepsRequired("ZIA refused to %s the MIP account through its API (%s)"
                                      % (_verb(method), err.message.rstrip(".")), steps, error=err)
        raise


# Fields of the contract's body that carry the module's input: an error naming one of
# them is about what was asked, and the person must fix the input, not click.
INPUT_FIELDS = ("tenantName", "enterpriseTenantId", "clientId", "clientSecret", "tenantAuthorizationInfo")


def _no_such_write(err):
    return err.status in (404, 405) and err.code in (None, "RESOURCE_NOT_FOUND", "NOT_FOUND", "METHOD_NOT_ALLOWED")


def _refused_write(err):
    """A 400, 403 or 415 from an endpoint ZIA does not document says the assumed contract does not
    hold there (another body, no such operation for API clients, another media type), unless
    the error names a field of our input or is ZIA's maintenance lock."""
    if err.status not in (400, 403, 415) or err.code == "STATE_READONLY":
        return False
    return not (err.status == 400 and any(field in (err.detail or "") for field in INPUT_FIELDS))


def _verb(method):
    return {"POST": "create", "PUT": "update", "DELETE": "delete"}[method]


def add_custom_account_steps(name, entra_tenant_id, client_id, consent_url, label_retrieval=False, inactive=False):
    return [
        "Open %s and click Add MIP Account." % PORTAL_MENU,
        "Open this admin consent URL in another tab and click Accept: %s" % consent_url,
        "Back in Add MIP Account, select Custom for the SaaS Connector.",
        "Enter Client ID %s, the Client Secret (from your vault; it is not shown here) and Tenant ID %s, "
        "then click Validate." % (client_id, entra_tenant_id),
        "Under Account Name enter '%s'." % name,
        "Click Save.",
        "Click the Edit icon of MIP account '%s', set Label Retrieval to %s and the status to %s, then click "
        "Save." % (name, "On" if label_retrieval else "Off", "Tenant Inactive" if inactive else "Active"),
        "Activate the change.",
    ]


def add_zscaler_defined_account_steps(name):
    return [
        "Open %s and click Add MIP Account." % PORTAL_MENU,
        "Select Zscaler Defined for the SaaS Connector and click Authorize.",
        "Sign in at Microsoft as a Global Administrator of the tenant, review the permissions and click Accept.",
        "Under Account Name enter '%s'." % name,
        "Click Save, then activate the change.",
    ]


def edit_account_steps(name, changes):
    return ["Open %s and click the Edit icon of MIP account '%s'." % (PORTAL_MENU, name)] + \
        ["%s%s." % (change[0].upper(), change[1:]) for change in changes] + ["Click Save, then activate the change."]


def delete_account_steps(name):
    return ["Open %s and click the Delete icon of MIP account '%s', then confirm." % (PORTAL_MENU, name),
            "Activate the change."]
