#!/usr/bin/env bats
# am-train-update.bats -- am-train --update OLD: the schema checks every
# algorithm shares (features by name, target, classes), the lineage of
# the new model, and every error path with its exact status.  Each
# algorithm's own update (warm start, added trees, ...) is tested with
# its quality checks below the common part.
load helpers

F="$FIX/am-train"

setup() {
	cd "$BATS_TEST_TMPDIR"
	am am-train -q -a logreg -t y -i id -w wt -o old.amm "$F/small.csv"
}

@test "am-train --update: a feature missing from the new rows is an error" {
	cut -d, -f1,2,4,5 "$F/small.csv" > nox2.csv
	run -1 --separate-stderr am am-train -q --update old.amm -t y -i id \
	    -w wt -o new.amm nox2.csv
	one_line_error
	[[ $stderr == *"feature 'x2' of the model is missing from nox2.csv"* ]]
	[ ! -e new.amm ]
}

@test "am-train --update: a feature the model lacks is an error" {
	sed '1s/x2/z9/' "$F/small.csv" > ren.csv
	run -1 --separate-stderr am am-train -q --update old.amm -t y -i id \
	    -w wt -o new.amm ren.csv
	one_line_error
	[[ $stderr == *"ren.csv: feature 'z9' is not in the model"* ]]
	[ ! -e new.amm ]
}

@test "am-train --update: a class the model does not know is an error" {
	sed 's/,no$/,maybe/' "$F/small.csv" > cls.csv
	run -1 --separate-stderr am am-train -q --update old.amm -t y -i id \
	    -w wt -o new.amm cls.csv
	one_line_error
	[[ $stderr == *"cls.csv: class 'maybe' is not in the model"* ]]
}

@test "am-train --update: -a must name the old model's algorithm" {
	run -1 --separate-stderr am am-train -q -a svm --update old.amm -t y \
	    -i id -w wt -o new.amm "$F/small.csv"
	one_line_error
	[[ $stderr == *"--update: old.amm is a logreg model, not svm"* ]]
}

@test "am-train --update: a missing or foreign artifact is an error" {
	run -1 --separate-stderr am am-train -q --update none.amm -t y \
	    -o new.amm "$F/small.csv"
	one_line_error
	am am-features -t y -i id -o feat.amm "$F/small.csv" > /dev/null
	run -1 --separate-stderr am am-train -q --update feat.amm -t y \
	    -i id -w wt -o new.amm "$F/small.csv"
	one_line_error
	[[ $stderr == *"expected 'model'"* ]]
}

@test "am-train --update: --cv excludes it (usage)" {
	run -2 --separate-stderr am am-train --update old.amm --cv 3 -t y \
	    -o new.amm "$F/small.csv"
	[ -z "$output" ]
	[[ $stderr == *"--update and --cv exclude each other"* ]]
}

# ---- logreg: the Laplace prior (see am-train(1) "Updating a model") ----

split_small() { # a.csv: the first 30 rows of small.csv, b.csv: the last 10
	head -31 "$F/small.csv" > a.csv
	{ head -1 "$F/small.csv"; tail -10 "$F/small.csv"; } > b.csv
}

coefs() { # coefs MODEL: the weights, one per line, intercept last
	am-predict -m "$1" --coef | sed 1d | cut -d, -f2
}

maxdiff() { # maxdiff FILE1 FILE2: largest |a - b| over paired lines
	paste "$1" "$2" | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d }
	    END { if (NR == 0) print "inf"; else printf "%.3g\n", m }'
}

