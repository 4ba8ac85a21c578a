/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * Scalar reference kernels of the mixer, the RFC 6464/6465 level and the
 * start-up dispatch to them or to their AVX2 twins (mix.h). The scalar
 * code is the definition: plain C with 64-bit intermediates, one
 * saturation at the end. The compiler may vectorize it for the baseline
 * ISA; that never changes its results.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mixer/mix.h"

struct mix_ops {
	const char *name;
	void (*acc_clear)(int32_t *acc, unsigned int n);
	void (*acc_add)(int32_t *acc, const int16_t *in, unsigned int n);
	void (*out)(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12,
		    unsigned int n);
	void (*gain)(int16_t *io, uint16_t gain_q12, unsigned int n);
	uint64_t (*energy)(const int16_t *in, unsigned int n);
};

static const struct mix_ops mix_ops_scalar = {
	.name = "scalar",
	.acc_clear = mix_acc_clear_scalar,
	.acc_add = mix_acc_add_scalar,
	.out = mix_out_scalar,
	.gain = mix_gain_scalar,
	.energy = mix_energy_scalar,
};

#ifdef MIX_HAVE_AVX2
static const struct mix_ops mix_ops_avx2 = {
	.name = "avx2",
	.acc_clear = mix_acc_clear_avx2,
	.acc_add = mix_acc_add_avx2,
	.out = mix_out_avx2,
	.gain = mix_gain_avx2,
	.energy = mix_energy_avx2,
};
#endif

/* Written at start-up only (mix_init, mix_use), read by the workers. */
static const struct mix_ops *mix_ops = &mix_ops_scalar;

static inline int16_t
sat16(int64_t v)
{
	if (v > INT16_MAX)
		return INT16_MAX;
	if (v < INT16_MIN)
		return INT16_MIN;
	return (int16_t)v;
}

void
mix_acc_clear_scalar(int32_t *acc, unsigned int n)
{
	memset(acc, 0, (size_t)n * sizeof(*acc));
}

void
mix_acc_add_scalar(int32_t *acc, const int16_t *in, unsigned int n)
{
	unsigned int i;

	/* unsigned: wraps modulo 2^32 like the SIMD add, never UB */
	for (i = 0; i < n; i++)
		acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)(int32_t)in[i]);
}

/* GCC's >> of a negative signed value is arithmetic (floor), as documented. */
void
mix_out_scalar(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12,
	       unsigned int n)
{
	int64_t g = gain_q12;
	unsigned int i;

	if (own == NULL) {
		for (i = 0; i < n; i++)
			out[i] = sat16(((int64_t)acc[i] * g) >> 12);
	} else {
		for (i = 0; i < n; i++)
			out[i] = sat16((((int64_t)acc[i] - own[i]) * g) >> 12);
	}
}

void
mix_gain_scalar(int16_t *io, uint16_t gain_q12, unsigned int n)
{
	int64_t g = gain_q12;
	unsigned int i;

	for (i = 0; i < n; i++)
		io[i] = sat16(((int64_t)io[i] * g) >> 12);
}

uint64_t
mix_energy_scalar(const int16_t *in, unsigned int n)
{
	uint64_t e = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		e += (uint64_t)((int32_t)in[i] * in[i]);
	return e;
}

/*
 * level_thr[k] = 10^(-(k + 0.5) / 10): the mean square, relative to
 * 32767^2, at which the level (RFC 6464 3, -dBov) turns from k + 1 to k.
 * Printed from Python's 10 ** x with 17 significant digits, which
 * round-trip the double; tests/unit/dataplane/test_mix.c checks the
 * result against libm's log10.
 */
