#!/bin/sh
# rf.sh BINDIR -- am-train -a rf against scikit-learn's
# RandomForestClassifier (100 trees, n_jobs=2) on the UCI bank-full data:
# the same features (one-hot + standard scaling by am-features, fitted on
# a seeded 80% split by am-clean, replayed on the other 20%).  Prints the
# median wall time of RUNS runs (default 3) of each and the peak RSS
# (/usr/bin/time -v) of the whole process, their ratios, and the test AUC
# of each.  am is timed from its binary stream, parsing included;
# scikit-learn's time is its fit alone (the CSV load not counted), its
# memory the whole process.  The runs of am and scikit-learn alternate,
# so that a loaded machine weighs on both alike; the ratio of each pair
# is printed too.  Then the predict time and peak RSS of
# am-predict (whole process) and the time of predict_proba on the test
# split.  Never part of `make test`.
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

have_sk=1
/usr/bin/python3 -c 'import sklearn' 2>/dev/null || have_sk=0
if [ $have_sk = 1 ]; then
	am-features -q -m f.amm --to csv train.csv > train.f.csv
	am-features -q -m f.amm --to csv test.csv > test.f.csv
	cat > sk.py <<'EOF'
# fit on train.f.csv, score test.f.csv; print "auc fit_s predict_s"
import csv, sys, time
import numpy as np
from sklearn.metrics import roc_auc_score
def load(p):
    r = list(csv.reader(open(p, newline=""))); y = r[0].index("y")
    X = np.array([[float(v) for j, v in enumerate(t) if j != y] for t in r[1:]])
    return X, np.array([t[y] == "yes" for t in r[1:]])
X, y = load("train.f.csv"); T, z = load("test.f.csv")
if sys.argv[1] == "rf":
    from sklearn.ensemble import RandomForestClassifier
    m = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=1)
else:
    from sklearn.neural_network import MLPClassifier
    m = MLPClassifier(early_stopping=True, random_state=1)
t0 = time.time(); m.fit(X, y); t1 = time.time()
s = m.predict_proba(T)[:, 1]; t2 = time.time()
print("%.6f %.3f %.3f" % (roc_auc_score(z, s), t1 - t0, t2 - t1))
EOF
fi

# am and scikit-learn alternate, so that both see the same load.
: > am.t
: > sk.t
i=0
while [ $i -lt "$RUNS" ]; do
	wall am-train -q -a rf --trees 100 -j 2 -t y -o m.amm train.bin >> am.t
	if [ $have_sk = 1 ]; then
		/usr/bin/time -f '%e %M %U %S' -o t.out /usr/bin/python3 sk.py rf \
		    > sk.out 2>/dev/null
		echo "$(cut -d' ' -f2,3 sk.out) $(awk '{ print $2, $3 + $4 }' t.out)" >> sk.t
	fi
	i=$((i + 1))
done
ta=$(cut -d' ' -f1 am.t | median)
ma=$(cut -d' ' -f2 am.t | sort -n | tail -1)
ca=$(awk '{ print $3 + $4 }' am.t | median)
/usr/bin/time -f '%e %M' -o t.out am-predict -m m.amm test.bin > am.csv
read -r tp mp < t.out
aa=$(am-eval -t y -p score --csv am.csv | awk -F, '$1 == "auc" { print $2 }')
printf 'am-train -a rf -j 2: %.2f s (median of %d), peak RSS %d MB, test auc %.4f\n' \
    "$ta" "$RUNS" $((ma / 1024)) "$aa"
printf 'am-predict (test split, whole process): %.2f s, peak RSS %d MB\n' "$tp" $((mp / 1024))

if [ $have_sk = 0 ]; then
	echo "rf.sh: scikit-learn skipped: python3-sklearn is not installed"
	exit 0
fi
ts=$(cut -d' ' -f1 sk.t | median)
ps=$(cut -d' ' -f2 sk.t | median)
ms=$(cut -d' ' -f3 sk.t | sort -n | tail -1)
cs=$(cut -d' ' -f4 sk.t | median)
printf 'scikit-learn RandomForestClassifier n_jobs=2: fit %.2f s (median of %d), peak RSS %d MB, test auc %.4f\n' \
    "$ts" "$RUNS" $((ms / 1024)) "$(cut -d' ' -f1 sk.out)"
printf 'scikit-learn predict_proba (test split): %.2f s; time am-predict (whole process) / predict_proba %.2f\n' \
    "$ps" "$(echo "$tp / ($ps + 0.005)" | bc -l)"
printf 'cpu seconds (user + sys, whole process): am %.2f, scikit-learn %.2f\n' "$ca" "$cs"
printf 'time sklearn/am of each pair of runs:'
paste -d' ' am.t sk.t | awk '{ printf " %.2f", $5 / $1 } END { print "" }'
printf 'ratios: time sklearn/am %.2f (goal >= 2), memory am/sklearn %.2f (goal <= 0.5)\n' \
    "$(echo "$ts / $ta" | bc -l)" "$(echo "$ma / $ms" | bc -l)"
