#!/bin/sh
# predict.sh BINDIR -- am-predict throughput for a linear model (logreg)
# against liblinear-predict -b 1 on the same rows: rows/s (median wall
# time of RUNS runs, default 3, output to /dev/null) and peak RSS
# (/usr/bin/time -f %M), and the cpu seconds (user + sys, a figure less
# disturbed by a loaded machine than wall time), on two inputs of about ROWS rows (default 1M):
#
#   mixed  tools/gen-mixed.py ROWS 1 (or the file $MIXED, as bench.sh
#          passes it), fitted on its first 100,000 rows: am-clean, then
#          am-features -t y -i customer_id --drop comment --date
#          signup_date,last_order (69 features, dense)
#   bank   the bank-full test split (one-hot + scaling, 51 features)
#          repeated to about ROWS rows
#
# am-predict reads the binary stream (-j 1 and -j 2) and LIBSVM (-j 2);
# liblinear-predict reads LIBSVM.  Issue #6 goal: >= 1M rows/s on the
# binary stream.  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
full="$root/../shared/data/bank-marketing/bank-full.csv"
PATH="$bin:$PATH"
RUNS=${RUNS:-3}
ROWS=${ROWS:-1000000}
export LC_ALL=C OPENBLAS_NUM_THREADS=1

work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench-predict.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"
have_ll=1
command -v liblinear-predict >/dev/null || {
	echo "predict.sh: liblinear-predict is not installed: am only"
	have_ll=0
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() { # measure LABEL ROWS CMD...: median wall s, peak RSS, rows/s
	label=$1 n=$2
	shift 2
	: > t.all
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M %U %S' -o t.one "$@" >/dev/null 2>&1
		cat t.one >> t.all
		i=$((i + 1))
	done
	tw=$(cut -d' ' -f1 t.all | median)
	kb=$(cut -d' ' -f2 t.all | sort -n | tail -1)
	cpu=$(awk '{ print $3 + $4 }' t.all | median)
	# /usr/bin/time has 10 ms resolution; cpu = user + sys seconds
	printf '%-34s %6.2f s %5.2fM rows/s  cpu %6.2f s  peak RSS %6d KB\n' \
	    "$label" "$tw" "$(echo "$n / ($tw + 0.005) / 1000000" | bc -l)" \
	    "$cpu" "$kb"
	last=$tw
}

# run SET ROWS: am-predict and liblinear-predict on SET.bin / SET.svm
run() {
	set=$1 n=$2
	measure "$set: am-predict -j 1 (bin)" "$n" am-predict -j 1 -m "$set.bin.amm" "$set.bin"
	measure "$set: am-predict -j 2 (bin)" "$n" am-predict -j 2 -m "$set.bin.amm" "$set.bin"
	ta=$last
	measure "$set: am-predict -j 2 (libsvm)" "$n" am-predict -j 2 -m "$set.svm.amm" --from libsvm "$set.svm"
	if [ $have_ll = 1 ]; then
		measure "$set: liblinear-predict -b 1" "$n" liblinear-predict -q -b 1 "$set.svm" "$set.ll" /dev/null
		printf '%s: time liblinear-predict / am-predict -j 2 (bin): %.1f\n' \
		    "$set" "$(echo "$last / $ta" | bc -l)"
	fi
}

# mixed: generated marketing rows
if [ -n "${MIXED:-}" ] && [ -f "$MIXED" ]; then
	mixed=$MIXED
elif command -v python3 >/dev/null; then
	python3 "$root/tools/gen-mixed.py" "$ROWS" 1 > mixed.csv
	mixed=$work/mixed.csv
else
	mixed=
	echo "predict.sh: mixed skipped: python3 is not installed"
fi
if [ -n "$mixed" ]; then
	head -100001 "$mixed" > fit.csv
	am-clean -q -o c.amm fit.csv > fit.c.csv
	am-features -q -t y -i customer_id --drop comment \
	    --date signup_date,last_order -o f.amm --to bin fit.c.csv > fit.bin
	am-features -q -m f.amm --to libsvm fit.c.csv > fit.svm
	am-train -q -a logreg -o mixed.bin.amm fit.bin
	am-train -q -a logreg --from libsvm -o mixed.svm.amm fit.svm
	[ $have_ll = 0 ] || liblinear-train -q -s 0 -c 1 -B 1 fit.svm mixed.ll
	am-clean -q -m c.amm "$mixed" > all.c.csv
	am-features -q -m f.amm --to bin all.c.csv > mixed.bin
	am-features -q -m f.amm --to libsvm all.c.csv > mixed.svm
	rm -f all.c.csv
	n=$(wc -l < mixed.svm)
	echo "mixed: $n rows, $(am-predict -m mixed.bin.amm --coef | sed 1d | wc -l) weights"
	run mixed "$n"
	rm -f mixed.bin mixed.svm
fi

# bank: the bank-full test split, repeated
if [ -f "$full" ]; then
	am-clean -q --split 0.8 --test test.csv -s 1 "$full" > train.csv
	am-features -q -t y -o bf.amm --to bin train.csv > train.bin
	am-features -q -m bf.amm --to libsvm train.csv > train.svm
	am-train -q -a logreg -o bank.bin.amm train.bin
	am-train -q -a logreg --from libsvm -o bank.svm.amm train.svm
	[ $have_ll = 0 ] || liblinear-train -q -s 0 -c 1 -B 1 train.svm bank.ll
	k=$((ROWS / ($(wc -l < test.csv) - 1) + 1))
	{
		cat test.csv
		i=1
		while [ $i -lt $k ]; do tail -n +2 test.csv; i=$((i + 1)); done
	} > big.csv
	am-features -q -m bf.amm --to bin big.csv > bank.bin
	am-features -q -m bf.amm --to libsvm big.csv > bank.svm
	n=$(wc -l < bank.svm)
	echo "bank: $n rows (test split x $k)"
	run bank "$n"
else
	echo "predict.sh: bank skipped: $full is absent"
fi
