"""The one module-level app: `flask --app wsgi …` and `gunicorn wsgi:app`."""

from app import create_process_app

app = create_process_app()
