#!/usr/bin/env bats
# am-model-store.bats -- the versioned store: push, list, promote,
# rollback, gc; concurrent pushes; kill -9 during push; -m STORE/NAME in
# the commands that load artifacts; every error at its exact status.
load helpers

UNIT="${AM_UNIT:-$AM_ROOT/build/unit}"

setup() {
	cd "$BATS_TEST_TMPDIR"
	if [ ! -f "$BATS_FILE_TMPDIR/m1.amm" ]; then
		(cd "$BATS_FILE_TMPDIR" &&
		    am-features -t y -o feat.amm "$DATA/bank.csv" > feat.csv &&
		    am-train -a logreg -t y -o m1.amm feat.csv 2>/dev/null &&
		    am-train -a logreg -t y -c 0.1 -o m2.amm feat.csv 2>/dev/null &&
		    am-train -a logreg -t y -c 10 -o m3.amm feat.csv 2>/dev/null)
	fi
	for f in feat.amm feat.csv m1.amm m2.amm m3.amm; do
		cp "$BATS_FILE_TMPDIR/$f" .
	done
}

# consistent STORE NAME: every version verifies, list works, no torn file.
consistent() {
	local f
	for f in "$1/$2"/v*.amm; do
		[ -e "$f" ] || continue
		am-model verify -q "$f" || { echo "bad version $f"; return 1; }
	done
	am-model list "$1" "$2" > /dev/null || { echo "list failed"; return 1; }
}

@test "am-model-store: push stores immutable versions v1, v2; list shows them" {
	run -0 --separate-stderr am am-model push S churn m1.amm
	[ "$output" = v1 ] && [ -z "$stderr" ]
	run -0 --separate-stderr am am-model push S churn m2.amm
	[ "$output" = v2 ]
	cmp m1.amm S/churn/v1.amm
	cmp m2.amm S/churn/v2.amm
	[ "$(stat -c %a S/churn/v1.amm)" = 444 ]
	(umask 077 && am-model push P churn m1.amm > /dev/null)
	[ "$(stat -c %a P/churn/v1.amm)" = 400 ]
	[ ! -e S/churn/current ]
	run -0 --separate-stderr am am-model list S churn
	[ "${#lines[@]}" -eq 2 ]
	IFS=$'\t' read -r n v cur size when sha ka <<<"${lines[0]}"
	[ "$n" = churn ] && [ "$v" = v1 ] && [ "$cur" = - ]
	[ "$size" = "$(stat -c %s m1.amm)" ]
	[ "$sha" = "$(sha256sum m1.amm | cut -d' ' -f1)" ]
	[ "$ka" = "model logreg" ]
	[[ "$when" =~ ^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z$ ]]
	# every entry when NAME is omitted; the current directory by default
	am-model push S other m3.amm
	run -0 am am-model list S
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" == "other	v1	-	"* ]]
	cd S
	run -0 am am-model list
	[ "${#lines[@]}" -eq 3 ]
}

@test "am-model-store: list --json parses and marks the current version" {
	am-model push S churn m1.amm
	am-model push S churn m2.amm
	am-model promote S churn v2
	run -0 --separate-stderr am am-model list --json S
	/usr/bin/python3 -c '
import json, sys, hashlib
d = json.loads(sys.argv[1])
assert [e["version"] for e in d] == [1, 2], d
assert [e["current"] for e in d] == [False, True], d
assert d[0]["sha256"] == hashlib.sha256(open("m1.amm", "rb").read()).hexdigest()
assert d[1]["size"] == len(open("m2.amm", "rb").read())
assert d[1]["valid"] and d[1]["kind"] == "model" and d[1]["algorithm"] == "logreg"
' "$output"
}

@test "am-model-store: promote swaps the current link; predict -m STORE/NAME reads it" {
	am-model push S churn m1.amm
	am-model push S churn m2.amm
	run -0 --separate-stderr am am-model promote S churn v1
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$(readlink S/churn/current)" = v1.amm ]
	am-predict -m m1.amm feat.csv > want1.csv
	am-predict -m m2.amm feat.csv > want2.csv
	cmp -s want1.csv want2.csv && { echo "models predict the same"; return 1; }
	run -0 am am-predict -m S/churn feat.csv
	echo "$output" > got.csv
	cmp want1.csv got.csv
	run -0 am am-model promote S churn 2
	[ "$(readlink S/churn/current)" = v2.amm ]
	am am-predict -m S/churn feat.csv > got.csv
	cmp want2.csv got.csv
	# am-model show and verify resolve the entry too
	run -0 am am-model verify S/churn
	[ "$output" = "S/churn/v2.amm: ok (model logreg, $(stat -c %s m2.amm) bytes)" ]
	# the history log records each promotion
	run -0 awk '{ print $1, $2 }' S/churn/history
	[ "$output" = $'promote v1\npromote v2' ]
}

