// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_verifier: generated BPF programs around kptr fields of map values,
 * judged by oracles written apart from the verifier.
 *
 * A program is a SCHED_CLS program that looks up an element of a map
 * (array, hash, hash without prealloc, LRU hash) whose value has kptr and
 * kptr_ref fields at offsets drawn from the seed, then runs one to three
 * snippets, each in the main program, a static subprogram or a bpf_loop()
 * callback:
 *   value   one to three paths, each giving a value (NULL, a constant, a
 *           scalar read from the value, an acquired object, maybe NULL or
 *           not, one from kptr_get, a pointer loaded from a kptr, a walked
 *           pointer, a pointer into an object, another type's object, a map
 *           value, stack or ctx pointer), merged on branches the verifier
 *           cannot decide, maybe spilled, moved by an offset, passed to a
 *           subprogram, then stored into a field, moved in by
 *           bpf_kptr_xchg() or released;
 *   access  a load, store or atomic of 1-8 bytes at a constant or variable
 *           offset: at, into, across or beside a kptr;
 *   helper  a helper or kfunc reading or writing bytes of the value;
 *   target  bpf_kptr_xchg(NULL) or kptr_get on a field argument.
 * Most snippets are "clean" (built to be accepted), the others anything.
 * Programs are loaded with BPF_F_TEST_STATE_FREQ: the verifier prunes at
 * every jump target, so that a missing precision mark lets a path through.
 *
 * Static oracle: while emitting, the generator knows the kinds of values
 * (K_* below) that reach each store, bpf_kptr_xchg() or release on some
 * path, and the bytes each access may touch, and notes why the program
 * must be rejected.  An accepted program with such a note disagrees.  It
 * never says that a program must be accepted.
 *
 * Run-time oracle: every accepted program runs twice (BPF_PROG_TEST_RUN;
 * eight times if the static oracle flagged it) against values whose other
 * bytes are hostile, after a seed program put the test object of
 * bpf_kfunc_call_test_acquire() into some fields.  A checker program then
 * copies every kptr field, the object's address and its refcount into a
 * plain array map: each field must be NULL or the object, and the
 * refcount what the kptr_ref fields holding it account for.  Once every
 * map is freed the refcount must be back where it began.  A map whose
 * kptr_ref holds garbage is pinned, never freed: its destructor would
 * oops.  A program the static oracle flagged may still oops in its own run
 * (a later exchange releases the garbage): --skip-flagged does not run
 * those, --no-run runs nothing.
 *
 * usage: fuzz_verifier [--seed S] [--count N] [--start I] [--no-run]
 *        [--skip-flagged] [--stop-at-first[=REASON]] [--verbose] [--dump]
 * Program I of seed S does not depend on --start and --count: "--seed S
 * --start I --count 1" reproduces it.  REASON is one of reason_names[]:
 * --stop-at-first=xchg-scalar stops at the first program that moves a
 * scalar into a kptr_ref, whatever else was found before.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/filter.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define DEFAULT_SEED	1
#define DEFAULT_COUNT	6000	/* about a minute in the TCG guest */

#define R0 BPF_REG_0
#define R1 BPF_REG_1
#define R2 BPF_REG_2
#define R3 BPF_REG_3
#define R4 BPF_REG_4
#define R5 BPF_REG_5
#define R6 BPF_REG_6	/* the map value, in every frame */
#define R7 BPF_REG_7	/* the ctx, in frames that have it */
#define R8 BPF_REG_8	/* the value a snippet carries */
#define R9 BPF_REG_9	/* a held object, the "holder" */
#define R10 BPF_REG_10

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* --- a reproducible PRNG: splitmix64 seeds xorshift64* ----------------- */

struct rng { uint64_t s; };

static uint64_t splitmix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* one stream per (seed, purpose, index): program I never depends on I-1 */
static void rng_init(struct rng *r, uint64_t seed, uint64_t stream, uint64_t idx)
{
	r->s = splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ idx) | 1;
}

static uint64_t rnd64(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static int rnd(struct rng *r, int n)
{
	return n > 0 ? (int)(rnd64(r) % (uint64_t)n) : 0;
}

static bool chance(struct rng *r, int pct)
{
	return rnd(r, 100) < pct;
}

static int pickw(struct rng *r, const int *w, int n)
{
	int i, sum = 0, x;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = rnd(r, sum);
	for (i = 0; i < n - 1 && x >= w[i]; i++)
		x -= w[i];
	return i;
}

/* --- map value layouts and the maps ------------------------------------ */

#define MAX_KPTRS	8	/* BPF_KPTR_MAX_FIELDS */
#define NR_LAYOUTS	4
#define NR_KEYS		2	/* the elements programs look up */

struct layout {
	int size, nk;
	int koff[MAX_KPTRS];	/* sorted, 8-aligned */
	bool kref[MAX_KPTRS];	/* kptr_ref, else kptr */
	bool fwd;		/* the pointee is a FWD, else an empty STRUCT */
	bool split[8];		/* a scalar word is two ints */
};

static const struct map_kind {
	const char *name;
	int type, flags, max;
} map_kinds[] = {
	{ "array", BPF_MAP_TYPE_ARRAY, 0, NR_KEYS },
	{ "hash", BPF_MAP_TYPE_HASH, 0, 16 },
	{ "hash_no_prealloc", BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC, 16 },
	{ "lru_hash", BPF_MAP_TYPE_LRU_HASH, 0, 16 },
};

struct slot {
	const struct layout *lay;
	const struct map_kind *mk;
	int map_fd, seed_fd, check_fd;
};

static struct layout layouts[NR_LAYOUTS];
static struct slot slots[NR_LAYOUTS * ARRAY_LEN(map_kinds)];

static void gen_layout(struct rng *r, struct layout *l)
{
	int words, w, i;

	do {
		memset(l, 0, sizeof(*l));
		words = 1 + rnd(r, 8);
		l->size = words * 8 + (chance(r, 30) ? 4 : 0);
		l->fwd = chance(r, 50);
		for (w = 0; w < words; w++) {
			if (chance(r, 40)) {
				l->koff[l->nk] = w * 8;
				l->kref[l->nk++] = chance(r, 50);
			} else {
				l->split[w] = chance(r, 30);
			}
		}
		/* both kinds, wherever there is room for them */
		for (i = 1; i < l->nk && l->kref[i] == l->kref[0]; i++)
			;
	} while (!l->nk || (words > 2 && i == l->nk));
}

/* the index of a kptr that [lo, hi) touches, -1 if none */
static int kptr_in(const struct layout *l, int lo, int hi)
{
	int i;

	for (i = 0; i < l->nk; i++)
		if (lo < l->koff[i] + 8 && l->koff[i] < hi)
			return i;
	return -1;
}

static void describe_slot(const struct slot *s, char *buf, size_t n)
{
	size_t i, len = snprintf(buf, n, "%s, value %d bytes:", s->mk->name, s->lay->size);

	for (i = 0; i < (size_t)s->lay->nk && len < n; i++)
		len += snprintf(buf + len, n - len, " %s@%d",
				s->lay->kref[i] ? "kptr_ref" : "kptr", s->lay->koff[i]);
}

/* --- what the kernel tells us ------------------------------------------- */

static int id_acquire, id_release, id_kptr_get, id_memb_acquire, id_mem_len;
static int cnt_off = -1, next_off = -1;	/* in struct prog_test_ref_kfunc */
static int out_fd, scratch_fd;
static uint64_t seed = DEFAULT_SEED;

/* the kfuncs of net/bpf/test_run.c, by their vmlinux BTF ids */
static const struct { const char *name; int *id; } kfuncs[] = {
	{ "bpf_kfunc_call_test_acquire", &id_acquire },
	{ "bpf_kfunc_call_test_release", &id_release },
	{ "bpf_kfunc_call_test_kptr_get", &id_kptr_get },
	{ "bpf_kfunc_call_memb_acquire", &id_memb_acquire },
	{ "bpf_kfunc_call_test_mem_len_pass1", &id_mem_len },
};

static int find_kernel_ids(void)
{
	struct btf *vm = btf__load_vmlinux_btf();
	const struct btf_type *t = NULL;
	int id, i, bad = !vm;

	for (i = 0; vm && i < (int)ARRAY_LEN(kfuncs); i++)
		bad |= (*kfuncs[i].id = btf__find_by_name_kind(vm, kfuncs[i].name, BTF_KIND_FUNC)) <= 0;
	if (vm && (id = btf__find_by_name_kind(vm, "prog_test_ref_kfunc", BTF_KIND_STRUCT)) > 0)
		t = btf__type_by_id(vm, id);
	for (i = 0; t && i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(vm, btf_members(t)[i].name_off);

		if (!strcmp(name, "cnt"))
			cnt_off = btf_member_bit_offset(t, i) / 8;
		if (!strcmp(name, "next"))
			next_off = btf_member_bit_offset(t, i) / 8;
	}
	btf__free(vm);
	return bad || cnt_off < 0 || next_off < 0 ? -1 : 0;
}

static const char *kfunc_name(int id)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(kfuncs); i++)
		if (*kfuncs[i].id == id)
			return kfuncs[i].name;
	return "?";
}

/* --- value kinds, reasons to reject, constructs -------------------------- */

enum {
	K_NULL		= 1 << 0,	/* a scalar known to be zero */
	K_SCALAR	= 1 << 1,	/* a scalar that may be non-zero */
	K_REF		= 1 << 2,	/* an object of the field's type, owned */
	K_REF_NULL	= 1 << 3,	/* the same or NULL */
	K_UNTR		= 1 << 4,	/* loaded from a kptr: right type, untrusted */
	K_WALK		= 1 << 5,	/* right type, trusted, not owned (p->next) */
	K_OFF		= 1 << 6,	/* pointing into an object, not at it */
	K_WRONG_REF	= 1 << 7,	/* an owned object of another type */
	K_WRONG		= 1 << 8,	/* an object of another type, not owned */
	K_OTHER		= 1 << 9,	/* a map value, stack or ctx pointer */
};

static const char *const kind_names[] = {
	"NULL", "scalar", "ref", "ref_or_null", "untrusted", "walked",
	"offset", "wrong_type_ref", "wrong_type", "non_btf_ptr",
};

