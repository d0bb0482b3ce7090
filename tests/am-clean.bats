#!/usr/bin/env bats
# am-clean.bats -- pass-through, types, report, imputation fit/replay,
# split, and every bad input with its exact status.
load helpers

IN="$FIX/am-clean/impute.in.csv"

setup() {
	T=$BATS_TEST_TMPDIR
}

@test "am-clean: pass-through of bank.csv equals Miller's rewrite" {
	command -v mlr >/dev/null || skip "mlr not installed"
	mlr --icsv --ifs ';' --ocsv cat "$DATA/bank.csv" > "$T/mlr.csv"
	run -0 --separate-stderr am am-clean "$DATA/bank.csv"
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$T/am.csv"
	diff -u "$T/mlr.csv" "$T/am.csv"
}

@test "am-clean: reads stdin and '-'" {
	run -0 --separate-stderr am am-clean - < "$IN"
	a=$output
	run -0 --separate-stderr am am-clean < "$IN"
	[ "$output" = "$a" ]
	[ "${lines[0]}" = "id,age,city,score,joined,y" ]
	[ "${lines[2]}" = "2,,lyon,,2024-02-10,no" ] # missing written empty
}

@test "am-clean: -d gives the delimiter" {
	printf 'a;b,c\n1;2,3\n' > "$T/d.csv"
	run -0 --separate-stderr am am-clean -d ';' "$T/d.csv"
	[ "$output" = $'a,"b,c"\n1,"2,3"' ]
	run -0 --separate-stderr am am-clean -d tab "$T/d.csv"
	[ "$output" = $'"a;b,c"\n"1;2,3"' ]
}

@test "am-clean: -d with more than one character is a usage error" {
	run -2 --separate-stderr am am-clean -d ';;' "$IN"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-clean: -d: ';;' is not one character" ]
	[[ "${stderr_lines[1]}" == usage:* ]]
}

@test "am-clean: --report - profiles bank.csv like Miller's stats1" {
	command -v mlr >/dev/null || skip "mlr not installed"
	run -0 --separate-stderr am am-clean --report - "$DATA/bank.csv"
	[ "${lines[0]}" = "input: $DATA/bank.csv" ]
	[ "${lines[1]}" = "rows: 4521" ]
	age=$(grep '^age ' <<<"$output")
	read -r _ type count miss dist min max mean std top <<<"$age"
	[ "$type" = integer ] && [ "$count" = 4521 ] && [ "$miss" = 0 ]
	[ "$min" = 19 ] && [ "$max" = 87 ]
	read -r m s d <<<"$(mlr --icsv --ifs ';' --onidx stats1 \
	    -a mean,stddev,distinct_count -f age "$DATA/bank.csv")"
	approx "$mean" "$m" 1e-4
	approx "$std" "$s" 1e-4
	[ "$dist" = "$d" ]
	[[ "$age" == *"34 (231), 32 (224)"* ]]
	grep -q '^job  *category ' <<<"$output"
	grep -q '^y  *boolean ' <<<"$output"
	[[ "$(grep '^y ' <<<"$output")" == *"no (4000), yes (521)" ]]
}

@test "am-clean: --report FILE.json is JSON and the table still goes to stdout" {
	run -0 --separate-stderr am am-clean --report "$T/r.json" "$IN"
	[ "${#lines[@]}" -eq 7 ]
	python3 - "$T/r.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["rows"] == 6, r
c = {x["name"]: x for x in r["columns"]}
assert c["age"]["type"] == "integer" and c["age"]["missing"] == 2
assert abs(c["age"]["mean"] - (34 + 51 + 28 + 40) / 4) < 1e-12
assert c["score"]["type"] == "number" and c["score"]["min"] == 1.0
assert c["joined"]["type"] == "date" and c["joined"]["min"] == "2024-01-05"
assert c["city"]["top"][0] == {"value": "paris", "count": 3}
assert c["city"]["distinct"] == 3 and c["city"]["distinct_exact"]
EOF
}

@test "am-clean: types: integer, number, boolean, date, category, text" {
	{
		echo "i,n,b,d,c,t,e"
		for k in $(seq 1 1200); do
			echo "$k,$k.5,Yes,2024-01-0$((k % 9 + 1)) 10:00:00,c$((k % 3)),t$k,"
		done
	} > "$T/types.csv"
	run -0 --separate-stderr am am-clean --report - "$T/types.csv"
	[ "$(awk 'NR > 4 { printf "%s=%s ", $1, $2 }' <<<"$output")" = \
	    "i=integer n=number b=boolean d=date c=category t=text e=text " ]
}

