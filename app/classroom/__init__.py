"""Face-to-face sessions ("sesi tatap muka"): trainers record attendance, learners check in."""

from flask import Blueprint

bp = Blueprint("classroom", __name__)

from app.classroom import views  # noqa: E402,F401
