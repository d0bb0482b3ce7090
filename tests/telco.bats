#!/usr/bin/env bats
# telco.bats -- issue #6 acceptance on IBM telco-churn: am-clean (seeded
# 80/20 split, " " TotalCharges imputed) and am-features (one-hot +
# standard scaling) make one train and one test matrix; am-train fits
# logreg, svm, rf (100 trees) and mlp on it, and scikit-learn fits its
# equivalents on the very same CSV files in the same run.  Each am test
# AUC must be within 0.01 of scikit-learn's.  Needs ../shared/data and
# python3-sklearn; skips with a message without them.
#
# Measured 2026-11-29 (scikit-learn 1.2.1): logreg am 0.8409 / sk 0.8410,
# svm 0.8369 / 0.8369, rf 0.8156 / 0.8164, mlp 0.8426 / 0.8395.
load helpers

CSV=telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv

setup_file() {
	[ -e "$SHARED/$CSV" ] || return 0
	cd "$BATS_FILE_TMPDIR"
	am-clean -q --split 0.8 --test test.csv -s 1 "$SHARED/$CSV" >raw.csv
	# TotalCharges is " " for customers of tenure 0: a missing value
	am-clean -q --missing ' ,NA' -o c.amm raw.csv >train.c.csv
	am-clean -q -m c.amm test.csv >test.c.csv
	am-features -q -t Churn -i customerID -o f.amm --to csv train.c.csv \
	    >train.f.csv
	am-features -q -m f.amm --to csv test.c.csv >test.f.csv
}

setup() {
	need_shared "$CSV"
	/usr/bin/python3 -c 'import sklearn' 2>/dev/null ||
	    skip "python3-sklearn is not installed (the peer of this comparison)"
	cd "$BATS_FILE_TMPDIR"
}

sk() { # sk ALGO: scikit-learn's test AUC on train.f.csv / test.f.csv
	/usr/bin/python3 - "$1" <<'EOF'
import csv, sys
import numpy as np
from sklearn.metrics import roc_auc_score

def load(path):
    rows = list(csv.reader(open(path, newline="")))
    y, i = rows[0].index("Churn"), rows[0].index("customerID")
    X = np.array([[float(v) for j, v in enumerate(r) if j not in (y, i)]
                  for r in rows[1:]])
    return X, np.array([r[y] == "Yes" for r in rows[1:]])

X, y = load("train.f.csv")
T, z = load("test.f.csv")
a = sys.argv[1]
if a == "logreg":
    from sklearn.linear_model import LogisticRegression
    s = LogisticRegression(C=1, max_iter=5000).fit(X, y).decision_function(T)
elif a == "svm":
    from sklearn.svm import LinearSVC
    s = LinearSVC(C=1, max_iter=100000).fit(X, y).decision_function(T)
elif a == "rf":
    from sklearn.ensemble import RandomForestClassifier
    m = RandomForestClassifier(n_estimators=100, random_state=1, n_jobs=2)
    s = m.fit(X, y).predict_proba(T)[:, 1]
else:
    from sklearn.neural_network import MLPClassifier
    m = MLPClassifier(random_state=1, early_stopping=True)
    s = m.fit(X, y).predict_proba(T)[:, 1]
print("%.6f" % roc_auc_score(z, s))
EOF
}

compare() { # compare ALGO AM-TRAIN-OPTION...: am's AUC within 0.01 of sklearn's
	local a=$1
	shift
	run -0 --separate-stderr am am-train -q -a "$a" "$@" -t Churn \
	    -i customerID -o "$a.amm" train.f.csv
	am am-predict -m "$a.amm" -i customerID test.f.csv >"$a.csv"
	[ "$(wc -l <"$a.csv")" -eq "$(wc -l <test.f.csv)" ]
	mine=$(am-eval -t Churn -p score --csv "$a.csv" |
	    awk -F, '$1 == "auc" { print $2 }')
	theirs=$(sk "$a")
	echo "$a: am $mine scikit-learn $theirs"
	# a useful churn model on this data, not a coin toss
	awk -v a="$mine" 'BEGIN { exit !(a > 0.8) }'
	approx "$mine" "$theirs" 0.01
}

@test "telco: logreg test AUC within 0.01 of scikit-learn LogisticRegression(C=1)" {
	compare logreg -c 1
}

@test "telco: svm test AUC within 0.01 of scikit-learn LinearSVC(C=1)" {
	compare svm -c 1
}

@test "telco: rf test AUC within 0.01 of scikit-learn RandomForestClassifier(100)" {
	compare rf --trees 100
}

@test "telco: mlp test AUC within 0.01 of scikit-learn MLPClassifier (early stopping)" {
	compare mlp --early-stop 0.1
}
