#!/usr/bin/env bats
# pipeline.bats -- clean | features | train, then predict | eval, end to
# end on data/bank.csv (and on bank-full.csv from ../shared/data when it
# is there), checking quality, replay and determinism.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR"
}

pipeline() { # pipeline FILE DROP [FEATURE-OPTION...]: split 80/20 (seed 1), fit on 80%, score 20%
	local f=$1 drop=$2
	shift 2
	am am-clean --split 0.8 --test test.csv -s 1 "$f" >train.csv
	am am-clean -o clean.amm train.csv >train.clean.csv
	am am-clean -m clean.amm test.csv >test.clean.csv
	am am-features -t y ${drop:+--drop $drop} "$@" -o feat.amm --to bin train.clean.csv >train.bin
	am am-features -m feat.amm --to bin test.clean.csv >test.bin
	am am-train -q -a logreg -t y -c 1 -o model.amm train.bin
	am am-predict -m model.amm test.bin >scores.csv
}

auc_of() { # auc_of SCORES: the AUC am-eval reports
	am-eval -t y -p score --csv "$1" | awk -F, '$1 == "auc" { print $2 }'
}

@test "pipeline: bank.csv end to end gives a useful model" {
	pipeline "$DATA/bank.csv" duration
	# 20% of 4,521 rows, seeded: the split is stable, so the count is exact
	n=$(($(wc -l <test.csv) - 1))
	[ "$(($(wc -l <scores.csv) - 1))" -eq "$n" ]
	auc=$(auc_of scores.csv)
	# without the leaking 'duration' column, bank marketing models reach
	# an AUC of about 0.75 (Moro et al. 2014 report 0.79 with more data)
	approx "$auc" 0.75 0.06
	run -0 am am-eval -t y -p score --require 'auc>=0.65' scores.csv
	run -3 --separate-stderr am am-eval -t y -p score --require 'auc>=0.99' scores.csv
	[[ "$stderr" == *"auc"* ]]
}

@test "pipeline: the whole pipeline is deterministic, byte for byte" {
	export SOURCE_DATE_EPOCH=1700000000
	pipeline "$DATA/bank.csv" duration
	mkdir first && cp *.csv *.bin *.amm first/
	pipeline "$DATA/bank.csv" duration
	for f in first/*; do cmp "$f" "$(basename "$f")"; done
}

@test "pipeline: replay of cleaning and features equals the fitted output" {
	pipeline "$DATA/bank.csv" duration
	am am-clean -m clean.amm train.csv >replay.clean.csv
	cmp train.clean.csv replay.clean.csv
	am am-features -m feat.amm --to bin train.clean.csv >replay.bin
	cmp train.bin replay.bin
}

@test "pipeline: predict streams records one by one with --line-buffered" {
	pipeline "$DATA/bank.csv" duration
	am am-features -m feat.amm test.clean.csv >test.feat.csv
	# a producer that writes the header and one record, then stays open:
	# the score must come back before the input ends
	mkfifo in
	{ head -2 test.feat.csv; sleep 30; } >in &
	writer=$!
	am-predict -m model.amm --line-buffered <in >out &
	pred=$!
	for _ in $(seq 100); do
		[ "$(wc -l <out)" -ge 2 ] && break
		sleep 0.1
	done
	got=$(wc -l <out)
	kill "$pred" "$writer" 2>/dev/null || true
	pkill -P "$writer" sleep 2>/dev/null || true
	[ "$got" -eq 2 ]
	[[ "$(head -1 out)" == *score*label* ]]
}

@test "pipeline: the documented bank-full pipeline reaches AUC >= 0.90" {
	need_shared bank-marketing/bank-full.csv
	# all columns, as the issue's acceptance test asks (LIBLINEAR: 0.908)
	pipeline "$SHARED/bank-marketing/bank-full.csv" ""
	auc=$(auc_of scores.csv)
	awk -v a="$auc" 'BEGIN { exit !(a >= 0.90) }' || { echo "auc $auc"; return 1; }
}

# 2026-11-29 #6: one-hot + standard scaling alone gives 0.9048 on this
# split, and so does scikit-learn on the same matrix (the solvers agree;
# the issue's 0.908 was another split).  duration, campaign and previous
# are counts with long right tails (duration up to 4918 s, campaign up to
# 63): log(1 + x) before scaling is the usual treatment, and lifts both
# am and scikit-learn to 0.9068.  (Day of month one-hot as well: 0.9095.)
@test "pipeline: bank-full logreg reaches AUC >= 0.905 with log1p counts, as scikit-learn does" {
	need_shared bank-marketing/bank-full.csv
	pipeline "$SHARED/bank-marketing/bank-full.csv" "" --log1p duration,campaign,previous
	auc=$(auc_of scores.csv)
	echo "am auc $auc"
	awk -v a="$auc" 'BEGIN { exit !(a >= 0.905) }'
	approx "$auc" 0.9068 0.001
	/usr/bin/python3 -c 'import sklearn' 2>/dev/null ||
	    skip "scikit-learn is not installed (am alone checked)"
	# the very matrices am trained and scored on, as CSV
	am am-features -m feat.amm train.clean.csv >train.f.csv
	am am-features -m feat.amm test.clean.csv >test.f.csv
	sk=$(/usr/bin/python3 -c '
import csv, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
def load(p):
    r = list(csv.reader(open(p))); y = r[0].index("y")
    X = np.array([[float(v) for j, v in enumerate(t) if j != y] for t in r[1:]])
    return X, np.array([t[y] == "yes" for t in r[1:]])
X, y = load("train.f.csv"); T, z = load("test.f.csv")
m = LogisticRegression(C=1, max_iter=5000).fit(X, y)
print(roc_auc_score(z, m.decision_function(T)))')
	echo "scikit-learn auc $sk"
	approx "$auc" "$sk" 0.001
}

@test "pipeline: bank-full top-decile lift agrees with a hand computation" {
	need_shared bank-marketing/bank-full.csv
	pipeline "$SHARED/bank-marketing/bank-full.csv" ""
	am am-eval -t y -p score --lift --csv scores.csv >lift.csv
	read -r rows pos lift < <(awk -F, '$1 == 1 { print $2, $3, $5 }' lift.csv)
	# by hand: sort by score, the top tenth of the rows, their response
	# rate over the overall rate (no tie may straddle the cut)
	n=$(($(wc -l <scores.csv) - 1))
	[ $((n % 10)) -eq 0 ] || skip "test set of $n rows does not split into whole deciles"
	k=$((n / 10))
	tail -n +2 scores.csv | sort -t, -k2,2gr >sorted.csv
	a=$(sed -n "${k}p" sorted.csv | cut -d, -f2)
	b=$(sed -n "$((k + 1))p" sorted.csv | cut -d, -f2)
	[ "$a" != "$b" ]
	hand=$(awk -F, -v k="$k" -v n="$n" '
		{ p += ($1 == "yes"); if (NR <= k) top += ($1 == "yes") }
		END { printf "%d %.15g\n", top, (top / k) / (p / n) }' sorted.csv)
	[ "$rows" -eq "$k" ]
	[ "$pos" -eq "${hand% *}" ]
	approx "$lift" "${hand#* }" 1e-9
	# the top decile of a useful campaign model holds several times the
	# base rate of responders (5.2 on this split)
	awk -v l="$lift" 'BEGIN { exit !(l > 4) }'
}
