/*
 * am-train -- fit a model on a feature stream (binary, CSV or LIBSVM) and
 * save it as an artifact.  Buffers its input: the whole table is held in
 * memory (about 12 bytes per nonzero feature value and 16 per row, up to
 * twice that while growing; -v reports it).
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_art.h"
#include "am_cli.h"
#include "am_cv.h"
#include "am_fs.h"
#include "am_gmm.h"
#include "am_io.h"
#include "am_kmeans.h"
#include "am_metrics.h"
#include "am_mlp.h"
#include "am_model.h"
#include "am_rf.h"
#include "am_rec.h"
#include "am_table.h"

#include "am_banned.h"

enum {
	OPT_BALANCED = 256,
	OPT_CLASS_WEIGHT,
	OPT_FROM,
	OPT_INTERCEPT,
	OPT_LAMBDA,
	OPT_MAX_ITER,
	OPT_MODE,
	OPT_POS,
	OPT_UPDATE,
	OPT_VERSION,
	/* Random forest (-a rf): see tree_opt(). */
	OPT_RF_TREES = 512,
	OPT_RF_MAX_DEPTH,
	OPT_RF_MIN_LEAF,
	OPT_RF_MIN_SPLIT,
	OPT_RF_MAX_FEATURES,
	OPT_RF_CRITERION,
	OPT_RF_NO_BOOTSTRAP,
	OPT_RF_PERMUTATION,
	OPT_RF_MAX_TREES,
	/* Neural network (-a mlp): see net_opt(). */
	OPT_MLP_ACTIVATION = 1024,
	OPT_MLP_BATCH,
	OPT_MLP_EARLY_STOP,
	OPT_MLP_EPOCHS,
	OPT_MLP_HIDDEN,
	OPT_MLP_L2,
	OPT_MLP_LR,
	OPT_MLP_MOMENTUM,
	OPT_MLP_PATIENCE,
	OPT_MLP_SOLVER,
	/* Segmentation (-a gmm, kmeans): see seg_opt(). */
	OPT_SEG_COVARIANCE = 768,
	OPT_SEG_DECAY,
	OPT_SEG_MINI_BATCH,
	OPT_SEG_REG_COVAR,
	OPT_SEG_RESTARTS,
	OPT_SEG_SELECT,
	OPT_SEG_TOL,
	/* Linear models and validation: see lin_opt(). */
	OPT_LIN_ALPHA = 2048,
	OPT_LIN_CV,
	OPT_LIN_L1_RATIO,
	OPT_LIN_LOSS,
	OPT_LIN_MULTICLASS,
	OPT_LIN_PENALTY,
	OPT_LIN_VALID,
};

struct opts {
	const char *algo, *out, *target, *weight, *path;
	const char *update; /* --update OLD */
	int have_algo;      /* -a given */
	const char **ids, **cw_label;
	double *cw;
	size_t nid, ncw;
	int from, delim, quiet, verbose, have_c;
	struct am_model_params par;
	size_t cv;                /* --cv K */
	const char *valid;        /* --valid FILE */
	struct am_rf_params rf;   /* -a rf */
	struct am_mlp_params mlp; /* -a mlp */
	/* -a gmm, kmeans */
	struct am_seg_params seg;
};

static const struct option longopts[] = {
	{ "algorithm", required_argument, NULL, 'a' },
	{ "balanced", no_argument, NULL, OPT_BALANCED },
	{ "bias", required_argument, NULL, 'B' },
	{ "class-weight", required_argument, NULL, OPT_CLASS_WEIGHT },
	{ "cost", required_argument, NULL, 'c' },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "eps", required_argument, NULL, 'e' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "help", no_argument, NULL, 'h' },
	{ "id", required_argument, NULL, 'i' },
	{ "intercept", no_argument, NULL, OPT_INTERCEPT },
	{ "lambda", required_argument, NULL, OPT_LAMBDA },
	{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "output", required_argument, NULL, 'o' },
	{ "pos", required_argument, NULL, OPT_POS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "seed", required_argument, NULL, 's' },
	{ "target", required_argument, NULL, 't' },
	{ "threads", required_argument, NULL, 'j' },
	{ "update", required_argument, NULL, OPT_UPDATE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	/* Linear models and validation. */
	{ "alpha", required_argument, NULL, OPT_LIN_ALPHA },
	{ "cv", required_argument, NULL, OPT_LIN_CV },
	{ "l1-ratio", required_argument, NULL, OPT_LIN_L1_RATIO },
	{ "loss", required_argument, NULL, OPT_LIN_LOSS },
	{ "multiclass", required_argument, NULL, OPT_LIN_MULTICLASS },
	{ "penalty", required_argument, NULL, OPT_LIN_PENALTY },
	{ "valid", required_argument, NULL, OPT_LIN_VALID },
	{ "weight", required_argument, NULL, 'w' },
	/* Random forest (-a rf). */
	{ "criterion", required_argument, NULL, OPT_RF_CRITERION },
	{ "max-depth", required_argument, NULL, OPT_RF_MAX_DEPTH },
	{ "max-features", required_argument, NULL, OPT_RF_MAX_FEATURES },
	{ "max-trees", required_argument, NULL, OPT_RF_MAX_TREES },
	{ "min-leaf", required_argument, NULL, OPT_RF_MIN_LEAF },
	{ "min-split", required_argument, NULL, OPT_RF_MIN_SPLIT },
	{ "no-bootstrap", no_argument, NULL, OPT_RF_NO_BOOTSTRAP },
	{ "permutation-importance", no_argument, NULL, OPT_RF_PERMUTATION },
	{ "trees", required_argument, NULL, OPT_RF_TREES },
	/* Neural network (-a mlp). */
	{ "activation", required_argument, NULL, OPT_MLP_ACTIVATION },
	{ "batch", required_argument, NULL, OPT_MLP_BATCH },
	{ "early-stop", required_argument, NULL, OPT_MLP_EARLY_STOP },
	{ "epochs", required_argument, NULL, OPT_MLP_EPOCHS },
	{ "hidden", required_argument, NULL, OPT_MLP_HIDDEN },
	{ "l2", required_argument, NULL, OPT_MLP_L2 },
	{ "lr", required_argument, NULL, OPT_MLP_LR },
	{ "momentum", required_argument, NULL, OPT_MLP_MOMENTUM },
	{ "patience", required_argument, NULL, OPT_MLP_PATIENCE },
	{ "solver", required_argument, NULL, OPT_MLP_SOLVER },
	/* Segmentation (-a gmm, kmeans). */
	{ "covariance", required_argument, NULL, OPT_SEG_COVARIANCE },
	{ "decay", required_argument, NULL, OPT_SEG_DECAY },
	{ "mini-batch", required_argument, NULL, OPT_SEG_MINI_BATCH },
	{ "reg-covar", required_argument, NULL, OPT_SEG_REG_COVAR },
	{ "restarts", required_argument, NULL, OPT_SEG_RESTARTS },
	{ "select", required_argument, NULL, OPT_SEG_SELECT },
	{ "tol", required_argument, NULL, OPT_SEG_TOL },
	{ NULL, 0, NULL, 0 },
};

static void usage(void) __attribute__((noreturn));
static void bad_value(const char *, const char *, const char *)
    __attribute__((noreturn));
static void help(void);

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		err(AM_EXIT_FAILURE, "out of memory");
	return p;
}