@test "am-train --update: logreg equals numpy Newton on the prior-regularised objective" {
	command -v /usr/bin/python3 >/dev/null || skip "python3 absent"
	/usr/bin/python3 -c 'import numpy' 2>/dev/null || skip "numpy absent"
	split_small
	am am-train -q -a logreg -t y -i id -w wt -e 1e-10 -o a.amm a.csv
	run -0 --separate-stderr am am-train -q --update a.amm -t y -i id \
	    -w wt -e 1e-10 -o ab.amm b.csv
	[ -z "$output" ]
	coefs a.amm > a.coef
	coefs ab.amm > ab.coef
	# Independently: minimise 1/2 |w|^2 + g0'(w - w0) + 1/2 (w - w0)' L0
	# (w - w0) + sum_new c_i log(1 + exp(-y_i w'x_i)), g0 and L0 the
	# gradient and Hessian of the old rows' loss at w0 (bias feature 1).
	/usr/bin/python3 - a.coef ab.coef a.csv b.csv > diff.txt <<'PY'
import sys, numpy as np
def load(path):
    rows = [l.strip().split(',') for l in list(open(path))[1:]]
    X = np.array([[float(r[1]), float(r[2]), 1.0] for r in rows])
    c = np.array([float(r[3]) for r in rows])
    y = np.array([1.0 if r[4] == 'yes' else -1.0 for r in rows])
    return X, c, y
def data(X, c, y, w):
    s = 1 / (1 + np.exp(-y * (X @ w)))
    return X.T @ (c * (s - 1) * y), X.T @ (X * (c * s * (1 - s))[:, None])
w0 = np.loadtxt(sys.argv[1]); Xa, ca, ya = load(sys.argv[3])
Xb, cb, yb = load(sys.argv[4])
g0, L0 = data(Xa, ca, ya, w0)
w = w0.copy()
for _ in range(50):
    g, H = data(Xb, cb, yb, w)
    w -= np.linalg.solve(H + np.eye(3) + L0, g + w + g0 + L0 @ (w - w0))
print("%.3g" % np.max(np.abs(w - np.loadtxt(sys.argv[2]))))
PY
	approx "$(cat diff.txt)" 0 1e-6
}

@test "am-train --update: logreg on 30 + 10 rows is close to the fit on all 40" {
	split_small
	am am-train -q -a logreg -t y -i id -w wt -e 1e-10 -o all.amm "$F/small.csv"
	am am-train -q -a logreg -t y -i id -w wt -e 1e-10 -o a.amm a.csv
	am am-train -q --update a.amm -t y -i id -w wt -e 1e-10 -o ab.amm b.csv
	coefs all.amm > all.coef
	coefs a.amm > a.coef
	coefs ab.amm > ab.coef
	# the quadratic prior is a good model of the old rows: 0.02 here,
	# against 0.17 for the old model alone
	approx "$(maxdiff all.coef ab.coef)" 0 0.02
	awk -v d="$(maxdiff all.coef a.coef)" 'BEGIN { exit !(d > 0.1) }'
}

@test "am-train --update: the new model records the old one as its parent" {
	split_small
	am am-train -q -a logreg -t y -i id -w wt -o a.amm a.csv
	am am-train -q --update a.amm -t y -i id -w wt -o ab.amm b.csv
	run -0 --separate-stderr am am-model show ab.amm
	want=$(sha256sum a.amm | cut -d' ' -f1)
	[[ $output == *"parents"*"$want"* ]]
}

@test "am-train --update: logreg updates are deterministic for any -j" {
	split_small
	am am-train -q -a logreg -t y -i id -w wt -o a.amm a.csv
	am am-train -q -j 1 --update a.amm -t y -i id -w wt -o j1.amm b.csv
	am am-train -q -j 2 --update a.amm -t y -i id -w wt -o j2.amm b.csv
	coefs j1.amm > j1.coef
	coefs j2.amm > j2.coef
	cmp j1.coef j2.coef
}

mll() { # mll SCORES: the multi-class log loss am-eval reports
	am-eval -t y --proba-prefix p_ --csv "$1" | awk -F, '$1 == "logloss" { print $2 }'
}

@test "am-train --update: multinomial and L1 logreg keep or improve the old model on the new rows" {
	head -201 "$F/multi.csv" > a.csv
	{ head -1 "$F/multi.csv"; tail -100 "$F/multi.csv"; } > b.csv
	for pen in softmax l1; do
		if [ $pen = l1 ]; then o="--penalty l1"; else o=""; fi
		am am-train -q -a logreg $o -t y -o a.amm a.csv
		am am-train -q --update a.amm -t y -o ab.amm b.csv
		am am-train -q --update a.amm -t y -o ab2.amm b.csv
		cmp <(coefs ab.amm) <(coefs ab2.amm)
		am am-predict -m a.amm b.csv > s0.csv
		am am-predict -m ab.amm b.csv > s1.csv
		old=$(mll s0.csv)
		new=$(mll s1.csv)
		echo "$pen: log loss $old -> $new"
		[ -n "$old" ] && [ -n "$new" ]
		awk -v a="$old" -v b="$new" 'BEGIN { exit !(b <= a + 1e-9) }'
	done
}

