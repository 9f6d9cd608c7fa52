# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connector's client secrets: added, rotated, removed, never lost.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import secret_rotation
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.state import ConnectorState
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.times import iso, parse_time
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError

# Tag on the application while a client secret is being added, followed by the
# time it was set (see SecretSteps.ensure_secret).
SECRET_IN_FLIGHT_TAG = "mipconnect.zia:secret-in-flight:"
SECRET_START_LEAD_SECONDS = 60


def secret_in_flight_since(app):
    """The earliest time in the application's secret-in-flight markers, or None when it has none.

    A marker whose time cannot be read counts as present but later than any secret: it is
    cleared, and no secret is taken for undelivered on its account."""
    never = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    times = []
    for tag in (app or {}).get("tags") or []:
        if tag.startswith(SECRET_IN_FLIGHT_TAG):
            try:
                times.append(parse_time(tag[len(SECRET_IN_FLIGHT_TAG):]) or never)
            except ValueError:
                times.append(never)
    return min(times) if times else None


class SecretSteps(ConnectorState):
    """Client secrets by the rotation policy, with the in-flight marker that finds an undelivered one."""

    def ensure_secret(self):
        """Add a client secret when the rotation policy asks; remove old ones only when told to.

        A secret's value exists only in the answer to addPassword. If that answer
        is lost (read timeout, the process killed), Entra keeps a secret nobody
        holds, which a re-run would count as ours and never replace. So, just
        before addPassword, the application gets a tag "secret-in-flight:<time>",
        removed once addPassword has answered. A run that finds the tag knows
        that our secrets started at or after its time were never delivered: it
        removes them and decides afresh whether a new secret is needed (with
        rotate=never and no other secret of ours: yes, and returns it).
        The tag is cleared after the removal of old secrets, the last write, so
        a failure there also leaves the new secret marked as undelivered.
        The secret is created with the marker's time as its startDateTime, so
        the comparison does not depend on our clock agreeing with Entra's.
        What is left: a kill between the clearing PATCH and the module's exit.
        """
        spec = self.spec
        if spec.lease_owner is not None and not self.check_mode:
            self._check_secret_lease()  # under a lease, decide on the tags as they are now
        self._remove_undelivered_secrets()
        ours = self._our_secrets()
        added = None
        if spec.create_secret and self._needs_new_secret(ours):
            end = self.now + datetime.timedelta(days=spec.secret_expires_in_days)
            body = {"passwordCredential": {"displayName": spec.secret_description, "endDateTime": iso(end)}}
            created = self.recorder.write("add client secret '%s' expiring %s" % (spec.secret_description, iso(end)),
                                          lambda: self._add_password(body))
            if created:
                added = created
                created = dict(created, secretText=None)
            else:
                created = {"keyId": None, "displayName": spec.secret_description, "endDateTime": iso(end),
                           "startDateTime": iso(self.now)}
            self.app.setdefault("passwordCredentials", []).append(created)
            ours.append(created)
        elif secret_in_flight_since(self.app) is not None:
            tags = self._tags_without_marker()
            self._change("clear the secret-in-flight tag of an interrupted run",
                         lambda: self.graph.patch("/applications/%s" % self.app["id"], {"tags": tags}))
            self.app["tags"] = tags
        try:
            if spec.remove_old_secrets_after is not None:
                self._remove_old_secrets(ours)
            if added is not None:
                # Clearing the marker finishes the recorded "add client secret" change (as setting it
                # began it, in _add_password): no change of its own, and never in check mode.
                tags = self._tags_without_marker()
                self._replicated(lambda: self.graph.patch("/applications/%s" % self.app["id"], {"tags": tags}))
                self.app["tags"] = tags
        except MipConnectError as err:
            if added is not None:
                # Returning the secret now would let the next run remove it as undelivered.
                lost = ("The new client secret %s was created but could not be marked as delivered, so it is not "
                        "returned; the next run removes it and adds another." % added.get("keyId"))
                err.hint = "%s %s" % (err.hint, lost) if err.hint else lost
            raise
        if added is not None:
            self.new_secret = added.get("secretText")
        return [
            {"key_id": c.get("keyId"), "description": c.get("displayName"), "hint": c.get("hint"),
             "start": c.get("startDateTime"), "expires": c.get("endDateTime")}
            for c in self.app.get("passwordCredentials") or []
        ]

    def _our_secrets(self):
        return [c for c in (self.app or {}).get("passwordCredentials") or []
                if c.get("displayName") == self.spec.secret_description]

    def _undelivered_secrets(self):
        """Our secrets added by a run that never received them (see ensure_secret)."""
        since = secret_in_flight_since(self.app)
        if since is None:
            return []
        undelivered = []
        for credential in self._our_secrets():
            start = parse_time(credential.get("startDateTime"))
            if start is not None and start >= since:
                undelivered.append(credential)
        return undelivered

    def _remove_undelivered_secrets(self):
        for credential in self._undelivered_secrets():
            key_id = credential.get("keyId")
            self._secret_change("remove client secret %s added by an interrupted run (its value was never "
                                "delivered)" % key_id,
                                lambda k=key_id: self.graph.post("/applications/%s/removePassword" % self.app["id"],
                                                                 {"keyId": k}))
            self.app["passwordCredentials"] = [c for c in self.app["passwordCredentials"] if c is not credential]

    def _tags_without_marker(self):
        return [t for t in self.app.get("tags") or [] if not t.startswith(SECRET_IN_FLIGHT_TAG)]

    def _add_password(self, body):
        """Mark a secret in flight, then add it; returns addPassword's answer. ensure_secret clears the mark.

        The secret is asked to start at the marker's own time, a minute back: the two
        then compare equal whatever the skew between our clock and Entra's, and the
        secret works at once unless our clock runs more than a minute ahead."""
        self._check_secret_lease()
        app_path = "/applications/%s" % self.app["id"]
        since = iso(self.now - datetime.timedelta(seconds=SECRET_START_LEAD_SECONDS))
        body = {"passwordCredential": dict(body["passwordCredential"], startDateTime=since)}
        marked = self._tags_without_marker() + [SECRET_IN_FLIGHT_TAG + since]
        self._replicated(lambda: self.graph.patch(app_path, {"tags": marked}))
        self.app["tags"] = marked
        return self._replicated(lambda: self.graph.post(app_path + "/addPassword", body))

    def _refuse_to_print_a_new_secret(self):
        """A new secret is returned in the result, which Ansible prints unless the task has no_log.
        Refuse before any write rather than let the secret reach a log."""
        if self.check_mode or self.secret_output_allowed or not self.spec.create_secret:
            return
        undelivered = self._undelivered_secrets()
        if self._needs_new_secret([c for c in self._our_secrets() if c not in undelivered]):
            raise InputError("no_log", "this run would create a client secret and return it; set 'no_log: true' on "
                                       "the task (register the result to use client_secret) so the secret does not "
                                       "reach the output. Nothing was changed.")

    def _needs_new_secret(self, ours):
        spec = self.spec
        if spec.rotate == "always":
            return True
        if spec.rotate == "never":
            return not ours
        return not ours or secret_rotation.expiring([c.get("endDateTime") for c in ours], self.now,
                                                    spec.rotate_before_days)

    def _remove_old_secrets(self, ours):
        """Remove our secrets other than the newest, once the newest has served long enough.

        With 0 days this happens in the same run that adds the new secret: use
        that only once the new secret is stored and validated elsewhere.
        """
        if len(ours) < 2:
            return
        newest = max(ours, key=lambda c: c.get("startDateTime") or "")
        served = self.now - (parse_time(newest.get("startDateTime")) or self.now)
        if served < datetime.timedelta(days=self.spec.remove_old_secrets_after):
            return
        for old in [c for c in ours if c is not newest]:
            key_id = old.get("keyId")
            self._secret_change("remove client secret %s (expires %s)" % (key_id, old.get("endDateTime")),
                                lambda k=key_id: self.graph.post("/applications/%s/removePassword" % self.app["id"],
                                                                 {"keyId": k}))
            self.app["passwordCredentials"] = [c for c in self.app["passwordCredentials"] if c is not old]
