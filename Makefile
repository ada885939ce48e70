# filmgraph — the two commands a fresh clone needs are `make demo` and `make test`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test install lint typecheck unit build bench bench-exports bench-aggregates clean

# Create the virtual environment and install the package with its test tools.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Build the bundled graph into graph/build (embedded Oxigraph) and answer one question.
demo: $(STAMP)
	$(BIN)/filmgraph build
	@echo
	@echo "Which films influenced The Miners (1937), in what respect, according to which source?"
	$(BIN)/filmgraph query film-influences --param film=film:the-miners-1937 \
		--columns influencerLabel,influencerYear,aspect,sourceLabel,confidence

build: $(STAMP)
	$(BIN)/filmgraph build

# The whole suite: lint, types, then every test (integration tests included).
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench notebooks
	$(BIN)/ruff format --check src tests bench notebooks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# Benchmarks (never timed unit tests): every bench/bench_*.py, results in bench/results/.
bench: $(STAMP)
	@mkdir -p bench/results
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Export throughput and dashboard aggregates alone (both also run under `make bench`).
bench-exports: $(STAMP)
	$(BIN)/python bench/bench_exports.py

bench-aggregates: $(STAMP)
	$(BIN)/python bench/bench_aggregates.py

clean:
	rm -rf graph/build .pytest_cache .mypy_cache .ruff_cache
