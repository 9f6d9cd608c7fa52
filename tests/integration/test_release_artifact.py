"""What ships in the collection tarball that `make install` built (build/dist)."""

import glob
import os
import tarfile

from conftest import REPO_ROOT


def shipped_names():
    tarballs = glob.glob(os.path.join(REPO_ROOT, "build", "dist", "mipconnect-zia-*.tar.gz"))
    assert len(tarballs) == 1, "run `make install` first (found %s)" % tarballs
    with tarfile.open(tarballs[0]) as tarball:
        return [member.name for member in tarball.getmembers()]


def test_nothing_that_cannot_run_or_is_not_ours_ships():
    names = shipped_names()
    assert "plugins/modules/mip_labels_export.py" in names
    # The demo needs the emulator, which stays in the repository; molecule's folder would ship empty.
    assert "playbooks/demo.yml" not in names
    assert not [name for name in names if name == "extensions" or name.startswith("extensions/")]
    # Unit-test fixtures are data we own (ids, permission tables), never copies of vendors' pages.
    fixtures = [name for name in names if name.startswith("tests/unit/") and "/fixtures/" in name
                and not name.endswith("/")]
    assert fixtures and all(name.endswith(".json") for name in fixtures), fixtures
