"""The product app plus two bare views: the benchmark's baselines, never part of the product.

gunicorn serves this module in the benchmark, so the lesson page and "hello" run in the same
workers with the same configuration; every other route is the product's own. The signed-in
hello does nothing but greet the user Flask-Login loaded: the floor under any signed-in page.
"""

from flask_login import current_user

from app import create_process_app
from app.access import PUBLIC, SIGNED_IN, access
from bench.settings import HELLO_PATH, SIGNED_IN_HELLO_PATH

app = create_process_app()


@app.route(HELLO_PATH)
@access(PUBLIC)
def hello():
    return "Hello, World!"


@app.route(SIGNED_IN_HELLO_PATH)
@access(SIGNED_IN)
def signed_in_hello():
    return f"Hello, {current_user.name}!"
