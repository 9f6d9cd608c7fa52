# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A ZIA MIP account brought to a desired state, and the account as modules show it.

The public entry to the MIP account reconciler, which lives by concern in the
collection's internal ``_mip_account`` package (its README.md says which file holds what).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.reconciler import MipAccountReconciler
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.spec import DEFAULTS, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.status import (
    describe,
    label_retrieval_of,
    portal_status,
    portal_word,
    raw_of,
)

__all__ = ("DEFAULTS", "MipAccountReconciler", "MipAccountSpec", "describe", "label_retrieval_of", "portal_status",
           "portal_word", "raw_of")
