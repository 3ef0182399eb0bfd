# SPDX-License-Identifier: MIT
# Top-level entry points. The README's two commands:
#   make demo    build and run the whole loop on the embedded demo clinic
#   make check   the full test suite (unit, CLI, ASan+UBSan, lint, fuzz)
# Both install missing Debian packages first (scripts/deps.sh).

BUILD ?= build
ASAN ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS_DOC ?= 80000
FUZZ_RUNS_CSV ?= 400000
FUZZ_RUNS_WEB ?= 300000
FUZZ_RUNS_TMPL ?= 100000
FUZZ_RUNS_SCAN ?= 180000
FUZZ_RUNS_NMAP ?= 30000
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
# loaders, the CSV reader/writer and the template renderer. FUZZ_SECONDS is
# split between them.
LIB_SRC := $(wildcard lib/*/*.c)
FUZZ_DEPS := $(LIB_SRC) $(wildcard include/anzen/*.h lib/*.h) $(BUILD)/build.ninja
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -Iinclude

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	ninja -C $(BUILD) embedded_catalogs.c embedded_demo.c embedded_kev.c embedded_scan.c
	mkdir -p $(FUZZ_BUILD)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) \
	  $(BUILD)/embedded_catalogs.c $(BUILD)/embedded_demo.c $(BUILD)/embedded_kev.c \
	  $(BUILD)/embedded_scan.c \
	  $$(pkg-config --cflags --libs jansson yaml-0.1 sqlite3 libcrypto libsodium libqrencode \
	    libssl libxml-2.0)

# the web UI's hand-written parsing (src/web/parse.c) with lib/auth
$(FUZZ_BUILD)/fuzz_web: tests/fuzz/fuzz_web.c src/web/parse.c src/web/parse.h $(FUZZ_DEPS)
	ninja -C $(BUILD) embedded_catalogs.c embedded_demo.c embedded_kev.c embedded_scan.c
	mkdir -p $(FUZZ_BUILD)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< src/web/parse.c $(LIB_SRC) \
	  $(BUILD)/embedded_catalogs.c $(BUILD)/embedded_demo.c $(BUILD)/embedded_kev.c \
	  $(BUILD)/embedded_scan.c \
	  $$(pkg-config --cflags --libs jansson yaml-0.1 sqlite3 libcrypto libsodium libqrencode \
	    libssl libxml-2.0)

fuzz: deps $(FUZZ_BUILD)/fuzz_doc $(FUZZ_BUILD)/fuzz_csv $(FUZZ_BUILD)/fuzz_tmpl \
  $(FUZZ_BUILD)/fuzz_web $(FUZZ_BUILD)/fuzz_scan $(FUZZ_BUILD)/fuzz_nmap
	$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

# What make check runs: a fixed seed and a fixed number of runs, so the
# same tree always fuzzes the same inputs (a random find never makes CI
# flaky); `make fuzz FUZZ_SECONDS=600` explores further at random.
fuzz-check: $(FUZZ_BUILD)/fuzz_doc $(FUZZ_BUILD)/fuzz_csv $(FUZZ_BUILD)/fuzz_tmpl \
  $(FUZZ_BUILD)/fuzz_web $(FUZZ_BUILD)/fuzz_scan $(FUZZ_BUILD)/fuzz_nmap
	rm -rf $(FUZZ_BUILD)/check-doc $(FUZZ_BUILD)/check-csv $(FUZZ_BUILD)/check-tmpl $(FUZZ_BUILD)/check-web
	mkdir -p $(FUZZ_BUILD)/check-doc $(FUZZ_BUILD)/check-csv $(FUZZ_BUILD)/check-tmpl $(FUZZ_BUILD)/check-web
	rm -rf $(FUZZ_BUILD)/check-scan $(FUZZ_BUILD)/check-nmap
	mkdir -p $(FUZZ_BUILD)/check-scan $(FUZZ_BUILD)/check-nmap
	./$(FUZZ_BUILD)/fuzz_doc -seed=1 -runs=$(FUZZ_RUNS_DOC) -max_len=65536 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-doc tests/fuzz/corpus
	./$(FUZZ_BUILD)/fuzz_csv -seed=1 -runs=$(FUZZ_RUNS_CSV) -max_len=65536 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-csv tests/fuzz/corpus-csv
	./$(FUZZ_BUILD)/fuzz_web -seed=1 -runs=$(FUZZ_RUNS_WEB) -max_len=4096 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-web tests/fuzz/corpus-web
	./$(FUZZ_BUILD)/fuzz_tmpl -seed=1 -runs=$(FUZZ_RUNS_TMPL) -max_len=65536 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-tmpl tests/fuzz/corpus-tmpl
	./$(FUZZ_BUILD)/fuzz_scan -seed=1 -runs=$(FUZZ_RUNS_SCAN) -max_len=8192 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-scan tests/fuzz/corpus-scan
	./$(FUZZ_BUILD)/fuzz_nmap -seed=1 -runs=$(FUZZ_RUNS_NMAP) -max_len=16384 -rss_limit_mb=2048 \
	  -print_final_stats=1 $(FUZZ_BUILD)/check-nmap tests/fuzz/corpus-nmap

fuzz-run: $(FUZZ_BUILD)/fuzz_doc $(FUZZ_BUILD)/fuzz_csv $(FUZZ_BUILD)/fuzz_tmpl \
  $(FUZZ_BUILD)/fuzz_web $(FUZZ_BUILD)/fuzz_scan $(FUZZ_BUILD)/fuzz_nmap
	mkdir -p $(FUZZ_BUILD)/corpus-doc $(FUZZ_BUILD)/corpus-csv $(FUZZ_BUILD)/corpus-tmpl
	mkdir -p $(FUZZ_BUILD)/corpus-scan $(FUZZ_BUILD)/corpus-nmap
	./$(FUZZ_BUILD)/fuzz_doc -max_total_time=$$(( $(FUZZ_SECONDS) / 3 )) -max_len=65536 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-doc tests/fuzz/corpus
	./$(FUZZ_BUILD)/fuzz_csv -max_total_time=$$(( $(FUZZ_SECONDS) / 3 )) \
	  -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-csv \
	  tests/fuzz/corpus-csv
	./$(FUZZ_BUILD)/fuzz_tmpl -max_total_time=$$(( $(FUZZ_SECONDS) - 2 * ($(FUZZ_SECONDS) / 3) )) -max_len=65536 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-tmpl tests/fuzz/corpus-tmpl
	./$(FUZZ_BUILD)/fuzz_scan -max_total_time=$$(( $(FUZZ_SECONDS) / 4 + 1 )) -max_len=8192 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-scan tests/fuzz/corpus-scan
	./$(FUZZ_BUILD)/fuzz_nmap -max_total_time=$$(( $(FUZZ_SECONDS) / 4 + 1 )) -max_len=16384 \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/corpus-nmap tests/fuzz/corpus-nmap

format:
	./scripts/check-format.sh --fix

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ_BUILD) anzen-demo node_modules
