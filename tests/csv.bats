#!/usr/bin/env bats
# csv.bats -- the CSV dialect of am(7), seen through am-clean's
# pass-through: detection, quoting, BOM, CRLF, limits and line numbers.
load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

@test "csv: BOM, CRLF, ';', quotes and embedded newlines normalise" {
	run -0 --separate-stderr am am-clean "$FIX/csv/dialect.in.csv"
	printf '%s\n' "$output" > "$T/out.csv"
	golden "$FIX/csv/dialect.out.csv" "$T/out.csv"
	# The output reads back to itself.
	run -0 --separate-stderr am am-clean "$T/out.csv"
	printf '%s\n' "$output" | cmp - "$T/out.csv"
}

@test "csv: the delimiter is detected among , ; tab |" {
	for d in ',' ';' $'\t' '|'; do
		printf 'a%sb%sc\n1%s2%s3\n' "$d" "$d" "$d" "$d" > "$T/d.csv"
		run -0 --separate-stderr am am-clean "$T/d.csv"
		[ "$output" = $'a,b,c\n1,2,3' ] || { echo "delim '$d': $output"; return 1; }
	done
}

@test "csv: a delimiter inside quotes does not count for detection" {
	printf '"a;b;c",d\n1,2\n' > "$T/d.csv"
	run -0 --separate-stderr am am-clean "$T/d.csv"
	[ "$output" = $'a;b;c,d\n1,2' ]
}

@test "csv: spaces are data, and are quoted on output" {
	printf 'a,b\n x ,y\n' > "$T/s.csv"
	run -0 --separate-stderr am am-clean "$T/s.csv"
	[ "$output" = $'a,b\n" x ",y' ]
}

@test "csv: blank lines are skipped and line numbers stay physical" {
	printf 'a,b\n\n1,2\n\r\n"x\ny",2\n3\n' > "$T/b.csv"
	run -1 --separate-stderr am am-clean "$T/b.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/b.csv:7: expected 2 fields, found 1" ]
}

@test "csv: a last record without a newline is read" {
	printf 'a,b\n1,2' > "$T/n.csv"
	run -0 --separate-stderr am am-clean "$T/n.csv"
	[ "$output" = $'a,b\n1,2' ]
}

@test "csv: a quoted empty field is an empty string, not missing" {
	printf 'a,b\n"",\n' > "$T/e.csv"
	run -0 --separate-stderr am am-clean "$T/e.csv"
	[ "$output" = $'a,b\n"",' ]
	run -0 --separate-stderr am am-clean --report - "$T/e.csv"
	grep -q '^a  *text  *1  *0 ' <<<"$output" || grep -q '^a  *category  *1  *0 ' <<<"$output"
	grep -q '^b  *text  *0  *1 ' <<<"$output"
}

@test "csv: a 1 MB field passes through" {
	head -c 1048576 /dev/zero | tr '\0' x > "$T/big"
	{ printf 'a,b\n1,"'; cat "$T/big"; printf '"\n'; } > "$T/f.csv"
	run -0 --separate-stderr am am-clean "$T/f.csv"
	[ "${#lines[1]}" -eq $((1048576 + 2)) ]
	[ "${lines[1]}" = "1,$(cat "$T/big")" ]
}

@test "csv: a field over 64 MiB fails with one line" {
	{ printf 'a\n'; head -c 67108865 /dev/zero | tr '\0' x; printf '\n'; } > "$T/huge.csv"
	run -1 --separate-stderr am am-clean "$T/huge.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/huge.csv:2: field longer than 67108864 bytes (limit)" ]
}

@test "csv: more than 100000 columns fail with one line" {
	seq 100001 | paste -sd, > "$T/wide.csv"
	run -1 --separate-stderr am am-clean "$T/wide.csv"
	one_line_error
	[ "$stderr" = "am-clean: $T/wide.csv:1: more than 100000 columns (limit)" ]
}

@test "csv: an unterminated quote in the header fails" {
	printf 'a,"b\n1,2\n' > "$T/h.csv"
	run -1 --separate-stderr am am-clean "$T/h.csv"
	one_line_error
	[[ "$stderr" == "am-clean: $T/h.csv:1: unterminated quoted field"* ]]
}

@test "csv: a pass-through of a generated mixed table is lossless" {
	python3 "$AM_ROOT/tools/gen-mixed.py" 2000 7 > "$T/m.csv"
	python3 "$AM_ROOT/tools/gen-mixed.py" 2000 7 | cmp - "$T/m.csv"
	run -0 --separate-stderr am am-clean --missing '' "$T/m.csv"
	printf '%s\n' "$output" | cmp - "$T/m.csv"
}

@test "csv: the in-place line split reads every line as libcsv does" {
	# A last line without '\n' goes to libcsv; the same line with '\n'
	# takes the fast split.  Both must give the same bytes, for lines
	# written back verbatim and for lines that are rewritten.  (The
	# counter is not "i": bats' run uses that name.)
	nl=0
	while IFS= read -r line; do
		nl=$((nl + 1))
		printf 'a,b,c\n%s\n' "$line" > "$T/fast$nl.csv"
		printf 'a,b,c\n%s' "$line" > "$T/slow$nl.csv"
		run -0 --separate-stderr am am-clean "$T/fast$nl.csv"
		fast=$output
		run -0 --separate-stderr am am-clean "$T/slow$nl.csv"
		[ "$fast" = "$output" ] || { echo "line $nl: '$line': '$fast' != '$output'"; return 1; }
	done <<'LINES'
1,x y,
"q,r","s""t",""
"q",NA,"NA"
"",,""""
1, x ,3
ab"c,d,e
"a""",b,c
"""",",",";"
1,2,"3"
LINES
	[ "$nl" -eq 9 ]
	# text after a closing quote: the same error either way
	for line in '"ab"c,d,e' '1,"2"x,3'; do
		printf 'a,b,c\n%s\n' "$line" > "$T/f.csv"
		printf 'a,b,c\n%s' "$line" > "$T/s.csv"
		run -1 --separate-stderr am am-clean "$T/f.csv"
		[[ "$stderr" == "am-clean: $T/f.csv:2: unterminated quoted field"* ]]
		run -1 --separate-stderr am am-clean "$T/s.csv"
		[[ "$stderr" == "am-clean: $T/s.csv:2: unterminated quoted field"* ]]
	done
	# and what both say, against the RFC 4180 reading of the lines
	run -0 --separate-stderr am am-clean "$T/fast2.csv"
	[ "${lines[1]}" = '"q,r","s""t",""' ]
	run -0 --separate-stderr am am-clean "$T/fast3.csv"
	[ "${lines[1]}" = 'q,,' ]
	run -0 --separate-stderr am am-clean "$T/fast5.csv"
	[ "${lines[1]}" = '1," x ",3' ]
}
