# mipconnect.zia developer entry points. Quick start: `make demo`, `make test`.
#
#   make test      venv + install, then every suite (sanity, units, lint, pytest,
#                  integration, molecule)
#                  with the wall time of each; exits non-zero if any failed
#   make sanity    ansible-test sanity on the built collection (no ignore files)
#   make units     ansible-test units (tests/unit) on the built collection
#   make lint      ansible-lint, production profile (.ansible-lint)
#   make pytest    pytest: tests/emulator_tests and tests/integration (-n 4, work stealing)
#   make integration  ansible-test integration (tests/integration/targets)
#                  against the local emulator, started and stopped around it
#   make molecule  molecule scenarios of the roles (localhost, against the emulator)
#   make install   build the collection and install it under build/collections
#   make demo      run playbooks/demo.yml against the local emulator
#   make venv      create .venv and install requirements, pinned by the lock file
#                  (requirements/constraints-ansible-core-*.txt; stamp-guarded)
#   make lock      refresh the lock file: the newest releases the requirement files allow
#   make audit     pip-audit over the lock file (own venv under build/); needs pypi.org
#   make ee        build the execution environment (ansible-builder on PATH)
#   make clean     remove build/ and .venv/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Resolved before PATH is changed below, so it never points into .venv.
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3)

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_DIR := $(COLLECTIONS)/ansible_collections/mipconnect/zia
# The tested set, pinned: `make venv` installs with it, `make lock` refreshes it.
CORE_SERIES := 2.19
CONSTRAINTS := requirements/constraints-ansible-core-$(CORE_SERIES).txt
LOCK_VENV := $(CURDIR)/build/lock-venv
AUDIT_VENV := $(CURDIR)/build/audit-venv
PIP_AUDIT_VERSION := 2.10.1
COLLECTION_VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
# More workers than cores: much of a test is waiting (ZIA's rate-limit pacing,
# activation and label-retrieval polls, injected timeouts), and another worker's
# CPU work fills it. Work stealing keeps the long tests from ending alone.
PYTEST_WORKERS ?= 4
PYTEST_DIST ?= worksteal
# Extra arguments per suite, e.g. make sanity SANITY_ARGS="--test pylint"
SANITY_ARGS ?=
UNITS_ARGS ?=
LINT_ARGS ?=
PYTEST_ARGS ?=
MOLECULE_ARGS ?=
INTEGRATION_ARGS ?=

# Tools (ansible-test, ansible-galaxy, ansible-playbook, ...) come from .venv.
export PATH := $(BIN):$(PATH)

.PHONY: help test venv lock audit ee install sanity units lint pytest integration molecule demo clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "python3.11 (or python3) not found" >&2; exit 1; }
	"$(PYTHON)" -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ needed, found " + sys.version'
	"$(PYTHON)" -m venv "$(VENV)"

# pip's notes about the local mirror layout ("Location ... is ignored") are noise.
PIP_QUIET_MIRROR := { grep -v "^WARNING: Location 'file:" || true; }

$(STAMP): $(BIN)/python requirements.txt test-requirements.txt $(CONSTRAINTS)
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r test-requirements.txt -c "$(CONSTRAINTS)" 2>&1 | $(PIP_QUIET_MIRROR)
	touch "$@"

venv: $(STAMP)

# A throwaway venv gets the newest releases the requirement files allow
# (ansible-core $(CORE_SERIES).*); its freeze becomes the lock file.
lock:
	rm -rf "$(LOCK_VENV)"
	"$(PYTHON)" -m venv "$(LOCK_VENV)"
	"$(LOCK_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r test-requirements.txt "ansible-core==$(CORE_SERIES).*" 2>&1 | $(PIP_QUIET_MIRROR)
	{ sed -n '/^#/p' "$(CONSTRAINTS)"; "$(LOCK_VENV)/bin/python" -m pip freeze; } > "$(CONSTRAINTS).new"
	mv "$(CONSTRAINTS).new" "$(CONSTRAINTS)"
	rm -rf "$(LOCK_VENV)"
	@echo "lock: $(CONSTRAINTS) refreshed; review the diff, then run make audit"

$(AUDIT_VENV)/bin/pip-audit:
	"$(PYTHON)" -m venv "$(AUDIT_VENV)"
	"$(AUDIT_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check \
		"pip-audit==$(PIP_AUDIT_VERSION)" 2>&1 | $(PIP_QUIET_MIRROR)

audit: $(AUDIT_VENV)/bin/pip-audit
	scripts/audit.sh run "$(AUDIT_VENV)/bin/pip-audit" "$(CONSTRAINTS)" "$(CURDIR)/build/audit-cache"

# The image is tagged with galaxy.yml's version; execution-environment.yml
# names the tarball without one.
ee: install
	@command -v ansible-builder >/dev/null || { echo "ee: ansible-builder is not on PATH" >&2; exit 1; }
	mkdir -p build/ee
	cp "build/dist/mipconnect-zia-$(COLLECTION_VERSION).tar.gz" build/ee/mipconnect-zia.tar.gz
	ansible-builder build -t "mipconnect-zia-ee:$(COLLECTION_VERSION)" -f execution-environment.yml

install: $(STAMP)
	"$(BIN)/python" scripts/build_collection.py --collections-path "$(COLLECTIONS)"

sanity: install
	scripts/run_sanity.sh "$(COLLECTION_DIR)" $(SANITY_ARGS)

units: install
	scripts/run_units.sh "$(COLLECTION_DIR)" $(UNITS_ARGS)

# ansible-lint resolves mipconnect.zia.* in playbooks from the built copy.
lint: install
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" ansible-lint $(LINT_ARGS)

pytest: install
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" scripts/run_pytest.sh -n "$(PYTEST_WORKERS)" --dist "$(PYTEST_DIST)" $(PYTEST_ARGS)

integration: install
	scripts/run_integration.sh "$(COLLECTION_DIR)" $(INTEGRATION_ARGS)

molecule: install
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" scripts/run_molecule.sh $(MOLECULE_ARGS)

demo: install
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" scripts/demo.sh

test:
	scripts/run_suites.sh "$(MAKE)"

clean:
	rm -rf build "$(VENV)"
