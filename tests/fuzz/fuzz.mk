# Builds the fuzz targets with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer, apart from the module's build: its own object
# files in OUT (an ignored folder), never the module's flags. Run by
# tests/fuzz/fuzz.sh as
#   make -f tests/fuzz/fuzz.mk SRC=<checkout> OUT=<folder> all
# which gives, for each target T:
#   OUT/replay_T  replay.c driving fuzz_T.c over files and folders (no libFuzzer)
#   OUT/fuzz_T    the libFuzzer binary
# The core is compiled once, with libFuzzer's coverage hooks; the sanitizer
# runtime gives them empty defaults where libFuzzer is not linked.

SRC ?= .
OUT ?= $(SRC)/tests/fuzz/out/build
CC = clang
TARGETS = csv form hours image multipart ords query sigb tpl tzif

PKGS = apr-1 apr-util-1 libxml-2.0 libcrypto libqrencode
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

# -fno-sanitize-recover=all: undefined behaviour aborts the run, as a crash does.
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS = -g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-Wno-missing-field-initializers
CPPFLAGS = -I$(SRC)/mod_tierslieux/core $(PKG_CFLAGS)
COVERAGE = -fsanitize=fuzzer-no-link

CORE_OBJS = $(patsubst $(SRC)/mod_tierslieux/core/%.c,$(OUT)/core/%.o,$(wildcard $(SRC)/mod_tierslieux/core/*.c))

all: $(addprefix $(OUT)/replay_,$(TARGETS)) $(addprefix $(OUT)/fuzz_,$(TARGETS))

$(OUT)/core/%.o: $(SRC)/mod_tierslieux/core/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANITIZE) $(COVERAGE) -MMD -MP -c $< -o $@

$(OUT)/target/%.o: $(SRC)/tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANITIZE) $(COVERAGE) -MMD -MP -c $< -o $@

$(OUT)/replay_%: $(OUT)/target/replay.o $(OUT)/target/fuzz_%.o $(CORE_OBJS)
	$(CC) $(SANITIZE) $^ $(PKG_LIBS) -o $@

$(OUT)/fuzz_%: $(OUT)/target/fuzz_%.o $(CORE_OBJS)
	$(CC) $(SANITIZE) -fsanitize=fuzzer $^ $(PKG_LIBS) -o $@

.PHONY: all
.SECONDARY:
.DELETE_ON_ERROR:

-include $(wildcard $(OUT)/core/*.d $(OUT)/target/*.d)
