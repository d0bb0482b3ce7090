#!/usr/bin/env bats
# am-train-update.bats -- am-train --update OLD: the schema checks every
# algorithm shares (features by name, target, classes), the lineage of
# the new model, and every error path with its exact status.  Each
# algorithm's own update (warm start, added trees, ...) is tested with
# its quality checks below the common part.
load helpers

F="$FIX/am-train"

setup() {
	cd "$BATS_TEST_TMPDIR"
	am am-train -q -a logreg -t y -i id -w wt -o old.amm "$F/small.csv"
}

@test "am-train --update: a feature missing from the new rows is an error" {
	cut -d, -f1,2,4,5 "$F/small.csv" > nox2.csv
	run -1 --separate-stderr am am-train -q --update old.amm -t y -i id \
	    -w wt -o new.amm nox2.csv
	one_line_error
	[[ $stderr == *"feature 'x2' of the model is missing from nox2.csv"* ]]
	[ ! -e new.amm ]
}

@test "am-train --update: a feature the model lacks is an error" {
	sed '1s/x2/z9/' "$F/small.csv" > ren.csv
	run -1 --separate-stderr am am-train -q --update old.amm -t y -i id \
	    -w wt -o new.amm ren.csv
	one_line_error
	[[ $stderr == *"ren.csv: feature 'z9' is not in the model"* ]]
	[ ! -e new.amm ]
}

@test "am-train --update: a class the model does not know is an error" {
	sed 's/,no$/,maybe/' "$F/small.csv" > cls.csv
	run -1 --separate-stderr am am-train -q --update old.amm -t y -i id \
	    -w wt -o new.amm cls.csv
	one_line_error
	[[ $stderr == *"cls.csv: class 'maybe' is not in the model"* ]]
}

@test "am-train --update: -a must name the old model's algorithm" {
	run -1 --separate-stderr am am-train -q -a svm --update old.amm -t y \
	    -i id -w wt -o new.amm "$F/small.csv"
	one_line_error
	[[ $stderr == *"--update: old.amm is a logreg model, not svm"* ]]
}

@test "am-train --update: a missing or foreign artifact is an error" {
	run -1 --separate-stderr am am-train -q --update none.amm -t y \
	    -o new.amm "$F/small.csv"
	one_line_error
	am am-features -t y -i id -o feat.amm "$F/small.csv" > /dev/null
	run -1 --separate-stderr am am-train -q --update feat.amm -t y \
	    -i id -w wt -o new.amm "$F/small.csv"
	one_line_error
	[[ $stderr == *"expected 'model'"* ]]
}

@test "am-train --update: --cv excludes it (usage)" {
	run -2 --separate-stderr am am-train --update old.amm --cv 3 -t y \
	    -o new.amm "$F/small.csv"
	[ -z "$output" ]
	[[ $stderr == *"--update and --cv exclude each other"* ]]
}