@test "am-model-store: -m STORE/NAME works for am-clean and am-features replay" {
	am-clean -o clean.amm "$DATA/bank.csv" > clean.csv
	am-model push S clean clean.amm
	am-model push S feat feat.amm
	am-model promote S clean v1
	am-model promote S feat v1
	am-clean -m clean.amm "$DATA/bank.csv" > want.csv
	run -0 am am-clean -m S/clean "$DATA/bank.csv"
	[ "$output" = "$(cat want.csv)" ]
	am-features -m feat.amm "$DATA/bank.csv" > want.csv
	run -0 am am-features -m S/feat "$DATA/bank.csv"
	[ "$output" = "$(cat want.csv)" ]
}

@test "am-model-store: an entry without a promoted version is a one-line error (1)" {
	am-model push S churn m1.amm
	run -1 --separate-stderr am am-predict -m S/churn feat.csv
	one_line_error
	[ "$stderr" = "am-predict: S/churn: no promoted version (am-model promote)" ]
	run -1 --separate-stderr am am-model show S/churn
	one_line_error
	# a plain folder is not an entry: the usual read error
	mkdir plain
	run -1 --separate-stderr am am-predict -m plain feat.csv
	one_line_error
}

@test "am-model-store: a current link outside vN.amm is refused, never followed" {
	am-model push S churn m1.amm
	am-model promote S churn v1
	ln -sfn ../../m2.amm S/churn/current
	run -1 --separate-stderr am am-predict -m S/churn feat.csv
	one_line_error
	[ "$stderr" = "am-predict: 'S/churn/current': not a store pointer (a symlink to vN.amm)" ]
	rm S/churn/current
	cp m2.amm S/churn/current
	run -1 --separate-stderr am am-predict -m S/churn feat.csv
	one_line_error
	ln -sfn v1.amm.x S/churn/current.x && mv -T S/churn/current.x S/churn/current
	run -1 --separate-stderr am am-model list S churn
	one_line_error
	# a link to a version that is missing: the read error names the file
	ln -sfn v7.amm S/churn/current.x && mv -T S/churn/current.x S/churn/current
	run -1 --separate-stderr am am-predict -m S/churn feat.csv
	one_line_error
	[[ "$stderr" == *"S/churn/v7.amm"* ]]
}

@test "am-model-store: rollback walks back the promotion history" {
	for m in m1 m2 m3; do am-model push S churn $m.amm; done
	run -1 --separate-stderr am am-model rollback S churn
	one_line_error
	[[ "$stderr" == *"no promoted version to roll back from"* ]]
	am-model promote S churn v1
	am-model promote S churn v3
	am-model promote S churn v2
	run -0 --separate-stderr am am-model rollback S churn
	[ "$output" = v3 ] && [ "$(readlink S/churn/current)" = v3.amm ]
	run -0 am am-model rollback S churn
	[ "$output" = v1 ]
	run -1 --separate-stderr am am-model rollback S churn
	one_line_error
	[ "$stderr" = "am-model: 'S/churn': no earlier promoted version to roll back to" ]
	[ "$(readlink S/churn/current)" = v1.amm ]
	# promote after rollback: rollback returns to the one before
	am-model promote S churn v2
	run -0 am am-model rollback S churn
	[ "$output" = v1 ]
}

@test "am-model-store: gc keeps the current and the N newest, removes temp files" {
	for m in m1 m2 m3 m1 m2; do am-model push S churn $m.amm; done
	am-model promote S churn v1
	: > S/churn/.tmp.AbC123
	: > S/churn/history.tmp.XyZ789
	run -0 --separate-stderr am am-model gc -v --keep 2 S churn
	[ "$output" = $'removed S/churn/v2.amm\nremoved S/churn/v3.amm\nremoved S/churn/.tmp.AbC123\nremoved S/churn/history.tmp.XyZ789' ]
	run -0 ls S/churn
	[ "$output" = $'current\nhistory\nlock\nv1.amm\nv4.amm\nv5.amm' ]
	# silent without -v; --keep 0 leaves only the current version
	run -0 --separate-stderr am am-model gc --keep 0 S
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 ls S/churn
	[ "$output" = $'current\nhistory\nlock\nv1.amm\nv5.gone' ]
	# versions keep counting up after gc: a number is never reused
	run -0 am am-model push S churn m2.amm
	[ "$output" = v6 ]
	# rollback skips versions gc removed
	am-model promote S churn v6
	run -0 am am-model rollback S churn
	[ "$output" = v1 ]
}

