#!/usr/bin/env bash
# Record the results of the KTAP that built-in KUnit printed on a kernel
# console log: one result per test ("kunit: suite.case", and
# "kunit: suite.case.parameter" for parameterised cases), with the failed
# ones' diagnostics; a suite that crashed or a plan left unfinished is a
# failure of its own (scripts/lib/ktap.py parses; tests/ktap/ has its cases).
#   scripts/check/parse-kunit.sh CONSOLE_LOG
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

log=${1:?usage: $0 CONSOLE_LOG}
parsed=$(python3 "$TOP/scripts/lib/ktap.py" "$log") || die "scripts/lib/ktap.py could not read $log"
while IFS=$'\t' read -r status name detail; do
	result "$status" "kunit: $name" "${detail//\\n/$'\n'}"
done <<<"$parsed"
