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
	[ "$(awk 'NR > 4 && NR < 12 { printf "%s=%s ", $1, $2 }' <<<"$output")" = \
	    "i=integer n=number b=boolean d=date c=category t=text e=text " ]
}

@test "am-clean: --types overrides inference and checks the data" {
	run -0 --separate-stderr am am-clean --types id=category,age=number --report - "$IN"
	grep -q '^id  *category ' <<<"$output"
	grep -q '^age  *number ' <<<"$output"
	run -1 --separate-stderr am am-clean --strict --types city=integer --report - "$IN"
	one_line_error
	[ "$stderr" = "am-clean: $IN:2: column 'city': 'paris' is not an integer (--strict)" ]
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
	# 6 rows read, 5 written (and fitted on): 2026-11-29 #10, input.rows
	# was the 5 written
	grep -Eqx ' *input\.rows +6' <<<"$output"
	grep -Eqx ' *output\.rows +5' <<<"$output"
	grep -Eqx " *input\.sha256 +$(sha256sum < "$IN" | cut -d' ' -f1)" <<<"$output"
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
	# the rows read; the training rows fitted on are those written
	grep -Eqx " *input\.rows +6" <<<"$output"
	grep -Eqx " *output\.rows +$((6 - n))" <<<"$output"
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
	[ "${stderr_lines[1]}" = "am-clean: 6 rows read, 5 written, 0 to test, 4 cells imputed, 0 duplicates removed, 0 outliers, 0 left out by --sample" ]
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
	run -1 --separate-stderr am am-clean --strict --types y=number --report - "$T/n.csv"
	[ "$stderr" = "am-clean: $T/n.csv:2: column 'y': 'inf' is not a number (--strict)" ]
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

# Issue 4: typed parsing, rules, dedupe, missing values, outliers,
# normalisation, sampling.
DIRTY="$FIX/am-clean/dirty.in.csv"

@test "am-clean: a cell not of its forced type becomes missing and is counted" {
	run -0 --separate-stderr am am-clean --types age=integer "$DIRTY"
	[ "${lines[3]}" = "3,Carol,,GOLD,95,07/01/2024" ]
	[ "$stderr" = "am-clean: $DIRTY: 1 cells not of their column's type made missing" ]
	run -0 --separate-stderr am am-clean -q --types age=integer "$DIRTY"
	[ -z "$stderr" ]
	run -1 --separate-stderr am am-clean --strict --types age=integer "$DIRTY"
	one_line_error
	[ -z "$output" ]
	[ "$stderr" = "am-clean: $DIRTY:4: column 'age': 'x' is not an integer (--strict)" ]
}

@test "am-clean: --types date:FORMAT parses and rewrites ISO 8601" {
	run -0 --separate-stderr am am-clean --types 'when=date:%d/%m/%Y' "$DIRTY"
	[ "${lines[1]}" = '1,"  Alice   Smith ",34,Gold,120.5,2024-01-05' ]
	printf 't\n2024/3/9 7:05:01\n9.3.2024\n' > "$T/t.csv"
	run -0 --separate-stderr am am-clean -q --types 't=date:%Y/%m/%d %H:%M:%S' "$T/t.csv"
	[ "$output" = $'t\n2024-03-09 07:05:01' ] # then a missing cell
	run -1 --separate-stderr am am-clean --strict --types 't=date:%Y/%m/%d %H:%M:%S' "$T/t.csv"
	[ "$stderr" = "am-clean: $T/t.csv:3: column 't': '9.3.2024' is not a date of that format (--strict)" ]
	run -0 --separate-stderr am am-clean --types 't=date:%Y/%m/%d %H:%M:%S' --report - "$T/t.csv"
	grep -q '^t  *date  *1  *1 ' <<<"$output"
}

@test "am-clean: --range, --allow, --require-cols reject rows with a reason" {
	run -0 --separate-stderr am am-clean --range age=0:120 --allow 'seg=Gold|silver|bronze' \
	    --require-cols name --rejects "$T/rej.csv" "$DIRTY"
	[ "${stderr_lines[0]}" = "am-clean: $DIRTY: 4 invalid rows dropped (written to --rejects)" ]
	[ "${stderr_lines[1]}" = "am-clean: $DIRTY: 1 cells not of their column's type made missing" ]
	[ "$(cut -d, -f1 <<<"$output" | tr '\n' ' ')" = "id 1 2 2 7 " ]
	# 'x' is not a number: missing, so range passes, but GOLD is not allowed
	[ "$(cut -d, -f1,3,7 "$T/rej.csv" | tr '\n' ' ')" = \
	    "id,age,reason 3,,allow:seg 4,230,range:age 5,29,allow:seg 6,38,required:name " ]
	# rows in = rows out + rejected
	[ $(( ${#lines[@]} - 1 + $(wc -l < "$T/rej.csv") - 1 )) -eq 8 ]
	# an open bound; a missing cell passes --range (--require-cols catches it)
	run -0 --separate-stderr am am-clean --range spend=:1000 "$DIRTY"
	[ "${#lines[@]}" -eq 8 ]
}

@test "am-clean: rule specs are checked before reading" {
	run -2 --separate-stderr am am-clean --range age=5 "$DIRTY"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-clean: --range: '5' is not MIN:MAX (either may be empty)" ]
	run -2 --separate-stderr am am-clean --range age=9:1 "$DIRTY"
	run -2 --separate-stderr am am-clean --range age "$DIRTY"
	run -2 --separate-stderr am am-clean --outliers spend=zz "$DIRTY"
	run -2 --separate-stderr am am-clean --outliers spend=z:-1 "$DIRTY"
	run -2 --separate-stderr am am-clean --keep last "$DIRTY"
	run -2 --separate-stderr am am-clean --dedupe --keep middle "$DIRTY"
	run -2 --separate-stderr am am-clean --outlier-action hide "$DIRTY"
	run -2 --separate-stderr am am-clean --sample 2.5 "$DIRTY"
	run -2 --separate-stderr am am-clean --sample 0 "$DIRTY"
	run -1 --separate-stderr am am-clean --require-cols nope "$DIRTY"
	one_line_error
	[ "$stderr" = "am-clean: $DIRTY: --require-cols: no column 'nope'" ]
	run -1 --separate-stderr am am-clean --range nope=1:2 "$DIRTY"
	[ "$stderr" = "am-clean: $DIRTY: --range: no column 'nope'" ]
}

@test "am-clean: --dedupe drops exact duplicates like Miller's head -n 1 -g" {
	command -v mlr >/dev/null || skip "mlr not installed"
	f="$T/d.csv"
	{ echo a,b; for i in $(seq 1 300); do echo "$((i % 17)),$((i % 5))"; done; } > "$f"
	run -0 --separate-stderr am am-clean -v --dedupe "$f"
	[ "$output" = "$(mlr --csv head -n 1 -g a,b "$f")" ]
	[[ "${stderr_lines[0]}" == *", $((300 - 85)) duplicates removed,"* ]]
	run -0 --separate-stderr am am-clean --dedupe-key a "$f"
	[ "$output" = "$(mlr --csv head -n 1 -g a "$f")" ]
	run -0 --separate-stderr am am-clean --dedupe-key a --keep last "$f"
	[ "$output" = "$(mlr --csv tail -n 1 -g a then sort -t __none "$f" 2>/dev/null || true)" ] ||
	    [ "$(sort <<<"$output")" = "$(mlr --csv tail -n 1 -g a "$f" | sort)" ]
	# the kept row is the last one of its key, in input order
	[ "${lines[1]}" = "$(awk -F, 'NR > 1 { last[$1] = NR } END { }
	    { row[NR] = $0 } END { m = 1e9; for (k in last) if (last[k] < m) m = last[k]; print row[m] }' "$f")" ]
}

@test "am-clean: dedupe: rejects get reason duplicate; missing and empty differ" {
	printf 'a,b\n1,\n1,""\n1,\n1,NA\n' > "$T/e.csv"
	run -0 --separate-stderr am am-clean --dedupe --rejects "$T/r.csv" "$T/e.csv"
	[ "$output" = $'a,b\n1,\n1,""' ]
	[ "$(cat "$T/r.csv")" = $'a,b,reason\n1,,duplicate\n1,,duplicate' ]
}

@test "am-clean: --trim, --collapse, --lower normalise text" {
	printf 'a,b,n\n"  X  Y ",Gold,1E3\n" z",T,2024-01-02T10:00:00\n' > "$T/n.csv"
	run -0 --separate-stderr am am-clean --trim "$T/n.csv"
	[ "${lines[1]}" = 'X  Y,Gold,1E3' ]
	run -0 --separate-stderr am am-clean --trim --collapse "$T/n.csv"
	[ "${lines[1]}" = 'X Y,Gold,1E3' ]
	run -0 --separate-stderr am am-clean --normalise "$T/n.csv"
	[ "$output" = $'a,b,n\nx y,gold,1E3\nz,t,2024-01-02T10:00:00' ]
	run -0 --separate-stderr am am-clean --collapse "$T/n.csv"
	[ "${lines[1]}" = '" X Y ",Gold,1E3' ]
}

@test "am-clean: --drop-missing drops rows missing a value" {
	run -0 --separate-stderr am am-clean -q --drop-missing spend "$DIRTY"
	[ "${#lines[@]}" -eq 8 ]
	run -0 --separate-stderr am am-clean -q --drop-missing '*' --rejects "$T/r.csv" "$DIRTY"
	[ "${#lines[@]}" -eq 7 ]
	[ "$(cut -d, -f1,7 "$T/r.csv" | tail -n +2 | tr '\n' ' ')" = "6,missing:name 7,missing:spend " ]
}

@test "am-clean: --ffill forward fills, optionally within groups" {
	printf 'g,x\na,1\nb,\na,\nb,5\na,\nb,\n' > "$T/f.csv"
	run -0 --separate-stderr am am-clean --ffill x "$T/f.csv"
	[ "$(cut -d, -f2 <<<"$output" | tr '\n' ' ')" = "x 1 1 1 5 5 5 " ]
	run -0 --separate-stderr am am-clean --ffill x --ffill-by g --indicator x "$T/f.csv"
	[ "$output" = $'g,x,x_missing\na,1,0\nb,,1\na,1,1\nb,5,0\na,1,1\nb,5,1' ]
	run -2 --separate-stderr am am-clean --ffill-by g "$T/f.csv"
}

@test "am-clean: --indicator adds COL_missing before imputation, replayed by -m" {
	run -0 --separate-stderr am am-clean -q -t y --indicator age,score -o "$T/c.amm" "$IN"
	[ "${lines[0]}" = "id,age,city,score,joined,y,age_missing,score_missing" ]
	[ "${lines[2]}" = "2,40,lyon,2.5,2024-02-10,no,1,1" ]
	fit=$output
	run -0 --separate-stderr am am-clean -q -m "$T/c.amm" "$IN"
	[ "$output" = "$fit" ]
}

@test "am-clean: outlier bounds (z, IQR, MAD) match a Python computation" {
	command -v python3 >/dev/null || skip "python3 not installed"
	for m in z iqr mad; do
		run -0 --separate-stderr am am-clean --outliers spend=$m --outlier-action clip "$DIRTY"
		got=$(cut -d, -f5 <<<"$output" | tail -n +2 | tr '\n' ' ')
		want=$(python3 - "$m" <<-'PY'
		import statistics as s, sys
		x = [120.5, 80, 95, 60, 80, 5000, 70]
		m = sys.argv[1]
		if m == "z":
		    mu, sd = s.mean(x), s.stdev(x); lo, hi = mu - 3 * sd, mu + 3 * sd
		elif m == "iqr":
		    q1, _, q3 = s.quantiles(x, n=4, method="inclusive")
		    lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
		else:
		    med = s.median(x); mad = 1.4826 * s.median([abs(v - med) for v in x])
		    lo, hi = med - 3.5 * mad, med + 3.5 * mad
		col = ["120.5", "80", "95", "60", "80", "5000", "70", ""]
		out = []
		for c in col:
		    if c == "" or lo <= float(c) <= hi:
		        out.append(c)
		    else:
		        out.append("%.15g" % (hi if float(c) > hi else lo))
		print(" ".join(out) + " ")
		PY
		)
		[ "$got" = "$want" ] || { echo "$m: got '$got' want '$want'"; return 1; }
	done
	# z with 7 points cannot reach 3 sd: nothing clipped; IQR and MAD clip 5000
	run -0 --separate-stderr am am-clean --outliers spend=iqr:1.5 --outlier-action drop --rejects "$T/r.csv" "$DIRTY"
	[ "${#lines[@]}" -eq 8 ]
	[ "$(tail -n 1 "$T/r.csv")" = "5,Eve,29,platinum,5000,09/01/2024,outlier:spend" ]
}

@test "am-clean: outlier bounds are fitted with -o and replayed with -m" {
	run -0 --separate-stderr am am-clean -q --outliers spend=iqr -o "$T/o.amm" "$DIRTY"
	[ "${lines[0]}" = "id,name,age,seg,spend,when,spend_outlier" ]
	[ "$(cut -d, -f7 <<<"$output" | tail -n +2 | tr '\n' ' ')" = "0 0 0 0 0 1 0 0 " ]
	fit=$output
	run -0 --separate-stderr am am-clean -q -m "$T/o.amm" "$DIRTY"
	[ "$output" = "$fit" ]
	# new data: the bounds of the fit, not of the new rows
	printf 'id,name,age,seg,spend,when\n9,z,1,gold,156.8,x\n10,z,1,gold,156.9,x\n' > "$T/new.csv"
	run -0 --separate-stderr am am-clean -q -m "$T/o.amm" "$T/new.csv"
	[ "$(cut -d, -f7 <<<"$output" | tr '\n' ' ')" = "spend_outlier 0 1 " ]
	run -2 --separate-stderr am am-clean -m "$T/o.amm" --outliers spend=z "$DIRTY"
}

@test "am-clean: rules and normalisation given at fit are replayed by -m" {
	run -0 --separate-stderr am am-clean -q --normalise --range age=0:120 \
	    --types 'when=date:%d/%m/%Y' -o "$T/r.amm" "$DIRTY"
	fit=$output
	[ "${lines[1]}" = "1,alice smith,34,gold,120.5,2024-01-05" ]
	run -0 --separate-stderr am am-clean -q -m "$T/r.amm" "$DIRTY"
	[ "$output" = "$fit" ]
}

@test "am-clean: --sample N keeps N rows in input order, seeded" {
	f="$T/s.csv"
	seq 0 999 | awk 'BEGIN { print "i" } { print }' > "$f"
	run -0 --separate-stderr am am-clean -v --sample 100 -s 3 "$f"
	[ "${#lines[@]}" -eq 101 ]
	[ "$(tail -n +2 <<<"$output" | sort -n | tr '\n' ' ')" = "$(tail -n +2 <<<"$output" | tr '\n' ' ')" ]
	[ "$(tail -n +2 <<<"$output" | sort -u | wc -l)" -eq 100 ]
	a=$output
	run -0 --separate-stderr am am-clean --sample 100 -s 3 "$f"
	[ "$output" = "$a" ]
	run -0 --separate-stderr am am-clean --sample 100 -s 4 "$f"
	[ "$output" != "$a" ]
	# the mean of a uniform sample of 0..999 is 499.5 +- 4 standard errors
	mean=$(tail -n +2 <<<"$a" | awk '{ s += $1 } END { print s / NR }')
	awk -v m="$mean" 'BEGIN { exit !(m > 499.5 - 4 * 28.9 && m < 499.5 + 4 * 28.9) }'
	run -0 --separate-stderr am am-clean --sample 5000 "$f"
	[ "${#lines[@]}" -eq 1001 ]
}

@test "am-clean: --sample F keeps about F of the rows, seeded" {
	f="$T/s.csv"
	seq 1 10000 | awk 'BEGIN { print "i" } { print }' > "$f"
	run -0 --separate-stderr am am-clean --sample 0.1 -s 9 "$f"
	n=$(( ${#lines[@]} - 1 ))
	# binomial(10000, 0.1): sd 30, 4 sd
	[ "$n" -gt 880 ] && [ "$n" -lt 1120 ]
	a=$output
	run -0 --separate-stderr am am-clean --line-buffered --sample 0.1 -s 9 < "$f"
	[ "$output" = "$a" ]
}

@test "am-clean: --report counts duplicates, rejects, type errors, outliers" {
	run -0 --separate-stderr am am-clean -q --report - --outliers spend=iqr \
	    --types age=integer --allow 'seg=Gold|silver|bronze|GOLD|Silver' "$DIRTY"
	# bounds of the valid rows: 5000 (platinum) was rejected first
	[ "$(tail -n 5 <<<"$output")" = "duplicates: 1 exact duplicate rows, 0 removed
rejected: 1 rows (range 0, allow 1, required 0, missing 0, outlier 0, unseen 0)
age: missing 1 -> 1, 1 not integer (made missing)
seg: missing 0 -> 0, 1 rows rejected
spend: missing 1 -> 1, 1 outliers outside [44.375, 119.375] (iqr)" ]
	run -0 --separate-stderr am am-clean -q --report "$T/r.json" --dedupe -t seg -o "$T/c.amm" "$DIRTY"
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["duplicates"] == 1 and r["duplicates_removed"] == 1, r
spend = [c for c in r["columns"] if c["name"] == "spend"][0]
assert spend["missing_before"] == 1 and spend["missing_after"] == 0, spend' "$T/r.json"
}

@test "am-clean: the report's date range covers more than the distinct cap" {
	{ echo d; for y in 2020 2021 2022; do for m in 01 06 12; do for k in $(seq 1000 1500); do
		echo "$y-$m-01 00:$((k % 50 + 10)):$((k % 49 + 10))"; done; done; done
		echo "2019-05-05 00:00:00"; } > "$T/d.csv"
	run -0 --separate-stderr am am-clean --report - "$T/d.csv"
	grep -q '^d  *date .* 2019-05-05 00:00:00  2022-12-01 00:' <<<"$output"
}

@test "am-clean: a cell of white space only is missing" {
	printf 'a,b\n1, \n2,\t\n3,x\n' > "$T/w.csv"
	run -0 --separate-stderr am am-clean --report - "$T/w.csv"
	grep -q '^b  *category  *1  *2 ' <<<"$output"
	run -0 --separate-stderr am am-clean "$T/w.csv"
	[ "$output" = $'a,b\n1,\n2,\n3,x' ]
}

@test "am-clean: online-retail: duplicates, missing counts and the cleaning recipe" {
	need_shared online-retail/online_retail.csv.gz
	gzip -dc "$SHARED/online-retail/online_retail.csv.gz" > "$T/or.csv"
	run -0 --separate-stderr am am-clean --missing '' --report - "$T/or.csv"
	grep -q '^duplicates: 5268 exact duplicate rows, 0 removed$' <<<"$output"
	grep -q '^CustomerID  *integer  *406829  *135080 ' <<<"$output"
	grep -q '^Description  *text  *540455  *1454 ' <<<"$output"
	# the README recipe: duplicates, cancellations (negative Quantity,
	# InvoiceNo C...) and rows without a customer go
	run -0 --separate-stderr am am-clean -v --missing '' --dedupe \
	    --require-cols CustomerID --range Quantity=1: --rejects "$T/rej.csv" "$T/or.csv"
	[ "${#lines[@]}" -eq $((392732 + 1)) ]
	[ -z "$(cut -d, -f1 <<<"$output" | grep '^C' | head -n 1)" ]
	# independent count: awk over the quote-free rows plus python's csv
	want=$(python3 -c 'import csv, sys
seen = set(); n = 0
for r in csv.DictReader(open(sys.argv[1], newline="")):
    t = tuple(r.values())
    if r["CustomerID"] == "" or float(r["Quantity"]) < 1:
        continue
    if t in seen:
        continue
    seen.add(t); n += 1
print(n)' "$T/or.csv")
	[ "$want" -eq 392732 ]
	[ $(( $(wc -l < "$T/rej.csv") - 1 + 392732 )) -eq 541909 ]
}

@test "am-clean: telco-churn: blank TotalCharges are missing; train imputation replays on test" {
	need_shared telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv
	f="$SHARED/telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
	run -0 --separate-stderr am am-clean --report - "$f"
	grep -q '^TotalCharges  *number  *7032  *11 ' <<<"$output"
	am am-clean --split 0.8 --test "$T/test.csv" -s 5 "$f" > "$T/train.csv"
	am am-clean -q -t Churn -o "$T/c.amm" "$T/train.csv" > "$T/train.clean.csv"
	am am-clean -q -m "$T/c.amm" "$T/train.csv" | cmp - "$T/train.clean.csv"
	run -0 --separate-stderr am am-clean -m "$T/c.amm" "$T/test.csv"
	a=$output
	run -0 --separate-stderr am am-clean -m "$T/c.amm" < "$T/test.csv"
	[ "$output" = "$a" ]
	# blank cells of the test part get the train median, computed apart
	med=$(awk -F, 'NR > 1 && $20 !~ /^ *$/ { print $20 }' "$T/train.csv" | sort -g |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	blanks=$(awk -F, 'NR > 1 && $20 ~ /^ *$/ { print $1 }' "$T/test.csv")
	for id in $blanks; do
		[ "$(grep "^$id," <<<"$a" | cut -d, -f20)" = "$med" ]
	done
}

@test "am-clean: bank-full: ';' and quotes; 'unknown' as missing when asked" {
	need_shared bank-marketing/bank-full.csv
	run -0 --separate-stderr am am-clean --missing unknown --report - "$SHARED/bank-marketing/bank-full.csv"
	grep -q '^rows: 45211$' <<<"$output"
	want=$(awk -F';' 'NR > 1 && $2 == "\"unknown\"" { n++ } END { print n }' "$SHARED/bank-marketing/bank-full.csv")
	grep -q "^job  *category  *$((45211 - want))  *$want " <<<"$output"
}

@test "am-clean: --split-by keeps each value's share in both parts" {
	f="$T/s.csv"
	{ echo "id,y"; for i in $(seq 1 1000); do
		if [ $((i % 10)) -eq 0 ]; then echo "$i,yes"; else echo "$i,no"; fi; done; } > "$f"
	run -0 --separate-stderr am am-clean --split 0.8 --test "$T/t.csv" --split-by y -s 2 "$f"
	# exactly round(0.8 n) of each class: 80 of 100 yes, 720 of 900 no
	[ "$(grep -c ',yes$' <<<"$output")" -eq 80 ]
	[ "$(grep -c ',no$' <<<"$output")" -eq 720 ]
	[ "$(grep -c ',yes$' "$T/t.csv")" -eq 20 ]
	# complete and disjoint, input order kept in each part
	[ "$( { tail -n +2 <<<"$output"; tail -n +2 "$T/t.csv"; } | sort -n | md5sum)" = "$(tail -n +2 "$f" | md5sum)" ]
	[ "$(tail -n +2 <<<"$output" | cut -d, -f1 | sort -n | md5sum)" = "$(tail -n +2 <<<"$output" | cut -d, -f1 | md5sum)" ]
	a=$output
	run -0 --separate-stderr am am-clean --split 0.8 --test "$T/t2.csv" --split-by y -s 2 < "$f"
	[ "$output" = "$a" ]
	cmp "$T/t.csv" "$T/t2.csv"
	run -0 --separate-stderr am am-clean --split 0.8 --test "$T/t3.csv" --split-by y -s 3 "$f"
	[ "$output" != "$a" ]
}

@test "am-clean: --split-time puts every test row after every train row" {
	f="$T/time.csv"
	{ echo "id,when"; for i in $(seq 1 500); do
		printf '%d,2024-%02d-%02d 10:00:00\n' "$i" $(( (i * 7) % 12 + 1 )) $(( (i * 13) % 28 + 1 )); done; } > "$f"
	run -0 --separate-stderr am am-clean --split 0.8 --test "$T/t.csv" --split-time when "$f"
	maxtrain=$(tail -n +2 <<<"$output" | cut -d, -f2 | sort | tail -n 1)
	mintest=$(tail -n +2 "$T/t.csv" | cut -d, -f2 | sort | head -n 1)
	[[ "$maxtrain" < "$mintest" ]]
	# the cut-off is the date at rank 400 in time order (ties stay in train)
	cut=$(tail -n +2 "$f" | cut -d, -f2 | sort | sed -n 400p)
	[ "$maxtrain" = "$cut" ]
	n=$(( ${#lines[@]} - 1 ))
	[ "$n" -eq "$(tail -n +2 "$f" | cut -d, -f2 | awk -v c="$cut" '$0 <= c' | wc -l)" ]
	[ $(( n + $(wc -l < "$T/t.csv") - 1 )) -eq 500 ]
	run -2 --separate-stderr am am-clean --split-time when "$f"
	run -2 --separate-stderr am am-clean --split 0.5 --test "$T/x.csv" --split-time when --split-by id "$f"
	run -1 --separate-stderr am am-clean --split 0.5 --test "$T/x.csv" --split-time nope "$f"
	[ "$stderr" = "am-clean: $f: --split-time: no column 'nope'" ]
	[ ! -e "$T/x.csv" ]
}

@test "am-clean: --drop-missing-cols drops columns above the ratio, learned and replayed" {
	printf 'id,a,b,c,y\n1,,x,1,0\n2,,,2,1\n3,5,x,,0\n4,,y,4,1\n5,7,,5,\n' > "$T/d.csv"
	# missing ratios over the 5 rows, counted apart: a 3/5, b 2/5, c 1/5
	want=$(awk -F, 'NR > 1 { for (i = 2; i <= 4; i++) m[i] += $i == "" }
	    END { printf "%s %s %s", m[2] / 5, m[3] / 5, m[4] / 5 }' "$T/d.csv")
	[ "$want" = "0.6 0.4 0.2" ]
	run -0 --separate-stderr am am-clean --impute-default none --drop-missing-cols 0.5 "$T/d.csv"
	[ "${lines[0]}" = "id,b,c,y" ]
	run -0 --separate-stderr am am-clean --impute-default none --drop-missing-cols 0.4 "$T/d.csv"
	[ "${lines[0]}" = "id,b,c,y" ] # 0.4 is not above 0.4
	run -0 --separate-stderr am am-clean --impute-default none --drop-missing-cols 0.2 "$T/d.csv"
	[ "${lines[0]}" = "id,c,y" ]
	# the fit keeps what it dropped; replay drops it whatever the new rows
	am am-clean -q -o "$T/d.amm" --drop-missing-cols 0.5 "$T/d.csv" > "$T/fit.csv"
	run -0 --separate-stderr am am-clean -m "$T/d.amm" "$T/d.csv"
	[ "$output" = "$(cat "$T/fit.csv")" ]
	printf 'id,a,b,c,y\n9,1,x,1,0\n' > "$T/new.csv"
	run -0 --separate-stderr am am-clean -m "$T/d.amm" "$T/new.csv"
	[ "$output" = $'id,b,c,y\n9,x,1,0' ]
	# a dropped column may be absent from new data
	printf 'id,b,c,y\n9,x,1,0\n' > "$T/new2.csv"
	run -0 --separate-stderr am am-clean -m "$T/d.amm" "$T/new2.csv"
	[ "$output" = $'id,b,c,y\n9,x,1,0' ]
	run -0 --separate-stderr am am-clean --drop-missing-cols 0.5 --report - "$T/d.csv"
	grep -q '^a: missing 3 -> 3, column dropped (missing in 3 of 5 rows)$' <<<"$output"
	# the target is never dropped
	run -0 --separate-stderr am am-clean -q -t y --drop-missing-cols 0 "$T/d.csv"
	[ "${lines[0]}" = "id,y" ]
}

@test "am-clean: --drop-missing-cols: bad ratio and -m are usage errors" {
	run -2 --separate-stderr am am-clean --drop-missing-cols 1.5 "$DATA/bank.csv"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-clean: --drop-missing-cols: '1.5' is not a fraction in [0, 1]" ]
	am am-clean -q -o "$T/b.amm" "$DATA/bank.csv" > /dev/null
	run -2 --separate-stderr am am-clean -m "$T/b.amm" --drop-missing-cols 0.5 "$DATA/bank.csv"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "am-clean: -m replays the artifact's dropped columns; it takes no --drop-missing-cols" ]
}

@test "am-clean: a column named twice fails with one line" {
	printf 'a,b,a\n1,2,3\n' > "$T/dup.csv"
	run -1 --separate-stderr am am-clean "$T/dup.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/dup.csv:1: column 'a' is named twice (rename one)" ]
	run -1 --separate-stderr am am-clean -o "$T/dup.amm" "$T/dup.csv"
	one_line_error
	[ ! -e "$T/dup.amm" ]
}

@test "am-clean: a 10 MB single line passes through, or fails with one line when ragged" {
	head -c 10485760 /dev/zero | tr '\0' x > "$T/big"
	{ printf 'a,b\n1,'; cat "$T/big"; printf '\n2,3\n'; } > "$T/long.csv"
	run -0 --separate-stderr am am-clean "$T/long.csv"
	printf '%s\n' "$output" | cmp - "$T/long.csv"
	run -0 --separate-stderr am am-clean -o "$T/long.amm" --report "$T/long.json" "$T/long.csv"
	printf '%s\n' "$output" | cmp - "$T/long.csv"
	# the same bytes as one line of 10 MB of fields: too many of them
	{ printf 'a,b\n'; tr x , < "$T/big"; printf '\n'; } > "$T/wide.csv"
	run -1 --separate-stderr am am-clean "$T/wide.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/wide.csv:2: expected 2 fields, found 10485761" ]
	# and a file that is one 10 MB line without a newline: a header alone
	{ printf 'a,'; cat "$T/big"; } > "$T/one.csv"
	run -0 --separate-stderr am am-clean "$T/one.csv"
	[ "$output" = "$(cat "$T/one.csv")" ]
}

@test "am-clean: the fit keeps each category column's values; --unseen replays them" {
	printf 'id,c,n\n1,red,1\n2,blue,2\n3,red,3\n4,,4\n' > "$T/u.csv"
	printf 'id,c,n\n5,green,1\n6,blue,2\n7,,3\n' > "$T/u2.csv"
	am am-clean -q -o "$T/u.amm" "$T/u.csv" > "$T/fit.csv"
	# keep (the default): an unseen value passes; the missing cell gets the mode
	run -0 --separate-stderr am am-clean -q -m "$T/u.amm" "$T/u2.csv"
	[ "$output" = $'id,c,n\n5,green,1\n6,blue,2\n7,red,3' ]
	run -0 --separate-stderr am am-clean -m "$T/u.amm" --unseen missing "$T/u2.csv"
	[ "$output" = $'id,c,n\n5,red,1\n6,blue,2\n7,red,3' ]
	[ "$stderr" = "am-clean: $T/u2.csv: 1 cells of categories the fit did not see" ]
	run -0 --separate-stderr am am-clean -q -m "$T/u.amm" --unseen reject --rejects "$T/rj.csv" "$T/u2.csv"
	[ "$output" = $'id,c,n\n6,blue,2\n7,red,3' ]
	[ "$(tail -n 1 "$T/rj.csv")" = "5,green,1,unseen:c" ]
	run -0 --separate-stderr am am-clean -q -m "$T/u.amm" --unseen missing --report - "$T/u2.csv"
	grep -q '^c: missing 1 -> 0, 1 unseen categories$' <<<"$output"
	# --unseen given to the fit is replayed, and the fit's own rows all pass
	am am-clean -q -o "$T/u3.amm" --unseen reject "$T/u.csv" > "$T/fit3.csv"
	cmp "$T/fit.csv" "$T/fit3.csv"
	run -0 --separate-stderr am am-clean -q -m "$T/u3.amm" "$T/u.csv"
	[ "$output" = "$(cat "$T/fit.csv")" ]
	run -0 --separate-stderr am am-clean -q -m "$T/u3.amm" "$T/u2.csv"
	[ "$output" = $'id,c,n\n6,blue,2\n7,red,3' ]
	# the section: version 1, 3 columns, id none (u32), c two values
	# "blue" "red" (u32 count, u32 length + bytes each), n none:
	# 1 + 4 + 4 + (4 + 4+4 + 4+3) + 4 = 32 bytes
	run -0 --separate-stderr am am-model show "$T/u.amm"
	grep -q '^  levels  32 bytes$' <<<"$output"
	run -2 --separate-stderr am am-clean --unseen maybe "$T/u.csv"
	[ "${stderr_lines[0]}" = "am-clean: --unseen: 'maybe' is not keep, missing or reject" ]
}

@test "am-clean: --strict refuses a cell that is not UTF-8, as Python's decoder does" {
	# without --strict the bytes pass through (see above); with it, the
	# first bad cell is an error naming FILE:LINE:column
	for hex in 636166c3a9 f09f9880 e282ac ff c0af e0809f eda080 f4908080 c3 e2 41; do
		printf 'a,b\nx,' > "$T/u.csv"
		printf "$(sed 's/../\\x&/g' <<<"$hex")" >> "$T/u.csv"
		printf '\n' >> "$T/u.csv"
		if python3 -c 'import sys; bytes.fromhex(sys.argv[1]).decode("utf-8")' "$hex" 2> /dev/null; then
			run -0 --separate-stderr am am-clean --strict "$T/u.csv"
			printf '%s\n' "$output" | cmp - "$T/u.csv"
		else
			run -1 --separate-stderr am am-clean --strict "$T/u.csv"
			one_line_error
			[ "$stderr" = "am-clean: $T/u.csv:2: column 'b': the cell is not valid UTF-8 (--strict)" ]
		fi
	done
}
