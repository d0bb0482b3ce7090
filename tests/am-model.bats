#!/usr/bin/env bats
# am-model.bats -- show and verify artifacts; every kind of bad file gets
# one line on stderr and its exact status (3 invalid, 1 unreadable).
load helpers

UNIT="${AM_UNIT:-$AM_ROOT/build/unit}"
SAMPLE="$FIX/am-model/sample.amm"

setup() {
	cd "$BATS_TEST_TMPDIR"
	cp "$SAMPLE" s.amm
}

# flip BYTE OFFSET FILE: xor the byte at OFFSET with 0x01, in place.
flip() {
	local b
	b=$(od -A n -t u1 -j "$1" -N 1 "$2" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" |
	    dd of="$2" bs=1 seek="$1" conv=notrunc status=none
}

@test "am-model: show prints every field of the committed fixture" {
	cp "$SAMPLE" sample.amm
	run -0 --separate-stderr am am-model show sample.amm
	[ -z "$stderr" ]
	echo "$output" > got.show
	golden "$FIX/am-model/sample.show" got.show
}

@test "am-model: show --json is one valid JSON object per file" {
	cp "$SAMPLE" sample.amm
	run -0 --separate-stderr am am-model show --json sample.amm
	echo "$output" > got.json
	golden "$FIX/am-model/sample.json" got.json
	run -0 am am-model show --json sample.amm - < sample.amm
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == '{"file":"<stdin>",'* ]]
	if command -v python3 >/dev/null; then
		am am-model show --json sample.amm |
		    python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["other"]["note"]=="tab\there \"quoted\" \\ \x01", d; assert d["lineage"]["input.rows"]=="4521"; assert d["schema"][1]=={"name":"job=admin.","type":"number"}'
	fi
}

@test "am-model: the fixture is what the writer produces today (format drift)" {
	[ -x "$UNIT/test_art" ] || skip "needs $UNIT/test_art"
	SOURCE_DATE_EPOCH=1795000000 "$UNIT/test_art" --write new.amm
	cmp "$SAMPLE" new.amm
}

@test "am-model: sha256 is that of the whole file, and the last 32 bytes are the checksum of the rest" {
	run -0 am am-model show s.amm
	want=$(sha256sum s.amm | cut -d' ' -f1)
	[[ "$output" == *"sha256     $want"* ]]
	n=$(stat -c %s s.amm)
	body=$(head -c $((n - 32)) s.amm | sha256sum | cut -d' ' -f1)
	tail=$(tail -c 32 s.amm | od -A n -t x1 | tr -d ' \n')
	[ "$body" = "$tail" ]
	# The magic and version of am-model(5).
	[ "$(head -c 12 s.amm | od -A n -t x1 | tr -d ' \n')" = 89414d4d0d0a1a0a01000000 ]
}

@test "am-model: verify prints one ok line per file; -q is silent; -v adds sha256" {
	cp s.amm t.amm
	run -0 --separate-stderr am am-model verify s.amm t.amm
	[ "${lines[0]}" = "s.amm: ok (model logreg, 520 bytes)" ]
	[ "${lines[1]}" = "t.amm: ok (model logreg, 520 bytes)" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr am am-model -q verify s.amm
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 am am-model verify s.amm -v
	[ "$output" = "s.amm: ok (model logreg, 520 bytes, sha256 $(sha256sum s.amm | cut -d' ' -f1))" ]
	run -0 am am-model verify - < s.amm
	[ "$output" = "<stdin>: ok (model logreg, 520 bytes)" ]
}

@test "am-model: a truncated file fails verify with 3, at any length" {
	for n in 1 7 8 11 12 43 44 45 100 300 519; do
		head -c $n s.amm > t.amm
		run -3 --separate-stderr am am-model verify t.amm
		one_line_error
		[[ "$stderr" == "am-model: t.amm: "* ]]
	done
	head -c 300 s.amm > t.amm
	run -3 --separate-stderr am am-model verify t.amm
	[ "$stderr" = "am-model: t.amm: checksum mismatch (file corrupt or truncated)" ]
	head -c 20 s.amm > t.amm
	run -3 --separate-stderr am am-model verify t.amm
	[ "$stderr" = "am-model: t.amm: truncated (20 bytes)" ]
}

@test "am-model: a bit-flipped file fails verify with 3" {
	for off in 0 5 9 13 60 200 400 487 519; do
		cp s.amm t.amm
		flip $off t.amm
		run -1 cmp -s s.amm t.amm
		run -3 --separate-stderr am am-model verify t.amm
		one_line_error
	done
	cp s.amm t.amm
	flip 200 t.amm
	run -3 --separate-stderr am am-model verify t.amm
	[ "$stderr" = "am-model: t.amm: checksum mismatch (file corrupt or truncated)" ]
	cp s.amm t.amm
	flip 0 t.amm
	run -3 --separate-stderr am am-model verify t.amm
	[ "$stderr" = "am-model: t.amm: not an am artifact (bad magic)" ]
}

@test "am-model: empty file, random bytes and a CSV are not artifacts (3)" {
	: > empty.amm
	run -3 --separate-stderr am am-model verify empty.amm
	one_line_error
	[ "$stderr" = "am-model: empty.amm: not an am artifact (empty file)" ]
	awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 256) }' > rnd.amm
	run -3 --separate-stderr am am-model verify rnd.amm
	one_line_error
	[ "$stderr" = "am-model: rnd.amm: not an am artifact (bad magic)" ]
	run -3 --separate-stderr am am-model verify "$DATA/bank.csv"
	one_line_error
}

