# SPDX-License-Identifier: MIT
# Top-level entry points. The README's two commands:
#   make demo    build and run the whole loop on the embedded demo clinic
#   make check   the full test suite (unit, CLI, ASan+UBSan, lint, fuzz)
# Both install missing Debian packages first (scripts/deps.sh).

BUILD ?= build
ASAN ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS_DOC ?= 150000
FUZZ_RUNS_CSV ?= 400000
FUZZ_RUNS_TMPL ?= 100000
FUZZ_RUNS_XLSX ?= 4000
CLANG ?= clang-14

.PHONY: all deps deps-test build demo check fuzz fuzz-run fuzz-check format clean

all: build

deps:
	@./scripts/deps.sh --check 2>/dev/null || ./scripts/deps.sh

deps-test:
	@./scripts/deps.sh --test --check 2>/dev/null || ./scripts/deps.sh --test

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(ASAN)/build.ninja:
	meson setup $(ASAN) -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	./$(BUILD)/src/cli/anzen demo

node_modules/.bin/ajv: package.json package-lock.json | deps-test
	npm ci --no-audit --no-fund
	touch $@

check: deps-test node_modules/.bin/ajv $(BUILD)/build.ninja $(ASAN)/build.ninja
	meson setup --reconfigure $(BUILD) >/dev/null  # pick up test deps installed since
	meson setup --reconfigure $(ASAN) >/dev/null
	ninja -C $(BUILD)
	ninja -C $(ASAN)
	BUILD=$(BUILD) ASAN=$(ASAN) FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/check.sh

# libFuzzer builds (clang, separate from the meson build): the YAML/JSON
# loaders, the CSV reader/writer, the template renderer and the XLSX reader.
# FUZZ_SECONDS is split between them.
LIB_SRC := $(wildcard lib/*/*.c)
FUZZ_DEPS := $(LIB_SRC) $(wildcard include/anzen/*.h lib/*.h data/templates/*.html) \
  $(BUILD)/build.ninja
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -Iinclude

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	ninja -C $(BUILD) embedded_catalogs.c embedded_demo.c embedded_templates.c
	mkdir -p $(FUZZ_BUILD)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) \
	  $(BUILD)/embedded_catalogs.c $(BUILD)/embedded_demo.c $(BUILD)/embedded_templates.c \
	  $$(pkg-config --cflags --libs jansson yaml-0.1 sqlite3 libcrypto xlsxwriter libzip libxml-2.0)

fuzz: deps $(FUZZ_BUILD)/fuzz_doc $(FUZZ_BUILD)/fuzz_csv $(FUZZ_BUILD)/fuzz_tmpl \
  $(FUZZ_BUILD)/fuzz_xlsx
	$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

# What make check runs: a fixed seed and a fixed number of runs, so the
# same tree always fuzzes the same inputs (a random find never makes CI
# flaky); `make fuzz FUZZ_SECONDS=600` explores further at random.
fuzz-check: $(FUZZ_BUILD)/fuzz_doc $(FUZZ_BUILD)/fuzz_csv $(FUZZ_BUILD)/fuzz_tmpl \
  $(FUZZ_BUILD)/fuzz_xlsx
	rm -rf $(FUZZ_BUILD)/check-doc $(FUZZ_BUILD)/check-csv $(FUZZ_BUILD)/check-tmpl \
	  $(FUZZ_BUILD)/check-xlsx
	mkdir -p $(FUZZ_BUILD)/check-doc $(FUZZ_BUILD)/check-csv $(FUZZ_BUILD)/check-tmpl \
	  $(FUZZ_BUILD)/check-xlsx
	./$(FUZZ_BUILD)/fuzz_doc -seed=1 -runs=$(FUZZ_RUNS_DOC) -max_len=65536 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-doc tests/fuzz/corpus
	./$(FUZZ_BUILD)/fuzz_csv -seed=1 -runs=$(FUZZ_RUNS_CSV) -max_len=65536 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-csv tests/fuzz/corpus-csv
	./$(FUZZ_BUILD)/fuzz_tmpl -seed=1 -runs=$(FUZZ_RUNS_TMPL) -max_len=65536 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-tmpl tests/fuzz/corpus-tmpl
	./$(FUZZ_BUILD)/fuzz_xlsx -seed=1 -runs=$(FUZZ_RUNS_XLSX) -max_len=262144 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-xlsx tests/fuzz/corpus-xlsx

fuzz-run: $(FUZZ_BUILD)/fuzz_doc $(FUZZ_BUILD)/fuzz_csv $(FUZZ_BUILD)/fuzz_tmpl \
  $(FUZZ_BUILD)/fuzz_xlsx
	mkdir -p $(FUZZ_BUILD)/corpus-doc $(FUZZ_BUILD)/corpus-csv $(FUZZ_BUILD)/corpus-tmpl \
	  $(FUZZ_BUILD)/corpus-xlsx
	./$(FUZZ_BUILD)/fuzz_doc -max_total_time=$$(( $(FUZZ_SECONDS) / 3 )) -max_len=65536 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-doc tests/fuzz/corpus
	./$(FUZZ_BUILD)/fuzz_csv -max_total_time=$$(( $(FUZZ_SECONDS) / 3 )) \
	  -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-csv \
	  tests/fuzz/corpus-csv
	./$(FUZZ_BUILD)/fuzz_tmpl -max_total_time=$$(( $(FUZZ_SECONDS) / 6 )) -max_len=65536 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-tmpl tests/fuzz/corpus-tmpl
	./$(FUZZ_BUILD)/fuzz_xlsx -max_total_time=$$(( $(FUZZ_SECONDS) / 6 )) -max_len=262144 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-xlsx tests/fuzz/corpus-xlsx

format:
	./scripts/check-format.sh --fix

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ_BUILD) anzen-demo node_modules
