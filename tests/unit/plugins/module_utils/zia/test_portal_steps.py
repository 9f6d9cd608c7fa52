# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Admin Portal steps for SaaS application tenants follow Zscaler's help page."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import portal_steps

TENANT = "0a6e7c3d-1f8b-4c2e-9d7a-5b3f2e1c0d9e"
CLIENT = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
URL = "https://login.microsoftonline.com/common/adminconsent?client_id=%s&state=administration/add-casb-tenants" % CLIENT


def test_saas_steps_use_the_menu_fields_and_button_of_zscalers_page():
    steps = portal_steps.saas_tenant_steps(["sharepoint", "copilot", "mip"], TENANT, CLIENT, URL, "from your vault",
                                           "/tmp/key.json")
    text = " ".join(steps)
    assert steps[0].startswith(
        "In the ZIA Admin Portal go to Policies > Common Configuration > Out-of-Band CASB > SaaS Application Tenants")
    assert "Copilot, SharePoint." in steps[0]  # MIP is an MIP account, not a SaaS application tenant
    for words in ("Add SaaS Application Tenant", "Choose the SaaS Application Provider", "Tenant Name",
                  "Authorize the SaaS Application", "select Custom for the SaaS Connector", CLIENT, TENANT, URL,
                  "/tmp/key.json", "Click Authorize.", "Click Save and activate the change."):
        assert words in text, words
    # The Power Platform registration needs what ZIA shows after Authorize, which the tool cannot know.
    authorize = steps.index("Click Authorize.")
    assert "Zscaler SaaS Connector ID" in steps[authorize + 1]


def test_no_saas_steps_for_an_mip_only_connector():
    assert portal_steps.saas_tenant_steps(["mip"], TENANT, CLIENT, URL, "x") == []