/* bpf_kptr_xchg() takes NULL or an object the program owns (maybe NULL).
 * A kptr store takes NULL or the field's type at offset 0; whether that
 * may be maybe-NULL or untrusted is left to the verifier: upstream accepts
 * both, the series does not yet.  Release takes what is owned.
 */
#define XCHG_BAD	(K_SCALAR | K_UNTR | K_WALK | K_OFF | K_WRONG_REF | K_WRONG | K_OTHER)
#define STORE_BAD	(K_SCALAR | K_OFF | K_WRONG_REF | K_WRONG | K_OTHER)
#define RELEASE_BAD	XCHG_BAD

enum reason {
	R_XCHG_SCALAR, R_XCHG_PTR, R_XCHG_TARGET, R_KGET_TARGET, R_STORE_SCALAR,
	R_STORE_PTR, R_STORE_REF, R_ST_IMM, R_ACCESS, R_HELPER, R_RELEASE,
	RT_REF_FIELD, RT_UNREF_FIELD, RT_REFCOUNT, NR_REASONS
};

static const char *const reason_names[NR_REASONS] = {
	"xchg-scalar", "xchg-pointer", "xchg-target", "kptr_get-target",
	"store-scalar", "store-pointer", "store-kptr_ref", "st-nonzero",
	"bad-access", "helper-access", "release-pointer",
	"runtime-kptr_ref-value", "runtime-kptr-value", "runtime-refcount",
};

/* Constructs counted per program, to show what a run covered */
enum src {
	S_IMM0, S_IMM, S_MAPLD, S_ZCHK, S_ACQ_NN, S_ACQ_MN, S_ACQ_MERGE,
	S_KGET, S_HOLD, S_WALK, S_OFF, S_LDKPTR, S_MEMB, S_WRONG, S_MAPPTR,
	S_STACK, S_CTX, NR_SRC
};
enum { A_LDX, A_STX, A_ST, A_ATOMIC };
enum { H_UPDATE, H_LOOKUP, H_LOAD_BYTES, H_CSUM, H_KACQ, H_MEMLEN, NR_H };
enum sink { SK_XCHG, SK_STORE, SK_RELEASE };
enum {
	C_SRC = 0, C_SINK = C_SRC + NR_SRC, C_PATHS = C_SINK + 3,
	C_SPILLED = C_PATHS + 3, C_XFORM, C_IN_SUB = C_XFORM + 3,
	C_CHAIN, C_STORE_OUT, C_ACCESS, C_ACCESS_VAR = C_ACCESS + 4,
	C_HELPER, C_HELPER_VAR = C_HELPER + NR_H, C_TARGET, C_SUB = C_TARGET + 2,
	C_LOOP, C_MAP, NR_COV = C_MAP + ARRAY_LEN(map_kinds)
};

static const char *const cov_names[NR_COV] = {
	"null", "imm", "map_scalar", "zero_test", "acquire", "acquire_or_null",
	"acquire_null_merged", "kptr_get", "held", "walked", "offset", "kptr_load",
	"other_type_ref", "tcp_sock", "map_ptr", "stack_ptr", "ctx_ptr",
	"sink_xchg", "sink_store", "sink_release", "1_path", "2_paths", "3_paths",
	"spilled_paths", "spill_fill", "add_sub", "add", "sink_in_subprog",
	"xchg_chain", "xchg_then_store", "ldx", "stx", "st", "atomic", "var_access",
	"map_update", "map_lookup_key", "skb_load_bytes", "csum_diff",
	"kfunc_mem_acquire", "kfunc_mem_len", "var_helper", "target_xchg",
	"target_kptr_get", "subprog", "bpf_loop", "array", "hash",
	"hash_no_prealloc", "lru_hash",
};

static void kinds_str(unsigned k, char *buf, size_t n)
{
	size_t i, len = 0;

	buf[0] = 0;
	for (i = 0; i < ARRAY_LEN(kind_names) && len < n; i++)
		if (k & (1u << i))
			len += snprintf(buf + len, n - len, "%s%s", len ? "|" : "", kind_names[i]);
}

/* --- an assembler with labels and functions, and the oracle's notes ---- */

#define MAX_INSNS	512
#define MAX_FUNCS	8
#define MAX_LABELS	256
#define MAX_WHY		16

struct gen {
	struct rng *r;
	const struct slot *slot;
	const struct layout *lay;
	struct bpf_insn fn[MAX_FUNCS][MAX_INSNS];
	int len[MAX_FUNCS], base[MAX_FUNCS], nfn, cur;
	struct { int fn, pos; } lab[MAX_LABELS];
	struct { int fn, at, lab; } fix[MAX_LABELS];
	struct { int fn, at, target; } call[MAX_FUNCS];
	int nlab, nfix, ncall;
	bool has_ctx;		/* R7 is the ctx in this frame */
	bool holder_checked;	/* R9 was NULL-checked */
	bool clean;		/* this snippet sticks to what must be accepted */
	bool calls_memb;	/* bpf_kfunc_call_memb_acquire() WARNs when run */
	bool overflow;
	unsigned reasons;
	struct { int kind, fn, pos; char text[200]; } why[MAX_WHY];
	int nwhy;
	uint64_t cov;
	char desc[256];
	struct bpf_insn prog[MAX_FUNCS * MAX_INSNS];
	int plen;
};

static struct gen G;

static void gen_reset(struct gen *g, struct rng *r, const struct slot *s)
{
	memset(g->len, 0, sizeof(g->len));
	g->r = r;
	g->slot = s;
	g->lay = s ? s->lay : NULL;
	g->nfn = 1;
	g->cur = g->nlab = g->nfix = g->ncall = g->nwhy = 0;
	g->has_ctx = true;
	g->calls_memb = g->overflow = false;
	g->reasons = 0;
	g->cov = 0;
	g->desc[0] = 0;
}

static void emit(struct gen *g, struct bpf_insn in)
{
	if (g->len[g->cur] >= MAX_INSNS)
		g->overflow = true;
	else
		g->fn[g->cur][g->len[g->cur]++] = in;
}

static void emit_ld64(struct gen *g, int dst, int src, __s32 lo, __s32 hi)
{
	emit(g, (struct bpf_insn){ .code = BPF_LD | BPF_DW | BPF_IMM,
				   .dst_reg = dst, .src_reg = src, .imm = lo });
	emit(g, (struct bpf_insn){ .imm = hi });
}

static int label(struct gen *g)
{
	if (g->nlab >= MAX_LABELS) {
		g->overflow = true;
		return 0;
	}
	g->lab[g->nlab].fn = -1;
	return g->nlab++;
}

static void bind(struct gen *g, int l)
{
	g->lab[l].fn = g->cur;
	g->lab[l].pos = g->len[g->cur];
}

static void jmp(struct gen *g, struct bpf_insn in, int l)
{
	if (g->nfix >= MAX_LABELS) {
		g->overflow = true;
		return;
	}
	g->fix[g->nfix].fn = g->cur;
	g->fix[g->nfix].at = g->len[g->cur];
	g->fix[g->nfix++].lab = l;
	emit(g, in);
}

/* The emitters below work on the "struct gen *g" in scope */
#define E(insn)			emit(g, insn)
#define MOV(d, s)		E(BPF_MOV64_REG(d, s))
#define MOVI(d, imm)		E(BPF_MOV64_IMM(d, imm))
#define ADDI(d, imm)		E(BPF_ALU64_IMM(BPF_ADD, d, imm))
#define LDX(sz, d, s, off)	E(BPF_LDX_MEM(sz, d, s, off))
#define STX(sz, d, s, off)	E(BPF_STX_MEM(sz, d, s, off))
#define ST(sz, d, off, imm)	E(BPF_ST_MEM(sz, d, off, imm))
#define CALL(id)		E(BPF_EMIT_CALL(id))
#define KCALL(id)		E(BPF_RAW_INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, id))
#define EXIT()			E(BPF_EXIT_INSN())
#define JC(op, r, imm, l)	jmp(g, BPF_JMP_IMM(op, r, imm, 0), l)
#define JC32(op, r, imm, l)	jmp(g, BPF_JMP32_IMM(op, r, imm, 0), l)
#define JA(l)			jmp(g, BPF_JMP_A(0), l)
#define LDMAP(d, fd)		emit_ld64(g, d, BPF_PSEUDO_MAP_FD, fd, 0)
#define COV(c)			(g->cov |= 1ULL << (c))

static void ptr_to(struct gen *g, int dst, int base, int off)
{
	MOV(dst, base);
	if (off)
		ADDI(dst, off);
}

/* a call of function @target (a BPF_PSEUDO_CALL or a callback address) */
static void call_fn(struct gen *g, int target, int ld_reg)
{
	g->call[g->ncall].fn = g->cur;
	g->call[g->ncall].at = g->len[g->cur];
	g->call[g->ncall++].target = target;
	if (ld_reg >= 0)
		emit_ld64(g, ld_reg, BPF_PSEUDO_FUNC, 0, 0);
	else
		E(BPF_CALL_REL(0));
}

static int new_fn(struct gen *g)
{
	return g->nfn < MAX_FUNCS ? g->nfn++ : -1;
}

static void exit0(struct gen *g)
{
	MOVI(R0, 0);
	EXIT();
}

/* lays the functions out one after the other, resolves jumps and calls */
static bool link_prog(struct gen *g)
{
	int f, i, n = 0;

	for (f = 0; f < g->nfn; f++) {
		g->base[f] = n;
		memcpy(&g->prog[n], g->fn[f], g->len[f] * sizeof(struct bpf_insn));
		n += g->len[f];
	}
	for (i = 0; i < g->nfix; i++) {
		int l = g->fix[i].lab;

		if (g->lab[l].fn != g->fix[i].fn)
			return false;
		g->prog[g->base[g->fix[i].fn] + g->fix[i].at].off = g->lab[l].pos - g->fix[i].at - 1;
	}
	for (i = 0; i < g->ncall; i++) {
		int at = g->base[g->call[i].fn] + g->call[i].at;

		g->prog[at].imm = g->base[g->call[i].target] - at - 1;
	}
	g->plen = n;
	return !g->overflow;
}

