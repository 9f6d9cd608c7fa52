# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import tempfile

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import token_cache


@pytest.fixture(autouse=True)
def private_tmp(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def cache(secret=b"secret-one", now=1000.0):
    return token_cache.TokenCache("https://login.example", "tenant", "client", secret, clock=lambda: now)


def test_round_trip_and_file_is_private_and_encrypted(private_tmp):
    cache().put("https://graph/.default", "token-canary-value", 3600)
    assert cache().get("https://graph/.default") == "token-canary-value"
    directory = os.path.join(str(private_tmp), "mipconnect-tokens-%d" % os.getuid())
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    files = os.listdir(directory)
    assert len(files) == 1
    path = os.path.join(directory, files[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path, "rb") as handle:
        blob = handle.read()
    assert b"token-canary-value" not in blob and b"tenant" not in blob and b"client" not in blob


def test_another_credential_cannot_read_it():
    cache(b"secret-one").put("r", "token", 3600)
    assert cache(b"secret-two").get("r") is None


def test_expired_entries_are_not_returned():
    cache(now=1000.0).put("r", "token", 600)
    assert cache(now=1200.0).get("r") == "token"
    assert cache(now=1000.0 + 600 - token_cache.EXPIRY_MARGIN + 1).get("r") is None


def test_a_directory_others_can_enter_is_not_used(private_tmp):
    directory = os.path.join(str(private_tmp), "mipconnect-tokens-%d" % os.getuid())
    os.makedirs(directory)
    os.chmod(directory, 0o777)
    cache().put("r", "token", 3600)
    assert os.listdir(directory) == []
    assert cache().get("r") is None
