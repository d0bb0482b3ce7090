#!/usr/bin/env bats
# am-eval.bats -- metrics against scikit-learn (fixtures/am-eval/
# expected.txt, made once by expected.py), requirements and exit 3, class
# order, output formats, and bad input with exact statuses.
load helpers

E="$BATS_TEST_DIRNAME/fixtures/am-eval"
S="$E/scores.csv"

setup() {
	cd "$BATS_TEST_TMPDIR"
}

expected() { # expected CASE METRIC: the value sklearn computed
	awk -v c="$1" -v m="$2" '$1 == c && $2 == m { print $3 }' "$E/expected.txt"
}

metric() { # metric NAME: from the --csv output in $output
	awk -F, -v m="$1" '$1 == m { print $2 }' <<<"$output"
}

agree() { # agree CASE: every metric of $output equals sklearn's to 1e-9
	local m n=0
	for m in accuracy precision recall f1 auc logloss pr_auc brier ks; do
		approx "$(metric $m)" "$(expected "$1" $m)" 1e-9 ||
		    { echo "$1 $m"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -eq 9 ]
}

@test "am-eval: metrics agree with scikit-learn" {
	run -0 --separate-stderr am am-eval -t y --csv "$S"
	[ "${lines[0]}" = "metric,value" ]
	[ "$(metric rows)" = 300 ]
	[ "$(metric positives)" = 87 ]
	agree plain
	# the confusion matrix adds up, and agrees with an awk count
	[ $(($(metric tp) + $(metric fp) + $(metric tn) + $(metric fn))) -eq 300 ]
	tp=$(awk -F, 'NR > 1 && $2 == "yes" && $3 >= 0.5' "$S" | wc -l)
	[ "$(metric tp)" -eq "$tp" ]
}

@test "am-eval: weighted metrics agree with scikit-learn" {
	run -0 --separate-stderr am am-eval -t y -w w --csv "$S"
	agree weighted
	[ "$(metric rows)" = 300 ]
}

@test "am-eval: --threshold moves only the thresholded metrics" {
	run -0 --separate-stderr am am-eval -t y --threshold 0.3 --csv "$S"
	agree thr03
}

@test "am-eval: the text output is aligned metric value rows" {
	run -0 --separate-stderr am am-eval -t y -p score "$S"
	[ "${lines[0]}" = "rows       300" ]
	[ "${lines[6]}" = "auc        0.851869839728023" ]
	[ "${#lines[@]}" -eq 15 ]
	[ -z "$stderr" ]
}

@test "am-eval: --json is one JSON object with the same numbers" {
	run -0 --separate-stderr am am-eval -t y --json "$S"
	[ "${#lines[@]}" -eq 1 ]
	auc=$(python3 -c 'import json, sys; print(repr(json.load(sys.stdin)["auc"]))' <<<"$output")
	approx "$auc" "$(expected plain auc)" 1e-9
	# an undefined metric is null
	printf 'y,score\nyes,0.2\nyes,0.9\n' >one.csv
	run -0 --separate-stderr am am-eval -t y --json one.csv
	[[ "$output" == *'"auc":null,'* ]]
}

@test "am-eval: --lift deciles agree with an independent computation" {
	run -0 --separate-stderr am am-eval -t y --lift --csv "$S"
	[ "${lines[0]}" = "bin,rows,positives,rate,lift,cum_gain,cum_lift,min_score,cum_rows,cum_positives,cum_rate" ]
	[ "${#lines[@]}" -eq 11 ]
	for b in 1 2 3 4 5 6 7 8 9 10; do
		got=$(awk -F, -v b=$b '$1 == b { print $3 }' <<<"$output")
		approx "$got" "$(expected lift10 positives$b)" 1e-9
		[ "$(awk -F, -v b=$b '$1 == b { print $2 }' <<<"$output")" = 30 ]
	done
	# the last bin has gained every positive
	[ "$(awk -F, '$1 == 10 { print $6 "," $7 }' <<<"$output")" = "1,1" ]
	# cumulative response rate: positives so far / rows so far, by hand
	[ "$(awk -F, '$1 == 3 { print $9 "," $10 }' <<<"$output")" = "90,58" ]
	approx "$(awk -F, '$1 == 3 { print $11 }' <<<"$output")" "$(echo '58 / 90' | bc -l)" 1e-12
	# a tie group straddles the quartile cuts: fractional shares
	run -0 --separate-stderr am am-eval -t y --lift=4 --json "$S"
	for b in 1 2 3 4; do
		got=$(python3 -c "import json, sys; print(json.load(sys.stdin)['lift'][$b - 1]['positives'])" <<<"$output")
		approx "$got" "$(expected lift4 positives$b)" 1e-9
	done
}

@test "am-eval: --pos chooses the positive class" {
	run -0 --separate-stderr am am-eval -t y --csv "$S"
	yes=$(metric auc)
	run -0 --separate-stderr am am-eval -t y --pos no --csv "$S"
	# the scores are P(yes): as scores of 'no' they rank backwards
	approx "$(metric auc)" "$(awk -v a="$yes" 'BEGIN { printf "%.17g", 1 - a }')" 1e-12
	[ "$(metric positives)" = 213 ]
	# a label that never occurs is worth a warning (a typo?)
	run -0 --separate-stderr am am-eval -t y --pos Yes --csv "$S"
	[ "$stderr" = "am-eval: no row has the positive label 'Yes'" ]
	[ "$(metric positives)" = 0 ]
	[ "$(metric auc)" = nan ]
}