/* the oracle: the program must be rejected, because of the next insn */
static void __attribute__((format(printf, 3, 4)))
flag(struct gen *g, int kind, const char *fmt, ...)
{
	va_list ap;

	g->reasons |= 1u << kind;
	if (g->nwhy >= MAX_WHY)
		return;
	g->why[g->nwhy].kind = kind;
	g->why[g->nwhy].fn = g->cur;
	g->why[g->nwhy].pos = g->len[g->cur];
	va_start(ap, fmt);
	vsnprintf(g->why[g->nwhy++].text, sizeof(g->why[0].text), fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
describe(struct gen *g, const char *fmt, ...)
{
	size_t len = strlen(g->desc);
	va_list ap;

	if (len + 2 >= sizeof(g->desc))
		return;
	if (len)
		g->desc[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(g->desc + len, sizeof(g->desc) - len, fmt, ap);
	va_end(ap);
}

/* --- building blocks ---------------------------------------------------- */

static int bsz(int size)
{
	return size == 1 ? BPF_B : size == 2 ? BPF_H : size == 4 ? BPF_W : BPF_DW;
}

/* a random aligned offset of @size bytes that touches no kptr, -1 if none */
static int pick_scalar_off(struct gen *g, int size)
{
	int cand[80], n = 0, o;

	for (o = 0; o + size <= g->lay->size; o += size)
		if (kptr_in(g->lay, o, o + size) < 0)
			cand[n++] = o;
	return n ? cand[rnd(g->r, n)] : -1;
}

/* a random kptr: @want 0 any, 1 unreferenced, 2 referenced; -1 if none */
static int pick_kptr(struct gen *g, int want)
{
	int cand[MAX_KPTRS], n = 0, i;

	for (i = 0; i < g->lay->nk; i++)
		if (!want || g->lay->kref[i] == (want == 2))
			cand[n++] = i;
	return n ? cand[rnd(g->r, n)] : -1;
}

/* r0 = bpf_kfunc_call_test_acquire(fp - 16); each frame zeroes fp - 16 */
static void emit_acquire(struct gen *g)
{
	ptr_to(g, R1, R10, -16);
	KCALL(id_acquire);
}

static void emit_release_r0(struct gen *g)
{
	int l = label(g);

	JC(BPF_JEQ, R0, 0, l);
	MOV(R1, R0);
	KCALL(id_release);
	bind(g, l);
}

/* @reg = a scalar loaded from the value; false if there is no room */
static bool emit_map_scalar(struct gen *g, int reg)
{
	int i, size, off, first = rnd(g->r, 4);

	for (i = 0; i < 4; i++) {
		size = 1 << ((first + i) % 4);
		off = pick_scalar_off(g, size);
		if (off >= 0) {
			LDX(bsz(size), reg, R6, off);
			return true;
		}
	}
	return false;
}

/* @reg = (a byte of the value or a random number) & @mask: a variable of
 * which the verifier knows only the bits it may have
 */
static void emit_var_index(struct gen *g, int reg, int mask)
{
	int off = pick_scalar_off(g, 1);

	if (off >= 0 && chance(g->r, 80)) {
		LDX(BPF_B, reg, R6, off);
	} else {
		CALL(BPF_FUNC_get_prandom_u32);
		MOV(reg, R0);
	}
	E(BPF_ALU64_IMM(BPF_AND, reg, mask));
}

/* A jump on a value the verifier cannot predict, both ways feasible for
 * any unsigned value of 1 to 8 bytes (no JLT 0, JGE 0, signed tests)
 */
static void emit_cond_jump(struct gen *g, int l)
{
	static const int ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSET };
	int op = ops[rnd(g->r, ARRAY_LEN(ops))], imm = rnd(g->r, 16), reg = R3;

	if (chance(g->r, 25) || !emit_map_scalar(g, R3)) {
		CALL(BPF_FUNC_get_prandom_u32);
		reg = R0;
	}
	if ((op == BPF_JGE || op == BPF_JLT || op == BPF_JSET) && !imm)
		imm = 1;
	if (chance(g->r, 25))
		JC32(op, reg, imm, l);
	else
		JC(op, reg, imm, l);
}

/* --- value sources: each leaves a value in R8 and returns its kinds ---- */

static const char *const src_names[] = {
	"null", "imm", "mapld", "zchk", "acq", "acq?", "acq|null", "kptr_get",
	"hold", "walk", "off", "ldkptr", "memb", "tcp_sock", "mapptr", "stack", "ctx",
};

/* Sources for bpf_kptr_xchg() and release are fresh references, which the
 * sink consumes; those for stores derive from the holder, released after.
 * The clean pools hold what each sink must take.
 */
static const int xchg_pool[NR_SRC] = { 14, 6, 10, 10, 14, 8, 8, 6, 0, 3, 3, 6, 2, 3, 2, 2, 2 };
static const int store_pool[NR_SRC] = { 14, 6, 10, 10, 0, 0, 0, 0, 16, 8, 4, 8, 1, 3, 2, 2, 2 };
static const int xchg_clean[NR_SRC] = { 14, 0, 0, 0, 14, 8, 8, 6 };
static const int store_clean[NR_SRC] = { 14, 0, 0, 0, 0, 0, 0, 0, 16, 8 };

/* a NULL test whose fall-through, explored first, has R8 == 0 */
static void emit_null_merge(struct gen *g)
{
	int l = label(g);

	JC(BPF_JNE, R8, 0, l);
	MOVI(R0, 0);
	bind(g, l);
}

static unsigned emit_src(struct gen *g, int s, int lrel)
{
	static const int imms[] = { 1, -1, 42, 0x41414141 };
	int f, l;

	COV(C_SRC + s);
	switch (s) {
	case S_IMM0:
		if (chance(g->r, 30))
			emit_ld64(g, R8, 0, 0, 0);
		else if (chance(g->r, 50))
			E(BPF_MOV32_IMM(R8, 0));
		else
			MOVI(R8, 0);
		return K_NULL;
	case S_IMM:
		if (chance(g->r, 30))	/* like a kernel address */
			emit_ld64(g, R8, 0, 0x12345678, 0xffff8880);
		else
			MOVI(R8, imms[rnd(g->r, ARRAY_LEN(imms))]);
		return K_SCALAR;
	case S_MAPLD:
		if (!emit_map_scalar(g, R8))
			return emit_src(g, S_IMM, lrel);
		return K_SCALAR;
	case S_ZCHK:
		/* R8 == 0 on one way, != 0 on the other: with JNE the zero
		 * way is explored first, the way that must be precise
		 */
		if (!emit_map_scalar(g, R8))
			MOVI(R8, 0x42);
		l = label(g);
		if (chance(g->r, 25))
			JC32(chance(g->r, 75) ? BPF_JNE : BPF_JEQ, R8, 0, l);
		else
			JC(chance(g->r, 75) ? BPF_JNE : BPF_JEQ, R8, 0, l);
		MOVI(R0, 0);
		bind(g, l);
		return K_NULL | K_SCALAR;
	case S_ACQ_NN:
	case S_ACQ_MN:
	case S_ACQ_MERGE:
		emit_acquire(g);
		MOV(R8, R0);
		if (s == S_ACQ_NN)
			JC(BPF_JEQ, R8, 0, lrel);
		if (s == S_ACQ_MERGE)
			emit_null_merge(g);
		return s == S_ACQ_NN ? K_REF : s == S_ACQ_MN ? K_REF_NULL : K_REF | K_NULL;
	case S_KGET:
		if ((f = pick_kptr(g, 2)) < 0)
			return emit_src(g, S_ACQ_MN, lrel);
		ptr_to(g, R1, R6, g->lay->koff[f]);
		MOVI(R2, 0);
		MOVI(R3, 0);
		KCALL(id_kptr_get);
		MOV(R8, R0);
		return K_REF_NULL;
	case S_HOLD:
		MOV(R8, R9);
		return g->holder_checked ? K_REF : K_REF_NULL;
	case S_WALK:
		LDX(BPF_DW, R8, R9, next_off);
		return K_WALK;
	case S_OFF:
		ptr_to(g, R8, R9, chance(g->r, 50) ? 8 : 4 << rnd(g->r, 3));
		return K_OFF;
	case S_LDKPTR:
		LDX(BPF_DW, R8, R6, g->lay->koff[pick_kptr(g, 0)]);
		if (chance(g->r, 60))
			return K_UNTR;
		emit_null_merge(g);
		return K_UNTR | K_NULL;
	case S_MEMB:
		KCALL(id_memb_acquire);
		MOV(R8, R0);
		g->calls_memb = true;
		return K_WRONG_REF;
	case S_WRONG:
		if (!g->has_ctx)
			return emit_src(g, S_STACK, lrel);
		LDX(BPF_DW, R1, R7, offsetof(struct __sk_buff, sk));
		JC(BPF_JEQ, R1, 0, lrel);
		CALL(BPF_FUNC_skc_to_tcp_sock);
		MOV(R8, R0);
		return K_WRONG;
	case S_MAPPTR:
		ptr_to(g, R8, R6, chance(g->r, 50) ? g->lay->koff[pick_kptr(g, 0)] :
			rnd(g->r, g->lay->size));
		return K_OTHER;
	case S_CTX:
		if (g->has_ctx) {
			MOV(R8, R7);
			return K_OTHER;
		}
		/* fall through */
	default:
		ptr_to(g, R8, R10, -40);
		return K_OTHER;
	}
}

/* One to three paths, each with its source, merged at one label; the
 * fall-through path (the last source) is explored first
 */
static unsigned emit_paths(struct gen *g, const int *src, int n, int lrel, bool spilled)
{
	int lm = label(g), la = label(g), lb = label(g), i;
	unsigned k = 0;

	if (n > 1)
		emit_cond_jump(g, la);
	if (n > 2)
		emit_cond_jump(g, lb);
	for (i = n - 1; i >= 0; i--) {
		if (i < n - 1)
			bind(g, i ? lb : la);
		k |= emit_src(g, src[i], lrel);
		if (spilled)
			STX(BPF_DW, R10, R8, -24);
		if (i)
			JA(lm);
	}
	bind(g, lm);
	if (spilled)
		LDX(BPF_DW, R8, R10, -24);
	return k;
}

/* what the merged value goes through before its sink */
static unsigned emit_transform(struct gen *g, unsigned k)
{
	static const int w[] = { 55, 15, 15, 15 };
	int c = chance(g->r, 50) ? 8 : 1 + rnd(g->r, 16), l;
	int t = pickw(g->r, w, ARRAY_LEN(w) - g->clean);
	unsigned n;

	if (t)
		COV(C_XFORM + t - 1);
	switch (t) {
	case 1:	/* spill and fill across a prune point */
		STX(BPF_DW, R10, R8, -32);
		l = label(g);
		JA(l);
		bind(g, l);
		LDX(BPF_DW, R8, R10, -32);
		describe(g, "spill");
		return k;
	case 2:	/* there and back: offset 0 again */
		ADDI(R8, c);
		ADDI(R8, -c);
		describe(g, "+%d-%d", c, c);
		return k;
	case 3:
		ADDI(R8, c);
		describe(g, "+%d", c);
		n = k & (K_OFF | K_WRONG_REF | K_WRONG | K_OTHER);
		if (k & (K_NULL | K_SCALAR))
			n |= K_SCALAR;
		if (k & (K_REF | K_REF_NULL | K_UNTR | K_WALK))
			n |= K_OFF;
		return n;
	}
	return k;
}

/* R1 = the field argument of bpf_kptr_xchg() or kptr_get; true when it
 * names a kptr_ref at a constant offset, the only thing it may name
 */
static bool emit_target(struct gen *g)
{
	static const int w[] = { 60, 12, 8, 8, 7, 5 };
	int kind = g->clean ? 0 : pickw(g->r, w, ARRAY_LEN(w)), f, off, a, i;

	f = pick_kptr(g, kind == 0 ? 2 : kind == 1 ? 1 : 0);
	off = g->lay->koff[f < 0 ? pick_kptr(g, 0) : f];
	switch (kind) {
	case 2:	/* into the middle of a kptr */
		off += 1 + rnd(g->r, 7);
		break;
	case 3:	/* where none is */
		if ((off = pick_scalar_off(g, 8)) < 0)
			off = g->lay->size;
		break;
	case 4:	/* at a variable offset */
		emit_var_index(g, R3, 8 << rnd(g->r, 2));
		MOV(R1, R6);
		E(BPF_ALU64_REG(BPF_ADD, R1, R3));
		ADDI(R1, off);
		return false;
	case 5:
		ST(BPF_DW, R10, -24, 0);
		ptr_to(g, R1, R10, -24);
		return false;
	}
	a = chance(g->r, 30) ? rnd(g->r, off + 1) : 0;
	ptr_to(g, R1, R6, a);
	if (off - a)
		ADDI(R1, off - a);
	/* judged by where it points, not by what was asked for */
	for (i = 0; i < g->lay->nk; i++)
		if (g->lay->koff[i] == off && g->lay->kref[i])
			return true;
	return false;
}

static void judge_value(struct gen *g, int bad, int r_scalar, int r_ptr, unsigned k,
			const char *what)
{
	char ks[128];

	kinds_str(k, ks, sizeof(ks));
	if (k & bad & K_SCALAR)
		flag(g, r_scalar, "a scalar that may be non-zero (%s) reaches %s", ks, what);
	if (k & bad & ~K_SCALAR)
		flag(g, r_ptr, "a pointer it must not take (%s) reaches %s", ks, what);
}

/* after bpf_kptr_xchg(): release what came out, move it into a kptr_ref,
 * or store it into a kptr and then release it
 */
static void emit_after_xchg(struct gen *g)
{
	int how = rnd(g->r, 5), f, l;

	if (how == 3 && (f = pick_kptr(g, 2)) >= 0) {
		COV(C_CHAIN);
		MOV(R2, R0);
		ptr_to(g, R1, R6, g->lay->koff[f]);
		CALL(BPF_FUNC_kptr_xchg);
	} else if (how == 4 && (f = pick_kptr(g, 1)) >= 0) {
		COV(C_STORE_OUT);
		l = label(g);
		JC(BPF_JEQ, R0, 0, l);
		STX(BPF_DW, R6, R0, g->lay->koff[f]);
		MOV(R1, R0);
		KCALL(id_release);
		bind(g, l);
		return;
	}
	emit_release_r0(g);
}

static void emit_sink(struct gen *g, int sink, unsigned k)
{
	static const int where_w[] = { 70, 15, 15 };	/* kptr, kptr_ref, other */
	int f, off, a = 0, size = 8, base = R6, w;

	switch (sink) {
	case SK_XCHG:
		if (!emit_target(g))
			flag(g, R_XCHG_TARGET, "R1 of bpf_kptr_xchg() names no kptr_ref at a constant offset");
		MOV(R2, R8);
		judge_value(g, XCHG_BAD, R_XCHG_SCALAR, R_XCHG_PTR, k, "bpf_kptr_xchg()");
		CALL(BPF_FUNC_kptr_xchg);
		emit_after_xchg(g);
		break;
	case SK_STORE:
		w = pickw(g->r, where_w, ARRAY_LEN(where_w));
		if (g->clean)
			w = chance(g->r, 85) && pick_kptr(g, 1) >= 0 ? 0 : 2;
		f = pick_kptr(g, w == 1 ? 2 : 1);
		off = g->lay->koff[f < 0 ? pick_kptr(g, 0) : f];
		if (w == 2 && (off = pick_scalar_off(g, 8)) < 0)
			off = g->lay->koff[0];
		if (!g->clean && chance(g->r, 5))
			size = 4;
		if (chance(g->r, 30)) {
			a = rnd(g->r, off + 1);
			ptr_to(g, R1, R6, a);
			base = R1;
		}
		f = kptr_in(g->lay, off, off + size);
		if (f >= 0 && (size != 8 || off != g->lay->koff[f]))
			flag(g, R_ACCESS, "a %d-byte store at off=%d touches the kptr at off=%d",
			     size, off, g->lay->koff[f]);
		else if (f >= 0 && g->lay->kref[f])
			flag(g, R_STORE_REF, "BPF_STX into the kptr_ref at off=%d", off);
		else if (f >= 0)
			judge_value(g, STORE_BAD, R_STORE_SCALAR, R_STORE_PTR, k, "a kptr store");
		STX(bsz(size), base, R8, off - a);
		break;
	case SK_RELEASE:
		MOV(R1, R8);
		judge_value(g, RELEASE_BAD, R_RELEASE, R_RELEASE, k, "bpf_kfunc_call_test_release()");
		KCALL(id_release);
		break;
	}
}

/* --- the snippets --------------------------------------------------------- */

static void snip_value(struct gen *g)
{
	static const int sink_w[] = { 50, 42, 8 }, paths_w[] = { 35, 50, 15 };
	int sink = pickw(g->r, sink_w, 3), n = 1 + pickw(g->r, paths_w, 3);
	int src[3], i, lrel = label(g), lout = label(g), f;
	bool holder = false, spilled = chance(g->r, 15);
	const int *pool;
	char buf[64] = "";
	unsigned k;

	if (g->clean && sink != SK_STORE && pick_kptr(g, 2) < 0)
		sink = SK_STORE;
	pool = sink == SK_STORE ? (g->clean ? store_clean : store_pool) :
				  (g->clean ? xchg_clean : xchg_pool);
	for (i = 0; i < n; i++) {
		src[i] = pickw(g->r, pool, NR_SRC);
		holder |= src[i] == S_HOLD || src[i] == S_WALK || src[i] == S_OFF;
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i ? "," : "", src_names[src[i]]);
	}
	COV(C_SINK + sink);
	COV(C_PATHS + n - 1);
	if (spilled)
		COV(C_SPILLED);
	describe(g, "value(%s:%s%s", (const char *[]){ "xchg", "store", "release" }[sink],
		 buf, spilled ? ",spilled" : "");
	g->holder_checked = chance(g->r, 85);
	if (holder) {
		emit_acquire(g);
		MOV(R9, R0);
		if (g->holder_checked)
			JC(BPF_JEQ, R9, 0, lout);
	}
	k = emit_transform(g, emit_paths(g, src, n, lrel, spilled));
	if (chance(g->r, 25) && (f = new_fn(g)) > 0) {
		/* the sink in a static subprogram: the value crosses a call */
		int saved = g->cur;
		bool ctx = g->has_ctx;

		COV(C_IN_SUB);
		MOV(R1, R6);
		MOV(R2, R8);
		call_fn(g, f, -1);
		g->cur = f;
		g->has_ctx = false;
		MOV(R6, R1);
		MOV(R8, R2);
		emit_sink(g, sink, k);
		exit0(g);
		g->cur = saved;
		g->has_ctx = ctx;
		describe(g, "in-sub");
	} else {
		emit_sink(g, sink, k);
	}
	bind(g, lrel);
	if (holder) {
		/* Testing a checked holder again would take a way on which it
		 * is held: 6.1 does not know PTR_TO_BTF_ID is not NULL.
		 */
		if (!g->holder_checked)
			JC(BPF_JEQ, R9, 0, lout);
		MOV(R1, R9);
		KCALL(id_release);
	}
	bind(g, lout);
	describe(g, ")");
}

/* Only a whole 8-byte BPF_MEM load or store at exactly a kptr's offset
 * may touch it, and then only with what the kptr may take.
 */
static void snip_access(struct gen *g)
{
	static const int mode_w[] = { 35, 25, 20, 20 }, place_w[] = { 30, 20, 25, 25 };
	static const int size_w[] = { 1, 1, 2, 5 }, masks[] = { 1, 3, 4, 7, 8, 12, 16, 24 };
	static const int atomics[] = {
		BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH,
		BPF_OR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG,
	};
	const struct layout *l = g->lay;
	int mode = pickw(g->r, mode_w, 4), place = pickw(g->r, place_w, 4);
	int size = mode == A_ATOMIC ? 4 << chance(g->r, 75) : 1 << pickw(g->r, size_w, 4);
	int f = rnd(g->r, l->nk), off = l->koff[f], mask = 0, base = R6, a = 0;
	int imm = 0, op = atomics[rnd(g->r, ARRAY_LEN(atomics))], v, k, s;
	unsigned vk = 0;

	/* clean: whole-kptr loads and NULL stores, or bytes beside the kptrs */
	if (g->clean && (place || mode == A_ATOMIC))
		place = 2;
	if (g->clean && !place && (size = 8) && l->kref[f])
		mode = A_LDX;
	switch (place) {
	case 1:	/* into or across the kptr */
		off = l->koff[f] - size + 1 + rnd(g->r, size + 6);
		break;
	case 2:
		if ((off = pick_scalar_off(g, size)) < 0 && g->clean)
			size = 8, mode = A_LDX;
		if (off < 0)
			off = l->koff[f];
		break;
	case 3:	/* at a variable offset, with a mask that fits */
		for (k = 0; k < 8 && masks[k] <= l->size - size; k++)
			;
		mask = k ? masks[rnd(g->r, k)] : 0;
		off = k ? rnd(g->r, l->size - size - mask + 1) : off;
		break;
	}
	off = off + size > l->size ? l->size - size : off < 0 ? 0 : off;
	COV(C_ACCESS + mode);
	if (mask)
		COV(C_ACCESS_VAR);
	describe(g, "access(%s%d@%d%s)", (const char *[]){ "ldx", "stx", "st", "atomic" }[mode],
		 size, off, mask ? "+var" : "");

	if (mask) {
		emit_var_index(g, R3, mask);
		MOV(R1, R6);
		E(BPF_ALU64_REG(BPF_ADD, R1, R3));
		base = R1;
	} else if (chance(g->r, 30)) {
		a = rnd(g->r, off + 1);
		ptr_to(g, R1, R6, a);
		base = R1;
	}
	if (mode == A_STX || mode == A_ATOMIC) {
		s = g->clean && !place && mode == A_STX ? 2 : rnd(g->r, mode == A_STX ? 3 : 2);
		if (s == 2 || (s == 1 && !emit_map_scalar(g, R2))) {
			MOVI(R2, 0);
			vk = K_NULL;
		} else {
			if (s == 0)
				MOVI(R2, 7);
			vk = K_SCALAR;
		}
		if (op == BPF_CMPXCHG)
			MOVI(R0, 0);
	}
	if (mode == A_ST && !g->clean && chance(g->r, 40))
		imm = 1 + rnd(g->r, 100);

	/* every offset the access may have; the first touching a kptr says */
	for (v = 0; v <= mask; v++) {
		int o = off + v;

		if ((v & ~mask) || (k = kptr_in(l, o, o + size)) < 0)
			continue;
		if (mask)
			flag(g, R_ACCESS, "an access at off=%d + a variable (mask %#x) may touch the kptr at off=%d",
			     off, mask, l->koff[k]);
		else if (mode == A_ATOMIC)
			flag(g, R_ACCESS, "an atomic op on the kptr at off=%d", l->koff[k]);
		else if (size != 8 || o != l->koff[k])
			flag(g, R_ACCESS, "a %d-byte access at off=%d touches the kptr at off=%d",
			     size, o, l->koff[k]);
		else if (mode != A_LDX && l->kref[k])
			flag(g, R_STORE_REF, "a store into the kptr_ref at off=%d", o);
		else if (mode == A_ST && imm)
			flag(g, R_ST_IMM, "BPF_ST of %d into the kptr at off=%d", imm, o);
		else if (mode == A_STX && (vk & K_SCALAR))
			flag(g, R_STORE_SCALAR, "a scalar that may be non-zero stored into the kptr at off=%d", o);
		break;
	}

	switch (mode) {
	case A_LDX:
		LDX(bsz(size), R2, base, off - a);
		if (!mask && size == 8 && kptr_in(l, off, off + 8) >= 0 && chance(g->r, 60)) {
			int lskip = label(g);	/* read the object through it */

			JC(BPF_JEQ, R2, 0, lskip);
			LDX(BPF_W, R0, R2, 0);
			bind(g, lskip);
		}
		break;
	case A_STX:
		STX(bsz(size), base, R2, off - a);
		break;
	case A_ST:
		ST(bsz(size), base, off - a, imm);
		break;
	default:
		E(BPF_ATOMIC_OP(bsz(size), op, base, R2, off - a));
	}
}

/* a helper or kfunc given a pointer into the value must touch no kptr,
 * whatever it does with the bytes
 */
static void snip_helper(struct gen *g)
{
	static const int w[NR_H] = { 20, 15, 20, 15, 15, 15 }, place_w[] = { 40, 35, 25 };
	static const int pregs[NR_H] = { R3, R2, R3, R1, R1, R1 };
	const struct layout *l = g->lay;
	int h = pickw(g->r, w, NR_H), len, off, mask = 0, v, f = rnd(g->r, l->nk);

	if (h == H_LOAD_BYTES && !g->has_ctx)
		h = H_CSUM;
	len = h == H_UPDATE || h == H_KACQ ? 8 : h == H_LOOKUP ? 4 :
	      h == H_CSUM ? 4 * (1 + rnd(g->r, 4)) : 1 + rnd(g->r, 16);
	if (len > l->size)
		len = l->size & ~3;
	switch (g->clean ? 1 : pickw(g->r, place_w, 3)) {
	case 0:
		off = l->koff[f] - len + 1 + rnd(g->r, len + 6);
		break;
	case 1:
		for (off = 0; off + len <= l->size; off++)
			if (kptr_in(l, off, off + len) < 0 && chance(g->r, 30))
				break;
		break;
	default:	/* at a variable offset, with a mask that fits */
		mask = 4 << rnd(g->r, 3);
		while (mask && mask > l->size - len)
			mask -= 4;
		off = rnd(g->r, l->size - len - mask + 1);
	}
	off = off + len > l->size ? l->size - len : off < 0 ? 0 : off;
	COV(C_HELPER + h);
	if (mask)
		COV(C_HELPER_VAR);
	describe(g, "helper(%s,%d@%d%s)", cov_names[C_HELPER + h], len, off, mask ? "+var" : "");

	if (mask) {
		emit_var_index(g, R5, mask);
		MOV(pregs[h], R6);
		E(BPF_ALU64_REG(BPF_ADD, pregs[h], R5));
		ADDI(pregs[h], off);
	} else {
		ptr_to(g, pregs[h], R6, off);
	}
	if (h == H_UPDATE || h == H_LOOKUP)
		LDMAP(R1, scratch_fd);
	if (h == H_UPDATE) {
		ptr_to(g, R2, R10, -8);
		MOVI(R4, 0);
	} else if (h == H_LOAD_BYTES) {
		MOV(R1, R7);
		MOVI(R2, 0);
		MOVI(R4, len);
	} else if (h == H_CSUM || h == H_MEMLEN) {
		MOVI(R2, len);
	}
	if (h == H_CSUM) {
		MOVI(R3, 0);
		MOVI(R4, 0);
		MOVI(R5, 0);
	}
	for (v = 0; v <= mask; v++) {
		int k = kptr_in(l, off + v, off + v + len);

		if (!(v & ~mask) && k >= 0) {
			flag(g, R_HELPER, "%s on %d bytes at off=%d%s touches the kptr at off=%d",
			     cov_names[C_HELPER + h], len, off, mask ? " + a variable" : "", l->koff[k]);
			break;
		}
	}
	switch (h) {
	case H_UPDATE: CALL(BPF_FUNC_map_update_elem); break;
	case H_LOOKUP: CALL(BPF_FUNC_map_lookup_elem); break;
	case H_LOAD_BYTES: CALL(BPF_FUNC_skb_load_bytes); break;
	case H_CSUM: CALL(BPF_FUNC_csum_diff); break;
	case H_MEMLEN: KCALL(id_mem_len); break;
	default:
		KCALL(id_acquire);
		emit_release_r0(g);
	}
}

/* bpf_kptr_xchg(field, NULL) or kptr_get(field), the field maybe wrong */
static void snip_target(struct gen *g)
{
	bool kget = chance(g->r, 40), ok = emit_target(g);

	COV(C_TARGET + kget);
	describe(g, "target(%s%s)", kget ? "kptr_get" : "xchg", ok ? "" : ",bad");
	MOVI(R2, 0);
	if (kget)
		MOVI(R3, 0);
	if (!ok)
		flag(g, kget ? R_KGET_TARGET : R_XCHG_TARGET,
		     "R1 of %s names no kptr_ref at a constant offset",
		     kget ? "kptr_get" : "bpf_kptr_xchg()");
	if (kget)
		KCALL(id_kptr_get);
	else
		CALL(BPF_FUNC_kptr_xchg);
	emit_release_r0(g);
}

static void snippet(struct gen *g)
{
	static const int w[] = { 55, 20, 12, 13 };

	g->clean = chance(g->r, 70);
	/* a clean target snippet needs a kptr_ref */
	switch (pickw(g->r, w, ARRAY_LEN(w) - (g->clean && pick_kptr(g, 2) < 0))) {
	case 0: snip_value(g); break;
	case 1: snip_access(g); break;
	case 2: snip_helper(g); break;
	default: snip_target(g); break;
	}
}

/* R6 = element @key of the map; the frame returns 0 if there is none */
static void emit_lookup(struct gen *g, int map_fd, int key)
{
	int l = label(g);

	ST(BPF_W, R10, -8, key);
	ST(BPF_DW, R10, -16, 0);
	ptr_to(g, R2, R10, -8);
	LDMAP(R1, map_fd);
	CALL(BPF_FUNC_map_lookup_elem);
	JC(BPF_JNE, R0, 0, l);
	EXIT();
	bind(g, l);
	MOV(R6, R0);
}

static void gen_program(struct gen *g, struct rng *r, const struct slot *s)
{
	static const int wrap_w[] = { 55, 25, 20 };	/* main, subprog, callback */
	int i, n = 1 + chance(r, 35) + chance(r, 15), f, wrap;

	gen_reset(g, r, s);
	COV(C_MAP + (s->mk - map_kinds));
	MOV(R7, R1);
	emit_lookup(g, s->map_fd, rnd(r, NR_KEYS));
	for (i = 0; i < n; i++) {
		wrap = pickw(r, wrap_w, 3);
		f = wrap ? new_fn(g) : -1;
		if (f > 0 && wrap == 1) {
			/* a static subprogram given the value and the ctx */
			COV(C_SUB);
			MOV(R1, R6);
			MOV(R2, R7);
			call_fn(g, f, -1);
			g->cur = f;
			MOV(R6, R1);
			MOV(R7, R2);
			ST(BPF_W, R10, -8, 0);
			ST(BPF_DW, R10, -16, 0);
			describe(g, "sub{");
		} else if (f > 0) {
			/* a bpf_loop() callback, with its own lookup */
			COV(C_LOOP);
			MOVI(R1, 1 + rnd(r, 3));
			call_fn(g, f, R2);
			MOVI(R3, 0);
			MOVI(R4, 0);
			CALL(BPF_FUNC_loop);
			g->cur = f;
			g->has_ctx = false;
			emit_lookup(g, s->map_fd, rnd(r, NR_KEYS));
			describe(g, "loop{");
		}
		snippet(g);
		if (f > 0) {
			exit0(g);
			g->cur = 0;
			g->has_ctx = true;
			describe(g, "}");
		}
	}
	exit0(g);
}

/* --- loading, the log, the disassembler ------------------------------- */

static char vlog[4 << 20];
static int prog_btf_fd, btf_func_main, btf_func_sub;

/* callbacks need BTF func_info: one FUNC per function, static but main */
static int load_prog_btf(void)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	int proto;
	__u32 sz;

	proto = btf__add_func_proto(btf, btf__add_int(btf, "int", 4, BTF_INT_SIGNED));
	btf_func_main = btf__add_func(btf, "fuzz_main", BTF_FUNC_GLOBAL, proto);
	btf_func_sub = btf__add_func(btf, "fuzz_sub", BTF_FUNC_STATIC, proto);
	raw = btf__raw_data(btf, &sz);
	prog_btf_fd = raw ? bpf_btf_load(raw, sz, NULL) : -1;
	btf__free(btf);
	return prog_btf_fd;
}