@test "am-model: a newer format version is refused with an upgrade hint (3)" {
	[ -x "$UNIT/test_art" ] || skip "needs $UNIT/test_art"
	"$UNIT/test_art" --write-newer new.amm
	run -3 --separate-stderr am am-model verify new.amm
	one_line_error
	[ "$stderr" = "am-model: new.amm: format version 9 is newer than this am (1); upgrade am" ]
	run -1 --separate-stderr am am-model show new.amm
	one_line_error
}

@test "am-model: a missing file or a directory cannot be read (1)" {
	run -1 --separate-stderr am am-model verify missing.amm
	one_line_error
	[ "$stderr" = "am-model: cannot open 'missing.amm': No such file or directory" ]
	mkdir d.amm
	run -1 --separate-stderr am am-model verify d.amm
	one_line_error
	[[ "$stderr" == "am-model: d.amm: "* ]]
	run -1 --separate-stderr am am-model show d.amm
	one_line_error
}

@test "am-model: unreadable outranks invalid; good files are still reported" {
	: > empty.amm
	run -1 --separate-stderr am am-model verify s.amm empty.amm missing.amm
	[ "$output" = "s.amm: ok (model logreg, 520 bytes)" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	run -3 --separate-stderr am am-model verify empty.amm s.amm
	[ "$output" = "s.amm: ok (model logreg, 520 bytes)" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "am-model: show of an invalid file exits 1 with one line and no output" {
	head -c 100 s.amm > t.amm
	run -1 --separate-stderr am am-model show t.amm
	one_line_error
	run -1 --separate-stderr am am-model show --json t.amm
	one_line_error
}

@test "am-model: usage errors exit 2 with the usage on stderr" {
	run -2 --separate-stderr am am-model
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-model: missing command (show, verify, diff, push, list, promote, rollback, gc, lineage, merge)" ]
	[[ "${stderr_lines[1]}" == "usage: am-model show "* ]]
	run -2 --separate-stderr am am-model frobnicate s.amm
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-model: 'frobnicate' is not a command (show, verify, diff, push, list, promote, rollback, gc, lineage, merge)" ]
	run -2 --separate-stderr am am-model verify
	[ "${stderr_lines[0]}" = "am-model: verify: missing operands" ]
	run -2 --separate-stderr am am-model verify --json s.amm
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-model: --json does not apply to verify" ]
	run -2 --separate-stderr am am-model -x show s.amm
	[ "${stderr_lines[0]}" = "am-model: unknown option -x" ]
}

@test "am-model: help lists the commands; --version" {
	run -0 --separate-stderr am am-model --help
	[[ "$output" == *"  show "* ]]
	[[ "$output" == *"  verify "* ]]
	run -0 am am-model --version
	[ "$output" = "am-model (am) 0.1.0" ]
}

@test "am-model: a write error on stdout exits 1" {
	run -1 --separate-stderr bash -c "am-model show s.amm > /dev/full"
	[[ "$stderr" == "am-model: write error"* ]]
	run -1 --separate-stderr bash -c "am-model verify s.amm > /dev/full"
	[[ "$stderr" == "am-model: write error"* ]]
}
