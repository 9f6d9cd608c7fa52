#!/usr/bin/env python3
"""Check tenants.yml before Ansible reads it: run this first, in every job.

Ansible renders Jinja in variables, and tenants.yml comes from pull requests:
a tenant named "{{ lookup('pipe', 'id') }}" would run a command on the
runner. This script parses the file with PyYAML's safe loader (nothing is
templated or executed) and checks it against the collection's schema
(plugins/module_utils/tenants_file.py of mipconnect.zia, the same rules
reconcile.yml applies): one top-level key, mipconnect_tenants; per tenant only
the documented fields, with their types and formats; no Jinja ({{, {%, {#})
anywhere; no endpoint or TLS overrides. It needs Python 3 and PyYAML (which
Ansible brings) and the collection installed under ./collections.

    python3 check_tenants.py tenants.yml                # exit 0: safe to plan/apply
    python3 check_tenants.py --collections-path DIR tenants.yml
"""

import argparse
import importlib.util
import os
import sys

import yaml

SCHEMA = os.path.join("ansible_collections", "mipconnect", "zia", "plugins", "module_utils", "tenants_file.py")


class Vaulted(object):
    """A !vault value: accepted as an opaque secret, never read."""


class TenantsLoader(yaml.SafeLoader):
    """PyYAML's safe loader plus Ansible's !vault tag; every other tag is refused."""


TenantsLoader.add_constructor("!vault", lambda loader, node: Vaulted())


def load_schema(collections_path):
    """The schema module from the installed collection, loaded by path (it imports nothing from Ansible)."""
    path = os.path.join(collections_path, SCHEMA)
    if not os.path.isfile(path):
        sys.exit("check_tenants: %s not found: install the collection first "
                 "(ansible-galaxy collection install -r requirements.yml -p %s)" % (path, collections_path))
    spec = importlib.util.spec_from_file_location("mipconnect_tenants_file", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check a mipconnect.zia tenants file before Ansible reads it.")
    parser.add_argument("tenants_file")
    parser.add_argument("--collections-path", default="collections",
                        help="where the collection is installed (default: ./collections)")
    args = parser.parse_args(argv)
    schema = load_schema(args.collections_path)
    try:
        with open(args.tenants_file, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=TenantsLoader)  # a SafeLoader: builds no objects
    except (OSError, yaml.YAMLError) as err:
        # The YAML error names the line; the content is not echoed.
        print("%s: cannot be read as plain YAML: %s" % (args.tenants_file, getattr(err, "problem", None) or err),
              file=sys.stderr)
        return 1
    problems = schema.check_document(document)
    for problem in problems:
        print("%s: %s" % (args.tenants_file, problem), file=sys.stderr)
    if problems:
        print("%s: refused (%d problem(s)); nothing was templated or run" % (args.tenants_file, len(problems)),
              file=sys.stderr)
        return 1
    print("%s: %d tenant(s), safe to plan" % (args.tenants_file, len(document[schema.TENANTS_VARIABLE])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
