# aeaudit — exact verification of "Autoencoders for Anomaly Detection are Unreliable".
# Layers: numerics/ -> theory/ -> proofs/ (bin/aeaudit).  tests/test_*.c are CUnit suites.

PKGS     := gmp mpfr gsl cunit
CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Werror
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Every cblas_* symbol (GSL's own calls included) resolves to GSL's reference CBLAS
# (-lgslcblas: plain C for baseline x86-64, the same bits on every x86-64).  OpenBLAS is
# never linked: the engine's --kernels blas path dlopen()s it (numerics/oblas.h).
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(CSTD) $(CFLAGS) $(WARN) -Inumerics -Itheory -Iproofs $(PKG_CFLAGS) -MMD -MP
LIBS        = $(PKG_LIBS) -lflint-arb -lflint -lglpk -lz -lquadmath -ldl -lm

BUILD    := build
BIN      := bin

NUM_SRC  := $(wildcard numerics/*.c)
THY_SRC  := $(wildcard theory/*.c)
PRF_SRC  := $(filter-out proofs/main.c,$(wildcard proofs/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

NUM_OBJ  := $(NUM_SRC:%.c=$(BUILD)/%.o)
THY_OBJ  := $(THY_SRC:%.c=$(BUILD)/%.o)
PRF_OBJ  := $(PRF_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libaeaudit.a
TESTS    := $(TEST_SRC:tests/%.c=$(BIN)/%)
BENCHES  := $(BENCH_SRC:tests/bench/%.c=$(BIN)/%)

# The float training engine (nn.c with nn_impl.h) may use -O3; everything else, nnfile.c
# included, is -O2.  Nothing uses fast-math.
$(BUILD)/numerics/nn.o: OPT := -O3
# The reference evaluator's operation order is its contract: no FMA contraction (fmteval.h).
$(BUILD)/numerics/fmteval.o: ALL_CFLAGS += -ffp-contract=off
$(BUILD)/numerics/nn.o $(BUILD)/numerics/pgemm.o: ALL_CFLAGS += -ffp-contract=off
# The engine without any SIMD path (-DPGEMM_SCALAR, no auto-vectorisation), linked as
# bin/aeaudit-scalar: tests/test_kernident.c checks that it trains byte-identical models.
SCALAR_OBJ := $(patsubst %.c,$(BUILD)/scalar/%.o,numerics/nn.c numerics/pgemm.c numerics/pmath.c)
$(BUILD)/scalar/numerics/nn.o: OPT := -O3
$(BUILD)/scalar/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DPGEMM_SCALAR -fno-tree-vectorize -ffp-contract=off -c $< -o $@
$(BIN)/aeaudit-scalar: $(BUILD)/proofs/main.o $(SCALAR_OBJ) $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $< $(SCALAR_OBJ) $(LIB) $(LIBS)
$(BIN)/test_kernident: | $(BIN)/aeaudit $(BIN)/aeaudit-scalar
# pmath's bits must not depend on the compiler's choice to fuse a*b+c (numerics/pmath.h).
$(BUILD)/numerics/pmath.o: ALL_CFLAGS += -ffp-contract=off

# Installs the Debian packages the build needs when they are missing (as root),
# otherwise prints the exact apt-get command and stops.  pkg-config must answer before
# the flags above are read, so the public targets first install, then re-run make.
DEB_PKGS   := libgmp-dev libmpfr-dev libgsl-dev libcunit1-dev libopenblas-dev zlib1g-dev libglpk-dev libflint-arb-dev pkg-config
BENCH_PKGS := python3-mpmath python3-torch dataset-fashion-mnist
FIG_PKGS   := gnuplot-nox

FUZZ_PKGS  := clang libclang-rt-14-dev

.PHONY: all deps check verify bench clean fuzz sanitize figures audit repro
ifndef AEAUDIT_DEPS_OK
all check sanitize repro:
	@sh tests/deps.sh $(DEB_PKGS)
	@$(MAKE) --no-print-directory AEAUDIT_DEPS_OK=1 $@
verify:
	@sh tests/deps.sh $(DEB_PKGS) $(FIG_PKGS)
	@$(MAKE) --no-print-directory AEAUDIT_DEPS_OK=1 $@
bench:
	@sh tests/deps.sh $(DEB_PKGS) $(BENCH_PKGS)
	@$(MAKE) --no-print-directory AEAUDIT_DEPS_OK=1 $@
fuzz:
	@sh tests/deps.sh $(DEB_PKGS) $(FUZZ_PKGS)
	@$(MAKE) --no-print-directory AEAUDIT_DEPS_OK=1 $@
figures audit:
	@sh tests/deps.sh $(DEB_PKGS) $(FIG_PKGS)
	@$(MAKE) --no-print-directory AEAUDIT_DEPS_OK=1 $@
else
all: $(BIN)/aeaudit $(BIN)/aeaudit-scalar $(TESTS)
endif

deps:
	@sh tests/deps.sh $(DEB_PKGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(NUM_OBJ) $(THY_OBJ) $(PRF_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/aeaudit: $(BUILD)/proofs/main.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LIBS)

$(BIN)/test_%: $(BUILD)/tests/test_%.o $(BUILD)/tests/testutil.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BIN)/bench_%: $(BUILD)/tests/bench/bench_%.o $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

ifdef AEAUDIT_DEPS_OK
# Runs every CUnit suite (all of them, even after a failure), then the quick verification;
# the last line counts the programs that passed and failed.
check: all
	@pass=0; fail=0; \
	 for t in $(TESTS); do echo "== $$t"; if ./$$t; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; done; \
	 echo "== bin/aeaudit verify --quick"; \
	 if ./$(BIN)/aeaudit verify --quick --out $(BUILD)/quick-tables; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	 echo "check: $$pass passed, $$fail failed"; \
	 [ $$fail -eq 0 ]

# The whole of `make check`, built with AddressSanitizer and UBSan (every finding fatal)
# and LeakSanitizer on, in its own build-san/ and bin-san/ so the normal build is kept.
# tests/lsan.supp lists leaks inside third-party libraries only.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
sanitize:
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 $(MAKE) --no-print-directory BUILD=build-san BIN=bin-san CFLAGS="-O1 -g $(SAN_FLAGS)" check

# The main job: every registered claim at full size; writes data/tables/, then the
# figures of the 2-D experiments into data/figures/ (as `make figures`).
verify: all
	./$(BIN)/aeaudit verify --out data/tables
	./$(BIN)/aeaudit figures --out data/figures

bench: all $(BENCHES)
	@sh tests/bench/run.sh

# Tables under imitated other CPUs (OpenBLAS kernels, glibc's non-FMA libm, the scalar
# engine) against a reference run: sh tests/repro.sh; REPRO_FLAGS=--quick for the quick run.
repro: all $(BIN)/aeaudit-scalar
	sh tests/repro.sh $(REPRO_FLAGS)

# The heat maps of the 2-D experiments (N4): data, gnuplot scripts, PNG and SVG.
figures: all
	./$(BIN)/aeaudit figures --out data/figures

# The precision audit (claims P1-P4): tables into data/tables, figures into data/figures.
audit: all
	./$(BIN)/aeaudit precision --out data/tables --figures data/figures
endif

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang into build-fuzz/ and each run
# for FUZZ_SECONDS on a scratch copy of its seed corpus (tests/fuzz/corpus/NAME/), so a
# run never writes into the repository.  Crashes land in build-fuzz/NAME-crashes/.
FUZZ_SECONDS ?= 60
FUZZ_CC      := clang
FUZZ_FLAGS   := -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -g -fsanitize=address,undefined \
                -fno-sanitize-recover=all -Inumerics $(PKG_CFLAGS)
FUZZ_NAMES   := csv decimal model idx
FUZZ_LIBSRC  := $(NUM_SRC)
FUZZ_LIBOBJ  := $(FUZZ_LIBSRC:%.c=build-fuzz/%.o)

build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lz -lm

ifdef AEAUDIT_DEPS_OK
fuzz: $(FUZZ_NAMES:%=build-fuzz/fuzz_%)
	@for n in $(FUZZ_NAMES); do \
	   rm -rf build-fuzz/$$n-corpus; mkdir -p build-fuzz/$$n-corpus build-fuzz/$$n-crashes; \
	   cp tests/fuzz/corpus/$$n/* build-fuzz/$$n-corpus/; \
	   echo "== fuzz_$$n for $(FUZZ_SECONDS) s"; \
	   ./build-fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -max_len=65536 \
	     -artifact_prefix=build-fuzz/$$n-crashes/ build-fuzz/$$n-corpus || exit 1; \
	 done
endif

clean:
	rm -rf $(BUILD) $(BIN) build-fuzz build-san bin-san

# Keep object files between runs (they are intermediates of the pattern rules).
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
