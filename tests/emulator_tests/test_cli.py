"""`python -m emulator` as `make demo` runs it: info file once listening, clean exit on SIGTERM/SIGINT."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

TESTS_DIR = Path(__file__).resolve().parents[1]


def wait_for(path, process, timeout=15):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "emulator did not write its info file"
        time.sleep(0.05)
    return json.loads(path.read_text())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(tmp_path, signum):
    info_file = tmp_path / "emulator.json"
    env = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--info-file", str(info_file)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = wait_for(info_file, process)
        assert info["pid"] == process.pid
        assert info["url"] == f"https://127.0.0.1:{info['port']}"
        created = requests.post(f"{info['url']}/_emulator/tenants", verify=info["ca_file"], timeout=10)
        assert created.status_code == 201
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "listening on" in stdout
    assert not Path(info["ca_file"]).exists()