/* --class-weight LABEL=W: the last '=' splits, so labels may hold '='. */
static void
add_class_weight(struct opts *o, char *arg)
{
	char *eq = strrchr(arg, '=');
	double w;

	if (eq == NULL || eq == arg ||
	    am_parse_double(eq + 1, 0, HUGE_VAL, &w) != 0 || !(w > 0)) {
		warnx(
		    "--class-weight: '%s' is not LABEL=WEIGHT with WEIGHT > 0",
		    arg);
		usage();
	}
	*eq = '\0';
	o->cw_label = xrealloc(o->cw_label, (o->ncw + 1) * sizeof(char *));
	o->cw = xrealloc(o->cw, (o->ncw + 1) * sizeof(double));
	o->cw_label[o->ncw] = arg;
	o->cw[o->ncw++] = w;
}

static void
bad_value(const char *opt, const char *arg, const char *what)
{
	warnx("%s: '%s' is not %s", opt, arg, what);
	usage();
}

/* The options of -a rf. */
static void
tree_opt(struct am_rf_params *rf, int ch, const char *arg)
{
	long n;

	switch (ch) {
	case OPT_RF_TREES:
		if (am_parse_long(arg, 1, 100000, &n) != 0)
			bad_value("--trees", arg, "a count in [1, 100000]");
		rf->ntrees = (int)n;
		break;
	case OPT_RF_MAX_DEPTH:
		if (am_parse_long(arg, 0, 10000, &n) != 0)
			bad_value("--max-depth", arg, "a depth in [0, 10000]");
		rf->max_depth = (int)n;
		break;
	case OPT_RF_MIN_LEAF:
		if (am_parse_long(arg, 1, 1000000000, &n) != 0)
			bad_value("--min-leaf", arg, "a count >= 1");
		rf->min_leaf = (int)n;
		break;
	case OPT_RF_MIN_SPLIT:
		if (am_parse_long(arg, 2, 1000000000, &n) != 0)
			bad_value("--min-split", arg, "a count >= 2");
		rf->min_split = (int)n;
		break;
	case OPT_RF_MAX_FEATURES:
		if (strcmp(arg, "sqrt") == 0)
			rf->max_feat = 0;
		else if (strcmp(arg, "log2") == 0)
			rf->max_feat = AM_RF_LOG2;
		else if (strcmp(arg, "all") == 0)
			rf->max_feat = 1e9;
		else if (am_parse_double(arg, 0, 1e9, &rf->max_feat) != 0 ||
		    !(rf->max_feat > 0) ||
		    (rf->max_feat > 1 && rf->max_feat != floor(rf->max_feat)))
			bad_value("--max-features", arg,
			    "sqrt, log2, all, a fraction or a count");
		else if (rf->max_feat == 1)
			rf->max_feat = 1e9; /* a fraction of 1: all */
		break;
	case OPT_RF_CRITERION:
		if (strcmp(arg, "gini") == 0)
			rf->criterion = AM_RF_GINI;
		else if (strcmp(arg, "entropy") == 0)
			rf->criterion = AM_RF_ENTROPY;
		else if (strcmp(arg, "mse") == 0)
			rf->criterion = AM_RF_MSE;
		else
			bad_value("--criterion", arg, "gini, entropy or mse");
		break;
	case OPT_RF_NO_BOOTSTRAP:
		rf->bootstrap = 0;
		break;
	case OPT_RF_PERMUTATION:
		rf->permutation = 1;
		break;
	case OPT_RF_MAX_TREES:
		if (am_parse_long(arg, 1, 100000, &n) != 0)
			bad_value("--max-trees", arg, "a count in [1, 100000]");
		rf->max_trees = (int)n;
		break;
	}
}

/* --hidden 64,32: 1 to 3 layer widths. */
static void
parse_hidden(struct am_mlp_params *p, const char *arg)
{
	const char *s = arg;
	char num[16];
	long n;

	p->nhidden = 0;
	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		if (p->nhidden == AM_MLP_MAXLAYER || len == 0 ||
		    len >= sizeof(num))
			bad_value("--hidden", arg, "1 to 3 widths like 64,32");
		memcpy(num, s, len);
		num[len] = '\0';
		if (am_parse_long(num, 1, AM_MLP_MAXWIDTH, &n) != 0)
			bad_value("--hidden", arg, "widths in [1, 4096]");
		p->hidden[p->nhidden++] = (size_t)n;
		s += len;
		if (*s == ',' && *++s == '\0')
			bad_value("--hidden", arg, "1 to 3 widths like 64,32");
	}
	if (p->nhidden == 0)
		bad_value("--hidden", arg, "1 to 3 widths like 64,32");
}

/* The options of -a mlp. */
static void
net_opt(struct am_mlp_params *p, int ch, const char *arg)
{
	long n;

	switch (ch) {
	case OPT_MLP_ACTIVATION:
		if (strcmp(arg, "relu") == 0)
			p->activation = AM_MLP_RELU;
		else if (strcmp(arg, "tanh") == 0)
			p->activation = AM_MLP_TANH;
		else
			bad_value("--activation", arg, "relu or tanh");
		break;
	case OPT_MLP_BATCH:
		if (am_parse_long(arg, 1, 1000000, &n) != 0)
			bad_value("--batch", arg, "a count in [1, 1000000]");
		p->batch = (int)n;
		break;
	case OPT_MLP_EARLY_STOP:
		if (am_parse_double(arg, 0, 0.9, &p->valid) != 0)
			bad_value("--early-stop", arg,
			    "a fraction in [0, 0.9]");
		break;
	case OPT_MLP_EPOCHS:
		if (am_parse_long(arg, 1, 100000, &n) != 0)
			bad_value("--epochs", arg, "a count in [1, 100000]");
		p->epochs = (int)n;
		break;
	case OPT_MLP_HIDDEN:
		parse_hidden(p, arg);
		break;
	case OPT_MLP_L2:
		if (am_parse_double(arg, 0, 1e6, &p->alpha) != 0)
			bad_value("--l2", arg, "a penalty in [0, 1e6]");
		break;
	case OPT_MLP_LR:
		if (am_parse_double(arg, 0, 10, &p->lr) != 0 || !(p->lr > 0))
			bad_value("--lr", arg, "a step size in (0, 10]");
		break;
	case OPT_MLP_MOMENTUM:
		if (am_parse_double(arg, 0, 0.999, &p->momentum) != 0)
			bad_value("--momentum", arg, "in [0, 0.999]");
		break;
	case OPT_MLP_PATIENCE:
		if (am_parse_long(arg, 1, 100000, &n) != 0)
			bad_value("--patience", arg, "a count in [1, 100000]");
		p->patience = (int)n;
		break;
	case OPT_MLP_SOLVER:
		if (strcmp(arg, "adam") == 0)
			p->solver = AM_MLP_ADAM;
		else if (strcmp(arg, "sgd") == 0)
			p->solver = AM_MLP_SGD;
		else
			bad_value("--solver", arg, "adam or sgd");
		break;
	}
}

