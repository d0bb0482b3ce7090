#!/usr/bin/env bats
# am-recommend.bats -- recommenders: am-train -a popularity|itemknn|userknn|
# mf|ials|bpr, am-recommend, and rating prediction through am-predict.
# Small cases are checked against similarities and counts worked out by
# hand (see the comments); quality on MovieLens and Online Retail against
# independent baselines (awk) and published numbers, when ../shared/data
# is present.
load helpers

R="$FIX/recommend"

setup() {
	cd "$BATS_TEST_TMPDIR"
}

row() { # row FILE USER RANK: "item score [reason]" of that row
	awk -F, -v u="$2" -v r="$3" '$1 == u && $2 == r { print $3, $4, $5 }' "$1"
}

# events.csv: a = {u1,u2,u4}, b = {u1,u3}, c = {u2,u3}, d = {u3}.
# Binary cosine: ab = ac = 1/sqrt(6) = 0.408248, bc = 1/2, bd = cd =
# 1/sqrt(2) = 0.707107, ad = 0.

@test "am-recommend: item-kNN cosine scores by hand" {
	am am-train -q -a itemknn -o m.amm "$R/events.csv"
	printf 'user\nu1\nu4\n' >users.csv
	run -0 --separate-stderr am am-recommend -m m.amm -n 3 --explain users.csv
	echo "$output" >out.csv
	[ "${lines[0]}" = "user,rank,item,score,reason" ]
	# u1 has a, b: c = ac + bc, d = bd (a is not among d's neighbours)
	set -- $(row out.csv u1 1)
	[ "$1" = c ] && approx "$2" 0.908248290 1e-8
	set -- $(row out.csv u1 2)
	[ "$1" = d ] && approx "$2" 0.707106781 1e-8
	[ "$(row out.csv u1 2 | cut -d' ' -f3-)" = "because of b" ]
	# u4 has a: b and c tie at 1/sqrt(6) (b first, seen first); d is
	# reached by no neighbour and comes from the popularity fallback
	[ "$(row out.csv u4 1 | cut -d' ' -f1)" = b ]
	[ "$(row out.csv u4 2 | cut -d' ' -f1)" = c ]
	[ "$(row out.csv u4 3)" = "d 1 popular" ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "am-recommend: --similar with cosine, Jaccard and shrinkage by hand" {
	am am-train -q -a itemknn -o cos.amm "$R/events.csv"
	run -0 --separate-stderr am am-recommend -m cos.amm --similar b
	[ "${lines[1]}" = "b,1,d,0.707106781186547" ]
	[ "${lines[2]}" = "b,2,c,0.5" ]
	[ "${lines[3]%,*}" = "b,3,a" ]
	approx "${lines[3]##*,}" 0.408248290 1e-8
	# Jaccard: bd = 1/2, bc = 1/3, ab = 1/4
	am am-train -q -a itemknn --similarity jaccard -o jac.amm "$R/events.csv"
	run -0 --separate-stderr am am-recommend -m jac.amm --similar b
	[ "${lines[1]}" = "b,1,d,0.5" ]
	approx "${lines[2]##*,}" 0.333333333 1e-8
	[ "${lines[3]}" = "b,3,a,0.25" ]
	# shrinkage 1: bd = 1 / (sqrt(2) + 1)
	am am-train -q -a itemknn --shrink 1 -o sh.amm "$R/events.csv"
	run -0 --separate-stderr am am-recommend -m sh.amm --similar b -n 1
	approx "${lines[1]##*,}" 0.414213562 1e-8
	# top-k neighbours kept: with k = 1, b keeps only d
	am am-train -q -a itemknn --neighbors 1 -o k1.amm "$R/events.csv"
	run -0 --separate-stderr am am-recommend -m k1.amm --similar b
	[ "${#lines[@]}" -eq 2 ] && [ "${lines[1]%,*}" = "b,1,d" ]
}

@test "am-recommend: user-kNN by hand" {
	# u1 = {a,b}: cos(u1,u2) = 1/2, cos(u1,u3) = 1/sqrt(6), cos(u1,u4) =
	# 1/sqrt(2); c = 1/2 + 1/sqrt(6), d = 1/sqrt(6)
	am am-train -q -a userknn -o m.amm "$R/events.csv"
	printf 'user\nu1\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm --explain u.csv
	echo "$output" >out.csv
	set -- $(row out.csv u1 1)
	[ "$1" = c ] && approx "$2" 0.908248290 1e-8
	set -- $(row out.csv u1 2)
	[ "$1" = d ] && approx "$2" 0.408248290 1e-8
	[ "$(row out.csv u1 2 | cut -d' ' -f3-)" = "chosen by similar user u3" ]
}

@test "am-recommend: an unknown user gets the most popular items" {
	am am-train -q -a itemknn -o m.amm "$R/events.csv"
	printf 'user\nnobody\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm --explain -v u.csv
	[ "${lines[1]}" = "nobody,1,a,3,popular" ]
	[ "${lines[2]}" = "nobody,2,b,2,popular" ]
	[ "${lines[3]}" = "nobody,3,c,2,popular" ]
	[ "${lines[4]}" = "nobody,4,d,1,popular" ]
	[ "$stderr" = "am-recommend: 1 users, 1 unknown (popular items)" ]
}

@test "am-recommend: seen items are left out unless --repeat" {
	am am-train -q -a popularity -o m.amm "$R/events.csv"
	printf 'user\nu3\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm u.csv
	[ "${#lines[@]}" -eq 2 ] && [ "${lines[1]}" = "u3,1,a,3" ]
	run -0 --separate-stderr am am-recommend -m m.amm --repeat -n 2 u.csv
	[ "${lines[1]}" = "u3,1,a,3" ] && [ "${lines[2]}" = "u3,2,b,2" ]
}

@test "am-recommend: --allow and --deny lists" {
	am am-train -q -a popularity -o m.amm "$R/events.csv"
	printf 'item\nb\nd\nzz\n' >allow.txt
	printf 'b\n' >deny.txt
	printf 'user\nu9\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm --allow allow.txt u.csv
	[ "${#lines[@]}" -eq 3 ] && [ "${lines[1]}" = "u9,1,b,2" ] &&
	    [ "${lines[2]}" = "u9,2,d,1" ]
	run -0 --separate-stderr am am-recommend -m m.amm --allow allow.txt \
	    --deny deny.txt -v u.csv
	[ "${#lines[@]}" -eq 2 ] && [ "${lines[1]}" = "u9,1,d,1" ]
	[[ "$stderr" == *"1 unknown items in --allow/--deny ignored"* ]]
}

@test "am-recommend: popularity per context, recent window, half-life" {
	# by hand from timed.csv: web = a 2, b 1, c 1; window of 2 days from
	# the last event (01-11): b 2, c 2, d 1, a 0; half-life 1 day: c =
	# 2^-0.5 + 1, d = 1, b = 2^-2 + 2^-1
	am am-train -q -a popularity --context channel --time time -o c.amm \
	    "$R/timed.csv"
	printf 'user\nnew\n' >u.csv
	run -0 --separate-stderr am am-recommend -m c.amm --context web --explain u.csv
	[ "${lines[1]}" = "new,1,a,2,popular in web" ]
	[ "${lines[2]}" = "new,2,b,1,popular in web" ]
	[ "${lines[3]}" = "new,3,c,1,popular in web" ]
	[ "${lines[4]}" = "new,4,d,1,popular" ]
	am am-train -q -a popularity --time time --window 2 -o w.amm "$R/timed.csv"
	run -0 --separate-stderr am am-recommend -m w.amm -n 4 u.csv
	[ "$(printf '%s ' "${lines[@]:1}")" = "new,1,b,2 new,2,c,2 new,3,d,1 new,4,a,0 " ]
	am am-train -q -a popularity --time time --half-life 1 -o h.amm "$R/timed.csv"
	run -0 --separate-stderr am am-recommend -m h.amm -n 3 u.csv
	[ "${lines[1]%,*}" = "new,1,c" ] && approx "${lines[1]##*,}" 1.707106781 1e-8
	[ "${lines[2]}" = "new,2,d,1" ]
	[ "${lines[3]}" = "new,3,b,0.75" ]
}

@test "am-recommend: time decay weighs the kNN similarities" {
	# half-life 1 day, last event at 86400: u1's a weighs 1/2, the rest 1,
	# so a = (1/2, 1), b = (1, 0), c = (0, 1) over (u1, u2):
	# cos(a,c) = 1 / sqrt(1.25), cos(a,b) = 0.5 / sqrt(1.25)
	printf 'user,item,t\nu1,a,0\nu1,b,86400\nu2,a,86400\nu2,c,86400\n' >d.csv
	am am-train -q -a itemknn --time t --half-life 1 -o d.amm d.csv
	run -0 --separate-stderr am am-recommend -m d.amm --similar a
	[ "${lines[1]%,*}" = "a,1,c" ] && approx "${lines[1]##*,}" 0.894427191 1e-8
	[ "${lines[2]%,*}" = "a,2,b" ] && approx "${lines[2]##*,}" 0.447213595 1e-8
	am am-train -q -a itemknn --time t -o n.amm d.csv
	run -0 --separate-stderr am am-recommend -m n.amm --similar a
	approx "${lines[1]##*,}" 0.707106781 1e-8 && approx "${lines[2]##*,}" 0.707106781 1e-8
}

@test "am-recommend: --where pre-filters the training rows" {
	am am-train -q -a popularity --where channel=shop -o s.amm "$R/timed.csv"
	run -0 --separate-stderr am am-recommend -m s.amm --all-users -n 1
	# shop rows: u2 a,c; u3 b,d -- u1 and u4 are not users of the model
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[1]%%,*}" = u2 ] && [ "${lines[2]%%,*}" = u3 ]
}

@test "am-recommend: repeated pairs add up; -v counts them" {
	printf 'user,item\nu1,a\nu1,a\nu2,b\n' >dup.csv
	run -0 --separate-stderr am am-train -v -a popularity -o m.amm dup.csv
	[[ "$stderr" == *"1 repeated pairs merged"* ]]
	printf 'user\nx\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm u.csv
	[ "${lines[1]}" = "x,1,a,2" ]
}

@test "am-recommend: --all-users gives the same bytes for any -j" {
	awk 'BEGIN { srand(7); print "user,item";
		for (i = 0; i < 3000; i++)
			printf "u%d,i%d\n", int(rand() * 300), int(rand() * rand() * 200) }' >big.csv
	for a in itemknn userknn ials bpr mf; do
		am am-train -q -a $a -j 1 -o 1.amm big.csv
		am am-train -q -a $a -j 2 -o 2.amm big.csv
		am am-recommend -m 1.amm --all-users --explain -j 1 >1.csv
		am am-recommend -m 2.amm --all-users --explain -j 2 >2.csv
		cmp 1.csv 2.csv
		[ "$(wc -l <1.csv)" -eq $((1 + 10 * $(tail -n +2 big.csv | cut -d, -f1 | sort -u | wc -l))) ]
	done
}

