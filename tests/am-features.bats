#!/usr/bin/env bats
# am-features.bats -- scaling and one-hot: fit, replay, formats, errors.
load helpers

F="$FIX/am-features"

setup() {
	T="$BATS_TEST_TMPDIR"
}

@test "am-features: fit output on a small table, checked by hand" {
	run -0 --separate-stderr am am-features -t y -i id -o "$T/s.amm" "$F/small.csv"
	[ "${lines[0]}" = "id,y,age,city=lyon,city=nice,city=paris" ]
	# age: mean 100/3 and population std of 20, 30, 50; the missing cell -> 0
	want=$(awk 'BEGIN { m = 100 / 3; s = sqrt(((20-m)^2 + (30-m)^2 + (50-m)^2) / 3)
		printf "%.15g %.15g", (20 - m) / s, (50 - m) / s }')
	[ "$(cut -d, -f3 <<<"${lines[1]}") $(cut -d, -f3 <<<"${lines[4]}")" = "$want" ]
	[ "${lines[1]}" = "1,no,$(cut -d' ' -f1 <<<"$want"),0,0,1" ]
	[ "${lines[3]}" = "3,no,0,0,0,1" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "am-features: replay of the fit input is byte-identical (bank data)" {
	am-features -t y --drop duration -o "$T/f.amm" "$DATA/bank.csv" >"$T/fit.csv"
	run -0 --separate-stderr am am-features -m "$T/f.amm" "$DATA/bank.csv"
	[ "$output" = "$(cat "$T/fit.csv")" ]
	for to in bin libsvm; do
		am-features -t y --drop duration --to $to "$DATA/bank.csv" >"$T/a.$to"
		am-features -m "$T/f.amm" --to $to "$DATA/bank.csv" >"$T/b.$to"
		cmp "$T/a.$to" "$T/b.$to"
	done
	# --line-buffered changes timing, not CSV bytes
	am-features -m "$T/f.amm" --line-buffered "$DATA/bank.csv" | cmp - "$T/fit.csv"
}

@test "am-features: scaling agrees with awk on every numeric bank column (1e-9)" {
	am-features -t y -o "$T/f.amm" "$DATA/bank.csv" >"$T/fit.csv"
	# columns 1 age, 6 balance, 10 day, 12 duration, 13 campaign, 14 pdays, 15 previous
	for c in 1:age 6:balance 10:day 12:duration 13:campaign 14:pdays 15:previous; do
		k=${c%%:*} name=${c#*:}
		col=$(head -1 "$T/fit.csv" | tr ',' '\n' | grep -nx "$name" | cut -d: -f1)
		paste -d' ' <(tail -n +2 "$DATA/bank.csv" | cut -d';' -f"$k") \
		    <(tail -n +2 "$T/fit.csv" | cut -d, -f"$col") >"$T/pairs"
		awk -v name="$name" '{ x[NR] = $1; z[NR] = $2; s += $1 }
		END { m = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - m)^2
			sd = sqrt(v / NR)
			for (i = 1; i <= NR; i++) {
				want = (x[i] - m) / sd; d = z[i] - want; if (d < 0) d = -d
				tol = 1e-9 * (want < 0 ? -want : want) + 1e-12
				if (d > tol) { printf "%s row %d: %s != %.15g\n", name, i, z[i], want; exit 1 }
			} }' "$T/pairs"
	done
}

@test "am-features: one-hot levels in byte order, one 1 per row and column" {
	am-features -t y "$DATA/bank.csv" >"$T/fit.csv"
	got=$(head -1 "$T/fit.csv" | tr ',' '\n' | grep '^marital=' | tr '\n' ' ')
	[ "$got" = "marital=divorced marital=married marital=single " ]
	jobs=$(head -1 "$T/fit.csv" | tr ',' '\n' | grep -c '^job=')
	[ "$jobs" -eq "$(tail -n +2 "$DATA/bank.csv" | cut -d';' -f2 | sort -u | wc -l)" ]
	# the job block sums to 1 on every row
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^job=/) j[i] = 1; next }
		{ s = 0; for (i in j) s += $i; if (s != 1) { print "row " NR; exit 1 } }' "$T/fit.csv"
}

@test "am-features: categorical target as class index in LIBSVM (no=0, yes=1)" {
	am-features -t y --to libsvm "$DATA/bank.csv" | cut -d' ' -f1 | sort | uniq -c >"$T/got"
	tail -n +2 "$DATA/bank.csv" | awk -F';' '{ print ($17 == "\"yes\"") }' | sort | uniq -c >"$T/want"
	diff "$T/want" "$T/got"
}

@test "am-features: unseen level gives an all-zero block, counted with -v" {
	am-features -t y -i id -o "$T/s.amm" "$F/small.csv" >/dev/null
	run -0 --separate-stderr am am-features -m "$T/s.amm" -v "$F/unseen.csv"
	[ "${lines[1]}" = "5,no,0.534522483824849,0,0,0" ]
	[ "${lines[2]}" = "6,yes,0,1,0,0" ]
	[ "$stderr" = "am-features: 2 rows, 4 features, 1 unseen category values" ]
}

