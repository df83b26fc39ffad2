# Portal de Ayuda: `make run` serves the portal, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint format i18n i18n-extract migrate demo worker clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

locales/.compiled: $(STAMP) $(wildcard locales/*/LC_MESSAGES/messages.po)
	$(BIN)/pybabel compile --statistics -d locales -D messages 2>&1 | tail -n 6
	touch $@

install: $(STAMP) locales/.compiled

# Development: demo accounts, the demo requests and sample articles (loaded once), then the
# portal with its mail catcher and a local ClaveÚnica look-alike (README: test RUNs).
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(BIN)/python -m helpdesk migrate
	$(BIN)/python -m helpdesk load-demo
	$(BIN)/python -m helpdesk serve --port $(PORT)

test: install
	$(BIN)/python -m tests.run_all

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract UI strings to the template, merge them into every catalogue, compile.
i18n: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k lazy_gettext -o locales/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -d locales -D messages -i locales/messages.pot
	$(BIN)/python -m helpdesk.i18n_catalogues fill-source
	$(BIN)/pybabel compile -d locales -D messages
	touch locales/.compiled

migrate: install
	$(BIN)/python -m helpdesk migrate

worker: install
	$(BIN)/python -m helpdesk worker

clean:
	rm -rf $(VENV) var
