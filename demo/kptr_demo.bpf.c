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

/* Task local storage: every child of the demo process keeps, in its own
 * storage, a counted reference to its parent, and one to itself.  Both
 * are dropped when the child exits, so neither keeps a task alive.
 */
struct family_value {
	struct task_struct __kptr_ref *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct family_value);
} parent_of SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct family_value);
} self_of SEC(".maps");

/* What the family programs saw; user space sets watch_tgid */
struct family {
	int watch_tgid;		/* the demo process */
	int usage;		/* its usage count, as read_usage saw it */
	int parents_kept;	/* children that keep a reference to it */
	int parents_found;	/* children whose storage led back to it */
	int selves_kept;	/* children that keep a reference to themselves */
	int children_freed;	/* children that free_task saw go */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct family);
} family SEC(".maps");

static __always_inline struct family *family_watching(int tgid)
{
	struct family *f = bpf_map_lookup_elem(&family, &(int){0});

	return f && f->watch_tgid && f->watch_tgid == tgid ? f : NULL;
}

/* Moves a new reference to @t into @v's field */
static __always_inline bool keep(struct family_value *v, struct task_struct *t)
{
	struct task_struct *old;

	if (!v)
		return false;
	t = bpf_task_acquire(t);
	if (!t)
		return false;
	old = bpf_kptr_xchg(&v->task, t);
	if (old)
		bpf_task_release(old);
	return true;
}

/* At fork, the child's storage gets a reference to its parent */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(keep_parent, struct task_struct *parent, struct task_struct *child)
{
	struct family *f = family_watching(parent->tgid);

	if (f && keep(bpf_task_storage_get(&parent_of, child, 0,
					   BPF_LOCAL_STORAGE_GET_F_CREATE), parent))
		__sync_fetch_and_add(&f->parents_kept, 1);
	return 0;
}

/* Run by each child: find the parent in its storage, keep itself */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(child_run)
{
	struct task_struct *me = bpf_get_current_task_btf(), *p;
	struct family *f = family_watching(me->real_parent->tgid);
	struct family_value *v;

	if (!f)
		return 0;
	v = bpf_task_storage_get(&parent_of, me, 0, 0);
	p = v ? v->task : NULL;
	if (p && p->tgid == f->watch_tgid)
		__sync_fetch_and_add(&f->parents_found, 1);
	if (keep(bpf_task_storage_get(&self_of, me, 0,
				      BPF_LOCAL_STORAGE_GET_F_CREATE), me))
		__sync_fetch_and_add(&f->selves_kept, 1);
	return 0;
}

/* Run by the demo process: its own usage count */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(read_usage)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct family *f = family_watching(me->tgid);

	if (f)
		f->usage = me->usage.refs.counter;
	return 0;
}

/* A child's task_struct is freed: nothing holds it any more */
SEC("fentry/free_task")
int BPF_PROG(task_freed, struct task_struct *t)
{
	struct family *f = family_watching(t->real_parent->tgid);

	if (f && t->tgid != f->watch_tgid)
		__sync_fetch_and_add(&f->children_freed, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
