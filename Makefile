# IPI-aware directed yield for KVM: build, boot, test and measure the
# patch series in patches/ on Debian's linux-source-6.12.
#
#   make run      build what is missing, boot the patched kernel, run the demo
#   make check    install what is needed, build, run every test (TAP)
#
# Everything is done by the scripts in scripts/, one folder per stage
# (scripts/README.md): most targets X run scripts/<stage>/X.sh, variants
# pass it options; `make` alone lists the targets by group, with their
# times here.

SHELL := /bin/bash
S := scripts

.PHONY: run check check-guest check-mainline help prepare deps tree export roundtrip kernel kernel-debug check-debug kernel-kcsan check-kcsan selftests series-check \
	bench bench-ipi-cost bench-spin-cost bench-overcommit bench-overcommit-quick bench-host host-selftests nested-pause deb deb-full deb-check icount-model base-selftests qemu shell vm selftest pin-source clean distclean

.DEFAULT_GOAL := help

##@ Main
run: ## build what is missing, boot the patched kernel, run the demonstration (35 min cold, 23 warm)
	@$(S)/run.sh

check: ## install, build, and run every test of both bases; ends with "N passed, N failed, N skipped" (40 min cold, 34 warm)
	@$(S)/check.sh

check-guest: ## the inner loop: bring everything up to date, then only make check's guest stage [8/9] (9 min warm)
	@$(S)/check/check-guest.sh --alone

help: ## list the targets by what they are for (what plain make does)
	@awk '/^##@ / { printf "\n%s:\n", substr($$0, 5) } \
		/^[a-z-]+:.*## / { t = $$1; sub(/:.*/, "", t); d = $$0; sub(/^[^#]*## /, "", d); printf "  %-24s %s\n", t, d }' $(MAKEFILE_LIST)

##@ Build
prepare: ## bring everything make check uses up to date: packages, tree, kernel, QEMU, selftests, benchmarks (1.5 min when all is current)
	@$(S)/compile/prepare.sh

deps: ## install the Debian packages the harness needs (2 s when installed)
	@$(S)/source/deps.sh

tree: ## build/linux = pinned base + patches/ (FORCE=1 drops local changes; 5 s when in sync)
	@$(S)/source/tree.sh

kernel: tree ## configure and build the patched kernel into build/obj (9 min cold, < 2 incremental)
	@$(S)/compile/kernel.sh

qemu: ## build QEMU with patches-qemu/ into build/qemu-build (4 min cold)
	@$(S)/compile/qemu.sh

selftests: kernel ## build the KVM selftests make check runs (1 min when current)
	@$(S)/compile/selftests.sh

bench: selftests ## build the benchmarks in bench/ into build/bench (1 min when current)
	@$(S)/compile/bench.sh

##@ Packages for a real host
deb: ## Debian packages (linux-image, linux-headers) with Debian's config, modules a KVM host needs -> build/deb/server/ (about 1 h cold, 2 min warm)
	@$(S)/compile/deb.sh

deb-full: ## the same with every module of Debian's config -> build/deb/full/ (about 6 h here, estimated)
	@$(S)/compile/deb.sh --full

deb-check: ## check make deb's packages: contents, dpkg into a scratch root, boot with its modules, selftests, benchmark host path (8-19 min warm)
	@$(S)/check/deb-check.sh

##@ The series
export: ## write build/linux's commits back to patches/ (+ round-trip check; 12 s)
	@$(S)/source/export.sh

roundtrip: ## prove patches/ applied with fuzz 0 equals build/linux (10 s)
	@$(S)/source/roundtrip.sh

series-check: kernel ## per-patch checks only: checkpatch, W=1/sparse builds (30-45 s a patch)
	@rm -f build/check/results.tsv; $(S)/check/series-check.sh && $(S)/check/report-results.sh

pin-source: ## record the digests of the version in config/source.env
	@$(S)/source/pin-source.sh

##@ Inside the patched kernel
shell: ## interactive shell inside the patched kernel (up in about 2 min, prepare included)
	@$(S)/compile/prepare.sh
	@$(S)/vm/vm.sh --shell

