#!/bin/sh
# parallel.sh BINDIR -- issue #10 scale-out: scoring a 1M-row CSV of
# features (data/bank.csv repeated, cleaned and featurised by replay)
# serially with `am-predict -j 1` against GNU parallel --pipepart with 2
# single-threaded jobs (--header : --keep-order), for a logistic
# regression (cheap rows) and a 100-tree random forest (costly rows).
# Prints median wall times of RUNS runs (default 3), the ratio, and
# checks the outputs are byte-identical.  Skips without GNU parallel.
# Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$bin:$PATH"
RUNS=${RUNS:-3}
export LC_ALL=C OPENBLAS_NUM_THREADS=1
command -v parallel >/dev/null || {
	echo "parallel: GNU parallel not installed, skipped"
	exit 0
}
work=$(mktemp -d "${TMPDIR:-/tmp}/am-par.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
am-clean -q -o c.amm "$root/data/bank.csv" >bank.c.csv
am-features -q -t y -o f.amm --to bin bank.c.csv >bank.bin
am-train -q -t y -o logreg.amm bank.bin
am-train -q -a rf -t y -o rf.amm bank.bin
{
	cat "$root/data/bank.csv"
	i=0
	while [ $i -lt 221 ]; do
		tail -n +2 "$root/data/bank.csv"
		i=$((i + 1))
	done
} >big.csv
am-clean -q -m c.amm big.csv | am-features -q -m f.amm >feat.csv
echo "parallel: $(($(wc -l <feat.csv) - 1)) rows"
tail='if [ {#} -gt 1 ]; then tail -n +2; else cat; fi'

secs() { # secs CMD...: wall seconds of one run
	s=$(date +%s.%N)
	"$@"
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for m in logreg rf; do
	: >ser.t
	: >par.t
	r=0
	while [ $r -lt "$RUNS" ]; do
		secs sh -c "am-predict -j 1 -m $m.amm feat.csv >ser.csv" >>ser.t
		secs sh -c "parallel --pipepart -a feat.csv --header : \
		    --keep-order -j 2 --block -1 \
		    'am-predict -j 1 -m $m.amm | $tail' >par.csv" >>par.t
		cmp -s ser.csv par.csv || {
			echo "parallel: $m: outputs differ"
			exit 1
		}
		r=$((r + 1))
	done
	s=$(median <ser.t)
	p=$(median <par.t)
	echo "parallel: $m scoring, serial $s s, 2 jobs $p s," \
	    "speed-up $(echo "$s $p" | awk '{ printf "%.2f", $1 / $2 }')x" \
	    "(identical output)"
done
