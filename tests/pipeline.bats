#!/usr/bin/env bats
# pipeline.bats -- clean | features | train, then predict | eval, end to
# end on data/bank.csv (and on bank-full.csv from ../shared/data when it
# is there), checking quality, replay and determinism.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR"
}

pipeline() { # pipeline FILE DROP: split 80/20 (seed 1), fit on 80%, score 20%
	am am-clean --split 0.8 --test test.csv -s 1 "$1" >train.csv
	am am-clean -o clean.amm train.csv >train.clean.csv
	am am-clean -m clean.amm test.csv >test.clean.csv
	am am-features -t y ${2:+--drop $2} -o feat.amm --to bin train.clean.csv >train.bin
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