@test "am-clean: --types overrides inference and checks the data" {
	run -0 --separate-stderr am am-clean --types id=category,age=number --report - "$IN"
	grep -q '^id  *category ' <<<"$output"
	grep -q '^age  *number ' <<<"$output"
	run -1 --separate-stderr am am-clean --types city=integer --report - "$IN"
	one_line_error
	[ "$stderr" = "am-clean: $IN:2: column 'city': 'paris' is not an integer (--types)" ]
}

@test "am-clean: --types with an unknown type is a usage error" {
	run -2 --separate-stderr am am-clean --types age=float "$IN"
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == "am-clean: --types: unknown type 'float'"* ]]
	run -2 --separate-stderr am am-clean --types age "$IN"
	[ "${stderr_lines[0]}" = "am-clean: --types: 'age' is not COLUMN=TYPE" ]
}

@test "am-clean: -o fits median and mode, drops rows missing the target" {
	run -0 --separate-stderr am am-clean -t y -o "$T/c.amm" "$IN"
	[ "$stderr" = "am-clean: $IN: 1 rows without 'y' dropped" ]
	printf '%s\n' "$output" > "$T/out.csv"
	golden "$FIX/am-clean/impute.out.csv" "$T/out.csv"
	run -0 am am-model verify "$T/c.amm"
	run -0 am am-model show "$T/c.amm"
	[[ "$output" == *"kind       clean"* ]]
	[[ "$output" == *"input.rows    5"* ]]
	[[ "$output" == *"input.sha256  $(sha256sum < "$IN" | cut -d' ' -f1)"* ]]
}

@test "am-clean: -q keeps the dropped count quiet" {
	run -0 --separate-stderr am am-clean -q -t y -o "$T/c.amm" "$IN"
	[ -z "$stderr" ]
}

@test "am-clean: --impute mean, mode and const per column" {
	run -0 --separate-stderr am am-clean -q -t y -o "$T/c.amm" \
	    --impute age=mean,score=mode,city=const:unknown "$IN"
	printf '%s\n' "$output" > "$T/out.csv"
	golden "$FIX/am-clean/impute-methods.out.csv" "$T/out.csv"
}

@test "am-clean: --impute-default none leaves cells missing" {
	run -0 --separate-stderr am am-clean -q -t y -o "$T/c.amm" --impute-default none "$IN"
	[ "${lines[2]}" = "2,,lyon,,2024-02-10,no" ]
	run -0 --separate-stderr am am-clean -q -o "$T/c.amm" --impute-default mean "$IN"
	[ "${lines[2]}" = "2,38.25,lyon,2.75,2024-02-10,no" ] # mean; mode for city
	[ "${lines[3]}" = "3,51,paris,3.5,,yes" ]
}

@test "am-clean: mean of a category column is an error" {
	run -1 --separate-stderr am am-clean -o "$T/c.amm" --impute city=mean "$IN"
	one_line_error
	[ "$stderr" = "am-clean: --impute: column 'city' is category; mean needs numbers" ]
	[ ! -e "$T/c.amm" ]
}

@test "am-clean: bad --impute specs are usage errors" {
	run -2 --separate-stderr am am-clean --impute age=avg "$IN"
	[[ "${stderr_lines[0]}" == "am-clean: --impute: unknown method 'avg'"* ]]
	run -2 --separate-stderr am am-clean --impute-default foo "$IN"
	[[ "${stderr_lines[0]}" == "am-clean: --impute-default: unknown method 'foo'"* ]]
	run -1 --separate-stderr am am-clean --impute nope=mean -o "$T/c.amm" "$IN"
	[ "$stderr" = "am-clean: $IN: --impute: no column 'nope'" ]
}

@test "am-clean: -m replays byte for byte what -o wrote" {
	am am-clean -q -t y -o "$T/c.amm" "$IN" > "$T/fit.csv"
	run -0 --separate-stderr am am-clean -q -m "$T/c.amm" "$IN"
	printf '%s\n' "$output" > "$T/replay.csv"
	cmp "$T/fit.csv" "$T/replay.csv"
	# On bank-full too, when present.
	if [ -e "$SHARED/bank-marketing/bank-full.csv" ]; then
		am am-clean -t y -o "$T/b.amm" "$SHARED/bank-marketing/bank-full.csv" > "$T/bf.csv"
		am am-clean -m "$T/b.amm" "$SHARED/bank-marketing/bank-full.csv" | cmp - "$T/bf.csv"
	fi
}

@test "am-clean: -m fills new data and passes unknown columns through" {
	am am-clean -q -t y -o "$T/c.amm" "$IN" > /dev/null
	printf 'extra,age,city,score,joined,id\nz,,,,,9\n' > "$T/new.csv"
	run -0 --separate-stderr am am-clean -m "$T/c.amm" "$T/new.csv"
	[ "${lines[1]}" = "z,40,paris,2.5,,9" ]
}

