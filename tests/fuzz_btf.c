// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_btf: random map value types for map creation.
 *
 * Each generated type is built with libbpf's btf__add_*() (member offsets
 * patched in place for what libbpf will not encode), loaded with
 * bpf_btf_load() and used as btf_value_type_id of one to three map
 * creations.  A map create must give a map or a documented errno; where the
 * generator knows the answer it must be that answer; a map that was created
 * is probed with tiny programs: the verifier must know its kptr fields where
 * they are and nowhere else.
 *
 * Three families of values:
 *   structured  structs, arrays of arrays, modifier chains and plain fields
 *               around 0-14 well-formed kptrs, with at most one planted
 *               fault: the generator knows the answer;
 *   deep        struct/array/union/typedef chains 16-20000 levels deep,
 *               declared inner-first so that BTF verification takes them;
 *   wild        random kinds, tags in every position, odd and overlapping
 *               offsets, bitfields, forward declarations, huge and empty
 *               arrays: the answer comes from a model of the documented
 *               rules, an iterative walk, also run on the other families,
 *               where it must agree with what the generator built.
 *
 * Type I of seed S comes from (S, I) alone: "--seed S --count N --index I"
 * reproduces it (N places the one value 10000 levels deep).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/filter.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define MAX_KPTRS	8		/* BPF_KPTR_MAX_FIELDS */
#define ENOTSUPP	524		/* the kernel's, for misplaced spin locks */
#define UNSIZED		(~0ULL)
#define BIG_VALUE	32768		/* above it E2BIG/ENOMEM are fair answers */
#define DEEP_LEVELS	32		/* --progress reports values this deep */
#define FORCED_DEPTH	10000
#define MAX_RECORD	32

/* --- outcomes: success or an errno, as bits of a set ------------------- */

enum { E_OK, E_INVAL, E_NOENT, E_2BIG, E_EXIST, E_NXIO, E_OPNOTSUPP,
	E_ACCES, E_PERM, E_NOTSUPP, E_NOMEM, E_OTHER, E_NR };
static const int errnos[E_NR] = { 0, EINVAL, ENOENT, E2BIG, EEXIST, ENXIO,
	EOPNOTSUPP, EACCES, EPERM, ENOTSUPP, ENOMEM, -1 };
static const char *const enames[E_NR] = { "success", "EINVAL", "ENOENT",
	"E2BIG", "EEXIST", "ENXIO", "EOPNOTSUPP", "EACCES", "EPERM",
	"ENOTSUPP", "ENOMEM", "other" };
#define B(e)		(1u << (e))
/* The errnos of the series' commit messages, the base's ENOTSUPP for spin
 * locks, and ENOMEM, which any allocation may give.
 */
#define DOCUMENTED	(B(E_NR) - 1 - B(E_OTHER))

static int ebit(int err)
{
	int i;

	for (i = 0; i < E_OTHER && errnos[i] != err; i++)
		;
	return i;
}

static const char *set_str(u32 set, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < E_NR; i++)
		if (set & B(i) && n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "", enames[i]);
	return buf;
}

/* --- the PRNG: splitmix64, one stream per (seed, index) --------------- */

static u64 rng;

static u64 rnd(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rn(u32 n)
{
	return n ? rnd() % n : 0;
}

static bool pct(u32 p)
{
	return rn(100) < p;
}

static void seed_stream(u64 seed, u64 idx)
{
	rng = seed * 0x2545f4914f6cdd1dULL ^ (idx + 1) * 0x9e3779b97f4a7c15ULL;
	rnd();
}

/* --- options and results ---------------------------------------------- */

static unsigned long long opt_seed = 1;
static u32 opt_count = 3000, opt_index = ~0u, opt_max_depth = 20000;
static u32 opt_depth, opt_only = ~0u;
static bool opt_stop, opt_progress, opt_verbose, stop;

enum { C_ERRNO, C_EXPECT, C_PROBE, C_MODEL, C_NR };
static const char *const check_names[C_NR] = {
	"map creation never crashes or returns an undocumented errno",
	"expected outcomes",
	"the verifier sees kptr fields where expected and nowhere else",
	"the generator's model agrees with its intent",
};
static u32 checked[C_NR], failed[C_NR], n_reported, first_problem = ~0u;
static u32 n_types, n_fam[3], n_btf_refused, n_maps, n_refused[E_NR];
static u32 n_probes, max_depth_seen;
static int other_errnos[8], n_other;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("fuzz_btf: ");
	vprintf(fmt, ap);
	printf("\nnot ok 1 - %s (fuzzer error)\n", check_names[0]);
	va_end(ap);
	exit(1);
}

/* --- kernel struct names ----------------------------------------------- */

/* The types with a kptr destructor (net/bpf/test_run.c, kernel/bpf/
 * helpers.c), the only pointees a kptr_ref may have.  Offset 0 of each is a
 * plain integer, which the typed verifier probe reads.
 */
static const char *const dtor_names[] = {
	"prog_test_ref_kfunc", "prog_test_member", "task_struct",
};

static const char **kstructs;	/* sorted */
static const char **kothers;	/* union and typedef names */
static u32 n_kstructs, n_kothers, n_modstructs;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether map creation finds a kernel struct of this name */
static bool kfind(const char *name)
{
	return bsearch(&name, kstructs, n_kstructs, sizeof(name), name_cmp);
}

static bool has_dtor(const char *name)
{
	return !strcmp(name, dtor_names[0]) || !strcmp(name, dtor_names[1]) ||
	       !strcmp(name, dtor_names[2]);
}

static void add_names(const struct btf *btf, u32 from, bool module)
{
	u32 i, n = btf__type_cnt(btf);

	kstructs = realloc(kstructs, (n_kstructs + n) * sizeof(char *));
	kothers = realloc(kothers, (n_kothers + n) * sizeof(char *));
	if (!kstructs || !kothers)
		die("out of memory");
	for (i = from; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *name = btf__name_by_offset(btf, t->name_off);

		if (!name || !name[0])
			continue;
		if (btf_is_struct(t))
			kstructs[n_kstructs++] = name, n_modstructs += module;
		else if (btf_is_union(t) || btf_is_typedef(t))
			kothers[n_kothers++] = name;
	}
}

/* The struct names of vmlinux and of the modules with BTF, and union and
 * typedef names, which look like pointees but are no struct.
 */
static void load_kernel_names(void)
{
	struct btf *vmlinux = btf__load_vmlinux_btf(), *mod;
	struct dirent *de;
	DIR *dir;
	u32 i;

	if (!vmlinux) {		/* no kptr can work; the run still may not crash */
		printf("fuzz_btf: no vmlinux BTF (%d), using the built-in names\n", -errno);
		kstructs = (const char **)dtor_names;
		n_kstructs = 3;
	} else {
		add_names(vmlinux, 1, false);
		dir = opendir("/sys/kernel/btf");
		while (dir && (de = readdir(dir))) {
			if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
				continue;
			mod = btf__load_module_btf(de->d_name, vmlinux);
			if (mod)	/* kept: the names point into it */
				add_names(mod, btf__type_cnt(vmlinux), true);
		}
		if (dir)
			closedir(dir);
	}
	qsort(kstructs, n_kstructs, sizeof(char *), name_cmp);
	for (i = 0; i < 3; i++)
		if (!kfind(dtor_names[i]))
			printf("fuzz_btf: warning: no struct %s in kernel BTF\n", dtor_names[i]);
}

static const char *known_name(void)
{
	return pct(50) || !n_kstructs ? dtor_names[rn(3)] : kstructs[rn(n_kstructs)];
}

/* A struct the kernel has, without a destructor */
static const char *nodtor_name(void)
{
	const char *name;
	int tries;

	for (tries = 0; tries < 16 && n_kstructs > 3; tries++) {
		name = kstructs[rn(n_kstructs)];
		if (!has_dtor(name))
			return name;
	}
	return "prog_test_member1";
}

