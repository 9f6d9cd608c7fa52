# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZIA Admin Portal steps for a Microsoft SaaS application tenant, in Zscaler's words.

They follow Zscaler's help page "Authorizing a Custom Zscaler Connector for Microsoft
Applications" (Creating a Custom Connector for a SaaS Application Tenant, and
Register application for admin management for Copilot). ZIA has no API that adds SaaS
application tenants, so a person does these; where the tool cannot know a value (the
Tenant Name a person picks, the Zscaler SaaS Connector ID that ZIA shows only after
Authorize) the steps say which value to enter or copy.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SAAS_TENANTS_MENU = "Policies > Common Configuration > Out-of-Band CASB > SaaS Application Tenants"
# The application names Zscaler's page uses; MIP is an MIP account, not a SaaS application tenant.
SAAS_APPLICATION_NAMES = {
    "azure_blob_storage": "Microsoft Azure Blob Storage",
    "copilot": "Copilot",
    "exchange": "Exchange",
    "onedrive": "OneDrive",
    "sharepoint": "SharePoint",
    "teams": "Teams",
}
CONNECTOR_ID_VALUE = "<Zscaler SaaS Connector ID>"
COPY_CONNECTOR_ID = ("copy the Zscaler SaaS Connector ID that ZIA shows after Authorize: the Copilot registration "
                     "for Power Platform admin management needs it")


def saas_tenant_steps(applications, tenant_id, client_id, consent_url, secret_hint, private_key_json_path=None):
    """What a person does in the Admin Portal to add each SaaS application tenant, in order."""
    names = [SAAS_APPLICATION_NAMES[app] for app in sorted(applications) if app in SAAS_APPLICATION_NAMES]
    if not names:
        return []
    steps = [
        "In the ZIA Admin Portal go to %s. Do the next steps once for each of: %s."
        % (SAAS_TENANTS_MENU, ", ".join(names)),
        "Click Add SaaS Application Tenant. Under Choose the SaaS Application Provider select the application; in "
        "the Tenant Name field enter a name of your choice for this tenant.",
        "Open this admin consent URL in another browser tab and click Accept: %s" % consent_url,
        "Back on Add SaaS Application Tenant, in the Authorize the SaaS Application section select Custom for the "
        "SaaS Connector and enter Client ID %s, the Client Secret (%s) and Tenant ID %s."
        % (client_id, secret_hint, tenant_id),
    ]
    if "sharepoint" in applications:
        steps.append("For SharePoint, also upload the private-key JSON file %s."
                     % (private_key_json_path or "made for this connector"))
    steps.append("Click Authorize.")
    if "copilot" in applications:
        steps.append("For Copilot, %s." % COPY_CONNECTOR_ID)
    steps.append("Click Save and activate the change.")
    return steps
