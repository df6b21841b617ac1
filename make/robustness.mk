# Robustness: the load test, the robustness tests alone, the dependency audit, how stable the
# models' verdicts are. Included by the main Makefile, which defines PY, VENV, MODELS_DIR,
# CONFIG, setup and data; run from the repo root.
PY ?= .venv/bin/python
LOAD_ARGS ?= --duration 60 --clients 16
# Vulnerabilities explained and accepted, one `--ignore ID` each with its reason above it.
AUDIT_IGNORE ?=

.PHONY: load-test robustness audit verdict-robustness robustness-table

load-test: setup  ## 16 clients for 60 s against a real service on loopback (LOAD_ARGS=... to change)
	OMP_WAIT_POLICY=PASSIVE $(PY) -m bench.load_test --models-dir $(MODELS_DIR) $(LOAD_ARGS) \
		--output runs/load-test.json

robustness: setup  ## hostile corpus, schema fuzzing, faults, durability and a short load run
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -p no:cacheprovider tests/robustness

audit: setup frontend-setup  ## known vulnerabilities: pip-audit over .venv, npm audit (high) over frontend/
	$(PY) tools/audit.py $(AUDIT_IGNORE)

verdict-robustness: setup data  ## ROC-AUC and verdict flips per source under JPEG, rescale, blur, noise, FGSM/PGD; into the cards
	$(PY) -m training.robustness $(MODELS_DIR) --config $(CONFIG) $(ROBUSTNESS_ARGS)

robustness-table: setup  ## rewrite README's robustness table from what the cards recorded
	$(PY) -m training.readme_robustness $(MODELS_DIR) --readme README.md