/* A name no kernel struct has: a kernel union's or typedef's, or made up */
static const char *unknown_name(void)
{
	static char bufs[64][24];	/* live while a type is built */
	static u32 next;
	char *buf = bufs[next++ % 64];
	const char *name = n_kothers ? kothers[rn(n_kothers)] : "";

	if (name[0] && pct(50) && !kfind(name))
		return name;
	snprintf(buf, 24, "fuzz_nx_%08x", (u32)rnd());
	return buf;
}

/* --- building BTF ------------------------------------------------------ */

enum { F_STRUCT, F_DEEP, F_WILD };
static const char *const fam_names[] = { "structured", "deep", "wild" };

struct kleaf {
	u32 off;
	bool ref;
	const char *name;	/* the pointee's */
};

/* What map creation needs to know of a value */
struct facts {
	u64 size;		/* UNSIZED: not a sized type */
	u32 errs;		/* errnos the kptr search may give, 0: none */
	int first;		/* the model's first fault in walk order, */
	const char *why;	/* the rule it broke */
	u64 why_off;		/* and where */
	u32 nk;			/* kptrs found */
	bool ref;		/* a kptr_ref among them */
	struct kleaf k[MAX_RECORD];
	s64 spin_off, timer_off;	/* -1: none */
};

struct gcase {
	struct btf *btf;
	u64 *sz;		/* size of each type id, UNSIZED for none */
	u32 cap, value;		/* the value's type id */
	u32 fam, depth;		/* nesting levels of the value */
	int btf_err;		/* what the BTF load must give; -1: unknown */
	struct facts f;		/* what the generator built (not for wild) */
	char desc[160];
	bool dumped;
};

#define ID_U32	1
#define ID_U64	2
#define ID_CHAR	3

static int put(struct gcase *c, int id, u64 size)
{
	if (id < 0)
		die("libbpf refused a type: %d", id);
	if ((u32)id >= c->cap) {
		c->cap = id * 2 + 64;
		c->sz = realloc(c->sz, c->cap * sizeof(*c->sz));
		if (!c->sz)
			die("out of memory");
	}
	c->sz[id] = size;
	return id;
}

static u64 tsize(struct gcase *c, int id)
{
	return id ? c->sz[id] : UNSIZED;
}

static int t_ptr(struct gcase *c, int ref)
{
	return put(c, btf__add_ptr(c->btf, ref), 8);
}

static int t_fwd(struct gcase *c, const char *name, bool un)
{
	return put(c, btf__add_fwd(c->btf, name, un ? BTF_FWD_UNION : BTF_FWD_STRUCT), UNSIZED);
}

static int t_arr(struct gcase *c, int elem, u32 n)
{
	u64 s = tsize(c, elem);

	if (s != UNSIZED)
		s = s && n > (1ULL << 40) / s ? 1ULL << 40 : s * n;
	return put(c, btf__add_array(c->btf, ID_U32, elem, n), s);
}

enum { M_CONST, M_VOLATILE, M_TYPEDEF, M_RESTRICT, M_TAG };

static int t_mod(struct gcase *c, int m, int ref, const char *s)
{
	struct btf *b = c->btf;
	int id = m == M_CONST ? btf__add_const(b, ref) :
		 m == M_VOLATILE ? btf__add_volatile(b, ref) :
		 m == M_TYPEDEF ? btf__add_typedef(b, s ?: "fz_t", ref) :
		 m == M_RESTRICT ? btf__add_restrict(b, ref) :
		 btf__add_type_tag(b, s ?: "kptr", ref);

	return put(c, id, tsize(c, ref));
}

/* Modifiers the kernel skips on a member's type; never a type tag, which
 * BTF verification wants only right after a pointer.
 */
static int t_mods(struct gcase *c, int id, u32 n)
{
	while (n--)
		id = t_mod(c, rn(3), id, pct(50) ? "fz_t" : "fz_u");
	return id;
}

struct mem {
	int type;
	u32 bitoff, bitsz;
	u32 raw;		/* nonzero: the offset word, patched in */
};

static int t_comp(struct gcase *c, bool un, const char *name, u64 size,
		  const struct mem *m, u32 n)
{
	u32 i, raw[16];
	struct btf_type *t;
	char buf[16];
	int id;

	size = size > 0xffffffffULL ? 0xffffffffULL : size;
	id = put(c, un ? btf__add_union(c->btf, name, size) :
			 btf__add_struct(c->btf, name, size), size);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "m%u", i);
		raw[i] = m[i].raw;
		if (raw[i] || btf__add_field(c->btf, pct(10) ? NULL : buf, m[i].type,
					     un ? 0 : m[i].bitoff, m[i].bitsz)) {
			/* what btf__add_field() will not encode goes in raw */
			raw[i] = raw[i] ?: m[i].bitoff | m[i].bitsz << 24;
			if (btf__add_field(c->btf, buf, m[i].type, 0, 0))
				die("libbpf refused member %u of type %d", i, id);
		}
	}
	t = (struct btf_type *)btf__type_by_id(c->btf, id);
	for (i = 0; i < n; i++)
		if (raw[i])
			btf_members(t)[i].offset = raw[i];
	return id;
}

static int t_struct1(struct gcase *c, bool un, int type)
{
	struct mem m = { .type = type };

	return t_comp(c, un, NULL, tsize(c, type), &m, 1);
}

/* Tag strings that are not the kptr tags and must change nothing */
static const char *const other_tags[] = {
	"kptr_user", "user", "percpu", "rcu", "KPTR", "kptr ", " kptr",
	"kptr_ref_", "kptrref", "kptr_rcu", "untrusted", "Kptr_ref",
};

static const char *other_tag(void)
{
	return other_tags[rn(ARRAY_SIZE(other_tags))];
}

enum { LF_OK, LF_KIND, LF_TWOTAGS, LF_NAME, LF_NODTOR, LF_TAGORDER };

/* A pointee that is no named struct: each must fail EINVAL */
static int bad_pointee(struct gcase *c, const char *name)
{
	struct mem m = { .type = ID_U32 };
	int id;

	switch (rn(9)) {
	case 0:  return t_comp(c, true, name, 4, &m, 1);
	case 1:  return t_fwd(c, name, true);
	case 2:  return ID_U64;
	case 3:  return t_comp(c, false, NULL, 4, &m, 1);
	case 4:  return t_ptr(c, t_comp(c, false, name, 4, &m, 1));
	case 5:  return 0;	/* void */
	case 6:  return t_arr(c, t_comp(c, false, name, 4, &m, 1), 1);
	case 7:
		id = put(c, btf__add_enum(c->btf, name, 4), 4);
		btf__add_enum_value(c->btf, "FZ_A", 1);
		return id;
	default: return t_mod(c, M_TYPEDEF, t_comp(c, true, name, 4, &m, 1), name);
	}
}

/* A tagged pointer as a member's type: ptr -> tags -> modifiers -> pointee,
 * maybe with modifiers on the pointer.  Well-formed unless @lf says.
 */
static int kptr_type(struct gcase *c, bool ref, int lf, const char **pname)
{
	struct mem m[2] = { { .type = ID_U32 }, { .type = ID_U32, .bitoff = 32 } };
	const char *name, *tag;
	int p, i, n = rn(3);

	if (lf == LF_NAME)
		name = unknown_name();
	else if (lf == LF_NODTOR)
		ref = true, name = nodtor_name();
	else
		name = ref ? dtor_names[rn(3)] : known_name();
	*pname = name;
	if (lf == LF_KIND)
		p = bad_pointee(c, name);
	else if (pct(50))	/* the layout is ours: only the name counts */
		p = t_comp(c, false, name, 4 * (n + rn(2)), m, n);
	else if (pct(70))
		p = t_fwd(c, name, false);
	else
		p = t_mod(c, M_TYPEDEF, t_comp(c, false, name, 8, m, 2), "fz_obj_t");
	tag = ref ? "kptr_ref" : "kptr";
	if (lf == LF_TAGORDER)	/* a modifier before the tag: refused */
		return t_ptr(c, t_mod(c, M_CONST, t_mod(c, M_TAG, p, tag), NULL));
	p = t_mods(c, p, pct(40) ? 1 + rn(3) : 0);
	n = rn(3) + (lf == LF_TWOTAGS);
	for (i = -1; i < n; i++)
		p = t_mod(c, M_TAG, p, i < 0 ? tag : lf == LF_TWOTAGS && i == n - 1 ?
			  (pct(50) ? "kptr" : "kptr_ref") : other_tag());
	p = t_ptr(c, p);
	if (pct(20))
		p = t_mod(c, M_RESTRICT, p, NULL);
	return t_mods(c, p, pct(25) ? 1 + rn(2) : 0);
}

