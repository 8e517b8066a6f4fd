// SPDX-License-Identifier: GPL-2.0
/* The demo's BPF side: one program keeps the current task in a map, a
 * later run of another program finds it there.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* libbpf's bpf_helpers.h defines it once the series is applied */
#ifndef __kptr
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif

struct map_value {
	int stored_pid;
	struct task_struct __kptr *task;	/* a typed kernel pointer */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct map_value);
} remembered SEC(".maps");

/* What recall_task found, for user space to print */
struct {
	int pid;
	char comm[16];
} recalled;

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(remember_task)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct map_value *v = bpf_map_lookup_elem(&remembered, &(int){0});

	if (!v)
		return 0;
	v->stored_pid = me->pid;
	v->task = me;			/* the verifier checks the type */
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(recall_task)
{
	struct map_value *v = bpf_map_lookup_elem(&remembered, &(int){0});
	struct task_struct *t;

	if (!v)
		return 0;
	t = v->task;			/* a task_struct pointer again */
	if (!t)				/* which may be NULL */
		return 0;
	recalled.pid = t->pid;		/* reads that cannot crash */
	bpf_probe_read_kernel_str(recalled.comm, sizeof(recalled.comm), t->comm);
	return 0;
}

char _license[] SEC("license") = "GPL";