static const double level_thr[MIX_LEVEL_SILENCE] = {
	0.89125093813374556,	0.70794578438413791,	0.56234132519034907,
	0.44668359215096315,	0.35481338923357547,	0.28183829312644537,
	0.22387211385683395,	0.17782794100389229,	0.14125375446227545,
	0.11220184543019636,	0.089125093813374551,	0.070794578438413802,
	0.056234132519034911,	0.0446683592150963,	0.035481338923357551,
	0.028183829312644536,	0.022387211385683399,	0.017782794100389229,
	0.01412537544622754,	0.011220184543019636,	0.0089125093813374589,
	0.0070794578438413804,	0.005623413251903491,	0.0044668359215096305,
	0.0035481338923357532,	0.0028183829312644548,	0.0022387211385683399,
	0.0017782794100389228,	0.001412537544622754,	0.001122018454301963,
	0.00089125093813374593, 0.00070794578438413802, 0.0005623413251903491,
	0.00044668359215096305, 0.00035481338923357532, 0.0002818382931264455,
	0.000223872113856834,	0.00017782794100389227, 0.00014125375446227541,
	0.0001122018454301963,	8.9125093813374588e-05, 7.0794578438413731e-05,
	5.6234132519034907e-05, 4.4668359215096348e-05, 3.5481338923357534e-05,
	2.8183829312644549e-05, 2.2387211385683379e-05, 1.7782794100389229e-05,
	1.4125375446227555e-05, 1.122018454301963e-05,	8.9125093813374595e-06,
	7.0794578438413733e-06, 5.6234132519034912e-06, 4.4668359215096347e-06,
	3.5481338923357529e-06, 2.8183829312644551e-06, 2.2387211385683376e-06,
	1.7782794100389229e-06, 1.4125375446227554e-06, 1.1220184543019631e-06,
	8.9125093813374592e-07, 7.0794578438413737e-07, 5.6234132519034904e-07,
	4.4668359215096349e-07, 3.5481338923357531e-07, 2.8183829312644549e-07,
	2.2387211385683377e-07, 1.7782794100389227e-07, 1.4125375446227555e-07,
	1.122018454301963e-07,	8.912509381337459e-08,	7.0794578438413729e-08,
	5.6234132519034905e-08, 4.4668359215096346e-08, 3.5481338923357531e-08,
	2.818382931264455e-08,	2.2387211385683378e-08, 1.7782794100389228e-08,
	1.4125375446227554e-08, 1.122018454301963e-08,	8.9125093813374414e-09,
	7.0794578438413736e-09, 5.623413251903491e-09,	4.4668359215096351e-09,
	3.5481338923357603e-09, 2.8183829312644493e-09, 2.2387211385683377e-09,
	1.7782794100389228e-09, 1.4125375446227555e-09, 1.1220184543019653e-09,
	8.912509381337441e-10,	7.0794578438413732e-10, 5.623413251903491e-10,
	4.4668359215096347e-10, 3.5481338923357605e-10, 2.8183829312644494e-10,
	2.2387211385683377e-10, 1.7782794100389229e-10, 1.4125375446227556e-10,
	1.1220184543019652e-10, 8.912509381337441e-11,	7.0794578438413739e-11,
	5.6234132519034906e-11, 4.4668359215096346e-11, 3.5481338923357607e-11,
	2.8183829312644493e-11, 2.2387211385683377e-11, 1.7782794100389227e-11,
	1.4125375446227554e-11, 1.1220184543019653e-11, 8.912509381337441e-12,
	7.0794578438413731e-12, 5.6234132519034904e-12, 4.4668359215096347e-12,
	3.5481338923357604e-12, 2.8183829312644492e-12, 2.2387211385683379e-12,
	1.7782794100389228e-12, 1.4125375446227555e-12, 1.1220184543019652e-12,
	8.9125093813374404e-13, 7.0794578438413737e-13, 5.6234132519034904e-13,
	4.4668359215096347e-13, 3.5481338923357605e-13, 2.8183829312644492e-13,
	2.2387211385683378e-13,
};

uint8_t
mix_level_dbov(uint64_t energy, unsigned int n)
{
	unsigned int lo = 0, hi = MIX_LEVEL_SILENCE;
	double r;

	if (energy == 0 || n == 0)
		return MIX_LEVEL_SILENCE;
	r = (double)energy / ((double)n * (32767.0 * 32767.0));
	/* the smallest k with r >= level_thr[k]; 127 if there is none */
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (r >= level_thr[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint8_t)lo;
}

void
mix_acc_clear(int32_t *acc, unsigned int n)
{
	mix_ops->acc_clear(acc, n);
}

void
mix_acc_add(int32_t *acc, const int16_t *in, unsigned int n)
{
	mix_ops->acc_add(acc, in, n);
}

void
mix_out(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12, unsigned int n)
{
	mix_ops->out(out, acc, own, gain_q12, n);
}

void
mix_gain(int16_t *io, uint16_t gain_q12, unsigned int n)
{
	mix_ops->gain(io, gain_q12, n);
}

uint64_t
mix_energy(const int16_t *in, unsigned int n)
{
	return mix_ops->energy(in, n);
}

#ifdef MIX_HAVE_AVX2
/* AVX2 usable: the CPU has it and the OS saves the YMM state (libgcc checks XCR0). */
static bool
mix_cpu_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#endif

int
mix_use(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	if (strcmp(name, "scalar") == 0) {
		mix_ops = &mix_ops_scalar;
		return 0;
	}
	if (strcmp(name, "avx2") == 0) {
#ifdef MIX_HAVE_AVX2
		if (mix_cpu_avx2()) {
			mix_ops = &mix_ops_avx2;
			return 0;
		}
#endif
		return -ENOTSUP;
	}
	return -EINVAL;
}

void
mix_init(void)
{
	if (mix_use("avx2") < 0)
		mix_use("scalar");
}

const char *
mix_impl_name(void)
{
	return mix_ops->name;
}
