# rhizome: hand-written, as Redis's. `make` builds build/rhizome;
# `make SANITIZER=address|thread|undefined` builds into build-$(SANITIZER)/.
#
#   make            the tool
#   make test       install what is missing, then the whole suite: unit and
#                   integration tests under AddressSanitizer, the thread code
#                   (queue, pool, engine) under ThreadSanitizer
#   make demo       the main job end to end on a private demo fleet
#   make bench      rhizome against mydumper, mariadb-dump and a one-statement
#                   baseline across round trips and fleet sizes (bench/README.md;
#                   QUICK=1 make bench: the 10 ms, 300-table point only)
#   make clean

SANITIZER ?=
BUILD ?= build$(if $(SANITIZER),-$(SANITIZER))
CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wstrict-prototypes -Wvla -Wwrite-strings
PKGS = libmariadb libzstd jansson inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -pthread
ALL_LDFLAGS = $(LDFLAGS) -pthread
ifneq ($(SANITIZER),)
ALL_CFLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZER)
endif

LIB_SRC = queue/queue.c workers/pool.c environments/config.c \
	environments/connpool.c engine/atomic_file.c engine/base64.c \
	engine/classify.c \
	engine/diffreport.c engine/fetch.c engine/histdiff.c engine/history.c \
	engine/jsontext.c engine/mask.c engine/normalize.c engine/progress.c \
	engine/report.c engine/rowjson.c engine/schemadiff.c engine/sha256.c \
	engine/snapshot.c \
	engine/sqlident.c engine/strbuf.c engine/sync.c engine/tablemodel.c \
	engine/versions.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ = $(BUILD)/engine/main.o

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test unit demo bench clean libraries
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

unit: $(BUILD)/rhizome $(UNIT_BIN) $(BUILD)/tests/tablemodel_check

test:
	scripts/deps.sh
	tests/run.sh

demo:
	scripts/demo.sh

bench:
	scripts/deps.sh
	scripts/build.sh all
	scripts/build.sh -C bench
	bench/bench.sh

clean:
	rm -rf build build-* bench/build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
