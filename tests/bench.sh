#!/bin/sh
# bench.sh BINDIR -- run every benchmark in tests/bench/ against the
# programs in BINDIR.  Each prints medians and ratios against its peers;
# a peer that is not installed is skipped with a message.  Never part of
# the test suite: timings are reported, not asserted.
#
# The generated mixed file (tools/gen-mixed.py ROWS 1, ROWS default 1M)
# is made once here and passed to the benchmarks that use it as $MIXED.
# BENCH=name[,name...] runs only those (e.g. BENCH=predict,linear).
set -u
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
status=0
work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
if [ -z "${MIXED:-}" ] && command -v python3 >/dev/null; then
	python3 "$here/../tools/gen-mixed.py" "${ROWS:-1000000}" 1 > "$work/mixed.csv" &&
	    MIXED=$work/mixed.csv && export MIXED
fi
for b in "$here"/bench/*.sh; do
	[ -e "$b" ] || continue
	name=$(basename "$b" .sh)
	case ",${BENCH:-$name}," in *",$name,"*) ;; *) continue ;; esac
	echo "== $name"
	sh "$b" "$bin" || status=1
done
exit $status
