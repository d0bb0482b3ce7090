#!/bin/sh
# deps.sh -- make sure the Debian packages am builds and tests with are
# installed.  As root with apt-get: install what is missing.  Otherwise:
# print the exact command and fail.
pkgs="libcsv-dev libopenblas-dev liblapacke-dev nettle-dev bats mandoc"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || exit 1
	apt-get install -y -qq $missing >&2 || exit 1
	exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run: sudo apt-get install$missing" >&2
exit 1