@test "am-eval: the later label in byte order is positive" {
	printf 'y,score\n0,0.1\n1,0.8\n1,0.3\n0,0.4\n' >a.csv
	run -0 --separate-stderr am am-eval -t y --csv a.csv
	[ "$(metric positives)" = 2 ]
	[ "$(metric auc)" = 0.75 ]
	printf 'y,score\n1,0.1\n0,0.8\n0,0.3\n1,0.4\n' >b.csv
	run -0 --separate-stderr am am-eval -t y --csv b.csv
	[ "$(metric positives)" = 2 ]
	[ "$(metric auc)" = 0.25 ]
}

@test "am-eval: a third class is an error unless --pos" {
	printf 'y,score\na,0.1\nb,0.8\nc,0.3\n' >abc.csv
	run -1 --separate-stderr am am-eval -t y abc.csv
	one_line_error
	[[ "$stderr" == "am-eval: abc.csv:4: column 'y': a third class 'c'"* ]]
	run -0 --separate-stderr am am-eval -t y --pos b --csv abc.csv
	[ "$(metric positives)" = 1 ]
	[ "$(metric auc)" = 1 ]
}

@test "am-eval: --require passes with 0 and fails with 3" {
	run -0 --separate-stderr am am-eval -t y --require 'auc>=0.85' \
	    --require 'logloss<0.6' "$S"
	[ -z "$stderr" ]
	run -3 --separate-stderr am am-eval -t y --require 'auc>=0.9' \
	    --require 'f1>0.5' --require 'logloss<=0.4' "$S"
	# the metrics are still printed; one line per failed requirement
	[ "${lines[0]}" = "rows       300" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "am-eval: requirement 'auc>=0.9' failed: auc = 0.85187" ]
	[ "${stderr_lines[1]}" = "am-eval: requirement 'logloss<=0.4' failed: logloss = 0.500884" ]
}

@test "am-eval: a failing value is shown with enough digits" {
	# auc = 0.851869839728023: 6 digits would print 0.85187, which passes
	run -3 --separate-stderr am am-eval -t y --require 'auc>=0.8518698398' "$S"
	[ "$stderr" = "am-eval: requirement 'auc>=0.8518698398' failed: auc = 0.85186983972802333" ]
}

@test "am-eval: a single class gives auc nan, which fails --require" {
	printf 'y,score\nno,0.2\nno,0.6\nno,0.1\n' >no.csv
	run -0 --separate-stderr am am-eval -t y --csv no.csv
	[ "$(metric auc)" = nan ]
	[ "$(metric pr_auc)" = nan ]
	[ "$(metric positives)" = 0 ]
	[ "$(metric accuracy)" = "0.666666666666667" ]
	run -3 --separate-stderr am am-eval -t y --require 'auc>=0.5' no.csv
	[ "$stderr" = "am-eval: requirement 'auc>=0.5' failed: auc = nan" ]
	run -3 --separate-stderr am am-eval -t y --require 'auc<0.5' no.csv
}

@test "am-eval: a bad --require is a usage error" {
	run -2 --separate-stderr am am-eval -t y --require 'gini>=0.5' "$S"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-eval: --require: unknown metric 'gini'" ]
	[[ "${stderr_lines[1]}" == "usage: am-eval "* ]]
	for bad in 'auc' 'auc=0.5' 'auc>=' 'auc>=x' '>=0.5' 'auc >= 0.5' 'auc>=nan'; do
		run -2 --separate-stderr am am-eval -t y --require "$bad" "$S"
		[[ "${stderr_lines[0]}" == "am-eval: --require: '$bad' is not METRIC OP NUMBER"* ]]
	done
}

@test "am-eval: bad option values are usage errors" {
	run -2 --separate-stderr am am-eval "$S"
	[ "${stderr_lines[0]}" = "am-eval: -t COL is required (the column of true labels)" ]
	run -2 --separate-stderr am am-eval -t y --threshold abc "$S"
	run -2 --separate-stderr am am-eval -t y --lift=0 "$S"
	run -2 --separate-stderr am am-eval -t y -d ab "$S"
	run -2 --separate-stderr am am-eval -t y "$S" "$S"
	run -2 --separate-stderr am am-eval -t
	[ "${stderr_lines[0]}" = "am-eval: option -t needs an argument" ]
	[ -z "$output" ]
}

@test "am-eval: a missing column is an error" {
	run -1 --separate-stderr am am-eval -t target "$S"
	one_line_error
	[ "$stderr" = "am-eval: $S: no target column 'target'" ]
	run -1 --separate-stderr am am-eval -t y -p prob "$S"
	one_line_error
	[ "$stderr" = "am-eval: $S: no score column 'prob'" ]
	run -1 --separate-stderr am am-eval -t y -w weight "$S"
	one_line_error
}

@test "am-eval: empty input and header only are errors" {
	: >empty.csv
	run -1 --separate-stderr am am-eval -t y empty.csv
	one_line_error
	printf 'y,score\n' >header.csv
	run -1 --separate-stderr am am-eval -t y header.csv
	one_line_error
	[ "$stderr" = "am-eval: header.csv: no rows" ]
}

