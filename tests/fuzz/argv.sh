#!/bin/bash
# tests/fuzz/argv.sh BINDIR [RUNS [SEED]] -- fuzz the option parsers:
# run every program in BINDIR RUNS times (default 300) with a random
# command line drawn from a pool of options and hostile values, in a
# scratch folder, stdin a small CSV, under a 10 s timeout.  Fails if a
# run exits with a status other than 0-3 (a crash, a sanitizer report
# with ASAN_OPTIONS=abort_on_error=1, a hang), if status 2 comes without
# "usage:" or "PROG: " on stderr, or status 1 with an empty stderr.  Seeded: the same
# SEED draws the same command lines.
set -u
bindir=$(cd "$1" && pwd) || exit 1
runs=${2:-300}
RANDOM=${3:-1}
root=$(cd "$(dirname "$0")/../.." && pwd)
fix=$root/tests/fixtures
export LC_ALL=C OPENBLAS_NUM_THREADS=1 SOURCE_DATE_EPOCH=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-abort_on_error=1:print_stacktrace=1}"

work=$(mktemp -d "${TMPDIR:-/tmp}/am-argv.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
cp "$fix/am-features/small.csv" small.csv
cp "$fix/am-train/small.csv" train.csv
cp "$fix/am-train/syn.svm" syn.svm
"$bindir/am-features" -t y -i id --to bin train.csv >train.bin 2>/dev/null
"$bindir/am-train" -a logreg -t y -o model.amm train.bin 2>/dev/null
"$bindir/am-predict" -m model.amm train.bin >scores.csv 2>/dev/null
"$bindir/am-features" -t y -o feat.amm small.csv >/dev/null 2>/dev/null

opts=(-h --help --version -q -v -s --seed -j --threads -d -t -i --id -w -m
	-o -p -a -c -e -B -k -n --to --from --require --pos --split --test
	--impute --impute-default --types --missing --report --skip-bad
	--line-buffered --lift --json --intercept --class-weight --balanced
	--lambda --min-freq --drop -Z --no-such -- - show verify help train
	predict eval features clean model)
vals=("" - 0 1 -1 2 0.5 1e999 nan inf -0 18446744073709551616 y id score
	wt x1 'auc>=0.5' 'auc>=' '>=1' 'nope<2' x=y y=mean age=median bin csv
	libsvm , ';' $'\t' '||' ab '%s%n%s' '%99999999d' "$(printf 'x%.0s' {1..3000})"
	small.csv train.csv train.bin syn.svm model.amm feat.amm scores.csv
	nofile.csv /nonexistent/dir/out out.amm out.csv)

pick() { # pick: one random token, options twice as likely as values
	if [ $((RANDOM % 3)) -lt 2 ]; then
		printf '%s' "${opts[RANDOM % ${#opts[@]}]}"
	else
		printf '%s' "${vals[RANDOM % ${#vals[@]}]}"
	fi
}

fail=0 total=0
for prog in "$bindir"/am "$bindir"/am-*; do
	case $prog in *.d) continue ;; esac
	[ -x "$prog" ] || continue
	name=$(basename "$prog")
	for ((r = 0; r < runs; r++)); do
		args=()
		for ((k = RANDOM % 7; k > 0; k--)); do
			args+=("$(pick)")
		done
		timeout 10 "$prog" "${args[@]}" <small.csv >out 2>err
		rc=$?
		total=$((total + 1))
		why=
		if [ "$rc" -gt 3 ]; then
			why="status $rc"
		elif [ "$rc" -eq 2 ] && ! grep -q "^usage:\|^$name: " err; then
			why="status 2 without usage or message"
		elif [ "$rc" -eq 1 ] && [ ! -s err ]; then
			why="status 1 without a message"
		fi
		if [ -n "$why" ]; then
			fail=$((fail + 1))
			printf 'argv: %s:' "$why"
			for a in "$name" "${args[@]}"; do
				printf " '%.40s'" "$a"
			done
			printf '\n'
			head -3 err
		fi
		rm -f out.amm out.csv
	done
done
echo "argv: $total runs, $fail failed"
[ "$fail" -eq 0 ]