/* @log: 0 none, 1 the path that failed, 2 every path and where it pruned */
static int load(const struct gen *g, bool freq, int log)
{
	struct bpf_func_info fi[MAX_FUNCS];
	LIBBPF_OPTS(bpf_prog_load_opts, o,
		.prog_flags = freq ? BPF_F_TEST_STATE_FREQ : 0,
		.prog_btf_fd = prog_btf_fd, .func_info = fi, .func_info_cnt = g->nfn,
		.func_info_rec_size = sizeof(fi[0]), .log_buf = log ? vlog : NULL,
		.log_size = log ? sizeof(vlog) : 0, .log_level = log);
	int f;

	for (f = 0; f < g->nfn; f++) {
		fi[f].insn_off = g->base[f];
		fi[f].type_id = f ? btf_func_sub : btf_func_main;
	}
	vlog[0] = 0;
	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "fuzz_kptr", "GPL", g->prog, g->plen, &o);
}

static void print_log_tail(int lines)
{
	char *p = vlog + strlen(vlog), *e;
	int n = 0;

	while (p > vlog && n <= lines)
		n += *--p == '\n';
	p += *p == '\n';
	for (; *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		printf("#     | %.*s\n", (int)(e - p), p);
	}
}

static void dis(const struct bpf_insn *p, int i, char *b, size_t n)
{
	static const char *const alu[16] = {
		"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=",
	};
	static const char *const jop[16] = {
		"ja", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=",
	};
	static const char *const sz[] = { "u32", "u16", "u8", "u64" };
	const struct bpf_insn *in = &p[i];
	int cls = BPF_CLASS(in->code), s = BPF_SIZE(in->code) >> 3, op = BPF_OP(in->code) >> 4;
	char c = cls == BPF_ALU || cls == BPF_JMP32 ? 'w' : 'r';

	if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_SRC(in->code) == BPF_X)
		snprintf(b, n, "%c%d %s %c%d", c, in->dst_reg, alu[op], c, in->src_reg);
	else if (cls == BPF_ALU || cls == BPF_ALU64)
		snprintf(b, n, "%c%d %s %d", c, in->dst_reg, alu[op], in->imm);
	else if (cls == BPF_LDX)
		snprintf(b, n, "r%d = *(%s *)(r%d %+d)", in->dst_reg, sz[s], in->src_reg, in->off);
	else if (cls == BPF_ST)
		snprintf(b, n, "*(%s *)(r%d %+d) = %d", sz[s], in->dst_reg, in->off, in->imm);
	else if (cls == BPF_STX && BPF_MODE(in->code) == BPF_ATOMIC)
		snprintf(b, n, "lock *(%s *)(r%d %+d) op %#x r%d", sz[s], in->dst_reg, in->off,
			 in->imm, in->src_reg);
	else if (cls == BPF_STX)
		snprintf(b, n, "*(%s *)(r%d %+d) = r%d", sz[s], in->dst_reg, in->off, in->src_reg);
	else if (cls == BPF_LD && in->src_reg == BPF_PSEUDO_FUNC)
		snprintf(b, n, "r%d = callback at %d", in->dst_reg, i + in->imm + 1);
	else if (cls == BPF_LD)
		snprintf(b, n, "r%d = %#llx%s", in->dst_reg, (unsigned long long)(__u32)in->imm |
			 (unsigned long long)p[i + 1].imm << 32,
			 in->src_reg == BPF_PSEUDO_MAP_FD ? " (map fd)" : "");
	else if (op == BPF_CALL >> 4 && in->src_reg == BPF_PSEUDO_KFUNC_CALL)
		snprintf(b, n, "call %s", kfunc_name(in->imm));
	else if (op == BPF_CALL >> 4 && in->src_reg == BPF_PSEUDO_CALL)
		snprintf(b, n, "call subprog at %d", i + in->imm + 1);
	else if (op == BPF_CALL >> 4)
		snprintf(b, n, "call helper #%d", in->imm);
	else if (op == BPF_EXIT >> 4)
		snprintf(b, n, "exit");
	else if (op == BPF_JA >> 4)
		snprintf(b, n, "goto %d", i + in->off + 1);
	else
		snprintf(b, n, "if %c%d %s %d goto %d", c, in->dst_reg, jop[op], in->imm,
			 i + in->off + 1);
}