/* Eight bytes (or an array of them) the kernel must not take for a kptr */
static int plain_leaf(struct gcase *c, u64 *size)
{
	struct mem m[3] = { { .type = ID_U32 }, { .type = ID_U64 } };
	const char *dummy;
	int id;

	*size = 8;
	switch (rn(12)) {
	case 0:		return ID_U64;
	case 1:		return t_arr(c, ID_CHAR, 8);
	case 2:		/* an untagged pointer to a kernel struct */
		return t_ptr(c, t_fwd(c, known_name(), false));
	case 3:		/* tags, none of them a kptr tag */
		return t_ptr(c, t_mod(c, M_TAG, t_fwd(c, known_name(), false), other_tag()));
	case 4:		/* the tag on the pointer, not on the pointee (in a
			 * struct: no modifier may come before a type tag)
			 */
		id = t_ptr(c, t_fwd(c, dtor_names[rn(3)], false));
		return t_struct1(c, false, t_mod(c, M_TAG, id, pct(50) ? "kptr" : "kptr_ref"));
	case 5:		/* a zero-length array of kptrs holds none */
		m[0].type = t_arr(c, kptr_type(c, pct(50), LF_OK, &dummy), 0);
		return t_comp(c, false, NULL, 8, m, 2);
	case 6:		/* bitfields */
		m[0].bitsz = 3;
		m[1] = (struct mem){ .type = ID_U32, .bitoff = 3, .bitsz = 13 };
		m[2] = (struct mem){ .type = ID_U32, .bitoff = 32, .bitsz = 32 };
		return t_comp(c, false, NULL, 8, m, 3);
	case 7:		/* a decl tag "kptr" is no type tag */
		m[0].type = t_ptr(c, t_fwd(c, dtor_names[0], false));
		id = t_comp(c, false, NULL, 8, m, 1);
		put(c, btf__add_decl_tag(c->btf, "kptr", id, 0), UNSIZED);
		return id;
	case 8:		/* big arrays of plain memory */
		id = t_arr(c, ID_U64, 2u << rn(14));
		*size = tsize(c, id);
		return id;
	case 9:		/* a union without kptrs is fine */
		m[0].type = t_ptr(c, ID_U64);
		m[2].type = t_arr(c, ID_CHAR, 8);
		return t_comp(c, true, NULL, 8, m, 3);
	case 10:	/* an empty struct, then something */
		m[0].type = t_comp(c, false, "fz_empty", 0, NULL, 0);
		return t_comp(c, false, NULL, 8, m, 2);
	default:	/* a pointer to a kptr */
		return t_ptr(c, kptr_type(c, false, LF_OK, &dummy));
	}
}

static void record(struct gcase *c, u32 off, bool ref, const char *name)
{
	if (c->f.nk < MAX_RECORD)
		c->f.k[c->f.nk] = (struct kleaf){ off, ref, name };
	c->f.nk++;
	c->f.ref |= ref;
}

/* A subtree of a structured value at offset @base with exactly @nk
 * well-formed kptrs, which it records.  Its size is a multiple of 8: its
 * kptrs stay 8-aligned wherever it goes.
 */
static int gen_s(struct gcase *c, u64 base, u32 nk, u32 level, u64 *size)
{
	u32 i, j, n, parts[4], np, first = c->f.nk, last;
	struct mem m[12];
	const char *name;
	u64 s, cur = 0;
	bool ref;
	int id;

	c->depth = level > c->depth ? level : c->depth;
	if (!nk && (level >= 4 || pct(55)))
		return plain_leaf(c, size);
	if (nk == 1 && (level >= 5 || pct(45))) {
		id = kptr_type(c, ref = pct(35), LF_OK, &name);
		record(c, base, ref, name);
		*size = 8;
		return id;
	}
	if (level < 7 && pct(30)) {	/* an array of alike elements */
		for (n = nk; n > 1 && (nk % n || pct(40)); n--)
			;
		if (!nk)
			n = pct(20) ? 0 : 1 + rn(5);
		id = gen_s(c, base, n ? nk / n : 0, level + 1, &s);
		last = c->f.nk < MAX_RECORD ? c->f.nk : MAX_RECORD;
		for (i = 1; i < n; i++)
			for (j = first; j < last; j++)
				record(c, c->f.k[j].off + i * s, c->f.k[j].ref, c->f.k[j].name);
		*size = s * n;
		return t_mods(c, t_arr(c, id, n), pct(15));
	}
	/* a struct of up to four parts, with plain members around them */
	np = nk ? 1 + rn(nk < 4 ? nk : 4) : 1 + rn(3);
	for (i = 0; i < np; i++)
		parts[i] = nk / np + (i < nk % np);
	for (i = n = 0; i < np; i++) {
		if (pct(25)) {
			m[n++] = (struct mem){ .type = plain_leaf(c, &s), .bitoff = cur * 8 };
			cur += s;
		}
		id = gen_s(c, base + cur, parts[i], level + 1, &s);
		m[n++] = (struct mem){ .type = t_mods(c, id, pct(20) ? 1 + rn(3) : 0),
				       .bitoff = cur * 8 };
		if (s >= 4 && pct(10))	/* a plain member over the same bytes */
			m[n++] = (struct mem){ .type = pct(50) ? ID_U32 : ID_CHAR,
					       .bitoff = cur * 8 };
		cur += s;
	}
	*size = cur;
	return t_comp(c, false, pct(50) ? NULL : "fz_s", cur, m, n);
}

enum { SF_NONE, SF_E2BIG, SF_UNION, SF_MISALIGN, SF_KIND, SF_TWOTAGS,
	SF_NAME, SF_NODTOR, SF_DUP, SF_SPIN, SF_TIMER, SF_TAGORDER, SF_NR };
static const char *const sf_names[] = { "none", "more than 8 kptrs",
	"kptr in a union", "misaligned kptr", "pointee not a named struct",
	"two kptr tags", "unknown pointee name", "kptr_ref without destructor",
	"overlapping kptrs", "kptr over the spin lock", "kptr over the timer",
	"type tag after a modifier" };

/* The member with the planted fault, in 0-3 struct wrappers */
static int gen_fault(struct gcase *c, int sf, u64 *size)
{
	static const int lf[SF_NR] = { [SF_KIND] = LF_KIND, [SF_TWOTAGS] = LF_TWOTAGS,
		[SF_NAME] = LF_NAME, [SF_NODTOR] = LF_NODTOR, [SF_TAGORDER] = LF_TAGORDER };
	u32 k = 1 + rn(7), wraps = rn(4), union_at = rn(wraps + 1);
	const char *name;
	struct mem m[2];
	u64 s = 8, pre;
	int id;

	if (sf == SF_MISALIGN) {
		m[0] = (struct mem){ .type = t_arr(c, ID_CHAR, k) };
		m[1] = (struct mem){ .type = kptr_type(c, pct(30), LF_OK, &name), .bitoff = k * 8 };
		id = t_comp(c, false, NULL, s = 16, m, 2);
	} else if (sf == SF_DUP) {	/* two members at one offset */
		m[0] = (struct mem){ .type = kptr_type(c, pct(30), LF_OK, &name) };
		m[1] = (struct mem){ .type = kptr_type(c, pct(30), LF_OK, &name) };
		id = t_comp(c, false, NULL, 8, m, 2);
	} else {
		id = kptr_type(c, pct(30), lf[sf], &name);
	}
	for (k = 0; k <= wraps; k++) {
		if (sf == SF_UNION && k == union_at) {
			m[0] = (struct mem){ .type = id };
			m[1] = (struct mem){ .type = ID_U64 };
			id = t_comp(c, true, NULL, s, m, 2);
		}
		if (k == wraps)
			break;
		pre = 8 * rn(2);
		m[0] = (struct mem){ .type = ID_U64 };
		m[!!pre] = (struct mem){ .type = id, .bitoff = pre * 8 };
		id = t_comp(c, false, NULL, s += pre, m, 1 + !!pre);
	}
	*size = s;
	return id;
}

