"""The question bank stands on its own: nothing under questions/ imports reviewapp."""

import ast
from pathlib import Path

import questions

QUESTIONS_DIR = Path(questions.__file__).parent


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_it_never_imports_reviewapp_from_the_question_bank():
    offenders = []
    files = sorted(QUESTIONS_DIR.rglob("*.py"))
    assert len(files) > 10  # the walk really found the package
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in _imported_modules(tree):
            if name == "reviewapp" or name.startswith("reviewapp."):
                offenders.append(f"{path.relative_to(QUESTIONS_DIR.parent)} imports {name}")
    assert offenders == []


def test_it_sees_an_import_of_reviewapp_when_there_is_one():
    tree = ast.parse("from reviewapp.markup import render_markdown\nimport reviewapp.models\n")
    assert _imported_modules(tree) == ["reviewapp.markup", "reviewapp.models"]
