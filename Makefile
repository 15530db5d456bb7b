# rhizome: hand-written, as Redis's. `make` builds build/rhizome;
# `make SANITIZER=address|thread|undefined` builds into build-$(SANITIZER)/.
#
#   make            the tool
#   make test       install what is missing, then the whole suite: unit and
#                   integration tests under AddressSanitizer, the thread code
#                   (queue, pool, engine) under ThreadSanitizer
#   make demo       the main job end to end on a private demo fleet
#   make bench      rhizome against mydumper, mariadb-dump and a one-statement
#                   baseline across round trips and fleet sizes, then the bulk
#                   export and load against mydumper and myloader (bench/README.md;
#                   QUICK=1 make bench: the 10 ms, 300-table point only, and
#                   250,000 bulk rows once)
#   make clean

SANITIZER ?=
BUILD ?= build$(if $(SANITIZER),-$(SANITIZER))
CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wstrict-prototypes -Wvla -Wwrite-strings
PKGS = libmariadb libzstd jansson inih libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -I. $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -pthread
ALL_LDFLAGS = $(LDFLAGS) -pthread
ifneq ($(SANITIZER),)
ALL_CFLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZER)
endif

# One line per layer, lowest first (README: Layout).
LIB_SRC = queue/queue.c workers/pool.c \
	engine/base/alloc.c engine/base/fatal.c engine/base/strsort.c engine/base/utf8.c engine/base/strbuf.c engine/base/strset.c engine/base/jsontext.c engine/base/sha256.c engine/base/base64.c engine/base/duration.c engine/base/path.c \
	environments/optionfile.c environments/tablelist.c environments/config.c environments/greeting.c \
	environments/connpool.c environments/localinfile.c \
	engine/store/atomic_file.c engine/store/snapshot.c engine/store/bulkchunk.c engine/store/bulkdir.c engine/store/bulkmanifest.c engine/store/history.c \
	engine/store/runlog.c \
	engine/output/progress.c engine/output/diffreport.c engine/output/eventlog.c \
	engine/output/termtext.c engine/output/summarytext.c engine/output/loadtext.c engine/output/bulktext.c \
	engine/schema/sqltoken.c engine/schema/normalize.c engine/schema/classify.c \
	engine/schema/tablemodel.c engine/schema/tablemodel_token.c \
	engine/schema/tablemodel_parse.c engine/schema/tablemodel_render.c \
	engine/schema/schemadiff.c engine/schema/schemadiff_type.c \
	engine/schema/schemadiff_column.c engine/schema/schemadiff_keys.c \
	engine/rows/mask.c engine/rows/rowjson.c engine/rows/rowfile.c \
	engine/gen/pytype.c engine/gen/pyname.c engine/gen/pymodule.c engine/gen/sqlmodel.c engine/gen/sqlmodel_files.c \
	engine/fetch/sqlident.c engine/fetch/sqlvalue.c engine/fetch/fetch.c engine/fetch/sqlbatch.c engine/fetch/loadsql.c engine/fetch/keyfollow.c engine/fetch/bulksql.c \
	engine/commands/schedule.c engine/commands/sync.c engine/commands/sync_worker.c \
	engine/commands/sync_table.c engine/commands/runguard.c \
	engine/commands/load.c engine/commands/load_plan.c \
	engine/commands/bulk.c engine/commands/bulk_plan.c engine/commands/bulk_part.c \
	engine/commands/sync_summary.c engine/commands/report.c engine/commands/fleetversions.c \
	engine/commands/versions.c engine/commands/genmodels.c \
	engine/commands/histdiff.c engine/commands/schemahash.c \
	engine/commands/status.c engine/commands/verify.c \
	engine/commands/verify_history.c engine/commands/verify_files.c \
	engine/commands/verify_json.c \
	engine/commands/runs.c engine/commands/restore.c engine/commands/histline.c \
	engine/commands/tablefiles.c engine/commands/tablelines.c \
	$(CLI_SRC)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
# The command line: only main.c exits; the rest is in the library so the
# unit tests can reach it.
CLI_SRC = engine/cli/args.c engine/cli/configfind.c engine/cli/suggest.c engine/cli/usage.c engine/cli/run.c \
	engine/cli/run_history.c engine/cli/run_load.c engine/cli/run_bulk.c
MAIN_OBJ = $(BUILD)/engine/cli/main.o

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit demo bench clean libraries install uninstall
all: $(BUILD)/rhizome

# Without this a missing -dev package shows up as "mysql.h: No such file"
# deep in the compiler's output: say which library is missing instead.
libraries:
	@command -v pkg-config >/dev/null || { echo "Makefile: pkg-config not found; scripts/deps.sh installs it" >&2; exit 1; }
	@pkg-config --exists $(PKGS) || { pkg-config --print-errors --exists $(PKGS); \
		echo "Makefile: error: missing libraries (pkg-config: $(PKGS)); scripts/deps.sh installs them" >&2; exit 1; }

$(LIB_OBJ) $(MAIN_OBJ): | libraries

$(BUILD)/rhizome: $(MAIN_OBJ) $(BUILD)/librhizome.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/librhizome.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/check.h $(BUILD)/librhizome.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/librhizome.a $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/tablemodel_check: tests/tools/tablemodel_check.c $(BUILD)/librhizome.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/librhizome.a $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/pytype_check: tests/tools/pytype_check.c $(BUILD)/librhizome.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/librhizome.a $(ALL_LDFLAGS) $(PKG_LIBS)

# The fault-injection shim of the local-fault tests (tests/tools/fsfault.c),
# preloaded into rhizome: never with sanitizer flags, whatever the build (it
# sits ahead of libc, and of ASan's runtime when the test sets
# verify_asan_link_order=0).
$(BUILD)/tests/fsfault.so: tests/tools/fsfault.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARNINGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

unit: $(BUILD)/rhizome $(UNIT_BIN) $(BUILD)/tests/tablemodel_check $(BUILD)/tests/pytype_check \
	$(BUILD)/tests/fsfault.so

test:
	scripts/deps.sh --for test
	tests/run.sh

demo:
	scripts/demo.sh

bench:
	scripts/deps.sh --for bench
	scripts/build.sh all
	scripts/build.sh -C bench
	bench/bench.sh
	bench/bulk.sh

# Installs the binary, the man page and the bash completion under
# $(DESTDIR)$(PREFIX) (PREFIX /usr/local by default; DESTDIR for packages).
PREFIX ?= /usr/local
install: $(BUILD)/rhizome
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(BUILD)/rhizome $(DESTDIR)$(PREFIX)/bin/rhizome
	install -m 644 docs/rhizome.1 $(DESTDIR)$(PREFIX)/share/man/man1/rhizome.1
	install -m 644 docs/completion/rhizome.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rhizome

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rhizome \
		$(DESTDIR)$(PREFIX)/share/man/man1/rhizome.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rhizome

clean:
	rm -rf build build-* bench/build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
