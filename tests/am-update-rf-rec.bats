#!/usr/bin/env bats
# am-update-rf-rec.bats -- continuing and merging random forests and
# recommenders: am-train --update adds trees to a forest (test AUC against
# a full fit, determinism, --max-trees) and folds new interactions into a
# recommender; am-model merge joins forests (the union of the trees: the
# scores are the tree-count-weighted mean of the shards', checked by awk)
# and sums popularity and kNN counts (the same recommendations as a fit on
# the union).  Error paths with their exact status.
load helpers

F="$FIX/rf"

auc() { # auc SCORES: test ROC AUC of column y by am-eval
	am-eval -t y -p score --csv "$1" | awk -F, '$1 == "auc" { print $2 }'
}

need_merge() { # skip until am-model has its merge subcommand
	am-model -h | grep -q '^ *merge' || skip "am-model merge absent"
}

meta() { # meta MODEL KEY: a metadata value from am-model show
	am-model show "$1" | awk -v k="$2" '$1 == k { print $2; exit }'
}

# bank.csv (data/): a seeded 80/20 split; the training part cut into its
# first 80% (old.bin) and the rest (new.bin), all through one feature
# artifact.
bank_split() {
	am-clean -q --split 0.8 --test test.csv -s 1 "$DATA/bank.csv" > train.csv
	n=$(($(wc -l < train.csv) - 1))
	a=$((n * 8 / 10))
	head -n $((a + 1)) train.csv > old.csv
	{ head -n 1 train.csv; tail -n +$((a + 2)) train.csv; } > new.csv
	am-features -q -t y -o f.amm --to bin train.csv > all.bin
	for s in old new test; do
		am-features -q -m f.amm --to bin $s.csv > $s.bin
	done
}

@test "am-update rf: updated forest test AUC within 0.01 of a full fit (bank.csv)" {
	cd "$BATS_TEST_TMPDIR"
	bank_split
	am-train -q -a rf -s 1 -o full.amm all.bin
	am-train -q -a rf -s 1 -o old.amm old.bin
	run -0 --separate-stderr am am-train -q --update old.amm -o new.amm \
	    new.bin
	# default: trees in proportion to the rows, 100 * 723 / 2892
	[ "$(meta new.amm trees)" -eq 125 ]
	[ "$(meta new.amm trees_grown)" -eq 125 ]
	am-model lineage new.amm | grep -q "$(sha256sum old.amm | cut -c1-64)"
	am-predict -m full.amm test.bin > full.csv
	am-predict -m new.amm test.bin > new.csv
	full=$(auc full.csv)
	new=$(auc new.csv)
	echo "full $full updated $new"
	approx "$new" "$full" 0.01
	awk -v a="$new" 'BEGIN { exit !(a >= 0.88) }'
}

@test "am-update rf: the same scores for -j 1 and -j 2; the old trees kept" {
	cd "$BATS_TEST_TMPDIR"
	head -n 201 "$F/bin.csv" > a.csv
	{ head -n 1 "$F/bin.csv"; tail -n 100 "$F/bin.csv"; } > b.csv
	am-train -q -a rf --trees 20 -s 4 -t buy -i id -o old.amm a.csv
	for j in 1 2; do
		am-train -q -j $j --update old.amm --trees 7 -t buy -i id \
		    -o new$j.amm b.csv
		am-predict -m new$j.amm -i id "$F/bin.csv" > p$j.csv
	done
	cmp p1.csv p2.csv
	[ "$(meta new1.amm trees)" -eq 27 ]
	# 20 old trees and 7 new: 27 * new = 20 * old + 7 * (the 7 alone)
	am-train -q --update old.amm --trees 7 --max-trees 7 -t buy -i id \
	    -o only.amm b.csv
	[ "$(meta only.amm trees)" -eq 7 ]
	[ "$(meta only.amm trees_grown)" -eq 27 ]
	for m in old new1 only; do
		am-predict -m $m.amm -i id "$F/bin.csv" | sed 1d |
		    cut -d, -f3 > $m.s
	done
	d=$(paste -d' ' old.s only.s new1.s | awk '{
	    d = (20 * $1 + 7 * $2) / 27 - $3; if (d < 0) d = -d
	    if (d > m) m = d } END { printf "%.3g\n", m }')
	approx "$d" 0 1e-12
	# a second update continues the tree numbers: other trees again
	am-train -q --update new1.amm --trees 7 --max-trees 7 -t buy -i id \
	    -o again.amm b.csv
	am-predict -m again.amm -i id "$F/bin.csv" | sed 1d | cut -d, -f3 > again.s
	! cmp -s only.s again.s
}

@test "am-update rf: merge is the union of the trees, voting equally" {
	need_merge
	cd "$BATS_TEST_TMPDIR"
	head -n 151 "$F/bin.csv" > a.csv
	{ head -n 1 "$F/bin.csv"; tail -n 150 "$F/bin.csv"; } > b.csv
	am-train -q -a rf --trees 30 -s 1 -t buy -i id -o a.amm a.csv
	am-train -q -a rf --trees 12 -s 2 -t buy -i id -o b.amm b.csv
	run -0 --separate-stderr am am-model merge a.amm b.amm -o m.amm
	[ "$(meta m.amm trees)" -eq 42 ]
	for m in a b m; do
		am-predict -m $m.amm -i id "$F/bin.csv" | sed 1d |
		    cut -d, -f3 > $m.s
	done
	d=$(paste -d' ' a.s b.s m.s | awk '{
	    d = (30 * $1 + 12 * $2) / 42 - $3; if (d < 0) d = -d
	    if (d > m) m = d } END { printf "%.3g\n", m }')
	approx "$d" 0 1e-12
	# a merged forest can be updated in turn
	run -0 --separate-stderr am am-train -q --update m.amm --trees 3 \
	    -t buy -i id -o u.amm b.csv
	[ "$(meta u.amm trees)" -eq 45 ]
}

@test "am-update rf: a regression forest merged with a classifier is refused" {
	need_merge
	cd "$BATS_TEST_TMPDIR"
	am-train -q -a rf --trees 3 -t buy -i id -o c.amm "$F/bin.csv"
	am-train -q -a rf --trees 3 -t spend -o r.amm "$F/reg.csv"
	run -1 --separate-stderr am am-model merge c.amm r.amm -o m.amm
	one_line_error
	[ ! -e m.amm ]
}

@test "am-update rf: bad --max-trees is a usage error" {
	run -2 --separate-stderr am am-train -a rf --max-trees 0 -t buy \
	    -o m.amm "$F/bin.csv"
	[ -z "$output" ]
	[[ $stderr == *"--max-trees"* ]]
}