# 2026-11-29 #10: gc --keep 1 removed the version rollback returns to (the
# previous promotion), so the rollback after it failed.
@test "am-model-store: gc keeps the versions the next rollbacks return to" {
	for m in m1 m2 m3 m1 m2 m3; do am-model push S churn $m.amm; done
	am-model promote S churn v1
	am-model promote S churn v2
	am-model promote S churn v3
	am-model promote S churn v6
	# --keep 1: v6 (current, newest) and v3, where rollback goes
	run -0 --separate-stderr am am-model gc -v --keep 1 S churn
	[ "$output" = $'removed S/churn/v1.amm\nremoved S/churn/v2.amm\nremoved S/churn/v4.amm\nremoved S/churn/v5.amm' ]
	run -0 am am-model rollback S churn
	[ "$output" = v3 ] && [ "$(readlink S/churn/current)" = v3.amm ]
	cmp m3.amm S/churn/v3.amm
	# older promotions gc removed are skipped: nothing left below v3
	run -1 --separate-stderr am am-model rollback S churn
	one_line_error
	[ "$stderr" = "am-model: 'S/churn': no earlier promoted version to roll back to" ]
	# --keep 0 still keeps the next rollback's target
	am-model promote S churn v6
	run -0 am am-model gc --keep 0 S churn
	run -0 ls S/churn
	[ "$output" = $'current\nhistory\nlock\nv3.amm\nv6.amm' ]
	# --keep 2: the 2 newest (v9 v8) and the targets of the next 2
	# rollbacks (v8 v6); v7 and v3 are further back in the history
	for m in m1 m2 m3; do am-model push S churn $m.amm; done
	for v in v7 v6 v8 v9; do am-model promote S churn $v; done
	run -0 --separate-stderr am am-model gc -v --keep 2 S churn
	[ "$output" = $'removed S/churn/v3.amm\nremoved S/churn/v7.amm' ]
	run -0 am am-model rollback S churn
	[ "$output" = v8 ]
	run -0 am am-model rollback S churn
	[ "$output" = v6 ] && cmp m3.amm S/churn/v6.amm
	run -1 --separate-stderr am am-model rollback S churn
	one_line_error
	consistent S churn
}

@test "am-model-store: two concurrent pushes both succeed with distinct versions" {
	for round in 1 2 3 4 5; do
		am-model push S churn m1.amm > a.out &
		pa=$!
		am-model push S churn m2.amm > b.out &
		pb=$!
		wait $pa
		wait $pb
		[ "$(cat a.out)" != "$(cat b.out)" ]
		cmp m1.amm "S/churn/$(cat a.out).amm"
		cmp m2.amm "S/churn/$(cat b.out).amm"
	done
	run -0 am am-model list S churn
	[ "${#lines[@]}" -eq 10 ]
	run -0 bash -c 'ls S/churn | grep -c "^v[0-9]*\.amm$"'
	[ "$output" = 10 ]
	run -0 am am-model verify -q S/churn/v*.amm
	[ -z "$(ls -A S/churn | grep '^\.tmp\.' || true)" ]
}

@test "am-model-store: eight pushes at once get versions 1..8" {
	for i in 1 2 3 4 5 6 7 8; do
		am-model push S churn m$(( i % 3 + 1 )).amm > p$i.out &
	done
	wait
	run -0 bash -c 'cat p*.out | sort -V | tr "\n" " "'
	[ "$output" = "v1 v2 v3 v4 v5 v6 v7 v8 " ]
	consistent S churn
}

@test "am-model-store: kill -9 at 60 seeded moments during push leaves the store consistent" {
	[ -x "$UNIT/test_store" ] || skip "needs $UNIT/test_store"
	"$UNIT/test_store" --big big.amm 2
	am-model push S churn m1.amm
	am-model promote S churn v1
	start=$(date +%s%N)
	am-model push S churn big.amm
	span=$(( ($(date +%s%N) - start) / 1000000 + 20 )) # ms, a whole push
	RANDOM=20261129
	killed=0 checked=2
	for i in $(seq 60); do
		ms=$(( RANDOM % span ))
		am-model push S churn big.amm > /dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
		kill -9 $pid 2> /dev/null && killed=$((killed + 1))
		wait $pid 2> /dev/null || true
		# each new version is whole (versions are immutable: check once)
		while [ -e "S/churn/v$((checked + 1)).amm" ]; do
			checked=$((checked + 1))
			cmp big.amm "S/churn/v$checked.amm"
		done
		[ "$(readlink S/churn/current)" = v1.amm ]
		# no name but versions, the pointer, the log, the lock and temps
		[ -z "$(ls -A S/churn | grep -v -E '^(v[0-9]+\.amm|current|history|lock|\.tmp\..*)$' || true)" ]
	done
	echo "# push of 2 MiB: ${span} ms; killed $killed of 60; $checked versions" >&3
	[ "$killed" -ge 15 ]
	consistent S churn
	run -0 am am-model list S churn
	[ "${#lines[@]}" -eq "$checked" ]
	am-model gc --keep 1000 S churn
	[ -z "$(ls -A S/churn | grep -v -E '^(v[0-9]+\.amm|current|history|lock)$' || true)" ]
	run -0 am am-model push S churn m2.amm
	[ "$output" = "v$((checked + 1))" ]
	cmp m2.amm "S/churn/$output.amm"
	am-predict -m S/churn feat.csv > /dev/null
}