static int gen_structured(struct gcase *c)
{
	static const u32 weights[SF_NR] = { 40, 6, 6, 5, 6, 4, 6, 5, 5, 4, 4, 3 };
	static const u32 errs[SF_NR] = { 0, B(E_2BIG), B(E_INVAL), B(E_INVAL),
		B(E_INVAL), B(E_INVAL), B(E_NOENT), B(E_OPNOTSUPP), B(E_EXIST) };
	u32 sf, r = rn(98), nk, np, i, n = 0, fault_at, parts[3];
	struct mem m[12], lock[2] = { { .type = ID_U32 }, { .type = ID_U64, .bitoff = 64 } };
	u64 cur = 0, s;
	const char *name;
	bool ref;
	int id;

	for (sf = 0; sf < SF_NR - 1 && r >= weights[sf]; sf++)
		r -= weights[sf];
	/* room for the fault's own kptrs: below 9 in all */
	nk = rn(MAX_KPTRS + 1 - (sf == SF_DUP) * 2 -
		(sf == SF_NAME || sf == SF_NODTOR || sf == SF_SPIN || sf == SF_TIMER));
	if (sf == SF_E2BIG)
		nk = MAX_KPTRS + 1 + rn(6);
	c->f.errs = errs[sf];
	c->btf_err = sf == SF_TAGORDER ? EINVAL : 0;
	if (sf == SF_NONE && !nk && pct(4)) {
		snprintf(c->desc, sizeof(c->desc), "structured: a zero-sized value");
		return t_comp(c, false, "fz_value", c->f.size = 0, NULL, 0);
	}
	/* a spin lock or a timer: map types that refuse them, kptrs over them */
	if (sf == SF_SPIN || (sf != SF_TIMER && pct(12))) {
		m[n++] = (struct mem){ .type = t_comp(c, false, "bpf_spin_lock", 4, lock, 1) };
		c->f.spin_off = 0;
		if (sf == SF_SPIN) {
			m[n++] = (struct mem){ .type = kptr_type(c, ref = pct(30), LF_OK, &name) };
			record(c, 0, ref, name);
		}
		cur = 8;
	}
	if (sf == SF_TIMER || (sf != SF_SPIN && pct(10))) {
		lock[0].type = ID_U64;	/* struct bpf_timer { u64; u64; } */
		m[n++] = (struct mem){ .type = t_comp(c, false, "bpf_timer", 16, lock, 2),
				       .bitoff = cur * 8 };
		c->f.timer_off = cur;
		if (sf == SF_TIMER) {
			m[n++] = (struct mem){ .type = kptr_type(c, ref = pct(30), LF_OK, &name),
					       .bitoff = (cur + 8) * 8 };
			record(c, cur + 8, ref, name);
		}
		cur += 16;
	}
	np = 1 + rn(3);
	for (i = 0; i < np; i++)
		parts[i] = nk / np + (i < nk % np);
	fault_at = sf == SF_NONE || sf == SF_E2BIG || sf == SF_SPIN ||
		   sf == SF_TIMER ? ~0u : rn(np + 1);
	for (i = 0; i <= np; i++) {
		if (i == fault_at) {
			m[n++] = (struct mem){ .type = gen_fault(c, sf, &s), .bitoff = cur * 8 };
			cur += s;
		}
		if (i == np)
			break;
		id = gen_s(c, cur, parts[i], 1, &s);
		m[n++] = (struct mem){ .type = t_mods(c, id, pct(15) ? 1 + rn(3) : 0),
				       .bitoff = cur * 8 };
		cur += s;
	}
	id = t_comp(c, false, pct(50) ? "fz_value" : NULL, c->f.size = cur, m, n);
	/* a union value: only struct values are searched, its tags are none */
	if (c->f.spin_off < 0 && c->f.timer_off < 0 && sf != SF_TAGORDER && pct(5)) {
		m[0] = (struct mem){ .type = id };
		m[1] = (struct mem){ .type = ID_U64 };
		id = t_comp(c, true, NULL, c->f.size = cur > 8 ? cur : 8, m, 2);
		c->f.errs = c->f.nk = c->f.ref = 0;
	}
	snprintf(c->desc, sizeof(c->desc), "structured: %u kptrs, fault: %s%s%s%s",
		 nk, sf_names[sf], c->f.spin_off >= 0 ? ", spin lock" : "",
		 c->f.timer_off >= 0 ? ", timer" : "",
		 btf_is_union(btf__type_by_id(c->btf, id)) ? ", union value" : "");
	return pct(10) ? t_mods(c, id, 1 + rn(4)) : id;
}

enum { D_STRUCT, D_TYPEDEF, D_ARRAY, D_UNION, D_DIAMOND, D_PAD, D_MIX, D_NR };
static const char *const d_names[] = { "struct chain", "struct/typedef chain",
	"array chain", "union chain", "diamond (two members at offset 0 a level)",
	"padded struct chain", "mixed struct/typedef/array/union/diamond chain" };

/* A chain @depth levels deep, each level holding the one below, declared
 * inner-first: BTF verification never has to look down it, so nothing
 * bounds its length.
 */
static int gen_deep(struct gcase *c, u32 depth)
{
	u32 shape = rn(D_NR), bottom = rn(4), lvl, nk = !!bottom, off = 0;
	bool un = false, ref = bottom == 3, top_struct = false;
	const char *name = "";
	struct mem m[2];
	u64 s = 8;
	int id = ID_U64;

	if (shape == D_PAD && depth > 2000)
		shape = D_STRUCT;
	if (bottom)
		id = kptr_type(c, ref, bottom == 2 ? LF_NAME : LF_OK, &name);
	for (lvl = 0; lvl < depth; lvl++) {
		top_struct = true;
		switch (shape == D_MIX ? rn(D_PAD) : shape) {
		case D_TYPEDEF:
			id = t_mod(c, M_TYPEDEF, id, "fz_level_t");
			/* fall through */
		case D_STRUCT:
			id = t_struct1(c, false, id);
			break;
		case D_ARRAY:
			id = t_arr(c, id, 1);
			top_struct = false;
			break;
		case D_UNION:
			id = t_struct1(c, un = true, id);
			top_struct = false;
			break;
		case D_DIAMOND:
			m[0] = m[1] = (struct mem){ .type = id };
			id = t_comp(c, false, NULL, s, m, 2);
			nk = nk > 64 ? nk : nk * 2;
			break;
		default:
			m[0] = (struct mem){ .type = ID_U64 };
			m[1] = (struct mem){ .type = id, .bitoff = 64 };
			id = t_comp(c, false, NULL, s += 8, m, 2);
			off += 8;
			break;
		}
	}
	if (!top_struct)	/* only a struct value is searched */
		id = t_struct1(c, false, id), depth++;
	c->depth = depth;
	c->f.size = s;
	if (!nk)
		c->f.errs = 0;
	else if (un)
		c->f.errs = B(E_INVAL);
	else if (bottom == 2)
		c->f.errs = B(E_NOENT);
	else if (nk > MAX_KPTRS)
		c->f.errs = B(E_2BIG);
	else if (nk > 1)
		c->f.errs = B(E_EXIST);	/* all at one offset */
	else
		record(c, off, ref, name);
	snprintf(c->desc, sizeof(c->desc), "deep: %s, %u levels, bottom %s%s", d_names[shape],
		 depth, bottom ? ref ? "kptr_ref to " : "kptr to " : "u64", name);
	return id;
}

static int gen_w(struct gcase *c, u32 level);

/* A pointer with tags and modifiers anywhere, to anything: mostly those of
 * the structured family with any of their faults, else to wild types, with
 * tags that may or may not be kptr tags, modifiers after them (refused),
 * and a tag on the pointer itself.
 */