@test "am-eval: bad cells name the file and line" {
	printf 'y,score\nno,0.2\nyes,high\n' >nan.csv
	run -1 --separate-stderr am am-eval -t y nan.csv
	one_line_error
	[ "$stderr" = "am-eval: nan.csv:3: column 'score': 'high' is not a number" ]
	printf 'y,score\nno,0.2\nyes,\n' >miss.csv
	run -1 --separate-stderr am am-eval -t y miss.csv
	[ "$stderr" = "am-eval: miss.csv:3: column 'score': missing score" ]
	printf 'y,score\nNA,0.2\nyes,0.3\n' >missy.csv
	run -1 --separate-stderr am am-eval -t y missy.csv
	[ "$stderr" = "am-eval: missy.csv:2: column 'y': missing label" ]
	printf 'y,score\nno,0.2\nyes,1.5\n' >range.csv
	run -1 --separate-stderr am am-eval -t y range.csv
	one_line_error
	[[ "$stderr" == "am-eval: range.csv:3: column 'score': score 1.5 is not in [0, 1]"* ]]
	printf 'y,score\nno,0.2\nyes,inf\n' >inf.csv
	run -1 --separate-stderr am am-eval -t y inf.csv
	one_line_error
	printf 'y,score,w\nno,0.2,1\nyes,0.3,-1\n' >w.csv
	run -1 --separate-stderr am am-eval -t y -w w w.csv
	[ "$stderr" = "am-eval: w.csv:3: column 'w': weight -1 is negative" ]
	printf 'y,score\nno,0.2\nyes,0.3,4\n' >ragged.csv
	run -1 --separate-stderr am am-eval -t y ragged.csv
	one_line_error
	[[ "$stderr" == "am-eval: ragged.csv:3: "* ]]
}

@test "am-eval: --skip-bad skips and counts bad rows" {
	printf 'y,score\nno,0.2\nyes,high\nyes,\nno,0.1,7\nyes,0.9\nNA,0.5\n' >bad.csv
	run -0 --separate-stderr am am-eval -t y --skip-bad --csv bad.csv
	[ "$stderr" = "am-eval: skipped 4 bad rows" ]
	[ "$(metric rows)" = 2 ]
	[ "$(metric auc)" = 1 ]
	run -0 --separate-stderr am am-eval -q -t y --skip-bad --csv bad.csv
	[ -z "$stderr" ]
}

@test "am-eval: --raw-scores ranks any real scores" {
	run -1 --separate-stderr am am-eval -t y -p duration "$DATA/bank.csv"
	one_line_error
	# the logit of the fixture's scores ranks the rows as the scores do
	awk -F, -v OFS=, 'NR == 1 { print "y,margin"; next }
	    { p = $3; if (p < 1e-9) p = 1e-9; if (p > 1 - 1e-9) p = 1 - 1e-9
	      printf "%s,%.17g\n", $2, log(p / (1 - p)) }' "$S" >margin.csv
	run -0 --separate-stderr am am-eval -t y -p margin --raw-scores --threshold 0 --csv margin.csv
	approx "$(metric auc)" "$(expected plain auc)" 1e-12
	approx "$(metric accuracy)" "$(expected plain accuracy)" 1e-12
	[ "$(metric logloss)" = nan ]
	[ "$(metric brier)" = nan ]
}

@test "am-eval: stdin, -d and quoted fields" {
	run -0 --separate-stderr am am-eval -t y --csv - <"$S"
	agree plain
	tr ',' ';' <"$S" | sed 's/^\([^;]*\);\([^;]*\)/"\1";"\2"/' >semi.csv
	run -0 --separate-stderr am am-eval -t y -d ';' --csv semi.csv
	agree plain
	# a forced delimiter that is not the file's: one column, no 'y'
	run -1 --separate-stderr am am-eval -t y -d tab "$S"
	[ "$stderr" = "am-eval: $S: no target column 'y'" ]
}

@test "am-eval: the row order does not change the rank metrics" {
	# exactly: the sums behind logloss and brier may differ in the last bit
	run -0 --separate-stderr am am-eval -t y --csv "$S"
	first=$(grep -Ev '^(logloss|brier),' <<<"$output")
	{ head -1 "$S"; tail -n +2 "$S" | sort -r; } >shuffled.csv
	run -0 --separate-stderr am am-eval -t y --csv shuffled.csv
	[ "$(grep -Ev '^(logloss|brier),' <<<"$output")" = "$first" ]
	[ "$(cat "$S" | md5sum)" != "$(md5sum <shuffled.csv)" ]
}

@test "am-eval: -v reports the positive class" {
	run -0 --separate-stderr am am-eval -v -t y "$S"
	[ "$stderr" = "am-eval: 300 rows, positive class 'yes'" ]
}

@test "am-eval: a write error exits 1" {
	run -1 --separate-stderr bash -c "am-eval -t y '$S' > /dev/full"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "am-eval: write error"* ]]
}

# ---- regression ----

@test "am-eval: regression metrics agree with scikit-learn" {
	# a numeric target with more than two values is judged as regression
	run -0 --separate-stderr am am-eval -t spend -p pred --csv "$E/reg.csv"
	[ "$(metric rows)" = 200 ]
	# rows with y = 0 are left out of mape and counted: 12 by awk
	[ "$(metric mape_skipped)" = "$(awk -F, 'NR > 1 && $2 == 0' "$E/reg.csv" | wc -l)" ]
	for m in rmse mae r2 mape medae explained_variance; do
		approx "$(metric $m)" "$(expected reg $m)" 1e-9
	done
	run -0 --separate-stderr am am-eval --regression -t spend -p pred -w w --csv "$E/reg.csv"
	for m in rmse mae r2 mape medae explained_variance; do
		approx "$(metric $m)" "$(expected regw $m)" 1e-9
	done
}

