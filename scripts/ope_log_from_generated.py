#!/usr/bin/env python3
"""A decisions log for `mirror ope` from a `mirror generate` directory (docs/ope.md).

Adds to each row of DIR/decisions.csv a `reward` (the customer's purchases on the decision's
day, as /checks/logged_value of truth.h5 counts them) and context columns: `segment` (from
customers.csv) and `consent_email`, `consent_sms`, `consent_push` (1 when the customer had
opted in and not unsubscribed from the channel before the decision). Usage:

    scripts/ope_log_from_generated.py DIR OUT.csv
"""
import csv
import os
import sys
from collections import defaultdict


def main(directory, out_path):
    channels = ["email", "sms", "push"]
    customers = {}
    with open(os.path.join(directory, "customers.csv"), newline="") as f:
        for row in csv.DictReader(f):
            customers[row["customer_id"]] = row
    purchases = defaultdict(int)  # (customer, day) -> purchases that day
    unsubscribed = {}  # (customer, channel) -> first unsubscribe timestamp
    with open(os.path.join(directory, "events.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["event_type"] == "purchase":
                purchases[(row["customer_id"], row["timestamp"][:10])] += 1
            elif row["event_type"] == "unsubscribe":
                key = (row["customer_id"], row["channel"])
                unsubscribed.setdefault(key, row["timestamp"])
    tmp = out_path + ".tmp"
    with open(os.path.join(directory, "decisions.csv"), newline="") as f, open(tmp, "w", newline="") as out:
        reader = csv.DictReader(f)
        fields = reader.fieldnames + ["reward", "segment"] + ["consent_" + c for c in channels]
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            c = customers[row["customer_id"]]
            t = row["timestamp"]
            row["reward"] = purchases.get((row["customer_id"], t[:10]), 0)
            row["segment"] = c["segment"]
            for ch in channels:
                gone = unsubscribed.get((row["customer_id"], ch))
                row["consent_" + ch] = int(c[ch + "_optin"] == "1" and (gone is None or gone > t))
            writer.writerow(row)
    os.replace(tmp, out_path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
