// SPDX-License-Identifier: GPL-2.0
/* The demo's BPF side: one program keeps the current task in a map, a
 * later run of another program finds it there; then the same with a
 * counted reference, which keeps the task alive while the map holds it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* libbpf's bpf_helpers.h defines it once the series is applied */
#ifndef __kptr
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif
#ifndef __kptr_ref
#define __kptr_ref __attribute__((btf_type_tag("kptr_ref")))
#endif

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

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

struct held_value {
	struct task_struct __kptr_ref *task;	/* the map owns a reference */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct held_value);
} held SEC(".maps");

/* What hold_task and check_held saw */
struct {
	int usage_before;
	int usage_after;
	int held_pid;
} holding;

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(hold_task)
{
	struct task_struct *me = bpf_get_current_task_btf(), *t, *old;
	struct held_value *v = bpf_map_lookup_elem(&held, &(int){0});

	if (!v)
		return 0;
	holding.usage_before = me->usage.refs.counter;
	t = bpf_task_acquire(me);	/* a reference of our own */
	if (!t)
		return 0;
	old = bpf_kptr_xchg(&v->task, t);	/* now the map's */
	if (old)
		bpf_task_release(old);	/* the one it held before, if any */
	holding.usage_after = me->usage.refs.counter;
	return 0;
}

SEC("fentry/bpf_fentry_test1")
int BPF_PROG(check_held)
{
	struct held_value *v = bpf_map_lookup_elem(&held, &(int){0});
	struct task_struct *t;

	if (!v)
		return 0;
	t = v->task;
	holding.held_pid = t ? t->pid : -1;
	return 0;
}

char _license[] SEC("license") = "GPL";
