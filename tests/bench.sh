#!/bin/sh
# bench.sh BINDIR -- run every benchmark in tests/bench/ against the
# programs in BINDIR.  Each prints medians and ratios against its peers;
# a peer that is not installed is skipped with a message.  Never part of
# the test suite: timings are reported, not asserted.
set -u
bin=$(cd "${1:-build/bin}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/bench/*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" "$bin" || status=1
done
exit $status
