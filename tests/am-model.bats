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

# models: train FILE.amm with extra am-train options on data/bank.csv features.
models() {
	am-features -t y -o feat.amm "$DATA/bank.csv" > feat.csv
	am-train -a logreg -t y -o c1.amm feat.csv 2> /dev/null
	am-train -a logreg -t y -c 0.1 -o c01.amm feat.csv 2> /dev/null
}

@test "am-model: diff of two models trained with different -c (3)" {
	models
	run -3 --separate-stderr am am-model diff c1.amm c01.amm
	[ -z "$stderr" ]
	[ "${lines[0]}" = "--- c1.amm (model logreg, sha256 $(sha256sum c1.amm | cut -d' ' -f1))" ]
	[ "${lines[1]}" = "+++ c01.amm (model logreg, sha256 $(sha256sum c01.amm | cut -d' ' -f1))" ]
	[[ "$output" == *$'\n~ hyper.C: 1 -> 0.10000000000000001 (-0.9)\n'* ]]
	[[ "$output" == *$'\n~ lineage.command: am-train -a logreg -t y -o c1.amm feat.csv -> am-train -a logreg -t y -c 0.1 -o c01.amm feat.csv'* ]]
	[[ "$output" == *$'\n~ section logreg: '* ]]
	# the metric change is B - A, checked against the values shown
	line=$(grep '^~ metric.train_auc: ' <<<"$output")
	read -r _ _ a _ b d <<<"$line"
	approx "${d//[()+]/}" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b - a }')" 1e-6
	# the same file: no differences, exit 0, only the two header lines
	run -0 am am-model diff c1.amm c1.amm
	[ "${#lines[@]}" -eq 2 ]
}

@test "am-model: diff ignores lineage alone for the status; schema changes show" {
	models
	# the same training again under another name: only lineage differs
	am-train -a logreg -t y -o again.amm feat.csv 2> /dev/null
	run -0 --separate-stderr am am-model diff c1.amm again.amm
	[[ "${lines[2]}" == "~ lineage.command: "* ]]
	# a model on fewer columns: removed columns are listed
	cut -d, -f1-10 feat.csv > few.csv
	am-train -a logreg -t y -o few.amm few.csv 2> /dev/null
	run -3 am am-model diff c1.amm few.amm
	n=$(head -1 feat.csv | tr , '\n' | tail -n +11 | wc -l)
	[ "$(grep -c '^- column ' <<<"$output")" -eq "$n" ]
	[[ "$output" == *$'\n- column '"$(head -1 feat.csv | cut -d, -f11)"' (number)'* ]]
	run -3 am am-model diff few.amm c1.amm
	[ "$(grep -c '^+ column ' <<<"$output")" -eq "$n" ]
	# a different kind
	run -3 am am-model diff c1.amm feat.amm
	[[ "$output" == *$'\n~ kind: model -> features\n'* ]]
}

@test "am-model: diff --json is one object python parses" {
	models
	run -3 --separate-stderr am am-model diff --json c1.amm c01.amm
	[ "${#lines[@]}" -eq 1 ]
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["differ"] is True
assert d["a"]["file"] == "c1.amm" and d["b"]["algorithm"] == "logreg"
c = {(x["what"], x["key"]): x for x in d["changes"]}
assert c[("hyper", "C")]["a"] == "1" and abs(c[("hyper", "C")]["delta"] + 0.9) < 1e-12
m = c[("metric", "train_auc")]
assert abs(float(m["b"]) - float(m["a"]) - m["delta"]) < 1e-12
assert ("lineage", "command") in c
' "$output"
	run -0 am am-model diff --json c1.amm c1.amm
	[[ "$output" == *'"changes":[],"differ":false}' ]]
}

@test "am-model: diff errors: unreadable (1), invalid (1), operands (2)" {
	models
	run -1 --separate-stderr am am-model diff c1.amm missing.amm
	one_line_error
	head -c 100 c1.amm > t.amm
	run -1 --separate-stderr am am-model diff t.amm c1.amm
	one_line_error
	run -2 --separate-stderr am am-model diff c1.amm
	[ "${stderr_lines[0]}" = "am-model: diff: missing operands" ]
	run -2 --separate-stderr am am-model diff c1.amm c1.amm c1.amm
	[ "${stderr_lines[0]}" = "am-model: diff: too many operands" ]
}

