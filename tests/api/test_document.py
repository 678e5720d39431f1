"""The OpenAPI document describes every API route, and its reference page works offline."""

import re

from app.api.docs import DOCS_CSP


def test_every_api_route_is_in_the_document(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in spec["paths"].items()
                  for method in item if method != "parameters"}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_secured_operations_say_so_and_document_401(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            public = path == "/api/v1/auth/token" and method == "post"
            assert bool(operation.get("security")) is not public, (method, path)
            if not public:
                assert "401" in operation["responses"]
            assert "default" in operation["responses"]
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_idempotent_operations_document_the_header(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    with_key = sorted(
        f"{method.upper()} {path}" for path, item in spec["paths"].items()
        for method, operation in item.items() if method != "parameters"
        and any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])))
    assert with_key == [
        "POST /api/v1/courses/{slug}/enrol", "POST /api/v1/lessons/{lesson_id}/complete",
        "POST /api/v1/quizzes/{quiz_id}/attempts",
        "POST /api/v1/quizzes/{quiz_id}/attempts/start",
        "POST /api/v1/quizzes/{quiz_id}/attempts/{attempt_id}",
    ]


def test_the_reference_uses_local_files_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == DOCS_CSP
    assert "script-src 'self'" in DOCS_CSP and "unsafe" not in DOCS_CSP
    html = response.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources)
    for source in sources:
        with client.get(source) as asset:
            assert asset.status_code == 200, source
    assert "<script>" not in html  # no inline script: the CSP would block it
