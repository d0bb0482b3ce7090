#!/bin/sh
# segment.sh BINDIR [ROWS] -- am-train -a gmm (K=5, diag and full) and -a
# kmeans (K=8) against scikit-learn's GaussianMixture and KMeans on a
# generated ROWS x 10 numeric file (default 1,000,000 rows: 8 centres,
# unit noise, numpy seed 1).  Both fit the same data with one seeding
# (--restarts 1 / n_init=1), the same tolerances (gmm 1e-3, kmeans 1e-4)
# and iteration caps; am reads the CSV file (parsing included in its
# time; not am-features, which would standardise the columns), while
# scikit-learn times fit() alone on an array already in memory.  Prints the median wall time of 3 runs, the ratio, and the
# quality each reached (mean log-likelihood; inertia), since the two use
# different seedings.  Never part of `make test`.
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
rows=${2:-1000000}
PATH="$bin:$PATH"
py=/usr/bin/python3
export LC_ALL=C OPENBLAS_NUM_THREADS=1

work=$(mktemp -d "${TMPDIR:-/tmp}/am-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

have_sk=1
$py -c 'import sklearn' 2>/dev/null || have_sk=0
if ! $py -c 'import numpy' 2>/dev/null; then
	echo "segment.sh: skipped: /usr/bin/python3 has no numpy to make the data"
	exit 0
fi
$py - "$rows" <<'EOF'
import sys
import numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(1)
centres = rng.uniform(-10, 10, size=(8, 10))
X = centres[rng.integers(0, 8, size=n)] + rng.normal(size=(n, 10))
np.save("x.npy", X)
np.savetxt("x.csv", X, fmt="%.6f", delimiter=",",
           header=",".join(f"f{i}" for i in range(10)), comments="")
EOF
echo "data: $rows rows x 10 columns"

now() { date +%s.%N; }
median3() { # median3 CMD...: median wall seconds of 3 runs
	for i in 1 2 3; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		echo "$t1 - $t0" | bc -l
	done | sort -n | sed -n 2p
}
meta() { am-model show "$1" | awk -v k="$2" '$1 == k { print $2; exit }'; }

sk() { # sk gmm|kmeans TYPE: "seconds quality" of scikit-learn's fit
	$py - "$1" "$2" <<'EOF'
import sys, time
import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.cluster import KMeans
X = np.load("x.npy")
runs = []
for _ in range(3):
    t = time.time()
    if sys.argv[1] == "gmm":
        m = GaussianMixture(5, covariance_type=sys.argv[2], n_init=1,
                            tol=1e-3, max_iter=100, random_state=0).fit(X)
        q = m.score(X)
    else:
        m = KMeans(8, n_init=1, tol=1e-4, max_iter=300,
                   random_state=0).fit(X)
        q = m.inertia_
    runs.append(time.time() - t)
runs.sort()
print(runs[1], q)
EOF
}

# Reading and parsing the CSV, measured alone (K=1, one iteration): the
# fit time of am is its total minus this.
tl=$(median3 am-train -q -j 1 -a kmeans -k 1 --max-iter 1 -o l.amm x.csv)
printf 'am-train reading %d rows of CSV: %.2f s (included in the totals below)\n' "$rows" "$tl"
for j in 1 2; do
	for t in diag full; do
		ta=$(median3 am-train -q -j $j -a gmm -k 5 --covariance $t -o g.amm x.csv)
		qa=$(meta g.amm loglik)
		if [ $have_sk = 1 ] && [ $j = 2 ]; then
			set -- $(sk gmm $t)
			printf 'gmm K=5 %-4s -j %d: am %.2f s (fit %.2f s; loglik %.5f), scikit-learn fit %.2f s (loglik %.5f), speed-up %.2fx total, %.2fx fit\n' \
			    $t $j "$ta" "$(echo "$ta - $tl" | bc -l)" "$qa" "$1" "$2" \
			    "$(echo "$1 / $ta" | bc -l)" "$(echo "$1 / ($ta - $tl)" | bc -l)"
		else
			printf 'gmm K=5 %-4s -j %d: am %.2f s (loglik %.5f)\n' $t $j "$ta" "$qa"
		fi
	done
	ta=$(median3 am-train -q -j $j -a kmeans -k 8 -o k.amm x.csv)
	qa=$(meta k.amm inertia)
	if [ $have_sk = 1 ] && [ $j = 2 ]; then
		set -- $(sk kmeans -)
		printf 'kmeans K=8   -j %d: am %.2f s (fit %.2f s; inertia %.6g), scikit-learn fit %.2f s (inertia %.6g), speed-up %.2fx total, %.2fx fit\n' \
		    $j "$ta" "$(echo "$ta - $tl" | bc -l)" "$qa" "$1" "$2" \
		    "$(echo "$1 / $ta" | bc -l)" "$(echo "$1 / ($ta - $tl)" | bc -l)"
	else
		printf 'kmeans K=8   -j %d: am %.2f s (inertia %.6g)\n' $j "$ta" "$qa"
	fi
done
[ $have_sk = 1 ] || echo "segment.sh: scikit-learn absent: no comparison"
