"""gunicorn reads this file from the working directory: access-log lines without secrets, and
each worker warmed up before it serves."""

logger_class = "app.logredact.GunicornLogger"


def post_worker_init(worker):
    """Warm this worker up before it takes its first request (app/warmup.py): its templates
    compiled, its locale data loaded, a database connection open. Otherwise the first
    learners to reach each worker after a start or a release pay for all of that."""
    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "jinja_env"):
        from app.warmup import warm_up

        warm_up(app)
