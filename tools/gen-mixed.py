#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen-mixed.py -- a deterministic mixed CSV for benchmarks and tests.

usage: python3 tools/gen-mixed.py ROWS SEED > file.csv

Writes a header and ROWS records of 30 columns that look like marketing
data: an id, integers, floats, categories, booleans, dates, free text
(some of it quoted because it holds commas or quotes) and about 1% of
missing cells, spread over most columns.  The same ROWS and SEED give the
same bytes on every machine (Python's random.Random is specified).
"""
import random
import sys

JOBS = ["admin.", "blue-collar", "entrepreneur", "housemaid", "management",
        "retired", "self-employed", "services", "student", "technician",
        "unemployed", "unknown"]
MARITAL = ["married", "single", "divorced"]
EDU = ["primary", "secondary", "tertiary", "unknown"]
CHANNEL = ["email", "sms", "web", "store", "phone"]
REGION = ["north", "south", "east", "west", "central"]
SEGMENT = ["A", "B", "C", "D"]
DEVICE = ["ios", "android", "desktop", "tablet"]
WORDS = ["great", "product", "late", "delivery", "price", "good", "bad",
         "support", "refund", "fast", "quality", "again", "never", "love"]


def text(rnd):
    """Free text; about a third needs quoting (a comma or a quote)."""
    w = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 6)))
    k = rnd.random()
    if k < 0.2:
        w = w.replace(" ", ", ", 1)
    elif k < 0.3:
        w = 'said "' + w + '"'
    return w


def quote(s):
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: gen-mixed.py ROWS SEED\n")
        sys.exit(2)
    rows, seed = int(sys.argv[1]), int(sys.argv[2])
    rnd = random.Random(seed)
    cols = ["customer_id", "age", "job", "marital", "education", "default",
            "balance", "housing", "loan", "contact_day", "month_spend",
            "visits", "pages", "basket", "discount", "channel", "region",
            "segment", "device", "signup_date", "last_order", "recency",
            "frequency", "monetary", "score", "churn_prob", "email_opens",
            "clicks", "comment", "y"]
    out = sys.stdout
    out.write(",".join(cols) + "\n")
    buf = []
    for i in range(rows):
        r = rnd.random
        row = [
            str(100000 + i),
            str(rnd.randint(18, 95)),
            rnd.choice(JOBS),
            rnd.choice(MARITAL),
            rnd.choice(EDU),
            rnd.choice(("yes", "no")),
            str(rnd.randint(-2000, 60000)),
            rnd.choice(("yes", "no")),
            rnd.choice(("yes", "no")),
            str(rnd.randint(1, 31)),
            "%.2f" % (r() * 500),
            str(rnd.randint(0, 40)),
            str(rnd.randint(1, 200)),
            "%.2f" % (r() * 300),
            "%.3f" % r(),
            rnd.choice(CHANNEL),
            rnd.choice(REGION),
            rnd.choice(SEGMENT),
            rnd.choice(DEVICE),
            "20%02d-%02d-%02d" % (rnd.randint(10, 24), rnd.randint(1, 12),
                                  rnd.randint(1, 28)),
            "2025-%02d-%02d %02d:%02d:%02d" % (
                rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23),
                rnd.randint(0, 59), rnd.randint(0, 59)),
            str(rnd.randint(0, 365)),
            str(rnd.randint(1, 50)),
            "%.2f" % (r() * 5000),
            "%.6g" % (rnd.gauss(0, 1)),
            "%.4f" % r(),
            str(rnd.randint(0, 30)),
            str(rnd.randint(0, 12)),
            quote(text(rnd)),
            rnd.choice(("no", "no", "no", "yes")),
        ]
        for j in range(1, len(row) - 1):
            if r() < 0.01:
                row[j] = rnd.choice(("", "NA", "?"))
        buf.append(",".join(row))
        if len(buf) == 4096:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