static int wild_ptr(struct gcase *c, u32 level)
{
	const char *name;
	int p, i, n, r;

	if (pct(60))
		return kptr_type(c, pct(40), rn(LF_TAGORDER), &name);
	r = rn(4);
	if (r == 0)
		p = put(c, btf__add_func_proto(c->btf, ID_U32), UNSIZED);
	else if (r == 1)
		p = 0;	/* void */
	else
		p = level < 6 ? gen_w(c, level + 1) : ID_U64;
	for (i = 0, n = rn(3); i < n; i++)
		p = t_mod(c, M_TAG, p, pct(35) ? "kptr" : pct(40) ? "kptr_ref" : other_tag());
	for (i = 0, n = pct(10) ? 1 + rn(2) : 0; i < n; i++)
		p = t_mod(c, rn(4), p, "fz_w_t");
	p = t_ptr(c, p);
	if (pct(10))
		p = t_mod(c, M_TAG, p, pct(50) ? "kptr" : "kptr_ref");
	return t_mods(c, p, pct(30) ? 1 + rn(2) : 0);
}

/* A struct or union of wild members at wild offsets */
static int gen_wcomp(struct gcase *c, u32 level)
{
	u32 i, n = rn(level ? 6 : 8), mode = rn(10), align;
	u64 s, cur = 0, prev = 0, size;
	bool un = pct(20);
	struct mem m[8];

	for (i = 0; i < n; i++) {
		m[i] = (struct mem){ .type = gen_w(c, level + 1) };
		s = tsize(c, m[i].type);
		s = s == UNSIZED ? 8 : s;
		align = s >= 8 ? 8 : s >= 4 ? 4 : s >= 2 ? 2 : 1;
		if (un)
			;
		else if (mode < 6)	/* C layout */
			m[i].bitoff = ((cur + align - 1) & ~(u64)(align - 1)) * 8;
		else if (mode == 6 && i && pct(50))	/* overlapping */
			m[i].bitoff = (prev + rn(s + 1)) * 8;
		else if (mode == 7 && s <= 8 && pct(60))	/* bitfields */
			m[i].bitoff = cur * 8 + rn(4), m[i].bitsz = 1 + rn(s * 8 - 3);
		else	/* packed */
			m[i].bitoff = cur * 8;
		if (mode == 8 && pct(15))	/* what libbpf will not encode */
			m[i].raw = un ? 8 * (1 + rn(4)) : m[i].bitoff + 1 + rn(7);
		prev = m[i].bitoff / 8;
		cur = prev + s > cur ? prev + s : cur;
	}
	size = (cur + 7) & ~7ULL;
	if (pct(4))
		size -= rn(8) < size ? rn(8) : 0;
	else if (pct(5))
		size += rn(64);
	c->depth = level > c->depth ? level : c->depth;
	return t_comp(c, un, pct(50) ? "fz_w" : NULL, size, m, n);
}

static int gen_w(struct gcase *c, u32 level)
{
	static const u32 nelems[] = { 0, 1, 1, 2, 3, 8, 9, 17, 1000, 1 << 20 };
	u32 r = level >= 5 ? rn(45) : rn(100), i, n;
	u64 s;
	int id;

	c->depth = level > c->depth ? level : c->depth;
	if (r < 10) {
		n = 1u << rn(5);
		return put(c, btf__add_int(c->btf, "fz_int", n, pct(50) ? BTF_INT_SIGNED : 0), n);
	}
	if (r < 14) {
		id = put(c, btf__add_enum(c->btf, pct(50) ? "fz_enum" : NULL, 4), 4);
		btf__add_enum_value(c->btf, "FZ_E", rn(10));
		return id;
	}
	if (r < 38)
		return wild_ptr(c, level);
	if (r < 45) {	/* a type already built: a DAG, not a tree */
		id = 1 + rn(btf__type_cnt(c->btf) - 1);
		return tsize(c, id) != UNSIZED || pct(10) ? id : ID_U64;
	}
	if (r < 70)
		return gen_wcomp(c, level);
	if (r < 85) {
		s = tsize(c, id = gen_w(c, level + 1));
		n = pct(8) && s && s != UNSIZED ? (u32)(0xffffffffULL / s + 1) :
		    pct(20) ? rn(100) : nelems[rn(10)];
		return t_arr(c, id, n);
	}
	if (r < 95) {	/* now and then a type tag where it is refused */
		id = gen_w(c, level + 1);
		for (i = 0, n = 1 + (pct(20) ? rn(40) : rn(4)); i < n; i++)
			id = t_mod(c, rn(pct(3) ? 5 : 4), id, pct(50) ? "kptr" : "fz_m_t");
		return id;
	}
	/* a decl tag "kptr" on a struct or one of its members means nothing */
	id = gen_wcomp(c, level + 1);
	n = btf_vlen(btf__type_by_id(c->btf, id));
	put(c, btf__add_decl_tag(c->btf, pct(50) ? "kptr" : "kptr_ref", id,
				 n && pct(50) ? (int)rn(n) : -1), UNSIZED);
	return id;
}

/* --- the model: what the commit messages say map creation finds -------- */

static bool is_mod(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
		return true;
	}
	return false;
}

/* Skips modifiers from @id; counts the kptr tags met on the way */
static u32 skip_mods(const struct btf *b, u32 id, int *tags, bool *ref)
{
	const struct btf_type *t = btf__type_by_id(b, id);
	u32 guard = btf__type_cnt(b);
	const char *s;

	for (*tags = 0; t && is_mod(t) && guard--; t = btf__type_by_id(b, id = t->type)) {
		s = btf__name_by_offset(b, t->name_off);
		if (btf_kind(t) == BTF_KIND_TYPE_TAG && s &&
		    (!strcmp(s, "kptr") || !strcmp(s, "kptr_ref")))
			*ref = !strcmp(s, "kptr_ref"), ++*tags;
	}
	return id;
}

static void fault(struct facts *f, int e, const char *why, u64 off)
{
	if (!f->errs)
		f->first = e, f->why = why, f->why_off = off;
	f->errs |= B(e);
}

