# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one record of what a run changed, shared by the reconcilers.

Every remote (or file) write of a reconciler goes through ``ChangeRecorder.write``:
in check mode it is recorded and not carried out, so check mode predicts the
changes a real run makes and sends only reads; otherwise it is recorded once it
went through, so a run whose writes all failed changed nothing. A failure leaves
with ``partial_result()``: what was done before it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError


class ChangeRecorder:
    """The changes of one run (sentences a person reads), and whether the run only plans them."""

    def __init__(self, check_mode):
        self.check_mode = check_mode
        self.changes = []

    @property
    def changed(self):
        return bool(self.changes)

    def write(self, description, write, outcome=None):
        """Carry out ``write()`` unless in check mode, and record ``description`` once it went through.

        ``outcome(result)``, when given, says what the write turned out to do (a sentence), or None
        to keep ``description``: an upsert may find the object there and update it instead.
        Returns write()'s result, or None in check mode."""
        if self.check_mode:
            self.changes.append(description)
            return None
        result = write()
        self.changes.append((outcome(result) if outcome is not None else None) or description)
        return result

    def send(self, description, write):
        """Record ``description``, then carry out ``write()`` unless in check mode.

        For a write that takes effect once sent even when waiting for its end fails (a ZIA
        activation): it counts as done from the moment it leaves."""
        self.changes.append(description)
        return None if self.check_mode else write()

    def partial_result(self, **extra):
        """What the run did so far, for a failure's result: ``changed``, ``changes`` and ``extra``."""
        result = {"changed": self.changed, "changes": list(self.changes)}
        result.update(extra)
        return result


class RecordedRun:
    """A reconciler whose writes go through its ``recorder`` (a ChangeRecorder)."""

    recorder = None

    @property
    def check_mode(self):
        return self.recorder.check_mode

    @property
    def changes(self):
        return self.recorder.changes

    def partial_result(self):
        """What this run did before it failed."""
        return self.recorder.partial_result()


def failing_with_partial_result(step):
    """Decorate a RecordedRun's step: an error it raises carries the run's ``partial_result()``."""

    @functools.wraps(step)
    def run(self, *args, **kwargs):
        try:
            return step(self, *args, **kwargs)
        except MipConnectError as err:
            raise err.with_partial_result(self.partial_result())

    return run
