/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Names of the KVM selftests library that changed between the two kernel
 * bases the benchmarks build against: scripts/compile/bench.sh defines
 * KVM_SELFTESTS_GVA_T where the library has gva_t (mainline, 7.3), which
 * replaced vm_vaddr_t, and pin_task_to_cpu(), which replaced
 * kvm_pin_this_task_to_pcpu().
 */
#ifndef BENCH_KVM_COMPAT_H
#define BENCH_KVM_COMPAT_H

#include <pthread.h>

#include "kvm_util.h"

#ifdef KVM_SELFTESTS_GVA_T
typedef gva_t vm_vaddr_t;

static inline void kvm_pin_this_task_to_pcpu(uint32_t pcpu)
{
	pin_task_to_cpu(pthread_self(), pcpu);
}
#endif

#endif
