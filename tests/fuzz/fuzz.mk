# tests/fuzz/fuzz.mk -- hardening targets, included by the top Makefile.
#
#   make fuzz          build the libFuzzer harnesses into $(B)/fuzz/
#   make fuzz-smoke    run each harness for FUZZ_TIME seconds on its seed
#                      corpus (tests/fuzz/corpus/NAME); fails on any crash,
#                      leak, timeout or sanitizer report
#   make fuzz-argv     run tests/fuzz/argv.sh (random command lines, one
#                      process each; fuzz_argv does it in process)
#
# The fault-injection shim $(B)/fault/failat.so (tests/fault/failat.c) is
# built with 'all', for tests/hardening.bats.

FUZZCC    ?= clang
FUZZ_TIME ?= 20
FUZZSAN    = -fsanitize=address,undefined -fno-sanitize-recover=all $(FUZZ_KNOWN)
FUZZFLAGS  = -O1 -g -fno-omit-frame-pointer
# Open bugs the harnesses tolerate so that fuzz-smoke looks for new ones
# (each with a dated test in tests/hardening.bats); none at present.
FUZZ_KNOWN ?=
FUZZNAMES  = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZERS    = $(FUZZNAMES:%=$(B)/fuzz/%)
FUZZLIBOBJ = $(patsubst lib/%.c,$(B)/fuzz/lib/%.o,$(LIBSRC))

fuzz: $(FUZZERS)

$(B)/fuzz/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(WARN) $(FUZZFLAGS) $(FUZZSAN) \
	    -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(B)/fuzz/libam.a: $(FUZZLIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $(FUZZLIBOBJ)
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/fuzz/rows.h \
    $(B)/fuzz/libam.a
	$(FUZZCC) $(CPPFLAGS) -Itests/fuzz $(WARN) $(FUZZFLAGS) $(FUZZSAN) \
	    -fsanitize=fuzzer -MMD -MP -o $@ $< $(B)/fuzz/libam.a $(LDLIBS)

# fuzz_argv runs every program in process: each cmd/*.c is compiled with
# its main() renamed and its exits redirected (tests/fuzz/fuzz_cmd.h).
FUZZCMDOBJ = $(patsubst cmd/%.c,$(B)/fuzz/cmd/%.o,$(wildcard cmd/*.c))
$(B)/fuzz/cmd/%.o: cmd/%.c tests/fuzz/fuzz_cmd.h
	@mkdir -p $(@D)
	$(FUZZCC) $(CPPFLAGS) $(WARN) $(FUZZFLAGS) $(FUZZSAN) \
	    -fsanitize=fuzzer-no-link -include tests/fuzz/fuzz_cmd.h \
	    -DFUZZ_CMD $(if $(filter am,$*),-DFUZZ_CMD_AM) \
	    -Dmain=am_fuzz_main_$(subst -,_,$*) -MMD -MP -c -o $@ $<
$(B)/fuzz/fuzz_argv: tests/fuzz/fuzz_argv.c tests/fuzz/fuzz.h \
    tests/fuzz/fuzz_cmd.h tests/fuzz/fuzz_argv.dict $(FUZZCMDOBJ) \
    $(B)/fuzz/libam.a
	$(FUZZCC) $(CPPFLAGS) -Itests/fuzz $(WARN) $(FUZZFLAGS) $(FUZZSAN) \
	    -DFUZZ_DICT='"$(CURDIR)/tests/fuzz/fuzz_argv.dict"' \
	    -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZCMDOBJ) \
	    $(B)/fuzz/libam.a $(LDLIBS)

fuzz-smoke: fuzz
	@sh tests/fuzz/smoke.sh "$(B)/fuzz" "$(FUZZ_TIME)" $(FUZZNAMES)

fuzz-argv: all
	@sh tests/fuzz/argv.sh "$(B)/bin"

# The shim is built without the sanitizers or CFLAGS of the build: it is
# preloaded into plain binaries only.
all: $(B)/fault/failat.so
$(B)/fault/failat.so: tests/fault/failat.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -O2 -g -fPIC -shared -o $@ $< -ldl

-include $(FUZZERS:=.d) $(FUZZLIBOBJ:.o=.d) $(FUZZCMDOBJ:.o=.d)
.PHONY: fuzz fuzz-smoke fuzz-argv