static int off_cmp(const void *a, const void *b)
{
	const struct kleaf *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static void add_kptr(struct facts *f, u64 off, bool ref, const char *name)
{
	f->k[f->nk++] = (struct kleaf){ off, ref, name };
	f->ref |= ref;
	if (ref && !has_dtor(name))
		fault(f, E_OPNOTSUPP, "a kptr_ref to a struct without destructor", off);
}

struct frame {
	u32 id, i;
	u64 off, esz;
	bool un;
};

/* Walks the value as documented: members and array elements, skipping
 * bitfields, zero-length arrays and the types that cannot hold a tagged
 * pointer (found first, in id order: the generators build inner-first).
 * Goes on past a fault, to collect every errno map creation may give, up
 * to the 9th kptr.  Iterative, so that depth is no limit to it either.
 */
static void model(struct gcase *c, struct facts *f)
{
	const struct btf *b = c->btf;
	u32 n = btf__type_cnt(b), id, i, sp = 0, cap = 64, tagged = 0, cid;
	struct frame *st = malloc(cap * sizeof(*st)), *fr;
	const struct btf_type *t, *ct, *pt;
	u8 *may = calloc(n, 1);
	const char *pname;
	u64 coff, steps = 0;
	bool ref = false, un;
	int tags;

	if (!may || !st)
		die("out of memory");
	memset(f, 0, sizeof(*f));
	f->spin_off = c->f.spin_off;
	f->timer_off = c->f.timer_off;
	f->size = tsize(c, c->value);
	for (id = 1; id < n; id++) {
		t = btf__type_by_id(b, id);
		if (btf_is_ptr(t)) {
			skip_mods(b, t->type, &tags, &ref);
			may[id] = tags > 0;
		} else if (is_mod(t)) {
			may[id] = t->type >= id || may[t->type];
		} else if (btf_is_composite(t)) {
			for (i = 0; i < btf_vlen(t); i++) {
				cid = btf_members(t)[i].type;
				if (!btf_member_bitfield_size(t, i) && !(btf_member_bit_offset(t, i) % 8))
					may[id] |= cid >= id || may[cid];
			}
		} else if (btf_is_array(t)) {
			cid = btf_array(t)->type;
			may[id] = btf_array(t)->nelems && (cid >= id || may[cid]);
		}
	}
	t = btf__type_by_id(b, id = skip_mods(b, c->value, &tags, &ref));
	if (t && btf_is_struct(t))	/* only a struct value is searched */
		st[sp++] = (struct frame){ .id = id };
	while (sp) {
		fr = &st[sp - 1];
		if (++steps > 50000000) {	/* cannot happen: say so loudly */
			fault(f, E_OTHER, "a walk too long to model", 0);
			f->errs = DOCUMENTED;
			break;
		}
		t = btf__type_by_id(b, fr->id);
		if (fr->i >= (btf_is_array(t) ? btf_array(t)->nelems : btf_vlen(t))) {
			sp--;
			continue;
		}
		i = fr->i++;
		if (btf_is_array(t)) {
			cid = btf_array(t)->type;
			coff = fr->off + i * fr->esz;
		} else {
			if (btf_member_bitfield_size(t, i) || btf_member_bit_offset(t, i) % 8)
				continue;
			cid = btf_members(t)[i].type;
			coff = fr->off + btf_member_bit_offset(t, i) / 8;
		}
		cid = skip_mods(b, cid, &tags, &ref);
		if (!may[cid])
			continue;
		ct = btf__type_by_id(b, cid);
		un = fr->un;
		if (btf_is_composite(ct) || btf_is_array(ct)) {
			if (sp == cap)
				st = realloc(st, (cap *= 2) * sizeof(*st));
			if (!st)
				die("out of memory");
			st[sp] = (struct frame){ .id = cid, .off = coff,
				.un = un || btf_is_union(ct),
				.esz = btf_is_array(ct) ? tsize(c, btf_array(ct)->type) : 0 };
			sp++;
			continue;
		}
		if (!btf_is_ptr(ct))
			continue;
		/* a tagged pointer: the checks in their documented order */
		if (++tagged > 64)
			break;
		pt = btf__type_by_id(b, skip_mods(b, ct->type, &tags, &ref));
		pname = btf__name_by_offset(b, pt->name_off);
		if (un)
			fault(f, E_INVAL, "a kptr tag inside a union", coff);
		else if (tags > 1)
			fault(f, E_INVAL, "two kptr tags on one pointer", coff);
		else if (!(btf_is_struct(pt) || (btf_is_fwd(pt) && !btf_kflag(pt))))
			fault(f, E_INVAL, "a kptr to something other than a struct", coff);
		else if (!pname || !pname[0])
			fault(f, E_INVAL, "a kptr to an anonymous struct", coff);
		else if (coff % 8)
			fault(f, E_INVAL, "a misaligned kptr", coff);
		else if (f->nk == MAX_KPTRS)
			break;	/* E2BIG, after the loop */
		else if (!kfind(pname))
			fault(f, E_NOENT, "a kptr to a struct the kernel does not have", coff);
		else
			add_kptr(f, coff, ref, pname);
	}
	if (sp && tagged <= 64 && steps <= 50000000)
		fault(f, E_2BIG, "a 9th kptr", coff);
	if (!f->errs && f->nk > 1) {
		qsort(f->k, f->nk, sizeof(f->k[0]), off_cmp);
		for (i = 1; i < f->nk; i++)
			if (f->k[i].off < f->k[i - 1].off + 8)
				fault(f, E_EXIST, "overlapping kptrs", f->k[i].off);
	}
	free(may);
	free(st);
}

/* Whether the model finds what the generator built */
static bool model_agrees(struct facts *intent, struct facts *m)
{
	u32 i, n = intent->nk < MAX_RECORD ? intent->nk : MAX_RECORD;

	if (intent->errs)
		return m->errs && B(m->first) == intent->errs;
	if (m->errs || m->nk != intent->nk || m->ref != intent->ref)
		return false;
	qsort(intent->k, n, sizeof(intent->k[0]), off_cmp);
	for (i = 0; i < n; i++)
		if (intent->k[i].off != m->k[i].off || intent->k[i].ref != m->k[i].ref ||
		    strcmp(intent->k[i].name, m->k[i].name))
			return false;
	return true;
}

/* --- map creation ------------------------------------------------------- */

struct mkind {
	const char *name;
	enum bpf_map_type type;
	u32 flags, weight;
	bool keyed, walks, kptr, spin, timer, probe;
};

/* What each map kind allows, from map_check_btf() and the commit messages;
 * "walks": map creation gets as far as the kptr search.
 */
static const struct mkind mkinds[] = {
	{ "array", BPF_MAP_TYPE_ARRAY, 0, 16, 1, 1, 1, 1, 1, 1 },
	{ "percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, 0, 10, 1, 1, 1, 0, 0, 1 },
	{ "hash", BPF_MAP_TYPE_HASH, 0, 16, 1, 1, 1, 1, 1, 1 },
	{ "hash(no_prealloc)", BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, 8, 1, 1, 1, 1, 1, 1 },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH, 0, 10, 1, 1, 1, 0, 1, 1 },
	/* local storage (follow-up): no preallocation, no max_entries */
	{ "sk_storage", BPF_MAP_TYPE_SK_STORAGE, BPF_F_NO_PREALLOC, 4, 1, 1, 1, 1, 0, 0 },
	{ "task_storage", BPF_MAP_TYPE_TASK_STORAGE, BPF_F_NO_PREALLOC, 4, 1, 1, 1, 1, 0, 0 },
	{ "inode_storage", BPF_MAP_TYPE_INODE_STORAGE, BPF_F_NO_PREALLOC, 2, 1, 1, 1, 1, 0, 0 },
	{ "percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, 0, 5, 1, 1, 1, 0, 0, 0 },
	{ "bloom_filter", BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 0, 1, 0, 0, 0, 0 },
	{ "queue", BPF_MAP_TYPE_QUEUE, 0, 4, 0, 0, 0, 0, 0, 0 },
	{ "ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 3, 0, 0, 0, 0, 0, 0 },
	{ "array(rdonly_prog)", BPF_MAP_TYPE_ARRAY, BPF_F_RDONLY_PROG, 5, 1, 1, 1, 1, 1, 1 },
	{ "hash(wronly_prog)", BPF_MAP_TYPE_HASH, BPF_F_WRONLY_PROG, 5, 1, 1, 1, 1, 1, 0 },
};

static const struct mkind *pick_mkind(bool walks)
{
	u32 i, r;

	do {
		for (r = rn(100), i = 0; r >= mkinds[i].weight; i++)
			r -= mkinds[i].weight;
	} while (walks && !mkinds[i].walks);
	return &mkinds[i];
}

static bool overlaps(s64 a, u32 alen, s64 b, u32 blen)
{
	return a >= 0 && b >= 0 && a < b + blen && b < a + alen;
}

/* The outcomes allowed for a map of kind @mk with value @f, in the order
 * map_create() and map_check_btf() decide them
 */
static u32 expect(const struct facts *f, const struct mkind *mk)
{
	u32 big = f->size > BIG_VALUE ? B(E_2BIG) | B(E_NOMEM) : 0, i;
	bool rdonly = mk->flags & BPF_F_RDONLY_PROG;

	/* a queue takes no value BTF: EINVAL, or EOPNOTSUPP for a value of
	 * the map's size with well-formed kptrs
	 */
	if (mk->type == BPF_MAP_TYPE_QUEUE)
		return (f->size != UNSIZED && f->size && f->size <= 0xffffffffULL &&
			!f->errs && f->nk ? B(E_OPNOTSUPP) : B(E_INVAL)) | big;
	if (!mk->walks || f->size == UNSIZED || !f->size)
		return B(E_INVAL) | big;
	if ((f->spin_off >= 0 || f->timer_off >= 0) && rdonly)
		return B(E_ACCES) | big;
	if (f->spin_off >= 0 && !mk->spin)
		return B(E_NOTSUPP) | big;
	if (f->timer_off >= 0 && !mk->timer)
		return B(E_OPNOTSUPP) | big;
	if (f->errs || !f->nk)
		return (f->errs ?: B(E_OK)) | big;
	if (mk->flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
		return B(E_ACCES) | big;
	if (!mk->kptr)
		return B(E_OPNOTSUPP) | big;
	for (i = 0; i < f->nk && i < MAX_RECORD; i++)
		if (overlaps(f->k[i].off, 8, f->spin_off, 4) ||
		    overlaps(f->k[i].off, 8, f->timer_off, 16))
			return B(E_EXIST) | big;
	return B(E_OK) | big;
}

static int create(struct gcase *c, int btf_fd, const struct mkind *mk,
		  const struct facts *f)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = btf_fd,
		    .btf_value_type_id = c->value, .map_flags = mk->flags,
		    .btf_key_type_id = mk->keyed ? ID_U32 : 0);
	u32 vs = f->size == UNSIZED ? 8 : f->size > 0xffffffffULL ? 0xffffffff : f->size;
	u32 max = 1 + rn(4);

	if (mk->type == BPF_MAP_TYPE_RINGBUF)
		vs = 0, max = 4096;
	if (mk->type == BPF_MAP_TYPE_SK_STORAGE || mk->type == BPF_MAP_TYPE_TASK_STORAGE ||
	    mk->type == BPF_MAP_TYPE_INODE_STORAGE)
		max = 0;
	return bpf_map_create(mk->type, "fuzz_btf", mk->keyed ? 4 : 0, vs, max, &o);
}

/* --- verifier probes ---------------------------------------------------- */

enum { P_TYPED, P_PARTIAL, P_PLAIN_DEREF, P_PLAIN_PARTIAL };
static const char *const probe_names[] = {
	"load of the kptr, NULL check, dereference",
	"4-byte load from the middle of the kptr",
	"load of a plain field, NULL check, dereference",
	"4-byte load from the middle of a plain field",
};

/* Looks up element 0 and accesses it at @off as @kind says.  Returns 1 if
 * the verifier takes the program, 0 if it refuses it, -errno otherwise.
 */
static int probe_load(int map_fd, int kind, u32 off, char *log, u32 log_size)
{
	struct bpf_insn ld[2] = { BPF_LD_MAP_FD(BPF_REG_1, map_fd) };
	struct bpf_insn insns[16] = {
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),
		ld[0], ld[1],
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = log_size,
		    .log_level = log ? 1 : 0);
	int n = 6, fd;

	if (kind == P_TYPED || kind == P_PLAIN_DEREF) {
		insns[n++] = BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3);
		insns[n++] = BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, off);
		insns[n++] = BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 1);
		insns[n++] = BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_1, 0);
	} else {
		insns[n++] = BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 1);
		insns[n++] = BPF_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_0, off + 4);
	}
	insns[n++] = BPF_MOV64_IMM(BPF_REG_0, 0);
	insns[n++] = BPF_EXIT_INSN();
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "fuzz_btf", "GPL", insns, n, &o);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : errno == EACCES || errno == EINVAL ? 0 : -errno;
}