/* The options of -a gmm and -a kmeans; -k K or -k KMIN..KMAX. */
static void
seg_opt(struct am_seg_params *sp, int ch, const char *arg)
{
	const char *dots;
	long n, n2;

	switch (ch) {
	case 'k':
		if ((dots = strstr(arg, "..")) != NULL) {
			char lo[32];
			size_t len = (size_t)(dots - arg);
			if (len == 0 || len >= sizeof(lo))
				bad_value("-k", arg, "K or KMIN..KMAX");
			memcpy(lo, arg, len);
			lo[len] = '\0';
			if (am_parse_long(lo, 1, 1000, &n) != 0 ||
			    am_parse_long(dots + 2, 1, 1000, &n2) != 0 ||
			    n2 < n)
				bad_value("-k", arg,
				    "K or KMIN..KMAX in [1, 1000]");
		} else if (am_parse_long(arg, 1, 1000, &n) != 0)
			bad_value("-k", arg, "K or KMIN..KMAX in [1, 1000]");
		else
			n2 = n;
		sp->kmin = (size_t)n;
		sp->kmax = (size_t)n2;
		break;
	case OPT_SEG_COVARIANCE:
		if ((sp->cov = am_gmm_cov_byname(arg)) < 0)
			bad_value("--covariance", arg,
			    "full, diag, spherical or tied");
		break;
	case OPT_SEG_DECAY:
		if (am_parse_double(arg, 0, 1, &sp->decay) != 0)
			bad_value("--decay", arg, "a weight in [0, 1]");
		break;
	case OPT_SEG_MINI_BATCH:
		if (am_parse_long(arg, 1, 100000000, &n) != 0)
			bad_value("--mini-batch", arg,
			    "a batch size in [1, 1e8]");
		sp->batch = (size_t)n;
		break;
	case OPT_SEG_REG_COVAR:
		if (am_parse_double(arg, 0, 1e6, &sp->reg_covar) != 0)
			bad_value("--reg-covar", arg, "a floor in [0, 1e6]");
		break;
	case OPT_SEG_RESTARTS:
		if (am_parse_long(arg, 1, 10000, &n) != 0)
			bad_value("--restarts", arg, "a count in [1, 10000]");
		sp->restarts = (int)n;
		break;
	case OPT_SEG_SELECT:
		if (strcmp(arg, "bic") == 0)
			sp->select = AM_SEG_BIC;
		else if (strcmp(arg, "aic") == 0)
			sp->select = AM_SEG_AIC;
		else if (strcmp(arg, "silhouette") == 0)
			sp->select = AM_SEG_SILHOUETTE;
		else
			bad_value("--select", arg, "bic, aic or silhouette");
		break;
	case OPT_SEG_TOL:
		if (am_parse_double(arg, 0, 1e6, &sp->tol) != 0)
			bad_value("--tol", arg, "a tolerance in [0, 1e6]");
		break;
	}
}

/* Options of the linear models and of validation. */
static void
lin_opt(struct opts *o, int ch, const char *arg)
{
	long n;

	switch (ch) {
	case OPT_LIN_ALPHA:
		if (am_parse_double(arg, 0, 1e12, &o->par.alpha) != 0)
			bad_value("--alpha", arg, "a penalty in [0, 1e12]");
		break;
	case OPT_LIN_CV:
		if (am_parse_long(arg, 2, 1000, &n) != 0)
			bad_value("--cv", arg, "a fold count in [2, 1000]");
		o->cv = (size_t)n;
		break;
	case OPT_LIN_L1_RATIO:
		if (am_parse_double(arg, 0, 1, &o->par.l1_ratio) != 0)
			bad_value("--l1-ratio", arg, "a ratio in [0, 1]");
		break;
	case OPT_LIN_LOSS:
		if (strcmp(arg, "hinge") == 0 || strcmp(arg, "l1") == 0)
			o->par.loss = 1;
		else if (strcmp(arg, "squared-hinge") == 0 ||
		    strcmp(arg, "l2") == 0)
			o->par.loss = 2;
		else
			bad_value("--loss", arg, "hinge or squared-hinge");
		break;
	case OPT_LIN_MULTICLASS:
		if (strcmp(arg, "ovr") == 0)
			o->par.multiclass = AM_MULTI_OVR;
		else if (strcmp(arg, "softmax") == 0)
			o->par.multiclass = AM_MULTI_SOFTMAX;
		else
			bad_value("--multiclass", arg, "ovr or softmax");
		break;
	case OPT_LIN_PENALTY:
		if (strcmp(arg, "l2") == 0)
			o->par.penalty = AM_PENALTY_L2;
		else if (strcmp(arg, "l1") == 0)
			o->par.penalty = AM_PENALTY_L1;
		else if (strcmp(arg, "elasticnet") == 0)
			o->par.penalty = AM_PENALTY_ENET;
		else
			bad_value("--penalty", arg, "l2, l1 or elasticnet");
		break;
	case OPT_LIN_VALID:
		o->valid = arg;
		break;
	}
}