@test "am-eval: regression by hand on four rows" {
	printf 'y,p\n1,2\n2,2\n4,3\n0,1\n' >r.csv
	run -0 --separate-stderr am am-eval -t y -p p --csv r.csv
	# errors 1 0 1 1: mae 3/4, rmse sqrt(3/4), medae 1; mape (1/1 + 0 + 1/4) / 3
	[ "$(metric mae)" = 0.75 ]
	approx "$(metric rmse)" 0.8660254037844386 1e-15
	[ "$(metric medae)" = 1 ]
	approx "$(metric mape)" "$(echo '1.25 / 3' | bc -l)" 1e-15
	# mean y 7/4, SS_tot 8.75, SS_res 3: r2 = 1 - 3/8.75
	approx "$(metric r2)" "$(echo '1 - 3 / 8.75' | bc -l)" 1e-15
	[ "$(metric mape_skipped)" = 1 ]
	# two numeric values are still a binary target; --regression forces
	printf 'y,p\n1,0.5\n0,0.2\n' >two.csv
	run -0 --separate-stderr am am-eval -t y -p p --csv two.csv
	[ "$(metric auc)" = 1 ]
	run -0 --separate-stderr am am-eval --regression -t y -p p --csv two.csv
	[ "$(metric mae)" = 0.35 ]
}

@test "am-eval: --regression needs numbers" {
	printf 'y,p\n1,2\nlots,2\n' >bad.csv
	run -1 --separate-stderr am am-eval --regression -t y -p p bad.csv
	one_line_error
	[ "$stderr" = "am-eval: bad.csv:3: column 'y': 'lots' is not a number" ]
	run -2 --separate-stderr am am-eval -t spend -p pred --require 'auc>=0.5' "$E/reg.csv"
	[ "$stderr" = "am-eval: --require: metric 'auc' is not computed for regression" ]
	[ -z "$output" ]
	run -3 --separate-stderr am am-eval -t spend -p pred --require 'r2>=0.6' "$E/reg.csv"
	[ "$stderr" = "am-eval: requirement 'r2>=0.6' failed: r2 = 0.534885" ]
}

# ---- multi-class ----

@test "am-eval: multi-class metrics agree with scikit-learn" {
	run -0 --separate-stderr am am-eval -t tier --proba-prefix p_ --csv "$E/multi.csv"
	[ "$(metric classes)" = 3 ]
	for m in accuracy precision_macro recall_macro f1_macro precision_micro \
	    recall_micro f1_micro precision_weighted recall_weighted f1_weighted \
	    auc logloss; do
		approx "$(metric $m)" "$(expected multi $m)" 1e-9 || { echo $m; false; }
	done
	# the confusion matrix, row by row
	for c in bronze gold silver; do
		row=$(awk -F, -v c=$c '$1 == c && NF == 4 { print $2 "," $3 "," $4 }' <<<"$output")
		[ "$row" = "$(expected multi conf_$c)" ]
	done
	# per-class F1
	for c in bronze gold silver; do
		approx "$(awk -F, -v c=$c '$1 == c && NF == 5 { print $4 }' <<<"$output")" \
		    "$(expected multi f1_$c)" 1e-9
	done
}

@test "am-eval: weighted multi-class, and -p naming the columns" {
	run -0 --separate-stderr am am-eval -t tier -w w --proba-prefix p_ --csv "$E/multi.csv"
	for m in accuracy precision_macro f1_macro f1_weighted auc logloss; do
		approx "$(metric $m)" "$(expected multiw $m)" 1e-9
	done
	# columns in any order, the prefix stripped from the names given
	run -0 --separate-stderr am am-eval -t tier -p p_silver,p_bronze,p_gold \
	    --proba-prefix p_ --csv "$E/multi.csv"
	approx "$(metric logloss)" "$(expected multi logloss)" 1e-9
	# columns named as the classes
	sed '1s/p_//g' "$E/multi.csv" >named.csv
	run -0 --separate-stderr am am-eval -t tier -p gold,bronze,silver --csv named.csv
	approx "$(metric auc)" "$(expected multi auc)" 1e-9
}

@test "am-eval: --label judges predicted classes" {
	run -0 --separate-stderr am am-eval -t tier --label guess --csv "$E/multi.csv"
	for m in accuracy precision_macro recall_macro f1_macro f1_weighted; do
		approx "$(metric $m)" "$(expected label $m)" 1e-9
	done
	[ "$(metric auc)" = nan ]
	[ "$(metric logloss)" = nan ]
	for c in bronze gold silver; do
		row=$(awk -F, -v c=$c '$1 == c && NF == 4 { print $2 "," $3 "," $4 }' <<<"$output")
		[ "$row" = "$(expected label conf_$c)" ]
	done
	# JSON: the tables are arrays of objects
	run -0 --separate-stderr am am-eval -t tier --label guess --json "$E/multi.csv"
	n=$(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["confusion"][1]["gold"], d["per_class"][2]["class"])' <<<"$output")
	[ "$n" = "50 silver" ]
}

