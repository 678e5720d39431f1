"""gunicorn reads this file from the working directory: access-log lines without secrets, and
every template compiled before a worker serves."""

logger_class = "app.logredact.GunicornLogger"


def post_worker_init(worker):
    """Compile every template before this worker takes its first request.

    Jinja compiles a template the first time a page uses it, in each worker: ≈ 0.4 s for all
    of them, paid by the first learners to arrive after a start (the first 10-second window of
    `make bench`'s 300 learners). Templates only change with a release, which restarts.
    """
    env = getattr(getattr(worker, "wsgi", None), "jinja_env", None)
    if env is not None:
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)
