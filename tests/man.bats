#!/usr/bin/env bats
# man.bats -- the manual and the programs agree (git's t0450): each page
# lints clean, its SYNOPSIS is the program's usage text, and every option
# the program's help names is documented in its page.
load helpers

render() { # render PAGE: plain text of a man page
	mandoc -Tascii "$1" | col -b
}

synopsis() { # synopsis PAGE: the SYNOPSIS section, whitespace folded
	render "$1" | awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	    tr -s ' \n\t' '   ' | sed 's/^ //; s/ $//'
}

usage_text() { # usage_text CMD: the usage lines, "usage:" dropped, folded
	command "$1" --no-such-option 2>&1 >/dev/null | sed -n '/usage:/,$p' |
	    sed 's/usage://' | grep -v "^$1: " | tr -s ' \n\t' '   ' |
	    sed 's/^ //; s/ $//'
}

@test "man: every page passes mandoc -Tlint" {
	run -0 mandoc -Tlint -Wwarning "$AM_ROOT"/man/*.[157]
}

@test "man: SYNOPSIS equals the usage text of each program" {
	for page in "$AM_ROOT"/man/*.1; do
		c=$(basename "$page" .1)
		a=$(synopsis "$page")
		b=$(usage_text "$c")
		[ "$a" = "$b" ] || { printf '%s\n man: %s\n use: %s\n' "$c" "$a" "$b"; return 1; }
	done
}

@test "man: every option in -h is documented in the page" {
	for page in "$AM_ROOT"/man/*.1; do
		c=$(basename "$page" .1)
		text=$(render "$page")
		for opt in $(command "$c" -h | grep -oE '(^|[ [,])--?[A-Za-z][A-Za-z0-9-]*' |
		    sed 's/^[ [,]//' | sort -u); do
			grep -qe "$opt" <<<"$text" || { echo "$c: $opt not in man page"; return 1; }
		done
	done
}

@test "man: pages have the house sections in order" {
	for page in "$AM_ROOT"/man/*.1; do
		got=$(grep '^\.Sh' "$page" | sed 's/^\.Sh //' | tr '\n' ',')
		for s in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			[[ "$got" == *"$s"* ]] || { echo "$page lacks $s"; return 1; }
		done
	done
}