/* The last line of a kernel log, which says why */
static const char *last_line(char *log)
{
	char *last = log + strlen(log);

	while (last > log && last[-1] == '\n')
		*--last = 0;
	while (last > log && last[-1] != '\n')
		last--;
	return last;
}

static void report(struct gcase *c, u32 idx, int check, const char *fmt, ...);

static void probe(struct gcase *c, u32 idx, int map_fd, const struct mkind *mk,
		  int kind, u32 off)
{
	static char log[65536];
	int want = kind == P_TYPED || kind == P_PLAIN_PARTIAL;
	int got = probe_load(map_fd, kind, off, NULL, 0);

	n_probes++;
	checked[C_PROBE]++;
	if (got == want)
		return;
	log[0] = 0;
	probe_load(map_fd, kind, off, log, sizeof(log));
	report(c, idx, C_PROBE, "%s map, %s at off=%u: %s, expected %s (verifier: %s)",
	       mk->name, probe_names[kind], off,
	       got < 0 ? strerror(-got) : got ? "accepted" : "refused",
	       want ? "accepted" : "refused", last_line(log));
}

/* One of a created map's kptrs, and a plain slot apart from them */
static void probes(struct gcase *c, u32 idx, int map_fd, const struct mkind *mk,
		   const struct facts *f)
{
	u32 i, tries, off, lim, nk = f->nk < MAX_RECORD ? f->nk : MAX_RECORD;
	const struct kleaf *k = &f->k[rn(nk)];

	if (!mk->probe || f->size == UNSIZED || f->size < 8)
		return;
	if (nk && !(mk->flags & BPF_F_RDONLY_PROG) && k->off < 32000)
		probe(c, idx, map_fd, mk, has_dtor(k->name) ? P_TYPED : P_PARTIAL, k->off);
	lim = f->size - 8 < 32000 ? f->size - 8 : 32000;
	for (tries = 0; tries < 8; tries++) {
		off = rn(lim / 8 + 1) * 8;
		for (i = 0; i < nk && !overlaps(off, 8, f->k[i].off, 8); i++)
			;
		if (i == nk && !overlaps(off, 8, f->spin_off, 4) &&
		    !overlaps(off, 8, f->timer_off, 16)) {
			probe(c, idx, map_fd, mk, pct(50) ? P_PLAIN_DEREF : P_PLAIN_PARTIAL, off);
			return;
		}
	}
}

/* --- running one type ---------------------------------------------------- */

static void dump_printf(void *ctx, const char *fmt, va_list args)
{
	vprintf(fmt, args);
}

static void report(struct gcase *c, u32 idx, int check, const char *fmt, ...)
{
	struct btf_dump *d;
	int pid, status;
	va_list ap;

	failed[check]++;
	if (first_problem == ~0u)
		first_problem = idx;
	stop = opt_stop;
	printf("# disagreement (%s): seed %llu type #%u (reproduce: --seed %llu --count %u --index %u)\n#   ",
	       check_names[check], opt_seed, idx, opt_seed, opt_count, idx);
	/* the first ones in full, then what reproduces them and what they are */
	if (++n_reported > 20 && !opt_verbose) {
		printf("%s\n", c->desc);
		return;
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n#   value: %s; %u BTF types, value type id %u, %u levels deep\n",
	       c->desc, btf__type_cnt(c->btf) - 1, c->value, c->depth);
	/* Small enough to read: the value as C, once, named (btf_dump shows
	 * an anonymous type only inline), in a child: libbpf's btf_dump
	 * crashes on some valid BTF (typedefs of arrays of nested anonymous
	 * structs).
	 */
	if (btf__type_cnt(c->btf) > 80 || c->dumped)
		return;
	c->dumped = true;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		d = btf_dump__new(c->btf, dump_printf, NULL, NULL);
		if (d)
			btf_dump__dump_type(d, btf__add_typedef(c->btf, "fuzz_value_t", c->value));
		fflush(stdout);
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && !WIFEXITED(status))
		printf("\n# (btf_dump crashed)\n");
}

static void create_maps(struct gcase *c, u32 idx, int bfd, struct facts *f)
{
	u32 i, n = 1 + rn(3), allowed, e;
	const struct mkind *mk;
	char buf[96], why[96];
	int fd, err;

	snprintf(why, sizeof(why), " for %s at off=%llu", f->why ?: "", (unsigned long long)f->why_off);
	for (i = 0; i < n && !stop; i++) {
		/* a deep value goes first where the kptr search sees it */
		mk = pick_mkind(c->fam == F_DEEP && !i);
		if ((opt_progress || opt_stop) && c->depth >= DEEP_LEVELS) {
			fflush(stdout);
			fprintf(stderr, "fuzz_btf: seed %llu: %u types done, creating a %s map for type #%u (%s)\n",
				opt_seed, n_types - 1, mk->name, idx, c->desc);
		}
		fd = create(c, bfd, mk, f);
		err = fd < 0 ? errno : 0;
		e = ebit(err);
		allowed = expect(f, mk);
		checked[C_ERRNO]++;
		checked[C_EXPECT]++;
		n_maps += fd >= 0;
		n_refused[e] += fd < 0;
		if (e == E_OTHER && n_other < 8)
			other_errnos[n_other++] = err;
		if (opt_verbose)
			printf("# #%u %s: %s map: %s (expected %s)\n", idx, c->desc, mk->name,
			       err ? strerror(err) : "created", set_str(allowed, buf, sizeof(buf)));
		if (!(B(e) & DOCUMENTED))
			report(c, idx, C_ERRNO, "%s map: errno %d (%s) is not a documented answer",
			       mk->name, err, strerror(err));
		else if (!(B(e) & allowed))
			report(c, idx, C_EXPECT, "%s map: got %s, expected %s%s", mk->name,
			       err ? strerror(err) : "success", set_str(allowed, buf, sizeof(buf)),
			       f->why ? why : "");
		if (fd >= 0 && !stop)
			probes(c, idx, fd, mk, f);
		if (fd >= 0)
			close(fd);
	}
}