@test "am-clean: -m with a schema column missing from the input fails" {
	am am-clean -q -t y -o "$T/c.amm" "$IN" > /dev/null
	printf 'id,city,score,joined\n1,a,2,\n' > "$T/new.csv"
	run -1 --separate-stderr am am-clean -m "$T/c.amm" "$T/new.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/new.csv: no column 'age' (the clean artifact '$T/c.amm' needs it)" ]
}

@test "am-clean: -m with -o is a usage error" {
	run -2 --separate-stderr am am-clean -m a.amm -o b.amm "$IN"
	[ -z "$output" ]
	[[ "${stderr_lines[0]}" == "am-clean: -m replays an artifact;"* ]]
}

@test "am-clean: a truncated artifact fails with one line" {
	am am-clean -q -o "$T/c.amm" "$IN" > /dev/null
	head -c 100 "$T/c.amm" > "$T/trunc.amm"
	run -1 --separate-stderr am am-clean -m "$T/trunc.amm" "$IN"
	one_line_error
	[[ "$stderr" == "am-clean: $T/trunc.amm: "* ]]
}

@test "am-clean: a bit-flipped artifact fails with one line" {
	am am-clean -q -o "$T/c.amm" "$IN" > /dev/null
	size=$(wc -c < "$T/c.amm")
	for off in 3 40 $((size / 2)) $((size - 5)); do
		cp "$T/c.amm" "$T/flip.amm"
		b=$(od -An -tu1 -j "$off" -N1 "$T/flip.amm" | tr -d ' ')
		printf "$(printf '\\%03o' $((b ^ 16)))" |
		    dd of="$T/flip.amm" bs=1 seek="$off" conv=notrunc 2>/dev/null
		run -1 --separate-stderr am am-clean -m "$T/flip.amm" "$IN"
		one_line_error
	done
}

@test "am-clean: an artifact of another kind fails with one line" {
	am am-features -t y -o "$T/f.amm" "$DATA/bank.csv" > /dev/null
	run -1 --separate-stderr am am-clean -m "$T/f.amm" "$IN"
	one_line_error
	[[ "$stderr" == *"'features'"*"'clean'"* ]]
	run -1 --separate-stderr am am-clean -m "$IN" "$IN"
	one_line_error
}

@test "am-clean: --split is seeded, complete and independent of buffering" {
	run -0 --separate-stderr am am-clean --split 0.8 --test "$T/test.csv" -s 1 "$DATA/bank.csv"
	printf '%s\n' "$output" > "$T/train.csv"
	tr=$(($(wc -l < "$T/train.csv") - 1))
	te=$(($(wc -l < "$T/test.csv") - 1))
	[ $((tr + te)) -eq 4521 ]
	approx "$tr" 3617 150 # 0.8 * 4521, within ~5 sd
	head -1 "$T/test.csv" | grep -q '^age,job,'
	# The same seed from a pipe, one byte at a time: the same bytes.
	dd if="$DATA/bank.csv" bs=1 2>/dev/null | am am-clean --split 0.8 \
	    --test "$T/test2.csv" -s 1 > "$T/train2.csv"
	cmp "$T/train.csv" "$T/train2.csv"
	cmp "$T/test.csv" "$T/test2.csv"
	# Train and test are a partition of the rows.
	sort "$T/train.csv" "$T/test.csv" | grep -v '^age,' > "$T/both"
	am am-clean "$DATA/bank.csv" | grep -v '^age,' | sort | cmp - "$T/both"
	am am-clean --split 0.8 --test "$T/test3.csv" -s 2 "$DATA/bank.csv" |
	    cmp -s - "$T/train.csv" && return 1
	return 0
}

@test "am-clean: --split with -o fits the training rows only" {
	run -0 --separate-stderr am am-clean -v --split 0.5 --test "$T/t.csv" -s 3 -o "$T/c.amm" "$IN"
	n=$(($(wc -l < "$T/t.csv") - 1))
	[ "${stderr_lines[0]}" = "am-clean: 6 rows read, $((6 - n)) written, $n to test, ${stderr_lines[0]##*test, }" ]
	run -0 am am-model show "$T/c.amm"
	[[ "$output" == *"input.rows    $((6 - n))"* ]]
}

@test "am-clean: --split without --test is a usage error" {
	run -2 --separate-stderr am am-clean --split 0.5 "$IN"
	[ "${stderr_lines[0]}" = "am-clean: --split and --test go together" ]
	run -2 --separate-stderr am am-clean --split 1.5 --test x "$IN"
	[[ "${stderr_lines[0]}" == "am-clean: --split: '1.5' is not a fraction"* ]]
	run -2 --separate-stderr am am-clean -s -1 "$IN"
	[[ "${stderr_lines[0]}" == "am-clean: -s: '-1' is not a seed"* ]]
}

