#!/bin/sh
# demo.sh BINDIR -- the main job on the sample data: split data/bank.csv
# 80/20 (seeded), clean, engineer features, train logistic regression on
# the 80%, predict the 20%, evaluate.  Runs in a scratch folder.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
data=$(cd "$(dirname "$0")/../data" && pwd)
PATH="$bin:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/am-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

say() { printf '\n$ %s\n' "$*" >&2; }
run() { say "$@"; sh -c "$*"; }

run "am-clean --split 0.8 --test test.csv -s 1 $data/bank.csv > train.csv"
run "am-clean -o clean.amm train.csv > train.clean.csv"
run "am-clean -m clean.amm test.csv > test.clean.csv"
run "am-features -t y --drop duration -o feat.amm --to bin train.clean.csv > train.bin"
run "am-features -m feat.amm --to bin test.clean.csv > test.bin"
run "am-train -a logreg -t y -c 1 -o model.amm train.bin"
run "am-predict -m model.amm test.bin > scores.csv"
run "head -4 scores.csv"
run "am-eval -t y -p score scores.csv"