vm: ## run CMD="..." inside the patched kernel (CMD=true: 2 min, prepare included)
	@test -n "$(CMD)" || { echo 'usage: make vm CMD="command args"' >&2; exit 2; }
	@$(S)/compile/prepare.sh
	@$(S)/vm/vm.sh -- bash -c '$(CMD)'

selftest: ## run one KVM selftest: make selftest T=x86_64/xapic_ipi_test [ARGS=...] (about 3 min with a rebuild)
	@test -n "$(T)" || { echo 'usage: make selftest T=x86_64/xapic_ipi_test [ARGS="-s 5"]' >&2; exit 2; }
	@$(S)/compile/prepare.sh
	@test -x "build/selftests/kvm/$(T)" || { echo "no test build/selftests/kvm/$(T): see build/selftests/kvm/x86_64/" >&2; exit 2; }
	@$(S)/vm/vm.sh -- build/selftests/kvm/$(T) $(ARGS)

##@ Other checks
check-mainline: ## make check's stage 9 alone: the 7.3 series built, checked and booted; summary at the end (10 min warm)
	@$(S)/check/check-mainline.sh --alone

nested-pause: ## a nested Linux guest boots cleanly and its pause-loop exits reach directed yield (3 min)
	@$(S)/check/nested-pause.sh

base-selftests: ## existing KVM selftests on the unpatched base vs make check's results
	@$(S)/check/base-selftests.sh

kernel-debug: tree ## the debug variant (lockdep, KASAN, UBSAN) into build/obj-debug (12 min cold)
	@OBJ=build/obj-debug EXTRA_CONFIG=config/kernel-debug.config $(S)/compile/kernel.sh

check-debug: ## boot the debug kernel, run the KVM selftests (stress: STRESS_SECS=600 per part), fail on any splat (~30 min)
	@$(S)/check/check-debug.sh debug

kernel-kcsan: tree ## the KCSAN variant into build/obj-kcsan (9 min cold)
	@OBJ=build/obj-kcsan EXTRA_CONFIG=config/kernel-kcsan.config $(S)/compile/kernel.sh

check-kcsan: ## as check-debug, on the KCSAN kernel (~30 min)
	@$(S)/check/check-debug.sh kcsan

##@ Measure
bench-ipi-cost: ## cost of IPI tracking: ping-pong round trips/s, on vs off (~4 min)
	@$(S)/bench/bench-ipi-cost.sh

bench-spin-cost: ## cost of the directed-yield search: spins/s with 8-300 vCPUs, on vs off (~10 min)
	@$(S)/bench/bench-spin-cost.sh

bench-overcommit: ## overcommit benchmark, full matrix -> bench/results/<date>-<machine>/ (~1 h under emulation)
	@$(S)/bench/bench-overcommit.sh

bench-overcommit-quick: ## short form: 1 and 2 VMs, baseline vs full (what make run ends with, 12-18 min)
	@$(S)/bench/bench-overcommit.sh --quick

bench-host: ## on a real host running make deb's kernel: the overcommit benchmark with its KVM (QUICK=1: short form; docs/host.md)
	@$(S)/bench/bench-overcommit.sh --host $(if $(filter 1,$(QUICK)),--quick)

host-selftests: ## on a real host running make deb's kernel: the series' KVM selftests with its KVM, kvm_intel or kvm_amd (tests 3 min under the runner here, after prepare; docs/host.md)
	@$(S)/check/host-selftests.sh

icount-model: ## measure the time-faithful host (CLOCK=icount): exit cost, CPU handoff (~2 min warm)
	@$(S)/bench/icount-model.sh

##@ Tidy
clean: ## remove build outputs, keep the tree and the download
	rm -rf build/obj build/obj-series build/selftests build/selftests-series build/vm build/check build/check-guest build/check-mainline build/obj-7.3 build/obj-series-7.3 build/selftests-7.3 build/selftests-series-7.3 build/bench build/bench-7.3 build/deb build/deb-7.3 build/obj-base build/base-check build/qemu-build build/obj-debug build/check-debug build/obj-kcsan build/check-kcsan build/nested-pause

distclean: ## remove everything under build/
	rm -rf build
