#!/usr/bin/env bats
# lib.bats -- run the unit-test programs built from tests/unit/test_*.c,
# one test case per module (bats 1.8 cannot generate cases at run time, so
# the list is kept here and the last case checks that it is complete).
load helpers

UNIT="${AM_UNIT:-$AM_ROOT/build/unit}"
MODULES="art buf clean cli csv dtoa feat fs gmm io kmeans linreg logreg mat metrics mlp plot pool rand rank rec rf store strtab svm table"

unit() {
	local t="$UNIT/test_$1"
	[ -e "$AM_ROOT/tests/unit/test_$1.c" ] || skip "no tests/unit/test_$1.c yet"
	[ -x "$t" ] || { echo "not built: $t"; return 1; }
	run --separate-stderr am "$t"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "lib: am_art" { unit art; }
@test "lib: am_buf" { unit buf; }
@test "lib: am_clean" { unit clean; }
@test "lib: am_cli and am_err" { unit cli; }
@test "lib: am_csv" { unit csv; }
@test "lib: am_dtoa" { unit dtoa; }
@test "lib: am_feat" { unit feat; }
@test "lib: am_fs" { unit fs; }
@test "lib: am_gmm" { unit gmm; }
@test "lib: am_io" { unit io; }
@test "lib: am_kmeans" { unit kmeans; }
@test "lib: am_linreg" { unit linreg; }
@test "lib: am_logreg" { unit logreg; }
@test "lib: am_mat" { unit mat; }
@test "lib: am_metrics" { unit metrics; }
@test "lib: am_mlp" { unit mlp; }
@test "lib: am_plot" { unit plot; }
@test "lib: am_pool" { unit pool; }
@test "lib: am_rand" { unit rand; }
@test "lib: am_rank" { unit rank; }
@test "lib: am_strtab" { unit strtab; }
@test "lib: am_rec" { unit rec; }
@test "lib: am_rf" { unit rf; }
@test "lib: am_store" { unit store; }
@test "lib: am_svm" { unit svm; }
@test "lib: am_table" { unit table; }

@test "lib: every tests/unit/test_*.c has a case above" {
	for src in "$AM_ROOT"/tests/unit/test_*.c; do
		[ -e "$src" ] || continue
		m=$(basename "$src" .c)
		m=${m#test_}
		[[ " $MODULES " == *" $m "* ]] || { echo "add $m to lib.bats"; return 1; }
	done
}
