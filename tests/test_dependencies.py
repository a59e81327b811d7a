"""Every third-party module that citeqa's own packages import is a declared dependency.

A module that is only in the test extra works in the development venv and fails after
a plain `pip install citeqa` (as `citeqa eval --beir` once did with ranx, after
embedding a whole corpus). Read from the source with `ast`, so imports inside
functions count too. A module may also come with a declared dependency (gradio
brings gradio_client); an optional extra's module need not be installed here.
"""

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
OWN = set(PROJECT["tool"]["setuptools"]["packages"])


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement. Example: "Foo_Bar[x]>=1" -> "foo-bar"."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group()).lower()


def _with_requirements(names: set[str]) -> set[str]:
    """`names` plus every distribution they require when installed, transitively (extras' own requirements left out)."""
    closure, todo = set(names), list(names)
    while todo:
        try:
            needed = requires(todo.pop()) or []
        except PackageNotFoundError:
            continue
        for requirement in needed:
            name = _name(requirement)
            if "extra ==" not in requirement and name not in closure:
                closure.add(name)
                todo.append(name)
    return closure


def _imports() -> dict[str, str]:
    """top-level module -> the first file of citeqa's packages that imports it (absolute imports only)."""
    found: dict[str, str] = {}
    for package in sorted(OWN):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_imported_third_party_module_is_a_runtime_dependency() -> None:
    extras = PROJECT["project"]["optional-dependencies"]
    # Optional features (a language-model server, benchmark peers) may live in their extras; tests may not.
    allowed = {_name(r) for r in PROJECT["project"]["dependencies"]}
    allowed |= {_name(r) for extra, requirements in extras.items() if extra != "test" for r in requirements}
    allowed = _with_requirements(allowed)
    distributions = packages_distributions()
    undeclared = []
    for module, where in sorted(_imports().items()):
        if module in OWN or module in sys.stdlib_module_names or module == "__future__":
            continue
        # Not installed here: the module's own name must start a declared distribution's ("llama_index").
        names = {_name(d) for d in distributions.get(module, [])} or {a for a in allowed if a.startswith(_name(module))}
        if not names & allowed:
            undeclared.append(f"{module} ({where}; from {sorted(names) or 'nothing installed'})")
    assert not undeclared, f"imported but not a runtime dependency: {undeclared}"
