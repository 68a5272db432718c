"""The shape of `salestui.cli`: no import ring, commands loaded only when they run, the
root's listing true to each command, and `launch` on top of it all."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

import salestui
from salestui.cli import COMMANDS, cli, main
from tests.unit.conftest import Result

PACKAGE = Path(salestui.__file__).parent
CLI_MODULES = sorted(
    f"salestui.cli.{path.stem}"
    for path in (PACKAGE / "cli").glob("*.py")
    if path.stem != "__init__"
)
COMMAND_MODULES = sorted({entry.target.split(":")[0] for entry in COMMANDS.values()})


def imported_names(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside functions, with its names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_loaded(*code: str) -> set[str]:
    """The salestui modules a fresh interpreter has loaded after running `code`."""
    probe = "\n".join(
        [
            "import contextlib, io, sys",
            *code,
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('salestui'))))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return set(done.stdout.split())


@pytest.mark.parametrize("module", CLI_MODULES)
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    loaded = modules_loaded(f"import {module}")
    assert module in loaded
    assert not any(name.startswith(("salestui.tui", "salestui.launch")) for name in loaded)


def test_no_module_imports_the_root_or_another_command_module() -> None:
    """The leaf (`common`) imports nothing of the command line; the root and the command
    modules import only the leaf (the root names the others as strings, for loading
    lazily); nothing in salestui but `__main__` imports `launch`."""
    for path in (PACKAGE / "cli").glob("*.py"):
        cli_imports = {n for n in imported_names(path) if n.startswith("salestui.cli")}
        if path.stem == "common":
            assert cli_imports == set(), path
        else:
            assert {n.rsplit(".", 1)[0] for n in cli_imports} <= {"salestui.cli.common"}, path
    for path in PACKAGE.rglob("*.py"):
        if path.name not in ("__main__.py", "launch.py"):
            launch = [n for n in imported_names(path) if n.startswith("salestui.launch")]
            assert launch == [], path


def test_the_listing_is_every_command_with_its_own_short_help() -> None:
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name, entry in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=1_000) == entry.short_help, name


def test_help_and_completion_import_no_command_module() -> None:
    help_run = modules_loaded(
        "from salestui.cli import main",
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):",
        "    main(['--help'])",
    )
    assert help_run.isdisjoint(COMMAND_MODULES)
    completion = subprocess.run(
        [sys.executable, "-m", "salestui"],
        env={**os.environ, "_SALESTUI_COMPLETE": "bash_complete", "COMP_WORDS": "salestui ",
             "COMP_CWORD": "1"},
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert completion.stdout.split() == [f"plain,{name}" for name in sorted(COMMANDS)]


@pytest.mark.parametrize(
    ("words", "command_line"),
    [(["log", "call"], False), (["log", "call", "--note", "Acme"], True)],
    ids=["quick form", "with an option"],
)
def test_log_loads_only_what_a_tally_needs(
    words: list[str], command_line: bool, tmp_path: Path
) -> None:
    # sys.modules, not `-X importtime`: that does not see importlib.import_module.
    loaded = modules_loaded(
        f"sys.argv = ['salestui', '--db', {str(tmp_path / 'x.db')!r}, *{words!r}]",
        "from salestui.launch import main",
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):",
        "    main()",
        "heavy = ('click', 'textual', 'sqlite_utils', 'platformdirs')",
        "print(' '.join(name for name in heavy if name in sys.modules))",
    )
    assert "salestui.store.events" in loaded
    cli_modules = {"salestui.cli", "salestui.cli.common", "salestui.cli.counting"}
    if command_line:
        assert cli_modules <= loaded and "click" in loaded
    else:  # `salestui.quick_log` records it: no click at all
        assert not any(name.startswith("salestui.cli") for name in loaded)
        assert "click" not in loaded
    assert loaded.isdisjoint(set(COMMAND_MODULES) - {"salestui.cli.counting"})
    unwanted = ("salestui.tui", "salestui.figures", "salestui.store.portable")
    assert not [name for name in loaded if name.startswith(unwanted)]
    assert "salestui.store.backup" not in loaded
    assert not {"textual", "sqlite_utils", "platformdirs"} & loaded  # --db: no default path
    domain = {name for name in loaded if name.startswith("salestui.domain.")}
    assert domain <= {
        f"salestui.domain.{name}" for name in ("metrics", "periods", "record", "text", "when")
    }


def test_no_command_without_the_app_prints_the_help(run) -> None:  # type: ignore[no-untyped-def]
    result: Result = run()
    assert result.code == 0 and result.out.startswith("Usage: salestui")


def test_no_command_opens_the_app_launch_hands_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`salestui --db=A --db=B` is not the bare fast path: click parses it and opens the
    app through the `run_tui` that launch passes down, on the last --db given."""
    import salestui.launch as launch

    opened: list[Path] = []

    def fake_app(db: Path, clock: object) -> int:
        opened.append(db)
        return 0

    monkeypatch.setattr(launch, "run_tui", fake_app)
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    monkeypatch.setattr("sys.argv", ["salestui", f"--db={first}", f"--db={second}"])
    with pytest.raises(SystemExit) as exit_info:
        launch.main()
    assert exit_info.value.code == 0
    assert opened == [second]
    with pytest.raises(SystemExit) as exit_info:
        main([f"--db={first}"], open_app=lambda db, clock: 1)
    assert exit_info.value.code == 1