@test "am-features: --min-freq pools rare levels and unseen ones in col=_other_" {
	am-features -t y --min-freq 2 -o "$T/s.amm" "$F/small.csv" >"$T/fit.csv"
	[ "$(head -1 "$T/fit.csv")" = "y,id,age,city=paris,city=_other_" ]
	[ "$(sed -n 5p "$T/fit.csv")" = "yes,1.34164078649987,1.33630620956212,0,1" ]
	run -0 --separate-stderr am am-features -m "$T/s.amm" "$F/unseen.csv"
	# id 5 is a feature here: (5 - 2.5) / sqrt(1.25); rare "lyon" and unseen "rome"
	[ "${lines[1]}" = "no,2.23606797749979,0.534522483824849,0,1" ]
	[ "${lines[2]}" = "yes,3.13049516849971,0,0,1" ]
}

@test "am-features: replay without the target column writes no target" {
	am-features -t y -i id -o "$T/s.amm" "$F/small.csv" >/dev/null
	run -0 --separate-stderr am am-features -m "$T/s.amm" "$F/notarget.csv"
	[ "$output" = "$(printf 'id,age,city=lyon,city=nice,city=paris\n7,-0.267261241912425,1,0,0')" ]
}

@test "am-features: a feature column missing at replay is one error line" {
	am-features -t y -i id -o "$T/s.amm" "$F/small.csv" >/dev/null
	run -1 --separate-stderr am am-features -m "$T/s.amm" "$F/noage.csv"
	one_line_error
	[ "$stderr" = "am-features: $F/noage.csv: column 'age' expected by the transform not found" ]
}

@test "am-features: a non-number in a numeric column at replay names FILE:LINE" {
	am-features -t y -o "$T/s.amm" "$F/small.csv" >/dev/null
	printf 'id,age,city,y\n1,20,paris,no\n2,old,lyon,no\n' >"$T/bad.csv"
	run -1 --separate-stderr am am-features -m "$T/s.amm" "$T/bad.csv"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "am-features: $T/bad.csv:3: column 'age': 'old' is not a number" ]
}

@test "am-features: a truncated artifact is one error line" {
	am-features -t y -o "$T/s.amm" "$F/small.csv" >/dev/null
	head -c 100 "$T/s.amm" >"$T/cut.amm"
	run -1 --separate-stderr am am-features -m "$T/cut.amm" "$F/small.csv"
	one_line_error
	[[ "$stderr" == "am-features: $T/cut.amm: "* ]]
}

@test "am-features: an artifact of another kind is refused" {
	command -v am-clean >/dev/null || skip "am-clean not built"
	am-clean -o "$T/c.amm" "$F/small.csv" >/dev/null
	run -1 --separate-stderr am am-features -m "$T/c.amm" "$F/small.csv"
	one_line_error
	[[ "$stderr" == *"'clean'"* ]]
}

@test "am-features: a binary stream as input is one error line" {
	am-features -t y --to bin "$F/small.csv" >"$T/s.bin"
	run -1 --separate-stderr am am-features "$T/s.bin"
	one_line_error
	[ "$stderr" = "am-features: $T/s.bin: input is a binary feature stream (am-features reads CSV)" ]
}

@test "am-features: unknown columns in -t, -i, --drop are errors" {
	for opt in "-t nope" "-i nope" "--drop nope"; do
		run -1 --separate-stderr am am-features $opt "$F/small.csv"
		one_line_error
		[[ "$stderr" == *"column 'nope' not found" ]]
	done
}

@test "am-features: usage errors exit 2" {
	run -2 --separate-stderr am am-features -m a -o b "$F/small.csv"
	[ -z "$output" ]
	run -2 --separate-stderr am am-features --to json "$F/small.csv"
	[ "${stderr_lines[0]}" = "am-features: --to: 'json' is not csv, bin or libsvm" ]
	run -2 --separate-stderr am am-features --min-freq 0 "$F/small.csv"
	run -2 --separate-stderr am am-features -m x -t y "$F/small.csv"
	run -2 --separate-stderr am am-features a b
}

@test "am-features: -i takes a comma list; --drop leaves columns out" {
	run -0 --separate-stderr am am-features -t y -i id,city --drop age "$F/small.csv"
	[ "${lines[0]}" = "id,city,y" ]
	[ "${lines[2]}" = "2,lyon,yes" ]
}

@test "am-features: the artifact records kind, schema and input lineage" {
	command -v am-model >/dev/null || skip "am-model not built"
	am-features -t y -i id -s 7 -o "$T/s.amm" "$F/small.csv" >/dev/null
	run -0 am-model show "$T/s.amm"
	[[ "$output" == *features* ]]
	[[ "$output" == *scale+onehot* ]]
	[[ "$output" == *"$(sha256sum "$F/small.csv" | cut -d' ' -f1)"* ]]
}

@test "am-features: writing to /dev/full exits 1 with one line" {
	for to in csv bin; do
		run -1 --separate-stderr bash -c "am-features -t y --to $to '$DATA/bank.csv' >/dev/full"
		one_line_error
		[ "$stderr" = "am-features: write error: No space left on device" ]
	done
}
