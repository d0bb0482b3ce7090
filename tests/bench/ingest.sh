#!/bin/sh
# SPDX-License-Identifier: MIT
# ingest.sh -- CSV ingest speed: am-clean pass-through against Miller
# (mlr --icsv --ocsv cat) and wc -l, median of 5 runs each, in MB/s.
#
# usage: sh tests/bench/ingest.sh BINDIR
#
# Generates a 1M-row, 30-column mixed CSV with tools/gen-mixed.py (cached
# in build/bench/), and also times ../shared/data/bank-marketing/
# bank-full.csv when present.  Peers that are not installed are skipped
# with a message.  Numbers only; nothing here is a test.
set -eu

BIN=${1:?usage: sh tests/bench/ingest.sh BINDIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$ROOT/build/bench
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-5}
mkdir -p "$CACHE"
MIXED=$CACHE/mixed-$ROWS.csv
if [ ! -s "$MIXED" ]; then
	echo "generating $MIXED ($ROWS rows)..." >&2
	python3 "$ROOT/tools/gen-mixed.py" "$ROWS" 1 > "$MIXED.tmp"
	mv "$MIXED.tmp" "$MIXED"
fi

# median_time CMD...: median wall seconds of $RUNS runs, output discarded.
median_time() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		"$@" > /dev/null
		e=$(date +%s.%N)
		echo "$s $e" | awk '{ printf "%.4f\n", $2 - $1 }'
		i=$((i + 1))
	done | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

bench() { # bench FILE
	f=$1
	mb=$(wc -c < "$f" | awk '{ printf "%.1f", $1 / 1e6 }')
	echo "== $f ($mb MB, $(($(wc -l < "$f") - 1)) rows)"
	am=$(median_time "$BIN/am-clean" "$f")
	printf '%-28s %8.3f s %8.1f MB/s\n' "am-clean (pass-through)" "$am" \
	    "$(echo "$mb $am" | awk '{ print $1 / $2 }')"
	wc=$(median_time wc -l "$f")
	printf '%-28s %8.3f s %8.1f MB/s   am-clean is %.1fx slower\n' \
	    "wc -l" "$wc" "$(echo "$mb $wc" | awk '{ print $1 / $2 }')" \
	    "$(echo "$am $wc" | awk '{ print $1 / $2 }')"
	if command -v mlr > /dev/null 2>&1; then
		ifs=,
		head -1 "$f" | grep -q ';' && ifs=';'
		ml=$(median_time mlr --icsv --ifs "$ifs" --ocsv cat "$f")
		printf '%-28s %8.3f s %8.1f MB/s   am-clean is %.1fx faster\n' \
		    "mlr --icsv --ocsv cat" "$ml" \
		    "$(echo "$mb $ml" | awk '{ print $1 / $2 }')" \
		    "$(echo "$ml $am" | awk '{ print $1 / $2 }')"
	else
		echo "mlr: not installed, skipped"
	fi
}

bench "$MIXED"
FULL=$ROOT/../shared/data/bank-marketing/bank-full.csv
if [ -e "$FULL" ]; then
	bench "$FULL"
else
	echo "bank-full.csv: absent, skipped"
fi
