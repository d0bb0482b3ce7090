#!/usr/bin/env bats
# parallel.bats -- issue #10 scale-out recipes: GNU parallel cuts a CSV
# into blocks of whole lines (--pipe), gives each job the header line
# (--header :), runs the replay of cleaning, of features, the scoring, or
# all three chained, and keeps the jobs' output in input order
# (--keep-order).  Every job writes its own header line; jobs after the
# first ({#} > 1) drop it.  The result must be byte for byte the serial
# run's.  Skips with a message when parallel is not installed.
load helpers

# the README's recipe: one header, then every block's rows, in order
JOB_TAIL='if [ {#} -gt 1 ]; then tail -n +2; else cat; fi'

setup_file() {
	cd "$BATS_FILE_TMPDIR"
	# fit on data/bank.csv; score five copies of it (22,605 rows)
	am-clean -q -o c.amm "$DATA/bank.csv" >bank.c.csv
	am-features -q -t y -o f.amm --to bin bank.c.csv >bank.bin
	am-train -q -t y -o m.amm bank.bin
	{
		cat "$DATA/bank.csv"
		for _ in 1 2 3 4; do tail -n +2 "$DATA/bank.csv"; done
	} >big.csv
}

setup() {
	command -v parallel >/dev/null ||
	    skip "GNU parallel is not installed (apt-get install parallel)"
	cd "$BATS_FILE_TMPDIR"
}

par() { # par INPUT CMD: CMD on 500 kB blocks of INPUT, 2 jobs, in order
	parallel --pipe --header : --keep-order -j 2 --block 500k \
	    --joblog "$BATS_TEST_TMPDIR/jobs" "$2 | $JOB_TAIL" <"$1"
	# the input was really cut: more than one job, all successful
	[ "$(($(wc -l <"$BATS_TEST_TMPDIR/jobs") - 1))" -gt 1 ]
	awk 'NR > 1 && $7 != 0 { exit 1 }' "$BATS_TEST_TMPDIR/jobs"
}

@test "parallel: am-clean -m replay in 2 jobs equals the serial run" {
	am am-clean -m c.amm big.csv >serial.csv
	par big.csv "am-clean -m c.amm" >par.csv
	[ "$(wc -l <serial.csv)" -eq 22606 ]
	cmp serial.csv par.csv
}

@test "parallel: am-features -m replay in 2 jobs equals the serial run" {
	am am-clean -m c.amm big.csv >clean.csv
	am am-features -m f.amm clean.csv >serial.csv
	par clean.csv "am-features -m f.amm" >par.csv
	[ "$(wc -l <serial.csv)" -eq 22606 ]
	cmp serial.csv par.csv
}

@test "parallel: am-predict scoring in 2 jobs equals the serial run" {
	am am-clean -m c.amm big.csv | am am-features -m f.amm >feat.csv
	am am-predict -m m.amm feat.csv >serial.csv
	par feat.csv "am-predict -m m.amm" >par.csv
	[ "$(head -1 par.csv)" = "y,score,label" ]
	[ "$(wc -l <serial.csv)" -eq 22606 ]
	cmp serial.csv par.csv
}

@test "parallel: clean | features (binary) | predict chained in each job equals the serial chain" {
	am am-clean -m c.amm big.csv | am am-features -m f.amm --to bin |
	    am am-predict -m m.amm >serial.csv
	par big.csv "am-clean -m c.amm | am-features -m f.amm --to bin | am-predict -m m.amm" >par.csv
	[ "$(wc -l <serial.csv)" -eq 22606 ]
	cmp serial.csv par.csv
}