static void run_type(u32 idx, u32 forced)
{
	struct gcase c = { .btf_err = -1, .f = { .spin_off = -1, .timer_off = -1 } };
	static char log[1 << 16];
	LIBBPF_OPTS(bpf_btf_load_opts, lo, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 1);
	u32 rsz, r, e, depth;
	char b1[96], b2[96];
	const void *raw;
	struct facts m;
	int bfd, err;

	seed_stream(opt_seed, idx);
	c.btf = btf__new_empty();
	if (!c.btf)
		die("btf__new_empty: %d", -errno);
	put(&c, btf__add_int(c.btf, "u32", 4, 0), 4);
	put(&c, btf__add_int(c.btf, "u64", 8, 0), 8);
	put(&c, btf__add_int(c.btf, "char", 1, BTF_INT_SIGNED), 1);
	r = rn(100);
	c.fam = opt_only != ~0u ? opt_only : idx == forced || r < 3 ? F_DEEP :
		r < 58 ? F_STRUCT : F_WILD;
	if (c.fam == F_STRUCT) {
		c.value = gen_structured(&c);
	} else if (c.fam == F_DEEP) {	/* 16-20000 levels, as many of each size */
		e = 4 + rn(11);
		depth = (1u << e) + rn(1u << e);
		depth = opt_depth ?: idx == forced ? FORCED_DEPTH : depth;
		depth = depth < 20000 ? depth : 20000;
		c.btf_err = 0;
		c.value = gen_deep(&c, depth < opt_max_depth ? depth : opt_max_depth);
	} else {
		c.value = pct(85) ? gen_wcomp(&c, 0) : gen_w(&c, 0);
		snprintf(c.desc, sizeof(c.desc), "wild: %u types, %u levels",
			 btf__type_cnt(c.btf) - 4, c.depth);
	}
	n_types++;
	n_fam[c.fam]++;
	max_depth_seen = c.depth > max_depth_seen ? c.depth : max_depth_seen;

	raw = btf__raw_data(c.btf, &rsz);
	if (!raw)
		die("btf__raw_data: %d", -errno);
	bfd = bpf_btf_load(raw, rsz, NULL);
	err = bfd < 0 ? errno : 0;
	if (err == EPERM)
		die("cannot load BTF (EPERM): run as root");
	log[0] = 0;
	if (err && (opt_verbose || (c.btf_err >= 0 && err != c.btf_err)) && rsz < (1 << 20))
		bpf_btf_load(raw, rsz, &lo);	/* again, for the reason */
	checked[C_EXPECT] += c.btf_err >= 0;
	if (c.btf_err >= 0 && err != c.btf_err)
		report(&c, idx, C_EXPECT, "BTF load: got %s, expected %s (%s)",
		       err ? strerror(err) : "success",
		       c.btf_err ? strerror(c.btf_err) : "success", last_line(log));
	if (bfd < 0) {
		n_btf_refused++;
		if (opt_verbose)
			printf("# #%u %s: BTF refused: %s: %s\n", idx, c.desc,
			       strerror(err), last_line(log));
		goto out;
	}
	model(&c, &m);
	if (c.fam != F_WILD) {
		checked[C_MODEL]++;
		c.f.why = m.why;
		c.f.why_off = m.why_off;
		if (!model_agrees(&c.f, &m))
			report(&c, idx, C_MODEL, "built to give %s with %u kptrs, the model finds %s (first %s) with %u",
			       set_str(c.f.errs ?: 1, b1, sizeof(b1)), c.f.nk,
			       set_str(m.errs ?: 1, b2, sizeof(b2)), enames[m.first], m.nk);
	}
	create_maps(&c, idx, bfd, c.fam == F_WILD ? &m : &c.f);
	close(bfd);
out:
	btf__free(c.btf);
	free(c.sz);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fuzz_btf [--seed S] [--count N] [--index I] [--stop-at-first]\n"
		"                [--progress] [--max-depth D] [--depth D]\n"
		"                [--only structured|deep|wild] [--verbose]\n"
		"  --stop-at-first  stop at the first problem (and, as --progress,\n"
		"                   say on stderr before each map of a deep value\n"
		"                   how many types were done, for a crash)\n"
		"  --max-depth D    make deep values at most D levels deep\n"
		"  --depth D        make every deep value D levels deep\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const num_opts[] = { "--count", "--index", "--max-depth", "--depth" };
	u32 *const nums[] = { &opt_count, &opt_index, &opt_max_depth, &opt_depth };
	u32 i, forced, first = 0, last, total = 0;
	struct timespec t0, t1;
	int a, j;

	for (a = 1; a < argc; a++) {
		for (j = 0; j < 4 && strcmp(argv[a], num_opts[j]); j++)
			;
		if (!strcmp(argv[a], "--stop-at-first"))
			opt_stop = true;
		else if (!strcmp(argv[a], "--progress"))
			opt_progress = true;
		else if (!strcmp(argv[a], "--verbose"))
			opt_verbose = true;
		else if (a + 1 == argc)
			usage();
		else if (j < 4)
			*nums[j] = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--seed"))
			opt_seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--only"))
			for (a++, opt_only = 0; opt_only < 3 && strcmp(argv[a], fam_names[opt_only]); )
				opt_only++;
		else
			usage();
	}
	if (!opt_count || opt_only == 3)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(NULL);
	load_kernel_names();
	/* the one value 10000 levels deep goes where the seed says */
	seed_stream(opt_seed, ~0ULL);
	forced = rn(opt_count);
	last = opt_count;
	if (opt_index != ~0u)
		first = opt_index, last = opt_index + 1;
	printf("fuzz_btf: seed %llu, types %u-%u of %u; %u kernel structs (%u in modules); the %u-level value is type #%u\n",
	       opt_seed, first, last - 1, opt_count, n_kstructs, n_modstructs,
	       FORCED_DEPTH, forced);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = first; i < last && !stop; i++) {
		run_type(i, forced);
		/* a line now and then: the harness takes a guest that writes
		 * nothing for minutes for a hung one
		 */
		if ((i - first + 1) % 500 == 0) {
			printf("# %u types done\n", i - first + 1);
			fflush(stdout);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	for (i = 1; i < E_NR; i++)
		total += n_refused[i];
	printf("fuzz_btf: seed %llu: %u types (%u structured, %u deep, %u wild; deepest %u levels), %u BTF refused, %u maps created, %u refused (by errno:",
	       opt_seed, n_types, n_fam[F_STRUCT], n_fam[F_DEEP], n_fam[F_WILD],
	       max_depth_seen, n_btf_refused, n_maps, total);
	for (i = 1; i < E_OTHER; i++)
		if (n_refused[i])
			printf(" %s %u", enames[i], n_refused[i]);
	for (a = 0; a < n_other; a++)
		printf(" errno %d", other_errnos[a]);
	for (i = total = 0; i < C_NR; i++)
		total += failed[i];
	printf("), %u probes, %u disagreements, %.1f s\n", n_probes, total,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (stop)
		printf("fuzz_btf: seed %llu: stopped at the first problem, type #%u, after %u types\n",
		       opt_seed, first_problem, n_types);
	for (i = 0; i < C_NR; i++)
		printf("%sok %u - %s (%u checked)\n", failed[i] ? "not " : "", i + 1,
		       check_names[i], checked[i]);
	return total ? 1 : 0;
}