bank_split() { # the pipeline.bats split; a/b: first 80% / last 20% of train
	local d="$SHARED/bank-marketing/bank-full.csv" n k
	am am-clean --split 0.8 --test test.csv -s 1 "$d" > train.csv
	am am-clean -o clean.amm train.csv > train.clean.csv
	am am-clean -m clean.amm test.csv > test.clean.csv
	am am-features -t y -o feat.amm --to bin train.clean.csv > train.bin
	am am-features -m feat.amm --to bin test.clean.csv > test.bin
	n=$(($(wc -l < train.clean.csv) - 1))
	k=$((n * 8 / 10))
	head -$((k + 1)) train.clean.csv > a.csv
	{ head -1 train.clean.csv; tail -n +$((k + 2)) train.clean.csv; } > b.csv
	am am-features -m feat.amm --to bin a.csv > a.bin
	am am-features -m feat.amm --to bin b.csv > b.bin
}

test_auc() { # test_auc MODEL: AUC on test.bin
	am am-predict -m "$1" test.bin > s.csv
	am-eval -t y -p score --csv s.csv | awk -F, '$1 == "auc" { print $2 }'
}

@test "am-train --update: bank-full logreg 80% + 20% within 0.003 AUC of the full fit" {
	need_shared bank-marketing/bank-full.csv
	bank_split
	am am-train -q -a logreg -t y -c 1 -o full.amm train.bin
	am am-train -q -a logreg -t y -c 1 -o a.amm a.bin
	am am-train -q --update a.amm -t y -o ab.amm b.bin
	full=$(test_auc full.amm)
	old=$(test_auc a.amm)
	upd=$(test_auc ab.amm)
	echo "full $full old $old updated $upd"
	approx "$upd" "$full" 0.003
}

@test "am-model merge: bank-full logreg from 4 shards within 0.005 AUC of the full fit" {
	need_shared bank-marketing/bank-full.csv
	have_merge || skip "am-model has no merge yet"
	bank_split
	n=$(($(wc -l < train.clean.csv) - 1))
	tail -n +2 train.clean.csv | split -n r/4 -d - rr
	for i in 0 1 2 3; do
		{ head -1 train.clean.csv; cat rr0$i; } > r$i.csv
		am am-features -m feat.amm --to bin r$i.csv > r$i.bin
		am am-train -q -a logreg -t y -c 1 -o r$i.amm r$i.bin
	done
	am am-train -q -a logreg -t y -c 1 -o full.amm train.bin
	run -0 --separate-stderr am am-model merge -o m.amm r0.amm r1.amm \
	    r2.amm r3.amm
	full=$(test_auc full.amm)
	merged=$(test_auc m.amm)
	one=$(test_auc r0.amm)
	echo "full $full merged $merged shard1 $one"
	approx "$merged" "$full" 0.005
}

# ---- linreg: sufficient statistics, exact ----

have_merge() { # am-model merge exists (added by the model store)
	am-model -h 2>/dev/null | grep -q 'am-model merge'
}

@test "am-train --update: linreg (OLS, ridge, lasso) equals the fit on all rows to 1e-8" {
	R="$F/reg.csv"
	head -26 "$R" > a.csv
	{ head -1 "$R"; tail -15 "$R"; } > b.csv
	for o in "" "--alpha 2" "--penalty l1 --alpha 0.1 -e 1e-12" \
	    "--penalty elasticnet --alpha 0.1 -e 1e-12"; do
		am am-train -q -a linreg -t y $o -o all.amm "$R"
		am am-train -q -a linreg -t y $o -o a.amm a.csv
		run -0 --separate-stderr am am-train -q --update a.amm -t y \
		    -o ab.amm b.csv
		coefs all.amm > all.coef
		coefs ab.amm > ab.coef
		echo "$o: $(maxdiff all.coef ab.coef)"
		approx "$(maxdiff all.coef ab.coef)" 0 1e-8
		# the old model alone differs
		coefs a.amm > a.coef
		awk -v d="$(maxdiff all.coef a.coef)" 'BEGIN { exit !(d > 1e-3) }'
	done
}

