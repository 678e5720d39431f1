"""One way to do each thing (issue 16): checks that a copy does not creep back in.

Each reads the source: template helpers are handed to Jinja only in app/templating.py,
lesson URLs are built only by url_for_lesson, and a button-only POST form is only ever the
button_form macro.
"""

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
TEMPLATES = APP / "templates"
REGISTERING = re.compile(r"app_template_(global|filter|test)|app_context_processor|"
                         r"\.context_processor\(|jinja_env\.(globals|filters)|"
                         r"add_template_(global|filter)|template_(global|filter)\(")


def test_template_helpers_are_registered_only_in_app_templating():
    found = [f"{path.relative_to(APP)}:{n}" for path in sorted(APP.rglob("*.py"))
             if path.name != "templating.py"
             for n, line in enumerate(path.read_text().splitlines(), start=1)
             if REGISTERING.search(line)]
    assert found == []


@pytest.mark.parametrize("line", [
    "@bp.app_template_filter('when')", "@bp.app_context_processor",
    "app.jinja_env.globals['x'] = y", "bp.add_app_template_global(f)"])
def test_the_registration_check_catches_a_blueprint_doing_it(line):
    assert REGISTERING.search(line)


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_build_lesson_urls_only_with_url_for_lesson():
    found = [str(path.relative_to(TEMPLATES)) for path in _templates()
             if re.search(r"\.path\.split\(|path\.split\(", path.read_text())]
    assert found == []


# A POST form whose whole content is the CSRF token, hidden fields and one submit button.
BUTTON_ONLY = re.compile(
    r'<form method="post"[^>]*>\s*'
    r'(?:\{\{ \w+\.csrf_token \}\}|<input type="hidden" name="csrf_token"[^>]*>)\s*'
    r'(?:<input type="hidden"[^>]*>\s*)*'
    r'<button[^>]*>.*?</button>\s*</form>', re.S)


def test_button_only_post_forms_are_the_button_form_macro():
    found = [str(path.relative_to(TEMPLATES)) for path in _templates()
             if path.name != "forms.html" and BUTTON_ONLY.search(path.read_text())]
    assert found == []


def test_the_button_form_check_catches_a_copy():
    copy = ('<form method="post" action="/x" hx-boost="false">\n'
            '  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">\n'
            '  <input type="hidden" name="open" value="1">\n'
            '  <button type="submit" class="btn">{{ _("Buka") }}</button>\n</form>')
    assert BUTTON_ONLY.search(copy)
    assert BUTTON_ONLY.search(copy.replace(
        '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">',
        "{{ form.csrf_token }}"))


def _silent_on_raising(source: str) -> list[str]:
    """Public top-level functions whose docstring does not say what they raise."""
    return [node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and not node.name.startswith("_")
            and not re.search(r"\brais", ast.get_docstring(node) or "", re.I)]


def test_every_public_service_function_says_what_it_raises():
    found = [f"{path.relative_to(APP)}:{name}"
             for path in sorted((APP / "services").rglob("*.py"))
             for name in _silent_on_raising(path.read_text())]
    assert found == []


def test_the_raises_check_catches_a_silent_docstring():
    source = ('def quiet():\n    """Returns one."""\n\n'
              'def told():\n    """Returns one. Raises nothing."""\n\n'
              'def _private():\n    pass\n')
    assert _silent_on_raising(source) == ["quiet"]
