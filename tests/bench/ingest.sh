#!/bin/sh
# SPDX-License-Identifier: MIT
# ingest.sh -- am-clean against Miller on the three streaming operations
# of issue 4: pass-through (mlr --icsv --ocsv cat), exact dedupe (mlr head
# -n 1 -g ALL-COLUMNS) and imputation replay (mlr fill-empty), on the
# generated 1M-row mixed file and on online-retail.  Each command runs
# $RUNS times (default 3), am-clean and Miller alternating so that both
# see the same machine load; the table gives the median wall time and
# median peak RSS (GNU time %M) of each, and Miller's time and memory
# divided by am-clean's (the goal: >= 10 on both).
#
# usage: sh tests/bench/ingest.sh BINDIR
#
# The mixed file comes from tools/gen-mixed.py (cached in build/bench/);
# online-retail from ../shared/data, skipped with a message when absent,
# as is Miller when not installed.  Numbers only; nothing here is a test.
set -eu

BIN=${1:?usage: sh tests/bench/ingest.sh BINDIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$ROOT/build/bench
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
mkdir -p "$CACHE"
MIXED=$CACHE/mixed-$ROWS.csv
if [ ! -s "$MIXED" ]; then
	echo "generating $MIXED ($ROWS rows)..." >&2
	python3 "$ROOT/tools/gen-mixed.py" "$ROWS" 1 > "$MIXED.tmp"
	mv "$MIXED.tmp" "$MIXED"
fi
RETAIL=$CACHE/online_retail.csv
GZ=$ROOT/../shared/data/online-retail/online_retail.csv.gz
if [ ! -s "$RETAIL" ] && [ -e "$GZ" ]; then
	gzip -dc "$GZ" > "$RETAIL.tmp"
	mv "$RETAIL.tmp" "$RETAIL"
fi
if [ ! -x /usr/bin/time ]; then
	echo "ingest.sh: needs GNU time (/usr/bin/time), skipped"
	exit 0
fi
if ! command -v mlr > /dev/null 2>&1; then
	echo "ingest.sh: mlr not installed, no ratios"
fi

# once CMD...: "seconds KB" of one run, output discarded.
once() {
	/usr/bin/time -f '%e %M' -o "$CACHE/time.out" "$@" > /dev/null
	tail -n 1 "$CACHE/time.out"
}

# median FILE COLUMN: the median of a column of numbers.
median() {
	sort -g -k "$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
	    END { print v[int((NR + 1) / 2)] }'
}

# row NAME FILE AM-ARGS -- MLR-ARGS: time both, print one table row.
row() {
	name=$1 f=$2
	shift 2
	amargs=
	while [ "$1" != -- ]; do
		amargs="$amargs $1"
		shift
	done
	shift
	: > "$CACHE/am.t"
	: > "$CACHE/mlr.t"
	i=0
	while [ $i -lt "$RUNS" ]; do
		# shellcheck disable=SC2086
		once "$BIN/am-clean" $amargs "$f" >> "$CACHE/am.t"
		if command -v mlr > /dev/null 2>&1; then
			once mlr --icsv --ocsv "$@" "$f" >> "$CACHE/mlr.t"
		fi
		i=$((i + 1))
	done
	at=$(median "$CACHE/am.t" 1)
	am=$(median "$CACHE/am.t" 2)
	if [ -s "$CACHE/mlr.t" ]; then
		mt=$(median "$CACHE/mlr.t" 1)
		mm=$(median "$CACHE/mlr.t" 2)
	else
		mt=nan mm=nan
	fi
	awk -v n="$name" -v at="$at" -v am="$am" -v mt="$mt" -v mm="$mm" \
	    'BEGIN { printf "%-14s %8.2f s %8d KB %8.2f s %9d KB %7.1fx %7.1fx\n",
	    n, at, am, mt, mm, mt / (at > 0 ? at : 0.01), mm / am }'
}

bench() { # bench FILE
	f=$1
	mb=$(wc -c < "$f" | awk '{ printf "%.1f", $1 / 1e6 }')
	echo "== $(basename "$f") ($mb MB, $(($(wc -l < "$f") - 1)) lines), median of $RUNS"
	printf '%-14s %10s %11s %10s %12s %8s %8s\n' operation am-clean \
	    "am RSS" Miller "mlr RSS" time mem
	cols=$(head -1 "$f" | tr -d '"\r')
	"$BIN/am-clean" -q -o "$CACHE/bench.amm" "$f" > /dev/null
	row pass-through "$f" -- cat
	row dedupe "$f" --dedupe -- head -n 1 -g "$cols"
	row impute-replay "$f" -m "$CACHE/bench.amm" -- fill-empty
}

bench "$MIXED"
if [ -s "$RETAIL" ]; then
	bench "$RETAIL"
else
	echo "online_retail.csv: ../shared/data absent, skipped"
fi