@test "am-train --update: linreg with weights, updated twice, equals the full fit" {
	R="$F/reg.csv"
	awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "wt"; next }
	    { print $0, 1 + NR % 3 }' "$R" > w.csv
	head -16 w.csv > a.csv
	{ head -1 w.csv; sed -n 17,28p w.csv; } > b.csv
	{ head -1 w.csv; tail -n +29 w.csv; } > c.csv
	am am-train -q -a linreg -t y -w wt --alpha 0.5 -o all.amm w.csv
	am am-train -q -a linreg -t y -w wt --alpha 0.5 -o a.amm a.csv
	am am-train -q --update a.amm -t y -w wt -o ab.amm b.csv
	am am-train -q --update ab.amm -t y -w wt -o abc.amm c.csv
	coefs all.amm > all.coef
	coefs abc.amm > abc.coef
	approx "$(maxdiff all.coef abc.coef)" 0 1e-8
}

@test "am-model merge: linreg shards sum their statistics (equal to the full fit to 1e-8)" {
	have_merge || skip "am-model has no merge yet"
	R="$F/reg.csv"
	head -16 "$R" > a.csv
	{ head -1 "$R"; sed -n 17,28p "$R"; } > b.csv
	{ head -1 "$R"; tail -n +29 "$R"; } > c.csv
	am am-train -q -a linreg -t y --alpha 1 -o all.amm "$R"
	for s in a b c; do
		am am-train -q -a linreg -t y --alpha 1 -o $s.amm $s.csv
	done
	run -0 --separate-stderr am am-model merge -o m.amm a.amm b.amm c.amm
	coefs all.amm > all.coef
	coefs m.amm > m.coef
	approx "$(maxdiff all.coef m.coef)" 0 1e-8
}

@test "am-model merge: linreg models with other settings are refused" {
	have_merge || skip "am-model has no merge yet"
	R="$F/reg.csv"
	am am-train -q -a linreg -t y --alpha 1 -o a.amm "$R"
	am am-train -q -a linreg -t y --alpha 2 -o b.amm "$R"
	run -1 --separate-stderr am am-model merge -o m.amm a.amm b.amm
	one_line_error
	[[ $stderr == *"model 2 was fitted with other settings"* ]]
	[ ! -e m.amm ]
}

# ---- mlp: warm-started epochs over the new rows ----

bank_small() { # data/bank.csv split as pipeline.bats does; a/b 80/20
	am am-clean --split 0.8 --test test.csv -s 1 "$DATA/bank.csv" > train.csv
	am am-clean -o clean.amm train.csv > train.clean.csv
	am am-clean -m clean.amm test.csv > test.clean.csv
	am am-features -t y --drop duration -o feat.amm --to bin \
	    train.clean.csv > train.bin
	am am-features -m feat.amm --to bin test.clean.csv > test.bin
	head -2897 train.clean.csv > a.csv
	{ head -1 train.clean.csv; tail -n +2898 train.clean.csv; } > b.csv
	am am-features -m feat.amm --to bin a.csv > a.bin
	am am-features -m feat.amm --to bin b.csv > b.bin
}

