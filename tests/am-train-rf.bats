#!/usr/bin/env bats
# am-train-rf.bats -- random forests (-a rf): a depth-1 tree against the
# best Gini stump found by brute force (awk), the same predictions for
# any -j, the integer split counting against weighted sums (every
# weight doubled: the same bytes), K-class probabilities, regression
# values, out-of-bag metrics, quality against scikit-learn's
# RandomForestClassifier/Regressor on fixtures and on telco-churn, the
# bank-full acceptance AUC, and every error path with its exact status.
load helpers

F="$FIX/rf"

sk() { # sk ARGS...: the scikit-learn peer, or skip when absent
	/usr/bin/python3 -c 'import sklearn' 2>/dev/null ||
	    skip "python3-sklearn absent"
	/usr/bin/python3 "$F/sk.py" "$@"
}

auc() { # auc SCORES TARGET: test ROC AUC by am-eval
	am-eval -t "$2" -p score --csv "$1" | awk -F, '$1 == "auc" { print $2 }'
}

meta() { # meta MODEL KEY: a metadata value from am-model show
	am-model show "$1" | awk -v k="$2" '$1 == k { print $2; exit }'
}

@test "am-train rf: one tree of depth 1 is the best Gini stump (brute force)" {
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr am am-train -q -a rf --trees 1 --max-depth 1 \
	    --no-bootstrap --max-features all -t buy -i id -o s.amm "$F/bin.csv"
	am-predict -m s.amm -i id "$F/bin.csv" | sed 1d | cut -d, -f3 > got
	awk -F, -v y=6 -v pos=yes -v skip=1 -f "$F/stump.awk" "$F/bin.csv" \
	    > want 2>/dev/null
	[ "$(wc -l < got)" -eq 300 ]
	[ "$(sort -u want | wc -l)" -eq 2 ]
	d=$(paste -d' ' want got | awk '{ d = $1 - $2; if (d < 0) d = -d
	    if (d > m) m = d } END { printf "%.3g\n", m }')
	approx "$d" 0 1e-14
}

@test "am-train rf: the same predictions for -j 1, -j 2 and -j 3" {
	cd "$BATS_TEST_TMPDIR"
	for j in 1 2 3; do
		run -0 --separate-stderr am am-train -q -a rf -j $j --trees 30 \
		    -s 7 -t buy -i id -o m$j.amm "$F/bin.csv"
		am-predict -m m$j.amm -i id "$F/bin.csv" > p$j.csv
	done
	cmp p1.csv p2.csv
	cmp p1.csv p3.csv
	[ "$(meta m1.amm oob_accuracy)" = "$(meta m3.amm oob_accuracy)" ]
	# another seed, another forest
	am-train -q -a rf --trees 30 -s 8 -t buy -i id -o m8.amm "$F/bin.csv"
	am-predict -m m8.amm -i id "$F/bin.csv" > p8.csv
	! cmp -s p1.csv p8.csv
}

# Doubling every row weight doubles every sum exactly, so the forest must
# stay the same bytes; with unit weights it is counted in integers (one-hot
# columns, few-bin columns, small nodes each their own way), doubled it
# goes through the plain weighted sums: this pins the one to the other.
@test "am-train rf: integer counting grows the trees of weighted sums (all weights 2)" {
	cd "$BATS_TEST_TMPDIR"
	awk -F, -v OFS=, 'NR == 1 { print $0, "r1,r2,r3,r4"; next }
	    { print $0, ($5 == 1), ($5 == 2), ($5 == 3), ($5 == 4) }' \
	    "$F/bin.csv" > oh.csv
	for o in "" "--min-leaf 3" "--criterion entropy --max-features all"; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr am am-train -q -a rf --trees 20 -s 5 \
		    $o -t buy -i id -o u.amm oh.csv
		# shellcheck disable=SC2086
		run -0 --separate-stderr am am-train -q -a rf --trees 20 -s 5 \
		    $o --class-weight yes=2 --class-weight no=2 -t buy -i id \
		    -o w.amm oh.csv
		am-predict -m u.amm -i id oh.csv > pu.csv
		am-predict -m w.amm -i id oh.csv > pw.csv
		cmp pu.csv pw.csv
		[ "$(meta u.amm nodes)" = "$(meta w.amm nodes)" ]
		[ "$(meta u.amm oob_auc)" = "$(meta w.amm oob_auc)" ]
	done
	# and a weight of 2 on one class alone is another forest
	am-train -q -a rf --trees 20 -s 5 --class-weight yes=2 -t buy -i id \
	    -o y.amm oh.csv
	am-predict -m y.amm -i id oh.csv > py.csv
	! cmp -s pu.csv py.csv
}

