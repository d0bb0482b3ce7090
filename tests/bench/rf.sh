#!/bin/sh
# rf.sh BINDIR -- am-train -a rf against scikit-learn's
# RandomForestClassifier (100 trees, n_jobs=2) on the UCI bank-full data:
# the same features (one-hot + standard scaling by am-features, fitted on
# a seeded 80% split by am-clean, replayed on the other 20%).  Prints the
# median wall time of RUNS runs (default 3) of each and the peak RSS
# (/usr/bin/time -v) of the whole process, their ratios, and the test AUC
# of each.  am is timed from its binary stream, parsing included;
# scikit-learn's time is its fit alone (the CSV load not counted), its
# memory the whole process.  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
full="$root/../shared/data/bank-marketing/bank-full.csv"
PATH="$bin:$PATH"
RUNS=${RUNS:-3}
export LC_ALL=C OPENBLAS_NUM_THREADS=1

[ -f "$full" ] || { echo "rf.sh: skipped: $full is absent"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench-rf.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

am-clean -q --split 0.8 --test test.csv -s 1 "$full" > train.csv
am-features -q -t y -o f.amm --to bin train.csv > train.bin
am-features -q -m f.amm --to bin test.csv > test.bin
echo "rows: $(($(wc -l < train.csv) - 1)) train, $(($(wc -l < test.csv) - 1)) test"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall() { # wall CMD...: wall seconds and peak RSS (kB) of one run
	/usr/bin/time -f '%e %M %U %S' -o t.out "$@" >/dev/null 2>&1
	cat t.out
}

: > am.t
i=0
while [ $i -lt "$RUNS" ]; do
	wall am-train -q -a rf --trees 100 -j 2 -t y -o m.amm train.bin >> am.t
	i=$((i + 1))
done
ta=$(cut -d' ' -f1 am.t | median)
ma=$(cut -d' ' -f2 am.t | sort -n | tail -1)
ca=$(awk '{ print $3 + $4 }' am.t | median)
t0=$(date +%s.%N)
am-predict -m m.amm test.bin > am.csv
tp=$(echo "$(date +%s.%N) - $t0" | bc -l)
aa=$(am-eval -t y -p score --csv am.csv | awk -F, '$1 == "auc" { print $2 }')
printf 'am-train -a rf -j 2: %.2f s (median of %d), peak RSS %d MB, test auc %.4f; am-predict %.2f s\n' \
    "$ta" "$RUNS" $((ma / 1024)) "$aa" "$tp"

if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	echo "rf.sh: scikit-learn skipped: python3-sklearn is not installed"
	exit 0
fi
am-features -q -m f.amm --to csv train.csv > train.f.csv
am-features -q -m f.amm --to csv test.csv > test.f.csv
: > sk.t
i=0
while [ $i -lt "$RUNS" ]; do
	/usr/bin/time -f '%e %M %U %S' -o t.out env TIME=1 /usr/bin/python3 \
	    "$root/tests/fixtures/rf/sk.py" rfc train.f.csv test.f.csv y \
	    n_estimators=100 n_jobs=2 > sk.out 2>/dev/null
	echo "$(sed -n 2p sk.out) $(awk '{ print $2, $3 + $4 }' t.out)" >> sk.t
	i=$((i + 1))
done
ts=$(cut -d' ' -f1 sk.t | median)
ms=$(cut -d' ' -f2 sk.t | sort -n | tail -1)
cs=$(cut -d' ' -f3 sk.t | median)
printf 'scikit-learn RandomForestClassifier n_jobs=2: fit %.2f s (median of %d), peak RSS %d MB, test auc %.4f\n' \
    "$ts" "$RUNS" $((ms / 1024)) "$(sed -n 1p sk.out)"
printf 'cpu seconds (user + sys, whole process): am %.2f, scikit-learn %.2f\n' "$ca" "$cs"
printf 'ratios: time sklearn/am %.2f (goal >= 2), memory am/sklearn %.2f (goal <= 0.5)\n' \
    "$(echo "$ts / $ta" | bc -l)" "$(echo "$ma / $ms" | bc -l)"
