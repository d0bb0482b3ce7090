#!/bin/sh
# linear.sh BINDIR -- the linear models against LIBLINEAR on the UCI
# bank-full data (am-clean --split 0.8 -s 1, am-features one-hot +
# standard scaling, LIBSVM files for both): train time (median of 3) and
# peak RSS (/usr/bin/time -v) of am-train -a svm (squared hinge, C = 1,
# Platt folds included) vs liblinear-train -s 1, and of -a logreg vs -s 0;
# test AUC of each; then am-predict rows/s on a ~1M-row binary stream
# (-j 1 and -j 2).  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
full="$root/../shared/data/bank-marketing/bank-full.csv"
PATH="$bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS=1

[ -f "$full" ] || { echo "linear.sh: skipped: $full is absent"; exit 0; }
have_ll=1
command -v liblinear-train >/dev/null || {
	echo "linear.sh: liblinear-train is not installed: am only"; have_ll=0; }

work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

am-clean --split 0.8 --test test.csv -s 1 "$full" > train.csv
am-features -q -t y -o feat.amm --to libsvm train.csv > train.svm
am-features -q -m feat.amm --to libsvm test.csv > test.svm
am-features -q -m feat.amm --to bin test.csv > test.bin

now() { date +%s.%N; }
median3() { # median3 CMD...: median wall seconds of 3 runs
	for i in 1 2 3; do
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		echo "$t1 - $t0" | bc -l
	done | sort -n | sed -n 2p
}
rss() { # rss CMD...: peak resident KB
	/usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ { print $NF }'
}
auc() { am-eval -t "$2" -p score --csv "$1" | awk -F, '$1 == "auc" { print $2 }'; }
llauc() { # llauc PREDICTIONS: AUC of liblinear-predict -b 1 or decision output
	awk 'NR == FNR { if (FNR == 1) { c = ($2 == 1) ? 2 : 3 } else s[FNR - 1] = $c; next }
	    FNR == 1 { print "y,score" } { print $1 "," s[FNR] }' "$1" test.svm > ll.csv
	auc ll.csv y
}

for pair in "svm:1" "logreg:0"; do
	a=${pair%%:*} s=${pair#*:}
	ta=$(median3 am-train -q -a $a -j 1 --from libsvm -c 1 -B 1 -o $a.amm train.svm)
	tj=$(median3 am-train -q -a $a -j 2 --from libsvm -c 1 -B 1 -o $a.amm train.svm)
	ra=$(rss am-train -q -a $a -j 1 --from libsvm -c 1 -B 1 -o $a.amm train.svm)
	am-predict -m $a.amm --from libsvm test.svm > am.csv
	printf '%-6s am-train -j 1 %.3f s (-j 2 %.3f s), %s KB, test auc %.4f\n' \
	    $a "$ta" "$tj" "$ra" "$(auc am.csv "$(head -1 am.csv | cut -d, -f1)")"
	if [ $have_ll = 1 ]; then
		tl=$(median3 liblinear-train -q -s $s -c 1 -B 1 train.svm ll.model)
		rl=$(rss liblinear-train -q -s $s -c 1 -B 1 train.svm ll.model)
		[ $s = 0 ] && liblinear-predict -q -b 1 test.svm ll.model ll.out
		printf '%-6s liblinear -s %s %.3f s, %s KB; time ratio am/liblinear %.2f (-j 2: %.2f), RSS ratio %.2f\n' \
		    $a $s "$tl" "$rl" "$(echo "$ta / $tl" | bc -l)" \
		    "$(echo "$tj / $tl" | bc -l)" "$(echo "$ra / $rl" | bc -l)"
		[ $s = 0 ] && printf '%-6s liblinear test auc %.4f\n' $a "$(llauc ll.out)"
	fi
done

# am-predict rows/s on ~1M rows of the binary stream
(cat test.csv; for i in $(seq 110); do tail -n +2 test.csv; done) > big.csv
am-features -q -m feat.amm --to bin big.csv > big.bin
rows=$(($(wc -l < big.csv) - 1))
am-features -q -m feat.amm --to bin train.csv > train.bin
am-train -q -o bin.amm train.bin
for j in 1 2; do
	t=$(median3 am-predict -j $j -m bin.amm big.bin)
	printf 'am-predict -j %s: %d rows in %.3f s, %.2fM rows/s\n' $j $rows "$t" \
	    "$(echo "$rows / $t / 1000000" | bc -l)"
done
