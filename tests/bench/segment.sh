#!/bin/sh
# segment.sh BINDIR [ROWS] -- am-train -a gmm (K=5, diag and full) and -a
# kmeans (K=8) against scikit-learn's GaussianMixture and KMeans on a
# generated ROWS x 10 numeric file (default 1,000,000 rows: 8 centres,
# unit noise, numpy seed 1).  Both fit the same data with one seeding
# (--restarts 1 / n_init=1), the same tolerances (gmm 1e-3, kmeans 1e-4)
# and iteration caps, at -j 2.  am reads the CSV file, then the binary
# stream of the same values ("am-features --scale none --to bin"), its
# time including the parsing; scikit-learn times fit() alone on an
# array already in memory (one fit per Python process).  Three rounds,
# each running every am command and every scikit-learn fit once, one
# after the other, so that a change in the machine's load falls on both
# alike.  For each: the median of the 3 wall times and of the 3 CPU
# times (user + system over all threads: steadier than the wall time on
# a loaded machine), the ratios, and the quality each reached (mean
# log-likelihood; inertia), since the two use different seedings.
# "fit" is am's time less its time to read the same input (-a kmeans -k
# 1 --max-iter 1).  Never part of `make test`.
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

am-features -q --scale none --to bin x.csv > x.bin

# One scikit-learn fit: prints "wall cpu", leaves its quality in sk-TYPE.q.
cat > sk.py <<'EOF'
import sys, time
import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.cluster import KMeans
X = np.load("x.npy")
t, c = time.time(), time.process_time()
if sys.argv[1] == "gmm":
    m = GaussianMixture(5, covariance_type=sys.argv[2], n_init=1,
                        tol=1e-3, max_iter=100, random_state=0).fit(X)
else:
    m = KMeans(8, n_init=1, tol=1e-4, max_iter=300,
               random_state=0).fit(X)
w, c = time.time() - t, time.process_time() - c
q = m.score(X) if sys.argv[1] == "gmm" else m.inertia_
print("%.3f %.3f" % (w, c))
with open("sk-%s.q" % sys.argv[2], "w") as f:
    print(repr(q), file=f)
EOF

# timed NAME CMD...: run CMD once, append "wall cpu" (seconds) to NAME.t
timed() {
	n=$1
	shift
	/usr/bin/time -f "%e %U %S" -o t.txt "$@" >/dev/null 2>&1
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' t.txt >> "$n.t"
}
# med NAME: "wall cpu", the medians of the times in NAME.t
med() {
	w=$(awk '{ print $1 }' "$1.t" | sort -n | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }')
	c=$(awk '{ print $2 }' "$1.t" | sort -n | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }')
	echo "$w $c"
}
meta() { am-model show "$1" | awk -v k="$2" '$1 == k { print $2; exit }'; }

for round in 1 2 3; do
	for f in csv bin; do
		# Reading alone (K=1, one iteration): "fit" is the total less this.
		timed read-$f am-train -q -j 2 -a kmeans -k 1 --max-iter 1 \
		    -o l.amm x.$f
	done
	for a in diag full kmeans; do
		for f in csv bin; do
			if [ $a = kmeans ]; then
				timed am-$a-$f am-train -q -j 2 -a kmeans -k 8 \
				    -o $a-$f.amm x.$f
			else
				timed am-$a-$f am-train -q -j 2 -a gmm -k 5 \
				    --covariance $a -o $a-$f.amm x.$f
			fi
		done
		[ $have_sk = 1 ] || continue
		if [ $a = kmeans ]; then
			$py sk.py kmeans kmeans >> sk-$a.t
		else
			$py sk.py gmm $a >> sk-$a.t
		fi
	done
done

# r A B: A / B ("inf" when B, an expression, is not above 0)
r() { echo "$1 $(echo "$2" | bc -l)" | awk '{ print ($2 > 0 ? $1 / $2 : "inf") }'; }
for f in csv bin; do
	set -- $(med read-$f)
	lw=$1 lc=$2
	printf 'am-train -j 2 reading %d rows of %s: %.2f s wall, %.2f s cpu\n' \
	    "$rows" $f "$lw" "$lc"
	for a in diag full kmeans; do
		if [ $a = kmeans ]; then
			q=$(meta $a-$f.amm inertia)
			label="kmeans K=8"
		else
			q=$(meta $a-$f.amm loglik)
			label="gmm K=5 $a"
		fi
		set -- $(med am-$a-$f)
		aw=$1 ac=$2
		if [ $have_sk = 0 ]; then
			printf '%-14s %s: am %.2f s wall / %.2f s cpu (quality %s)\n' \
			    "$label" $f "$aw" "$ac" "$q"
			continue
		fi
		set -- $(med sk-$a) "$(cat sk-$a.q)"
		printf '%-14s %s: am %.2f s wall / %.2f s cpu (fit %.2f / %.2f; quality %s); scikit-learn fit %.2f s wall / %.2f s cpu (quality %s); speed-up total %.2fx wall %.2fx cpu, fit %.2fx wall %.2fx cpu\n' \
		    "$label" $f "$aw" "$ac" "$(echo "$aw - $lw" | bc -l)" \
		    "$(echo "$ac - $lc" | bc -l)" "$q" "$1" "$2" "$3" \
		    "$(r "$1" "$aw")" "$(r "$2" "$ac")" \
		    "$(r "$1" "($aw - $lw)")" "$(r "$2" "($ac - $lc)")"
	done
done
[ $have_sk = 1 ] || echo "segment.sh: scikit-learn absent: no comparison"
