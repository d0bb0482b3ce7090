#!/bin/sh
# mlp.sh BINDIR -- am-train -a mlp against scikit-learn's MLPClassifier on
# the UCI bank-full data (one-hot + standard scaling by am-features on a
# seeded 80% split, replayed on the other 20%), both with 100 ReLU units,
# Adam, batches of 200 and early stopping on 10% of the rows.  Prints the
# median wall time of RUNS runs (default 3), the peak RSS (/usr/bin/time
# -v) of the whole process, their ratios, and the test AUC of each.  am
# is timed from its binary stream, parsing included; scikit-learn's time
# is its fit alone.  BLAS on one thread for both.  Then the
# predict time and peak RSS of am-predict (whole process) and the time of
# predict_proba on the test split.  Never part of
# `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
full="$root/../shared/data/bank-marketing/bank-full.csv"
PATH="$bin:$PATH"
RUNS=${RUNS:-3}
export LC_ALL=C OPENBLAS_NUM_THREADS=1

[ -f "$full" ] || { echo "mlp.sh: skipped: $full is absent"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench-mlp.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

am-clean -q --split 0.8 --test test.csv -s 1 "$full" > train.csv
am-features -q -t y -o f.amm --to bin train.csv > train.bin
am-features -q -m f.amm --to bin test.csv > test.bin

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: > am.t
i=0
while [ $i -lt "$RUNS" ]; do
	/usr/bin/time -f '%e %M %U %S' -o t.out am-train -q -a mlp --early-stop 0.1 \
	    -t y -o m.amm train.bin >/dev/null 2>&1
	cat t.out >> am.t
	i=$((i + 1))
done
ta=$(cut -d' ' -f1 am.t | median)
ma=$(cut -d' ' -f2 am.t | sort -n | tail -1)
ca=$(awk '{ print $3 + $4 }' am.t | median)
/usr/bin/time -f '%e %M' -o t.out am-predict -m m.amm test.bin > am.csv
read -r tp mp < t.out
aa=$(am-eval -t y -p score --csv am.csv | awk -F, '$1 == "auc" { print $2 }')
ea=$(am-model show m.amm | awk '$1 == "epochs" { e = $2 } END { print e }')
printf 'am-train -a mlp: %.2f s (median of %d, %s epochs), peak RSS %d MB, test auc %.4f\n' \
    "$ta" "$RUNS" "$ea" $((ma / 1024)) "$aa"
printf 'am-predict (test split, whole process): %.2f s, peak RSS %d MB\n' "$tp" $((mp / 1024))

if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	echo "mlp.sh: scikit-learn skipped: python3-sklearn is not installed"
	exit 0
fi
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
: > sk.t
i=0
while [ $i -lt "$RUNS" ]; do
	/usr/bin/time -f '%e %M %U %S' -o t.out /usr/bin/python3 sk.py mlp > sk.out 2>/dev/null
	echo "$(cut -d' ' -f2,3 sk.out) $(awk '{ print $2, $3 + $4 }' t.out)" >> sk.t
	i=$((i + 1))
done
ts=$(cut -d' ' -f1 sk.t | median)
ps=$(cut -d' ' -f2 sk.t | median)
ms=$(cut -d' ' -f3 sk.t | sort -n | tail -1)
cs=$(cut -d' ' -f4 sk.t | median)
printf 'scikit-learn MLPClassifier early_stopping: fit %.2f s (median of %d), peak RSS %d MB, test auc %.4f\n' \
    "$ts" "$RUNS" $((ms / 1024)) "$(cut -d' ' -f1 sk.out)"
printf 'scikit-learn predict_proba (test split): %.2f s; time am-predict (whole process) / predict_proba %.2f\n' \
    "$ps" "$(echo "$tp / ($ps + 0.005)" | bc -l)"
printf 'cpu seconds (user + sys, whole process): am %.2f, scikit-learn %.2f\n' "$ca" "$cs"
printf 'ratios: time sklearn/am %.2f, memory am/sklearn %.2f\n' \
    "$(echo "$ts / $ta" | bc -l)" "$(echo "$ma / $ms" | bc -l)"