@test "am-train --update: mlp learns the new rows, keeps test AUC and is deterministic" {
	bank_small
	am am-train -q -a mlp -t y --epochs 20 -o a.amm a.bin
	am am-train -q --update a.amm -t y --epochs 2 -o ab.amm b.bin
	am am-train -q -j 2 --update a.amm -t y --epochs 2 -o ab2.amm b.bin
	am am-predict -m ab.amm b.bin > s1.csv
	am am-predict -m ab2.amm b.bin > s2.csv
	cmp s1.csv s2.csv
	am am-predict -m a.amm b.bin > s0.csv
	ll() { am-eval -t y -p score --csv "$1" | awk -F, '$1 == "logloss" { print $2 }'; }
	# the new rows are fitted better than by the old model
	l0=$(ll s0.csv)
	l1=$(ll s1.csv)
	echo "log loss on the new rows: $l0 -> $l1"
	awk -v a="$l0" -v b="$l1" 'BEGIN { exit !(b != "" && b < a) }'
	# and the held-out AUC stays within 0.01 (measured: 0.7702 -> 0.7693)
	approx "$(test_auc ab.amm)" "$(test_auc a.amm)" 0.01
}

@test "am-model merge: mlp averages networks of one architecture, refuses others" {
	have_merge || skip "am-model has no merge yet"
	bank_small
	am am-train -q -a mlp -t y --epochs 5 -o a.amm a.bin
	am am-train -q -a mlp -t y --epochs 5 -o b.amm b.bin
	run -0 --separate-stderr am am-model merge -o m.amm a.amm b.amm
	auc=$(test_auc m.amm)
	awk -v a="$auc" 'BEGIN { exit !(a > 0.6) }'
	am am-train -q -a mlp -t y --hidden 8 --epochs 5 -o c.amm b.bin
	run -1 --separate-stderr am am-model merge -o m2.amm a.amm c.amm
	one_line_error
	[[ $stderr == *"model 2 has another architecture"* ]]
}

# ---- svm: the Laplace prior of the squared hinge (am-train(1)) ----

@test "am-train --update: svm equals numpy Newton on the prior-regularised squared hinge" {
	command -v /usr/bin/python3 >/dev/null || skip "python3 absent"
	/usr/bin/python3 -c 'import numpy' 2>/dev/null || skip "numpy absent"
	split_small
	am am-train -q -a svm -t y -i id -w wt -o a.amm a.csv
	run -0 --separate-stderr am am-train -q --update a.amm -t y -i id \
	    -w wt -e 1e-10 -o ab.amm b.csv
	[ -z "$output" ]
	coefs a.amm > a.coef
	coefs ab.amm > ab.coef
	# Independently: minimise 1/2 |w|^2 + g0'(w - w0) + 1/2 (w - w0)' L0
	# (w - w0) + sum_new c_i max(0, 1 - y_i w'x_i)^2, g0 and L0 the
	# gradient and generalised Hessian (2 c_i x_i x_i' over the rows
	# inside the margin) of the old rows' loss at w0, by Newton's method
	# with backtracking (the objective is a convex piecewise quadratic).
	/usr/bin/python3 - a.coef ab.coef a.csv b.csv > diff.txt <<'PY'
import sys, numpy as np
def load(path):
    rows = [l.strip().split(',') for l in list(open(path))[1:]]
    X = np.array([[float(r[1]), float(r[2]), 1.0] for r in rows])
    c = np.array([float(r[3]) for r in rows])
    y = np.array([1.0 if r[4] == 'yes' else -1.0 for r in rows])
    return X, c, y
def data(X, c, y, w):
    m = np.maximum(0, 1 - y * (X @ w)); a = m > 0
    return (np.sum(c * m * m), X.T @ (-2 * c * m * y),
            X[a].T @ (X[a] * (2 * c[a])[:, None]))
w0 = np.loadtxt(sys.argv[1]); Xa, ca, ya = load(sys.argv[3])
Xb, cb, yb = load(sys.argv[4])
_, g0, L0 = data(Xa, ca, ya, w0)
def f(w):
    d = w - w0
    return 0.5 * w @ w + g0 @ d + 0.5 * d @ L0 @ d + data(Xb, cb, yb, w)[0]
w = w0.copy()
for _ in range(100):
    _, g, H = data(Xb, cb, yb, w)
    g = g + w + g0 + L0 @ (w - w0)
    s = -np.linalg.solve(H + np.eye(3) + L0, g)
    t = 1.0
    while f(w + t * s) > f(w) + 1e-4 * t * (g @ s) and t > 1e-12:
        t /= 2
    w = w + t * s
print("%.3g" % np.max(np.abs(w - np.loadtxt(sys.argv[2]))))
PY
	approx "$(cat diff.txt)" 0 1e-6
}

