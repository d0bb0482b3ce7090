#!/bin/sh
# SPDX-License-Identifier: MIT
# ingest.sh -- CSV ingest speed: am-clean pass-through against Miller
# (mlr --icsv --ocsv cat) and wc -l, dedupe against mlr head -n 1 -g,
# imputation replay against mlr fill-empty; median of 5 runs each, in
# MB/s, with peak RSS.
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
	ifs=,
	head -1 "$f" | grep -q ';' && ifs=';'
	am=$(median_time "$BIN/am-clean" "$f")
	printf '%-28s %8.3f s %8.1f MB/s\n' "am-clean (pass-through)" "$am" \
	    "$(echo "$mb $am" | awk '{ print $1 / $2 }')"
	wc=$(median_time wc -l "$f")
	printf '%-28s %8.3f s %8.1f MB/s   am-clean is %.1fx slower\n' \
	    "wc -l" "$wc" "$(echo "$mb $wc" | awk '{ print $1 / $2 }')" \
	    "$(echo "$am $wc" | awk '{ print $1 / $2 }')"
	if command -v mlr > /dev/null 2>&1; then
		ml=$(median_time mlr --icsv --ifs "$ifs" --ocsv cat "$f")
		printf '%-28s %8.3f s %8.1f MB/s   am-clean is %.1fx faster\n' \
		    "mlr --icsv --ocsv cat" "$ml" \
		    "$(echo "$mb $ml" | awk '{ print $1 / $2 }')" \
		    "$(echo "$ml $am" | awk '{ print $1 / $2 }')"
	else
		echo "mlr: not installed, skipped"
	fi
	# dedupe (exact rows) and imputation replay against their Miller peers
	cols=$(head -1 "$f" | tr -d '"' | tr "$ifs" ',')
	"$BIN/am-clean" -q -o "$CACHE/bench.amm" "$f" > /dev/null
	dd=$(median_time "$BIN/am-clean" --dedupe "$f")
	rp=$(median_time "$BIN/am-clean" -m "$CACHE/bench.amm" "$f")
	printf '%-28s %8.3f s %8.1f MB/s   peak %s KB\n' "am-clean --dedupe" "$dd" \
	    "$(echo "$mb $dd" | awk '{ print $1 / $2 }')" "$(peak "$BIN/am-clean" --dedupe "$f")"
	printf '%-28s %8.3f s %8.1f MB/s   peak %s KB\n' "am-clean -m (impute replay)" "$rp" \
	    "$(echo "$mb $rp" | awk '{ print $1 / $2 }')" "$(peak "$BIN/am-clean" -m "$CACHE/bench.amm" "$f")"
	if command -v mlr > /dev/null 2>&1; then
		md=$(median_time mlr --icsv --ifs "$ifs" --ocsv head -n 1 -g "$cols" "$f")
		mf=$(median_time mlr --icsv --ifs "$ifs" --ocsv fill-empty "$f")
		printf '%-28s %8.3f s   am-clean --dedupe is %.1fx faster; peak %s KB\n' \
		    "mlr head -n 1 -g (all)" "$md" "$(echo "$md $dd" | awk '{ print $1 / $2 }')" \
		    "$(peak mlr --icsv --ifs "$ifs" --ocsv head -n 1 -g "$cols" "$f")"
		printf '%-28s %8.3f s   am-clean -m is %.1fx faster; peak %s KB\n' \
		    "mlr fill-empty" "$mf" "$(echo "$mf $rp" | awk '{ print $1 / $2 }')" \
		    "$(peak mlr --icsv --ifs "$ifs" --ocsv fill-empty "$f")"
	fi
}

# peak CMD...: peak resident set of one run, in KB (GNU time), or '?'.
peak() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 > /dev/null | tail -n 1
	else
		echo '?'
	fi
}

bench "$MIXED"
FULL=$ROOT/../shared/data/bank-marketing/bank-full.csv
if [ -e "$FULL" ]; then
	bench "$FULL"
else
	echo "bank-full.csv: absent, skipped"
fi
