# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Entra side of a Zscaler custom connector, brought to a desired state.

The public entry to the connector reconciler, which lives by concern in the
collection's internal ``_connector`` package (its README.md says which file holds what).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.permissions import desired_permissions
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.reconciler import ConnectorReconciler
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.role_assignments import role_assignment_name
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.secrets import (
    SECRET_IN_FLIGHT_TAG,
    secret_in_flight_since,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.sharepoint_certificate import (
    CERTIFICATE_DISPLAY_NAME,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.spec import DEFAULTS, ConnectorSpec

__all__ = ("CERTIFICATE_DISPLAY_NAME", "DEFAULTS", "SECRET_IN_FLIGHT_TAG", "ConnectorReconciler", "ConnectorSpec",
           "desired_permissions", "role_assignment_name", "secret_in_flight_since")
