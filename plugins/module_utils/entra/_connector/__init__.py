# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connector reconciler, one file per concern.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this package; names here may change without notice.

=========================  =================================================
file                       concern
=========================  =================================================
spec.py                    the desired state, from the module's options
state.py                   what the steps share; the one way they write
permissions.py             API permissions and requiredResourceAccess
application.py             the application and its service principal
grants.py                  admin consent (app role and delegated grants)
secrets.py                 client secrets and their rotation
sharepoint_certificate.py  the SharePoint certificate
role_assignments.py        Azure Blob Storage role assignments
power_platform.py          Copilot's Power Platform registration
view.py                    the --diff view and the module's result
reconciler.py              the steps in order: present() and absent()
times.py                   Graph's time format
=========================  =================================================
"""
