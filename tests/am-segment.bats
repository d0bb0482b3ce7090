#!/usr/bin/env bats
# am-segment.bats -- segmentation: am-train -a gmm and -a kmeans, and
# am-predict with their models.  Fixtures and expected values come from
# tests/fixtures/segment/gen.py (true mixture parameters in mix3.truth,
# scikit-learn 1.2 results in sklearn.txt).
load helpers

SEG="$FIX/segment"

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# param MODEL KEY: the value of meta KEY in "am-model show MODEL"
param() {
	am-model show "$1" | awk -v k="$2" '$1 == k { print $2; exit }'
}

# sk DATA TYPE: the scikit-learn value recorded for DATA and TYPE
sk() {
	awk -v d="$1" -v t="$2" '$1 == d && $2 == t { print $4 }' "$SEG/sklearn.txt"
}

@test "am-segment: gmm recovers the weights, means and covariances of mix3 within 4 standard errors" {
	run -0 --separate-stderr am am-train -a gmm -k 3 -s 1 -o g.amm "$SEG/mix3.csv"
	am-model show g.amm > show.txt
	# Match each true component to the fitted one with the nearest mean.
	awk '
	NR == FNR {
		if ($1 ~ /^#/) next
		tv[$1, $2] = $3; tol[$1, $2] = $4; next
	}
	$1 ~ /^segment\.[0-9]+\.(weight|mean|cov)$/ {
		split($1, p, "."); f[p[2], p[3]] = $2; nk = p[2] + 1 > nk ? p[2] + 1 : nk
	}
	END {
		if (nk != 3) { print "fitted " nk " segments"; exit 1 }
		bad = 0
		for (k = 0; k < 3; k++) {
			best = -1; bd = 1e300
			for (j = 0; j < 3; j++) {
				split(f[j, "mean"], m, ",")
				d = (m[1] - tv[k, "mean0"])^2 + (m[2] - tv[k, "mean1"])^2
				if (d < bd) { bd = d; best = j }
			}
			split(f[best, "mean"], m, ","); split(f[best, "cov"], c, ",")
			est["weight"] = f[best, "weight"]
			est["mean0"] = m[1]; est["mean1"] = m[2]
			est["cov00"] = c[1]; est["cov01"] = c[2]
			est["cov10"] = c[3]; est["cov11"] = c[4]
			for (q in est) {
				d = est[q] - tv[k, q]; if (d < 0) d = -d
				if (d > tol[k, q]) {
					printf "component %d %s: %s vs true %s (tol %s)\n", k, q, est[q], tv[k, q], tol[k, q]
					bad = 1
				}
				n++
			}
		}
		if (n != 21) { print "checked " n " numbers"; exit 1 }
		exit bad
	}' "$SEG/mix3.truth" show.txt
}

@test "am-segment: BIC and AIC over -k 1..6 pick K=3 on mix3, table on stderr and in the model" {
	run -0 --separate-stderr am am-train -a gmm -k 1..6 -o g.amm "$SEG/mix3.csv"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 7 ]
	[[ "${stderr_lines[0]}" == "am-train: k 1: loglik="*" bic="*" aic="* ]]
	[[ "${stderr_lines[6]}" == *"k 3, full covariance"* ]]
	[ "$(param g.amm k)" = 3 ]
	[ "$(param g.amm select)" = bic ]
	# The kept K has the lowest BIC of the table stored in the model.
	am-model show g.amm | awk '$1 ~ /^select\.k/ { split($3, b, "="); print substr($1, 9), b[2] }' > bic.txt
	[ "$(wc -l < bic.txt)" -eq 6 ]
	[ "$(sort -g -k2 bic.txt | head -1 | cut -d' ' -f1)" = 3 ]
	run -0 --separate-stderr am am-train -a gmm -k 1..6 --select aic -o a.amm "$SEG/mix3.csv"
	[ "$(param a.amm k)" = 3 ]
	[ "$(param a.amm select)" = aic ]
}

