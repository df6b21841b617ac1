# The web app (frontend/): dependencies, build, unit tests, API types, end-to-end tests.
# Included by the main Makefile, which defines PY (.venv/bin/python); run from the repo root.
PY ?= .venv/bin/python
FRONTEND := frontend
NPM ?= npm
CHROMIUM ?= /usr/bin/chromium
FRONTEND_STAMP := $(FRONTEND)/node_modules/.setup-$(shell sha256sum $(FRONTEND)/package-lock.json 2>/dev/null | cut -c1-12)
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(addprefix $(FRONTEND)/,index.html package.json vite.config.ts tsconfig.json tsconfig.app.json tsconfig.node.json)

.PHONY: frontend-setup frontend-build frontend-test frontend-size api-types api-types-check browser e2e

frontend-setup: $(FRONTEND_STAMP)  ## npm ci for the web app (again only when package-lock.json changes)

$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && $(NPM) ci --no-audit --no-fund
	rm -f $(FRONTEND)/node_modules/.setup-* && touch $@

frontend-build: $(FRONTEND)/dist/index.html  ## build the web app into frontend/dist (when its sources changed)

$(FRONTEND)/dist/index.html: $(FRONTEND_STAMP) $(FRONTEND_SOURCES)
	cd $(FRONTEND) && $(NPM) run --silent build
	cd $(FRONTEND) && node scripts/bundle-size.mjs
	touch $@

frontend-size: frontend-build  ## gzip size of the built JavaScript (budget 300 KB)
	cd $(FRONTEND) && node scripts/bundle-size.mjs

frontend-test: frontend-setup  ## eslint, tsc, then the Vitest unit tests
	cd $(FRONTEND) && $(NPM) run --silent lint
	cd $(FRONTEND) && $(NPM) run --silent test

api-types: frontend-setup  ## dump the backend's OpenAPI schema and regenerate the app's API types
	OMP_NUM_THREADS=1 $(PY) $(FRONTEND)/scripts/dump_openapi.py $(FRONTEND)/openapi.json
	cd $(FRONTEND) && $(NPM) run --silent gen:api

api-types-check: frontend-setup  ## fail when the committed schema or API types are stale
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	OMP_NUM_THREADS=1 $(PY) $(FRONTEND)/scripts/dump_openapi.py "$$tmp/openapi.json" && \
	(cd $(FRONTEND) && npx --no-install openapi-typescript "$$tmp/openapi.json" -o "$$tmp/api-schema.ts" --silent) && \
	if diff -u $(FRONTEND)/openapi.json "$$tmp/openapi.json" && \
	   diff -u $(FRONTEND)/src/lib/api-schema.ts "$$tmp/api-schema.ts"; then \
	  echo "API types are up to date"; \
	else \
	  echo "The API types are stale: run 'make api-types' and commit the result" >&2; exit 1; \
	fi

browser:  ## Debian's Chromium (and an emoji font) for the end-to-end tests, plus the Python driver
	@command -v $(notdir $(CHROMIUM)) >/dev/null 2>&1 || \
	  (apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji)
	@fc-list 2>/dev/null | grep -qi 'color emoji' || \
	  apt-get install -y --no-install-recommends fonts-noto-color-emoji || \
	  echo "no emoji font: emoji show as boxes in the screenshots" >&2
	@$(PY) -c 'import playwright' 2>/dev/null || $(PY) -m pip install --quiet 'playwright>=1.50'

e2e: frontend-build browser  ## end-to-end tests: the built app in Chromium against a real backend
	OMP_NUM_THREADS=1 FACEPROOF_E2E_REQUIRED=1 FACEPROOF_CHROMIUM=$(CHROMIUM) \
		$(PY) -m pytest tests/e2e -q -p no:cacheprovider
