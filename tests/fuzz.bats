#!/usr/bin/env bats
# tests/fuzz.bats -- the fuzzing tools themselves: the option-parser fuzz,
# the libFuzzer harnesses on their seed corpus (when built with
# "make fuzz"), and the fault-injection shim (so that the fault tests of
# hardening.bats cannot pass by injecting nothing).
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	BIN=$(dirname "$(command -v am-train)")
	SHIM=$BIN/../fault/failat.so
	SMALL=$FIX/am-features/small.csv
}

@test "fuzz: every option parser survives random command lines" {
	[ "${VALGRIND:-0}" != 1 ] || skip "too slow under valgrind"
	run -0 "$AM_ROOT/tests/fuzz/argv.sh" "$BIN" 15 1
	[[ "${lines[-1]}" == "argv: "*" runs, 0 failed" ]]
}

@test "fuzz: the libFuzzer harnesses pass over their seed corpus" {
	ls "$BIN"/../fuzz/fuzz_* >/dev/null 2>&1 || skip "run 'make fuzz' first"
	n=0
	for h in "$BIN"/../fuzz/fuzz_*; do
		case $h in *.d | *.log) continue ;; esac
		name=$(basename "$h")
		run "$h" -runs=0 "$AM_ROOT/tests/fuzz/corpus/$name"
		[ "$status" -eq 0 ] || { echo "$name: status $status"; echo "$output" | tail -5; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

shim() { # shim FUNC N STICKY CMD...: run CMD alone under the shim; status 1
	local f=$1 n=$2 st=$3
	shift 3
	run -1 --separate-stderr bash -c 'FAILAT_FUNC=$0 FAILAT_N=$1 \
	    FAILAT_STICKY=$2 LD_PRELOAD=$3 exec "${@:4}"' "$f" "$n" "$st" \
	    "$SHIM" "$@"
}

@test "fuzz: the failat shim makes the Nth call of each family fail" {
	[ "${VALGRIND:-0}" != 1 ] || skip "not under valgrind"
	! grep -q __asan_init "$BIN/am-features" || skip "needs a plain build"
	[ -e "$SHIM" ] || skip "no $SHIM"
	for f in write fsync rename malloc fopen; do
		FAILAT_FUNC=$f FAILAT_COUNT=count LD_PRELOAD=$SHIM \
		    am-features -t y -o f.amm --to bin "$SMALL" >/dev/null
		[ "$(cat count)" -ge 1 ]
	done
	rm -f f.amm
	shim rename 1 0 am-features -t y -o f.amm --to csv "$SMALL"
	[ "$stderr" = "am-features: cannot write 'f.amm': Input/output error" ]
	[ ! -e f.amm ]
	shim malloc 1 1 am-features -t y -o f.amm --to csv "$SMALL"
	[ ! -e f.amm ]
	shim fopen 1 0 am-features -t y --to csv "$SMALL"
	[[ "$stderr" == *"Permission denied"* ]]
}

# fuzz_argv: every program in process (tests/fuzz/fuzz_argv.c).  With
# -close_fd_mask=0 the programs' stdout and stderr pass through, so that
# one input shows what its program did.
argv_input() { # argv_input FILE PROG-INDEX WORD...: write one fuzz_argv input
	local f=$1 i=$2
	shift 2
	printf "\\$(printf %03o "$i")" >"$f"
	(IFS=$'\n'; printf '%s' "$*") >>"$f"
}

argv_harness() {
	ARGV=$BIN/../fuzz/fuzz_argv
	[ -x "$ARGV" ] || skip "run 'make fuzz' first"
}

@test "fuzz: fuzz_argv runs the program the first byte picks, argv split at newlines" {
	argv_harness
	argv_input a 7 --bogus
	argv_input b 0 --version
	argv_input c 4 show model.amm
	run -0 --separate-stderr "$ARGV" -close_fd_mask=0 a b c
	[[ "$stderr" == *"am-train: unknown option '--bogus'"* ]]
	[[ "$stderr" == *"usage: am-train "* ]]
	[[ "$output" == *"am (am) "* ]]
	[[ "$output" == *"logreg"* ]]
}

@test "fuzz: fuzz_argv skips inputs that leave the scratch folder or would take long" {
	argv_harness
	argv_input out 1 -o /tmp/am-fuzz-argv-must-not-exist.amm small.csv
	argv_input big 7 -a rf --trees 100000 -t y --id id -o m.amm train.csv
	argv_input hex 7 -a rf --trees 0x1p20 -t y --id id -o m.amm train.csv
	argv_input ok 7 -a rf --trees 3 -t y --id id -o m.amm train.csv
	argv_input notdir 1 -o notdir/x.amm small.csv
	run -0 --separate-stderr "$ARGV" -close_fd_mask=0 out big hex
	[ -z "$output" ]
	[[ "$stderr" != *am-* ]]
	[ ! -e /tmp/am-fuzz-argv-must-not-exist.amm ]
	run -0 --separate-stderr "$ARGV" -close_fd_mask=0 ok notdir
	[[ "$stderr" == *"am-train: rf: 8 rows"* ]]
	[[ "$stderr" == *"am-clean: cannot create 'notdir/x.amm'"* ]]
}

@test "fuzz: fuzz_argv restores fixtures a run replaced, and removes new files" {
	argv_harness
	argv_input a 7 -a kmeans -k 2 -o model.amm seg.bin
	argv_input b 4 show model.amm
	argv_input c 7 -a kmeans -k 2 -o new.amm seg.bin
	argv_input d 4 show new.amm
	run -0 --separate-stderr "$ARGV" -close_fd_mask=0 a b c d
	[[ "$output" == *"logreg"* ]]
	[[ "$output" != *"kmeans"* ]]
	[[ "$stderr" == *"am-model: cannot open 'new.amm'"* ]]
	# and the scratch folder of a harness that died goes at the next start
	[ -w /dev/shm ] || return 0
	dead=$(sh -c 'echo $$')
	mkdir "/dev/shm/am-fuzz-argv.$dead.bats"
	run -0 "$ARGV" a
	[ ! -e "/dev/shm/am-fuzz-argv.$dead.bats" ]
}

@test "fuzz: fuzz_argv frees what a run held when it exits, and nothing leaks" {
	argv_harness
	# am-eval allocates before parsing, --require allocates while parsing,
	# --bogus then exits through usage()
	argv_input a 2 --require 'auc>=0.5' --require 'rows>=1' --bogus
	argv_input b 3 --bin uniform:3:age --onehot city --drop city -Z
	run -0 --separate-stderr "$ARGV" -close_fd_mask=0 -detect_leaks=1 a b
	[[ "$stderr" == *"usage: am-eval "* ]]
	[[ "$stderr" == *"usage: am-features "* ]]
	[[ "$stderr" != *LeakSanitizer* ]]
}