@test "am-train rf: bank-full: the same forest for -j 1 and -j 2, and doubled weights" {
	need_shared bank-marketing/bank-full.csv
	cd "$BATS_TEST_TMPDIR"
	am-clean -q --split 0.8 --test test.csv -s 1 \
	    "$SHARED/bank-marketing/bank-full.csv" > train.csv
	am-features -q -t y -o f.amm --to bin train.csv > train.bin
	am-features -q -m f.amm --to bin test.csv > test.bin
	run -0 --separate-stderr am am-train -q -a rf --trees 8 -j 1 -t y \
	    -o m1.amm train.bin
	run -0 --separate-stderr am am-train -q -a rf --trees 8 -j 2 -t y \
	    -o m2.amm train.bin
	run -0 --separate-stderr am am-train -q -a rf --trees 8 -j 2 \
	    --class-weight yes=2 --class-weight no=2 -t y -o mw.amm train.bin
	am-predict -m m1.amm test.bin > p1.csv
	am-predict -m m2.amm test.bin > p2.csv
	am-predict -m mw.amm test.bin > pw.csv
	cmp p1.csv p2.csv
	cmp p1.csv pw.csv
	[ "$(meta m1.amm oob_auc)" = "$(meta m2.amm oob_auc)" ]
	[ "$(meta m1.amm nodes)" = "$(meta mw.amm nodes)" ]
}

@test "am-train rf: out-of-bag accuracy and AUC are recorded and sane" {
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr am am-train -q -a rf --permutation-importance \
	    -t buy -i id -o m.amm "$F/bin.csv"
	acc=$(meta m.amm oob_accuracy)
	oauc=$(meta m.amm oob_auc)
	awk -v a="$acc" -v u="$oauc" 'BEGIN { exit !(a > 0.6 && a < 1 && u > 0.7 && u < 1) }'
	# training predictions are in-bag: better than out of bag
	am-predict -m m.amm -i id "$F/bin.csv" > p.csv
	awk -v u="$oauc" -v t="$(auc p.csv buy)" 'BEGIN { exit !(t > u) }'
	# visits and age drive the target; spend is noise
	imp=$(meta m.amm importance_permutation)
	[[ "$imp" == visits:* ]]
	[[ "$(meta m.amm importance_impurity)" == *visits:* ]]
}

