#!/usr/bin/env bats
# conventions.bats -- what every command keeps (DESIGN.md, am(7)): help,
# usage errors, missing files, write errors, quiet pipes, exact statuses.
load helpers

CMDS="am am-clean am-features am-train am-predict am-eval am-recommend am-model"

# A minimal invocation of each command that reads the file named last.
invocation() {
	case $1 in
	am) echo "am clean" ;;
	am-clean) echo "am-clean" ;;
	am-features) echo "am-features" ;;
	am-train) echo "am-train -a logreg -t y -o $BATS_TEST_TMPDIR/m.amm" ;;
	am-predict) echo "am-predict -m $BATS_TEST_TMPDIR/none.amm" ;;
	am-eval) echo "am-eval -t y" ;;
	am-recommend) echo "am-recommend -m $BATS_TEST_TMPDIR/none.amm" ;;
	am-model) echo "am-model show" ;;
	esac
}

@test "conventions: -h prints help on stdout and exits 0" {
	for c in $CMDS; do
		run -0 --separate-stderr am $c -h
		[[ "$output" == *usage:* ]] || { echo "$c: no usage in help"; return 1; }
		[ -z "$stderr" ] || { echo "$c: stderr: $stderr"; return 1; }
	done
}

@test "conventions: --version prints one line and exits 0" {
	for c in $CMDS; do
		run -0 --separate-stderr am $c --version
		[ "${#lines[@]}" -eq 1 ] || { echo "$c: $output"; return 1; }
		[[ "$output" == "$c (am) "* ]] || { echo "$c: $output"; return 1; }
	done
}

@test "conventions: an unknown option exits 2 with usage on stderr" {
	for c in $CMDS; do
		run -2 --separate-stderr am $c --no-such-option
		[ -z "$output" ] || { echo "$c: stdout: $output"; return 1; }
		[[ "$stderr" == *usage:* ]] || { echo "$c: $stderr"; return 1; }
		[[ "${stderr_lines[0]}" == "$c: "* ]] || { echo "$c: ${stderr_lines[0]}"; return 1; }
	done
}

@test "conventions: a long option without its argument is named as typed" {
	for c in $CMDS; do
		case $c in am | am-model) continue ;; esac # no --delimiter
		run -2 --separate-stderr am $c --delimiter
		[ -z "$output" ] || { echo "$c: stdout: $output"; return 1; }
		[ "${stderr_lines[0]}" = "$c: option '--delimiter' needs an argument" ] ||
		    { echo "$c: ${stderr_lines[0]}"; return 1; }
	done
	run -2 --separate-stderr am am-train --update
	[ "${stderr_lines[0]}" = "am-train: option '--update' needs an argument" ]
	run -2 --separate-stderr am am-model gc --keep
	[ "${stderr_lines[0]}" = "am-model: option '--keep' needs an argument" ]
}

@test "conventions: a missing input file exits 1 with one line" {
	for c in $CMDS; do
		run -1 --separate-stderr am $(invocation $c) "$BATS_TEST_TMPDIR/missing.csv"
		[ -z "$output" ] || { echo "$c: stdout: $output"; return 1; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$c: $stderr"; return 1; }
		[[ "$stderr" == *"cannot open"* ]] || { echo "$c: $stderr"; return 1; }
	done
}

@test "conventions: writing help to /dev/full exits 1" {
	for c in $CMDS; do
		run -1 --separate-stderr bash -c "$c -h > /dev/full"
		[[ "$stderr" == *"write error"* ]] || { echo "$c: $stderr"; return 1; }
	done
}

@test "conventions: writing data to /dev/full exits 1 with one line" {
	run -1 --separate-stderr bash -c "am-clean '$DATA/bank.csv' > /dev/full"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"write error"* ]]
}

@test "conventions: cmd | head -1 prints no error" {
	run -0 --separate-stderr bash -c "am-clean '$DATA/bank.csv' | head -1"
	[ "$output" = "age,job,marital,education,default,balance,housing,loan,contact,day,month,duration,campaign,pdays,previous,poutcome,y" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr bash -c "am-features -t y '$DATA/bank.csv' -o '$BATS_TEST_TMPDIR/f.amm' | head -1"
	[ -z "$stderr" ]
}

@test "conventions: every command is documented in a man page and in am(7)" {
	for c in $CMDS; do
		[ -f "$AM_ROOT/man/$c.1" ] || { echo "no man/$c.1"; return 1; }
		grep -q "Xr $c 1" "$AM_ROOT/man/am.7" || { echo "am.7 lacks $c"; return 1; }
	done
}
