// SPDX-License-Identifier: GPL-2.0
/* The BPF side of "./vmtest.sh bench" (tests/bench_kptr.c): the same
 * object loads on upstream's kernel (tag base) and on the series' kernel,
 * since the ABI is the same.  The tc programs are the operations whose
 * cost is measured with bpf_prog_test_run(); the fill programs give map
 * values references for the eviction and map free figures; the fentry
 * and fexit programs time htab_map_free() from inside the kernel, so that
 * the RCU grace periods before a map is freed do not count.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bench_kptr.h"

#ifndef __kptr
#define __kptr __attribute__((btf_type_tag("kptr")))
#endif
#ifndef __kptr_ref
#define __kptr_ref __attribute__((btf_type_tag("kptr_ref")))
#endif

extern struct prog_test_ref_kfunc *
bpf_kfunc_call_test_acquire(unsigned long *scalar_ptr) __ksym;
extern void bpf_kfunc_call_test_release(struct prog_test_ref_kfunc *p) __ksym;
extern struct prog_test_ref_kfunc *
bpf_kfunc_call_test_kptr_get(struct prog_test_ref_kfunc **p, int a, int b) __ksym;

struct val {
	u64 plain;
	struct prog_test_ref_kfunc __kptr *unref;
	struct prog_test_ref_kfunc __kptr_ref *ref;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, struct val);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, struct val);
} parr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_ZERO_SEED);	/* the same buckets every boot */
	__type(key, u32);
	__type(value, struct val);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_ZERO_SEED);	/* the same buckets every boot */
	__type(key, u32);
	__type(value, struct val);
} lru SEC(".maps");

/* Its size is set by user space, one object per size */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_ZERO_SEED);	/* the same buckets every boot */
	__type(key, u32);
	__type(value, struct val);
} free_hash SEC(".maps");

struct bench_globals g;

/* The floor: a map lookup and a plain load of the value */
SEC("tc")
int plain_load(struct __sk_buff *ctx)
{
	struct val *v = bpf_map_lookup_elem(&arr, &(u32){0});

	if (!v)
		return 0;
	return v->plain ? 1 : 0;
}

/* A kptr load, its NULL check and a field read through it */
SEC("tc")
int kptr_load(struct __sk_buff *ctx)
{
	struct val *v = bpf_map_lookup_elem(&arr, &(u32){0});
	struct prog_test_ref_kfunc *p;

	if (!v)
		return 0;
	p = v->unref;
	if (!p)
		return 0;
	return p->a;
}

/* A store of an acquired object into an unreferenced kptr */
SEC("tc")
int kptr_store(struct __sk_buff *ctx)
{
	struct val *v = bpf_map_lookup_elem(&arr, &(u32){0});
	struct prog_test_ref_kfunc *p;
	unsigned long sp = 0;

	if (!v)
		return 0;
	p = bpf_kfunc_call_test_acquire(&sp);
	if (!p)
		return 0;
	v->unref = p;
	bpf_kfunc_call_test_release(p);
	return 1;
}

/* A reference moved into a referenced kptr and out again */
SEC("tc")
int kptr_xchg(struct __sk_buff *ctx)
{
	struct val *v = bpf_map_lookup_elem(&arr, &(u32){0});
	struct prog_test_ref_kfunc *p;
	unsigned long sp = 0;

	if (!v)
		return 0;
	p = bpf_kfunc_call_test_acquire(&sp);
	if (!p)
		return 0;
	p = bpf_kptr_xchg(&v->ref, p);
	if (p)
		bpf_kfunc_call_test_release(p);
	p = bpf_kptr_xchg(&v->ref, NULL);
	if (!p)
		return 0;
	bpf_kfunc_call_test_release(p);
	return 1;
}

/* A new reference from the referenced kptr of value 1 (kptr_setup) */
SEC("tc")
int kptr_get(struct __sk_buff *ctx)
{
	struct val *v = bpf_map_lookup_elem(&arr, &(u32){1});
	struct prog_test_ref_kfunc *p;

	if (!v)
		return 0;
	p = bpf_kfunc_call_test_kptr_get(&v->ref, 0, 0);
	if (!p)
		return 0;
	bpf_kfunc_call_test_release(p);
	return 1;
}

/* Puts a reference in value 1, for kptr_get */
SEC("tc")
int kptr_setup(struct __sk_buff *ctx)
{
	struct val *v = bpf_map_lookup_elem(&arr, &(u32){1});
	struct prog_test_ref_kfunc *p;
	unsigned long sp = 0;

	if (!v)
		return 0;
	p = bpf_kfunc_call_test_acquire(&sp);
	if (!p)
		return 0;
	p = bpf_kptr_xchg(&v->ref, p);
	if (p)
		bpf_kfunc_call_test_release(p);
	return 0;
}

/* Inserts key g.fill_base + i into @map with a reference in it */
static __always_inline int fill_one(void *map, u32 i)
{
	struct val zero = {}, *v;
	struct prog_test_ref_kfunc *p;
	unsigned long sp = 0;
	u32 key = g.fill_base + i;

	long err;

	err = bpf_map_update_elem(map, &key, &zero, BPF_ANY);
	if (err) {
		g.fill_err = err;
		return 1;
	}
	v = bpf_map_lookup_elem(map, &key);
	p = v ? bpf_kfunc_call_test_acquire(&sp) : NULL;
	if (!p) {
		g.fill_err = -1;
		return 1;
	}
	p = bpf_kptr_xchg(&v->ref, p);
	if (p)
		bpf_kfunc_call_test_release(p);
	g.fill_done++;
	return 0;
}

static int fill_free_cb(u32 i, void *ctx)
{
	return fill_one(&free_hash, i);
}

static int fill_lru_cb(u32 i, void *ctx)
{
	return fill_one(&lru, i);
}

SEC("tc")
int fill_free(struct __sk_buff *ctx)
{
	g.fill_done = 0;
	g.fill_err = 0;
	return bpf_loop(g.fill_count, fill_free_cb, NULL, 0);
}

SEC("tc")
int fill_lru(struct __sk_buff *ctx)
{
	g.fill_done = 0;
	g.fill_err = 0;
	return bpf_loop(g.fill_count, fill_lru_cb, NULL, 0);
}

/* The time htab_map_free() takes for the map of g.free_entries elements
 * (the other hash maps have other sizes, and its id is gone by now): from
 * the first instruction to the last, so that only the freeing of the
 * elements and their references counts, not the grace periods before.
 * The exit side compares the pointer only: the map is gone by then.
 */
SEC("fentry/htab_map_free")
int BPF_PROG(free_enter, struct bpf_map *map)
{
	if (map->max_entries != g.free_entries)
		return 0;
	g.free_map = (u64)map;
	g.free_start = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/htab_map_free")
int BPF_PROG(free_exit, struct bpf_map *map)
{
	if ((u64)map != g.free_map || !g.free_map)
		return 0;
	g.free_ns = bpf_ktime_get_ns() - g.free_start;
	g.free_map = 0;
	return 0;
}

char _license[] SEC("license") = "GPL";
