"""gunicorn.conf.py, which gunicorn reads from the working directory in production."""

import runpy
from pathlib import Path
from types import SimpleNamespace

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_a_worker_compiles_every_template_before_its_first_request(fresh_app):
    app = fresh_app()
    settings = runpy.run_path(str(CONF))
    assert settings["logger_class"] == "app.logredact.GunicornLogger"
    names = app.jinja_env.list_templates(extensions=["html"])
    assert not set(names) <= {key[1] for key in app.jinja_env.cache}
    settings["post_worker_init"](SimpleNamespace(wsgi=app))
    assert set(names) <= {key[1] for key in app.jinja_env.cache}
