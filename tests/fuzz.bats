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
