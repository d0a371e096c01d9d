"""The import graph of a package, read from the source (nothing is imported):

    .venv/bin/python scripts/import_graph.py [grants.services] [--depth N]

Prints, for each module, the modules of the package it imports; an import made inside a function
(a hidden dependency) is marked `(lazy)`. With --depth N, modules are grouped by their first N
name parts below the package (e.g. depth 1: `money`, `followup`), and the cycles between groups
are listed; a package whose groups form no cycle prints `no cycle`."""

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules(package: str) -> dict[str, Path]:
    base = ROOT.joinpath(*package.split("."))
    found = {}
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> dict[str, bool]:
    """{imported module: lazy?} for the imports of `path` that name a module in `known`."""
    tree = ast.parse(path.read_text(), str(path))
    lazy_nodes = {id(node) for func in ast.walk(tree)
                  if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
                  for node in ast.walk(func) if isinstance(node, ast.Import | ast.ImportFrom)}
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level:  # a relative import
                package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                for _ in range(node.level - 1):
                    package = package.rsplit(".", 1)[0]
                module = f"{package}.{module}"
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module
                       for alias in node.names]
        for target in targets:
            if target in known and target != name:
                lazy = id(node) in lazy_nodes
                found[target] = found.get(target, True) and lazy
    return found


def group(name: str, package: str, depth: int) -> str:
    rest = name.removeprefix(package).lstrip(".").split(".")
    return ".".join(rest[:depth]) or "(package)"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", nargs="?", default="grants.services")
    parser.add_argument("--depth", type=int, default=1)
    args = parser.parse_args(argv)
    found = modules(args.package)
    edges: dict[str, set[str]] = defaultdict(set)
    lazy_count = 0
    for name, path in found.items():
        targets = imports_of(name, path, set(found))
        marks = [f"{t}{' (lazy)' if lazy else ''}" for t, lazy in sorted(targets.items())]
        lazy_count += sum(targets.values())
        print(f"{name}: {', '.join(marks) or '-'}")
        for target in targets:
            source, dest = group(name, args.package, args.depth), group(target, args.package,
                                                                          args.depth)
            if source != dest:
                edges[source].add(dest)
    print(f"\n{len(found)} modules, {lazy_count} imports inside functions")
    loops = cycles(edges)
    for loop in loops:
        print("cycle between groups:", " <-> ".join(loop))
    if not loops:
        print(f"no cycle between the groups at depth {args.depth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
