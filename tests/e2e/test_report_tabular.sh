#!/bin/sh
# The report of binary, number and several outputs (tests/report/check_tabular.sh): every shown
# number checked against the JSON and recomputed from the predictions and targets.
set -e
sh tests/report/check_tabular.sh
