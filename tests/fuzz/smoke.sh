#!/bin/sh
# tests/fuzz/smoke.sh DIR SECONDS NAME... -- run each libFuzzer harness
# DIR/NAME for SECONDS on a scratch copy of its seed corpus
# (tests/fuzz/corpus/NAME; the kept corpus is never written).  Fails on
# the first crash, leak, timeout (30 s per input, as a loaded machine
# stretches runs of 0.1 s), allocation beyond
# 512 MB or sanitizer report; the input that did it is kept as
# DIR/crash-NAME-* and printed.  Prints one line per harness with its
# execution count.
set -u
dir=$1 secs=$2
shift 2
here=$(dirname "$0")
status=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
for name in "$@"; do
	work=$(mktemp -d "${TMPDIR:-/tmp}/am-fuzz.XXXXXX") || exit 1
	log="$dir/$name.log"
	"$dir/$name" -max_total_time="$secs" -timeout=30 -rss_limit_mb=1024 \
	    -malloc_limit_mb=512 -print_final_stats=1 \
	    -artifact_prefix="$dir/crash-$name-" \
	    "$work" "$here/corpus/$name" >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-smoke: $name: FAILED (status $rc, log $log)"
		grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" |
		    head -5
		status=1
	else
		echo "fuzz-smoke: $name: ok, ${execs:-?} runs in ${secs}s"
	fi
done
exit $status
