# shellcheck shell=bash
# -h/--help for a script: prints the comment at the script's top (its
# usage). Sourced by lib.sh, and by the scripts that run in guests without
# the rest of the library.
usage() {
	sed -n '2,/^[^#]/{/^#/!q;/^# shellcheck/d;s/^# \{0,1\}//;p}' "$0"
}
case "${1:-}" in -h | --help) usage; exit 0 ;; esac