@test "am-segment: gmm mean log-likelihood equals scikit-learn's (best of 10 inits) for each covariance type" {
	# Expected: sklearn.txt, from GaussianMixture(3, n_init=10, tol=1e-6,
	# max_iter=1000) in gen.py.  Tolerance 1e-3 (the issue's); on iris diag
	# am finds a higher optimum than scikit-learn's 10 inits (-2.04574 vs
	# -2.04785): there a higher value passes too.
	for d in mix3 iris; do
		for t in full diag spherical tied; do
			run -0 --separate-stderr am am-train -a gmm -k 3 --covariance $t \
			    --restarts 10 --tol 1e-6 --max-iter 1000 -o g.amm "$SEG/$d.csv"
			got=$(param g.amm loglik)
			want=$(sk $d $t)
			[ -n "$want" ]
			awk -v a="$got" -v b="$want" 'BEGIN { exit !(a - b >= -1e-3) }' ||
			    { echo "$d $t: $got < $want - 1e-3"; return 1; }
			if [ "$d $t" != "iris diag" ]; then approx "$got" "$want" 1e-3; fi
		done
	done
}

@test "am-segment: gmm against a live scikit-learn on the same data" {
	/usr/bin/python3 -c 'import sklearn' 2>/dev/null || skip "no python3-sklearn"
	run -0 --separate-stderr am am-train -a gmm -k 2 --covariance diag \
	    --restarts 5 --tol 1e-8 --max-iter 2000 -o g.amm "$SEG/iris.csv"
	want=$(/usr/bin/python3 -c '
import numpy as np
from sklearn.mixture import GaussianMixture
X = np.loadtxt("'"$SEG/iris.csv"'", delimiter=",", skiprows=1)
g = GaussianMixture(2, covariance_type="diag", n_init=5, tol=1e-8, max_iter=2000, random_state=0).fit(X)
print("%.10f" % g.score(X))')
	approx "$(param g.amm loglik)" "$want" 1e-4
}

@test "am-segment: kmeans inertia equals scikit-learn's KMeans (n_init 10) on mix3 and iris" {
	for d in mix3 iris; do
		run -0 --separate-stderr am am-train -a kmeans -k 3 --restarts 10 \
		    --tol 1e-6 --max-iter 1000 -o k.amm "$SEG/$d.csv"
		want=$(sk $d kmeans)
		got=$(param k.amm inertia)
		approx "$got" "$want" "$(awk -v w="$want" 'BEGIN { print w * 1e-6 }')"
	done
}

@test "am-segment: kmeans -k 2..6 picks K=3 by silhouette on mix3" {
	run -0 --separate-stderr am am-train -a kmeans -k 2..6 -o k.amm "$SEG/mix3.csv"
	[ "${#stderr_lines[@]}" -eq 6 ]
	[[ "${stderr_lines[1]}" == "am-train: k 3: inertia="*" silhouette=0.7"* ]]
	[ "$(param k.amm k)" = 3 ]
	[ "$(param k.amm select)" = silhouette ]
}

@test "am-segment: segment sizes in a kmeans model equal am-predict's counts" {
	run -0 --separate-stderr am am-train -a kmeans -k 3 -o k.amm "$SEG/iris.csv"
	am-predict -m k.amm "$SEG/iris.csv" | cut -d, -f1 > seg.csv
	sizes=$(am-model show k.amm | awk '$1 ~ /^segment\.[0-9]+\.size$/ { s = s $2 " " } END { print s }')
	counted=$(tail -n +2 seg.csv | sort -n | uniq -c | awk '{ s = s $1 " " } END { print s }')
	[ "$sizes" = "$counted" ]
}

@test "am-segment: mini-batch kmeans comes within 1% of full kmeans' inertia" {
	run -0 --separate-stderr am am-train -a kmeans -k 3 -o full.amm "$SEG/mix3.csv"
	run -0 --separate-stderr am am-train -a kmeans -k 3 --mini-batch 100 -o mb.amm "$SEG/mix3.csv"
	[ "$(param mb.amm mini_batch)" = 100 ]
	a=$(param full.amm inertia) b=$(param mb.amm inertia)
	awk -v a="$a" -v b="$b" 'BEGIN { exit !(b >= a && b <= a * 1.01) }'
}

@test "am-segment: am-predict writes segment, memberships summing to 1 and the log-density" {
	run -0 --separate-stderr am am-train -a gmm -k 3 -o g.amm "$SEG/mix3.csv"
	run -0 --separate-stderr am am-predict -m g.amm "$SEG/mix3.csv"
	[ "${lines[0]}" = "segment,p_0,p_1,p_2,logdensity" ]
	[ "${#lines[@]}" -eq 1501 ]
	printf '%s\n' "${lines[@]}" | awk -F, 'NR > 1 {
		s = $2 + $3 + $4; if (s < 1 - 1e-9 || s > 1 + 1e-9) { print "sum " s; exit 1 }
		b = 0; for (k = 1; k < 3; k++) if ($(k + 2) > $(b + 2)) b = k
		if ($1 != b) { print "segment " $1 " is not the argmax " b; exit 1 }
		ll += $5; n++
	} END { printf "%.10f\n", ll / n }' > mean.txt
	# The mean log-density of the rows is the model's log-likelihood.
	approx "$(cat mean.txt)" "$(param g.amm loglik)" 1e-9
}