@test "am-train --update: svm on 30 + 10 rows is close to the fit on all 40, and chains" {
	split_small
	am am-train -q -a svm -t y -i id -w wt -e 0.001 -o all.amm "$F/small.csv"
	am am-train -q -a svm -t y -i id -w wt -e 0.001 -o a.amm a.csv
	am am-train -q --update a.amm -t y -i id -w wt -e 1e-6 -o ab.amm b.csv
	coefs all.amm > all.coef
	coefs a.amm > a.coef
	coefs ab.amm > ab.coef
	echo "old $(maxdiff all.coef a.coef) updated $(maxdiff all.coef ab.coef)"
	# measured: 0.00014, against 0.049 for the old model alone
	approx "$(maxdiff all.coef ab.coef)" 0 0.005
	awk -v d="$(maxdiff all.coef a.coef)" 'BEGIN { exit !(d > 0.03) }'
	# 30 + 5 + 5 (two updates) is as close
	{ head -1 b.csv; sed -n 2,6p b.csv; } > b1.csv
	{ head -1 b.csv; sed -n 7,11p b.csv; } > b2.csv
	am am-train -q --update a.amm -t y -i id -w wt -e 1e-6 -o ab1.amm b1.csv
	am am-train -q --update ab1.amm -t y -i id -w wt -e 1e-6 -o ab2.amm b2.csv
	coefs ab2.amm > ab2.coef
	approx "$(maxdiff all.coef ab2.coef)" 0 0.005
}

decision_label() { # decision_label MODEL FILE: label of the largest decision value
	am-predict -m "$1" --coef > w.csv
	awk -F, 'NR == FNR { if (FNR == 1) { k = NF - 1; for (j = 2; j <= NF; j++)
		cls[j - 1] = substr($j, 3) } else { nw++; for (j = 2; j <= NF; j++)
		w[nw, j - 1] = $j } next }
	    FNR == 1 { next }
	    { best = ""; for (v = 1; v <= k; v++) { z = w[nw, v]
		for (j = 1; j < nw; j++) z += w[j, v] * $j
		if (best == "" || z > bz) { best = v; bz = z } }
	      print (k == 1 ? (bz >= 0 ? "yes" : "no") : cls[best]) }' w.csv "$2"
}

@test "am-train --update: svm Platt probabilities keep argmax == label on every row" {
	head -201 "$F/multi.csv" > a.csv
	{ head -1 "$F/multi.csv"; tail -100 "$F/multi.csv"; } > b.csv
	am am-train -q -a svm -t y -o a.amm a.csv
	am am-train -q --update a.amm -t y -o ab.amm b.csv
	am am-predict -m ab.amm "$F/multi.csv" > s.csv
	# the label is the most probable class ...
	awk -F, 'NR > 1 { best = 2; for (j = 3; j < NF; j++) if ($j > $best) best = j
	    if ("p_" $NF != h[best]) { print "row " NR; bad = 1 } }
	    NR == 1 { for (j = 1; j <= NF; j++) h[j] = $j }
	    END { exit bad }' s.csv
	# ... and the class of the largest decision value
	cut -d, -f5 s.csv | sed 1d > label.txt
	decision_label ab.amm "$F/multi.csv" > want.txt
	cmp want.txt label.txt
	# binary: score >= 0.5 exactly when the decision value is >= 0
	head -31 "$F/small.csv" | cut -d, -f2,3,5 > sa.csv
	{ head -1 "$F/small.csv"; tail -10 "$F/small.csv"; } | cut -d, -f2,3,5 > sb.csv
	am am-train -q -a svm -t y -o sa.amm sa.csv
	am am-train -q --update sa.amm -t y -o sab.amm sb.csv
	cut -d, -f2,3,5 "$F/small.csv" > sall.csv
	am am-predict -m sab.amm sall.csv | sed 1d | cut -d, -f3 > label.txt
	decision_label sab.amm sall.csv > want.txt
	cmp want.txt label.txt
}

