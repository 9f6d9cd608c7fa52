# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SharePoint certificate: kept, made, renewed and uploaded to the application.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import certificate as certs
from ansible_collections.mipconnect.zia.plugins.module_utils.zia import portal_steps
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.times import iso, parse_time
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

CERTIFICATE_DISPLAY_NAME = "mipconnect.zia SharePoint connector"


class CertificateSteps(ConnectorState):
    """The certificate ZIA signs in to SharePoint with."""

    def ensure_certificate(self):
        """Keep a valid uploaded certificate; otherwise make one, store its JSON file, then upload it.

        A renewed certificate is uploaded beside the one it replaces: ZIA still signs in with
        the old private key until a person uploads the new JSON file, so the old certificate
        stays on the application until it expires, and the run says what is left to do."""
        spec = self.spec
        path = spec.private_key_json_path
        if not self.check_mode:
            # A run killed while writing the file left a 0600 temporary copy of a private key.
            certs.remove_stale_key_files(path)
        cert = certs.load_json_file(path)
        previous = None
        if cert is None or cert.expires_within(spec.certificate_renew_before_days, self.now):
            reason = "create" if cert is None else "renew expiring"
            previous = cert
            cert = certs.generate(spec.display_name, spec.certificate_validity_days, self.now)
            # The file is written before the upload: if the upload fails, the
            # next run uploads the stored certificate instead of losing the key.
            self._change("%s certificate %s and write %s" % (reason, cert.thumbprint, path),
                         lambda: certs.write_json_file(path, cert))
        uploaded = self.app.get("keyCredentials") or []
        thumbprints = [certs.thumbprint_of(k) for k in uploaded]
        expired = [k for k in uploaded if certs.thumbprint_of(k) != cert.thumbprint
                   and (parse_time(k.get("endDateTime")) or self.now) <= self.now]
        if cert.thumbprint not in thumbprints or expired:
            foreign = [k for k in uploaded if k.get("displayName") != CERTIFICATE_DISPLAY_NAME]
            if foreign:
                raise InputError("private_key_json_path", "the application already has %d certificate(s) this module "
                                 "did not upload (%s). Remove them in the Azure portal, or point "
                                 "private_key_json_path at the JSON file of the uploaded certificate."
                                 % (len(foreign), ", ".join(str(certs.thumbprint_of(k)) for k in foreign)))
            keep = [previous] if previous is not None and previous.thumbprint in thumbprints else []
            new_keys = [c.key_credential(CERTIFICATE_DISPLAY_NAME) for c in [cert] + keep]
            if keep:
                note = " (keeping %s until it expires)" % keep[0].thumbprint
            elif expired:
                note = " (removing expired %s)" % ", ".join(str(certs.thumbprint_of(k)) for k in expired)
            else:
                note = ""
            self._change("upload certificate %s to the application%s" % (cert.thumbprint, note),
                         lambda: self.graph.patch("/applications/%s" % self.app["id"], {"keyCredentials": new_keys}))
            self.app["keyCredentials"] = [dict(k, key=None) for k in new_keys]
            if keep:
                self.pending_steps.append(
                    "SharePoint: upload the renewed private-key JSON file %s to the SharePoint tenant in the ZIA "
                    "Admin Portal (%s, edit the tenant). ZIA signs in with "
                    "the old certificate %s until then; it expires on %s and a run after that removes it."
                    % (path, portal_steps.SAAS_TENANTS_MENU, keep[0].thumbprint, iso(keep[0].not_after)))
        return {"thumbprint": cert.thumbprint, "expires": iso(cert.not_after), "private_key_json_path": path}
