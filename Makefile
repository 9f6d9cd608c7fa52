# mipconnect.zia developer entry points. Quick start: `make demo`, `make test`.
#
#   make test      venv + install, then every suite (sanity, units, lint, pytest,
#                  integration, molecule, importer, and the matrix's lowest and
#                  highest ansible-core)
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
#   make matrix    sanity, units and onboard_mip.yml (twice, against the emulator) on
#                  every ansible-core series of MATRIX, a venv each under build/matrix/
#   make importer  galaxy-importer on the built tarball, as Galaxy / Automation Hub
#                  run it, with the rule that the version is 1.0.0 or later
#   make docs      the docs site (antsibull-docs + Sphinx) in build/docs/build/html
#   make venv      create .venv and install requirements, pinned by the lock file
#                  (requirements/constraints-ansible-core-2.19.txt; stamp-guarded)
#   make lock      refresh the lock files: the newest releases the requirement files allow
#   make audit     pip-audit over the lock files (own venv under build/); needs pypi.org
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
# The ansible-core series `make matrix` runs (scripts/matrix.sh says which
# Python each takes); `make test` runs the first and the last.
MATRIX := 2.16 2.18 2.20 2.21
MATRIX_ENDS := $(firstword $(MATRIX)) $(lastword $(MATRIX))
export MAIN_SERIES := $(CORE_SERIES)
COLLECTION_TARBALL = build/dist/mipconnect-zia-$(COLLECTION_VERSION).tar.gz
DOCS_VENV := $(CURDIR)/build/docs-venv
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

.PHONY: help test venv lock audit ee install sanity units lint pytest integration molecule demo clean \
	matrix matrix-ends importer docs

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

# Throwaway venvs get the newest releases the requirement files allow
# (ansible-core <series>.* each); their freeze becomes the lock files.
lock:
	scripts/matrix.sh lock $(CORE_SERIES) $(MATRIX)
	@echo "lock: review the diff, then run make audit"

$(AUDIT_VENV)/bin/pip-audit:
	"$(PYTHON)" -m venv "$(AUDIT_VENV)"
	"$(AUDIT_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check \
		"pip-audit==$(PIP_AUDIT_VERSION)" 2>&1 | $(PIP_QUIET_MIRROR)

audit: $(AUDIT_VENV)/bin/pip-audit
	for lockfile in requirements/constraints-ansible-core-*.txt; do \
		scripts/audit.sh run "$(AUDIT_VENV)/bin/pip-audit" "$$lockfile" "$(CURDIR)/build/audit-cache"; \
	done

# The image is tagged with galaxy.yml's version; execution-environment.yml
# names the tarball without one.
ee: install
	@command -v ansible-builder >/dev/null || { echo "ee: ansible-builder is not on PATH" >&2; exit 1; }
	mkdir -p build/ee
	cp "$(COLLECTION_TARBALL)" build/ee/mipconnect-zia.tar.gz
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

# Each series in its own venv: needs neither .venv nor `make install`.
matrix:
	scripts/matrix.sh run $(MATRIX)

matrix-ends:
	scripts/matrix.sh run $(MATRIX_ENDS)

# galaxy-importer.cfg switches on the rules of a certified upload, among them
# require_v1_or_greater: a version below 1.0.0 fails.
importer: install
	scripts/run_importer.sh "$(COLLECTION_TARBALL)"

# Not part of `make test` (Sphinx is slow and heavy): its own venv, with
# .venv's ansible-core; the rest floats (the test lock's docutils would hold
# Sphinx back at releases that no longer import).
$(DOCS_VENV)/.stamp: requirements/docs.txt $(CONSTRAINTS)
	rm -rf "$(DOCS_VENV)"
	"$(PYTHON)" -m venv "$(DOCS_VENV)"
	"$(DOCS_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r requirements/docs.txt "$$(grep '^ansible-core==' "$(CONSTRAINTS)")" 2>&1 | $(PIP_QUIET_MIRROR)
	touch "$@"

docs: install $(DOCS_VENV)/.stamp
	PATH="$(DOCS_VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" scripts/build_docs.sh

test:
	scripts/run_suites.sh "$(MAKE)"

clean:
	rm -rf build "$(VENV)"
