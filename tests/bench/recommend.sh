#!/bin/sh
# recommend.sh BINDIR -- recommender speed: the train time of item-kNN and
# implicit ALS (64 factors, 15 sweeps) on MovieLens latest-small and Online
# Retail (customers x products), and the all-users top-10 throughput of
# am-recommend in users/s.  Median wall time of 3 runs each, with -j 1 and
# -j 2, and the speed-up.  No peer CLI does this job (implicit has no CLI,
# mlpack_cf wants 0-based integer ids): the numbers stand alone.  Never
# part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
shared="$root/../shared/data"
PATH="$bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS=1

work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

now() { date +%s.%N; }
median3() { # median3 CMD...: median wall seconds of 3 runs
	for i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		echo "$t1 - $t0" | bc -l
	done | sort -n | sed -n 2p
}

bench() { # bench NAME FILE AM-TRAIN-OPTIONS...
	name=$1 file=$2
	shift 2
	users=$(tail -n +2 "$file" | cut -d, -f1 | sort -u | wc -l)
	echo "$name: $(($(wc -l <"$file") - 1)) events, $users users"
	for a in itemknn ials; do
		t1=$(median3 am-train -q -a $a -j 1 "$@" -o $a.amm "$file")
		t2=$(median3 am-train -q -a $a -j 2 "$@" -o $a.amm "$file")
		r1=$(median3 am-recommend -m $a.amm --all-users -j 1)
		r2=$(median3 am-recommend -m $a.amm --all-users -j 2)
		printf '  %-8s train %6.2fs -j1 %6.2fs -j2 (x%.2f); top-10 all users %8.0f users/s -j1 %8.0f -j2\n' \
		    $a "$t1" "$t2" "$(echo "$t1 / $t2" | bc -l)" \
		    "$(echo "$users / $r1" | bc -l)" "$(echo "$users / $r2" | bc -l)"
	done
}

ml="$shared/movielens-latest-small/ratings.csv"
if [ -f "$ml" ]; then
	cp "$ml" ml.csv
	bench ml-latest-small ml.csv --user userId --item movieId --factors 64 --max-iter 15
else
	echo "recommend.sh: ml-latest-small skipped: $ml is absent"
fi
ret="$shared/online-retail/online_retail.csv.gz"
if [ -f "$ret" ] && command -v mlr >/dev/null; then
	zcat "$ret" | mlr --csv filter '$CustomerID != "" && $Quantity > 0' \
	    then cut -o -f CustomerID,StockCode >retail.csv
	bench online-retail retail.csv --user CustomerID --item StockCode --factors 64 --max-iter 15
else
	echo "recommend.sh: online-retail skipped: $ret or mlr is absent"
fi
