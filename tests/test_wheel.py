"""What `pip install` gets: the wheel built from this tree, offline, as a packager builds it.

It carries the product (the worker, its packages, the consent languages and form
templates, the offline rehearsal) and none of the test doubles (the call harness, the fake
audio): those live in `tests/`, beside the tests that use them. Installed on its own,
away from this checkout, the product imports and its operator commands run.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SHIPPED = ("tests", "benchmarks")
# offline: with this virtualenv's setuptools (pinned in the dev extras), nothing downloaded
PIP = (sys.executable, "-m", "pip", "--no-input", "--quiet")
TEST_DOUBLES = ("tests/harness.py", "tests/fakes/audio.py", "tests/fakes/audio_call.py")
# where the test doubles used to be: a wheel with any of these ships test code again
FORMER_HOMES = ("offline/harness.py", "offline/audio.py", "offline/audio_call.py")


def _source_tree(directory: str, names: list[str]) -> set[str]:
    """What a fresh checkout holds: no virtualenv, VCS, caches, databases or build output."""
    top = Path(directory) == ROOT
    return {
        n
        for n in names
        if n == "__pycache__"
        or n.endswith((".egg-info", ".db", ".db-wal", ".db-shm"))
        or (top and (n.startswith(".") or n in ("build", "dist", "data")))
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Build the wheel from a copy of the tree (setuptools would reuse a stale build/)."""
    work = tmp_path_factory.mktemp("wheel")
    tree, out = work / "tree", work / "dist"
    shutil.copytree(ROOT, tree, ignore=_source_tree)
    built = subprocess.run(
        [
            *PIP,
            "wheel",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(tree),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    [path] = out.glob("*.whl")
    return zipfile.ZipFile(path)


def _modules(wheel: zipfile.ZipFile) -> dict[str, ast.Module]:
    return {n: ast.parse(wheel.read(n)) for n in wheel.namelist() if n.endswith(".py")}


def _imported(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def _defined(module: ast.Module) -> set[str]:
    return {
        node.name
        for node in module.body
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_the_wheel_ships_no_test_double(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert [n for n in names if n.split("/")[0] in NOT_SHIPPED] == []
    assert [n for n in names if n in FORMER_HOMES] == []

    # under any file name: the doubles' classes and call drivers are defined nowhere shipped
    doubles: set[str] = {"offline_call", "audio_call"}
    for path in TEST_DOUBLES:
        tree = ast.parse((ROOT / path).read_text())
        doubles |= {
            n.name for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")
        }
    assert {"CallerMic", "Speaker", "ScriptedSTT", "ScriptedVoice", "LoudnessVAD"} <= doubles
    shipped = _modules(wheel)
    assert {n: _defined(m) & doubles for n, m in shipped.items() if _defined(m) & doubles} == {}

    # nothing shipped leans on them: an import of tests/ would fail once installed
    leaning = {
        n: sorted(i for i in _imported(m) if i.split(".")[0] in NOT_SHIPPED)
        for n, m in shipped.items()
    }
    assert {n: i for n, i in leaning.items() if i} == {}


def test_the_wheel_ships_every_product_module_and_data_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    packages = [
        d
        for d in sorted(ROOT.iterdir())
        if (d / "__init__.py").is_file() and d.name not in NOT_SHIPPED
    ]
    assert {"agents", "call", "consent", "forms", "offline", "store"} <= {d.name for d in packages}
    needed = {"agent.py"}
    for package in packages:
        needed |= {
            p.relative_to(ROOT).as_posix()
            for p in package.rglob("*.py")
            if "__pycache__" not in p.parts
        }
    languages = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "consent/languages").glob("*.yaml")
    }
    templates = {p.relative_to(ROOT).as_posix() for p in (ROOT / "forms/templates").glob("*.yaml")}
    assert "consent/languages/en.yaml" in languages
    assert "forms/templates/patient_intake.yaml" in templates
    # the rehearsal `python agent.py console` runs without credentials
    assert {"offline/rehearsal.py", "offline/scripted_llm.py", "offline/console_view.py"} <= needed
    assert sorted((needed | languages | templates) - names) == []


@pytest.fixture(scope="module")
def installed(wheel: zipfile.ZipFile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (its dependencies: this virtualenv's)."""
    site = tmp_path_factory.mktemp("site").resolve()
    done = subprocess.run(
        [*PIP, "install", "--no-index", "--no-deps", "--target", str(site), str(wheel.filename)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return site


def _run_installed(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command run away from this checkout: it sees the installed wheel, not the tree."""
    elsewhere = site.parent / f"{site.name}-cwd"
    elsewhere.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, *args],
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_installed_wheel_validates_its_own_form_templates(installed: Path) -> None:
    done = _run_installed(installed, "-m", "forms", "validate")
    assert done.returncode == 0, done.stderr[-3000:]
    for template in (ROOT / "forms/templates").glob("*.yaml"):
        assert f"ok  {installed / 'forms/templates' / template.name}:" in done.stdout


def test_the_installed_worker_imports_and_rehearses_without_the_tests(installed: Path) -> None:
    check = textwrap.dedent(
        f"""
        import importlib.util
        import sys
        from pathlib import Path

        import agent
        from consent.language import available, load_language

        site = Path({str(installed)!r})
        assert Path(agent.__file__).resolve().parent == site, agent.__file__
        assert importlib.util.find_spec("tests") is None, "the test folder is on the path"
        print("languages", *available())
        for code in available():
            load_language(code)
        assert agent.rehearsal()
        print("model", agent.call_models(agent.settings()).llm.model)

        # this virtualenv's editable install would quietly fill gaps from the checkout
        checkout = Path({str(ROOT)!r})
        def from_the_checkout(file):
            parents = Path(file or "/").resolve().parents
            return checkout in parents and Path(sys.prefix).resolve() not in parents

        from_checkout = sorted(
            name
            for name, module in list(sys.modules.items())
            if from_the_checkout(getattr(module, "__file__", None))
        )
        assert not from_checkout, f"not in the wheel, taken from the checkout: {{from_checkout}}"
        """
    )
    done = _run_installed(installed, "-c", check)
    assert done.returncode == 0, done.stderr[-3000:]
    codes = sorted(p.stem for p in (ROOT / "consent/languages").glob("*.yaml"))
    assert f"languages {' '.join(codes)}\n" in done.stdout
    assert "model rehearsal\n" in done.stdout
