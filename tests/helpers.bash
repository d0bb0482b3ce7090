# tests/helpers.bash -- shared prelude, loaded by every suite.
bats_require_minimum_version 1.5.0
AM_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="${AM_BIN:-$AM_ROOT/build/bin}:$PATH"
FIX="$BATS_TEST_DIRNAME/fixtures"
DATA="$AM_ROOT/data"
SHARED="$AM_ROOT/../shared/data"
export LC_ALL=C OPENBLAS_NUM_THREADS=1 # fixed locale, fixed BLAS order

am() { # am CMD ARGS...: run CMD, under valgrind when VALGRIND=1
	if [ "${VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
		    --errors-for-leak-kinds=definite "$@"
	else
		command "$@"
	fi
}

golden() { # golden EXPECTED ACTUAL: diff -u; BLESS=1 rewrites EXPECTED
	if [ "${BLESS:-0}" = 1 ]; then cp "$2" "$1"; fi
	diff -u "$1" "$2"
}

approx() { # approx A B TOL: |A - B| <= TOL, else print both and fail
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		if (d <= t) exit 0
		printf "approx: |%s - %s| = %g > %s\n", a, b, d, t > "/dev/stderr"
		exit 1 }'
}

need_shared() { # skip unless ../shared/data/$1 exists
	[ -e "$SHARED/$1" ] || skip "needs ../shared/data/$1 (absent)"
}

one_line_error() { # the last run failed with exactly one stderr line
	[ -z "$output" ] || { echo "stdout not empty: $output"; return 1; }
	[ "${#stderr_lines[@]}" -eq 1 ] ||
	    { echo "expected 1 stderr line, got: $stderr"; return 1; }
}
