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

# --- recommenders ---

# events N SEED: N (user, item, channel) rows drawn by an LCG in awk;
# items skewed toward low numbers, so popularity and neighbours matter.
events() {
	awk -v n="$1" -v s="$2" 'BEGIN { print "user,item,channel"
		for (r = 0; r < n; r++) {
			s = (s * 1103515245 + 12345) % 2147483648
			u = int(s / 65536) % 40
			s = (s * 1103515245 + 12345) % 2147483648
			i = int(s / 65536) % 30
			s = (s * 1103515245 + 12345) % 2147483648
			c = int(s / 65536) % 6
			if (i > 10 && c % 3) i = i % 11
			printf "u%d,i%d,%s\n", u, i, (c % 2 ? "web" : "shop") } }'
}

# split3 FILE: its first 70% as a.csv, the rest as b.csv (header on both)
split3() {
	n=$(($(wc -l < "$1") - 1))
	a=$((n * 7 / 10))
	head -n $((a + 1)) "$1" > a.csv
	{ head -n 1 "$1"; tail -n +$((a + 2)) "$1"; } > b.csv
}

@test "am-update rec: popularity, item-kNN, user-kNN updated equal a fit on all rows" {
	cd "$BATS_TEST_TMPDIR"
	events 400 7 > all.csv
	split3 all.csv
	for al in popularity itemknn userknn; do
		am-train -q -a $al --context channel --neighbors 5 -o full.amm all.csv
		am-train -q -a $al --context channel --neighbors 5 -o old.amm a.csv
		run -0 --separate-stderr am am-train -q --update old.amm \
		    -o new.amm b.csv
		am-recommend -m full.amm --all-users -n 5 > full.csv
		am-recommend -m new.amm --all-users -n 5 > new.csv
		am-recommend -m old.amm --all-users -n 5 > old.csv
		cmp full.csv new.csv
		! cmp -s full.csv old.csv
		printf 'user\nu3\nnobody\n' > q.csv
		am-recommend -m full.amm --context web q.csv > fc.csv
		am-recommend -m new.amm --context web q.csv > nc.csv
		cmp fc.csv nc.csv
	done
	# the new model records the old one as its parent
	am-model lineage new.amm | grep -q "$(sha256sum old.amm | cut -c1-64)"
}

@test "am-update rec: merged popularity and kNN shards equal a fit on the union" {
	need_merge
	cd "$BATS_TEST_TMPDIR"
	events 300 11 > all.csv
	split3 all.csv
	for al in popularity itemknn userknn; do
		am-train -q -a $al --similarity jaccard -o full.amm all.csv
		am-train -q -a $al --similarity jaccard -o a.amm a.csv
		am-train -q -a $al --similarity jaccard -o b.amm b.csv
		run -0 --separate-stderr am am-model merge a.amm b.amm -o m.amm
		am-recommend -m full.amm --all-users -n 5 --explain > full.csv
		am-recommend -m m.amm --all-users -n 5 --explain > m.csv
		cmp full.csv m.csv
	done
}

@test "am-update rec: factor models fold new users in (ials, bpr, mf)" {
	cd "$BATS_TEST_TMPDIR"
	events 400 3 > all.csv
	split3 all.csv
	# a user only in the new rows gets model recommendations
	printf 'newbie,i1,web\nnewbie,i2,web\nnewbie,i3,web\n' >> b.csv
	nu=$(cut -d, -f1 a.csv b.csv | grep -v '^user$' | sort -u | wc -l)
	for al in ials bpr; do
		am-train -q -a $al --factors 4 -o old.amm a.csv
		run -0 --separate-stderr am am-train -q --update old.amm \
		    --passes 2 -o new.amm b.csv
		[ "$(am-model show new.amm | awk '$1 == "rec.users" { print $2 }')" -eq "$nu" ]
		printf 'user\nnewbie\n' > q.csv
		am-recommend -m new.amm -n 3 --explain q.csv > r.csv
		[ "$(wc -l < r.csv)" -eq 4 ]
		! grep -q popular r.csv
	done
	# mf: a rating log; the update changes the new users' predictions
	awk -F, 'NR > 1 { print $0 "," (NR % 5) + 1 }' all.csv |
	    { echo user,item,channel,rating; cat; } > rt.csv
	split3 rt.csv
	am-train -q -a mf --rating rating --factors 4 -o old.amm a.csv
	run -0 --separate-stderr am am-train -q --update old.amm -o new.amm b.csv
	[ -n "$(am-model show new.amm | awk '$1 == "train_rmse"')" ]
}

