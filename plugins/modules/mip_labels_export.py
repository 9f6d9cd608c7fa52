#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mip_labels_export
short_description: Export MIP sensitivity labels from Microsoft or ZIA to CSV and JSON files
version_added: 1.0.0
description:
  - Reads a tenant's sensitivity labels like M(mipconnect.zia.mip_labels_info), with the same options, and writes
    them, like the Admin Portal's download, to a CSV file and/or a JSON file.
  - Labels are streamed page by page into the files; memory does not grow with the number of labels, and the
    labels are not returned (read them with M(mipconnect.zia.mip_labels_info)).
  - A module rather than M(mipconnect.zia.mip_labels_info) plus M(ansible.builtin.copy) with a filter, because
    that pair holds every label in memory twice (the registered result, then the file content templated from it),
    and its result would carry every label back to the controller; this module writes the files on the host as the
    pages arrive, with check mode, diff and an unchanged file left alone.
  - An unchanged file is left alone and reported C(changed=false). Files are written atomically with mode 0640.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.label_selection
  - mipconnect.zia.entra_auth
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.zia_auth
  - mipconnect.zia.connection
attributes:
  check_mode:
    support: full
    details: Reads everything and reports whether the files would change, without writing them.
  diff_mode:
    support: full
    details: Shows each file's SHA-256 and mode before and after (not the content, which can be large).
options:
  csv_path:
    description:
      - Write the labels to this CSV file (UTF-8, header row, mode 0640), with the columns of the portal's download
        plus ids. Written atomically, only when the content changes; an existing file with the same content but
        another mode gets mode 0640 (and C(changed=true)).
      - The C(Account Name) column holds O(account_name) when given; otherwise, with O(source=graph), the Entra
        tenant id the labels were read from, since no ZIA account is involved.
      - At least one of O(csv_path) and O(json_path) is required.
    type: path
  json_path:
    description:
      - Write the labels to this JSON file (a list of label records, values exactly as read), like O(csv_path).
    type: path
  csv_escape_formulas:
    description:
      - Prefix a single quote to every CSV cell that begins with C(=), C(+), C(-), C(@), a tab or a carriage
        return, as OWASP recommends against CSV injection, so that a spreadsheet shows label text written by a
        tenant's admins as text instead of running it as a formula.
      - Set V(false) only when a program, not a person with a spreadsheet, reads the file. The JSON file is
        always exact.
    type: bool
    default: true
seealso:
  - module: mipconnect.zia.mip_labels_info
  - name: OWASP CSV Injection
    description: Why cells that begin with formula characters are prefixed.
    link: https://owasp.org/www-community/attacks/CSV_Injection
"""

EXAMPLES = r"""
- name: Export a tenant's labels to CSV with the connector's credentials
  mipconnect.zia.mip_labels_export:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ connector.client_id }}"
    auth_client_secret: "{{ connector_secret }}"
    csv_path: /var/lib/zscaler/contoso-labels.csv

- name: Export the labels ZIA retrieved for an account, as CSV and JSON
  mipconnect.zia.mip_labels_export:
    source: zia
    account_name: Contoso MIP
    csv_path: /var/lib/zscaler/contoso-zia-labels.csv
    json_path: /var/lib/zscaler/contoso-zia-labels.json
"""

RETURN = r"""
count:
  description: Number of labels written after filtering.
  returned: always
  type: int
  sample: 42
files:
  description: Each file written (or that would be, in check mode), with whether it changed.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "/var/lib/zscaler/contoso-labels.csv", "changed": true}]
endpoint:
  description: The Graph endpoint that answered, C(beta) or C(v1.0).
  returned: when Graph was read
  type: str
  sample: beta
endpoints_tried:
  description:
    - The Graph endpoints tried, in order, with the HTTP status each answered (C(code) is Graph's error code);
      more than one when O(endpoint=auto) fell back.
  returned: when Graph was read
  type: list
  elements: dict
  sample: [{"endpoint": "beta", "status": 403, "code": "Forbidden"}, {"endpoint": "v1.0", "status": 200, "code": null}]
drift:
  description: With O(source=both), how ZIA's view differs from Microsoft's, as in M(mipconnect.zia.mip_labels_info).
  returned: when source is both
  type: dict
  sample: {"not_in_zia_policy": [{"id": "6f1c0a3e-0a5e-4b1c-9f51-2c7d3b0f9a11", "name": "Secret"}],
           "deleted_in_microsoft": [], "marked_deleted_in_zia": [], "renamed": []}
filters_not_evaluated:
  description:
    - For O(active_only) and O(appliable_to), how many exported labels the filter could not evaluate because the
      source does not report the field (Graph v1.0, ZIA); those labels were kept. Empty when every filter applied.
  returned: always
  type: dict
  sample: {"active_only": 8}
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.export import LabelExport, check_path
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.label_run import LABEL_SELECTION_ARGUMENT_SPEC, LabelRun
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    ENTRA_AUTH_ARGUMENT_SPEC,
    ENTRA_ENDPOINTS_ARGUMENT_SPEC,
    ZIA_AUTH_ARGUMENT_SPEC,
    MipConnectModule,
)

ARGUMENT_SPEC = dict(
    LABEL_SELECTION_ARGUMENT_SPEC,
    csv_path=dict(type="path"),
    json_path=dict(type="path"),
    csv_escape_formulas=dict(type="bool", default=True),
)


def export_labels(module):
    """Stream the selected labels into the files; changed when a file's content or mode changed."""
    p = module.params
    if not p["csv_path"] and not p["json_path"]:
        raise InputError("csv_path", "give csv_path, json_path or both: the files to write the labels to.")
    check_path("csv_path", p["csv_path"])
    check_path("json_path", p["json_path"])
    export = LabelExport(p["csv_path"], p["json_path"], module.check_mode, escape_formulas=p["csv_escape_formulas"])
    run = LabelRun(module, export.add)
    run.check_input()
    try:
        result = run.run()
        files = export.finish()
    except Exception:
        export.abort()
        raise
    result.update(
        changed=any(files.values()),
        files=[{"path": path, "changed": changed} for path, changed in sorted(files.items())],
        diff=export.diff())
    return result


def main():
    module = MipConnectModule(
        ARGUMENT_SPEC, shared_specs=(ENTRA_AUTH_ARGUMENT_SPEC, ENTRA_ENDPOINTS_ARGUMENT_SPEC, ZIA_AUTH_ARGUMENT_SPEC))
    module.run(lambda: export_labels(module))


if __name__ == "__main__":
    main()
