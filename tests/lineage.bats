#!/usr/bin/env bats
# lineage.bats -- am-clean -o and am-features -o record the digest of the
# data they write (lineage.output.*), and am-model lineage links a model
# back through the features to the cleaning by those digests.
load helpers

setup() {
	cd "$BATS_TEST_TMPDIR"
}

h() { # h FILE: its SHA-256
	sha256sum < "$1" | cut -d' ' -f1
}

meta() { # meta FILE KEY: the value of metadata KEY in artifact FILE
	am-model show --json "$1" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
g, k = sys.argv[1].split(".", 1)
print(d[g][k])' "$2"
}

@test "lineage: the recorded output digests are sha256sum of what was written, CSV, BIN and LIBSVM" {
	am-clean -o clean.amm "$DATA/bank.csv" > clean.csv
	[ "$(meta clean.amm lineage.output.sha256)" = "$(h clean.csv)" ]
	[ "$(meta clean.amm lineage.output.rows)" = 4521 ]
	for to in csv bin libsvm; do
		am-features -t y --to $to -o f.$to.amm clean.csv > f.$to
		[ "$(meta f.$to.amm lineage.output.sha256)" = "$(h f.$to)" ]
		[ "$(meta f.$to.amm lineage.output.rows)" = 4521 ]
	done
	# hashing changes no byte of the output
	am-features -t y --to bin clean.csv | cmp - f.bin
	am-clean "$DATA/bank.csv" | cmp - clean.csv
	# replay writes the same bytes
	am-features -m f.csv.amm clean.csv | cmp - f.csv
}

@test "lineage: clean -o -> features -o -> train, linked through the files, text and JSON" {
	am-clean -o clean.amm "$DATA/bank.csv" > clean.csv
	am-features -t y -o feat.amm clean.csv > feat.csv
	am-train -a logreg -t y -o m.amm feat.csv 2> /dev/null
	run -0 --separate-stderr am am-model lineage m.amm
	[ -z "$stderr" ]
	[ "${lines[7]}" = "  input        feat.csv" ]
	[ "${lines[8]}" = "  input.sha256 $(h feat.csv)" ]
	[ "${lines[10]}" = "  input from   feat.amm" ]
	[ "${lines[11]}" = "    kind         features" ]
	[ "${lines[18]}" = "    input.sha256 $(h clean.csv)" ]
	[ "${lines[20]}" = "    output       4521 rows, sha256 $(h feat.csv)" ]
	[ "${lines[21]}" = "    input from   clean.amm" ]
	[ "${lines[22]}" = "      kind         clean" ]
	[ "${lines[29]}" = "      input.sha256 $(h "$DATA/bank.csv")" ]
	[ "${lines[31]}" = "      output       4521 rows, sha256 $(h clean.csv)" ]
	# the raw data was written by no artifact
	[ "${lines[32]}" = "      input from   not found" ]
	[ "${#lines[@]}" -eq 33 ]
	run -0 am am-model lineage --json m.amm
	[ "${#lines[@]}" -eq 1 ]
	/usr/bin/python3 -c '
import json, sys, hashlib
h = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
d = json.loads(sys.argv[1])
assert d["file"] == "m.amm" and d["kind"] == "model" and d["output"] is None
i = d["input"]
assert (i["name"], i["sha256"], i["rows"]) == ("feat.csv", h("feat.csv"), 4521), i
f = i["writer"]
assert f["file"] == "feat.amm" and f["kind"] == "features"
assert f["sha256"] == h("feat.amm")
assert f["output"] == {"sha256": h("feat.csv"), "rows": 4521}, f["output"]
assert f["input"]["sha256"] == h("clean.csv") and f["input"]["name"] == "clean.csv"
c = f["input"]["writer"]
assert c["file"] == "clean.amm" and c["kind"] == "clean"
assert c["output"] == {"sha256": h("clean.csv"), "rows": 4521}
assert c["input"]["sha256"] == h(sys.argv[2])
assert c["input"]["writer"] == {"found": False}
assert d["parents"] == f["parents"] == c["parents"] == []
' "$output" "$DATA/bank.csv"
	# artifacts pushed to a store are found through the store
	for n in clean feat m; do am-model push S $n $n.amm; done
	am-model promote S m v1
	rm clean.amm feat.amm m.amm
	run -0 am am-model lineage S/m
	[ "${lines[10]}" = "  input from   S/feat/v1.amm" ]
	[ "${lines[21]}" = "    input from   S/clean/v1.amm" ]
}

