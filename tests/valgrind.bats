#!/usr/bin/env bats
# tests/valgrind.bats -- a representative subset of every program under
# valgrind memcheck (issue 3), for CI: fitting and replaying each kind of
# artifact, predicting, evaluating, recommending, inspecting, and the
# error paths that free half-built state (a missing file, a truncated
# artifact, a bad row, an unwritable output).  Any memory error or any definite
# or indirect leak fails the run (status 99).  The whole suite runs under
# valgrind with "make test VALGRIND=1".
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	command -v valgrind >/dev/null || skip "needs valgrind"
	BIN=$(dirname "$(command -v am-train)")
	! grep -q __asan_init "$BIN/am-train" ||
	    skip "valgrind needs a build without sanitizers"
	SMALL=$FIX/am-features/small.csv
	TRAIN=$FIX/am-train/small.csv
	RATINGS=$FIX/recommend/ratings.csv
}

vg() { # vg STATUS CMD...: CMD under memcheck exits STATUS, no error, no leak
	local want=$1
	shift
	run --separate-stderr valgrind -q --error-exitcode=99 \
	    --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect "$@"
	if [ "$status" -ne "$want" ]; then
		echo "status $status, expected $want: $*"
		echo "$stderr" | head -40
		return 1
	fi
}

@test "valgrind: am-clean and am-features fit and replay" {
	vg 0 am-clean -o c.amm --outliers age=iqr --split 0.5 --test t.csv \
	    "$SMALL"
	vg 0 am-clean -m c.amm "$SMALL"
	vg 0 am-features -t y -i id --bin quantile:2:age --hash 2:city \
	    -o f.amm --to bin "$SMALL"
	vg 0 am-features -m f.amm --to csv "$SMALL"
	vg 0 am-features -t y --poly 2 --pca 1 --to libsvm "$SMALL"
}

@test "valgrind: am-train, am-predict and am-eval" {
	am-features -t y -i id --to bin "$TRAIN" >train.bin
	vg 0 am-train -q -a logreg -t y -o lr.amm train.bin
	vg 0 am-train -q -a rf --trees 3 -t y -o rf.amm train.bin
	vg 0 am-train -q -a mlp --hidden 3 --max-iter 5 -t y -o mlp.amm \
	    train.bin
	head -31 "$FIX/segment/mix3.csv" >mix.csv
	vg 0 am-train -q -a kmeans -k 2 -o km.amm mix.csv
	vg 0 am-train -q -a gmm -k 2 -o gmm.amm mix.csv
	vg 0 am-predict -m gmm.amm mix.csv
	vg 0 am-train -q -a logreg -t y --cv 3 train.bin
	vg 0 am-predict -m lr.amm train.bin
	vg 0 am-predict -m rf.amm train.bin
	am-predict -m lr.amm -i id train.bin >scores.csv
	vg 0 am-eval -t y -p score --lift scores.csv
}

@test "valgrind: recommenders and am-model" {
	vg 0 am-train -q -a itemknn -o knn.amm "$RATINGS"
	vg 0 am-train -q -a mf --factors 2 -o mf.amm "$RATINGS"
	printf 'user\nu1\nnobody\n' >users.csv
	vg 0 am-recommend -m knn.amm -n 2 --explain users.csv
	vg 0 am-recommend -m mf.amm -n 2 users.csv
	vg 0 am-model show knn.amm
	vg 0 am-model verify mf.amm
	vg 3 am-model diff knn.amm mf.amm
}

@test "valgrind: error paths free what they built" {
	am-features -t y -i id --to bin "$TRAIN" >train.bin
	am-train -q -a logreg -t y -o lr.amm train.bin
	head -c 200 lr.amm >cut.amm
	vg 1 am-predict -m cut.amm train.bin
	vg 3 am-model verify cut.amm
	vg 1 am-features -m cut.amm "$SMALL"
	vg 1 am-clean no-such.csv
	vg 2 am-train -a logreg --no-such-option
	printf 'a,y\n1,1\nx,0\n' >bad.csv
	vg 1 am-train -a logreg -t y -o m.amm bad.csv
	[ ! -e m.amm ]
	vg 1 am-eval -t nosuch -p score "$TRAIN"
	vg 1 am-features -t y --to csv -o /no/such/dir/f.amm "$SMALL"
}
