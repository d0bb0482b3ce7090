#!/bin/sh
# eval.sh BINDIR -- am-eval throughput on 10M scored rows: AUC with every
# binary metric and the decile table (--lift), median wall time of 3 runs,
# seconds and rows/s; then the same with --plot (all five charts) once.
# The rows are generated deterministically (a Park-Miller generator in
# awk, the same bytes under any awk) into build/bench/scored-10M.csv and
# kept for later runs.  With AM_BENCH_SKLEARN=1 and scikit-learn present,
# the AUC is also checked against roc_auc_score on the same file (slow:
# numpy parses the CSV).  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$bin:$PATH"
export LC_ALL=C
rows=${AM_BENCH_ROWS:-10000000}
data="$root/build/bench/scored-$rows.csv"

mkdir -p "$root/build/bench"
if [ ! -s "$data" ]; then
	echo "eval.sh: generating $rows scored rows into $data"
	awk -v n="$rows" 'BEGIN {
		x = 12345; print "y,score"
		for (i = 0; i < n; i++) {
			x = (x * 48271) % 2147483647; s = x / 2147483647
			x = (x * 48271) % 2147483647; u = x / 2147483647
			printf "%d,%.6f\n", u < 0.02 + 0.3 * s * s, s
		}
	}' > "$data.tmp" && mv "$data.tmp" "$data"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

now() { date +%s.%N; }
median3() { # median3 CMD...: median wall seconds of 3 runs
	for i in 1 2 3; do
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		echo "$t1 - $t0" | bc -l
	done | sort -n | sed -n 2p
}

am-eval -t y --lift --csv "$data" > "$work/lift.csv"
auc=$(am-eval -t y --csv "$data" | awk -F, '$1 == "auc" { print $2 }')
lift1=$(awk -F, 'NR == 2 { print $5 }' "$work/lift.csv")
t=$(median3 am-eval -t y --lift "$data")
printf 'am-eval auc + deciles, %d rows: %.3f s, %.0f rows/s (auc %.6f, top-decile lift %.4f)\n' \
    "$rows" "$t" "$(echo "$rows / $t" | bc -l)" "$auc" "$lift1"
t0=$(now); am-eval -t y --lift --plot "$work/all.svg" "$data" >/dev/null; t1=$(now)
printf 'am-eval --lift --plot all, %d rows: %.3f s, svg %d bytes\n' "$rows" \
    "$(echo "$t1 - $t0" | bc -l)" "$(wc -c < "$work/all.svg")"

if [ "${AM_BENCH_SKLEARN:-0}" = 1 ]; then
	if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
		t0=$(now)
		sk=$(/usr/bin/python3 -c '
import sys, numpy as np
from sklearn.metrics import roc_auc_score
d = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
print(repr(roc_auc_score(d[:, 0], d[:, 1])))' "$data")
		t1=$(now)
		printf 'sklearn roc_auc_score (numpy loadtxt included): %.3f s, auc %s, |diff| %.3g\n' \
		    "$(echo "$t1 - $t0" | bc -l)" "$sk" \
		    "$(echo "d = $auc - $sk; if (d < 0) d = -d; d" | bc -l)"
	else
		echo "eval.sh: scikit-learn is absent: no peer AUC"
	fi
fi
