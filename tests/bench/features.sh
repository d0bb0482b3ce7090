#!/bin/sh
# SPDX-License-Identifier: MIT
# features.sh -- am-features replay throughput: fit scaling + one-hot on
# the first 100,000 rows of the 1M-row mixed CSV (tools/gen-mixed.py,
# cached in build/bench/), then replay the transform on all 1M rows to the
# binary stream and to CSV; median of RUNS runs, in rows/s and MB/s, with
# the peak RSS (GNU time) showing that replay memory does not grow with
# rows.  Also times a fit with degree-2 terms and PCA.  A scikit-learn
# peer (StandardScaler + OneHotEncoder.transform) runs when
# /usr/bin/python3 has pandas and scikit-learn.
#
# usage: sh tests/bench/features.sh BINDIR
set -eu

BIN=${1:?usage: sh tests/bench/features.sh BINDIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$ROOT/build/bench
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
export OPENBLAS_NUM_THREADS=1
mkdir -p "$CACHE"
MIXED=$CACHE/mixed-$ROWS.csv
if [ ! -s "$MIXED" ]; then
	echo "generating $MIXED ($ROWS rows)..." >&2
	python3 "$ROOT/tools/gen-mixed.py" "$ROWS" 1 > "$MIXED.tmp"
	mv "$MIXED.tmp" "$MIXED"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
head -100001 "$MIXED" > "$TMP/fit.csv"
OPTS="-t y -i customer_id --drop comment,signup_date,last_order"

median() { # median CMD...: median wall seconds of $RUNS runs
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		"$@" > /dev/null
		e=$(date +%s.%N)
		echo "$s $e" | awk '{ printf "%.4f\n", $2 - $1 }'
		i=$((i + 1))
	done | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}

rss() { # rss CMD...: peak RSS in MB, or "?" without GNU time
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 |
		    awk '{ printf "%.1f", $1 / 1024 }'
	else
		printf '?'
	fi
}

mb=$(wc -c < "$MIXED" | awk '{ print $1 / 1e6 }')
"$BIN/am-features" $OPTS -o "$TMP/f.amm" "$TMP/fit.csv" > /dev/null
t=$(median "$BIN/am-features" $OPTS -o "$TMP/f.amm" "$TMP/fit.csv")
echo "fit scale+onehot, 100000 rows: ${t}s, $(rss "$BIN/am-features" $OPTS "$TMP/fit.csv") MB peak"
for to in bin csv; do
	t=$(median "$BIN/am-features" -m "$TMP/f.amm" --to $to "$MIXED")
	m=$(rss "$BIN/am-features" -m "$TMP/f.amm" --to $to "$MIXED")
	echo "replay --to $to, $ROWS rows: ${t}s, $(awk -v n="$ROWS" -v t="$t" 'BEGIN { printf "%.0f", n / t }') rows/s, $(awk -v b="$mb" -v t="$t" 'BEGIN { printf "%.1f", b / t }') MB/s, $m MB peak"
done
t=$(median "$BIN/am-features" $OPTS --poly 2:age,balance,visits,channel --pca 10 "$TMP/fit.csv")
echo "fit with --poly 2 and --pca 10, 100000 rows: ${t}s"

PY=/usr/bin/python3
if "$PY" -c 'import pandas, sklearn' 2>/dev/null; then
	cat > "$TMP/peer.py" <<'PY'
import sys, time
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
drop = ["customer_id", "comment", "signup_date", "last_order", "y"]
fit = pd.read_csv(sys.argv[1], na_values=["?", "NA", "null"])
cols = [c for c in fit.columns if c not in drop]
num = [c for c in cols if fit[c].dtype.kind in "if"]
cat = [c for c in cols if c not in num]
ct = ColumnTransformer([("n", StandardScaler(), num),
    ("c", OneHotEncoder(handle_unknown="ignore"), cat)])
ct.fit(fit.fillna({c: 0 for c in num}))
t = time.time()
df = pd.read_csv(sys.argv[2], na_values=["?", "NA", "null"])
ct.transform(df.fillna({c: 0 for c in num}))
print("%.4f" % (time.time() - t))
PY
	t=$("$PY" "$TMP/peer.py" "$TMP/fit.csv" "$MIXED")
	echo "peer scikit-learn (read_csv + transform), $ROWS rows: ${t}s"
else
	echo "peer scikit-learn: skipped (pandas or scikit-learn absent)"
fi