@test "am-segment: logdensity equals scikit-learn's score_samples for the same parameters" {
	/usr/bin/python3 -c 'import sklearn' 2>/dev/null || skip "no python3-sklearn"
	run -0 --separate-stderr am am-train -a gmm -k 3 -o g.amm "$SEG/mix3.csv"
	am-model show g.amm > show.txt
	am-predict -m g.amm "$SEG/mix3.csv" | cut -d, -f5 | tail -n +2 > ours.txt
	/usr/bin/python3 - "$SEG/mix3.csv" show.txt > theirs.txt <<'EOF'
import sys
import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky
X = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
meta = dict(l.split()[:2] for l in open(sys.argv[2]) if l.startswith("  segment."))
k = 3
w = np.array([float(meta[f"segment.{i}.weight"]) for i in range(k)])
mu = np.array([[float(v) for v in meta[f"segment.{i}.mean"].split(",")] for i in range(k)])
cov = np.array([np.array([float(v) for v in meta[f"segment.{i}.cov"].split(",")]).reshape(2, 2) for i in range(k)])
g = GaussianMixture(k)
g.weights_, g.means_, g.covariances_ = w / w.sum(), mu, cov
g.precisions_cholesky_ = _compute_precision_cholesky(cov, "full")
for v in g.score_samples(X):
    print("%.12g" % v)
EOF
	# Parameters pass through 10 significant digits of text: 1e-6.
	paste -d' ' ours.txt theirs.txt | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-6) { print NR ": " $0; exit 1 } }'
	[ "$(wc -l < theirs.txt)" -eq 1500 ]
}

@test "am-segment: -j 1 and -j 2 give the same model and predictions" {
	awk 'NR == 1 || NR > 1 { print } NR > 1 { print $0 }' "$SEG/mix3.csv" > big.csv
	for t in full diag spherical tied; do
		SOURCE_DATE_EPOCH=1 am-train -q -a gmm -k 3 --covariance $t -j 1 -o a.amm big.csv
		SOURCE_DATE_EPOCH=1 am-train -q -a gmm -k 3 --covariance $t -j 2 -o b.amm big.csv
		am-model show a.amm | grep -v -e '^  command' -e '^sha256' -e '^file' > a.txt
		am-model show b.amm | grep -v -e '^  command' -e '^sha256' -e '^file' > b.txt
		diff a.txt b.txt
		cmp <(am-predict -m a.amm big.csv) <(am-predict -m b.amm big.csv)
	done
	SOURCE_DATE_EPOCH=1 am-train -q -a kmeans -k 4 -j 1 -o a.amm big.csv
	SOURCE_DATE_EPOCH=1 am-train -q -a kmeans -k 4 -j 2 -o b.amm big.csv
	diff <(am-model show a.amm | grep -v -e '^  command' -e '^sha256' -e '^file') <(am-model show b.amm | grep -v -e '^  command' -e '^sha256' -e '^file')
}

# 2026-11-29 #8: segmentation reads its rows straight into a dense matrix
# (am_table AM_TABLE_DENSE); a file is sized from its length, a pipe
# grows by doubling, zeros come as sparse binary rows.
@test "am-segment: CSV, binary stream, pipe and rows with zeros give the same model" {
	# x3: mostly zeros (and some -0), so that binary rows are sparse.
	awk -F, -v OFS=, 'NR == 1 { print $0, "x3"; next }
	    { print $0, NR % 4 ? (NR % 7 ? 0 : "-0") : $1 * $2 }' \
	    "$SEG/mix3.csv" > z.csv
	for f in "$SEG/mix3.csv" z.csv; do
		am-features -q --scale none --to bin "$f" > m.bin
		for a in "gmm -k 3 --covariance full" "gmm -k 2..4" "kmeans -k 3"; do
			am am-train -q -a $a -s 1 -o csv.amm "$f"
			am am-train -q -a $a -s 1 -o bin.amm m.bin
			am am-train -q -a $a -s 1 -o pipe.amm <(cat m.bin)
			am-model show csv.amm | sed -n '/^hyper-parameters:/,$p' > csv.txt
			[ "$(grep -c '^  segment\.' csv.txt)" -ge 4 ]
			for m in bin pipe; do
				am-model show $m.amm | sed -n '/^hyper-parameters:/,$p' > $m.txt
				diff csv.txt $m.txt
				cmp <(am-predict -m csv.amm "$f") <(am-predict -m $m.amm "$f")
			done
		done
	done
	[ "$(param pipe.amm input.rows)" = 1500 ]
}

