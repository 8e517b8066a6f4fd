// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for the baseline check (kptr_baseline.c): a map value with a
 * "kptr"-tagged pointer, used the way a kptr-aware program would use it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/*
 * Spelled out rather than taken from bpf_helpers.h: the baseline removes
 * libbpf's __kptr macro along with the rest of upstream's kptr support.
 */
#define __tagged_kptr __attribute__((btf_type_tag("kptr")))

struct map_value {
	struct task_struct __tagged_kptr *task;
	__u64 stored;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct map_value);
} kptr_map SEC(".maps");

/*
 * A privileged program may store any pointer into a map value: without
 * kptr support the field is a plain 8-byte word.
 */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(store_task)
{
	struct map_value *v;
	int key = 0;

	v = bpf_map_lookup_elem(&kptr_map, &key);
	if (!v)
		return 0;
	v->task = bpf_get_current_task_btf();
	v->stored = 1;
	return 0;
}

/* Reading the field back gives a scalar, which cannot be dereferenced. */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(load_task)
{
	struct task_struct *task;
	struct map_value *v;
	int key = 0;

	v = bpf_map_lookup_elem(&kptr_map, &key);
	if (!v)
		return 0;
	task = v->task;
	if (task)
		v->stored = task->pid;
	return 0;
}

/* The helper's UAPI id stays, but the kernel does not implement it. */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(xchg_task)
{
	struct task_struct *old;
	struct map_value *v;
	int key = 0;

	v = bpf_map_lookup_elem(&kptr_map, &key);
	if (!v)
		return 0;
	old = bpf_kptr_xchg(&v->task, NULL);
	v->stored = old != NULL;
	return 0;
}

char _license[] SEC("license") = "GPL";
