"""API fixtures: a client that sends a bearer token got the way an app gets it."""

import pytest

from tests.factories import PASSWORD, PEOPLE


class ApiClient:
    """A test client speaking to /api/v1 with one user's bearer token."""

    def __init__(self, client, user, token):
        self.client, self.user, self.token = client, user, token

    def headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        headers.update(extra or {})
        return headers

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self.headers(kw.pop("headers", None)),
                               **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json,
                                headers=self.headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete("/api/v1" + path,
                                  headers=self.headers(kw.pop("headers", None)), **kw)


def get_token(client, login, password=PASSWORD):
    response = client.post("/api/v1/auth/token", json={"login": login, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def api(app, make):
    """api(role=…) or api(user) -> an ApiClient for that person (a new user by default)."""

    def _api(user=None, *, role: str | None = None, **overrides):
        if user is None:
            if role is not None:
                overrides["roles"] = PEOPLE[role]
            user = make.user(**overrides)
        client = app.test_client()
        return ApiClient(client, user, get_token(client, user.email))

    return _api