@test "am-segment: the same seed gives the same bytes; the log-likelihood trace rises" {
	SOURCE_DATE_EPOCH=1 am-train -q -a gmm -k 3 --covariance diag -s 7 -o x.amm "$SEG/iris.csv"
	mv x.amm a.amm
	SOURCE_DATE_EPOCH=1 am-train -q -a gmm -k 3 --covariance diag -s 7 -o x.amm "$SEG/iris.csv"
	cmp a.amm x.amm
	trace=$(param a.amm trace)
	[ -n "$trace" ]
	n=$(param a.amm iterations)
	echo "$trace" | awk -F, -v n="$n" '{
		if (NF != n) { print NF " values, " n " iterations"; exit 1 }
		for (i = 2; i <= NF; i++) if ($i < $(i - 1) - 1e-12) { print "falls at " i; exit 1 }
	}'
}

@test "am-segment: degenerate inputs give finite results, never NaN" {
	printf 'a,b\n' > dup.csv
	for i in $(seq 20); do echo "1,2" >> dup.csv; done
	printf 'a,b\n1,5\n2,5\n3,5\n4,5\n10,5\n11,5\n12,5\n' > const.csv
	printf 'a,b\n1,1\n1,1\n2,2\n2,2\n2,2\n' > two.csv
	for t in full diag spherical tied; do
		for f in dup const two; do
			run -0 --separate-stderr am am-train -a gmm -k 3 --covariance $t -o g.amm $f.csv
			run -0 --separate-stderr am am-predict -m g.amm $f.csv
			[[ "$output" != *nan* && "$output" != *inf* ]] || { echo "$t $f: $output"; return 1; }
		done
	done
	run -0 --separate-stderr am am-train -a kmeans -k 4 -o k.amm two.csv
	run -0 --separate-stderr am am-predict -m k.amm two.csv
	[[ "$output" != *nan* ]]
	run -0 --separate-stderr am am-train -a kmeans -k 2..4 -o k.amm dup.csv
	[[ "$stderr" != *nan* || "$stderr" == *silhouette=nan* ]]
}

@test "am-segment: K larger than the rows is a one-line error" {
	printf 'a\n1\n2\n' > tiny.csv
	run -1 --separate-stderr am am-train -a gmm -k 3 -o g.amm tiny.csv
	one_line_error
	[ "$stderr" = "am-train: tiny.csv: k 3 is larger than the 2 rows" ]
	run -1 --separate-stderr am am-train -a kmeans -k 2..5 -o g.amm tiny.csv
	one_line_error
	[ ! -e g.amm ]
}

@test "am-segment: bad segmentation options are usage errors" {
	run -2 --separate-stderr am am-train -a gmm -k 0 -o g.amm "$SEG/mix3.csv"
	[ "${stderr_lines[0]}" = "am-train: -k: '0' is not K or KMIN..KMAX in [1, 1000]" ]
	[[ "${stderr_lines[1]}" == usage:* ]]
	run -2 --separate-stderr am am-train -a gmm -k 5..2 -o g.amm "$SEG/mix3.csv"
	[ "${stderr_lines[0]}" = "am-train: -k: '5..2' is not K or KMIN..KMAX in [1, 1000]" ]
	run -2 --separate-stderr am am-train -a gmm --covariance round -o g.amm "$SEG/mix3.csv"
	[ "${stderr_lines[0]}" = "am-train: --covariance: 'round' is not full, diag, spherical or tied" ]
	run -2 --separate-stderr am am-train -a gmm --select best -o g.amm "$SEG/mix3.csv"
	[ "${stderr_lines[0]}" = "am-train: --select: 'best' is not bic, aic or silhouette" ]
	run -2 --separate-stderr am am-train -a kmeans --mini-batch 0 -o g.amm "$SEG/mix3.csv"
	[[ "${stderr_lines[0]}" == "am-train: --mini-batch: '0' is not"* ]]
	[ -z "$output" ]
	run -1 --separate-stderr am am-train -a gmm -k 2..3 --select silhouette -o g.amm "$SEG/mix3.csv"
	one_line_error
	[[ "$stderr" == *"--select silhouette is for kmeans"* ]]
	run -1 --separate-stderr am am-train -a kmeans -k 2..3 --select bic -o g.amm "$SEG/mix3.csv"
	one_line_error
	[ "$stderr" = "am-train: --select bic is for gmm; kmeans selects by silhouette" ]
	run -0 --separate-stderr am am-train -a kmeans -k 2..3 --select silhouette -o g.amm "$SEG/mix3.csv"
}

