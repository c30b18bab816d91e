"""Imports go downwards only (issue 23): accounts ← settings_app ← workspaces ← config, and no
module imports itself in a circle, not even through a function-level import (grimp reads
every import statement, wherever it is)."""

import grimp
import pytest

LAYERS = ("accounts", "settings_app", "workspaces", "config")  # each may import only those before it


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*LAYERS)


@pytest.mark.parametrize("lower", LAYERS[:-1])
def test_no_app_imports_an_app_above_it(graph, lower):
    above = LAYERS[LAYERS.index(lower) + 1:]
    upward = sorted(
        (importer, imported)
        for importer in graph.find_descendants(lower) | {lower}
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[0] in above
    )
    assert upward == []


def _cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imports = work[-1]
            for imported in imports:
                if imported not in index:
                    index[imported] = low[imported] = counter
                    counter += 1
                    stack.append(imported)
                    on_stack.add(imported)
                    work.append((imported, iter(sorted(graph.find_modules_directly_imported_by(imported)))))
                    break
                if imported in on_stack:
                    low[module] = min(low[module], index[imported])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_itself_in_a_circle(graph):
    assert _cycles(graph) == []


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(module)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.b")
    graph.add_import(importer="a.d", imported="a.b")
    assert _cycles(graph) == [["a.b", "a.c"]]


@pytest.mark.parametrize("lower", LAYERS[:-1])
def test_no_app_reaches_an_app_above_it_through_the_app_registry_either(lower):
    """`apps.get_model("workspaces", …)` in accounts would be an import by another name."""
    from pathlib import Path

    above = LAYERS[LAYERS.index(lower) + 1:]
    root = Path(__file__).resolve().parents[1] / lower
    found = [
        str(path.relative_to(root.parent)) for path in root.rglob("*.py")
        if "migrations" not in path.parts
        and any(f'get_model("{app}"' in path.read_text() or f"get_model('{app}'" in path.read_text() for app in above)
    ]
    assert found == []
