#!/usr/bin/env bash
# Read the KTAP that built-in KUnit printed on a kernel console log and
# record one result per test case ("kunit: suite.case"), plus a failure for
# a suite that crashed or a plan that was not completed.
#   scripts/parse-kunit.sh CONSOLE_LOG
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

log=$1
ktap=$(sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' "$log" | tr -d '\r' |
	awk '/^KTAP version/ && !on { on = 1 } on')
if [ -z "$ktap" ]; then
	result fail "kunit: KTAP output on the console" "the kernel printed no KTAP: is CONFIG_KUNIT=y and kunit.enable=1 given?"
	exit 0
fi
planned=$(printf '%s\n' "$ktap" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -n 1)
reported=0
while IFS= read -r line; do
	case "$line" in
	"    # Subtest: "*) suite=${line#    # Subtest: } ;;
	"    ok "* | "    not ok "*)
		rest=${line#    }
		status=ok
		case "$rest" in not\ ok*) status=fail ;; esac
		case "$rest" in *"# SKIP"*) status=skip ;; esac
		tcase=$(printf '%s' "$rest" | sed -E 's/^(not )?ok [0-9]+ //; s/ *#.*$//')
		result "$status" "kunit: $suite.$tcase"
		;;
	"ok "* | "not ok "*)
		reported=$((reported + 1))
		case "$line" in not\ ok*)
			# A suite without case results (it crashed) would pass unseen.
			name=$(printf '%s' "$line" | sed -E 's/^not ok [0-9]+ //; s/ *#.*$//')
			grep -q "kunit: $name\." "$RESULTS" 2>/dev/null ||
				result fail "kunit: suite $name" "the suite failed without reporting its cases"
			;;
		esac
		;;
	esac
done <<<"$ktap"
if [ -n "$planned" ] && [ "$reported" -ne "$planned" ]; then
	result fail "kunit: all planned suites reported" "$planned suites planned, $reported reported (a crash?)"
fi
