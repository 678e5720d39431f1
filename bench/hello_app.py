"""The product app plus one bare view: the benchmark's baseline, never part of the product.

gunicorn serves this module in the benchmark, so the lesson page and "hello" run in the same
workers with the same configuration; every other route is the product's own.
"""

from app import create_app
from app.access import PUBLIC, access
from bench.settings import HELLO_PATH

app = create_app()


@app.route(HELLO_PATH)
@access(PUBLIC)
def hello():
    return "Hello, World!"