@test "am-model-store: bad names and versions are usage errors (2)" {
	for name in "a/b" ".hidden" ".." "-x" "" "a b"; do
		run -2 --separate-stderr am am-model push S -- "$name" m1.amm
		one_line_error
		[[ "$stderr" == "am-model: '$name' is not a valid model name"* ]]
	done
	[ ! -e S ]
	am-model push S churn m1.amm
	for v in v0 x v1x 01 ""; do
		run -2 --separate-stderr am am-model promote S churn "$v"
		one_line_error
		[[ "$stderr" == "am-model: '$v' is not a version"* ]]
	done
}

@test "am-model-store: store failures exit 1 with one line" {
	run -1 --separate-stderr am am-model push S churn missing.amm
	one_line_error
	[ "$stderr" = "am-model: cannot open 'missing.amm': No such file or directory" ]
	[ ! -e S ]
	echo "a,b" > bad.amm
	run -1 --separate-stderr am am-model push S churn bad.amm
	one_line_error
	[ "$stderr" = "am-model: bad.amm: not an am artifact (bad magic)" ]
	am-model push S churn m1.amm
	run -1 --separate-stderr am am-model promote S churn v9
	one_line_error
	[ "$stderr" = "am-model: 'S/churn': no version v9" ]
	run -1 --separate-stderr am am-model promote S nope v1
	one_line_error
	[ "$stderr" = "am-model: no model 'nope' in store 'S'" ]
	run -1 --separate-stderr am am-model list S nope
	one_line_error
	run -1 --separate-stderr am am-model list nostore
	one_line_error
	[ "$stderr" = "am-model: cannot open 'nostore': No such file or directory" ]
	run -1 --separate-stderr am am-model gc --keep 1 S nope
	one_line_error
	: > file
	run -1 --separate-stderr am am-model push file churn m1.amm
	one_line_error
	[ "$stderr" = "am-model: 'file' is not a directory" ]
	# a version that rotted in place cannot be promoted
	chmod u+w S/churn/v1.amm && printf x >> S/churn/v1.amm
	run -1 --separate-stderr am am-model promote S churn v1
	one_line_error
	[[ "$stderr" == *"S/churn/v1.amm"* ]]
	run -0 am am-model list S churn
	[[ "$output" == *"	invalid "* ]]
	# push from standard input
	run -0 am am-model push S churn - < m2.amm
	[ "$output" = v2 ]
}

@test "am-model-store: operand and option errors are usage errors (2)" {
	run -2 --separate-stderr am am-model push S churn
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-model: push: missing operands" ]
	[[ "${stderr_lines[1]}" == "usage: am-model show "* ]]
	run -2 --separate-stderr am am-model promote S churn v1 v2
	[ "${stderr_lines[0]}" = "am-model: promote: too many operands" ]
	run -2 --separate-stderr am am-model gc S
	[ "${stderr_lines[0]}" = "am-model: gc: --keep N is required" ]
	run -2 --separate-stderr am am-model gc --keep -1 S
	[ "${stderr_lines[0]}" = "am-model: --keep: '-1' is not a count" ]
	run -2 --separate-stderr am am-model gc --keep
	[ "${stderr_lines[0]}" = "am-model: option '--keep' needs an argument" ]
	run -2 --separate-stderr am am-model push --keep 1 S churn m1.amm
	[ "${stderr_lines[0]}" = "am-model: --keep does not apply to push" ]
	# versions are read-only, 0444 less the umask: push refuses --mode
	run -2 --separate-stderr am am-model push --mode 0600 S churn m1.amm
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-model: --mode does not apply to push" ]
	run -2 --separate-stderr am am-model rollback --json S churn
	[ "${stderr_lines[0]}" = "am-model: --json does not apply to rollback" ]
	run -2 --separate-stderr am am-model list a b c
	[ "${stderr_lines[0]}" = "am-model: list: too many operands" ]
	[ ! -e S ]
}

@test "am-model-store: a write error on stdout exits 1 and still stores" {
	run -1 --separate-stderr bash -c "am-model push S churn m1.amm > /dev/full"
	[[ "$stderr" == "am-model: write error"* ]]
	run -1 --separate-stderr bash -c "am-model list S > /dev/full"
	[[ "$stderr" == "am-model: write error"* ]]
}
