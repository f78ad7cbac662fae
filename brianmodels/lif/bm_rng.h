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
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

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

// ---- block generation: all normals of one time step at once (vectorisable fast path) ----
// LANES (8) xoshiro256++ streams, each 2^192 draws from the next (long jumps from the seed's
// state), stepped in lock-step as one SIMD vector (GCC/Clang vector extension). The ziggurat
// fast path (98.8% of draws) runs branch-free over the block; the rest finish the SAME draw
// (same layer i and u: tail or wedge test, then restart from scratch as in the scalar
// ziggurat), so every number is exactly N(0, 1).
static const int LANES = 8;
static uint64_t lane[4][LANES];
static int64_t lane_seed = -1;
static double* block = 0;
static uint64_t* block_bits = 0;
static int64_t block_cap = 0;      // capacity of block_bits
static int64_t block_out_cap = 0;  // capacity of block (n + LANES doubles: whole vectors)

static void ensure_block(int64_t n) {
    if (n > block_out_cap) {
        delete[] block;
        block = new double[n + LANES];
        block_out_cap = n;
    }
}

static void long_jump(uint64_t s[4]) {  // xoshiro256 long jump: 2^192 steps
    static const uint64_t LJ[] = {0x76e15d3efefdcbbfULL, 0xc5004e441c522fb3ULL,
                                  0x77710069854ee241ULL, 0x39109bb02acbe635ULL};
    uint64_t t[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 64; b++) {
            if (LJ[k] & (1ULL << b))
                for (int w = 0; w < 4; w++) t[w] ^= s[w];
            const uint64_t r = rotl(s[0] + s[3], 23) + s[0];  // step (output unused)
            (void)r;
            const uint64_t u = s[1] << 17;
            s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= u;
            s[3] = rotl(s[3], 45);
        }
    for (int w = 0; w < 4; w++) s[w] = t[w];
}

static void seed_lanes(int64_t sd) {
    uint64_t x = (uint64_t)sd ^ 0x2545f4914f6cdd1dULL;  // differs from the scalar stream's
    uint64_t s[4];
    for (int k = 0; k < 4; k++) s[k] = splitmix64(x);
    for (int l = 0; l < LANES; l++) {
        for (int w = 0; w < 4; w++) lane[w][l] = s[w];
        long_jump(s);
    }
    lane_seed = sd;
    if (!tables_ready) init_tables();
    if (current_seed != sd) seed(sd);  // scalar stream for the slow path
}

typedef uint64_t u64v __attribute__((vector_size(8 * LANES)));  // GCC/Clang vector extension

static inline void next_block(uint64_t* out, int64_t n) {
    u64v s0, s1, s2, s3;
    __builtin_memcpy(&s0, lane[0], sizeof(u64v));
    __builtin_memcpy(&s1, lane[1], sizeof(u64v));
    __builtin_memcpy(&s2, lane[2], sizeof(u64v));
    __builtin_memcpy(&s3, lane[3], sizeof(u64v));
    for (int64_t k = 0; k < n; k += LANES) {
        const u64v a = s0 + s3;
        const u64v r = ((a << 23) | (a >> 41)) + s0;   // rotl(s0 + s3, 23) + s0
        __builtin_memcpy(out + k, &r, sizeof(u64v));
        const u64v t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = (s3 << 45) | (s3 >> 19);
    }
    __builtin_memcpy(lane[0], &s0, sizeof(u64v));
    __builtin_memcpy(lane[1], &s1, sizeof(u64v));
    __builtin_memcpy(lane[2], &s2, sizeof(u64v));
    __builtin_memcpy(lane[3], &s3, sizeof(u64v));
}

// finish a draw that left the fast path: same layer i and u as the scalar ziggurat
static double finish(int i, double u) {
    if (i == 0) return normal_tail(ZIG_R, u < 0);
    const double x = u * zig_x[i];
    if (zig_f[i] + uniform_open() * (zig_f[i + 1] - zig_f[i]) < exp(-0.5 * x * x)) return x;
    return normal();
}