@test "am-clean: --missing replaces the tokens" {
	printf 'a,b\n-,NA\n1,2\n' > "$T/m.csv"
	run -0 --separate-stderr am am-clean --missing=- "$T/m.csv"
	[ "${lines[1]}" = ",NA" ]
	run -0 --separate-stderr am am-clean --missing '' "$T/m.csv"
	[ "${lines[1]}" = "-,NA" ]
}

@test "am-clean: ragged rows fail with FILE:LINE" {
	printf 'a,b\n1,2\n3\n4,5\n' > "$T/r.csv"
	run -1 --separate-stderr am am-clean "$T/r.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/r.csv:3: expected 2 fields, found 1" ]
}

@test "am-clean: --skip-bad drops ragged rows and counts them" {
	printf 'a,b\n1,2\n3\n4,5,6\n7,8\n' > "$T/r.csv"
	run -0 --separate-stderr am am-clean --skip-bad "$T/r.csv"
	[ "$output" = $'a,b\n1,2\n7,8' ]
	[ "$stderr" = "am-clean: $T/r.csv: 2 rows of the wrong width skipped" ]
	run -0 --separate-stderr am am-clean -q --skip-bad "$T/r.csv"
	[ -z "$stderr" ]
}

@test "am-clean: --line-buffered writes each record as it is read" {
	mkfifo "$T/fifo"
	{ printf 'a,b\n1,2\n'; sleep 3; printf '3,4\n'; } |
	    am-clean --line-buffered > "$T/fifo" &
	exec 7< "$T/fifo"
	read -r -t 2 -u 7 l1
	read -r -t 2 -u 7 l2
	exec 7<&-
	wait
	[ "$l1" = "a,b" ] && [ "$l2" = "1,2" ]
}

@test "am-clean: -v prints the counts" {
	run -0 --separate-stderr am am-clean -v -t y -o "$T/c.amm" "$IN"
	[ "${stderr_lines[1]}" = "am-clean: 6 rows read, 5 written, 0 to test, 4 cells imputed" ]
}

@test "am-clean: empty input fails with one line" {
	: > "$T/empty.csv"
	run -1 --separate-stderr am am-clean "$T/empty.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/empty.csv: empty input, expected a header line" ]
}

@test "am-clean: a header alone gives a header alone" {
	printf 'a,b\n' > "$T/h.csv"
	run -0 --separate-stderr am am-clean "$T/h.csv"
	[ "$output" = "a,b" ]
	run -0 --separate-stderr am am-clean -o "$T/h.amm" "$T/h.csv"
	[ "$output" = "a,b" ]
	run -0 --separate-stderr am am-clean --report - "$T/h.csv"
	[ "${lines[1]}" = "rows: 0" ]
}

@test "am-clean: NaN and Inf text are not numbers" {
	printf 'x,y\n1,inf\nNaN,-Infinity\n2.5,nan\n' > "$T/n.csv"
	run -0 --separate-stderr am am-clean --report - "$T/n.csv"
	grep -q '^x  *number  *2  *1 ' <<<"$output" # NaN is missing
	grep -q '^y  *category ' <<<"$output"
	run -1 --separate-stderr am am-clean --types y=number --report - "$T/n.csv"
	[ "$stderr" = "am-clean: $T/n.csv:2: column 'y': 'inf' is not a number (--types)" ]
}

@test "am-clean: non-UTF-8 bytes pass through unchanged" {
	printf 'a,b\n\xff\xfe,caf\xe9\n' > "$T/u.csv"
	run -0 --separate-stderr am am-clean "$T/u.csv"
	printf '%s\n' "$output" | cmp - "$T/u.csv"
	am am-clean --report "$T/u.json" "$T/u.csv" > /dev/null
	python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$T/u.json"
}

@test "am-clean: an unterminated quote fails with one line" {
	printf 'a,b\n1,"open\n2,3\n' > "$T/q.csv"
	run -1 --separate-stderr am am-clean "$T/q.csv"
	one_line_error
	[[ "$stderr" == "am-clean: $T/q.csv:2: unterminated quoted field"* ]]
}

@test "am-clean: a binary feature stream is refused" {
	printf '\211AMF\r\n\032\n\001\000\000\000' > "$T/f.bin"
	run -1 --separate-stderr am am-clean "$T/f.bin"
	one_line_error
	[ "$stderr" = "am-clean: $T/f.bin: is a binary feature stream; am-clean reads CSV" ]
}

@test "am-clean: a report file is written atomically, only on success" {
	printf 'a,b\n1,2\n3\n' > "$T/r.csv"
	run -1 --separate-stderr am am-clean --report "$T/rep.txt" --split 0.5 --test "$T/t.csv" "$T/r.csv"
	[ ! -e "$T/rep.txt" ] && [ ! -e "$T/t.csv" ]
	[ -z "$(ls "$T" | grep tmp)" ]
}
