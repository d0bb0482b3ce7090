#!/usr/bin/env bats
# am.bats -- the dispatcher: am CMD runs am-CMD (beside am, then PATH),
# passes arguments and the exit status through, and lists the commands.
# helpers.bash defines a shell function named am, so the program is
# called by its full path, $AMX.
load helpers

setup() {
	AMX=$(type -P am)
	BIN=$(dirname "$AMX")
	cd "$BATS_TEST_TMPDIR"
	cp "$FIX/am-model/sample.amm" s.amm
}

@test "am: help lists every command with a description" {
	run -0 --separate-stderr am "$AMX" help
	[ -z "$stderr" ]
	[[ "${lines[0]}" == "usage: am "* ]]
	for c in clean features train predict eval model; do
		grep -qE "^  $c +[a-z]" <<<"$output" || { echo "no $c"; return 1; }
	done
	help=$output
	run -0 am "$AMX" -h
	[ "$output" = "$help" ]
	run -0 am "$AMX" --help
	[ "$output" = "$help" ]
}

@test "am: --version" {
	run -0 am "$AMX" --version
	[ "$output" = "am (am) 0.1.0" ]
}

@test "am: runs am-CMD with the arguments, output and status unchanged" {
	run -0 --separate-stderr am "$AMX" model verify s.amm
	[ "$output" = "s.amm: ok (model logreg, 520 bytes)" ]
	cp s.amm "with space.amm"
	run -0 am "$AMX" model verify -v "with space.amm"
	[[ "$output" == "with space.amm: ok "* ]]
	: > empty.amm
	run -3 --separate-stderr am "$AMX" model verify empty.amm
	one_line_error
	[ "$stderr" = "am-model: empty.amm: not an am artifact (empty file)" ]
	run -1 --separate-stderr am "$AMX" model verify missing.amm
	one_line_error
	run -2 --separate-stderr am "$AMX" model --bogus
	[ "${stderr_lines[0]}" = "am-model: unknown option '--bogus'" ]
}

@test "am: finds commands beside itself when PATH does not have them" {
	run -0 --separate-stderr env PATH=/usr/bin:/bin "$AMX" model verify s.amm
	[ "$output" = "s.amm: ok (model logreg, 520 bytes)" ]
}

@test "am: falls back to PATH when the command is not beside it" {
	mkdir alone
	cp "$AMX" alone/am
	run -0 --separate-stderr env PATH="$BIN:/usr/bin:/bin" alone/am model verify s.amm
	[ "$output" = "s.amm: ok (model logreg, 520 bytes)" ]
	# Neither beside nor in PATH: a known command is a failure (1).
	run -1 --separate-stderr env PATH=/usr/bin:/bin alone/am train
	one_line_error
	[ "$stderr" = "am: cannot run 'am-train': not found beside am or in PATH" ]
	# A command that is not executable is a failure too.
	printf '#!/bin/sh\necho hi\n' > alone/am-hello
	run -1 --separate-stderr env PATH=/usr/bin:/bin alone/am hello
	one_line_error
	[[ "$stderr" == "am: cannot run 'am-hello': Permission denied" ]]
	# Any am-NAME found is run, as git runs git-NAME.
	chmod +x alone/am-hello
	run -0 env PATH=/usr/bin:/bin alone/am hello
	[ "$output" = hi ]
}

@test "am: an unknown command exits 2 with one line" {
	run -2 --separate-stderr am "$AMX" frobnicate --x
	one_line_error
	[ "$stderr" = "am: 'frobnicate' is not an am command (see 'am help')" ]
	run -2 --separate-stderr am "$AMX" ../bin/am-model
	one_line_error
	run -2 --separate-stderr am "$AMX" ""
	one_line_error
	run -2 --separate-stderr am "$AMX" help frobnicate
	one_line_error
	[ "$stderr" = "am: 'frobnicate' is not an am command (see 'am help')" ]
}

@test "am: usage errors exit 2 with the usage on stderr" {
	run -2 --separate-stderr am "$AMX"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am: missing command (see 'am help')" ]
	[[ "${stderr_lines[1]}" == "usage: am "* ]]
	run -2 --separate-stderr am "$AMX" --bogus model
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am: unknown option '--bogus'" ]
	run -2 --separate-stderr am "$AMX" help model extra
	[[ "${stderr_lines[0]}" == "usage: am "* ]]
}

@test "am: options after the command belong to the command" {
	run -0 am "$AMX" model -h
	[[ "${lines[0]}" == "usage: am-model "* ]]
	run -0 am "$AMX" model --version
	[ "$output" = "am-model (am) 0.1.0" ]
}

@test "am: help CMD falls back to CMD -h without a manual" {
	run -0 --separate-stderr env MANPATH="$BATS_TEST_TMPDIR/none" "$AMX" help model
	[[ "${lines[0]}" == "usage: am-model show "* ]]
}

@test "am: help CMD shows the manual page when man finds it" {
	command -v man >/dev/null || skip "no man(1)"
	mkdir -p mp/man1
	cp "$AM_ROOT/man/am-model.1" mp/man1/
	run -0 --separate-stderr env MANPATH="$BATS_TEST_TMPDIR/mp" MANPAGER=cat PAGER=cat "$AMX" help model
	[[ "$output" == *"trace and merge learned artifacts"* ]]
	[[ "$output" != *"usage: am-model"* ]]
}

@test "am: a write error on stdout exits 1" {
	run -1 --separate-stderr bash -c "'$AMX' help > /dev/full"
	[[ "$stderr" == "am: write error"* ]]
}