#if defined(__AVX512F__)
// AVX-512: the eight lanes are one zmm register; the layer tables are read with gathers and a
// rejected lane is finished at once (1.2% of draws), so there is no second pass.
static void fill_normals(double* out, int64_t n) {
    __m512i s0 = _mm512_loadu_si512((const void*)lane[0]);
    __m512i s1 = _mm512_loadu_si512((const void*)lane[1]);
    __m512i s2 = _mm512_loadu_si512((const void*)lane[2]);
    __m512i s3 = _mm512_loadu_si512((const void*)lane[3]);
    const __m512i m7 = _mm512_set1_epi64(0x7F);
    const __m512i one = _mm512_set1_epi64(0x3FF0000000000000LL);
    const __m512d two = _mm512_set1_pd(2.0), three = _mm512_set1_pd(3.0);
    for (int64_t k = 0; k < n; k += LANES) {
        const __m512i r = _mm512_add_epi64(_mm512_rol_epi64(_mm512_add_epi64(s0, s3), 23), s0);
        const __m512i t = _mm512_slli_epi64(s1, 17);
        s2 = _mm512_xor_si512(s2, s0); s3 = _mm512_xor_si512(s3, s1);
        s1 = _mm512_xor_si512(s1, s2); s0 = _mm512_xor_si512(s0, s3);
        s2 = _mm512_xor_si512(s2, t); s3 = _mm512_rol_epi64(s3, 45);
        const __m512i idx = _mm512_and_si512(r, m7);                     // layer: low 7 bits
        const __m512d u = _mm512_fmsub_pd(two, _mm512_castsi512_pd(      // [-1, 1) from the
            _mm512_or_si512(_mm512_srli_epi64(r, 12), one)), three);     // 52 high bits
        _mm512_storeu_pd(out + k, _mm512_mul_pd(u, _mm512_i64gather_pd(idx, zig_x, 8)));
        __mmask8 m = _mm512_cmp_pd_mask(_mm512_abs_pd(u), _mm512_i64gather_pd(idx, zig_r, 8),
                                        _CMP_GE_OQ);
        if (__builtin_expect(m != 0, 0)) {
            alignas(64) double ub[LANES];
            alignas(64) int64_t ib[LANES];
            _mm512_store_pd(ub, u);
            _mm512_store_si512((void*)ib, idx);
            while (m) {
                const int l = __builtin_ctz(m);
                m &= m - 1;
                if (k + l < n) out[k + l] = finish((int)ib[l], ub[l]);
            }
        }
    }
    _mm512_storeu_si512((void*)lane[0], s0);
    _mm512_storeu_si512((void*)lane[1], s1);
    _mm512_storeu_si512((void*)lane[2], s2);
    _mm512_storeu_si512((void*)lane[3], s3);
}
#else
// Portable: generate the block's bits, then a branch-free fast path; a second pass finishes
// the rejected draws (the same numbers as the AVX-512 path).
static void fill_normals(double* out, int64_t n) {
    const int64_t m = (n + LANES - 1) / LANES * LANES;
    if (m > block_cap) {
        delete[] block_bits;
        block_bits = new uint64_t[m];
        block_cap = m;
    }
    uint64_t* bits = block_bits;
    next_block(bits, m);
    int64_t nrej = 0;
    for (int64_t k = 0; k < n; k++) {
        const uint64_t b = bits[k];
        const int i = (int)(b & 0x7F);                                  // layer: low 7 bits
        union { uint64_t u; double d; } c;
        c.u = (b >> 12) | 0x3FF0000000000000ULL;                        // [1, 2) from 52 high bits
        const double u = 2.0 * c.d - 3.0;                               // [-1, 1)
        out[k] = u * zig_x[i];
        nrej += fabs(u) >= zig_r[i];
    }
    if (nrej) {
        for (int64_t k = 0; k < n; k++) {
            const uint64_t b = bits[k];
            const int i = (int)(b & 0x7F);
            union { uint64_t u; double d; } c;
            c.u = (b >> 12) | 0x3FF0000000000000ULL;
            const double u = 2.0 * c.d - 3.0;
            if (fabs(u) >= zig_r[i]) out[k] = finish(i, u);
        }
    }
}

#endif

}  // namespace bm_rng

// Entry points used by the generated Brian2 code (and by the test harness).
static inline double _bm_randn(int64_t seed) { bm_rng::ensure(seed); return bm_rng::normal(); }
static inline double _bm_rand(int64_t seed) { bm_rng::ensure(seed); return bm_rng::uniform_open(); }

// Per-step block interface used by the generated state update: the scalar (once per step)
// statement calls _bm_fill_normals(seed, n); the vector code reads _bm_normal(idx) with the
// neuron's loop index (Brian2 appends _vectorisation_idx), a plain array read the compiler can
// vectorise with the rest of the update.
static inline double _bm_fill_normals(int64_t seed, int64_t n) {
    if (seed != bm_rng::lane_seed) bm_rng::seed_lanes(seed);
    bm_rng::ensure_block(n);
    bm_rng::fill_normals(bm_rng::block, n);
    return 0.0;
}
static inline double _bm_normal(int64_t idx) { return bm_rng::block[idx]; }

#endif
