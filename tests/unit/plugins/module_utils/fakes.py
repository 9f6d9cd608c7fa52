# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fakes the unit tests of several module_utils files share."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import requests

from ansible_collections.mipconnect.zia.plugins.module_utils import transport


class Clock:
    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


class Answer:
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self._body = body
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self.reason = "Reason"
        self.content = b"x" if body is not None else b""

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body


class ScriptedHttp:
    """Stands in for HttpClient: answers from a script (or a function of the request), records calls."""

    def __init__(self, answers, max_retry_wait=120):
        self.answers = answers
        self.calls = []
        self.settings = transport.HttpSettings(max_retry_wait=max_retry_wait)

    def request(self, method, url, headers=None, params=None, json=None, service=None, **options):
        self.calls.append((method, url, dict(params or {}), options))
        if callable(self.answers):
            return self.answers(method, url, dict(params or {}))
        return self.answers.pop(0)


class RecordingHttp:
    """Stands in for HttpClient: answers in order, records the bearer token of each request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.tokens = []

    def request(self, method, url, headers=None, **kwargs):
        self.tokens.append(headers["Authorization"])
        return self.answers.pop(0)


class NoAuth:
    api_url = "https://zia.example/api/v1"

    def apply(self, headers):
        pass

    def refresh(self):
        pass

    def logout(self):
        pass
