"""The learner's JP ledger, outside-training claims and their review, and the HR export."""

from flask import Blueprint

bp = Blueprint("ledger", __name__)


def ledger_labels() -> dict:
    """Context for every template: the words for JP sources and claim states."""
    from app.services.ledger import ENTRY_SOURCE_LABELS, SOURCE_LABELS, STATUS_LABELS

    return {"jp_source_labels": SOURCE_LABELS, "jp_entry_source_labels": ENTRY_SOURCE_LABELS,
            "jp_status_labels": STATUS_LABELS}


from app.ledger import views  # noqa: E402,F401