@test "am-eval: multi-class errors" {
	run -1 --separate-stderr am am-eval -t tier -p p_gold,p_silver --proba-prefix p_ "$E/multi.csv"
	one_line_error
	[ "$stderr" = "am-eval: column 'tier': label 'bronze' has no probability column" ]
	printf 'y,a,b\na,0.5,0.5\nb,0.2,1.3\n' >p.csv
	run -1 --separate-stderr am am-eval -t y -p a,b p.csv
	[ "$stderr" = "am-eval: p.csv:3: column 'b': probability 1.3 is not in [0, 1]" ]
	run -1 --separate-stderr am am-eval -t y --proba-prefix q_ p.csv
	[ "$stderr" = "am-eval: p.csv: no column starts with 'q_'" ]
}

# ---- binary extras ----

@test "am-eval: --threshold rules agree with an independent search" {
	for rule in max-f1:maxf1 youden:youden top:10%:top10 cost:1,5:cost; do
		run -0 --separate-stderr am am-eval -t y --threshold "${rule%:*}" --csv "$S"
		approx "$(metric threshold)" "$(expected thr ${rule##*:})" 1e-12
	done
	# the metrics are those at the chosen threshold
	run -0 --separate-stderr am am-eval -t y --threshold top:10% --csv "$S"
	[ "$(($(metric tp) + $(metric fp)))" -eq "$(awk -F, 'NR > 1 && $3 >= 0.76' "$S" | wc -l)" ]
	run -2 --separate-stderr am am-eval -t y --threshold top:0% "$S"
	run -2 --separate-stderr am am-eval -t y --threshold cost:1 "$S"
	run -2 --separate-stderr am am-eval -t y --threshold best "$S"
}

@test "am-eval: --calibration agrees with scikit-learn's calibration_curve" {
	run -0 --separate-stderr am am-eval -t y --calibration --csv "$S"
	[ "${lines[0]}" = "bin,lo,hi,rows,mean_score,frac_pos" ]
	for b in 0 1 2 3 4 5 6 7 8 9; do
		row=$(awk -F, -v b=$((b + 1)) '$1 == b' <<<"$output")
		approx "$(cut -d, -f5 <<<"$row")" "$(expected calib mean$b)" 1e-9
		approx "$(cut -d, -f6 <<<"$row")" "$(expected calib frac$b)" 1e-9
	done
	run -0 --separate-stderr am am-eval -t y --calibration=10 "$S"
	approx "$(awk '$1 == "ece" { print $2 }' <<<"$output")" "$(expected calib ece)" 1e-12
	run -1 --separate-stderr am am-eval -t y -p duration --raw-scores --calibration "$DATA/bank.csv"
	one_line_error
}

@test "am-eval: profit curve and the profit-optimal depth" {
	run -0 --separate-stderr am am-eval -t y --cost-per-contact 2 \
	    --value-per-response 10 "$S"
	val() { awk -v m="$1" '$1 == m { print $2 }' <<<"$output"; }
	approx "$(val profit)" "$(expected profit best)" 1e-9
	approx "$(val profit_depth)" "$(expected profit depth)" 1e-12
	approx "$(val profit_threshold)" "$(expected profit threshold)" 1e-12
	# the per-decile table: 10 * responses - 2 * contacts, by hand
	run -0 --separate-stderr am am-eval -t y --cost-per-contact 2 \
	    --value-per-response 10 --csv "$S"
	[ "${lines[0]}" = "bin,depth,contacts,responses,profit" ]
	[ "${lines[1]}" = "1,0.1,30,26,200" ]
	[ "${lines[10]}" = "10,1,300,87,270" ]
	# contacting nobody is best when a contact costs more than it brings
	run -0 --separate-stderr am am-eval -t y --cost-per-contact 20 \
	    --value-per-response 10 "$S"
	[ "$(val profit)" = 0 ]
	[ "$(val profit_threshold)" = nan ]
	run -2 --separate-stderr am am-eval -t y --cost-per-contact 2 "$S"
}

# ---- bootstrap ----

@test "am-eval: --bootstrap intervals equal an independent resampling" {
	# expected.py redraws the resamples with its own copy of xoshiro256**
	run -0 --separate-stderr am am-eval -t spend -p pred --bootstrap 200 --csv "$E/reg.csv"
	[ "${lines[0]}" = "metric,value,lo,hi" ]
	for m in mae rmse; do
		row=$(grep "^$m," <<<"$output")
		approx "$(cut -d, -f3 <<<"$row")" "$(expected boot ${m}_lo)" 1e-9
		approx "$(cut -d, -f4 <<<"$row")" "$(expected boot ${m}_hi)" 1e-9
	done
	# -s 1 is the default; the same seed gives the same bytes
	first=$output
	run -0 --separate-stderr am am-eval -t spend -p pred --bootstrap 200 -s 1 --csv "$E/reg.csv"
	[ "$output" = "$first" ]
	run -0 --separate-stderr am am-eval -t spend -p pred --bootstrap 200 -s 2 --csv "$E/reg.csv"
	[ "$output" != "$first" ]
}

@test "am-eval: --bootstrap for classification, --ci narrows the interval" {
	run -0 --separate-stderr am am-eval -t y --bootstrap 100 --json "$S"
	read -r v lo hi < <(python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["auc"], *d["ci"]["auc"])' <<<"$output")
	awk -v v="$v" -v l="$lo" -v h="$hi" 'BEGIN { exit !(l < v && v < h && h - l < 0.2) }'
	run -0 --separate-stderr am am-eval -t y --bootstrap 100 --ci 0.5 --json "$S"
	read -r lo2 hi2 < <(python3 -c 'import json, sys; d = json.load(sys.stdin); print(*d["ci"]["auc"])' <<<"$output")
	awk -v l="$lo" -v h="$hi" -v a="$lo2" -v b="$hi2" 'BEGIN { exit !(l < a && b < h) }'
	run -2 --separate-stderr am am-eval -t y --bootstrap 0 "$S"
	run -2 --separate-stderr am am-eval -t y --bootstrap 10 --ci 1.5 "$S"
}