static void print_prog(const struct gen *g)
{
	char b[128];
	int i;

	printf("#   program, %d insns (raw: code dst src off imm):\n", g->plen);
	for (i = 0; i < g->plen; i++) {
		const struct bpf_insn *in = &g->prog[i];

		dis(g->prog, i, b, sizeof(b));
		printf("#     %3d: %02x %x %x %5d %11d  %s\n", i, in->code, in->dst_reg,
		       in->src_reg, in->off, in->imm, b);
		if (in->code == (BPF_LD | BPF_DW | BPF_IMM) && ++i < g->plen)
			printf("#     %3d: 00 0 0     0 %11d\n", i, g->prog[i].imm);
	}
}

/* --- the run-time side: the object, the maps, the helper programs ----- */

#define W_ADDR		0	/* the test object's address */
#define W_CNT		1	/* its refcount, the checker's own reference in */
#define W_PRES		2	/* NR_KEYS words: the element is there */
#define W_CTL		4	/* the fields the seed program fills */
#define W_FIELD		5	/* NR_KEYS * MAX_KPTRS raw field values */
#define OUT_WORDS	(W_FIELD + NR_KEYS * MAX_KPTRS)

static int ref_fd;			/* reads the object's address and refcount */
static uint64_t obj_addr;
static long long base_cnt;		/* the refcount ref_fd sees, maps empty */
static long long pinned_refs;		/* references pinned maps keep */
static int npinned;
static const __u32 zero;
static unsigned char pkt[64];

