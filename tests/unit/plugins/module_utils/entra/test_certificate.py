# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import stat

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import certificate as certs
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError


@pytest.fixture(scope="module")
def cert():
    return certs.generate("Zscaler SharePoint Connector")


def test_generated_certificate_matches_the_guide(cert):
    assert cert.private_key.key_size == 2048
    lifetime = cert.not_after - datetime.datetime.now(datetime.timezone.utc)
    assert 1460 <= lifetime.days <= 1461
    assert len(cert.thumbprint) == 40


def test_key_credential_round_trips_the_thumbprint(cert):
    credential = cert.key_credential("desc")
    assert credential["type"] == "AsymmetricX509Cert" and credential["usage"] == "Verify"
    assert certs.thumbprint_of(credential) == cert.thumbprint
    assert certs.thumbprint_of({"customKeyIdentifier": None}) is None


def test_json_file_is_written_0600_and_read_back(tmp_path, cert):
    path = str(tmp_path / "sp.json")
    certs.write_json_file(path, cert)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        data = json.load(handle)
    assert set(data) == {"private_key", "public_cert"}
    assert data["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")
    assert data["public_cert"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert certs.load_json_file(path).thumbprint == cert.thumbprint
    assert [name for name in os.listdir(str(tmp_path)) if name != "sp.json"] == []


def test_missing_file_is_none_and_garbage_is_a_clear_error(tmp_path):
    assert certs.load_json_file(str(tmp_path / "absent.json")) is None
    bad = tmp_path / "bad.json"
    bad.write_text("{\"private_key\": \"nope\"}")
    bad.chmod(0o600)
    with pytest.raises(InputError) as caught:
        certs.load_json_file(str(bad))
    assert "private_key_json_path" in str(caught.value) and "not a private key JSON file" in str(caught.value)


def test_a_symbolic_link_to_a_key_file_is_refused(tmp_path, cert):
    real = str(tmp_path / "real.json")
    certs.write_json_file(real, cert)
    link = tmp_path / "sp.json"
    link.symlink_to(real)
    with pytest.raises(InputError) as caught:
        certs.load_json_file(str(link))
    assert "symbolic link" in str(caught.value)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(str(tmp_path / "nowhere.json"))
    with pytest.raises(InputError):
        certs.load_json_file(str(dangling))


def test_a_key_file_of_another_user_is_refused(tmp_path, cert, monkeypatch):
    path = str(tmp_path / "sp.json")
    certs.write_json_file(path, cert)
    owner = os.stat(path).st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    with pytest.raises(InputError) as caught:
        certs.load_json_file(path)
    assert "belongs to another user (uid %d)" % owner in str(caught.value)


@pytest.mark.parametrize("mode, words", [(0o620, "written by other users"), (0o604, "other users may read it")])
def test_a_key_file_others_may_read_or_write_is_refused(tmp_path, cert, mode, words):
    path = str(tmp_path / "sp.json")
    certs.write_json_file(path, cert)
    os.chmod(path, mode)
    with pytest.raises(InputError) as caught:
        certs.load_json_file(path)
    assert words in str(caught.value)


def test_the_opened_file_is_checked_so_a_fifo_neither_blocks_nor_passes(tmp_path):
    path = str(tmp_path / "sp.json")
    os.mkfifo(path, 0o600)
    with pytest.raises(InputError) as caught:
        certs.load_json_file(path)
    assert "not a regular file" in str(caught.value)


def test_a_killed_run_s_temporary_key_file_is_removed_by_the_next_write(tmp_path, cert):
    path = str(tmp_path / "sp.json")
    prefix = ".mipconnect-key-sp.json."
    stale, fresh, other = (tmp_path / (prefix + "stale1")), (tmp_path / (prefix + "fresh1")), tmp_path / "keep.txt"
    for leftover in (stale, fresh, other):
        leftover.write_text("-----BEGIN PRIVATE KEY-----")
        leftover.chmod(0o600)
    long_ago = os.stat(str(stale)).st_mtime - certs.STALE_TEMP_SECONDS - 60
    os.utime(str(stale), (long_ago, long_ago))
    os.utime(str(other), (long_ago, long_ago))
    not_a_file = tmp_path / (prefix + "link")
    not_a_file.symlink_to(str(other))
    os.utime(str(not_a_file), (long_ago, long_ago), follow_symlinks=False)
    certs.write_json_file(path, cert)
    left = sorted(os.listdir(str(tmp_path)))
    assert left == sorted(["sp.json", prefix + "fresh1", prefix + "link", "keep.txt"])


def test_stale_temporary_key_files_of_another_user_are_left_alone(tmp_path, monkeypatch):
    path = str(tmp_path / "sp.json")
    stale = tmp_path / ".mipconnect-key-sp.json.stale1"
    stale.write_text("x")
    owner = os.stat(str(stale)).st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    assert certs.remove_stale_key_files(path, now=os.stat(str(stale)).st_mtime + 10 ** 6) == []
    monkeypatch.setattr(os, "geteuid", lambda: owner)
    assert certs.remove_stale_key_files(path, now=os.stat(str(stale)).st_mtime + 10 ** 6) == [str(stale)]


def test_expiry_window(cert):
    assert not cert.expires_within(30)
    assert cert.expires_within(2000)
