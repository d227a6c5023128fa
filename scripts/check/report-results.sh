#!/usr/bin/env bash
# Print the TAP plan and the closing "N passed, N failed, N skipped" line for
# build/check/results.tsv; exit 1 if anything failed or nothing ran.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ -s "$RESULTS" ] || die "no results in ${RESULTS#"$TOP"/}: nothing was tested"
total=$(wc -l <"$RESULTS")
passed=$(awk -F'\t' '$1 == "ok"' "$RESULTS" | wc -l)
skipped=$(awk -F'\t' '$1 == "skip"' "$RESULTS" | wc -l)
failed=$((total - passed - skipped))
echo "1..$total"
if [ "$failed" -gt 0 ]; then
	echo "# failed:"
	awk -F'\t' '$1 == "fail" { print "#   " $2 }' "$RESULTS"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