@test "am-model: lineage of a clean -> features -> train -> update chain, text and JSON" {
	am-clean -o clean.amm "$DATA/bank.csv" > clean.csv
	am-features -t y -o feat.amm clean.csv > feat.csv
	head -2001 feat.csv > old.csv
	{ head -1 feat.csv; tail -n +2002 feat.csv; } > new.csv
	am-train -a logreg -t y -o old.amm old.csv 2> /dev/null
	mkdir out
	am-train -a logreg -t y --update old.amm -o out/new.amm new.csv 2> /dev/null
	# the parent is not beside out/new.amm: not found, then found by --search
	run -0 --separate-stderr am am-model lineage out/new.amm
	[ "${lines[0]}" = "out/new.amm" ]
	[ "${lines[1]}" = "  kind         model" ]
	[ "${lines[4]}" = "  command      am-train -a logreg -t y --update old.amm -o out/new.amm new.csv" ]
	[ "${lines[7]}" = "  input        new.csv" ]
	[ "${lines[8]}" = "  input.sha256 $(sha256sum new.csv | cut -d' ' -f1)" ]
	[ "${lines[9]}" = "  input.rows   2521" ]
	# new.csv was cut by hand: no artifact wrote it
	[ "${lines[10]}" = "  input from   not found" ]
	[ "${lines[11]}" = "  parent       not found (sha256 $(sha256sum old.amm | cut -d' ' -f1))" ]
	run -0 am am-model lineage --search . out/new.amm
	[ "${lines[11]}" = "  parent       old.amm" ]
	[ "${lines[13]}" = "    algorithm    logreg" ]
	[ "${lines[20]}" = "    input.rows   2000" ]
	# JSON: the whole chain, every field checked against the files
	run -0 am am-model lineage --json --search . out/new.amm
	[ "${#lines[@]}" -eq 1 ]
	/usr/bin/python3 -c '
import json, sys, hashlib
h = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
d = json.loads(sys.argv[1])
assert d["file"] == "out/new.amm" and d["sha256"] == h("out/new.amm")
assert d["input"] == {"name": "new.csv", "sha256": h("new.csv"), "rows": 2521,
    "writer": {"found": False}}, d["input"]
assert d["output"] is None
assert len(d["parents"]) == 1
p = d["parents"][0]
assert p["file"] == "old.amm" and p["sha256"] == h("old.amm")
assert p["input"]["rows"] == 2000 and p["input"]["sha256"] == h("old.csv")
assert p["command"] == "am-train -a logreg -t y -o old.amm old.csv"
assert p["parents"] == []
' "$output"
	# the clean and features steps carry their own inputs
	run -0 am am-model lineage --json feat.amm
	/usr/bin/python3 -c '
import json, sys, hashlib
d = json.loads(sys.argv[1])
assert d["kind"] == "features"
assert d["input"]["sha256"] == hashlib.sha256(open("clean.csv", "rb").read()).hexdigest()
assert d["input"]["rows"] == 4521
' "$output"
	run -0 am am-model lineage clean.amm
	[ "${lines[7]}" = "  input        $DATA/bank.csv" ]
	[ "${lines[8]}" = "  input.sha256 $(sha256sum "$DATA/bank.csv" | cut -d' ' -f1)" ]
}

@test "am-model: lineage follows several parents, reports the missing, searches a store" {
	[ -x "$UNIT/test_store" ] || skip "needs $UNIT/test_store"
	mkdir chain
	"$UNIT/test_store" --chain chain
	run -0 am am-model lineage chain/c.amm
	[ "$(grep -c 'parent       chain/a.amm' <<<"$output")" -eq 2 ]
	[ "$(grep -c 'parent       chain/b.amm' <<<"$output")" -eq 1 ]
	run -0 --separate-stderr am am-model lineage --json chain/d.amm
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert len(d["parents"]) == 1
assert d["parents"][0]["found"] is False and len(d["parents"][0]["sha256"]) == 64
' "$output"
	# parents pushed to a store are found through the store
	am-model push S a chain/a.amm
	am-model push S b chain/b.amm
	am-model push S c chain/c.amm
	am-model promote S c v1
	rm chain/a.amm chain/b.amm
	run -0 am am-model lineage S/c
	[ "${lines[0]}" = "S/c" ]
	[[ "$output" == *"parent       S/a/v1.amm"* ]]
	[[ "$output" == *"parent       S/b/v1.amm"* ]]
	run -1 --separate-stderr am am-model lineage missing.amm
	one_line_error
	run -2 --separate-stderr am am-model lineage --search . 
	[ "${stderr_lines[0]}" = "am-model: lineage: missing operands" ]
	run -2 --separate-stderr am am-model show --search . chain/c.amm
	[ "${stderr_lines[0]}" = "am-model: --search does not apply to show" ]
}

@test "am-model: merge of shard-trained logreg models records both as parents" {
	am-features -t y -o feat.amm "$DATA/bank.csv" > feat.csv
	head -2001 feat.csv > a.csv
	{ head -1 feat.csv; tail -n +2002 feat.csv; } > b.csv
	am-train -a logreg -t y -o a.amm a.csv 2> /dev/null
	am-train -a logreg -t y -o b.amm b.csv 2> /dev/null
	run -0 --separate-stderr am am-model merge -o m.amm a.amm b.amm
	[ -z "$output" ]
	run -0 am am-model verify m.amm
	run -0 am am-model lineage --json m.amm
	/usr/bin/python3 -c '
import json, sys, hashlib
h = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
d = json.loads(sys.argv[1])
assert d["command"] == "am-model merge -o m.amm a.amm b.amm"
assert d["input"]["rows"] == 4521
assert [p["sha256"] for p in d["parents"]] == [h("a.amm"), h("b.amm")]
' "$output"
	am-predict -m m.amm feat.csv > /dev/null
	# errors: -o is required (2); one input (2); kinds differ (1)
	run -2 --separate-stderr am am-model merge a.amm b.amm
	[ "${stderr_lines[0]}" = "am-model: merge: -o FILE is required" ]
	run -2 --separate-stderr am am-model merge -o m2.amm a.amm
	[ "${stderr_lines[0]}" = "am-model: merge: missing operands" ]
	run -1 --separate-stderr am am-model merge -o m2.amm a.amm feat.amm
	one_line_error
	[ ! -e m2.amm ]
}
