# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copilot: the connector registered as a Power Platform management app.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import portal_steps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState

COPILOT_POWERSHELL = (
    "Add-PowerAppsAccount -Endpoint {endpoint} -TenantID {tenant_id}; "
    "New-PowerAppManagementApp -ApplicationId {app_id}"
)


class PowerPlatformSteps(ConnectorState):
    """Registers the connector for Power Platform admin management, or says how."""

    def ensure_power_platform(self):
        app_id = self.app.get("appId")
        if not self.spec.power_platform_token:
            # Zscaler's steps register the Zscaler SaaS Connector ID that ZIA shows after Authorize,
            # which this tool cannot read: the person copies it.
            self.pending_steps.append(
                "Copilot: after Authorize in the ZIA Admin Portal, %s. Then, as a Power Platform administrator, "
                "register it for admin management: in PowerShell `%s`, or PUT %s/providers/"
                "Microsoft.BusinessAppPlatform/adminApplications/%s?api-version=2020-10-01 with an admin's token."
                % (portal_steps.COPY_CONNECTOR_ID,
                   COPILOT_POWERSHELL.format(endpoint=self.endpoints.powerapps_endpoint, tenant_id=self.tenant_id,
                                             app_id=portal_steps.CONNECTOR_ID_VALUE),
                   self.endpoints.power_platform_url, portal_steps.CONNECTOR_ID_VALUE))
            return {"registered": None}
        if not (app_id and self.power_platform.get_management_app(app_id) is not None):
            self._change("register the application as a Power Platform management app",
                         lambda: self.power_platform.register_management_app(app_id))
        # Registered by the connector's client id: that ZIA's Zscaler SaaS Connector ID is that id
        # for a custom connector is assumed (docs/assumptions.md); the person can check it.
        self.pending_steps.append(
            "Copilot: client id %s is registered for Power Platform admin management. After Authorize in "
            "the ZIA Admin Portal, compare the Zscaler SaaS Connector ID that ZIA shows; if it differs, register "
            "that ID as a Power Platform administrator (New-PowerAppManagementApp -ApplicationId %s)."
            % (app_id or "<client id>", portal_steps.CONNECTOR_ID_VALUE))
        return {"registered": True}

    def _unregister_power_platform(self):
        if self.power_platform.get_management_app(self.app["appId"]):
            self._change("unregister the Power Platform management app",
                         lambda: self.power_platform.unregister_management_app(self.app["appId"]))
