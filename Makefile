# ludwig-c - one non-recursive Makefile. Objects in build/ (build-asan/ for the sanitizer build).
#   make          build build/ludwig-c
#   make test     install missing packages, build, run every test
#   make demo     install missing packages, build, run the tutorial experiment on test-data/
#   make asan     the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz     build the libFuzzer targets (Debian's clang) and run each for FUZZ_SECONDS
#   make core-test  build lib/core alone (libc, libm, threads: no third-party library) and run its tests

BUILD   ?= build
CC      ?= cc
PREFIX  ?= /usr/local
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS_DEV := libyaml-dev libzip-dev libstb-dev libxml2-dev libcjson-dev libcsv-dev pkg-config
PKGS_TEST := libopenmpi-dev openmpi-bin python3 python3-cheetah python3-lxml python3-yaml python3-docutils python3-vega-datasets fortunes libxml2-utils time unzip fonts-dejavu-core

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -pthread -MMD -MP -DLC_VERSION='"$(VERSION)"'
# Include paths per layer: a layer sees its own headers and the layers below it, never above
# (lib/core numerics < lib/io files < lib/report < lib/ludwig < tool), so lib/core cannot reach
# Ludwig semantics or a third-party header.
INC_CORE   := -Ilib/include -Ilib/core
INC_IO     := $(INC_CORE) -Ilib/io -I/usr/include/cjson -I/usr/include/stb
INC_REPORT := $(INC_IO) -Ilib/report -I/usr/include/libxml2
# lib/ludwig is laid out by stage: config -> data -> features -> model -> train -> outputs ->
# commands (experiment, train, predict, evaluate)
LUDWIG_DIRS := config data features model train outputs commands
INC_ALL    := $(INC_REPORT) $(LUDWIG_DIRS:%=-Ilib/ludwig/%)
INC        := $(INC_ALL)
LDLIBS     := -lyaml -lzip -lxml2 -lcjson -lcsv -lm -pthread
# MPI (backend horovod across processes): with Debian's Open MPI when libopenmpi-dev is installed
# (MPI=0 builds without it; `ludwig-c --version` says which). Only dist.c sees mpi.h.
MPI ?= $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1 || echo 0)
ifeq ($(MPI),1)
MPI_CFLAGS := -DLC_HAVE_MPI $(shell pkg-config --cflags ompi-c)
LDLIBS     += $(shell pkg-config --libs ompi-c)
endif
LAYERS     := core io ludwig report
SAN     :=

# ISA-specific kernels: only these files are compiled for wider vectors; dispatch is at run time.
AVX2_FLAGS   := -mavx2 -mfma
AVX512_FLAGS := -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma

