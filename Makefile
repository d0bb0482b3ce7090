# am -- machine learning for marketing data.  GNU make; outputs in build/.
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CFLAGS   ?= -O2 -g
CPPFLAGS += -Ilib -I/usr/include/x86_64-linux-gnu -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
LDLIBS   ?= -lcsv -llapacke -lopenblas -lnettle -lpthread -lm
WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion \
	-Wdouble-promotion -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wpointer-arith -Wwrite-strings -Wvla \
	-Wformat=2 -Wcast-qual -Wundef -Wimplicit-fallthrough -fno-common
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
ifeq ($(SANITIZE),1)
B ?= build-san
CFLAGS = -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
B ?= build

CMDS    = $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
LIBSRC  = $(wildcard lib/*.c)
LIBOBJ  = $(patsubst lib/%.c,$(B)/lib/%.o,$(LIBSRC))
BINS    = $(CMDS:%=$(B)/bin/%)
UNITSRC = $(wildcard tests/unit/test_*.c)
UNITS   = $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNITSRC))

all: deps $(B)/libam.a $(BINS) $(UNITS)

# Check the Debian packages we build and test with; install them when we
# are root with apt-get, otherwise print the command and stop.
deps: $(B)/.deps
$(B)/.deps: tools/deps.sh
	@sh tools/deps.sh
	@mkdir -p $(@D) && touch $@

$(B)/lib/%.o: lib/%.c | $(B)/.deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<
$(B)/libam.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIBOBJ)
$(B)/bin/%: cmd/%.c $(B)/libam.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< \
	    $(B)/libam.a $(LDLIBS)
$(B)/unit/%: tests/unit/%.c tests/unit/unit.h $(B)/libam.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(WARN) $(CFLAGS) $(LDFLAGS) -MMD -MP \
	    -o $@ $< $(B)/libam.a $(LDLIBS)

test: all
	AM_BIN="$(CURDIR)/$(B)/bin" AM_UNIT="$(CURDIR)/$(B)/unit" \
	    bats $(BATSFLAGS) tests

check: test lint

lint:
	mandoc -Tlint -Wwarning man/*.[157]
	clang-format --dry-run -Werror lib/*.[ch] cmd/*.c tests/unit/*.[ch]

demo: all
	@sh tools/demo.sh "$(B)/bin"

bench: all
	@sh tests/bench.sh "$(B)/bin"

install: all
	mkdir -p $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	for s in 1 5 7; do mkdir -p $(DESTDIR)$(MANDIR)/man$$s && \
	    install -m 0644 man/*.$$s $(DESTDIR)$(MANDIR)/man$$s || exit 1; done

clean:
	rm -rf build build-*

-include tests/fuzz/fuzz.mk
-include $(LIBOBJ:.o=.d) $(BINS:=.d) $(UNITS:=.d)
.PHONY: all deps test check lint demo bench install clean
.SECONDARY:
