#!/usr/bin/env bash
# Harness self-test of the KTAP parser (scripts/lib/ktap.py): each console log
# in tests/ktap/ must give exactly the results in its .expected file
# (status, name, diagnostics): nested suites and parameterised cases, a
# skip, diagnostics attached to failures, a crash in the middle of a
# suite, a suite that failed before its cases, and a log without KTAP.
# Records one result per fixture.
# shellcheck source=../scripts/lib/lib.sh
. "$(dirname "$0")/../scripts/lib/lib.sh"

for log in "$TOP"/tests/ktap/*.log; do
	name=$(basename "$log" .log)
	if out=$(python3 "$TOP/scripts/lib/ktap.py" "$log" 2>&1 | diff -u "${log%.log}.expected" - 2>&1); then
		result ok "harness: KTAP parser reads tests/ktap/$name.log as expected"
	else
		result fail "harness: KTAP parser reads tests/ktap/$name.log as expected" "$out"
	fi
done
