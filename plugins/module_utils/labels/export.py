# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streamed, atomic, idempotent export files (CSV and JSON).

Rows are written as they arrive, so exporting 10,000 labels needs no more
memory than exporting ten. The content is hashed while it is written: an
unchanged file is left alone (``changed: false``) unless its mode is not
0640, which is then set (``changed: true``); a changed one is replaced
atomically by rename. In check mode nothing touches the disk; only the hash
is computed to tell whether the file would change.

CSV cells that a spreadsheet would run as a formula (they begin with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) get a leading single quote by
default, as OWASP recommends against CSV injection: label names, descriptions
and tooltips are written by a tenant's admins, not by whoever opens the file.
JSON files keep every value exactly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import hashlib
import json
import os
import stat
import tempfile

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

FILE_MODE = 0o640
# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    ("Account Name", "account"),
    ("Label Name", "name"),
    ("Label ID", "id"),
    ("Parent Label", "parent_name"),
    ("Parent Label ID", "parent_id"),
    ("Priority", "priority"),
    ("Active", "active"),
    ("Appliable", "appliable"),
    ("Content Formats", "content_formats"),
    ("Has Protection", "has_protection"),
    ("Color", "color"),
    ("Description", "description"),
    ("Tooltip", "tooltip"),
    ("Source", "source"),
)


def check_path(option, path):
    """Refuse a path we could not write, before any remote call."""
    if path is None:
        return None
    directory = os.path.dirname(os.path.abspath(path)) or "."
    if os.path.isdir(path):
        raise InputError(option, "%s is a directory; give a file path." % path)
    if not os.path.isdir(directory):
        raise InputError(option, "directory %s does not exist." % directory)
    if not os.access(directory, os.W_OK):
        raise InputError(option, "directory %s is not writable." % directory)
    if os.path.exists(path) and not os.access(path, os.R_OK | os.W_OK):
        raise InputError(option, "%s exists but cannot be read and written." % path)
    return path


class _HashingSink:
    """A text stream that hashes what it is given and, unless dry, writes it to a temp file."""

    def __init__(self, path, dry):
        self.path = path
        self.hash = hashlib.sha256()
        self._tmp = None
        self._handle = None
        self.before = self.after = None
        if not dry:
            fd, self._tmp = tempfile.mkstemp(prefix=".mipconnect-", dir=os.path.dirname(os.path.abspath(path)))
            self._handle = os.fdopen(fd, "wb")

    def write(self, text):
        data = text.encode("utf-8")
        self.hash.update(data)
        if self._handle is not None:
            self._handle.write(data)

    def commit(self):
        """Replace the file when the content differs, set its mode to FILE_MODE when that differs;
        return whether either did (or would). ``before`` and ``after`` describe the file for --diff."""
        old_hash = _file_hash(self.path)
        self.before = {"sha256": old_hash, "mode": "%04o" % _file_mode(self.path)} if old_hash else None
        self.after = {"sha256": self.hash.hexdigest(), "mode": "%04o" % FILE_MODE}
        content_changed = old_hash != self.hash.hexdigest()
        mode_changed = not content_changed and _file_mode(self.path) != FILE_MODE
        if self._handle is None:
            return content_changed or mode_changed
        self._handle.close()
        if content_changed:
            os.chmod(self._tmp, FILE_MODE)
            os.rename(self._tmp, self.path)
        else:
            os.unlink(self._tmp)
            if mode_changed:
                os.chmod(self.path, FILE_MODE)
        return content_changed or mode_changed

    def discard(self):
        if self._handle is not None:
            self._handle.close()
            if os.path.exists(self._tmp):
                os.unlink(self._tmp)


def _file_mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _file_hash(path):
    if not os.path.exists(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def _cell(value, escape_formulas=True):
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if escape_formulas and isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class LabelExport:
    """Writes labels to a CSV and/or a JSON file as they stream past."""

    def __init__(self, csv_path=None, json_path=None, check_mode=False, escape_formulas=True):
        self._escape_formulas = escape_formulas
        self._csv = _HashingSink(csv_path, check_mode) if csv_path else None
        self._json = _HashingSink(json_path, check_mode) if json_path else None
        self._csv_writer = None
        self._json_count = 0
        if self._csv:
            # UTF-8 with a header; \r\n line ends as RFC 4180 and spreadsheet tools expect.
            self._csv_writer = csv.writer(self._csv, lineterminator="\r\n")
            self._csv_writer.writerow([title for title, _key in CSV_COLUMNS])
        if self._json:
            self._json.write("[")

    def add(self, record):
        if self._csv_writer:
            self._csv_writer.writerow([_cell(record.get(key), self._escape_formulas) for _title, key in CSV_COLUMNS])
        if self._json:
            self._json.write(("," if self._json_count else "") + "\n  " + json.dumps(record, sort_keys=True))
            self._json_count += 1

    def finish(self):
        """Commit both files; return {path: changed}."""
        results = {}
        if self._json:
            self._json.write("\n]\n" if self._json_count else "]\n")
        for sink in (self._csv, self._json):
            if sink:
                results[sink.path] = sink.commit()
        return results

    def diff(self):
        """{before, after} of each committed file: its SHA-256 and mode (None when it did not exist)."""
        sinks = [sink for sink in (self._csv, self._json) if sink]
        return {"before": dict((sink.path, sink.before) for sink in sinks),
                "after": dict((sink.path, sink.after) for sink in sinks)}

    def abort(self):
        for sink in (self._csv, self._json):
            if sink:
                sink.discard()
