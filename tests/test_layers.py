"""Imports flow one way: each top-level package imports only packages of lower layers.

The layers, bottom to top (README, "Layout"): a package placed nowhere, an import cycle,
or an import that reaches up a layer fails here, with the module that does it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS: list[set[str]] = [
    {"consent", "store", "logsafe"},  # definitions and records: no LiveKit import
    {"forms"},  # forms (no LiveKit import): a form's payload schema is the call record's
    {"config"},  # settings, validating the definitions they name
    {"pipeline", "delivery", "ops"},  # models; the outbox sender; the operator CLI
    {"call"},  # one call: services, outcome, record
    {"telephony", "tasks"},  # the phone line; consent and form tasks
    {"agents", "offline"},  # the agents; the offline rehearsal
]
NOT_PACKAGES = {"tests", "benchmarks", ".venv"}


def _packages() -> set[str]:
    return {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_PACKAGES
    }


def _imports(module: Path, packages: set[str]) -> set[str]:
    """Top-level packages `module` imports, lazily or not (`if TYPE_CHECKING:` aside)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(module.read_text(encoding="utf-8")))
    return found & packages


def test_every_package_has_a_layer() -> None:
    placed = set().union(*LAYERS)
    assert _packages() - placed == set(), "place the new package in LAYERS (and the README)"


def test_imports_only_reach_down() -> None:
    packages = _packages()
    layer = {name: i for i, names in enumerate(LAYERS) for name in names}
    upward = []
    for package in sorted(packages):
        for module in sorted((ROOT / package).rglob("*.py")):
            for target in sorted(_imports(module, packages) - {package}):
                if layer[target] >= layer[package]:
                    upward.append(f"{module.relative_to(ROOT)} imports {target}")
    assert upward == []


def test_agent_py_is_the_top() -> None:
    packages = _packages()
    imported_by_agent_py = _imports(ROOT / "agent.py", packages)
    assert imported_by_agent_py  # it assembles the call from the layers below
    for package in packages:
        for module in (ROOT / package).rglob("*.py"):
            assert "agent" not in {
                n.module.split(".")[0]
                for n in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
                if isinstance(n, ast.ImportFrom) and n.module and n.level == 0
            }, f"{module} imports agent.py"
