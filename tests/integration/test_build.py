"""What the build produces: one exported symbol, hardened linking."""
import os
import subprocess

from conftest import ROOT

MODULE = os.path.join(ROOT, ".libs", "mod_tierslieux.so")


def test_only_the_module_record_is_exported():
    out = subprocess.run(["nm", "-D", "--defined-only", MODULE], capture_output=True, text=True, check=True)
    symbols = [line.split()[-1] for line in out.stdout.splitlines()]
    assert symbols == ["tierslieux_module"]


def test_hardened_linking():
    dynamic = subprocess.run(["readelf", "-d", MODULE], capture_output=True, text=True, check=True).stdout
    program = subprocess.run(["readelf", "-lW", MODULE], capture_output=True, text=True, check=True).stdout
    assert "BIND_NOW" in dynamic                      # full RELRO
    assert "GNU_RELRO" in program
    stack = [line for line in program.splitlines() if "GNU_STACK" in line][0]
    assert "RWE" not in stack                          # no executable stack
    objdump = subprocess.run(["objdump", "-d", MODULE], capture_output=True, text=True, check=True).stdout
    assert "__stack_chk_fail" in objdump               # -fstack-protector-strong


def test_the_mail_command_is_hardened_and_knows_nothing_of_httpd():
    command = os.path.join(ROOT, "tools", "tierslieux-courriels")
    dynamic = subprocess.run(["readelf", "-d", command], capture_output=True, text=True, check=True).stdout
    header = subprocess.run(["readelf", "-h", command], capture_output=True, text=True, check=True).stdout
    assert "BIND_NOW" in dynamic and "DYN" in header                       # full RELRO, PIE
    needed = [line for line in dynamic.splitlines() if "NEEDED" in line]
    assert any("libpq" in line for line in needed)
    assert not any("apache" in line or "httpd" in line for line in needed)
