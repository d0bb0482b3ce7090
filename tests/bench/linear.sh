#!/bin/sh
# linear.sh BINDIR -- the linear models against LIBLINEAR on the same
# LIBSVM files: am-train -a logreg vs liblinear-train -s 0 and -a svm
# (squared hinge, Platt folds included) vs -s 1, both C = 1, bias 1.
# For each: train time (median wall of RUNS runs, default 3, parsing
# included), peak RSS (/usr/bin/time -f %M), predict time and RSS on the
# test file (am-predict --from libsvm vs liblinear-predict), test ROC AUC;
# then, for logreg solved tightly (-e 0.0001), the largest difference of
# the weights.  Each row also gives the solver's iteration count (am:
# metric.iterations; LIBLINEAR: its #iter, or TRON's iterations), and
# the -s 1 test AUC is computed from the weights of LIBLINEAR's model
# file (liblinear-predict prints labels only for -s 1).  Two data sets:
#
#   bank   UCI bank-full, am-clean --split 0.8 -s 1, am-features one-hot
#          + standard scaling fitted on the 80%
#   mixed  tools/gen-mixed.py ROWS 1 (default 1M rows, or the file
#          $MIXED, as bench.sh passes it), the same split, am-features
#          -t y -i customer_id --drop comment --date signup_date,last_order
#
# Environment: RUNS, ROWS, MIXED as above; PAIRS (default "logreg:0
# svm:1", am algorithm:LIBLINEAR solver) and SETS (default "bank mixed")
# choose what runs, e.g. PAIRS=svm:1 SETS=mixed ROWS=100000 RUNS=3.
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
PAIRS=${PAIRS:-"logreg:0 svm:1"}
SETS=${SETS:-"bank mixed"}
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
		/usr/bin/time -f '%e %M' -o t.one "$@" >t.out 2>&1
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

llscore() { # llscore MODEL: AUC of the decision values of a LIBLINEAR model
	awk 'NR == FNR { if ($1 == "label") flip = ($2 + 0 < $3 + 0)
	        else if ($1 == "nr_feature") nf = $2
	        else if ($1 == "bias") b = $2
	        else if ($1 == "w") on = 1
	        else if (on) w[++n] = (flip ? -$1 : $1)
	        next }
	    FNR == 1 { print "y,score" }
	    { z = b > 0 ? w[nf + 1] * b : 0
	      for (i = 2; i <= NF && $i != "#"; i++) {
	        split($i, kv, ":"); if (kv[1] + 0 <= nf) z += w[kv[1]] * kv[2] }
	      print $1 "," z }' "$1" test.svm > ll.csv
	am-eval -t y -p score --raw-scores --csv ll.csv |
	    awk -F, '$1 == "auc" { print $2 }'
}
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# bench SET: train.svm and test.svm are ready
bench() {
	set=$1
	echo "$set: $(wc -l < train.svm) train rows, $(wc -l < test.svm) test rows"
	for pair in $PAIRS; do
		a=${pair%%:*} s=${pair#*:}
		timed am-train -q -a $a -j 1 --from libsvm -c 1 -B 1 -o $a.amm train.svm
		ta=$tw ra=$kb
		ia=$(am-model show $a.amm | awk '$1 == "iterations" { print $2 }')
		once am-predict -m $a.amm --from libsvm test.svm
		pa=$tw rpa=$kb
		am-predict -m $a.amm --from libsvm test.svm > am.csv
		printf '%s %-6s am-train    %7.2f s %8d KB | am-predict        %6.2f s %7d KB | test auc %.4f | iterations %s\n' \
		    "$set" $a "$ta" "$ra" "$pa" "$rpa" \
		    "$(auc am.csv "$(head -1 am.csv | cut -d, -f1)")" "$ia"
		[ $have_ll = 1 ] || continue
		timed liblinear-train -s $s -c 1 -B 1 train.svm ll.model
		tl=$tw rl=$kb
		il=$(awk '/^iter/ { n++ } /#iter =/ { n = $NF }
		    END { print n + 0 }' t.out)
		b=""
		[ $s = 0 ] && b="-b 1"
		once liblinear-predict -q $b test.svm ll.model ll.out
		pl=$tw rpl=$kb
		liblinear-predict -q $b test.svm ll.model ll.out
		if [ $s = 1 ]; then
			# labels only: the AUC of the model's decision values
			lauc=$(printf '%.4f' "$(llscore ll.model)")
		else
			lauc=$(printf '%.4f' "$(llauc ll.out)")
		fi
		printf '%s %-6s liblinear%-2s %7.2f s %8d KB | liblinear-predict %6.2f s %7d KB | test auc %s | iterations %s\n' \
		    "$set" $a "$s" "$tl" "$rl" "$pl" "$rpl" "$lauc" "$il"
		printf '%s %-6s ratios am/liblinear: train time %.2f, train RSS %.2f\n' \
		    "$set" $a "$(echo "$ta / ($tl + 0.005)" | bc -l)" \
		    "$(echo "$ra / $rl" | bc -l)"
	done
	[ $have_ll = 1 ] && has "$PAIRS" logreg:0 || return 0
	am-train -q --from libsvm -c 1 -B 1 -e 0.0001 -o tight.amm train.svm
	liblinear-train -q -s 0 -c 1 -B 1 -e 0.0001 train.svm tight.model
	am-predict -m tight.amm --coef | sed 1d | cut -d, -f2 > a.w
	awk '/^label / { flip = ($2 + 0 < $3 + 0) } /^w$/ { on = 1; next }
	    on { print (flip ? -$1 : $1) }' tight.model > l.w
	paste a.w l.w | awk -v s="$set" '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d }
	    END { printf "%s logreg weights (-e 0.0001): %d each, largest difference %.3g\n", s, NR, m }'
}

if ! has "$SETS" bank; then
	:
elif [ -f "$full" ]; then
	am-clean -q --split 0.8 --test test.csv -s 1 "$full" > train.csv
	am-features -q -t y -o feat.amm --to libsvm train.csv > train.svm
	am-features -q -m feat.amm --to libsvm test.csv > test.svm
	bench bank
else
	echo "linear.sh: bank skipped: $full is absent"
fi

has "$SETS" mixed || exit 0
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