# ---- ranking ----

@test "am-eval: --ranking agrees with a hand computation (fixtures/am-eval/rank.txt)" {
	run -0 --separate-stderr am am-eval --ranking --truth "$E/rank_truth.csv" -k 3 --csv "$E/rank_pred.csv"
	[ "$(metric users)" = 4 ]
	[ "$(metric users_skipped)" = 1 ]
	approx "$(metric precision_at_k)" "$(echo '1 / 6' | bc -l)" 1e-14
	approx "$(metric recall_at_k)" "$(echo '1 / 3' | bc -l)" 1e-14
	[ "$(metric map_at_k)" = 0.125 ]
	approx "$(metric ndcg_at_k)" "$(echo 'n = (l(2) / l(3)) / (2.5 + l(2) / l(3)); (n + 0.5) / 4' | bc -l)" 1e-14
	[ "$(metric hit_rate_at_k)" = 0.5 ]
	approx "$(metric mrr)" "$(echo '5 / 24' | bc -l)" 1e-14
	approx "$(metric coverage)" "$(echo '6 / 9' | bc -l)" 1e-14
	# scores instead of ranks, higher is better: the same numbers
	awk -F, -v OFS=, 'NR == 1 { print "user,item,score"; next } { print $1, $2, 10 - $3 }' \
	    "$E/rank_pred.csv" >scored.csv
	run -0 --separate-stderr am am-eval --ranking --truth "$E/rank_truth.csv" -k 3 --csv scored.csv
	[ "$(metric map_at_k)" = 0.125 ]
	approx "$(metric mrr)" "$(echo '5 / 24' | bc -l)" 1e-14
}

@test "am-eval: --ranking at k = 1, on stdin, and errors" {
	# k = 1: u1 i1 miss, u2 i2 miss, u3 i6 miss, u6 none
	run -0 --separate-stderr am am-eval --ranking --truth "$E/rank_truth.csv" -k 1 --csv - <"$E/rank_pred.csv"
	[ "$(metric hit_rate_at_k)" = 0 ]
	[ "$(metric ndcg_at_k)" = 0 ]
	approx "$(metric coverage)" "$(echo '3 / 9' | bc -l)" 1e-14
	run -3 --separate-stderr am am-eval --ranking --truth "$E/rank_truth.csv" -k 3 \
	    --require 'ndcg_at_k>=0.5' "$E/rank_pred.csv"
	[ "$stderr" = "am-eval: requirement 'ndcg_at_k>=0.5' failed: ndcg_at_k = 0.175379" ]
	run -2 --separate-stderr am am-eval --ranking "$E/rank_pred.csv"
	[ "${stderr_lines[0]}" = "am-eval: --ranking needs --truth FILE (the held-out items)" ]
	run -1 --separate-stderr am am-eval --ranking --truth "$E/rank_truth.csv" --user customer "$E/rank_pred.csv"
	one_line_error
	[ "$stderr" = "am-eval: $E/rank_truth.csv: no column 'customer'" ]
	printf 'user,item,rank\nu1,i1,x\n' >bad.csv
	run -1 --separate-stderr am am-eval --ranking --truth "$E/rank_truth.csv" bad.csv
	one_line_error
	[ "$stderr" = "am-eval: bad.csv:2: column 'rank': 'x' is not a number" ]
}

# ---- segmentation ----

@test "am-eval: --segments profiles agree with numpy, silhouette with scikit-learn" {
	run -0 --separate-stderr am am-eval --segments segment --csv "$E/seg.csv"
	[ "$(metric rows)" = 150 ]
	[ "$(metric segments)" = 3 ]
	approx "$(metric silhouette)" "$(expected seg silhouette)" 1e-9
	for g in 0 1 2; do
		[ "$(awk -F, -v g=$g '$1 == g && NF == 3 { print $2 }' <<<"$output")" = "$(expected seg rows$g)" ]
		row=$(awk -F, -v g=$g '$1 == g && $2 == "spend" && NF == 4' <<<"$output")
		approx "$(cut -d, -f3 <<<"$row")" "$(expected seg spend$g)" 1e-9
		approx "$(cut -d, -f4 <<<"$row")" "$(expected seg spendidx$g)" 1e-9
	done
	# top channel of segment 0 by awk, with its share
	top=$(awk -F, 'NR > 1 && $2 == 0 { n[$5]++ } END { for (c in n) print n[c], c }' "$E/seg.csv" | sort -rn | head -1)
	[ "$(awk -F, '$1 == 0 && $2 == "channel" && NF == 6 { print $4, $3; exit }' <<<"$output")" = "$top" ]
	# the customer id is not profiled
	[[ "$output" != *customer* ]]
}