@test "am-segment: a damaged gmm payload is refused" {
	run -0 --separate-stderr am am-train -a gmm -k 2 -o g.amm "$SEG/mix3.csv"
	run -0 --separate-stderr am am-model verify g.amm
	# Flip a byte inside the payload: the checksum refuses it.
	size=$(wc -c < g.amm)
	cp g.amm bad.amm
	printf '\377' | dd of=bad.amm bs=1 seek=$((size - 40)) conv=notrunc 2>/dev/null
	run -1 --separate-stderr am am-predict -m bad.amm "$SEG/mix3.csv"
	one_line_error
}

@test "am-segment: am-predict streams a gmm model record by record" {
	run -0 --separate-stderr am am-train -a gmm -k 3 -o g.amm "$SEG/mix3.csv"
	mkfifo in
	{ printf 'x1,x2\n0,0\n'; sleep 30; } >in &
	writer=$!
	am-predict -m g.amm --line-buffered <in >out &
	pred=$!
	for _ in $(seq 100); do
		[ "$(wc -l <out)" -ge 2 ] && break
		sleep 0.1
	done
	got=$(wc -l <out)
	kill "$pred" "$writer" 2>/dev/null || true
	pkill -P "$writer" sleep 2>/dev/null || true
	[ "$got" -eq 2 ]
	[ "$(head -1 out)" = "segment,p_0,p_1,p_2,logdensity" ]
	[[ "$(tail -1 out)" == 1,* ]]
}

# 2026-11-28 #8: a diag or spherical model with d * d > its payload was
# refused at load ("malformed 'gmm' section").
@test "am-segment: every covariance type loads back in am-predict, whatever K and d" {
	for t in full diag spherical tied; do
		for k in 1 3; do
			run -0 --separate-stderr am am-train -a gmm -k $k --covariance $t -o g.amm "$SEG/iris.csv"
			run -0 --separate-stderr am am-predict -m g.amm "$SEG/iris.csv"
			[ "${#lines[@]}" -eq 151 ]
			run -0 --separate-stderr am am-model verify g.amm
		done
	done
}

@test "am-segment: the README walk-through on Online Retail: RFM, kmeans K=3 by silhouette, profiles" {
	need_shared online-retail/online_retail.csv.gz
	zcat "$SHARED/online-retail/online_retail.csv.gz" > retail.csv
	am-features -q --rfm CustomerID,InvoiceDate,Quantity*UnitPrice,InvoiceNo retail.csv > rfm.csv
	[ "$(wc -l < rfm.csv)" -eq 4340 ]
	am-features -q -i CustomerID --drop mean --log1p recency,frequency,monetary,tenure \
	    -o rfmfeat.amm --to bin rfm.csv > rfm.bin
	run -0 --separate-stderr am am-train -a kmeans -k 2..8 --restarts 3 -s 1 -o km.amm rfm.bin
	[ "$(param km.amm k)" = 3 ]
	am-predict -m km.amm rfm.bin > seg.csv
	[ "$(head -1 seg.csv)" = "CustomerID,segment,distance" ]
	cut -d, -f2 seg.csv | paste -d, rfm.csv - > profiled.csv
	run -0 --separate-stderr am am-eval --segments segment --csv profiled.csv
	# Three segments: one with high frequency and monetary indexes (loyal),
	# one with a low tenure index (new), one with a high recency index
	# (lapsed).
	printf '%s\n' "${lines[@]}" | awk -F, '
	$2 == "frequency" && $4 > 150 { loyal = 1 }
	$2 == "tenure" && $4 < 50 { new = 1 }
	$2 == "recency" && $4 > 150 { lapsed = 1 }
	END { exit !(loyal && new && lapsed) }'
	run -0 --separate-stderr am am-train -a gmm -k 2..6 --covariance diag --restarts 3 -s 1 -o gmm.amm rfm.bin
	run -0 --separate-stderr am am-predict -m gmm.amm rfm.bin
	[[ "${lines[0]}" == CustomerID,segment,p_0,*,logdensity ]]
	[ "${#lines[@]}" -eq 4340 ]
}