@test "lineage: a chain through pipes links the same way, found by --search" {
	mkdir art out
	am-clean -o art/clean.amm "$DATA/bank.csv" |
	    am-features -t y --to bin -o art/feat.amm > feat.bin
	am-train -a logreg -t y -o out/m.amm < feat.bin 2> /dev/null
	# not beside out/m.amm: not found until --search names the folder
	run -0 am am-model lineage --json out/m.amm
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["input"]["writer"] == {"found": False}, d["input"]
' "$output"
	run -0 am am-model lineage --json --search art out/m.amm
	/usr/bin/python3 -c '
import json, sys, hashlib
h = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
d = json.loads(sys.argv[1])
f = d["input"]["writer"]
assert f["file"] == "art/feat.amm" and f["input"]["name"] == "<stdin>"
assert d["input"]["sha256"] == f["output"]["sha256"] == h("feat.bin")
c = f["input"]["writer"]
assert c["file"] == "art/clean.amm"
assert c["output"]["sha256"] == f["input"]["sha256"]
assert c["output"]["rows"] == f["input"]["rows"] == 4521
' "$output"
}

@test "lineage: a modified intermediate file breaks the link, visibly, not as an error" {
	am-clean -o clean.amm "$DATA/bank.csv" > clean.csv
	am-features -t y -o feat.amm clean.csv > feat.csv
	head -2001 feat.csv > part.csv
	am-train -a logreg -t y -o m.amm part.csv 2> /dev/null
	run -0 --separate-stderr am am-model lineage m.amm
	[ -z "$stderr" ]
	[ "${lines[8]}" = "  input.sha256 $(h part.csv)" ]
	[ "${lines[10]}" = "  input from   not found" ]
	[ "${#lines[@]}" -eq 11 ]
	# an edited clean.csv: features no longer link to the cleaning
	sed 's/,no$/,NO/' clean.csv > edited.csv
	am-features -t y -o feat2.amm edited.csv > feat2.csv
	run -0 am am-model lineage --json feat2.amm
	/usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["input"]["writer"] == {"found": False}, d["input"]
assert d["output"]["rows"] == 4521
' "$output"
}

@test "lineage: recorded digests are deterministic, and SOURCE_DATE_EPOCH makes artifacts identical" {
	for i in 1 2; do
		mkdir r$i
		(cd r$i && SOURCE_DATE_EPOCH=0 am-clean -o clean.amm "$DATA/bank.csv" > clean.csv &&
		    SOURCE_DATE_EPOCH=0 am-features -t y --target-enc job -o feat.amm clean.csv > feat.csv)
	done
	cmp r1/clean.amm r2/clean.amm
	cmp r1/feat.amm r2/feat.amm
	[ "$(meta r1/feat.amm lineage.output.sha256)" = "$(h r2/feat.csv)" ]
	# -v and --line-buffered change nothing recorded
	am-features -v --line-buffered -t y --target-enc job -o lb.amm r1/clean.csv > lb.csv 2> /dev/null
	cmp lb.csv r1/feat.csv
	[ "$(meta lb.amm lineage.output.sha256)" = "$(h r1/feat.csv)" ]
}

@test "lineage: the artifact is saved only after the output is written; failures exit 1 with one line" {
	am-clean -o clean.amm "$DATA/bank.csv" > clean.csv
	# stdout cannot be written: no artifact
	run -1 --separate-stderr sh -c 'am-features -t y -o f.amm clean.csv > /dev/full'
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"write error"* ]]
	[ ! -e f.amm ]
	run -1 --separate-stderr sh -c 'am-clean -o c.amm "$1" > /dev/full' sh "$DATA/bank.csv"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ ! -e c.amm ]
	# the output was written but the artifact cannot be saved
	run -1 --separate-stderr am am-features -t y -o no/such/f.amm clean.csv
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "am-features: "*"no/such/f.amm"* ]]
	[ "${#lines[@]}" -eq 4522 ]
	printf '%s\n' "$output" | cmp - <(am-features -t y clean.csv)
}

# 2026-11-29 #10: am-clean recorded the rows it wrote as lineage.input.rows.
@test "lineage: am-clean records the rows read as input.rows and the rows written as output.rows" {
	# 7 records: one duplicate, one missing the target, one of the wrong
	# width (skipped, not counted); 4 written
	printf 'id,x,y\n1,2,a\n2,3,b\n2,3,b\n3,,\n4,5,a\n5,6\n6,7,b\n' > d.csv
	am-clean -q --skip-bad --dedupe -t y -o c.amm d.csv > c.csv
	[ "$(wc -l < c.csv)" -eq 5 ]
	[ "$(meta c.amm lineage.input.rows)" = 6 ]
	[ "$(meta c.amm lineage.output.rows)" = 4 ]
	[ "$(meta c.amm lineage.input.sha256)" = "$(h d.csv)" ]
	# downstream, features read what cleaning wrote
	am-features -t y -o f.amm c.csv > f.csv
	[ "$(meta f.amm lineage.input.rows)" = "$(meta c.amm lineage.output.rows)" ]
	# --split: every row read counts; output.rows is stdout only
	am-clean -o s.amm --split 0.5 --test t.csv "$DATA/bank.csv" > s.csv
	[ "$(meta s.amm lineage.input.rows)" = 4521 ]
	[ "$(meta s.amm lineage.output.rows)" = $(( $(wc -l < s.csv) - 1 )) ]
	[ $(( $(wc -l < s.csv) + $(wc -l < t.csv) - 2 )) -eq 4521 ]
}
