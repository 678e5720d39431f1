"""Versions, staging and publishing without HTTP."""

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Course, CourseUpload, CourseVersion, Role
from app.services import authoring
from app.services.content import load_course
from app.services.errors import Forbidden, NotFound
from tests.factories import make_user, zip_course


def test_a_version_is_recorded_only_when_the_content_changes(session, course_copy):
    folder = course_copy()
    trainer = make_user(session, email="pelatih@example.go.id", roles=Role.TRAINER)

    def import_once(actor_id):
        parsed, problems = load_course(folder)
        assert problems == []
        authoring.import_and_record(session, parsed, str(folder), actor_id=actor_id,
                                    source="cli", publish=False)
        session.flush()

    import_once(None)
    import_once(trainer.id)  # same content: an import in the audit log, not a new version
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace('version: "1.0"', 'version: "1.1"'))
    import_once(trainer.id)
    versions = session.scalars(select(CourseVersion).order_by(CourseVersion.id)).all()
    assert [(v.version, v.imported_by_id) for v in versions] == [("1.0", None), ("1.1", trainer.id)]
    assert versions[0].content_hash != versions[1].content_hash
    imports = session.scalar(
        select(func.count()).where(AuditEntry.action == "course.import"))
    assert imports == 3
    page = authoring.course_page(session, "contoh-kursus", trainer)
    assert [v.version for v in page.versions] == ["1.1", "1.0"]  # newest first


def test_staging_keeps_the_archive_and_publishing_imports_exactly_it(session, course_copy):
    trainer = make_user(session, email="pelatih@example.go.id", roles=Role.TRAINER)
    folder = course_copy()
    data = zip_course(folder)
    check = authoring.stage_upload(session, trainer, "C:\\fakepath\\kursus.zip", data)
    assert check.problems == [] and check.slug == "contoh-kursus"
    assert (check.upload.filename, check.upload.size, check.upload.version) == (
        "kursus.zip", len(data), "1.0")
    assert session.scalar(select(func.count()).select_from(Course)) == 0
    # Changing the folder afterwards does not change what was staged.
    (folder / "course.md").write_text("rusak")
    result = authoring.import_upload(session, check.upload, trainer, publish=True)
    assert result.course.published and result.course.title == "Kursus Contoh"
    assert result.course.owner_id == trainer.id
    assert session.scalar(select(func.count()).select_from(CourseUpload)) == 0


def test_uploads_belong_to_their_uploader_the_owner_and_admins(session, course_copy):
    trainer = make_user(session, email="pelatih@example.go.id", roles=Role.TRAINER)
    other = make_user(session, roles=Role.TRAINER)
    admin = make_user(session, roles=Role.ADMIN)
    data = zip_course(course_copy())
    upload = authoring.stage_upload(session, trainer, "x.zip", data).upload
    assert authoring.managed_upload(session, upload.id, admin) is upload
    with pytest.raises(NotFound):
        authoring.managed_upload(session, upload.id, other)
    authoring.import_upload(session, upload, trainer, publish=False)
    # The course now exists and belongs to `trainer`: `other` may not stage over it.
    with pytest.raises(Forbidden):
        authoring.stage_upload(session, other, "x.zip", data)
    upload = authoring.stage_upload(session, admin, "x.zip", data).upload
    with pytest.raises(Forbidden):
        authoring.import_upload(session, upload, other, publish=True)
