"""Every benchmark command still starts: its arguments parse (two merged branches once declared one option twice, and
every measurement refused to start until someone ran `make bench`)."""

import importlib

import pytest

COMMANDS = ("run", "measure", "postgres", "postgres_rows", "load", "profile_page", "browser_visits", "report_pdf")


@pytest.mark.parametrize("name", COMMANDS)
def test_a_benchmark_command_parses_its_arguments(name, capsys):
    module = importlib.import_module(f"benchmarks.{name}")
    with pytest.raises(SystemExit) as stopped:
        module.main(["--help"])
    assert stopped.value.code == 0
    assert "usage:" in capsys.readouterr().out