static int create_map(const struct layout *l, const struct map_kind *mk)
{
	struct btf *btf = btf__new_empty();
	int int_id, u64_id, obj, pu, pr, arr, val, w, fd, btf_fd, ki = 0;
	const void *raw;
	char name[16];
	__u32 sz;

	if (!btf)
		return -1;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	u64_id = btf__add_int(btf, "long long unsigned int", 8, 0);
	arr = btf__add_array(btf, int_id, btf__add_int(btf, "char", 1, BTF_INT_CHAR), 4);
	obj = l->fwd ? btf__add_fwd(btf, "prog_test_ref_kfunc", BTF_FWD_STRUCT) :
		       btf__add_struct(btf, "prog_test_ref_kfunc", 0);
	pu = btf__add_ptr(btf, btf__add_type_tag(btf, "kptr", obj));
	pr = btf__add_ptr(btf, btf__add_type_tag(btf, "kptr_ref", obj));
	val = btf__add_struct(btf, "fuzz_value", l->size);
	for (w = 0; w < l->size / 8; w++) {
		snprintf(name, sizeof(name), "f%d", w);
		if (ki < l->nk && l->koff[ki] == w * 8) {
			btf__add_field(btf, name, l->kref[ki++] ? pr : pu, w * 64, 0);
		} else if (l->split[w]) {
			btf__add_field(btf, name, int_id, w * 64, 0);
			snprintf(name, sizeof(name), "g%d", w);
			btf__add_field(btf, name, int_id, w * 64 + 32, 0);
		} else {
			btf__add_field(btf, name, u64_id, w * 64, 0);
		}
	}
	if (l->size % 8)
		btf__add_field(btf, "tail", arr, l->size / 8 * 64, 0);
	raw = btf__raw_data(btf, &sz);
	btf_fd = raw ? bpf_btf_load(raw, sz, NULL) : -1;
	btf__free(btf);
	if (btf_fd < 0)
		return -1;
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = btf_fd, .btf_key_type_id = int_id,
			    .btf_value_type_id = val, .map_flags = mk->flags);

		fd = bpf_map_create(mk->type, "fuzz_kptr", 4, l->size, mk->max, &o);
	}
	close(btf_fd);
	return fd;
}

static int load_helper_prog(struct gen *g, const char *what)
{
	int fd = link_prog(g) ? load(g, false, 0) : -1;

	if (fd < 0) {
		printf("# the %s program was refused: %s\n", what, strerror(errno));
		load(g, false, 1);
		print_log_tail(20);
	}
	return fd;
}

