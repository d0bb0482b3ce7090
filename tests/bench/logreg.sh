#!/bin/sh
# logreg.sh BINDIR -- am-train -a logreg against liblinear-train -s 0 on
# the UCI bank-full data: the same LIBSVM files (one-hot + standard
# scaling by am-features, fitted on a seeded 80% split, replayed on the
# other 20%), the same C = 1 and bias 1.  Prints the median wall time of
# 5 runs of each (parsing included), their ratio, the test ROC AUC of
# each (am-eval on both score files), and the largest weight difference
# when both solve tightly (-e 0.0001).  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
full="$root/../shared/data/bank-marketing/bank-full.csv"
PATH="$bin:$PATH"
export LC_ALL=C OPENBLAS_NUM_THREADS=1

[ -f "$full" ] || { echo "logreg.sh: skipped: $full is absent"; exit 0; }
command -v liblinear-train >/dev/null ||
    { echo "logreg.sh: skipped: liblinear-train is not installed"; exit 0; }

work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

# Seeded 80/20 split of the rows (Park-Miller generator, exact in awk).
awk -v seed=1 'NR == 1 { print > "train.csv"; print > "test.csv"; x = seed; next }
    { x = (x * 16807) % 2147483647
      print > (x / 2147483647 < 0.8 ? "train.csv" : "test.csv") }' "$full"
am-features -q -t y -o feat.amm --to libsvm train.csv > train.svm
am-features -q -m feat.amm --to libsvm test.csv > test.svm
echo "rows: $(wc -l < train.svm) train, $(wc -l < test.svm) test"

now() { date +%s.%N; }
median5() { # median5 CMD...: median wall seconds of 5 runs
	for i in 1 2 3 4 5; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		echo "$t1 - $t0" | bc -l
	done | sort -n | sed -n 3p
}

ta=$(median5 am-train -q -j 1 --from libsvm -c 1 -B 1 -o am.amm train.svm)
tj=$(median5 am-train -q -j 2 --from libsvm -c 1 -B 1 -o am.amm train.svm)
tl=$(median5 liblinear-train -q -s 0 -c 1 -B 1 train.svm ll.model)
printf 'train time (median of 5): am-train %.3f s (-j 2: %.3f s), liblinear-train %.3f s, ratio am/liblinear %.2f\n' \
    "$ta" "$tj" "$tl" "$(echo "$ta / $tl" | bc -l)"

am-predict -m am.amm --from libsvm test.svm > am.csv
liblinear-predict -q -b 1 test.svm ll.model ll.out
# ll.out: "labels A B" then "pred pA pB"; score = P(label 1)
awk 'NR == FNR { if (FNR == 1) { c = ($2 == 1) ? 2 : 3 } else s[FNR - 1] = $c; next }
    FNR == 1 { print "y,score" }
    { print $1 "," s[FNR] }' ll.out test.svm > ll.csv
auc() { am-eval -t "$2" -p score --csv "$1" | awk -F, '$1 == "auc" { print $2 }'; }
yname=$(head -1 am.csv | cut -d, -f1)
printf 'test auc: am-train %.4f, liblinear %.4f\n' "$(auc am.csv "$yname")" "$(auc ll.csv y)"

am-train -q --from libsvm -c 1 -B 1 -e 0.0001 -o tight.amm train.svm
liblinear-train -q -s 0 -c 1 -B 1 -e 0.0001 train.svm tight.model
am-predict -m tight.amm --coef | sed 1d | cut -d, -f2 > a.w
awk '/^label / { flip = ($2 + 0 < $3 + 0) } /^w$/ { on = 1; next }
    on { print (flip ? -$1 : $1) }' tight.model > l.w
paste a.w l.w | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d }
    END { printf "weights (-e 0.0001): %d each, largest difference %.3g\n", NR, m }'
