# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MO := app/translations/en/LC_MESSAGES/messages.mo
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install lock translations extract-messages lint clean bench bench-quick

# A SECRET_KEY of this checkout's own, made once and kept in instance/ (never committed).
KEY_FILE := instance/secret_key
WITH_KEY = SECRET_KEY="$$(cat $(KEY_FILE))"

run: $(STAMP) $(MO) $(KEY_FILE)
	$(WITH_KEY) $(BIN)/flask db upgrade
	$(WITH_KEY) $(BIN)/flask demo
	@echo "Lentera: http://127.0.0.1:$(PORT)"
	$(WITH_KEY) $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

$(KEY_FILE):
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@

test: $(STAMP) $(MO)
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

# Every package at the version in requirements.lock (runtime and the test, bench and lint
# extras), so a fresh clone and CI install what the last `make lock` tested.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Lentera needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,bench,lint]'
	touch $@

# After changing a dependency in pyproject.toml: re-resolve the lock file, then commit both.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --strip-extras --extra test --extra bench --extra lint \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

translations: $(MO)

$(MO): app/translations/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d app/translations

# After changing user-facing text: refresh the catalogue, then translate the new entries.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

# PRODUCT §6 budgets: seeds the local PostgreSQL database "bench" (BENCH_DATABASE_URL to change
# it), serves it with gunicorn on 127.0.0.1, writes bench/results.json. See docs/performance.md.
bench: $(STAMP) $(MO)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: $(STAMP) $(MO)
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

# ruff, then mypy (strict on app/services and app/models, default on the rest of app/; settings
# in [tool.mypy]). Both must report nothing: .ci/run runs this.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache $(MO)
