# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures the module_utils unit tests share."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import tempfile

import pytest


@pytest.fixture
def private_tmp(monkeypatch, tmp_path):
    """The temp dir of this test alone: the token cache and ZIA's rate limit windows live there."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path
