# mipconnect.zia developer entry points. Quick start: `make demo`, `make test`.
#
#   make test      venv + install, then every suite (sanity, units, lint, pytest,
#                  integration, molecule)
#                  with the wall time of each; exits non-zero if any failed
#   make sanity    ansible-test sanity on the built collection (no ignore files)
#   make units     ansible-test units (tests/unit) on the built collection
#   make lint      ansible-lint, production profile (.ansible-lint)
#   make pytest    pytest: tests/emulator_tests and tests/integration (-n 2)
#   make integration  ansible-test integration (tests/integration/targets)
#                  against the local emulator, started and stopped around it
#   make molecule  molecule scenarios of the roles (localhost, against the emulator)
#   make install   build the collection and install it under build/collections
#   make demo      run playbooks/demo.yml against the local emulator
#   make venv      create .venv and install requirements (stamp-guarded)
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
PYTEST_WORKERS ?= 2
# Extra arguments per suite, e.g. make sanity SANITY_ARGS="--test pylint"
SANITY_ARGS ?=
UNITS_ARGS ?=
LINT_ARGS ?=
PYTEST_ARGS ?=
MOLECULE_ARGS ?=
INTEGRATION_ARGS ?=

# Tools (ansible-test, ansible-galaxy, ansible-playbook, ...) come from .venv.
export PATH := $(BIN):$(PATH)

.PHONY: help test venv install sanity units lint pytest integration molecule demo clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "python3.11 (or python3) not found" >&2; exit 1; }
	"$(PYTHON)" -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ needed, found " + sys.version'
	"$(PYTHON)" -m venv "$(VENV)"

# pip's notes about the local mirror layout ("Location ... is ignored") are noise.
$(STAMP): $(BIN)/python requirements.txt test-requirements.txt
	"$(BIN)/python" -m pip install --quiet --disable-pip-version-check \
		-r requirements.txt -r test-requirements.txt 2>&1 \
		| { grep -v "^WARNING: Location 'file:" || true; }
	touch "$@"

venv: $(STAMP)

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
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" scripts/run_pytest.sh -n "$(PYTEST_WORKERS)" $(PYTEST_ARGS)

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
