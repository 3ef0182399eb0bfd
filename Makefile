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
FUZZ_RUNS_XLSX ?= 4000
FUZZ_RUNS_SCAN ?= 180000
FUZZ_RUNS_NMAP ?= 30000
FUZZ_RUNS_CATIMPORT ?= 3000
FUZZ_RUNS_LEDGER ?= 30000
FUZZ_RUNS_AUDIT_RULES ?= 5000
FUZZ_RUNS_AUDIT_IMPORT ?= 5000
FUZZ_RUNS_BUNDLE ?= 20000
CLANG ?= clang-14

.PHONY: all deps deps-test build demo check fuzz fuzz-bins fuzz-run fuzz-check format clean install deb FORCE

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

# make install [PREFIX=/usr/local] [DESTDIR=DIR]: the binary, manual pages
# (en, ja), bash/zsh completion, the anzen-serve systemd unit and the docs
# (dist/meson.build). Debian users: make deb, then apt install the .deb.
PREFIX ?= /usr/local
install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

# The Debian package from debian/ (dh + meson) in a clean copy of the tree,
# checked with lintian: build-deb/anzen_VERSION_ARCH.deb (several minutes).
deb: deps-test
	./scripts/build-deb.sh build-deb

node_modules/.bin/ajv: package.json package-lock.json | deps-test
	npm ci --no-audit --no-fund
	touch $@

check: deps-test node_modules/.bin/ajv $(BUILD)/build.ninja $(ASAN)/build.ninja
	meson setup --reconfigure $(BUILD) >/dev/null  # pick up test deps installed since
	meson setup --reconfigure $(ASAN) >/dev/null
	ninja -C $(BUILD)
	ninja -C $(ASAN)
	BUILD=$(BUILD) ASAN=$(ASAN) FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/check.sh