static void
parse_args(int argc, char *argv[], struct opts *o)
{
	long n;
	int ch, mode;

	opterr = 0;
	while ((ch = getopt_long(argc, argv,
	            ":a:B:c:d:e:hi:j:k:o:qs:t:vw:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->algo = optarg;
			o->have_algo = 1;
			break;
		case 'B':
			if (am_parse_double(optarg, 0, 1e6, &o->par.bias) != 0)
				bad_value("-B", optarg, "a bias in [0, 1e6]");
			break;
		case 'c':
			if (am_parse_double(optarg, 0, 1e12, &o->par.C) != 0 ||
			    !(o->par.C > 0))
				bad_value("-c", optarg, "a cost in (0, 1e12]");
			o->have_c = 1;
			break;
		case 'd':
			if ((o->delim = am_parse_delim(optarg)) < 0)
				bad_value("-d", optarg, "one character");
			break;
		case 'e':
			if (am_parse_double(optarg, 0, 1, &o->par.eps) != 0 ||
			    !(o->par.eps > 0))
				bad_value("-e", optarg,
				    "a tolerance in (0, 1]");
			break;
		case 'h':
			help();
			exit(am_close_stdout(AM_EXIT_OK));
		case 'i':
			o->ids =
			    xrealloc(o->ids, (o->nid + 1) * sizeof(char *));
			o->ids[o->nid++] = optarg;
			break;
		case 'j':
			if (am_parse_long(optarg, 1, 256, &n) != 0)
				bad_value("-j", optarg,
				    "a thread count in [1, 256]");
			o->par.threads = (int)n;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_MODE:
			if (am_cli_mode(optarg, &mode) != 0)
				usage();
			am_atomic_set_mode(mode);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 's':
			if (am_parse_seed(optarg, &o->par.seed) != 0)
				bad_value("-s", optarg, "a seed in [0, 2^64)");
			break;
		case 't':
			o->target = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'w':
			o->weight = optarg;
			break;
		case OPT_BALANCED:
			o->par.balanced = 1;
			break;
		case OPT_CLASS_WEIGHT:
			add_class_weight(o, optarg);
			break;
		case OPT_FROM:
			if ((o->from = am_fs_format_byname(optarg)) < 0)
				bad_value("--from", optarg,
				    "csv, bin or libsvm");
			break;
		case OPT_INTERCEPT:
			o->par.intercept = 1;
			break;
		case OPT_LAMBDA:
			if (am_parse_double(optarg, 0, 1e12, &o->par.lambda) !=
			        0 ||
			    !(o->par.lambda > 0))
				bad_value("--lambda", optarg,
				    "a penalty in (0, 1e12]");
			break;
		case OPT_MAX_ITER:
			if (am_parse_long(optarg, 1, 1000000, &n) != 0)
				bad_value("--max-iter", optarg,
				    "a count in [1, 1000000]");
			o->par.max_iter = (int)n;
			break;
		case OPT_POS:
			o->par.pos = optarg;
			break;
		case OPT_UPDATE:
			o->update = optarg;
			break;
		case OPT_VERSION:
			am_print_version(stdout, "am-train");
			exit(am_close_stdout(AM_EXIT_OK));
		case OPT_RF_TREES:
		case OPT_RF_MAX_DEPTH:
		case OPT_RF_MIN_LEAF:
		case OPT_RF_MIN_SPLIT:
		case OPT_RF_MAX_FEATURES:
		case OPT_RF_CRITERION:
		case OPT_RF_NO_BOOTSTRAP:
		case OPT_RF_PERMUTATION:
		case OPT_RF_MAX_TREES:
			tree_opt(&o->rf, ch, optarg);
			break;
		case OPT_MLP_ACTIVATION:
		case OPT_MLP_BATCH:
		case OPT_MLP_EARLY_STOP:
		case OPT_MLP_EPOCHS:
		case OPT_MLP_HIDDEN:
		case OPT_MLP_L2:
		case OPT_MLP_LR:
		case OPT_MLP_MOMENTUM:
		case OPT_MLP_PATIENCE:
		case OPT_MLP_SOLVER:
			net_opt(&o->mlp, ch, optarg);
			break;
		case 'k':
		case OPT_SEG_COVARIANCE:
		case OPT_SEG_DECAY:
		case OPT_SEG_MINI_BATCH:
		case OPT_SEG_REG_COVAR:
		case OPT_SEG_RESTARTS:
		case OPT_SEG_SELECT:
		case OPT_SEG_TOL:
			seg_opt(&o->seg, ch, optarg);
			break;
		case OPT_LIN_ALPHA:
		case OPT_LIN_CV:
		case OPT_LIN_L1_RATIO:
		case OPT_LIN_LOSS:
		case OPT_LIN_MULTICLASS:
		case OPT_LIN_PENALTY:
		case OPT_LIN_VALID:
			lin_opt(o, ch, optarg);
			break;
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if (am_model_ops_byname(o->algo) == NULL) {
		warnx("-a: unknown algorithm '%s' (known: %s)", o->algo,
		    am_model_algos());
		usage();
	}
	if (o->out == NULL && o->cv == 0) {
		warnx("-o MODEL is required (the model file to write)");
		usage();
	}
	if (o->have_c && o->par.lambda > 0) {
		warnx("-c and --lambda exclude each other");
		usage();
	}
	if (o->update != NULL && o->cv > 0) {
		warnx("--update and --cv exclude each other");
		usage();
	}
	if (o->par.intercept && o->par.bias == 0) {
		warnx("--intercept needs a bias (not -B 0)");
		usage();
	}
	if (argc - optind > 1)
		usage();
	o->path = optind < argc ? argv[optind] : "-";
}

/* Progress on a terminal: one line rewritten in place. */
static void
progress(void *ctx, int iter, double obj, double gnorm)
{
	(void)ctx;
	(void)fprintf(stderr,
	    "\ram-train: iteration %d, objective %.6g, "
	    "|gradient| %.3g ",
	    iter, obj, gnorm);
}

static void
rf_progress(void *ctx, int done, int total)
{
	(void)ctx;
	(void)fprintf(stderr, "\ram-train: tree %d of %d ", done, total);
}

static void
mlp_progress(void *ctx, int epoch, double loss, double vloss)
{
	(void)ctx;
	(void)fprintf(stderr, "\ram-train: epoch %d, loss %.6g", epoch, loss);
	if (!isnan(vloss))
		(void)fprintf(stderr, ", validation loss %.6g", vloss);
	(void)fputs(" ", stderr);
}

/* The report of a classifying rf or mlp: what the fit measured. */
static void
tm_report(const struct am_art *a, const char *name, size_t rows, size_t nfeat,
    double auc, double ll)
{
	const char *v;
	char s[256] = "";
	size_t n;

	if ((v = am_art_get(a, "metric.trees")) != NULL)
		(void)snprintf(s, sizeof(s), ", %s trees, %s nodes", v,
		    am_art_get(a, "metric.nodes"));
	if ((v = am_art_get(a, "metric.oob_accuracy")) != NULL) {
		n = strlen(s);
		(void)snprintf(s + n, sizeof(s) - n, ", oob accuracy %.4f",
		    strtod(v, NULL));
	}
	if ((v = am_art_get(a, "metric.oob_auc")) != NULL) {
		n = strlen(s);
		(void)snprintf(s + n, sizeof(s) - n, ", oob auc %.4f",
		    strtod(v, NULL));
	}
	if (strcmp(name, "mlp") == 0 &&
	    (v = am_art_get(a, "metric.epochs")) != NULL) {
		n = strlen(s);
		(void)snprintf(s + n, sizeof(s) - n, ", %s epochs", v);
	}
	if ((v = am_art_get(a, "metric.valid_loss")) != NULL) {
		n = strlen(s);
		(void)snprintf(s + n, sizeof(s) - n, ", validation loss %.4f",
		    strtod(v, NULL));
	}
	if (isnan(auc))
		warnx("%s: %zu rows, %zu features%s", name, rows, nfeat, s);
	else
		warnx("%s: %zu rows, %zu features%s, train auc %.4f, logloss "
		      "%.4f",
		    name, rows, nfeat, s, auc, ll);
}

/* -a gmm, kmeans: the table of K tried (when a range) and the result. */
static void
seg_report(const struct am_art *a, const char *algo, size_t rows, size_t nf)
{
	const char *v, *conv = am_art_get(a, "metric.converged");
	char key[64];
	size_t k;

	for (k = 1; k <= 1000; k++) {
		(void)snprintf(key, sizeof(key), "metric.select.k%zu", k);
		if ((v = am_art_get(a, key)) != NULL)
			warnx("k %zu: %s", k, v);
	}
	v = am_art_get(a, "metric.iterations");
	if (strcmp(algo, "gmm") == 0)
		warnx("gmm: %zu rows, %zu features, k %s, %s covariance, %s "
		      "iterations%s, mean log-likelihood %.6g, bic %.6g",
		    rows, nf, am_art_get(a, "hyper.k"),
		    am_art_get(a, "hyper.covariance"), v ? v : "-",
		    conv && strcmp(conv, "1") == 0 ? "" : " (not converged)",
		    strtod(am_art_get(a, "metric.loglik"), NULL),
		    strtod(am_art_get(a, "metric.bic"), NULL));
	else
		warnx("%s: %zu rows, %zu features, k %s, %s iterations%s, "
		      "inertia %.6g",
		    algo, rows, nf, am_art_get(a, "hyper.k"), v ? v : "-",
		    conv && strcmp(conv, "1") == 0 ? "" : " (not converged)",
		    strtod(am_art_get(a, "metric.inertia"), NULL));
}

/* One CSV row of metrics: classifier or regression columns. */
static void
put_metrics(const char *name, const struct am_cv_metrics *m)
{
	if (m->regression)
		(void)printf("%s,%.15g,%.15g,%.15g,%.15g\n", name, m->rows,
		    m->rmse, m->mae, m->r2);
	else
		(void)printf("%s,%.15g,%.15g,%.15g,%.15g\n", name, m->rows,
		    m->auc, m->logloss, m->accuracy);
}

/* --cv K: per-fold metrics, their mean and sd (CSV on stdout). */
static int
run_cv(const struct opts *o, const struct am_model_ops *ops,
    const struct am_table *t, const struct am_model_params *par,
    struct am_err *e)
{
	struct am_cv_metrics *f, mean, sd;
	struct am_model_params p = *par;
	size_t i, k = o->cv;
	char name[32];
	int rc;

	if ((f = calloc(k, sizeof(*f))) == NULL)
		return am_seterr(e, AM_ENOMEM, "out of memory");
	p.progress = NULL;
	if ((rc = am_cv_run(ops, t, &p, k, f, e)) != 0) {
		free(f);
		return rc;
	}
	memset(&mean, 0, sizeof(mean));
	memset(&sd, 0, sizeof(sd));
	mean.regression = sd.regression = f[0].regression;
#define CV_STAT(field)                                    \
	do {                                              \
		double s = 0, ss = 0;                     \
		for (i = 0; i < k; i++)                   \
			s += f[i].field;                  \
		mean.field = s / (double)k;               \
		for (i = 0; i < k; i++)                   \
			ss += (f[i].field - mean.field) * \
			    (f[i].field - mean.field);    \
		sd.field = sqrt(ss / (double)(k - 1));    \
	} while (0)
	CV_STAT(rows);
	CV_STAT(auc);
	CV_STAT(logloss);
	CV_STAT(accuracy);
	CV_STAT(rmse);
	CV_STAT(mae);
	CV_STAT(r2);
#undef CV_STAT
	(void)printf(f[0].regression ? "fold,rows,rmse,mae,r2\n"
	                             : "fold,rows,auc,logloss,accuracy\n");
	for (i = 0; i < k; i++) {
		(void)snprintf(name, sizeof(name), "%zu", i + 1);
		put_metrics(name, &f[i]);
	}
	put_metrics("mean", &mean);
	put_metrics("sd", &sd);
	if (!o->quiet) {
		if (mean.regression)
			warnx("%s: %zu-fold cv: rmse %.4f +- %.4f, r2 %.4f +- "
			      "%.4f",
			    ops->name, k, mean.rmse, sd.rmse, mean.r2, sd.r2);
		else
			warnx("%s: %zu-fold cv: auc %.4f +- %.4f, logloss "
			      "%.4f +- %.4f, accuracy %.4f +- %.4f",
			    ops->name, k, mean.auc, sd.auc, mean.logloss,
			    sd.logloss, mean.accuracy, sd.accuracy);
	}
	free(f);
	return 0;
}

/*
 * A classifier's training metrics into the artifact ('auc' and 'll' for
 * the report): auc and log loss (binary: of the positive class; more
 * classes: macro one-vs-rest auc), and accuracy for more than two
 * classes.  Rows are predicted on 'threads' threads.
 */
static int
train_metrics(const struct am_model *m, const struct am_table *t, int threads,
    struct am_art *a, double *auc, double *ll, struct am_err *e)
{
	struct am_cv_metrics r;
	size_t nout = am_model_nout(m);
	int rc;

	*auc = *ll = (double)NAN;
	if (!am_model_is_classifier(m) || nout == 2)
		return 0;
	if ((rc = am_cv_eval(m, t, threads, &r, e)) != 0)
		return rc;
	*auc = r.auc;
	*ll = r.logloss;
	rc = am_art_setf(a, "metric.train_auc", "%.17g", r.auc);
	rc |= am_art_setf(a, "metric.train_logloss", "%.17g", r.logloss);
	if (nout > 2)
		rc |= am_art_setf(a, "metric.train_accuracy", "%.17g",
		    r.accuracy);
	if (rc != 0)
		return am_seterr(e, AM_ENOMEM, "out of memory");
	return 0;
}

/* --valid FILE: judge the model on it, into the artifact. */
static int
run_valid(const struct opts *o, const struct am_model *m,
    const struct am_fs_opts *fo, struct am_art *a, struct am_err *e)
{
	const struct am_model_ops *ops = am_model_ops(m);
	struct am_table *v;
	struct am_cv_metrics r;
	int rc;

	if ((v = am_table_load(o->valid, fo, AM_TABLE_NEED_TARGET, e)) == NULL)
		return e->code;
	if (am_model_is_classifier(m) &&
	    (rc = am_table_classify(v, ops->maxclass, e)) != 0)
		goto out;
	if ((rc = am_cv_eval(m, v, o->par.threads, &r, e)) != 0)
		goto out;
	rc = am_art_setf(a, "metric.valid_rows", "%.17g", r.rows);
	if (r.regression) {
		rc |= am_art_setf(a, "metric.valid_rmse", "%.17g", r.rmse);
		rc |= am_art_setf(a, "metric.valid_mae", "%.17g", r.mae);
		rc |= am_art_setf(a, "metric.valid_r2", "%.17g", r.r2);
	} else {
		rc |= am_art_setf(a, "metric.valid_auc", "%.17g", r.auc);
		rc |=
		    am_art_setf(a, "metric.valid_logloss", "%.17g", r.logloss);
		rc |= am_art_setf(a, "metric.valid_accuracy", "%.17g",
		    r.accuracy);
	}
	if (rc != 0) {
		rc = am_seterr(e, AM_ENOMEM, "out of memory");
		goto out;
	}
	if (!o->quiet) {
		if (r.regression)
			warnx("%s: validation %s: %.0f rows, rmse %.4f, mae "
			      "%.4f, r2 %.4f",
			    ops->name, v->input, r.rows, r.rmse, r.mae, r.r2);
		else
			warnx("%s: validation %s: %.0f rows, auc %.4f, logloss "
			      "%.4f, accuracy %.4f",
			    ops->name, v->input, r.rows, r.auc, r.logloss,
			    r.accuracy);
	}
out:
	am_table_free(v);
	return rc;
}

/*
 * --update OLD: the model to continue, and its artifact (a parent of the
 * new one).  -a, when given, must name OLD's algorithm.
 */
static int
load_old(const struct opts *o, struct am_art **old, struct am_model **m,
    struct am_err *e)
{
	if ((*old = am_art_load(o->update, "model", e)) == NULL ||
	    (*m = am_model_load(*old, o->update, e)) == NULL)
		return e->code;
	if (o->have_algo && strcmp(o->algo, am_art_algo(*old)) != 0)
		return am_seterr(e, AM_EARG,
		    "--update: %s is a %s model, not %s", o->update,
		    am_art_algo(*old), o->algo);
	return 0;
}

static int
train(const struct opts *o, int argc, char *argv[], struct am_err *e)
{
	struct am_fs_opts fo = AM_FS_OPTS_INIT;
	const struct am_model_ops *ops = am_model_ops_byname(o->algo);
	struct am_model_params par = o->par;
	struct am_rf_params rf = o->rf;
	struct am_mlp_params mlp = o->mlp;
	struct am_table *t = NULL;
	struct am_model *m = NULL;
	struct am_art *a = NULL, *old = NULL;
	char *cmdline = NULL;
	double auc, ll;
	int rc = AM_ENOMEM, tty = !o->quiet && isatty(STDERR_FILENO);
	unsigned flags = 0;

	if (o->update != NULL) {
		if ((rc = load_old(o, &old, &m, e)) != 0)
			goto out;
		ops = am_model_ops(m);
	}

	fo.format = o->from;
	fo.target = o->target;
	fo.ids = o->ids;
	fo.nid = o->nid;
	fo.weight = o->weight;
	fo.csv.delim = o->delim;
	/*
	 * Segmenters (neither classifier nor regressor) need no target, and
	 * fit dense rows (not --update or --cv, which work on the CSR).
	 */
	if (ops->classifier || ops->regressor)
		flags = AM_TABLE_NEED_TARGET;
	else if (old == NULL && o->cv == 0)
		flags = AM_TABLE_DENSE;
	if ((t = am_table_load(o->path, &fo, flags, e)) == NULL) {
		rc = e->code;
		goto out;
	}
	if ((m != NULL ? am_model_is_classifier(m)
	               : ops->classifier && !ops->regressor) &&
	    (rc = am_table_classify(t, ops->maxclass, e)) != 0)
		goto out;
	if (o->verbose)
		warnx("%s: %zu rows, %zu features, %zu values, %.1f MB in "
		      "memory",
		    t->input, t->rows, t->schema.nfeat, t->x.nnz,
		    (double)am_table_bytes(t) / 1e6);
	par.cw_label = o->cw_label;
	par.cw = o->cw;
	par.ncw = o->ncw;
	if (tty)
		par.progress = progress;
	if (tty) {
		rf.progress = rf_progress;
		mlp.progress = mlp_progress;
	}
	par.rf = &rf;
	par.mlp = &mlp;
	par.seg = &o->seg;
	if (o->cv > 0) {
		if ((rc = run_cv(o, ops, t, &par, e)) != 0 || o->out == NULL)
			goto out;
	}
	rc = 0;
	if (old != NULL)
		rc = am_model_update(m, t, &par, e);
	else if ((m = am_model_fit(ops, t, &par, e)) == NULL)
		rc = e->code;
	if (tty)
		(void)fputs("\n", stderr);
	if (rc != 0)
		goto out;
	rc = AM_ENOMEM;
	if ((a = am_art_new("model", ops->name)) == NULL ||
	    (cmdline = am_cmdline(argc, argv)) == NULL) {
		am_seterr(e, rc, "out of memory");
		goto out;
	}
	if ((rc = am_model_save(m, a, e)) != 0)
		goto out;
	if ((rc = am_art_lineage(a, cmdline, t->input, t->sha256, t->rows,
	         par.seed)) != 0 ||
	    (old != NULL && (rc = am_art_add_parent(a, old)) != 0)) {
		am_seterr(e, rc, "out of memory");
		goto out;
	}
	if (o->valid != NULL && (rc = run_valid(o, m, &fo, a, e)) != 0)
		goto out;
	if ((rc = train_metrics(m, t, par.threads, a, &auc, &ll, e)) != 0 ||
	    (rc = am_art_save(a, o->out, e)) != 0)
		goto out;
	if (!o->quiet && !ops->classifier && !ops->regressor)
		seg_report(a, ops->name, t->rows, t->schema.nfeat);
	else if (!o->quiet && !am_model_is_classifier(m))
		warnx("%s: %zu rows, %zu features, train rmse %.6g", ops->name,
		    t->rows, t->schema.nfeat,
		    strtod(am_art_get(a, "metric.train_rmse")
		            ? am_art_get(a, "metric.train_rmse")
		            : "nan",
		        NULL));
	else if (!o->quiet &&
	    (strcmp(ops->name, "rf") == 0 || strcmp(ops->name, "mlp") == 0))
		tm_report(a, ops->name, t->rows, t->schema.nfeat, auc, ll);
	else if (!o->quiet)
		warnx("%s: %zu rows, %zu features, %s iterations, objective "
		      "%.6g, train auc %.4f, logloss %.4f",
		    ops->name, t->rows, t->schema.nfeat,
		    am_art_get(a, "metric.iterations")
		        ? am_art_get(a, "metric.iterations")
		        : "-",
		    strtod(am_art_get(a, "metric.objective")
		            ? am_art_get(a, "metric.objective")
		            : "nan",
		        NULL),
		    auc, ll);
out:
	free(cmdline);
	am_art_free(a);
	am_art_free(old);
	am_model_free(m);
	am_table_free(t);
	return rc;
}

/*
 * Recommenders (-a popularity, itemknn, userknn, mf, ials, bpr) read an
 * interaction CSV, not a feature stream: they have their own options,
 * parsed here, and are fitted by am_rec.
 */
static int
rec_wanted(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *s = argv[i], *v = NULL;
		if (strcmp(s, "-a") == 0 ||
		    (strncmp(s, "--al", 4) == 0 && strchr(s, '=') == NULL &&
		        strncmp("--algorithm", s, strlen(s)) == 0))
			v = i + 1 < argc ? argv[++i] : NULL;
		else if (strncmp(s, "-a", 2) == 0 && s[1] == 'a')
			v = s + 2;
		else if (strncmp(s, "--algorithm=", 12) == 0)
			v = s + 12;
		if (v != NULL && am_rec_algo_byname(v) >= 0)
			return 1;
		/* --update OLD, OLD a recommender */
		if (strncmp(s, "--update=", 9) == 0 && am_rec_is_file(s + 9))
			return 1;
		if (strcmp(s, "--update") == 0 && i + 1 < argc &&
		    am_rec_is_file(argv[i + 1]))
			return 1;
	}
	return 0;
}

static int
rec_main(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "alpha", required_argument, NULL, 1 },
		{ "context", required_argument, NULL, 2 },
		{ "delimiter", required_argument, NULL, 'd' },
		{ "factors", required_argument, NULL, 3 },
		{ "half-life", required_argument, NULL, 4 },
		{ "help", no_argument, NULL, 'h' },
		{ "item", required_argument, NULL, 5 },
		{ "lr", required_argument, NULL, 6 },
		{ "max-iter", required_argument, NULL, 7 },
		{ "mode", required_argument, NULL, 17 },
		{ "neighbors", required_argument, NULL, 8 },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rating", required_argument, NULL, 9 },
		{ "reg", required_argument, NULL, 10 },
		{ "seed", required_argument, NULL, 's' },
		{ "shrink", required_argument, NULL, 11 },
		{ "similarity", required_argument, NULL, 12 },
		{ "threads", required_argument, NULL, 'j' },
		{ "time", required_argument, NULL, 13 },
		{ "user", required_argument, NULL, 14 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "where", required_argument, NULL, 15 },
		{ "passes", required_argument, NULL, 20 },
		{ "update", required_argument, NULL, 21 },
		{ "window", required_argument, NULL, 16 },
		{ NULL, 0, NULL, 0 },
	};
	struct am_rec_params p = AM_REC_PARAMS_INIT;
	struct am_rec_input in = { "user", "item", NULL, NULL, NULL, NULL, 0 };
	struct am_rec_report rep;
	struct am_err e = { 0 };
	struct am_rec *r = NULL;
	struct am_art *a = NULL;
	const char *out = NULL, *path, **where = NULL;
	char *cmdline = NULL;
	size_t nw = 0;
	long n;
	int ch, quiet = 0, verbose = 0, rc, mode;
	const char *update = NULL, *algo = NULL; /* --update OLD, -a */
	struct am_art *old = NULL;

	p.threads = am_ncpu();
	opterr = 0;
	while (
	    (ch = getopt_long(argc, argv, ":a:d:hj:o:qs:v", lo, NULL)) != -1) {
		switch (ch) {
		case 'a':
			p.algo = am_rec_algo_byname(optarg);
			algo = optarg;
			break;
		case 'd':
			if ((in.delim = am_parse_delim(optarg)) < 0)
				bad_value("-d", optarg, "one character");
			break;
		case 'h':
			help();
			exit(am_close_stdout(AM_EXIT_OK));
		case 'j':
			if (am_parse_long(optarg, 1, 256, &n) != 0)
				bad_value("-j", optarg,
				    "a thread count in [1, 256]");
			p.threads = (int)n;
			break;
		case 'o':
			out = optarg;
			break;
		case 17:
			if (am_cli_mode(optarg, &mode) != 0)
				usage();
			am_atomic_set_mode(mode);
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (am_parse_seed(optarg, &p.seed) != 0)
				bad_value("-s", optarg, "a seed in [0, 2^64)");
			break;
		case 'v':
			verbose = 1;
			break;
		case 1:
			if (am_parse_double(optarg, 0, 1e6, &p.alpha) != 0)
				bad_value("--alpha", optarg, "in [0, 1e6]");
			break;
		case 2:
			in.context = optarg;
			break;
		case 3:
			if (am_parse_long(optarg, 1, 256, &n) != 0)
				bad_value("--factors", optarg, "in [1, 256]");
			p.factors = (int)n;
			break;
		case 4:
			if (am_parse_double(optarg, 0, 1e6, &p.half_life) != 0)
				bad_value("--half-life", optarg,
				    "a number of days in [0, 1e6]");
			break;
		case 5:
			in.item = optarg;
			break;
		case 6:
			if (am_parse_double(optarg, 1e-9, 10, &p.lr) != 0)
				bad_value("--lr", optarg, "in [1e-9, 10]");
			break;
		case 7:
			if (am_parse_long(optarg, 1, 100000, &n) != 0)
				bad_value("--max-iter", optarg,
				    "a count in [1, 100000]");
			p.iters = (int)n;
			break;
		case 8:
			if (am_parse_long(optarg, 1, 100000, &n) != 0)
				bad_value("--neighbors", optarg,
				    "a count in [1, 100000]");
			p.k = (int)n;
			break;
		case 9:
			in.value = optarg;
			break;
		case 10:
			if (am_parse_double(optarg, 1e-12, 1e6, &p.reg) != 0)
				bad_value("--reg", optarg, "in [1e-12, 1e6]");
			break;
		case 11:
			if (am_parse_double(optarg, 0, 1e9, &p.shrink) != 0)
				bad_value("--shrink", optarg, "in [0, 1e9]");
			break;
		case 12:
			if ((p.sim = am_rec_sim_byname(optarg)) < 0)
				bad_value("--similarity", optarg,
				    "cosine, adjusted or jaccard");
			break;
		case 13:
			in.time = optarg;
			break;
		case 14:
			in.user = optarg;
			break;
		case 15:
			/* on failure err() exits: nothing leaks */
			/* cppcheck-suppress memleakOnRealloc */
			if ((where = realloc(where,
			         (nw + 2) * sizeof(*where))) == NULL)
				err(AM_EXIT_FAILURE, "out of memory");
			where[nw++] = optarg;
			where[nw] = NULL;
			break;
		case 16:
			if (am_parse_double(optarg, 0, 1e6, &p.window) != 0)
				bad_value("--window", optarg,
				    "a number of days in [0, 1e6]");
			break;
		case 20:
			if (am_parse_long(optarg, 0, 100000, &n) != 0)
				bad_value("--passes", optarg,
				    "a count in [0, 100000]");
			p.passes = (int)n;
			break;
		case 21:
			update = optarg;
			break;
		default: /* ':' a missing argument, '?' unknown */
			am_warn_getopt(ch, optopt, argv[optind - 1]);
			usage();
		}
	}
	if (out == NULL) {
		warnx("-o MODEL is required (the model file to write)");
		usage();
	}
	if (argc - optind > 1)
		usage();
	path = optind < argc ? argv[optind] : "-";
	in.where = where;
	rc = AM_ENOMEM;
	if (update != NULL) {
		/* the old model's algorithm and settings, updated */
		if ((old = am_art_load(update, "recommender", &e)) == NULL ||
		    (r = am_rec_load(old, update, &e)) == NULL) {
			rc = e.code;
			goto done;
		}
		if (algo != NULL && p.algo != am_rec_algo(r)) {
			rc = am_seterr(&e, AM_EMODEL,
			    "--update: %s is a %s model, not %s", update,
			    am_rec_algo_name(r), algo);
			goto done;
		}
		if ((rc = am_rec_update(r, path, &in, &p, &rep, &e)) != 0)
			goto done;
	} else if ((r = am_rec_fit(path, &in, &p, &rep, &e)) == NULL) {
		rc = e.code;
		goto done;
	}
	if ((a = am_art_new("recommender", am_rec_algo_name(r))) == NULL ||
	    (cmdline = am_cmdline(argc, argv)) == NULL ||
	    am_art_lineage(a, cmdline, rep.input, rep.sha256, rep.rows,
	        p.seed) != 0 ||
	    (old != NULL && am_art_add_parent(a, old) != 0)) {
		am_seterr(&e, rc, "out of memory");
		goto done;
	}
	if ((rc = am_rec_save(r, a, &e)) != 0 ||
	    (rc = am_art_save(a, out, &e)) != 0)
		goto done;
	if (!quiet)
		warnx("%s: %llu rows, %zu users, %zu items, %zu pairs",
		    am_rec_algo_name(r), rep.rows - rep.skipped, rep.users,
		    rep.items, rep.pairs);
	if (verbose)
		warnx("%llu rows skipped (empty id, value <= 0), %llu "
		      "repeated pairs merged",
		    rep.skipped, rep.dups);
done:
	free(cmdline);
	free(where);
	am_art_free(a);
	am_art_free(old);
	am_rec_free(r);
	if (e.code != AM_OK)
		warnx("%s", e.msg);
	rc = am_exit_status(rc);
	return am_close_stdout(rc == AM_EXIT_USAGE ? AM_EXIT_FAILURE : rc);
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct am_model_params par = AM_MODEL_PARAMS_INIT;
	struct am_err e = { 0 };
	int status;

	am_cli_init();
	if (rec_wanted(argc, argv)) /* recommenders: see rec_main() */
		return rec_main(argc, argv);
	o.algo = "logreg";
	o.from = AM_FS_DETECT;
	par.threads = am_ncpu();
	o.par = par;
	o.rf = (struct am_rf_params)AM_RF_PARAMS_INIT;
	o.rf.ntrees = 0; /* the default: 100, or by rows on --update */
	o.mlp = (struct am_mlp_params)AM_MLP_PARAMS_INIT;
	o.seg = (struct am_seg_params)AM_SEG_PARAMS_INIT;
	parse_args(argc, argv, &o);
	status = am_exit_status(train(&o, argc, argv, &e));
	if (status == AM_EXIT_USAGE)
		status = AM_EXIT_FAILURE; /* bad data, not a bad command */
	if (e.code != AM_OK)
		warnx("%s", e.msg);
	free(o.ids);
	free(o.cw_label);
	free(o.cw);
	return am_close_stdout(status);
}

