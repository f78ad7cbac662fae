// Fast normal and uniform random numbers for the brianmodels LIF simulations.
//
// Generator: xoshiro256++ (Blackman & Vigna 2019; period 2^256 - 1, all 64 output bits of
// full quality), seeded by splitmix64 from a 64-bit seed. Normals: Doornik's (2005) ZIGNOR
// ziggurat with 128 layers, which takes the layer index and the uniform from disjoint bits
// of one 64-bit output (no correlation between them), ~1.2 outputs per normal.
//
// One generator state per process (each standalone run is one single-threaded process).
// The state is (re)seeded whenever the caller passes a seed different from the current one,
// so a run's stream is a pure function of the seed the run was given.
#ifndef BRIANMODELS_BM_RNG_H
#define BRIANMODELS_BM_RNG_H
#include <stdint.h>
#include <math.h>

namespace bm_rng {

static uint64_t state[4];
static int64_t current_seed = -1;
static bool tables_ready = false;
static double zig_x[129];   // layer abscissae x_0 > x_1 = R > ... > x_128 = 0
static double zig_r[128];   // x_{i+1} / x_i
static double zig_f[129];   // f(x_i) = exp(-x_i^2 / 2)

static const double ZIG_R = 3.442619855899;        // start of the tail (Doornik 2005)
static const double ZIG_V = 9.91256303526217e-3;   // area of each layer

static inline uint64_t rotl(const uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t splitmix64(uint64_t &x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t next_u64() {  // xoshiro256++
    const uint64_t result = rotl(state[0] + state[3], 23) + state[0];
    const uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

static void init_tables() {
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    zig_x[0] = ZIG_V / f;
    zig_x[1] = ZIG_R;
    zig_x[128] = 0.0;
    for (int i = 2; i < 128; i++) {
        zig_x[i] = sqrt(-2.0 * log(ZIG_V / zig_x[i - 1] + f));
        f = exp(-0.5 * zig_x[i] * zig_x[i]);
    }
    for (int i = 0; i < 128; i++) zig_r[i] = zig_x[i + 1] / zig_x[i];
    for (int i = 0; i <= 128; i++) zig_f[i] = exp(-0.5 * zig_x[i] * zig_x[i]);
    tables_ready = true;
}

static void seed(int64_t s) {
    uint64_t x = (uint64_t)s ^ 0x5851f42d4c957f2dULL;  // seed 0 is fine too
    for (int k = 0; k < 4; k++) state[k] = splitmix64(x);
    current_seed = s;
    if (!tables_ready) init_tables();
}

static inline void ensure(int64_t s) {
    if (__builtin_expect(s != current_seed, 0)) seed(s);
}

// uniform in (0, 1): 53 random bits, never exactly 0 or 1
static inline double uniform_open() {
    return ((double)(next_u64() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double normal_tail(double dmin, bool negative) {
    double x, y;
    do {
        x = log(uniform_open()) / dmin;
        y = log(uniform_open());
    } while (-2.0 * y < x * x);
    return negative ? x - dmin : dmin - x;
}

static inline double normal() {
    for (;;) {
        const uint64_t bits = next_u64();
        const int i = (int)(bits & 0x7F);                       // layer: low 7 bits
        // uniform in [-1, 1) from the high 53 bits
        const double u = (double)(int64_t)(bits >> 11) * (2.0 / 9007199254740992.0) - 1.0;
        if (fabs(u) < zig_r[i]) return u * zig_x[i];
        if (i == 0) return normal_tail(ZIG_R, u < 0);
        const double x = u * zig_x[i];
        // wedge: accept with probability (f(x) - f(x_i)) / (f(x_{i+1}) - f(x_i)), one exp
        if (zig_f[i] + uniform_open() * (zig_f[i + 1] - zig_f[i]) < exp(-0.5 * x * x)) return x;
    }
}

}  // namespace bm_rng

// Entry points used by the generated Brian2 code (and by the test harness).
static inline double _bm_randn(int64_t seed) { bm_rng::ensure(seed); return bm_rng::normal(); }
static inline double _bm_rand(int64_t seed) { bm_rng::ensure(seed); return bm_rng::uniform_open(); }

#endif