/* R7 = the out map's value; the object's address and refcount into it */
static void emit_out_and_obj(struct gen *g)
{
	int l;

	emit_lookup(g, out_fd, 0);
	MOV(R7, R6);
	emit_acquire(g);
	l = label(g);
	JC(BPF_JEQ, R0, 0, l);
	MOV(R8, R0);
	STX(BPF_DW, R7, R8, W_ADDR * 8);
	LDX(BPF_W, R1, R8, cnt_off);
	STX(BPF_DW, R7, R1, W_CNT * 8);
	MOV(R1, R8);
	KCALL(id_release);
	bind(g, l);
}

/* R6 = element @k of the slot's map, or a jump to @lnone */
static void emit_slot_lookup(struct gen *g, const struct slot *s, int k, int lnone)
{
	ST(BPF_W, R10, -8, k);
	ptr_to(g, R2, R10, -8);
	LDMAP(R1, s->map_fd);
	CALL(BPF_FUNC_map_lookup_elem);
	JC(BPF_JEQ, R0, 0, lnone);
	MOV(R6, R0);
}

/* puts the test object into the fields whose bit is set in the ctl word */
static int build_seed(const struct slot *s)
{
	struct gen *g = &G;
	int k, f, lnext, lskip;

	gen_reset(g, NULL, s);
	emit_out_and_obj(g);
	LDX(BPF_DW, R9, R7, W_CTL * 8);
	for (k = 0; k < NR_KEYS; k++) {
		emit_slot_lookup(g, s, k, lnext = label(g));
		for (f = 0; f < s->lay->nk; f++) {
			lskip = label(g);
			MOV(R1, R9);
			E(BPF_ALU64_IMM(BPF_RSH, R1, k * MAX_KPTRS + f));
			E(BPF_ALU64_IMM(BPF_AND, R1, 1));
			JC(BPF_JEQ, R1, 0, lskip);
			emit_acquire(g);
			JC(BPF_JEQ, R0, 0, lskip);
			if (s->lay->kref[f]) {
				MOV(R2, R0);
				ptr_to(g, R1, R6, s->lay->koff[f]);
				CALL(BPF_FUNC_kptr_xchg);
				emit_release_r0(g);
			} else {
				STX(BPF_DW, R6, R0, s->lay->koff[f]);
				MOV(R1, R0);
				KCALL(id_release);
			}
			bind(g, lskip);
		}
		bind(g, lnext);
	}
	exit0(g);
	return load_helper_prog(g, "seed");
}

/* copies every kptr field, raw, into the out map */
static int build_check(const struct slot *s)
{
	struct gen *g = &G;
	int k, f, lnone, lnext;

	gen_reset(g, NULL, s);
	emit_out_and_obj(g);
	for (k = 0; k < NR_KEYS; k++) {
		emit_slot_lookup(g, s, k, lnone = label(g));
		ST(BPF_DW, R7, (W_PRES + k) * 8, 1);
		for (f = 0; f < s->lay->nk; f++) {
			LDX(BPF_DW, R1, R6, s->lay->koff[f]);
			STX(BPF_DW, R7, R1, (W_FIELD + k * MAX_KPTRS + f) * 8);
		}
		JA(lnext = label(g));
		bind(g, lnone);
		ST(BPF_DW, R7, (W_PRES + k) * 8, 0);
		bind(g, lnext);
	}
	exit0(g);
	return load_helper_prog(g, "checker");
}

static int test_run(int fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);

	return bpf_prog_test_run_opts(fd, &o) ? -errno : 0;
}

/* runs @fd with the ctl word set, the out map's words back in @out */
static int run_out(int fd, __u64 *out, __u64 ctl)
{
	memset(out, 0, OUT_WORDS * 8);
	out[W_CTL] = ctl;
	if (bpf_map_update_elem(out_fd, &zero, out, BPF_ANY) || test_run(fd) ||
	    bpf_map_lookup_elem(out_fd, &zero, out))
		return -errno;
	return 0;
}

/* Overwriting an element drops the references it holds: idle slots hold
 * none, which the refcount check relies on.  With @r, the bytes beside
 * the kptrs are zero, all ones or random words (user space cannot write
 * the kptrs themselves).
 */
static void fill_slot(const struct slot *s, struct rng *r)
{
	unsigned char v[128] = {};
	int i;
	__u32 k;

	for (k = 0; k < NR_KEYS; k++) {
		for (i = 0; r && i < s->lay->size; i += 8) {
			uint64_t x = chance(r, 20) ? 0 : chance(r, 10) ? ~0ULL : rnd64(r);

			memcpy(v + i, &x, 8);
		}
		bpf_map_update_elem(s->map_fd, &k, v, BPF_ANY);
	}
}

static void close_slot(struct slot *s)
{
	if (s->map_fd >= 0)
		close(s->map_fd);
	if (s->seed_fd >= 0)
		close(s->seed_fd);
	if (s->check_fd >= 0)
		close(s->check_fd);
	s->map_fd = s->seed_fd = s->check_fd = -1;
}

static int create_slot(struct slot *s)
{
	s->seed_fd = s->check_fd = -1;
	s->map_fd = create_map(s->lay, s->mk);
	if (s->map_fd < 0)
		return -1;
	fill_slot(s, NULL);
	s->seed_fd = build_seed(s);
	s->check_fd = build_check(s);
	return s->seed_fd < 0 || s->check_fd < 0 ? -1 : 0;
}

/* the map keeps what it holds: never freed, its destructors never run */
static void pin_slot(struct slot *s, long long held)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/fs/bpf/fuzz_verifier_%d_%d", getpid(), npinned++);
	if (bpf_obj_pin(s->map_fd, path)) {
		printf("# cannot pin the map at %s (%s): freeing it may oops\n", path, strerror(errno));
		s->map_fd = -1;		/* left open until exit */
	} else {
		printf("# the map is pinned at %s, never to be freed\n", path);
	}
	pinned_refs += held;
	close_slot(s);
	if (create_slot(s))
		printf("# cannot recreate the map\n");
}

/* --- the oracles' verdicts ---------------------------------------------- */

static bool opt_run = true, opt_skip_flagged, opt_verbose, opt_dump;
static unsigned opt_stop;		/* the reasons to stop at */
static int ndis, nstatic_dis, nrt_dis, nrc_dis, nruns, nrc_checks;
static int first_hit[NR_REASONS];
static int insns_min = MAX_INSNS, insns_max, insns_sum;
static unsigned stopped;		/* the reasons seen */
static int cov[NR_COV][2];

static void hit(unsigned reasons, int idx)
{
	int i;

	for (i = 0; i < NR_REASONS; i++)
		if ((reasons & (1u << i)) && first_hit[i] < 0)
			first_hit[i] = idx;
	stopped |= reasons;
}

static void report_head(struct gen *g, int idx, const char *oracle)
{
	char sd[160];

	describe_slot(g->slot, sd, sizeof(sd));
	printf("# disagreement %d: %s oracle, seed %llu program %d\n", ++ndis, oracle,
	       (unsigned long long)seed, idx);
	printf("#   reproduce: ./fuzz_verifier --seed %llu --start %d --count 1\n",
	       (unsigned long long)seed, idx);
	printf("#   map: %s\n#   constructs: %s\n", sd, g->desc);
}

static void report_static(struct gen *g, int idx)
{
	int i, fd;

	report_head(g, idx, "static");
	for (i = 0; i < g->nwhy; i++)
		printf("#   must be rejected [%s] at insn %d: %s\n", reason_names[g->why[i].kind],
		       g->base[g->why[i].fn] + g->why[i].pos, g->why[i].text);
	print_prog(g);
	/* level 2: the last path explored, down to where it was pruned */
	fd = load(g, true, 2);
	if (fd < 0 && errno == ENOSPC)
		fd = load(g, true, 1);
	printf("#   verifier log (tail, %s):\n", fd >= 0 ? "accepted" : "rejected this time");
	print_log_tail(30);
	if (fd >= 0)
		close(fd);
	fflush(stdout);
}

/* after a run: every field NULL or the object, and the references add up */
static unsigned check_slot(struct slot *s, __u64 *out, long long *held, char *msg, size_t n)
{
	const struct layout *l = s->lay;
	unsigned bad = 0;
	size_t len = 0;
	long long want;
	int k, f;

	*held = 0;
	msg[0] = 0;
	if (run_out(s->check_fd, out, 0)) {
		snprintf(msg, n, "#   the checker program failed: %s\n", strerror(errno));
		return 0;
	}
	for (k = 0; k < NR_KEYS; k++) {
		for (f = 0; out[W_PRES + k] && f < l->nk; f++) {
			__u64 v = out[W_FIELD + k * MAX_KPTRS + f];

			*held += v == obj_addr && l->kref[f];
			if (!v || v == obj_addr)
				continue;
			bad |= 1u << (l->kref[f] ? RT_REF_FIELD : RT_UNREF_FIELD);
			if (len < n)
				len += snprintf(msg + len, n - len,
						"#   key %d: the %s at off=%d holds %#llx, neither NULL nor the object (%#llx)\n",
						k, l->kref[f] ? "kptr_ref" : "kptr", l->koff[f],
						(unsigned long long)v, (unsigned long long)obj_addr);
		}
	}
	want = base_cnt + *held + pinned_refs;
	nrc_checks++;
	if ((long long)out[W_CNT] != want && len < n) {
		bad |= 1u << RT_REFCOUNT;
		snprintf(msg + len, n - len,
			 "#   the object's refcount is %lld, not %lld (%lld at the start, %lld held by kptr_ref fields, %lld by pinned maps)\n",
			 (long long)out[W_CNT], want, base_cnt, *held, pinned_refs);
	}
	return bad;
}

/* Runs an accepted program twice, each time on freshly filled and seeded
 * elements, and checks the map after each run.  One the static oracle
 * flagged runs more often: its bad path may need a lucky branch.
 */
