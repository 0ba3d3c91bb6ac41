/* gpgme_timer.so: how much of a process's time goes to GPGME (and the gpg
 * processes it waits for), without touching clerk's code. Preloaded, it
 * stands in front of the GPGME calls that start gpg or talk to the agent,
 * adds up the wall time spent inside them (outermost calls only), and at
 * exit writes one line per function plus the totals to $GPGME_TIMER_OUT
 * (appended) or stderr. It also reports the process's own peak RSS
 * (VmHWM), which /usr/bin/time cannot tell apart from its children's.
 * Used by bench/bench_intake.sh; not part of make check. Build:
 *
 *   gcc -std=c11 -O2 -shared -fPIC -o gpgme_timer.so bench/gpgme_timer.c \
 *       $(pkg-config --cflags gpgme) -ldl
 *   LD_PRELOAD=./gpgme_timer.so GPGME_TIMER_OUT=t.txt clerkd --once ...
 *
 * Forked children that _exit (the MIME parser, GPGME's exec of gpg) write
 * nothing: only the process that exits normally reports. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gpgme.h>

enum {
	F_CHECK_VERSION, F_ENGINE_CHECK, F_NEW, F_RELEASE, F_SET_ENGINE, F_VERIFY,
	F_DECRYPT_VERIFY, F_SIGN, F_ENCRYPT, F_ENCRYPT_SIGN, F_IMPORT, F_KEYLIST_START,
	F_KEYLIST_DATA, F_KEYLIST_NEXT, F_KEYLIST_END, F_GET_KEY, F_SPAWN, F_DIRINFO,
	F_COUNT
};

static const char *const names[F_COUNT] = {
	"check_version", "engine_check_version", "new", "release", "ctx_set_engine_info",
	"op_verify", "op_decrypt_verify", "op_sign", "op_encrypt", "op_encrypt_sign",
	"op_import", "op_keylist_start", "op_keylist_from_data_start", "op_keylist_next",
	"op_keylist_end", "get_key", "op_spawn", "get_dirinfo",
};

static double spent[F_COUNT];
static unsigned long calls[F_COUNT];
static int depth;
static double started;
static pid_t owner;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
real_fn(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (p == NULL) {
		fprintf(stderr, "gpgme_timer: %s not found: %s\n", name, dlerror());
		abort();
	}
	return p;
}

/* Outermost calls only: GPGME calling itself through its own exports must
 * not count twice. */
static double
enter(void)
{
	return depth++ == 0 ? now() : -1.0;
}

static void
leave(int f, double t0)
{
	depth--;
	if (t0 >= 0) {
		spent[f] += now() - t0;
		calls[f]++;
	}
}

