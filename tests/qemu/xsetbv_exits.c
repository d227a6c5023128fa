// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsetbv_exits: the XCR0 that a KVM guest sets is the one KVM keeps.
 *
 * A regression test for the emulated host's QEMU (patches-qemu/0009): its
 * SVM emulation did not intercept XSETBV, so a guest's write to XCR0 went
 * straight to the emulated CPU and KVM never saw it.  KVM then loaded its
 * own stale copy at the next VMRUN, and computed the guest's XSAVE area
 * size (CPUID 0xD) from it: a Linux 7.3 guest stopped at boot ("XSAVE
 * consistency problem", then a NULL pointer dereference in
 * fpstate_reset()), and 6.12 guests ran with XSAVE turned off.
 *
 * Runs inside the emulated host as a KVM program.  KVM gives the guest an
 * XCR0 of x87 alone; the guest sets x87|SSE and exits to this program,
 * where KVM_GET_XCRS must return that value, and after re-entry reads
 * XCR0 back: it must still be its own.  Exit codes as kselftest.
 *
 * Built against the KVM selftests library (scripts/compile/bench.sh).
 */
#include <stdio.h>

#include "kvm_util.h"
#include "kvm_compat.h"
#include "processor.h"
#include "test_util.h"

#define XCR0_X87 0x1ull
#define XCR0_SSE 0x2ull

/* Not the library's helpers: the same source builds against both bases. */
static uint64_t read_xcr0(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void guest_code(uint64_t xcr0)
{
	__asm__ __volatile__("xsetbv" : : "a"((uint32_t)xcr0),
			     "d"((uint32_t)(xcr0 >> 32)), "c"(0));
	GUEST_SYNC(read_xcr0());
	/* KVM has run this vCPU again: XCR0 must be what the guest set. */
	GUEST_SYNC(read_xcr0());
	GUEST_DONE();
}

static uint64_t kvm_xcr0(struct kvm_vcpu *vcpu)
{
	struct kvm_xcrs xcrs = {};

	vcpu_xcrs_get(vcpu, &xcrs);
	TEST_ASSERT(xcrs.nr_xcrs >= 1 && xcrs.xcrs[0].xcr == 0,
		    "KVM_GET_XCRS returned no XCR0");
	return xcrs.xcrs[0].value;
}

int main(void)
{
	const uint64_t want = XCR0_X87 | XCR0_SSE;
	struct kvm_xcrs xcrs = {
		.nr_xcrs = 1,
		.xcrs[0] = { .xcr = 0, .value = XCR0_X87 },
	};
	struct kvm_sregs sregs;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t got;

	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_XSAVE));
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	/* The guest needs CR4.OSXSAVE for XSETBV. */
	vcpu_sregs_get(vcpu, &sregs);
	if (!(sregs.cr4 & X86_CR4_OSXSAVE)) {
		sregs.cr4 |= X86_CR4_OSXSAVE;
		vcpu_sregs_set(vcpu, &sregs);
	}
	/*
	 * Start from x87 alone, whatever the library chose: an XCR0 other
	 * than the host's, which KVM loads at each entry and replaces with
	 * the host's at each exit, so that a failing run leaves the host's
	 * XCR0 in place.
	 */
	vcpu_xcrs_set(vcpu, &xcrs);
	vcpu_args_set(vcpu, 1, want);

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest stopped: %s",
		    uc.cmd == UCALL_ABORT ? uc.buffer : "no ucall");
	TEST_ASSERT(uc.args[1] == want,
		    "XSETBV of %#lx left the guest's XCR0 at %#lx",
		    (unsigned long)want, (unsigned long)uc.args[1]);
	got = kvm_xcr0(vcpu);
	printf("XCR0: the guest set %#lx, KVM has %#lx\n",
	       (unsigned long)want, (unsigned long)got);
	TEST_ASSERT(got == want,
		    "the guest set XCR0 to %#lx, KVM has %#lx: XSETBV did not exit to KVM",
		    (unsigned long)want, (unsigned long)got);

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest stopped: %s",
		    uc.cmd == UCALL_ABORT ? uc.buffer : "no ucall");
	printf("XCR0: the guest reads %#lx after an exit\n", (unsigned long)uc.args[1]);
	TEST_ASSERT(uc.args[1] == want,
		    "the guest set XCR0 to %#lx and reads %#lx after an exit",
		    (unsigned long)want, (unsigned long)uc.args[1]);

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "guest stopped: %s",
		    uc.cmd == UCALL_ABORT ? uc.buffer : "no ucall");
	kvm_vm_free(vm);
	return 0;
}