@test "am-update rec: factor models, half-lives and mixed shards are not merged" {
	need_merge
	cd "$BATS_TEST_TMPDIR"
	events 100 5 > all.csv
	am-train -q -a ials --factors 2 -o a.amm all.csv
	run -1 --separate-stderr am am-model merge a.amm a.amm -o m.amm
	one_line_error
	[[ $stderr == *"ials models cannot be merged"* ]]
	[ ! -e m.amm ]
	am-train -q -a itemknn -o k.amm all.csv
	am-train -q -a itemknn --neighbors 3 -o k3.amm all.csv
	run -1 --separate-stderr am am-model merge k.amm k3.amm -o m.amm
	one_line_error
	[[ $stderr == *"other algorithm, columns or settings"* ]]
}

@test "am-update rec: errors: half-life models, -a mismatch, bad rows (exit 1, one line)" {
	cd "$BATS_TEST_TMPDIR"
	R="$FIX/recommend"
	am-train -q -a popularity --time time --half-life 7 -o h.amm "$R/timed.csv"
	run -1 --separate-stderr am am-train --update h.amm -o n.amm "$R/timed.csv"
	one_line_error
	[[ $stderr == *"half-life or a window cannot be updated"* ]]
	[ ! -e n.amm ]
	am-train -q -a itemknn -o k.amm "$R/events.csv"
	run -1 --separate-stderr am am-train -a ials --update k.amm -o n.amm \
	    "$R/events.csv"
	one_line_error
	[[ $stderr == *"k.amm is a itemknn model, not ials"* ]]
	cut -d, -f1 "$R/events.csv" > nouser.csv
	run -1 --separate-stderr am am-train --update k.amm -o n.amm nouser.csv
	one_line_error
	[[ $stderr == *"no column 'item'"* ]]
	run -2 --separate-stderr am am-train -a itemknn --update k.amm \
	    --passes x -o n.amm "$R/events.csv"
	[ -z "$output" ]
	[[ $stderr == *"--passes"* ]]
}

@test "am-update rec: MovieLens-100K item-kNN updated with the last 20% equals the full fit (P@10)" {
	need_shared movielens-100k/u.data
	cd "$BATS_TEST_TMPDIR"
	(printf 'user\titem\trating\ttime\n'; cat "$SHARED/movielens-100k/u.data") > u.tsv
	am-clean -q --split 0.8 --test test.csv -s 1 u.tsv > train.csv
	n=$(($(wc -l < train.csv) - 1))
	a=$((n * 8 / 10))
	head -n $((a + 1)) train.csv > old.csv
	{ head -n 1 train.csv; tail -n +$((a + 2)) train.csv; } > new.csv
	am-train -q -a itemknn -o full.amm train.csv
	am-train -q -a itemknn -o old.amm old.csv
	am-train -q -a itemknn -o shard.amm new.csv
	run -0 --separate-stderr am am-train -q --update old.amm -o upd.amm new.csv
	am-recommend -m full.amm --all-users > full.csv
	am-recommend -m upd.amm --all-users > upd.csv
	cmp full.csv upd.csv
	pf=$(am-eval --ranking --truth test.csv -k 10 full.csv |
	    awk '$1 == "precision_at_k" { print $2 }')
	pu=$(am-eval --ranking --truth test.csv -k 10 upd.csv |
	    awk '$1 == "precision_at_k" { print $2 }')
	echo "p@10 full $pf updated $pu" >&3
	approx "$pu" "$pf" 0.003
	if am-model -h | grep -q '^ *merge'; then
		am-model merge old.amm shard.amm -o m.amm
		am-recommend -m m.amm --all-users > m.csv
		cmp full.csv m.csv
	fi
}
