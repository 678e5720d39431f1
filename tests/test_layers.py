"""One rule, one place: feature packages (views, forms, CLI) run no SQL of their own.

Queries and the rules around them live in app/services/, where the web pages and the API
share them. This reads the source of every module under a feature package and fails on a
SQLAlchemy import, on a query method called on a session, or on the legacy `.query`.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
FEATURES = ("auth", "catalog", "learn", "quiz", "certificates", "authoring", "reports", "admin",
            "api", "classroom", "ledger")
# Talking to the database, as opposed to ending a transaction (commit, rollback, remove).
QUERYING = {"execute", "scalar", "scalars", "get", "query", "add", "add_all", "delete",
            "merge", "flush", "refresh", "get_bind", "connection"}


def _modules():
    for feature in FEATURES:
        yield from sorted((APP / feature).rglob("*.py"))


def offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.Attribute):
            owner = node.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(
                owner, "id", "")
            if owner_name == "session" and node.attr in QUERYING:
                found.append(f"line {node.lineno}: session.{node.attr}")
            elif node.attr == "query" and owner_name not in ("request", "url"):
                found.append(f"line {node.lineno}: .query")
    return found


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(APP)))
def test_feature_modules_run_no_sql(path):
    assert offences(path.read_text()) == []


@pytest.mark.parametrize("source", [
    "from sqlalchemy import select\n",
    "import sqlalchemy.orm\n",
    "db.session.execute(x)\n",
    "db.session.get(User, 1)\n",
    "rows = db.session.scalars(q).all()\n",
    "User.query.filter_by(id=1)\n",
])
def test_the_check_catches_sql(source):
    assert offences(source)


def test_the_check_lets_transactions_end_in_views():
    assert offences("db.session.commit()\ndb.session.rollback()\nrequest.args.get('x')\n") == []
