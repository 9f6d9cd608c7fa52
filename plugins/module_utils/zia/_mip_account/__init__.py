# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MIP account reconciler, one file per concern.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.mip_account``, not this package; names here may change without notice.

=============  ==========================================================
file           concern
=============  ==========================================================
status.py      ZIA's status words, the portal's, and the account as shown
spec.py        the desired state, from the module's options
state.py       what the steps share; finding the account
writes.py      creating and updating the account
waiting.py     activation, and waiting for wait_for
reconciler.py  the steps in order: present() and absent()
=============  ==========================================================
"""