static void run_program(struct gen *g, int idx, int fd)
{
	struct slot *s = (struct slot *)g->slot;
	__u64 out[OUT_WORDS];
	char msg[4096];
	long long held;
	unsigned bad = 0;
	struct rng r;
	int pass, err;

	rng_init(&r, seed, 1, idx);
	for (pass = 0; pass < (g->reasons ? 8 : 2) && !bad; pass++) {
		fill_slot(s, &r);
		if (run_out(s->seed_fd, out, rnd64(&r)))
			printf("# program %d: the seed program failed: %s\n", idx, strerror(errno));
		err = test_run(fd);
		if (err)
			printf("# program %d: BPF_PROG_TEST_RUN failed: %s\n", idx, strerror(-err));
		bad = check_slot(s, out, &held, msg, sizeof(msg));
	}
	if (!bad) {
		nruns++;
		fill_slot(s, NULL);
		return;
	}
	report_head(g, idx, "run-time");
	printf("#   after run %d of the program:\n%s", pass, msg);
	if (g->reasons)
		printf("#   (the static oracle flagged it too)\n");
	else
		print_prog(g);
	nrc_dis += !!(bad & (1u << RT_REFCOUNT));
	nrt_dis += !!(bad & ~(1u << RT_REFCOUNT));
	hit(bad, idx);
	if (bad & (1u << RT_REF_FIELD | 1u << RT_REFCOUNT))
		pin_slot(s, held);
	else
		fill_slot(s, NULL);
	fflush(stdout);
}

static long long read_refcount(void)
{
	__u64 out[OUT_WORDS];

	return run_out(ref_fd, out, 0) ? -1 : (long long)out[W_CNT];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int setup(void)
{
	struct gen *g = &G;
	__u64 out[OUT_WORDS];
	unsigned i, t;
	struct rng r;
	char sd[160];

	if (find_kernel_ids()) {
		printf("# the test kfuncs or struct prog_test_ref_kfunc are not in vmlinux BTF\n");
		return -1;
	}
	out_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fuzz_out", 4, OUT_WORDS * 8, 1, NULL);
	scratch_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fuzz_scratch", 4, 8, NR_KEYS, NULL);
	if (out_fd < 0 || scratch_fd < 0 || load_prog_btf() < 0) {
		printf("# cannot create the plain maps or load BTF: %s\n", strerror(errno));
		return -1;
	}
	gen_reset(g, NULL, NULL);
	emit_out_and_obj(g);
	exit0(g);
	if ((ref_fd = load_helper_prog(g, "refcount")) < 0)
		return -1;
	rng_init(&r, seed, 2, 0);
	for (i = 0; i < NR_LAYOUTS; i++) {
		gen_layout(&r, &layouts[i]);
		for (t = 0; t < ARRAY_LEN(map_kinds); t++) {
			struct slot *s = &slots[i * ARRAY_LEN(map_kinds) + t];

			s->lay = &layouts[i];
			s->mk = &map_kinds[t];
			if (create_slot(s) && s->mk->flags) {
				/* older series: no kptr_ref without prealloc */
				printf("# %s maps refused (%s): hash maps instead\n",
				       s->mk->name, strerror(errno));
				s->mk = &map_kinds[t - 1];
				if (create_slot(s))
					return -1;
			} else if (s->check_fd < 0) {
				printf("# cannot create a %s map\n", s->mk->name);
				return -1;
			}
		}
		describe_slot(&slots[i * ARRAY_LEN(map_kinds)], sd, sizeof(sd));
		printf("# layout %u: %s\n", i, sd + strlen("array, "));
	}
	if (run_out(ref_fd, out, 0) || !out[W_ADDR]) {
		printf("# cannot read the test object's refcount\n");
		return -1;
	}
	obj_addr = out[W_ADDR];
	base_cnt = out[W_CNT];
	printf("# test object at %#llx, refcount %lld with our own reference\n",
	       (unsigned long long)obj_addr, base_cnt);
	return 0;
}

/* Frees every map that may hold a reference and waits for the refcount to
 * come back: maps are freed from a workqueue, after RCU
 */
static bool final_balance(long long *got)
{
	double t0 = now();
	unsigned i;

	for (i = 0; i < ARRAY_LEN(slots); i++)
		close_slot(&slots[i]);
	while ((*got = read_refcount()) != base_cnt + pinned_refs && now() - t0 < 20)
		usleep(20000);
	return *got == base_cnt + pinned_refs;
}

static void print_summary(int generated, int accepted, bool balanced, long long got)
{
	int i, len = 0;

	printf("# instructions per program: %d to %d, %d on average\n", insns_min, insns_max,
	       generated ? insns_sum / generated : 0);
	for (i = 0; i < NR_COV; i++) {
		if (!len)
			len = printf(i ? "#  " : "# constructs (programs, accepted):");
		len += printf(" %s %d/%d", cov_names[i], cov[i][0], cov[i][1]);
		if (len > 90 || i == NR_COV - 1)
			len = !printf("\n");
	}
	printf("%sok 1 - static oracle (%d accepted, %d of them must have been rejected)\n",
	       nstatic_dis ? "not " : "", accepted, nstatic_dis);
	if (opt_run)
		printf("%sok 2 - run-time oracle (%d programs ran clean twice, %d left a bad kptr)\n",
		       nrt_dis ? "not " : "", nruns, nrt_dis);
	else
		printf("ok 2 - run-time oracle (skipped: --no-run)\n");
	printf("%sok 3 - refcount balance (%d checks, %d off; after the maps were freed %lld, %lld expected)\n",
	       nrc_dis || !balanced ? "not " : "", nrc_checks, nrc_dis, got, base_cnt + pinned_refs);
}

int main(int argc, char **argv)
{
	int start = 0, count = DEFAULT_COUNT, i, c, fd, nfirst = -1;
	int generated = 0, accepted = 0;
	const char *argv_stop = "";
	double t0 = now();
	long long got = 0;
	bool balanced, bad = false;

	for (i = 1; i < argc && !bad; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--start") && i + 1 < argc)
			start = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-run"))
			opt_run = false;
		else if (!strcmp(argv[i], "--skip-flagged"))
			opt_skip_flagged = true;
		else if (!strcmp(argv[i], "--stop-at-first"))
			opt_stop = ~0u;
		else if (!strncmp(argv[i], "--stop-at-first=", 16)) {
			argv_stop = argv[i] + 16;
			for (c = 0; c < NR_REASONS; c++)
				opt_stop |= !strcmp(argv_stop, reason_names[c]) << c;
			bad = !opt_stop;
		} else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "--dump")) {
			opt_verbose = true;
			opt_dump |= !strcmp(argv[i], "--dump");
		} else {
			bad = true;
		}
	}
	if (bad) {
		fprintf(stderr, "usage: %s [--seed S] [--count N] [--start I] [--no-run] [--skip-flagged] [--stop-at-first[=REASON]] [--verbose] [--dump]\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < NR_REASONS; i++)
		first_hit[i] = -1;
	for (i = 0; i < (int)sizeof(pkt); i++)
		pkt[i] = i;
	printf("# fuzz_verifier: seed %llu, programs %d..%d%s\n", (unsigned long long)seed,
	       start, start + count - 1, opt_run ? "" : ", not run");
	if (setup()) {
		printf("not ok 1 - static oracle (setup failed)\n");
		printf("fuzz_verifier: seed %llu: setup failed\n", (unsigned long long)seed);
		return 1;
	}

	for (i = start; i < start + count && !(opt_stop & stopped); i++) {
		struct gen *g = &G;
		struct rng r;
		int nd = ndis;

		rng_init(&r, seed, 0, i);
		gen_program(g, &r, &slots[rnd(&r, ARRAY_LEN(slots))]);
		if (!link_prog(g)) {
			printf("# program %d: too large, skipped\n", i);
			continue;
		}
		generated++;
		insns_sum += g->plen;
		insns_min = g->plen < insns_min ? g->plen : insns_min;
		insns_max = g->plen > insns_max ? g->plen : insns_max;
		fd = load(g, true, 0);
		accepted += fd >= 0;
		for (c = 0; c < NR_COV; c++) {
			cov[c][0] += !!(g->cov & (1ULL << c));
			cov[c][1] += fd >= 0 && (g->cov & (1ULL << c));
		}
		if (opt_verbose) {
			printf("# program %d: %s%s %s\n", i, fd >= 0 ? "accepted" : "rejected",
			       g->reasons ? " (must be rejected)" : "", g->desc);
			if (opt_dump)
				print_prog(g);
			if ((fd < 0 || opt_dump) && load(g, true, 1) < 0)
				print_log_tail(opt_dump ? 60 : 2);
		}
		if (fd >= 0 && g->reasons) {
			nstatic_dis++;
			hit(g->reasons, i);
			report_static(g, i);
		}
		/* once stopped, a run could only oops */
		if (fd >= 0 && opt_run && !g->calls_memb && !(g->reasons && opt_skip_flagged) &&
		    !(opt_stop & stopped))
			run_program(g, i, fd);
		if (fd >= 0)
			close(fd);
		if ((opt_stop ? opt_stop & stopped : ndis > nd) && nfirst < 0)
			nfirst = i - start + 1;
		/* a line every 1000 programs: the harness takes a guest that
		 * writes nothing for minutes for a hung one
		 */
		if ((i - start + 1) % 1000 == 0) {
			printf("# %d programs, %d accepted, %d disagreements (%.1f s)\n",
			       i - start + 1, accepted, ndis, now() - t0);
			fflush(stdout);
		}
	}

	balanced = final_balance(&got);
	ndis += !balanced;
	if (nfirst > 0 && opt_stop)
		printf("# stopped at the first disagreement%s%s after %d programs\n",
		       ~opt_stop ? " of kind " : "", ~opt_stop ? argv_stop : "", nfirst);
	else if (nfirst > 0)
		printf("# first disagreement after %d programs\n", nfirst);
	for (i = 0; i < NR_REASONS; i++)
		if (first_hit[i] >= 0)
			printf("# first %s disagreement: program %d (%d programs in)\n",
			       reason_names[i], first_hit[i], first_hit[i] - start + 1);
	print_summary(generated, accepted, balanced, got);
	printf("fuzz_verifier: seed %llu: %d generated, %d accepted, %d rejected, %d disagreements (%.1f s)\n",
	       (unsigned long long)seed, generated, accepted, generated - accepted, ndis, now() - t0);
	return ndis ? 1 : 0;
}
