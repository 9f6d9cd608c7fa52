# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import reconciler


class Endpoints:
    powerapps_endpoint = "prod"
    power_platform_url = "https://api.bap.microsoft.com"


class PowerPlatform:
    def __init__(self, registered):
        self.registered = registered
        self.registrations = []

    def get_management_app(self, app_id):
        return {"applicationId": app_id} if self.registered else None

    def register_management_app(self, app_id):
        self.registrations.append(app_id)


def test_without_a_token_the_person_is_told_how_to_register():
    rec = reconciler(endpoints=Endpoints(), applications=["copilot"])
    rec.app = {"appId": "app"}
    assert rec.ensure_power_platform() == {"registered": None}
    assert "New-PowerAppManagementApp" in rec.pending_steps[0] and rec.changes == []


def test_with_a_token_an_unregistered_app_is_registered_once():
    for registered, expected in ((False, ["app"]), (True, [])):
        platform = PowerPlatform(registered)
        rec = reconciler(endpoints=Endpoints(), power_platform=platform, applications=["copilot"],
                         power_platform_token="token")
        rec.app = {"appId": "app"}
        assert rec.ensure_power_platform() == {"registered": True}
        assert platform.registrations == expected and len(rec.changes) == len(expected)