LIB_SRC  := $(wildcard $(LAYERS:%=lib/%/*.c) $(if $(filter ludwig,$(LAYERS)),$(LUDWIG_DIRS:%=lib/ludwig/%/*.c)))
TOOL_SRC := $(wildcard tool/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_NAMES := csv config zipimage json torchzip safetensors
FUZZ_REPLAY := $(patsubst %,$(BUILD)/tests/fuzz_replay_%,$(FUZZ_NAMES))
LIB_A    := $(BUILD)/liblc.a
EXE      := $(BUILD)/ludwig-c

.SECONDARY:
.PHONY: all test demo asan deps test-deps clean install check-unit bench fuzz core-test
all: $(EXE)

$(BUILD)/lib/core/%.o: INC = $(INC_CORE)
# Element-wise layers whose loops only vectorise at -O3 (across independent elements or
# channels: no reassociation, the same bits as -O2)
$(BUILD)/lib/core/act.o $(BUILD)/lib/core/norm.o $(BUILD)/lib/core/dense.o \
$(BUILD)/lib/core/tokconv.o $(BUILD)/lib/core/pool2d.o $(BUILD)/lib/core/gconv.o \
$(BUILD)/lib/core/conv_eval.o $(BUILD)/lib/core/conv_wgrad.o: INC = $(INC_CORE) -O3
# The model's own loops (sequence reductions, concatenations, slices): the same at -O3
$(BUILD)/lib/ludwig/model/model.o: CFLAGS += -O3
# The recurrent cells' gate functions (lc_vmath.h) vectorise once compares may be if-converted:
# -fno-trapping-math changes no result (floating-point exceptions are never inspected).
$(BUILD)/lib/core/rnn.o: INC = $(INC_CORE) -O3 -fno-trapping-math
$(BUILD)/lib/io/%.o: INC = $(INC_IO)
$(BUILD)/lib/ludwig/train/dist.o: CFLAGS += $(MPI_CFLAGS)
# dist.o is rebuilt when MPI changes (a build made before libopenmpi-dev was installed)
$(BUILD)/lib/ludwig/train/dist.o: $(BUILD)/mpi-$(MPI).stamp
$(BUILD)/mpi-$(MPI).stamp:
	@mkdir -p $(BUILD) && rm -f $(BUILD)/mpi-*.stamp && touch $@
$(BUILD)/lib/report/%.o: INC = $(INC_REPORT)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -c $< -o $@

$(BUILD)/%_avx2.o: %_avx2.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) $(AVX2_FLAGS) -c $< -o $@

$(BUILD)/%_avx512.o: %_avx512.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) $(AVX512_FLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(EXE): $(TOOL_OBJ) $(LIB_A)
	$(CC) $(CFLAGS) $(INC) $(SAN) -o $@ $(TOOL_OBJ) $(LIB_A) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -Itests/unit -o $@ $< $(TEST_SUPPORT_OBJ) $(LIB_A) $(LDLIBS)

# The fuzz targets without libFuzzer: replay the committed corpora and findings in every test run.
$(BUILD)/tests/fuzz_replay_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/replay_main.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -o $@ $^ $(LDLIBS)

# lib/core on its own: compiled with only lib/include and lib/core on the include path and linked
# with libc, libm and threads, with the unit tests that exercise only it.
CORE_TESTS := conv core_basics gemm layers optim pool tokconv
core-test:
	@$(MAKE) --no-print-directory BUILD=build-core LAYERS=core INC='$(INC_CORE)' \
	  LDLIBS='-lm -pthread' $(CORE_TESTS:%=build-core/tests/test_%)
	@BUILD=build-core sh tests/run_unit.sh $(CORE_TESTS:%=build-core/tests/test_%)

# Install the Debian packages the build needs, only when one is missing (needs root or sudo).
deps:
	@missing=""; for p in $(PKGS_DEV); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; fi

test-deps: deps
	@missing=""; for p in $(PKGS_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; fi

check-unit: $(TEST_BIN)
	@BUILD=$(BUILD) sh tests/run_unit.sh $(TEST_BIN)

test: test-deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(FUZZ_REPLAY)
	@BUILD=$(BUILD) sh tests/run_unit.sh $(TEST_BIN)
	@BUILD=$(BUILD) sh fuzz/replay.sh
	@BUILD=$(BUILD) sh tests/run_e2e.sh
	@BUILD=$(BUILD) sh tests/galaxy/run.sh
	@$(MAKE) --no-print-directory core-test

asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

# Fuzzing: the library is rebuilt with clang in build-fuzz/; each target runs in turn for
# FUZZ_SECONDS on a scratch copy of its committed corpus (fuzz/corpus/NAME), so new inputs stay
# out of the tree, with its dictionary fuzz/NAME.dict where there is one (config's: the schema's
# key names, fuzz/make_config_dict.py). FUZZ_TARGETS picks a subset, e.g.
# make fuzz FUZZ_TARGETS=csv FUZZ_SECONDS=600.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs Debian's clang (apt-get install clang)"; exit 1; }
	@$(MAKE) --no-print-directory build-fuzz/liblc.a BUILD=build-fuzz CC=clang \
	  OPT="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)"
	@set -e; for t in $(FUZZ_TARGETS); do \
	  clang $(CFLAGS) $(INC) -Ifuzz -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -o build-fuzz/fuzz_$$t \
	    fuzz/fuzz_$$t.c build-fuzz/liblc.a $(LDLIBS); \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=60 \
	    $$( [ -f fuzz/$$t.dict ] && echo -dict=fuzz/$$t.dict ) \
	    -artifact_prefix=build-fuzz/crash-$$t- build-fuzz/corpus/$$t fuzz/corpus/$$t; \
	done

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh $(EXE)

install: $(EXE)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(EXE) $(DESTDIR)$(PREFIX)/bin/ludwig-c

clean:
	rm -rf build build-asan build-fuzz build-core

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TEST_SUPPORT_OBJ:.o=.d) $(wildcard $(BUILD)/fuzz/*.d) $(TEST_BIN:=.d)
