// SPDX-License-Identifier: GPL-2.0-only
/*
 * inject_once: an interrupt that KVM injects into its guest is taken once.
 *
 * A regression test for the emulated host's QEMU (patches-qemu/0005): its
 * SVM VMRUN delivered an injected interrupt (EVENTINJ type INTR) at once and
 * a second time whenever the execution loop was left before the next
 * exception, so a guest of the emulated host ran some interrupt handlers
 * twice for one interrupt.
 *
 * Runs inside the emulated host as a KVM program.  vCPU 1 halts with
 * interrupts on; vCPU 0 sends it -n fixed IPIs (x2APIC, physical), each
 * after the previous one's handler has run.  KVM wakes vCPU 1 and injects
 * each IPI through EVENTINJ at VMRUN.  The handler counts its runs, and the
 * runs that find the vector not in service.  The test fails if the handler
 * ran more (or fewer) times than IPIs were sent.  Exit codes as kselftest.
 *
 * Built against the KVM selftests library (scripts/compile/bench.sh).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "apic.h"
#include "kvm_util.h"
#include "kvm_compat.h"
#include "processor.h"
#include "test_util.h"

#define VECTOR 0xf1
/* The first In-Service Register; apic.h names only APIC_IRR */
#define ISR0 0x100

static volatile uint64_t sent, taken, not_in_service;
static volatile int receiver_ready;

static void handler(struct ex_regs *regs)
{
	uint64_t isr = x2apic_read_reg(ISR0 + 0x10 * (VECTOR / 32));

	if (!(isr & (1ull << (VECTOR % 32))))
		not_in_service++;
	taken++;
	x2apic_write_reg(APIC_EOI, 0);
}

static void receiver_code(void)
{
	x2apic_enable();
	receiver_ready = 1;
	for (;;)
		__asm__ __volatile__("sti; hlt; cli");
}

static void sender_code(uint32_t dest, uint64_t n)
{
	x2apic_enable();
	/* A fixed IPI to an APIC that is not enabled yet is lost. */
	while (!receiver_ready)
		cpu_relax();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t before = taken;

		sent++;
		x2apic_write_reg(APIC_ICR, ((uint64_t)dest << 32) |
				 APIC_DEST_PHYSICAL | APIC_DM_FIXED | VECTOR);
		uint64_t t0 = rdtsc();

		/* A lost IPI fails the test instead of hanging it. */
		while (taken == before && rdtsc() - t0 < 10000000000ull)
			cpu_relax();
		__GUEST_ASSERT(taken != before,
			       "IPI %lu of %lu was never taken (sent %lu, taken %lu)",
			       i, n, sent, taken);
	}
	GUEST_DONE();
}

static void *run_receiver(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	/* It halts in KVM_RUN; let main() cancel it there. */
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(get_ucall(vcpu, &uc) != UCALL_ABORT,
			    "receiver: %s", uc.buffer);
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct kvm_vcpu *vcpus[2];
	uint64_t n = 20000, s, t, nis;
	pthread_t receiver;
	struct kvm_vm *vm;
	struct ucall uc;
	int opt;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		default:
			printf("usage: %s [-n IPIS]\n", argv[0]);
			exit(opt == 'h' ? 0 : KSFT_FAIL);
		}
	}

	vm = vm_create_with_vcpus(2, NULL, vcpus);
	vcpu_arch_set_entry_point(vcpus[0], sender_code);
	vcpu_arch_set_entry_point(vcpus[1], receiver_code);
	vm_install_exception_handler(vm, VECTOR, handler);
	vcpu_args_set(vcpus[0], 2, vcpus[1]->id, n);

	pthread_create(&receiver, NULL, run_receiver, vcpus[1]);
	vcpu_run(vcpus[0]);
	TEST_ASSERT(get_ucall(vcpus[0], &uc) == UCALL_DONE,
		    "sender stopped: %s", uc.buffer);
	/* A second delivery may come late: give it time to show. */
	usleep(100000);
	s = *(uint64_t *)addr_gva2hva(vm, (vm_vaddr_t)&sent);
	t = *(uint64_t *)addr_gva2hva(vm, (vm_vaddr_t)&taken);
	nis = *(uint64_t *)addr_gva2hva(vm, (vm_vaddr_t)&not_in_service);
	pthread_cancel(receiver);
	pthread_join(receiver, NULL);
	printf("%lu IPIs sent, handler ran %lu times, %lu of them with the vector not in service\n",
	       (unsigned long)s, (unsigned long)t, (unsigned long)nis);
	TEST_ASSERT(t == s && nis == 0,
		    "the handler ran %lu times for %lu IPIs (%lu not in service): injected interrupts are delivered twice",
		    (unsigned long)t, (unsigned long)s, (unsigned long)nis);
	kvm_vm_free(vm);
	return 0;
}
