# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.labels.export import LabelExport

FORMULAS = ['=HYPERLINK("https://evil.example","Open")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tTabbed",
            "\rReturned"]


def export(tmp_path, records, **options):
    csv_path, json_path = str(tmp_path / "labels.csv"), str(tmp_path / "labels.json")
    writer = LabelExport(csv_path, json_path, **options)
    for record in records:
        writer.add(dict(record))
    changed = writer.finish()
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(json_path, encoding="utf-8") as handle:
        return rows, json.load(handle), changed, writer.diff()


@pytest.mark.parametrize("text", FORMULAS)
def test_cells_that_start_a_formula_get_a_quote_json_stays_exact(tmp_path, text):
    rows, records, _changed, _diff = export(tmp_path, [{"name": text, "description": text, "tooltip": text,
                                                        "priority": -1}])
    assert rows[0]["Label Name"] == rows[0]["Description"] == rows[0]["Tooltip"] == "'" + text
    assert rows[0]["Priority"] == "-1"  # a number is not text a spreadsheet would run
    assert records[0]["name"] == records[0]["description"] == records[0]["tooltip"] == text


def test_plain_text_is_written_as_is_and_the_escape_can_be_turned_off(tmp_path):
    rows, _records, _changed, _diff = export(tmp_path, [{"name": "Confidential - Finance"}] +
                                             [{"name": text} for text in FORMULAS], escape_formulas=False)
    assert [row["Label Name"] for row in rows] == ["Confidential - Finance"] + FORMULAS


def test_diff_tells_each_file_before_and_after(tmp_path):
    _rows, _records, changed, diff = export(tmp_path, [{"name": "Public"}])
    assert all(changed.values())
    assert set(diff["before"].values()) == {None}
    assert {entry["mode"] for entry in diff["after"].values()} == {"0640"}
    _rows, _records, changed, again = export(tmp_path, [{"name": "Public"}])
    assert not any(changed.values())
    assert again["before"] == again["after"] == diff["after"]