# libFuzzer builds (clang, separate from the meson build), one target per
# hand-written parser: doc (YAML/JSON loaders, vendor registry, KEV), csv,
# tmpl (templates), web (the web UI's parsing and lib/auth) and xlsx (the
# XLSX reader), scan (the network check's parsers of peer bytes), nmap
# (the nmap XML import) and ledger (the ledger's header mapper). Each
# target lists its corpus and input size here; the shared rule builds them
# all the same way.
LIB_SRC := $(wildcard lib/*/*.c)
FUZZ_EMBED := embedded_catalogs.c embedded_demo.c embedded_kev.c embedded_templates.c
FUZZ_EMBED += embedded_scan.c embedded_rules.c embedded_ledger.c
FUZZ_EMBED += embedded_docs.c
FUZZ_EMBED += embedded_audit.c
FUZZ_PKGS := jansson yaml-0.1 sqlite3 libcrypto libsodium libqrencode xlsxwriter libzip libxml-2.0
FUZZ_PKGS += libssl
FUZZ_PKGS += liblz4 liblzma zlib
FUZZ_EMBED += embedded_hub.c
FUZZ_PKGS += libpq
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -Iinclude
FUZZ_TARGETS := doc csv tmpl web xlsx
FUZZ_TARGETS += scan nmap catimport
FUZZ_TARGETS += ledger
FUZZ_TARGETS += audit_rules audit_import
FUZZ_TARGETS += bundle
# target: corpus directory, max input length, runs in make check
FUZZ_CORPUS_doc := tests/fuzz/corpus
FUZZ_CORPUS_csv := tests/fuzz/corpus-csv
FUZZ_CORPUS_tmpl := tests/fuzz/corpus-tmpl
FUZZ_CORPUS_web := tests/fuzz/corpus-web
FUZZ_CORPUS_xlsx := tests/fuzz/corpus-xlsx
FUZZ_CORPUS_scan := tests/fuzz/corpus-scan
FUZZ_CORPUS_nmap := tests/fuzz/corpus-nmap
FUZZ_CORPUS_catimport := tests/fuzz/corpus-catimport
FUZZ_CORPUS_ledger := tests/fuzz/corpus-ledger
FUZZ_CORPUS_audit_rules := tests/fuzz/corpus-audit-rules
FUZZ_CORPUS_audit_import := tests/fuzz/corpus-audit-import
FUZZ_CORPUS_bundle := tests/fuzz/corpus-bundle
FUZZ_LEN_doc := 65536
FUZZ_LEN_csv := 65536
FUZZ_LEN_tmpl := 65536
FUZZ_LEN_web := 4096
FUZZ_LEN_xlsx := 262144
FUZZ_LEN_scan := 8192
FUZZ_LEN_nmap := 16384
FUZZ_LEN_catimport := 262144
FUZZ_LEN_ledger := 65536
FUZZ_LEN_audit_rules := 32768
FUZZ_LEN_audit_import := 32768
FUZZ_LEN_bundle := 65536
FUZZ_RUNS_doc := $(FUZZ_RUNS_DOC)
FUZZ_RUNS_csv := $(FUZZ_RUNS_CSV)
FUZZ_RUNS_tmpl := $(FUZZ_RUNS_TMPL)
FUZZ_RUNS_web := $(FUZZ_RUNS_WEB)
FUZZ_RUNS_xlsx := $(FUZZ_RUNS_XLSX)
FUZZ_RUNS_scan := $(FUZZ_RUNS_SCAN)
FUZZ_RUNS_nmap := $(FUZZ_RUNS_NMAP)
FUZZ_RUNS_catimport := $(FUZZ_RUNS_CATIMPORT)
FUZZ_RUNS_ledger := $(FUZZ_RUNS_LEDGER)
FUZZ_RUNS_audit_rules := $(FUZZ_RUNS_AUDIT_RULES)
FUZZ_RUNS_audit_import := $(FUZZ_RUNS_AUDIT_IMPORT)
FUZZ_RUNS_bundle := $(FUZZ_RUNS_BUNDLE)
# sources beyond lib/ that a target needs
FUZZ_EXTRA_web := src/web/parse.c
FUZZ_BINS := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))

$(FUZZ_BUILD)/fuzz_web: src/web/parse.c src/web/parse.h

# lib/ and the embedded data are compiled once into one archive that every
# target links (compiling all of lib/ per target took most of the time)
FUZZ_OBJS := $(patsubst lib/%.c,$(FUZZ_BUILD)/obj/lib/%.o,$(LIB_SRC)) \
  $(patsubst %.c,$(FUZZ_BUILD)/obj/embed/%.o,$(FUZZ_EMBED))
FUZZ_LIB := $(FUZZ_BUILD)/libanzen-fuzz.a

FUZZ_HDRS := $(wildcard include/anzen/*.h lib/*.h lib/*/*.h data/templates/*.html)

# ninja keeps the generated data current; make then compares times
$(addprefix $(BUILD)/,$(FUZZ_EMBED)): FORCE $(BUILD)/build.ninja
	ninja -C $(BUILD) $(notdir $@)

FORCE:

$(FUZZ_BUILD)/obj/lib/%.o: lib/%.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $$(pkg-config --cflags $(FUZZ_PKGS)) -c -o $@ $<

$(FUZZ_BUILD)/obj/embed/%.o: $(BUILD)/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJS)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_EXTRA_$*) $(FUZZ_LIB) \
	  $$(pkg-config --cflags --libs $(FUZZ_PKGS))

fuzz-bins: $(FUZZ_BINS)

fuzz: deps $(FUZZ_BINS)
	$(MAKE) --no-print-directory fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)

# What make check runs: a fixed seed and a fixed number of runs, so the
# same tree always fuzzes the same inputs (a random find never makes CI
# flaky); `make fuzz FUZZ_SECONDS=600` explores further at random.
fuzz-check: $(addprefix fuzz-check-,$(FUZZ_TARGETS))

fuzz-check-%: $(FUZZ_BUILD)/fuzz_%
	rm -rf $(FUZZ_BUILD)/check-$*
	mkdir -p $(FUZZ_BUILD)/check-$*
	./$(FUZZ_BUILD)/fuzz_$* -seed=1 -runs=$(FUZZ_RUNS_$*) -max_len=$(FUZZ_LEN_$*) \
	  -rss_limit_mb=2048 -print_final_stats=1 $(FUZZ_BUILD)/check-$* $(FUZZ_CORPUS_$*)

# At random, FUZZ_SECONDS split evenly between the targets; what is found
# stays in build-fuzz/corpus-<target>.
fuzz-run: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-run-%: $(FUZZ_BUILD)/fuzz_%
	mkdir -p $(FUZZ_BUILD)/corpus-$*
	./$(FUZZ_BUILD)/fuzz_$* -max_total_time=$$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) )) \
	  -max_len=$(FUZZ_LEN_$*) -rss_limit_mb=2048 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus-$* $(FUZZ_CORPUS_$*)

format:
	./scripts/check-format.sh --fix

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ_BUILD) build-deb anzen-demo node_modules
