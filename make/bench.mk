# Speed: the benchmark against a reference measured in the same run, and the check that the
# fast path keeps the validation figures. Included by the main Makefile (PY, MODELS_DIR, CONFIG).

.PHONY: bench bench-http bench-video fast-path-check

bench: setup  ## service speed vs the plain fp32 reference, same run (~6 min); rewrites README's Performance table
	$(PY) -m bench.benchmark --models-dir $(MODELS_DIR) --readme README.md

bench-http: setup  ## uvicorn on asyncio + h11 vs the default (uvloop + httptools), same run (~2 min)
	$(PY) -m bench.http_server --models-dir $(MODELS_DIR)

bench-video: setup  ## video reading (PyAV) vs the OpenCV reader it replaced, and analyze_video end to end, same run
	$(PY) -m bench.video_decode --runs 5 --models-dir $(MODELS_DIR)

fast-path-check: setup data  ## bf16/channels-last vs fp32 on every source's validation split; records it in the model cards
	$(PY) -m training.fast_path $(MODELS_DIR) --config $(CONFIG)