@test "am-eval: --silhouette-sample is seeded" {
	run -0 --separate-stderr am am-eval --segments segment --silhouette-sample 50 --csv "$E/seg.csv"
	[ "$(metric silhouette_sample)" = 50 ]
	a=$(metric silhouette)
	run -0 --separate-stderr am am-eval --segments segment --silhouette-sample 50 --csv "$E/seg.csv"
	[ "$(metric silhouette)" = "$a" ]
	run -0 --separate-stderr am am-eval --segments segment --silhouette-sample 50 -s 9 --csv "$E/seg.csv"
	[ "$(metric silhouette)" != "$a" ]
	approx "$(metric silhouette)" "$(expected seg silhouette)" 0.1
	run -2 --separate-stderr am am-eval --segments segment --bootstrap 10 "$E/seg.csv"
	run -1 --separate-stderr am am-eval --segments tier "$E/seg.csv"
	[ "$stderr" = "am-eval: $E/seg.csv: no segment column 'tier'" ]
}

# 2026-11-28 #8: --segments crashed (exit 139) printing the empty table of
# category profiles when every other column is numeric.
@test "am-eval: 2026-11-28 --segments with only numeric columns prints an empty category table" {
	printf 'x,segment\n5,0\n6,1\n7,0\n' >"$BATS_TEST_TMPDIR/s.csv"
	run -0 --separate-stderr am am-eval --segments segment "$BATS_TEST_TMPDIR/s.csv"
	[[ "$output" == *"silhouette        -0.333333333333333"* ]]
	[[ "$output" == *"segment  column  value  rows  share  index"* ]]
}

# ---- --plot (SVG charts) ----

panels() { # panels FILE.svg: one line per panel, see svg_panels.py
	python3 "$E/svg_panels.py" "$1"
}

field() { # field N: the Nth ' | ' field of the panel line in $line
	awk -F' [|] ' -v n="$1" '{ print $n }' <<<"$line"
}

@test "am-eval: --plot draws five panels, the ROC area is scikit-learn's AUC" {
	run -0 --separate-stderr am am-eval -t y --csv "$S"
	plain=$output
	run -0 --separate-stderr am am-eval -t y --csv --plot all.svg "$S"
	[ "$output" = "$plain" ] # the metrics do not change
	run -0 panels all.svg
	[ "${#lines[@]}" -eq 5 ]
	line=${lines[0]}
	[ "$(field 1)" = "ROC curve" ]
	[ "$(field 2)" = "False positive rate" ]
	[ "$(field 3)" = "True positive rate" ]
	auc=$(expected plain auc)
	[ "$(field 4)" = "model (AUC $(printf %.3f "$auc"));random (AUC 0.5)" ]
	# the curve read back from the pixels (2 decimals) encloses the AUC
	approx "$(field 5)" "$auc" 2e-4
	line=${lines[1]}
	[ "$(field 1)" = "Precision-recall curve" ]
	[ "$(field 4)" = "model (AP $(printf %.3f "$(expected plain pr_auc)"));random (rate 0.290)" ]
	line=${lines[2]}
	[ "$(field 1)" = "Lift by bin" ]
	line=${lines[4]}
	[ "$(field 1)" = "Calibration (reliability)" ]
	[ "$(field 2)" = "Mean predicted probability" ]
}

@test "am-eval: --plot -w: the ROC area is scikit-learn's weighted AUC" {
	run -0 --separate-stderr am am-eval -t y -w w --plot roc,pr:w.svg "$S"
	run -0 panels w.svg
	line=${lines[0]}
	approx "$(field 5)" "$(expected weighted auc)" 2e-4
	[[ "$(field 4)" == "model (AUC $(printf %.3f "$(expected weighted auc)"))"* ]]
	line=${lines[1]}
	[[ "$(field 4)" == "model (AP $(printf %.3f "$(expected weighted pr_auc)"))"* ]]
}

@test "am-eval: --plot gains and calibration points are the --lift and --calibration tables" {
	run -0 --separate-stderr am am-eval -t y --lift=5 --calibration=4 \
	    --plot gains,calibration:gc.svg "$S"
	run -0 --separate-stderr am am-eval -t y --lift=5 --csv "$S"
	want=$(awk -F, 'NR > 1 && NF == 11 { printf " %.2f,%.2f", $9 / 300, $6 }' <<<"$output")
	run -0 --separate-stderr am am-eval -t y --calibration=4 --csv "$S"
	cal=$(awk -F, 'NR > 1 && NF == 6 && $4 > 0 { printf " %.2f,%.2f", $5, $6 }' <<<"$output")
	run -0 panels gc.svg
	[ "${#lines[@]}" -eq 2 ]
	line=${lines[0]}
	[ "$(field 1)" = "Cumulative gains" ]
	got=$(field 6 | tr ' ' '\n' | awk -F, 'NR > 1 { printf " %.2f,%.2f", $1, $2 }')
	[ "$got" = "$want" ] || { echo "gains $got != $want"; false; }
	line=${lines[1]}
	[ "$(field 1)" = "Calibration (reliability)" ]
	got=$(field 6 | tr ' ' '\n' | awk -F, '{ printf " %.2f,%.2f", $1, $2 }')
	[ "$got" = "$cal" ] || { echo "calibration $got != $cal"; false; }
}