@test "am-train --update: svm updates are deterministic for any -j" {
	head -201 "$F/multi.csv" > a.csv
	{ head -1 "$F/multi.csv"; tail -100 "$F/multi.csv"; } > b.csv
	am am-train -q -a svm -t y -o a.amm a.csv
	export SOURCE_DATE_EPOCH=1700000000
	am am-train -q -j 1 --update a.amm -t y -o j1.amm b.csv
	mv j1.amm j1b.amm
	am am-train -q -j 1 --update a.amm -t y -o j1.amm b.csv
	cmp j1.amm j1b.amm
	am am-train -q -j 2 --update a.amm -t y -o j2.amm b.csv
	am am-predict -m j1.amm b.csv > s1.csv
	am am-predict -m j2.amm b.csv > s2.csv
	cmp s1.csv s2.csv
	cmp <(coefs j1.amm) <(coefs j2.amm)
}

@test "am-train --update: an svm with --loss hinge cannot be updated (exit 1)" {
	split_small
	am am-train -q -a svm --loss hinge -t y -i id -o a.amm a.csv
	run -1 --separate-stderr am am-train -q --update a.amm -t y -i id \
	    -o u.amm b.csv
	one_line_error
	[[ $stderr == *"svm: a model with --loss hinge cannot be updated"* ]]
	[ ! -e u.amm ]
}

@test "am-train --update: bank-full svm 80% + 20% within 0.003 AUC of the full fit" {
	need_shared bank-marketing/bank-full.csv
	bank_split
	am am-train -q -a svm -t y -c 1 -o full.amm train.bin
	am am-train -q -a svm -t y -c 1 -o a.amm a.bin
	am am-train -q --update a.amm -t y -o ab.amm b.bin
	full=$(test_auc full.amm)
	old=$(test_auc a.amm)
	upd=$(test_auc ab.amm)
	echo "full $full old $old updated $upd"
	approx "$upd" "$full" 0.003
}

# ---- svm merge: the shards' expansions, or parameter mixing ----

@test "am-model merge: svm shards minimise the sum of their expansions" {
	have_merge || skip "am-model has no merge yet"
	split_small
	am am-train -q -a svm -t y -i id -w wt -e 0.001 -o all.amm "$F/small.csv"
	am am-train -q -a svm -t y -i id -w wt -e 0.001 -o a.amm a.csv
	am am-train -q -a svm -t y -i id -w wt -e 0.001 -o b.amm b.csv
	run -0 --separate-stderr am am-model merge -o m.amm a.amm b.amm
	coefs all.amm > all.coef
	coefs a.amm > a.coef
	coefs b.amm > b.coef
	coefs m.amm > m.coef
	paste a.coef b.coef | awk '{ printf "%.15g\n", (30 * $1 + 10 * $2) / 40 }' > mean.coef
	echo "merged $(maxdiff all.coef m.coef) mean $(maxdiff all.coef mean.coef)"
	# measured: 0.053 (the 10-row shard's expansion is rough), 0.089
	# for the rows-weighted mean
	approx "$(maxdiff all.coef m.coef)" 0 0.06
	awk -v m="$(maxdiff all.coef m.coef)" -v a="$(maxdiff all.coef mean.coef)" \
	    'BEGIN { exit !(m < a) }'
	# and the merged model updates
	run -0 --separate-stderr am am-train -q --update m.amm -t y -i id \
	    -w wt -o mu.amm b.csv
}

@test "am-model merge: svm shards without expansions (hinge) average their weights" {
	have_merge || skip "am-model has no merge yet"
	split_small
	am am-train -q -a svm --loss hinge -t y -i id -o a.amm a.csv
	am am-train -q -a svm --loss hinge -t y -i id -o b.amm b.csv
	run -0 --separate-stderr am am-model merge -o m.amm a.amm b.amm
	coefs a.amm > a.coef
	coefs b.amm > b.coef
	coefs m.amm > m.coef
	# by hand: (30 a + 10 b) / 40, the rows each was trained on
	paste a.coef b.coef | awk '{ printf "%.15g\n", (30 * $1 + 10 * $2) / 40 }' > want.coef
	approx "$(maxdiff want.coef m.coef)" 0 1e-12
}
