#!/usr/bin/env bats
# examples.bats -- every ".Dl $ command" line of the manual runs (jq's
# man.test).  A page's examples run in order in one scratch folder where
# data/ is the repository's data/, so later examples may use the files the
# earlier ones wrote.  Each must exit 0.
load helpers

run_examples() { # run_examples PAGE
	local page="$AM_ROOT/man/$1" dir="$BATS_TEST_TMPDIR/ex" line n=0
	[ -f "$page" ] || skip "no man/$1 yet"
	mkdir -p "$dir" && ln -sfn "$DATA" "$dir/data"
	while IFS= read -r line; do
		line=${line#.Dl \$ }
		line=${line//\\e/\\}
		line=${line//\\-/-}
		n=$((n + 1))
		(cd "$dir" && bash -o pipefail -c "$line" >/dev/null 2>"$dir/err") ||
		    { echo "$1: example $n failed: $line"; cat "$dir/err"; return 1; }
	done < <(grep '^\.Dl \$ ' "$page")
	[ "$n" -gt 0 ] || { echo "$1: no examples"; return 1; }
}

@test "examples: am-clean(1)" { run_examples am-clean.1; }
@test "examples: am-features(1)" { run_examples am-features.1; }
@test "examples: am-train(1)" { run_examples am-train.1; }
@test "examples: am-predict(1)" { run_examples am-predict.1; }
@test "examples: am-eval(1)" { run_examples am-eval.1; }
@test "examples: am-model(1)" { run_examples am-model.1; }
@test "examples: am(1)" { run_examples am.1; }
@test "examples: am(7)" { run_examples am.7; }
