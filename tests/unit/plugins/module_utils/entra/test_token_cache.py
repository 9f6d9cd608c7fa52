# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import tempfile

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import entra_auth, token_cache


pytestmark = pytest.mark.usefixtures("private_tmp")  # conftest.py: a temp dir per test


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


def cache_dir(private_tmp):
    return os.path.join(str(private_tmp), "mipconnect-tokens-%d" % os.getuid())


def test_directory_created_by_a_parallel_fork_in_between_is_used(private_tmp, monkeypatch):
    # Another fork creates the directory between our check and our mkdir: the
    # former isdir-then-makedirs raised FileExistsError here.
    real_mkdir = os.mkdir

    def racing_mkdir(path, mode=0o777, *args, **kwargs):
        if os.path.basename(path).startswith("mipconnect-tokens-"):
            real_mkdir(path, 0o700)
        return real_mkdir(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", racing_mkdir)
    cache().put("r", "token", 3600)
    assert cache().get("r") == "token"


def test_forks_racing_on_a_fresh_directory_all_succeed(private_tmp):
    children = []
    for number in range(8):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                cache().put("r%d" % number, "token", 3600)
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    for pid in children:
        assert os.waitpid(pid, 0)[1] == 0
    names = os.listdir(cache_dir(private_tmp))
    assert len(names) == 1, names  # one entry file, no temporary file left behind


@pytest.mark.parametrize("plant", ["file", "dangling-link", "link-to-own-dir"])
def test_something_planted_at_the_directory_name_means_no_cache(private_tmp, plant):
    path = cache_dir(private_tmp)
    if plant == "file":
        with open(path, "w") as handle:
            handle.write("planted")
    elif plant == "dangling-link":
        os.symlink(str(private_tmp / "nowhere"), path)
    else:
        target = private_tmp / "elsewhere"
        target.mkdir(mode=0o700)
        os.symlink(str(target), path)
    cache().put("r", "token", 3600)
    assert cache().get("r") is None
    if plant == "link-to-own-dir":
        assert os.listdir(str(private_tmp / "elsewhere")) == []


@pytest.mark.parametrize("failing", ["gettempdir", "makedirs", "lstat", "mkstemp", "rename", "open"])
def test_any_os_error_degrades_to_no_cache(private_tmp, monkeypatch, failing):
    cache().put("kept", "old-token", 3600)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    target = {"gettempdir": (tempfile, "gettempdir"), "makedirs": (os, "makedirs"), "lstat": (os, "lstat"),
              "mkstemp": (tempfile, "mkstemp"), "rename": (os, "rename")}
    if failing == "open":
        import builtins
        monkeypatch.setattr(builtins, "open", fail)
    else:
        monkeypatch.setattr(*target[failing], value=fail)
    cache().put("r", "token", 3600)  # must not raise
    assert cache().get("r") is None
    monkeypatch.undo()
    files = os.listdir(cache_dir(private_tmp))
    assert len(files) == 1  # no temporary file left behind
    with open(os.path.join(cache_dir(private_tmp), files[0]), "rb") as handle:
        assert b"token" not in handle.read()


def test_an_expired_file_is_removed_when_read(private_tmp):
    cache(now=1000.0).put("r", "token", 600)
    assert len(os.listdir(cache_dir(private_tmp))) == 1
    assert cache(now=2000.0).get("r") is None
    assert os.listdir(cache_dir(private_tmp)) == []


def test_a_file_with_a_live_entry_is_kept_and_expired_ones_are_dropped_on_write(private_tmp):
    cache(now=1000.0).put("short", "token-1", 600)
    cache(now=1000.0).put("long", "token-2", 3600)
    assert cache(now=2000.0).get("short") is None
    assert cache(now=2000.0).get("long") == "token-2"
    cache(now=2000.0).put("other", "token-3", 3600)
    assert cache(now=1000.0).get("short") is None  # gone from the file, not only hidden by the clock


def test_drop_forgets_one_resource_and_removes_an_empty_file(private_tmp):
    cache().put("a", "token-a", 3600)
    cache().put("b", "token-b", 3600)
    cache().drop("a")
    assert cache().get("a") is None
    assert cache().get("b") == "token-b"
    cache().drop("b")
    assert os.listdir(cache_dir(private_tmp)) == []
    cache().drop("b")  # nothing left to drop: no error


TENANT = "11111111-1111-1111-1111-111111111111"
CLIENT = "22222222-2222-2222-2222-222222222222"


class FakeResponse:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.text = json.dumps(body)
        self.content = self.text.encode("utf-8")
        self.headers = {"Content-Type": "application/json"}

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        """MSAL may call it; our answers are all 200."""


class FakeEntra:
    """Serves the OpenID metadata and the token endpoint; counts token requests."""

    def __init__(self):
        self.token_requests = 0

    def request(self, method, url, **kwargs):
        base = "https://login.example/%s" % TENANT
        if url.endswith("/.well-known/openid-configuration"):
            return FakeResponse(200, {"token_endpoint": base + "/oauth2/v2.0/token",
                                      "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                                      "issuer": "https://login.example/%s/v2.0" % TENANT})
        assert method == "POST" and url == base + "/oauth2/v2.0/token", url
        self.token_requests += 1
        return FakeResponse(200, {"token_type": "Bearer", "expires_in": 3600,
                                  "access_token": "token-%d" % self.token_requests})


def provider(http, shared_cache=True):
    endpoints = entra_auth.EntraEndpoints(authority_url="https://login.example")
    return entra_auth.EntraTokenProvider(http, endpoints, TENANT, CLIENT, client_secret="canary-secret",
                                         shared_cache=shared_cache)


@pytest.mark.parametrize("shared_cache", [True, False])
def test_a_refused_token_is_dropped_and_fetched_again_once(shared_cache):
    http = FakeEntra()
    tokens = provider(http, shared_cache)
    graph = "https://graph.microsoft.com"
    assert tokens.token(graph) == "token-1"
    assert tokens.token(graph) == "token-1"  # MSAL's in-memory cache
    if shared_cache:
        assert provider(http).token(graph) == "token-1"  # the next task: the shared cache
    assert http.token_requests == 1
    tokens.invalidate(graph)  # the service answered 401
    assert tokens.token(graph) == "token-2"
    assert tokens.token(graph) == "token-2"
    assert http.token_requests == 2
    if shared_cache:
        assert provider(http).token(graph) == "token-2"  # the revoked token is gone for later tasks too
        assert http.token_requests == 2


def test_invalidating_one_resource_keeps_the_others():
    http = FakeEntra()
    tokens = provider(http)
    graph, arm = "https://graph.microsoft.com", "https://management.azure.com/"
    assert (tokens.token(graph), tokens.token(arm)) == ("token-1", "token-2")
    tokens.invalidate(arm)
    assert tokens.token(graph) == "token-1"
    assert provider(http).token(graph) == "token-1"
    assert tokens.token(arm) == "token-3"
