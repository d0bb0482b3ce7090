#!/usr/bin/env bats
# stream.bats -- feature streams (am-stream(5)) on real data: round trips
# between CSV, the binary stream and LIBSVM, and damaged binary streams.
# "test_fs --convert FROM TO [TARGET]" (tests/unit/test_fs.c) copies a
# stream from stdin to stdout through lib/am_fs.c.
load helpers

setup() {
	T="$BATS_TEST_TMPDIR"
	CONV="${AM_UNIT:-$AM_ROOT/build/unit}/test_fs"
	[ -x "$CONV" ] || skip "test_fs not built"
	am-features -t y --drop duration -o "$T/f.amm" --to bin "$DATA/bank.csv" >"$T/a.bin"
	am-features -m "$T/f.amm" "$DATA/bank.csv" >"$T/a.csv"
	am-features -m "$T/f.amm" --to libsvm "$DATA/bank.csv" >"$T/a.svm"
}

conv() { # conv FROM TO [TARGET] < in
	"$CONV" --convert "$@"
}

@test "stream: bin -> csv and bin -> libsvm equal am-features' own csv and libsvm" {
	conv detect csv <"$T/a.bin" | cmp - "$T/a.csv"
	conv bin libsvm <"$T/a.bin" | cmp - "$T/a.svm"
}

@test "stream: csv -> bin -> csv is byte-identical, bin -> csv -> bin too" {
	conv csv bin y <"$T/a.csv" >"$T/b.bin"
	conv bin csv <"$T/b.bin" | cmp - "$T/a.csv"
	# CSV prints %.15g: doubles from a CSV survive bin -> csv -> bin exactly
	conv bin csv <"$T/b.bin" | conv csv bin y | cmp - "$T/b.bin"
}

@test "stream: libsvm keeps every double (%.17g) through libsvm -> libsvm" {
	sed 's/ #.*//' "$T/a.svm" >"$T/want.svm"
	conv libsvm libsvm <"$T/a.svm" | cmp - "$T/want.svm"
	# and its values are those of the binary stream, printed at %.17g
	awk '{ for (i = 2; i <= NF; i++) { split($i, kv, ":"); printf "%.17g\n", kv[2] } }' \
	    "$T/want.svm" >"$T/v1"
	conv bin libsvm <"$T/a.bin" | sed 's/ #.*//' |
	    awk '{ for (i = 2; i <= NF; i++) { split($i, kv, ":"); printf "%.17g\n", kv[2] } }' >"$T/v2"
	cmp "$T/v1" "$T/v2"
	[ "$(wc -l <"$T/v1")" -gt 40000 ]
}

@test "stream: LIBLINEAR reads the LIBSVM output" {
	command -v liblinear-train >/dev/null || skip "liblinear-tools not installed"
	run -0 liblinear-train -s 0 -c 1 "$T/a.svm" "$T/ll.model"
	grep -q '^nr_feature 50$' "$T/ll.model"
}

@test "stream: a stream cut mid-block is one error line, exit 1" {
	size=$(stat -c %s "$T/a.bin")
	for cut in 2000 5000 70000 $((size - 30)); do
		head -c "$cut" "$T/a.bin" >"$T/cut.bin"
		run -1 --separate-stderr conv bin csv <"$T/cut.bin"
		[ "${#stderr_lines[@]}" -eq 1 ]
		[ "$stderr" = "test_fs: <stdin>: truncated binary stream (cut mid-block)" ] ||
		    { echo "cut $cut: $stderr"; return 1; }
	done
	head -c $((size - 24)) "$T/a.bin" >"$T/cut.bin"
	run -1 --separate-stderr conv bin csv <"$T/cut.bin"
	[ "$stderr" = "test_fs: <stdin>: truncated binary stream (end block missing)" ]
}

@test "stream: consumers reject a cut stream with one line" {
	command -v am-train >/dev/null || skip "am-train not built"
	head -c 70000 "$T/a.bin" >"$T/cut.bin"
	run -1 --separate-stderr am am-train -a logreg -t y -o "$T/m.amm" "$T/cut.bin"
	one_line_error
	[[ "$stderr" == *"truncated binary stream (cut mid-block)"* ]]
	[ ! -e "$T/m.amm" ]
}

@test "stream: a flipped bit in the header or a block is detected" {
	for off in 30 200 5000; do
		cp "$T/a.bin" "$T/flip.bin"
		byte=$(od -A n -t u1 -j "$off" -N 1 "$T/a.bin")
		printf "$(printf '\\%03o' $((byte ^ 4)))" |
		    dd of="$T/flip.bin" bs=1 seek="$off" conv=notrunc status=none
		run -1 --separate-stderr conv bin csv <"$T/flip.bin"
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"checksum mismatch (corrupt stream)" ]] ||
		    { echo "offset $off: $stderr"; return 1; }
	done
}

@test "stream: absurd declared sizes are refused before allocating" {
	# header length 0xffffffff
	{ printf '\211AMF\r\n\032\n\001\000\000\000\377\377\377\377'; head -c 64 /dev/zero; } >"$T/big.bin"
	run -1 --separate-stderr conv bin csv <"$T/big.bin"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"header of 4294967295 bytes exceeds the limit of 67108864 (see am-stream(5))" ]]
	# a block of 4 GiB after a valid header: limit 1 GiB of address space
	# (not under ASan, which reserves terabytes of it)
	lim="ulimit -v 1048576;" lim2="ulimit -v 131072;"
	# (clang links ASan statically: look for its symbol, not for libasan)
	if grep -q __asan_init "$CONV"; then lim= lim2=; fi
	hlen=$(od -A n -t u4 -j 12 -N 4 "$T/a.bin")
	{ head -c $((24 + hlen)) "$T/a.bin"; printf '\001\000\000\000\360\377\377\377'; head -c 64 /dev/zero; } >"$T/blk.bin"
	run -1 --separate-stderr bash -c "$lim '$CONV' --convert bin csv <'$T/blk.bin'"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"block 1: 4294967280 bytes exceed the limit of 268435456 (see am-stream(5))" ]]
	# a block that claims 200 MiB and ends early: no 200 MiB buffer
	{ head -c $((24 + hlen)) "$T/a.bin"; printf '\001\000\000\000\000\000\200\014'; head -c 1000 /dev/zero; } >"$T/lie.bin"
	run -1 --separate-stderr bash -c "$lim2 '$CONV' --convert bin csv <'$T/lie.bin'"
	[[ "$stderr" == *"truncated binary stream (cut mid-block)" ]]
}

@test "stream: an empty stream (no rows) reads as a header only" {
	head -1 "$DATA/bank.csv" >"$T/empty.csv"
	am-features -m "$T/f.amm" --to bin "$T/empty.csv" >"$T/empty.bin"
	run -0 --separate-stderr conv bin csv <"$T/empty.bin"
	[ "$output" = "$(head -1 "$T/a.csv")" ]
	run -1 --separate-stderr conv bin csv </dev/null
	[ "$stderr" = "test_fs: <stdin>: empty input, expected a binary feature stream" ]
}

@test "stream: concatenated streams of one schema read as one" {
	cat "$T/a.bin" "$T/a.bin" | conv bin csv >"$T/two.csv"
	[ "$(wc -l <"$T/two.csv")" -eq $((2 * $(wc -l <"$T/a.csv") - 1)) ]
}
