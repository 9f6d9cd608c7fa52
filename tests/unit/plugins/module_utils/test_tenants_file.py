# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.tenants_file import check_document, check_tenants

GOOD = {"name": "contoso", "tenant_id": "00000000-0000-0000-0000-00000000c0de", "account_name": "Contoso MIP",
        "state": "present", "applications": ["mip", "teams"], "delete_connector": False,
        "entra_auth": {"auth_client_id": "11111111-1111-1111-1111-111111111111", "auth_client_secret": "s3cr3t"}}


def with_field(path, value):
    tenant = dict(GOOD, entra_auth=dict(GOOD["entra_auth"]))
    if "." in path:
        outer, inner = path.split(".")
        tenant[outer][inner] = value
    else:
        tenant[path] = value
    return tenant


def test_a_plain_tenants_list_passes():
    assert check_tenants([GOOD, dict(GOOD, name="fabrikam.eu", tenant_id="fabrikam.onmicrosoft.com")]) == []
    assert check_document({"mipconnect_tenants": [GOOD]}) == []


@pytest.mark.parametrize("field, value", [
    ("name", "{{ lookup('pipe', 'id') }}"),
    ("account_name", "Contoso {% for x in range(9) %}{% endfor %}"),
    ("account_name", "{# comment #}Contoso"),
    ("entra_auth.auth_client_secret", "{{ vault_contoso_secret }}"),
    ("tenant_id", "{{ query('env', 'HOME') }}"),
])
def test_a_template_anywhere_is_refused_naming_tenant_and_field(field, value):
    problems = check_tenants([GOOD, with_field(field, value)])
    assert len(problems) >= 1
    assert problems[0].startswith("tenant #2")
    assert "field %s: Jinja templates" % field in problems[0]
    assert value not in " ".join(problems)  # the hostile text is never echoed


def test_templates_in_lists_and_keys_are_found():
    problems = check_tenants([dict(GOOD, applications=["mip", "{{ 1 }}"])])
    assert any("field applications[1]: Jinja" in p for p in problems)
    problems = check_tenants([dict(GOOD, **{"{{ lookup('pipe','id') }}": 1})])
    assert any("Jinja" in p for p in problems) and all("lookup" not in p for p in problems)


@pytest.mark.parametrize("field", ["graph_url", "authority_url", "zia_api_url", "zscaler_token_url", "ca_bundle",
                                   "validate_certs", "entra_auth.authority_url", "entra_auth.graph_url"])
def test_endpoint_overrides_are_refused(field):
    problems = check_tenants([with_field(field, "https://attacker.example")])
    assert any(("field %s: endpoint and TLS overrides are not allowed" % field) in p for p in problems), problems


@pytest.mark.parametrize("field, value, words", [
    ("name", "../../etc", "has an unexpected format"),
    ("name", "a b", "has an unexpected format"),
    ("tenant_id", 42, "must be a string"),
    ("state", "gone", "must be one of"),
    ("applications", ["mip", "gmail"], "must be a list of"),
    ("delete_connector", "yes", "must be true or false"),
    ("subscription_id", "not-a-guid", "has an unexpected format (expected a GUID)"),
    ("entra_auth", "secret", "must be a mapping"),
    ("ansible_connection", "ssh", "unknown field"),
])
def test_values_are_checked_against_the_schema(field, value, words):
    problems = check_tenants([with_field(field, value)])
    assert any(("field %s: %s" % (field, words)) in p for p in problems), problems


def test_the_document_may_set_nothing_but_the_tenants():
    problems = check_document({"mipconnect_tenants": [GOOD], "mipconnect_zia_auth": {"zia_api_url": "https://x"},
                               "ansible_python_interpreter": "/tmp/evil"})
    assert len(problems) == 2 and all("top-level key" in p for p in problems)
    assert check_document({"other": 1}) != [] and check_document(["x"]) != []


def test_required_fields_and_unique_names():
    problems = check_tenants([{"name": "a"}, GOOD, GOOD])
    assert "tenant #1 (a), field tenant_id: is required" in problems
    assert any(p.startswith("tenant #3 (contoso), field name: the name is used twice") for p in problems)
    assert check_tenants({"name": "a"}) == ["mipconnect_tenants must be a list of tenants"]
