"""The package's folders are its layers: imports point down only, modules form no cycle, and no
module outgrows a reader.

The layers, lowest first (docs/architecture.md): a module may import from its own layer and
the layers below it, never from one above. ``formal/`` sits beside the engine: it may use the
numerics and the COW data of the model, and the mechanisms and the engine reuse it.
"""

import ast
from pathlib import Path

import secdilemma

ROOT = Path(secdilemma.__file__).parent
LAYERS = {
    "errors": 0,
    "numerics": 0,
    "model": 1,
    "formal": 2,
    "mechanisms": 3,
    "engine": 4,
    "experiments": 5,
    "evidence": 6,
    "events": 6,
    "analysis": 7,
    "report": 8,
    "interop": 8,
    "web": 8,
    "cli": 9,
    "__init__": 10,  # the public API
}
# Every module may read the package's version from the top of the package.
VERSION = "secdilemma.__version__"
MAX_LINES = 800
MAX_REPORT_LINES = 500


def _module_name(path: Path) -> str:
    parts = ("secdilemma",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """The package's modules this module imports, at any level (TYPE_CHECKING included); an
    imported name that is a module counts as that module, any other as its package. (The
    package imports itself by absolute names only: ruff's TID252 would flag a relative one.)"""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("secdilemma")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("secdilemma"):
            assert node.level == 0, f"{path}: relative import"
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES or name == VERSION else node.module)
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def test_every_module_belongs_to_a_layer():
    unknown = [m for m in MODULES if m != "secdilemma" and m.split(".")[1] not in LAYERS]
    assert unknown == []
    assert len(MODULES) > 60  # the walk found the package


def test_the_top_of_the_package_holds_only_the_api_the_errors_and_folders():
    files = {p.name for p in ROOT.iterdir() if p.is_file()}
    assert files <= {"__init__.py", "errors.py", "py.typed"}
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= set(LAYERS)


def test_imports_point_down_only():
    upward = []
    for module, path in MODULES.items():
        for imported in _imports(path) - {VERSION}:
            if _layer(imported) > _layer(module):
                upward.append(f"{module} imports {imported}")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path):
    # The walk must catch the imports it is there to forbid, nested in a function or not.
    probe = ROOT / "model" / "scenario.py"
    found = _imports(probe)
    assert "secdilemma.model.actions" in found
    assert _layer("secdilemma.engine.pipeline") > _layer("secdilemma.model.scenario")
    nested = tmp_path / "probe.py"
    nested.write_text("def f():\n    from secdilemma.cli.app import app\n")
    assert "secdilemma.cli.app" in _imports(nested)


def test_modules_import_each_other_without_cycles():
    graph = {module: _imports(path) & set(MODULES) for module, path in MODULES.items()}
    # A package's own modules may import their siblings through it (``from .pkg import mod``
    # names the module); a package importing its modules is not a cycle with them.
    cycles, state = [], {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for nxt in sorted(graph[module]):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_no_module_outgrows_a_reader():
    long = {
        _module_name(path): n
        for path in ROOT.rglob("*.py")
        if (n := len(path.read_text().splitlines()))
        > (MAX_REPORT_LINES if "report" in path.relative_to(ROOT).parts[:1] else MAX_LINES)
    }
    assert long == {}