#define WRAP(f, ret, name, params, args)					\
ret name params;								\
ret										\
name params									\
{										\
	static ret (*real) params;						\
	double t0;								\
	ret r;									\
										\
	if (real == NULL)							\
		real = (ret (*) params)real_fn(#name);				\
	t0 = enter();								\
	r = real args;								\
	leave(f, t0);								\
	return r;								\
}

WRAP(F_CHECK_VERSION, const char *, gpgme_check_version_internal,
    (const char *req, size_t off), (req, off))
WRAP(F_ENGINE_CHECK, gpgme_error_t, gpgme_engine_check_version, (gpgme_protocol_t p), (p))
WRAP(F_NEW, gpgme_error_t, gpgme_new, (gpgme_ctx_t *ctx), (ctx))
WRAP(F_SET_ENGINE, gpgme_error_t, gpgme_ctx_set_engine_info,
    (gpgme_ctx_t ctx, gpgme_protocol_t p, const char *file, const char *home),
    (ctx, p, file, home))
WRAP(F_VERIFY, gpgme_error_t, gpgme_op_verify,
    (gpgme_ctx_t ctx, gpgme_data_t sig, gpgme_data_t text, gpgme_data_t plain),
    (ctx, sig, text, plain))
WRAP(F_DECRYPT_VERIFY, gpgme_error_t, gpgme_op_decrypt_verify,
    (gpgme_ctx_t ctx, gpgme_data_t cipher, gpgme_data_t plain), (ctx, cipher, plain))
WRAP(F_SIGN, gpgme_error_t, gpgme_op_sign,
    (gpgme_ctx_t ctx, gpgme_data_t plain, gpgme_data_t sig, gpgme_sig_mode_t mode),
    (ctx, plain, sig, mode))
WRAP(F_ENCRYPT, gpgme_error_t, gpgme_op_encrypt,
    (gpgme_ctx_t ctx, gpgme_key_t recp[], gpgme_encrypt_flags_t flags, gpgme_data_t plain,
    gpgme_data_t cipher), (ctx, recp, flags, plain, cipher))
WRAP(F_ENCRYPT_SIGN, gpgme_error_t, gpgme_op_encrypt_sign,
    (gpgme_ctx_t ctx, gpgme_key_t recp[], gpgme_encrypt_flags_t flags, gpgme_data_t plain,
    gpgme_data_t cipher), (ctx, recp, flags, plain, cipher))
WRAP(F_IMPORT, gpgme_error_t, gpgme_op_import, (gpgme_ctx_t ctx, gpgme_data_t keys),
    (ctx, keys))
WRAP(F_KEYLIST_START, gpgme_error_t, gpgme_op_keylist_start,
    (gpgme_ctx_t ctx, const char *pattern, int secret_only), (ctx, pattern, secret_only))
WRAP(F_KEYLIST_DATA, gpgme_error_t, gpgme_op_keylist_from_data_start,
    (gpgme_ctx_t ctx, gpgme_data_t data, int reserved), (ctx, data, reserved))
WRAP(F_KEYLIST_NEXT, gpgme_error_t, gpgme_op_keylist_next,
    (gpgme_ctx_t ctx, gpgme_key_t *key), (ctx, key))
WRAP(F_KEYLIST_END, gpgme_error_t, gpgme_op_keylist_end, (gpgme_ctx_t ctx), (ctx))
WRAP(F_GET_KEY, gpgme_error_t, gpgme_get_key,
    (gpgme_ctx_t ctx, const char *fpr, gpgme_key_t *key, int secret), (ctx, fpr, key, secret))
WRAP(F_SPAWN, gpgme_error_t, gpgme_op_spawn,
    (gpgme_ctx_t ctx, const char *file, const char *argv[], gpgme_data_t in,
    gpgme_data_t out, gpgme_data_t err, unsigned int flags),
    (ctx, file, argv, in, out, err, flags))
WRAP(F_DIRINFO, const char *, gpgme_get_dirinfo, (const char *what), (what))

void gpgme_release(gpgme_ctx_t ctx);
void
gpgme_release(gpgme_ctx_t ctx)
{
	static void (*real)(gpgme_ctx_t);
	double t0;

	if (real == NULL)
		real = (void (*)(gpgme_ctx_t))real_fn("gpgme_release");
	t0 = enter();
	real(ctx);
	leave(F_RELEASE, t0);
}

/* The process's own peak resident set, in kB, or -1. */
static long
vm_hwm_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

__attribute__((constructor)) static void
timer_start(void)
{
	started = now();
	owner = getpid();
}

__attribute__((destructor)) static void
timer_report(void)
{
	const char *path = getenv("GPGME_TIMER_OUT");
	double total = 0;
	unsigned long n = 0;
	FILE *f = stderr;

	if (getpid() != owner)
		return;
	if (path != NULL && path[0] != '\0' && (f = fopen(path, "a")) == NULL)
		f = stderr;
	for (int i = 0; i < F_COUNT; i++) {
		total += spent[i];
		n += calls[i];
		if (calls[i] > 0)
			fprintf(f, "gpgme_timer pid=%ld fn=%s calls=%lu ms=%.1f\n", (long)owner,
			    names[i], calls[i], spent[i] * 1e3);
	}
	fprintf(f, "gpgme_timer pid=%ld total calls=%lu gpgme_ms=%.1f process_ms=%.1f "
	    "vmhwm_kb=%ld\n", (long)owner, n, total * 1e3, (now() - started) * 1e3,
	    vm_hwm_kb());
	if (f != stderr)
		fclose(f);
}
