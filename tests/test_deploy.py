"""The files of deploy/ are read by the tools that will run them: systemd's own verifier and
nginx's configuration test, on copies whose paths point at this checkout. Without systemd-analyze
or nginx the tests skip, except in CI (GRANTS_REQUIRE_BROWSER=1), which installs both."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted(p.name for p in DEPLOY.iterdir() if p.suffix in (".service", ".timer"))


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        if os.environ.get("GRANTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{name} is needed to check deploy/ (Debian: apt-get install nginx-light)")
        pytest.skip(f"{name} is not installed")
    return path


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def test_every_unit_is_valid_for_systemd(tmp_path):
    tool = _tool("systemd-analyze")
    venv = Path(sys.prefix)
    (tmp_path / "grants.env").write_text("GRANTS_ENV=production\n")
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        text = (text.replace("/srv/grants/.venv", str(venv)).replace("/srv/grants", str(ROOT))
                .replace("/etc/grants/grants.env", str(tmp_path / "grants.env"))
                .replace("/var/backups/grants", str(tmp_path / "backups")))
        (tmp_path / name).write_text(text)
    assert {"grants-web.service", "grants-worker.service", "grants-backup.service",
            "grants-backup.timer"} <= set(UNITS)
    result = _run(tool, "verify", "--man=no", *(str(tmp_path / n) for n in UNITS))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    # The commands the units start are this project's.
    for name, command in (("grants-worker.service", "jobs-worker"),
                          ("grants-backup.service", "backup --output")):
        assert command in (DEPLOY / name).read_text()


def test_the_backup_timer_fires_every_night():
    tool = _tool("systemd-analyze")
    line = next(line for line in (DEPLOY / "grants-backup.timer").read_text().splitlines()
                if line.startswith("OnCalendar="))
    result = _run(tool, "calendar", line.split("=", 1)[1])
    assert result.returncode == 0, result.stderr
    assert "Normalized form: *-*-* 02:30:00" in result.stdout


def test_the_nginx_site_passes_nginx_own_test(tmp_path):
    tool = _tool("nginx")
    openssl = _tool("openssl")
    made = _run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=grants.test", "-keyout", str(tmp_path / "key.pem"),
                "-out", str(tmp_path / "cert.pem"))
    assert made.returncode == 0, made.stderr
    site = (DEPLOY / "nginx-grants.conf").read_text()
    assert "client_max_body_size" in site and "ssl_certificate " in site
    site = (site.replace("/etc/ssl/grants/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/grants/privkey.pem", str(tmp_path / "key.pem"))
            .replace("/var/log/nginx/", f"{tmp_path}/").replace("/srv/grants", str(ROOT)))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"events {{}}\nhttp {{\n  include {tmp_path}/site.conf;\n}}\n")
    result = _run(tool, "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log"),
                  "-g", f"pid {tmp_path}/nginx.pid;")
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