@test "am-eval: --plot-kind and KINDS: choose the panels; several --plot files" {
	run -0 --separate-stderr am am-eval -t y --plot-kind pr,lift \
	    --plot a.svg --plot roc:b.svg --plot all:c:d.svg "$S"
	run -0 panels a.svg
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "Precision-recall curve |"* ]]
	[[ "${lines[1]}" == "Lift by bin |"* ]]
	run -0 panels b.svg
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "ROC curve |"* ]]
	run -0 panels c:d.svg
	[ "${#lines[@]}" -eq 5 ]
	# --raw-scores leaves calibration out of the default set
	run -0 --separate-stderr am am-eval -t y --raw-scores --plot r.svg "$S"
	run -0 panels r.svg
	[ "${#lines[@]}" -eq 4 ]
	! grep -q Calibration r.svg
}

@test "am-eval: --plot bytes are the same for any row order, and escape the title" {
	am am-eval -t y --plot a.svg <"$S" >/dev/null
	{ head -1 "$S"; tail -n +2 "$S" | sort -r; } >rev.csv
	am am-eval -t y --plot b.svg <rev.csv >/dev/null
	cmp a.svg b.svg
	grep -q '>&lt;stdin&gt;</text>' a.svg
	cp "$S" 'x&y.csv'
	am am-eval -t y --plot c.svg 'x&y.csv' >/dev/null
	grep -q '>x&amp;y.csv</text>' c.svg
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' c.svg
}

@test "am-eval: --plot thins a long curve and stays small" {
	awk 'BEGIN { srand(3); print "y,score"
		for (i = 0; i < 200000; i++) { s = rand()
			printf "%d,%.6f\n", rand() < s * 0.4, s } }' >big.csv
	run -0 --separate-stderr am am-eval -t y --csv --plot roc:big.svg big.csv
	auc=$(awk -F, '$1 == "auc" { print $2 }' <<<"$output")
	[ "$(stat -c %s big.svg)" -lt 100000 ]
	run -0 panels big.svg
	line=${lines[0]}
	n=$(field 6 | wc -w)
	[ "$n" -gt 50 ] && [ "$n" -lt 2500 ]
	approx "$(field 5)" "$auc" 1e-3
}

@test "am-eval: --plot errors: exit 2 for what cannot be drawn, 1 for a bad file" {
	run -2 --separate-stderr am am-eval -t y --plot-kind roc,bogus --plot a.svg "$S"
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == *"'bogus' is not a plot"* ]]
	run -2 --separate-stderr am am-eval -t y --raw-scores --plot calibration:a.svg "$S"
	[[ "${stderr_lines[0]}" == *"calibration needs probabilities"* ]]
	run -2 --separate-stderr am am-eval -t spend -p pred --regression --plot a.svg "$E/reg.csv"
	[[ "${stderr_lines[0]}" == *"binary classification only"* ]]
	run -2 --separate-stderr am am-eval -t tier --proba-prefix p_ --plot a.svg "$E/multi.csv"
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == *"binary classification only (this is multi-class"* ]]
	run -2 --separate-stderr am am-eval -t y --plot roc: "$S"
	[[ "${stderr_lines[0]}" == *"--plot: no file name"* ]]
	run -2 --separate-stderr am am-eval -t y --plot pr:- "$S"
	[[ "${stderr_lines[0]}" == *"'-' is not a file"* ]]
	[ ! -e a.svg ]
	run -1 --separate-stderr am am-eval -t y --plot no/such/dir/a.svg "$S"
	one_line_error
	[ ! -e no ]
	# a failed write leaves the previous file whole
	am am-eval -t y --plot roc:keep.svg "$S" >/dev/null
	cp keep.svg before.svg
	chmod a-w .
	if [ ! -w . ]; then
		run -1 --separate-stderr am am-eval -t y --plot keep.svg "$S"
		chmod u+w .
		one_line_error
		cmp keep.svg before.svg
	fi
	chmod u+w .
}

have_chromium() {
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

shoot() { # shoot FILE.svg OUT.png W H: render in headless Chromium
	local b
	b=$(command -v chromium || command -v chromium-browser)
	timeout 120 "$b" --headless --no-sandbox --disable-gpu --disable-quic \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$(mktemp -d)" --screenshot="$2" \
	    --window-size="$3,$4" "$1" >/dev/null 2>&1
	[ -s "$2" ]
}

@test "am-eval: each --plot kind renders in headless Chromium, not blank" {
	have_chromium || skip "chromium is absent (apt-get install chromium)"
	# a negative control: a white SVG gives a white picture
	printf '<svg xmlns="http://www.w3.org/2000/svg" width="440" height="380"><rect width="440" height="380" fill="#ffffff"/></svg>\n' >white.svg
	shoot white.svg white.png 440 380
	run -0 python3 "$E/png_colours.py" white.png 1f77b4
	[ "${lines[1]}" = "1f77b4 0" ]
	[ "$(echo "${lines[0]}" | awk '{ print ($4 < 0.001) }')" = 1 ]
	for k in roc pr lift gains calibration; do
		am am-eval -t y --plot "$k:$k.svg" "$S" >/dev/null
		shoot "$k.svg" "$k.png" 440 410
		run -0 python3 "$E/png_colours.py" "$k.png" 1f77b4 000000
		# many colours (text is anti-aliased), 2 % or more not white,
		# the model curve and the black frame drawn
		echo "$k: ${lines[*]}"
		read -r w h colours ink <<<"${lines[0]}"
		[ "$colours" -ge 20 ]
		[ "$(awk -v i="$ink" 'BEGIN { print (i >= 0.02) }')" = 1 ]
		[ "${lines[1]#1f77b4 }" -gt 100 ]
		[ "${lines[2]#000000 }" -gt 500 ]
	done
}
