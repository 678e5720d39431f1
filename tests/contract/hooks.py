"""Schemathesis hooks for .ci/api-contract: every request carries a working bearer token.

CONTRACT_BASE_URL, CONTRACT_LOGIN and CONTRACT_PASSWORD name the server and the seeded user.
DELETE /auth/token revokes the token it is sent with, so it gets a token of its own.
"""

import os
import uuid

import requests
import schemathesis

BASE = os.environ.get("CONTRACT_BASE_URL", "http://127.0.0.1:5109")


def new_token() -> str:
    response = requests.post(
        f"{BASE}/api/v1/auth/token",
        json={"login": os.environ["CONTRACT_LOGIN"], "password": os.environ["CONTRACT_PASSWORD"]},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["token"]


@schemathesis.auth()
class BearerToken:
    def __init__(self):
        self.token = None

    def get(self, case, ctx):
        if self.token is None:
            self.token = new_token()
        return self.token

    def set(self, case, data, ctx):
        token = data
        if case.method.upper() == "DELETE" and case.path.endswith("/auth/token"):
            token = new_token()
        headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        if headers.get("Idempotency-Key"):
            # A generated key may repeat with another body, which is rightly a 422; replays
            # are proven in tests/api/test_idempotency.py.
            headers["Idempotency-Key"] = str(uuid.uuid4())
        case.headers = headers
