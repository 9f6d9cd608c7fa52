# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.mipconnect.zia.plugins.module_utils.entra.connector import ConnectorReconciler, ConnectorSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.times import iso
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError

NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)


class FakeGraph:
    """Answers reads from ``answers`` (path -> answer, None for 404) and records every write;
    a write whose path is in ``refuse`` fails with that error."""

    def __init__(self, answers=None, refuse=None, lists=None):
        self.answers = dict(answers or {})
        self.refuse = dict(refuse or {})
        self.lists = dict(lists or {})
        self.writes = []

    def get(self, path, params=None, missing_ok=False):
        return self.answers.get(path)

    def list(self, path, params=None):
        return list(self.lists.get(path, []))

    def _write(self, method, path, body=None):
        if path in self.refuse:
            raise self.refuse[path]
        self.writes.append((method, path, body))
        return self.answers.get((method, path))

    def patch(self, path, body, headers=None):
        return self._write("PATCH", path, body)

    def post(self, path, body, headers=None):
        return self._write("POST", path, body)

    def put(self, path, body):
        return self._write("PUT", path, body)

    def delete(self, path, missing_ok=True):
        return self._write("DELETE", path)

    def call(self, method, path):
        return self._write(method, path)


def denied(status=403, code="Authorization_RequestDenied"):
    return ApiError("Microsoft Graph", status, code=code)


def reconciler(graph=None, check_mode=False, arm=None, power_platform=None, endpoints=None, **spec):
    options = dict(display_name="Zscaler MIP", unique_name="zscaler-mip")
    options.update(spec)
    return ConnectorReconciler(graph or FakeGraph(), arm, power_platform, endpoints, "tenant", ConnectorSpec(**options),
                               check_mode, now=NOW)


class SecretGraph:
    """Records every write; addPassword answers a secret started at NOW; GET of the application answers its
    tags as the last PATCH left them (``tags`` until then)."""

    def __init__(self, fail_on=None, tags=None):
        self.calls = []
        self.fail_on = fail_on
        self.tags = tags
        self.reads = []

    def get(self, path, params=None, missing_ok=False):
        self.reads.append(path)
        return {"id": "obj", "tags": list(self.tags or [])}

    def _record(self, method, path, body):
        self.calls.append((method, path, body))
        if self.fail_on == len(self.calls):
            raise ApiError("Microsoft Graph", 503, code="ServiceUnavailable")

    def patch(self, path, body, headers=None):
        self._record("PATCH", path, body)
        if "tags" in body:
            self.tags = list(body["tags"])
        return {}

    def post(self, path, body, headers=None):
        self._record("POST", path, body)
        if path.endswith("/addPassword"):
            return {"keyId": "new-key", "displayName": body["passwordCredential"]["displayName"],
                    "endDateTime": body["passwordCredential"]["endDateTime"], "secretText": "s3cret",
                    "startDateTime": iso(NOW)}
        return {}
