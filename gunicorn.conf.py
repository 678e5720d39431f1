"""gunicorn reads this file from the working directory: access-log lines without secrets."""

logger_class = "app.logredact.GunicornLogger"