@test "am-train rf: K classes give p_ columns summing to 1 and the argmax label" {
	cd "$BATS_TEST_TMPDIR"
	head -181 "$F/class3.csv" > train.csv
	{ head -1 "$F/class3.csv"; sed -n '182,$p' "$F/class3.csv"; } > test.csv
	run -0 --separate-stderr am am-train -q -a rf -t seg -o m.amm train.csv
	run -0 --separate-stderr am am-predict -m m.amm test.csv
	[ "${lines[0]}" = "seg,p_high,p_low,p_mid,label" ]
	printf '%s\n' "${lines[@]:1}" | awk -F, '
	    { s = $2 + $3 + $4; if (s < 0.999999 || s > 1.000001) bad++
	      l = "high"; m = $2; if ($3 > m) { l = "low"; m = $3 }
	      if ($4 > m) l = "mid"
	      if (l != $5) bad++ }
	    END { exit bad > 0 }'
	acc=$(printf '%s\n' "${lines[@]:1}" | awk -F, '{ n++; g += $1 == $5 }
	    END { printf "%.4f\n", g / n }')
	want=$(sk rfc train.csv test.csv seg)
	echo "am $acc sklearn $want"
	approx "$acc" "$want" 0.07
}

@test "am-train rf: regression values close to scikit-learn's R^2" {
	cd "$BATS_TEST_TMPDIR"
	head -181 "$F/reg.csv" > train.csv
	{ head -1 "$F/reg.csv"; sed -n '182,$p' "$F/reg.csv"; } > test.csv
	run -0 --separate-stderr am am-train -q -a rf -t spend -o m.amm train.csv
	[ "$(meta m.amm criterion)" = mse ]
	awk -v r="$(meta m.amm oob_r2)" 'BEGIN { exit !(r > 0.8 && r < 1) }'
	run -0 --separate-stderr am am-predict -m m.amm test.csv
	[ "${lines[0]}" = "spend,value" ]
	r2=$(printf '%s\n' "${lines[@]:1}" | awk -F, '
	    { y[NR] = $1; p[NR] = $2; s += $1 }
	    END { m = s / NR; for (i = 1; i <= NR; i++) {
	        e += (y[i] - p[i]) ^ 2; t += (y[i] - m) ^ 2 }
	        printf "%.4f\n", 1 - e / t }')
	want=$(sk rfr train.csv test.csv spend)
	echo "am $r2 sklearn $want"
	approx "$r2" "$want" 0.03
	awk -v r="$r2" 'BEGIN { exit !(r > 0.9) }'
}

@test "am-train rf: bank-full test AUC >= 0.925 (100 trees, seeded 80/20 split)" {
	need_shared bank-marketing/bank-full.csv
	cd "$BATS_TEST_TMPDIR"
	am-clean -q --split 0.8 --test test.csv -s 1 \
	    "$SHARED/bank-marketing/bank-full.csv" > train.csv
	am-features -q -t y -o f.amm --to bin train.csv > train.bin
	am-features -q -m f.amm --to bin test.csv > test.bin
	run -0 --separate-stderr am am-train -q -a rf -o m.amm train.bin
	am-predict -m m.amm test.bin > s.csv
	a=$(auc s.csv y)
	echo "auc $a"
	awk -v a="$a" 'BEGIN { exit !(a >= 0.925) }'
}

@test "am-train rf: telco-churn test AUC within 0.01 of scikit-learn" {
	need_shared telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
	cd "$BATS_TEST_TMPDIR"
	am-clean -q --split 0.8 --test test.csv -s 1 \
	    "$SHARED/telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv" > raw.csv
	# TotalCharges is " " for new customers: a missing value
	am-clean -q --missing ' ,NA' -o c.amm raw.csv > train.c.csv
	am-clean -q -m c.amm test.csv > test.c.csv
	am-features -q -t Churn -i customerID -o f.amm --to csv train.c.csv \
	    > train.f.csv
	am-features -q -m f.amm --to csv test.c.csv > test.f.csv
	run -0 --separate-stderr am am-train -q -a rf -t Churn -i customerID \
	    -o m.amm train.f.csv
	am-predict -m m.amm -i customerID test.f.csv > s.csv
	a=$(auc s.csv Churn)
	want=$(sk rfc train.f.csv test.f.csv Churn customerID)
	echo "am $a sklearn $want"
	approx "$a" "$want" 0.01
}

@test "am-train rf: bad options are usage errors (exit 2)" {
	for args in "--trees 0" "--trees x" "--max-depth -1" "--min-leaf 0" \
	    "--min-split 1" "--max-features 0" "--max-features 2.5" \
	    "--max-features half" "--criterion gain"; do
		run -2 --separate-stderr am am-train -a rf $args -t buy -o m.amm \
		    "$F/bin.csv"
		[ -z "$output" ]
		[[ "${stderr_lines[0]}" == am-train:\ --* ]]
		[[ "${stderr_lines[1]}" == usage:* ]]
	done
}

@test "am-train rf: a criterion that does not fit the target is one error line" {
	cd "$BATS_TEST_TMPDIR"
	run -1 --separate-stderr am am-train -a rf --criterion mse -t buy -i id \
	    -o m.amm "$F/bin.csv"
	one_line_error
	[ "$stderr" = "am-train: --criterion: mse is for a numeric target" ]
	run -1 --separate-stderr am am-train -a rf --criterion entropy -t spend \
	    -o m.amm "$F/reg.csv"
	one_line_error
	[ ! -e m.amm ]
}

@test "am-train rf: a damaged forest is refused by am-predict (exit 1)" {
	cd "$BATS_TEST_TMPDIR"
	am-train -q -a rf --trees 5 -t buy -i id -o m.amm "$F/bin.csv"
	size=$(wc -c < m.amm)
	head -c $((size / 2)) m.amm > cut.amm
	run -1 --separate-stderr am am-predict -m cut.amm -i id "$F/bin.csv"
	one_line_error
	run -0 --separate-stderr am am-model verify m.amm
}

# Path contributions: along each path a split adds its change of the node
# value to its feature, so score - (sum of all contributions) is the same
# base value (the mean root value) on every row.
@test "am-train rf: --explain path contributions add up to the score" {
	cd "$BATS_TEST_TMPDIR"
	am-train -q -a rf --trees 20 -t buy -i id -o m.amm "$F/bin.csv"
	run -0 --separate-stderr am am-predict -m m.amm -i id --explain 4 \
	    "$F/bin.csv"
	[ "${lines[0]}" = "id,buy,score,label,feature_1,contrib_1,feature_2,contrib_2,feature_3,contrib_3,feature_4,contrib_4" ]
	printf '%s\n' "${lines[@]:1}" | awk -F, '
	    { b = $3 - ($6 + $8 + $10 + $12)
	      if (NR == 1) b0 = b
	      d = b - b0; if (d < 0) d = -d; if (d > m) m = d }
	    END { printf "spread %g\n", m; exit !(m < 1e-6 && b0 > 0.3 && b0 < 0.7) }'
}

@test "am-train rf: a class weight moves the scores toward that class" {
	cd "$BATS_TEST_TMPDIR"
	mean() { am-predict -m "$1" -i id "$F/bin.csv" | sed 1d |
	    awk -F, '{ s += $3 } END { printf "%.6f\n", s / NR }'; }
	am-train -q -a rf --trees 20 --min-leaf 5 -t buy -i id -o a.amm \
	    "$F/bin.csv"
	am-train -q -a rf --trees 20 --min-leaf 5 --class-weight yes=5 \
	    -t buy -i id -o b.amm "$F/bin.csv"
	am-train -q -a rf --trees 20 --min-leaf 5 --class-weight no=5 \
	    -t buy -i id -o c.amm "$F/bin.csv"
	a=$(mean a.amm) b=$(mean b.amm) c=$(mean c.amm)
	echo "plain $a yes=5 $b no=5 $c"
	awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { exit !(b > a + 0.05 && c < a - 0.05) }'
}
