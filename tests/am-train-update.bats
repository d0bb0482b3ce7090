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

@test "am-train --update: multinomial and L1 logreg keep or improve the old model on the new rows" {
	head -201 "$F/multi.csv" > a.csv
	{ head -1 "$F/multi.csv"; tail -100 "$F/multi.csv"; } > b.csv
	for pen in softmax l1; do
		if [ $pen = l1 ]; then o="--penalty l1"; else o=""; fi
		am am-train -q -a logreg $o -t y -o a.amm a.csv
		am am-train -q --update a.amm -t y -o ab.amm b.csv
		am am-train -q --update a.amm -t y -o ab2.amm b.csv
		cmp <(coefs ab.amm) <(coefs ab2.amm)
		old=$(am-predict -m a.amm b.csv | am-eval -t y --csv | awk -F, '$1 == "log_loss" { print $2 }')
		new=$(am-predict -m ab.amm b.csv | am-eval -t y --csv | awk -F, '$1 == "log_loss" { print $2 }')
		echo "$pen: log loss $old -> $new"
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