@test "am-recommend: rating prediction through am-predict" {
	am am-train -q -a mf --rating rating -o mf.amm "$R/ratings.csv"
	printf 'user,item,rating\nu1,c,4\nzz,a,3\nzz,zz,1\nu1,zz,1\n' >q.csv
	run -0 --separate-stderr am am-predict -m mf.amm q.csv
	[ "${lines[0]}" = "user,item,rating,score" ]
	# unknown user: the item's mean (a: 5, 4, 2); both unknown: the
	# global mean 26/8; unknown item: the user's mean (u1: 5, 3)
	[ "${lines[2]}" = "zz,a,3,3.66666666666667" ]
	[ "${lines[3]}" = "zz,zz,1,3.25" ]
	[ "${lines[4]}" = "u1,zz,1,4" ]
	s=${lines[1]##*,}
	awk -v s="$s" 'BEGIN { exit !(s >= 1 && s <= 5) }'
	# item-kNN rating: u1 rated a 5, b 3; c's neighbours (cosine on the
	# ratings): sim(a,c) = 8/sqrt(45*5), sim(b,c) = 4/sqrt(25*5)
	am am-train -q -a itemknn --rating rating -o knn.amm "$R/ratings.csv"
	run -0 --separate-stderr am am-predict -m knn.amm q.csv
	want=$(awk 'BEGIN { x = 8 / sqrt(45 * 5); y = 4 / sqrt(25 * 5);
		printf "%.17g", (5 * x + 3 * y) / (x + y) }')
	approx "${lines[1]##*,}" "$want" 1e-9
}

@test "am-recommend: mf training reduces the error on its own data" {
	am am-train -a mf --rating rating --max-iter 500 --reg 0.001 --lr 0.05 \
	    --factors 4 -o mf.amm "$R/ratings.csv" 2>err
	am am-predict -m mf.amm "$R/ratings.csv" >p.csv
	rmse=$(awk -F, 'NR > 1 { d = $3 - $4; s += d * d; n++ }
		END { print sqrt(s / n) }' p.csv)
	approx "$rmse" 0 0.05
}

@test "am-recommend: factor models explain with factors and a seen item" {
	am am-train -q -a ials --factors 4 -o m.amm "$R/events.csv"
	printf 'user\nu1\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm -n 1 --explain u.csv
	[[ "${lines[1]}" =~ ^u1,1,[cd],[-0-9.e]+,\"factors\ [0-3],[0-3]\ like\ [ab]\"$ ]]
}

@test "am-recommend: model saved and loaded gives the same answers" {
	am am-train -q -a itemknn -o a.amm "$R/events.csv"
	am am-train -q -a itemknn -o b.amm "$R/events.csv"
	am am-recommend -m a.amm --all-users >a.csv
	am am-recommend -m b.amm --all-users >b.csv
	cmp a.csv b.csv
	run -0 am-model show a.amm
	[[ "$output" == *recommender* ]]
}

@test "am-recommend: --line-buffered answers each user at once" {
	am am-train -q -a popularity -o m.amm "$R/events.csv"
	mkfifo in
	am-recommend -m m.amm -n 1 --line-buffered in >out.csv &
	exec 5>in
	printf 'user\nu1\n' >&5
	for i in $(seq 50); do [ "$(wc -l <out.csv)" -ge 2 ] && break; sleep 0.1; done
	exec 5>&-
	wait
	[ "$(sed -n 2p out.csv)" = "u1,1,c,2" ]
}

@test "am-recommend: --split last holds out each user's latest row" {
	run -0 --separate-stderr am am-recommend --split last --time time \
	    --test test.csv -v "$R/timed.csv"
	[ "$stderr" = "am-recommend: 4 rows to training, 4 to test.csv" ]
	[ "${lines[0]}" = "user,item,channel,time" ]
	# u3's c and d are both on 01-11 at 00:00: the later line (d) wins
	[ "$(cut -d, -f1,2 test.csv | tr '\n' ' ')" = "user,item u1,b u2,c u3,d u4,a " ]
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -d, -f1,2 | tr '\n' ' ')" = "u1,a u2,a u3,b u3,c " ]
}

@test "am-recommend: --split time: and random: splits" {
	run -0 --separate-stderr am am-recommend --split time:2024-01-10 \
	    --time time --test test.csv "$R/timed.csv"
	[ "${#lines[@]}" -eq 5 ] && [ "$(wc -l <test.csv)" -eq 5 ]
	[ -z "$(tail -n +2 test.csv | awk -F, '$4 < "2024-01-10"')" ]
	awk 'BEGIN { print "user,item"; for (i = 0; i < 5000; i++) printf "u%d,i%d\n", i % 97, i % 89 }' >big.csv
	am am-recommend --split random:0.2 --test t1.csv big.csv >r1.csv
	am am-recommend --split random:0.2 --test t2.csv -s 1 big.csv >r2.csv
	am am-recommend --split random:0.2 --test t3.csv -s 2 big.csv >r3.csv
	cmp t1.csv t2.csv && cmp r1.csv r2.csv
	! cmp -s t1.csv t3.csv
	n=$(($(wc -l <t1.csv) - 1))
	[ "$n" -gt 900 ] && [ "$n" -lt 1100 ] # 1000 expected, sd 28
	[ "$(tail -q -n +2 r1.csv t1.csv | sort | md5sum)" = "$(tail -n +2 big.csv | sort | md5sum)" ]
}

@test "am-recommend: --split errors" {
	run -2 --separate-stderr am am-recommend --split random:2 --test t.csv "$R/events.csv"
	[[ "${stderr_lines[0]}" == "am-recommend: --split: 'random:2' is not"* ]]
	run -2 --separate-stderr am am-recommend --split last --test t.csv "$R/events.csv"
	[ "${stderr_lines[0]}" = "am-recommend: --split last needs --time COL" ]
	run -2 --separate-stderr am am-recommend --split last "$R/events.csv"
	run -1 --separate-stderr am am-recommend --split last --time when --test t.csv "$R/events.csv"
	one_line_error
	[[ "$stderr" == "am-recommend: --time: no column 'when' in "* ]]
	printf 'user,item,t\nu1,a,soon\n' >bad.csv
	run -1 --separate-stderr am am-recommend --split time:5 --time t --test t.csv bad.csv
	one_line_error
	[ "$stderr" = "am-recommend: bad.csv:2: column 't': 'soon' is not a time (seconds, or YYYY-MM-DD HH:MM:SS)" ]
	[ ! -e t.csv ]
}

# --- bad input: one stderr line, exit 1 ---

@test "am-recommend: a rating that is not a number is an error" {
	printf 'user,item,rating\nu1,a,5\nu2,b,high\n' >bad.csv
	run -1 --separate-stderr am am-train -a mf --rating rating -o m.amm bad.csv
	one_line_error
	[ "$stderr" = "am-train: bad.csv:3: column 'rating': 'high' is not a number" ]
	[ ! -e m.amm ]
}

@test "am-recommend: a missing id column, a bad time, no rows" {
	run -1 --separate-stderr am am-train -a itemknn --user customer -o m.amm "$R/events.csv"
	one_line_error
	[[ "$stderr" == "am-train: --user: no column 'customer' in "*events.csv ]]
	printf 'user,item,t\nu1,a,yesterday\n' >t.csv
	run -1 --separate-stderr am am-train -a popularity --time t -o m.amm t.csv
	one_line_error
	[[ "$stderr" == *"t.csv:2: column 't': 'yesterday' is not a time"* ]]
	printf 'user,item\n,a\nu1,\n' >e.csv
	run -1 --separate-stderr am am-train -a popularity -o m.amm e.csv
	one_line_error
	[ "$stderr" = "am-train: e.csv: no interactions to learn from (2 rows read, 2 skipped)" ]
	run -1 --separate-stderr am am-train -a popularity --where nope -o m.amm e.csv
	one_line_error
}

@test "am-recommend: rows with an empty id or a value <= 0 are skipped" {
	printf 'user,item,qty\nu1,a,2\n,b,1\nu2,b,-1\nu2,c,0\nu3,c,1\n' >s.csv
	run -0 --separate-stderr am am-train -v -a popularity --rating qty -o m.amm s.csv
	[[ "$stderr" == *"3 rows skipped"* ]]
	printf 'user\nx\n' >u.csv
	run -0 --separate-stderr am am-recommend -m m.amm u.csv
	[ "${#lines[@]}" -eq 3 ]
}

@test "am-recommend: an unknown --similar item is an error" {
	am am-train -q -a itemknn -o m.amm "$R/events.csv"
	run -1 --separate-stderr am am-recommend -m m.amm --similar zz
	one_line_error
	[ "$stderr" = "am-recommend: --similar: unknown item 'zz' (not in the training data)" ]
}

@test "am-recommend: models of another kind, damaged or missing" {
	run -1 --separate-stderr am am-recommend -m nothere.amm
	one_line_error
	printf 'garbage' >g.amm
	run -1 --separate-stderr am am-recommend -m g.amm
	one_line_error
	am am-train -q -a itemknn -o m.amm "$R/events.csv"
	head -c 200 m.amm >t.amm
	run -1 --separate-stderr am am-recommend -m t.amm
	one_line_error
	run -1 --separate-stderr am am-predict -m t.amm "$R/events.csv"
	one_line_error
	printf 'who\nu1\n' >u.csv
	run -1 --separate-stderr am am-recommend -m m.amm -u user u.csv
	one_line_error
	run -1 --separate-stderr am am-predict -m m.amm u.csv
	one_line_error
}

@test "am-recommend: usage errors exit 2" {
	run -2 --separate-stderr am am-recommend -m m.amm -n 0
	[ -z "$output" ] && [[ "${stderr_lines[0]}" == "am-recommend: -n: '0' is not"* ]]
	run -2 --separate-stderr am am-recommend
	[[ "${stderr_lines[1]}" == usage:* ]]
	run -2 --separate-stderr am am-recommend -m m.amm --all-users --similar a
	run -2 --separate-stderr am am-train -a itemknn --similarity dice -o m.amm x
	run -2 --separate-stderr am am-train -a itemknn x
	run -2 --separate-stderr am am-train -a ials --factors 0 -o m.amm x
	run -2 --separate-stderr am am-recommend --bogus
}

@test "am-recommend: help, version, write errors" {
	run -0 am am-recommend -h
	[[ "${lines[0]}" == "usage: am-recommend "* ]]
	run -0 am am-recommend --version
	[[ "$output" == "am-recommend (am) "* ]]
	am am-train -q -a popularity -o m.amm "$R/events.csv"
	run -1 --separate-stderr bash -c "am-recommend -m m.amm --all-users >/dev/full"
	[[ "$stderr" == *"write error"* ]]
	run -1 --separate-stderr bash -c "am-recommend -m m.amm $R/events.csv >/dev/full"
	run -1 --separate-stderr am am-recommend -m m.amm no-such.csv
	one_line_error
	[[ "$stderr" == *"cannot open 'no-such.csv'"* ]]
}

# --- quality on shared data (skipped when absent) ---

ml_split() { # the MovieLens-100K ratings, seeded 80/20 by am-clean
	(printf 'user\titem\trating\ttime\n'; cat "$SHARED/movielens-100k/u.data") >u.tsv
	am am-clean --split 0.8 --test test.csv -s 1 u.tsv >train.csv
}

@test "am-recommend: MovieLens-100K u1 biased MF RMSE <= 0.93" {
	need_shared movielens-100k/u1.base
	(printf 'user\titem\trating\ttime\n'; cat "$SHARED/movielens-100k/u1.base") >b.tsv
	(printf 'user\titem\trating\ttime\n'; cat "$SHARED/movielens-100k/u1.test") >t.tsv
	am am-train -q -a mf --rating rating -o mf.amm b.tsv
	am am-predict -m mf.amm t.tsv >p.csv
	rmse=$(awk -F, 'NR > 1 { d = $3 - $4; s += d * d; n++ }
		END { printf "%.17g", sqrt(s / n) }' p.csv)
	echo "rmse $rmse" >&3
	awk -v r="$rmse" 'BEGIN { exit !(r <= 0.93) }'
	# am-eval computes the same RMSE
	e=$(am-eval -t rating -p score p.csv | awk '$1 == "rmse" { print $2 }')
	approx "$e" "$rmse" 1e-9
}

@test "am-recommend: MovieLens-100K 80/20 precision@10: item-kNN >= 0.30, ials >= item-kNN, popularity as awk" {
	need_shared movielens-100k/u.data
	ml_split
	for a in popularity itemknn ials; do
		am am-train -q -a $a -o $a.amm train.csv
		am am-recommend -m $a.amm --all-users >$a.csv
		am-eval --ranking --truth test.csv -k 10 $a.csv >$a.eval
		eval "p_$a=$(awk '$1 == "precision_at_k" { print $2 }' $a.eval)"
	done
	echo "p@10 popularity $p_popularity itemknn $p_itemknn ials $p_ials" >&3
	awk -v k="$p_itemknn" -v i="$p_ials" 'BEGIN { exit !(k >= 0.30 && i >= k) }'
	# popularity independently: rank items by training rows (ties by
	# first appearance), top 10 unseen per test user, hits / 10
	ref=$(awk -F, 'FNR == 1 { next }
		NR == FNR { if (!($2 in c)) o[n++] = $2; c[$2]++; seen[$1, $2] = 1; next }
		{ t[$1, $2] = 1; users[$1] = 1 }
		END {
			for (a = 1; a < n; a++) { x = o[a]; for (b = a - 1; b >= 0 && c[o[b]] < c[x]; b--) o[b + 1] = o[b]; o[b + 1] = x }
			for (u in users) { k = 0
				for (a = 0; a < n && k < 10; a++) { if ((u, o[a]) in seen) continue; k++; h += ((u, o[a]) in t) }
				m++ }
			printf "%.17g", h / (10 * m) }' train.csv test.csv)
	approx "$p_popularity" "$ref" 1e-9
}

@test "am-recommend: Online Retail, last month held out: ials and item-kNN beat popularity on hit rate@10" {
	need_shared online-retail/online_retail.csv.gz
	zcat "$SHARED/online-retail/online_retail.csv.gz" |
	    mlr --csv filter '$CustomerID != "" && $Quantity > 0 && $InvoiceNo !=~ "^C"' \
	    then cut -f CustomerID,StockCode,InvoiceDate >ev.csv
	mlr --csv filter '$InvoiceDate < "2011-11-09"' ev.csv >train.csv
	mlr --csv filter '$InvoiceDate >= "2011-11-09"' then cut -f CustomerID,StockCode \
	    then rename CustomerID,user,StockCode,item ev.csv >test.csv
	for a in popularity itemknn ials; do
		am am-train -q -a $a --user CustomerID --item StockCode -o $a.amm train.csv
		# repeat purchases count: --repeat
		am am-recommend -m $a.amm --all-users --repeat >$a.csv
		eval "h_$a=$(am-eval --ranking --truth test.csv -k 10 $a.csv |
		    awk '$1 == "hit_rate_at_k" { print $2 }')"
	done
	echo "hit@10 popularity $h_popularity itemknn $h_itemknn ials $h_ials" >&3
	awk -v p="$h_popularity" -v k="$h_itemknn" -v i="$h_ials" \
	    'BEGIN { exit !(k > p && i > p) }'
}
