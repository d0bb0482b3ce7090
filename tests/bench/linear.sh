#!/bin/sh
# linear.sh BINDIR -- the linear models against LIBLINEAR on the same
# LIBSVM files: am-train -a logreg vs liblinear-train -s 0 and -a svm
# (squared hinge, Platt folds included) vs -s 1, both C = 1, bias 1.
# For each: train time (median wall of RUNS runs, default 3, parsing
# included), peak RSS (/usr/bin/time -f %M), predict time and RSS on the
# test file (am-predict --from libsvm vs liblinear-predict), test ROC AUC;
# then, for logreg solved tightly (-e 0.0001), the largest difference of
# the weights.  Two data sets:
#
#   bank   UCI bank-full, am-clean --split 0.8 -s 1, am-features one-hot
#          + standard scaling fitted on the 80%
#   mixed  tools/gen-mixed.py ROWS 1 (default 1M rows, or the file
#          $MIXED, as bench.sh passes it), the same split, am-features
#          -t y -i customer_id --drop comment --date signup_date,last_order
#
# Issue #6 goal: train time <= 1x LIBLINEAR's.  am-predict's throughput
# is predict.sh's job.  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
full="$root/../shared/data/bank-marketing/bank-full.csv"
PATH="$bin:$PATH"
RUNS=${RUNS:-3}
ROWS=${ROWS:-1000000}
export LC_ALL=C OPENBLAS_NUM_THREADS=1

have_ll=1
command -v liblinear-train >/dev/null || {
	echo "linear.sh: liblinear-train is not installed: am only"
	have_ll=0
}
work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench-linear.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
timed() { # timed CMD...: sets tw (median wall s) and kb (peak RSS KB)
	: > t.all
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M' -o t.one "$@" >/dev/null 2>&1
		cat t.one >> t.all
		i=$((i + 1))
	done
	tw=$(cut -d' ' -f1 t.all | median)
	kb=$(cut -d' ' -f2 t.all | sort -n | tail -1)
}
once() { # once CMD...: sets tw and kb of one run
	/usr/bin/time -f '%e %M' -o t.one "$@" >/dev/null 2>&1
	tw=$(cut -d' ' -f1 t.one)
	kb=$(cut -d' ' -f2 t.one)
}
auc() { am-eval -t "$2" -p score --csv "$1" | awk -F, '$1 == "auc" { print $2 }'; }
llauc() { # llauc OUT: AUC of liblinear-predict output (-b 1, or labels)
	awk 'NR == FNR { if (FNR == 1 && $1 == "labels") { c = ($2 == 1) ? 2 : 3; next }
	        s[++n] = (c ? $c : $1); next }
	    FNR == 1 { print "y,score" } { print $1 "," s[FNR] }' "$1" test.svm > ll.csv
	auc ll.csv y
}

# bench SET: train.svm and test.svm are ready
bench() {
	set=$1
	echo "$set: $(wc -l < train.svm) train rows, $(wc -l < test.svm) test rows"
	for pair in logreg:0 svm:1; do
		a=${pair%%:*} s=${pair#*:}
		timed am-train -q -a $a -j 1 --from libsvm -c 1 -B 1 -o $a.amm train.svm
		ta=$tw ra=$kb
		once am-predict -m $a.amm --from libsvm test.svm
		pa=$tw rpa=$kb
		am-predict -m $a.amm --from libsvm test.svm > am.csv
		printf '%s %-6s am-train    %7.2f s %8d KB | am-predict        %6.2f s %7d KB | test auc %.4f\n' \
		    "$set" $a "$ta" "$ra" "$pa" "$rpa" \
		    "$(auc am.csv "$(head -1 am.csv | cut -d, -f1)")"
		[ $have_ll = 1 ] || continue
		timed liblinear-train -q -s $s -c 1 -B 1 train.svm ll.model
		tl=$tw rl=$kb
		b=""
		[ $s = 0 ] && b="-b 1"
		once liblinear-predict -q $b test.svm ll.model ll.out
		pl=$tw rpl=$kb
		liblinear-predict -q $b test.svm ll.model ll.out
		if [ $s = 1 ]; then
			# labels only: no ranking, so no AUC for -s 1
			lauc="-"
		else
			lauc=$(printf '%.4f' "$(llauc ll.out)")
		fi
		printf '%s %-6s liblinear%-2s %7.2f s %8d KB | liblinear-predict %6.2f s %7d KB | test auc %s\n' \
		    "$set" $a "$s" "$tl" "$rl" "$pl" "$rpl" "$lauc"
		printf '%s %-6s ratios am/liblinear: train time %.2f, train RSS %.2f\n' \
		    "$set" $a "$(echo "$ta / ($tl + 0.005)" | bc -l)" \
		    "$(echo "$ra / $rl" | bc -l)"
	done
	[ $have_ll = 1 ] || return 0
	am-train -q --from libsvm -c 1 -B 1 -e 0.0001 -o tight.amm train.svm
	liblinear-train -q -s 0 -c 1 -B 1 -e 0.0001 train.svm tight.model
	am-predict -m tight.amm --coef | sed 1d | cut -d, -f2 > a.w
	awk '/^label / { flip = ($2 + 0 < $3 + 0) } /^w$/ { on = 1; next }
	    on { print (flip ? -$1 : $1) }' tight.model > l.w
	paste a.w l.w | awk -v s="$set" '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d }
	    END { printf "%s logreg weights (-e 0.0001): %d each, largest difference %.3g\n", s, NR, m }'
}

if [ -f "$full" ]; then
	am-clean -q --split 0.8 --test test.csv -s 1 "$full" > train.csv
	am-features -q -t y -o feat.amm --to libsvm train.csv > train.svm
	am-features -q -m feat.amm --to libsvm test.csv > test.svm
	bench bank
else
	echo "linear.sh: bank skipped: $full is absent"
fi

if [ -n "${MIXED:-}" ] && [ -f "$MIXED" ]; then
	mixed=$MIXED
elif command -v python3 >/dev/null; then
	python3 "$root/tools/gen-mixed.py" "$ROWS" 1 > mixed.csv
	mixed=$work/mixed.csv
else
	echo "linear.sh: mixed skipped: python3 is not installed"
	exit 0
fi
am-clean -q --split 0.8 --test test.csv -s 1 "$mixed" > train.csv
am-clean -q -o c.amm train.csv > train.c.csv
am-clean -q -m c.amm test.csv > test.c.csv
am-features -q -t y -i customer_id --drop comment --date signup_date,last_order \
    -o feat.amm --to libsvm train.c.csv > train.svm
am-features -q -m feat.amm --to libsvm test.c.csv > test.svm
rm -f train.csv test.csv train.c.csv test.c.csv
bench mixed