static void
usage(void)
{
	(void)fprintf(stderr,
	    "usage: am-train [-hqv] [-a algo] [-B bias] [-c cost] [-d delim] "
	    "[-e eps]\n"
	    "                [-i col] [-j threads] [-k k] [-s seed] [-t col] [-w col]\n"
	    "                [--balanced] [--class-weight label=w] [--from "
	    "format]\n"
	    "                [--intercept] [--lambda l] [--max-iter n] [--pos "
	    "label]\n"
	    "                [--mode mode] [--update old] -o model [file]\n");
	exit(AM_EXIT_USAGE);
}

static void
help(void)
{
	(void)printf(
	    "usage: am-train [-hqv] [-a algo] [-B bias] [-c cost] [-d delim] [-e eps]\n"
	    "                [-i col] [-j threads] [-k k] [-s seed] [-t col] [-w col]\n"
	    "                [--balanced] [--class-weight label=w] [--from format]\n"
	    "                [--intercept] [--lambda l] [--max-iter n] [--pos label]\n"
	    "                [--mode mode] [--update old] -o model [file]\n"
	    "\n"
	    "Fit a model on a feature stream (binary from am-features, CSV or\n"
	    "LIBSVM) and save it to MODEL.  logreg: L2-regularised logistic\n"
	    "regression, min 1/2 |w|^2 + C sum c_i log(1 + exp(-y_i w'x_i)),\n"
	    "solved by a trust-region Newton method as LIBLINEAR -s 0.\n"
	    "\n"
	    "  -a, --algorithm ALGO  algorithm: logreg (default)\n"
	    "  -t, --target COL      target column (CSV; the stream's otherwise)\n"
	    "  -o, --output MODEL    model file to write (required)\n"
	    "      --mode MODE       octal mode of MODEL (default 0666 less "
	    "umask)\n"
	    "  -c, --cost C          cost of errors (default 1)\n"
	    "      --lambda L        penalty per row: C = 1 / (L * rows)\n"
	    "  -e, --eps EPS         stopping tolerance (default 0.01)\n"
	    "      --max-iter N      Newton iterations at most (default 1000)\n"
	    "  -B, --bias B          constant feature B, regularised (default 1;\n"
	    "                        0 = no bias term)\n"
	    "      --intercept       do not regularise the bias weight\n"
	    "      --pos LABEL       positive class (default: the later of two\n"
	    "                        in byte order, the larger of two numbers)\n"
	    "      --class-weight LABEL=W  multiply C by W for class LABEL\n"
	    "      --balanced        class weight rows / (2 * class rows)\n"
	    "      --update OLD      continue training model OLD on FILE (same\n"
	    "                        schema; OLD's algorithm and structure)\n"
	    "  -w, --weight COL      column of row weights (>= 0)\n"
	    "  -i, --id COL          id column, not a feature (CSV; repeatable)\n"
	    "  -d, --delimiter C     CSV delimiter (default: detected)\n"
	    "      --from FORMAT     input format: bin, csv or libsvm (default:\n"
	    "                        bin by its magic, else csv)\n"
	    "  -j, --threads N       threads (default: all CPUs; same result)\n"
	    "  -s, --seed N          seed, recorded in the model (default 1)\n"
	    "  -q, --quiet           no report on stderr\n"
	    "  -v, --verbose         also report rows and memory use\n"
	    "  -h, --help            this help\n"
	    "      --version         print the version\n"
	    "\n");
	/* Two strings: each stays under C99's 4095 characters. */
	(void)printf(
	    "Linear models (-a logreg, linreg, svm) and validation (all):\n"
	    "      --penalty P       l2, l1 or elasticnet (logreg, linreg;\n"
	    "                        default l2)\n"
	    "      --l1-ratio R      L1 share of the elastic net (default 0.5)\n"
	    "      --alpha A         linreg penalty weight (default 0: OLS)\n"
	    "      --loss L          svm: squared-hinge (default) or hinge\n"
	    "      --multiclass M    logreg, > 2 classes: softmax (default) or ovr\n"
	    "      --cv K            K-fold cross-validation: per-fold, mean and\n"
	    "                        sd metrics as CSV on stdout (-o optional)\n"
	    "      --valid FILE      judge the fitted model on FILE, record it\n"
	    "\n"
	    "Random forest (-a rf; a categorical target is classified, a numeric\n"
	    "one regressed):\n"
	    "      --trees N         trees (default 100); on --update, trees to\n"
	    "                        add (default: in proportion to the rows)\n"
	    "      --max-trees N     on --update, keep the N newest trees\n"
	    "      --max-depth N     deepest level, 0 = unlimited (default 0)\n"
	    "      --min-leaf N      rows at least in a leaf (default 1)\n"
	    "      --min-split N     rows at least to split a node (default 2)\n"
	    "      --max-features F  features per split: sqrt, log2, all, a\n"
	    "                        fraction or a count (default sqrt; all\n"
	    "                        for regression)\n"
	    "      --criterion C     gini, entropy or mse (default gini; mse\n"
	    "                        for regression)\n"
	    "      --no-bootstrap    grow every tree on all rows (no OOB score)\n"
	    "      --permutation-importance  also out-of-bag permutation\n"
	    "                        importances (slower)\n"
	    "\n"
	    "Neural network (-a mlp; sigmoid, softmax or linear output by target):\n"
	    "      --hidden W[,W[,W]]  hidden layer widths (default 100)\n"
	    "      --activation A    relu or tanh (default relu)\n"
	    "      --solver S        adam or sgd (with momentum; default adam)\n"
	    "      --lr R            step size (default 0.001)\n"
	    "      --momentum M      sgd momentum (default 0.9)\n"
	    "      --l2 A            L2 penalty on the weights (default 0.0001)\n"
	    "      --epochs N        passes over the rows at most (default 200)\n"
	    "      --batch N         rows per mini-batch (default 200)\n"
	    "      --early-stop F    hold out fraction F, stop on its loss (0 off)\n"
	    "      --patience N      epochs without progress before stopping\n"
	    "                        (default 10)\n"
	    "\n");
	(void)fputs(
	    "Segmentation (-a gmm: Gaussian mixture by EM; -a kmeans; no target):\n"
	    "  -k K | KMIN..KMAX     segments, or a range to choose from\n"
	    "                        (default 1 for gmm, 8 for kmeans)\n"
	    "      --select C        gmm: bic (default) or aic; kmeans: silhouette\n"
	    "      --covariance T    gmm: full (default), diag, spherical, tied\n"
	    "      --restarts N      k-means++ seedings, the best kept (default 1)\n"
	    "      --tol T           gmm: log-likelihood change (default 1e-3);\n"
	    "                        kmeans: center shift (default 1e-4)\n"
	    "      --reg-covar R     gmm: added to covariance diagonals (1e-6)\n"
	    "      --mini-batch N    kmeans: mini-batches of N rows\n"
	    "      --decay F         --update: weight of the old statistics,\n"
	    "                        in [0, 1] (default 1)\n"
	    "\n",
	    stdout);
	(void)fputs(
	    "Recommenders (-a popularity, itemknn, userknn, mf, ials, bpr; FILE is\n"
	    "an interaction CSV, one event per row):\n"
	    "      --user COL, --item COL  user and item columns (default user,\n"
	    "                        item)\n"
	    "      --rating COL      rating (mf) or weight (default 1 per row)\n"
	    "      --time COL        event time (epoch seconds or a date)\n"
	    "      --context COL     also rank by popularity within its values\n"
	    "      --where COL=V     learn only from rows where COL is V\n"
	    "      --half-life D     weigh events by 0.5^(age / D days)\n"
	    "      --window D        popularity of the last D days only\n"
	    "      --similarity S    kNN: cosine (default), adjusted, jaccard\n"
	    "      --neighbors K     kNN neighbours kept (default 50)\n"
	    "      --shrink S        added to the similarity's denominator (0)\n"
	    "      --factors F       latent factors of mf, ials, bpr (64)\n"
	    "      --lr R            mf (0.01) and bpr (0.05) learning rate\n"
	    "      --reg L           L2 penalty: mf 0.1, ials 100, bpr 0.002\n"
	    "      --alpha A         ials confidence slope (default 20)\n"
	    "      --max-iter N      epochs (mf 40, bpr 30) or ials sweeps (15)\n"
	    "      --passes N        --update: epochs or sweeps moving every\n"
	    "                        factor after the fold-in (default 0)\n"
	    "\n"
	    "Exit status: 0 ok, 1 failure, 2 usage error.\n",
	    stdout);
}
