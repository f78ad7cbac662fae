// Synaptic propagation for the brianmodels LIF networks: compressed connectivity, no
// per-synapse Brian2 objects.
//
// Brian2's Synapses keep ~5 integers per synapse (source, target, synapse indices, spike-queue
// entries) and create every synapse one by one at start-up: ~42 bytes per synapse and minutes
// for 2e8 synapses. Here a pathway X <- Y is stored by source (CSR): offsets (int64, one per
// source neuron + 1) and target indices (int32, 4 bytes per synapse), plus a delay in steps
// (uint16) only for pathways with delays. The file is memory-mapped read-only, so parallel
// runs of the same connectivity share one copy in the page cache.
//
// Once per step, at Brian2's 'synapses' slot (after the threshold, before the reset), every
// spike of the step is sent along its rows: a delta synapse moves v by +-j (Eq 10), an
// exponential one adds a = j (1 - e^{-dt/tau_s}) to the current x (Eq 11); after the warm-up
// the balance-factor accumulators sE / sI also get j. Without delay this is what Brian2's
// on_pre code does, in the same order (spikes in index order, E pathways first, a source's
// targets in the order Brian2 would hold them), so the result is bit-identical. With delays,
// arrivals are counted in a ring of (max delay + 1) slots x N targets and applied at their
// step (count x weight).
//
// Per-synapse weights (issue 3, optional per pathway): a pathway with has_weights carries one
// weight w_e per synapse (mV, magnitude, in the order of its targets) that replaces the
// per-target j: a delta synapse moves v by +-w_e, an exponential one adds w_e (1 - ds[t]) to x
// (ds = e^{-dt/tau_s} of the target, Eq 11: area w_e), sE / sI get w_e. With delays such a
// pathway sums weights (not counts) in a double ring. The choice is made once per pathway, so
// the homogeneous loops are the same as without this feature.
//
// File format (little endian; written by brianmodels/lif/engine.py):
//   "BMSYN002", int64 n_pathways, then per pathway
//   int32 target_pop, source_pop, kind (0 delta, 1 exp), has_delay,
//   int32 src_off, n_src, tgt_off, n_tgt, max_delay, has_weights, int64 n_syn,
//   int64 offsets[n_src + 1], int32 targets[n_syn] (group indices), [uint16 delays[n_syn]],
//   padded to 8 bytes, [float64 weights[n_syn]].
#ifndef BRIANMODELS_BM_SYN_H
#define BRIANMODELS_BM_SYN_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace bm_syn {

struct Pathway {
    int32_t target_pop, source_pop, kind, has_delay;
    int32_t src_off, n_src, tgt_off, n_tgt, max_delay, has_weights;
    int64_t n_syn;
    const int64_t* offsets;
    const int32_t* targets;
    const uint16_t* delays;
    const double* weights;   // per-synapse weights (mV) or null
    size_t ring_off;         // start of this pathway's ring in `ring` or `wring` (delayed)
};

// The neuron group's arrays the propagation writes or reads (null where the model has none).
struct Group {
    int32_t n;               // neurons in the group
    const int32_t* spikes;   // spikespace: indices of this step's spikes, count at [n]
    double* v;
    double* xE; double* xI;  // exponential currents (null without exp pathways from E / I)
    const double* wE; const double* wI;   // j onto each neuron from E / I (mV, magnitudes)
    const double* aE; const double* aI;   // j (1 - e^{-dt/tau_s}) for exp pathways
    const double* dsE; const double* dsI; // e^{-dt/tau_s} for exp pathways (weighted ones)
    double* sE; double* sI;  // recurrent input since the warm-up (mV)
};

static std::vector<Pathway> paths;
static bool loaded = false;
static std::vector<uint32_t> ring;   // delayed pathway p: ring[p.ring_off + slot * n_tgt + t]
static std::vector<double> wring;    // the same for delayed pathways with weights (weight sums)
static int32_t ring_slots = 0;
static int64_t step = 0;

static void fail(const char* what, const char* file) {
    fprintf(stderr, "Error: brianmodels synapses: %s (%s)\n", what, file);
    exit(1);
}

static void load(const char* file, int32_t n) {
    const int fd = open(file, O_RDONLY);
    if (fd < 0) fail("cannot open the connectivity file", file);
    struct stat st;
    if (fstat(fd, &st) != 0) fail("cannot stat the connectivity file", file);
    const size_t size = (size_t)st.st_size;
    void* map = size ? mmap(0, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    close(fd);
    if (map == MAP_FAILED) fail("cannot map the connectivity file", file);
    const char* base = (const char*)map;
    if (size < 16 || memcmp(base, "BMSYN002", 8) != 0) fail("not a connectivity file", file);
    int64_t np_;
    memcpy(&np_, base + 8, 8);
    size_t off = 16;
    int32_t max_delay = 0;
    for (int64_t k = 0; k < np_; k++) {
        Pathway p;
        if (off + 48 > size) fail("truncated header", file);
        memcpy(&p.target_pop, base + off, 40);
        memcpy(&p.n_syn, base + off + 40, 8);
        off += 48;
        p.offsets = (const int64_t*)(base + off);
        off += 8 * ((size_t)p.n_src + 1);
        p.targets = (const int32_t*)(base + off);
        off += 4 * (size_t)p.n_syn;
        p.delays = 0;
        if (p.has_delay) {
            p.delays = (const uint16_t*)(base + off);
            off += 2 * (size_t)p.n_syn;
        }
        off = (off + 7) & ~(size_t)7;
        p.weights = 0;
        if (p.has_weights) {
            p.weights = (const double*)(base + off);
            off += 8 * (size_t)p.n_syn;
        }
        if (off > size) fail("truncated arrays", file);
        if (p.tgt_off < 0 || p.tgt_off + p.n_tgt > n || p.src_off < 0 || p.src_off + p.n_src > n)
            fail("pathway does not fit the neuron group", file);
        if (p.max_delay > max_delay) max_delay = p.max_delay;
        paths.push_back(p);
    }
    ring_slots = max_delay + 1;
    size_t total = 0, wtotal = 0;
    for (size_t k = 0; k < paths.size(); k++) {
        Pathway& p = paths[k];
        if (!p.has_delay) continue;
        size_t& t = p.has_weights ? wtotal : total;
        p.ring_off = t;
        t += (size_t)ring_slots * p.n_tgt;
    }
    ring.assign(total, 0u);
    wring.assign(wtotal, 0.0);
    loaded = true;
}

// Calls f(e) for every synapse e that this step's spikes activate on pathway p: spikes in
// index order, each source's row in target order (Brian2's order of on_pre additions).
template <typename F>
static inline void for_each_event(const Pathway& p, const Group& g, F f) {
    const int32_t nspk = g.spikes[g.n];
    for (int32_t q = 0; q < nspk; q++) {
        const int32_t src = g.spikes[q] - p.src_off;
        if (src < 0 || src >= p.n_src) continue;
        const int64_t e1 = p.offsets[src + 1];
        for (int64_t e = p.offsets[src]; e < e1; e++) f(e);
    }
}

// What one homogeneous arrival does on pathway p: x[t] += sign * a[t] (delta: x = v, a = j,
// sign -1 from I, Eq 10; exp: x = the current, a = j (1 - e^{-dt/tau_s}), Eq 11), and after the
// warm-up s[t] += w[t] (the balance-factor accumulator of the source, j).
struct Effect {
    double* x;
    const double* a;
    double sign;
    const double* w;
    double* s;
};

static inline Effect effect(const Pathway& p, const Group& g) {
    const bool from_E = p.source_pop == 0;
    Effect f;
    f.w = from_E ? g.wE : g.wI;
    f.s = from_E ? g.sE : g.sI;
    f.x = p.kind == 0 ? g.v : (from_E ? g.xE : g.xI);
    f.a = p.kind == 0 ? f.w : (from_E ? g.aE : g.aI);
    f.sign = (p.kind == 0 && !from_E) ? -1.0 : 1.0;
    return f;
}

// Per-synapse weight factor of an exponential pathway: x += w_e (1 - ds[t]) (area w_e).
static inline const double* exp_decay(const Pathway& p, const Group& g) {
    return p.source_pop == 0 ? g.dsE : g.dsI;
}

// Send this step's spikes along pathway p: at once without delay (synapse by synapse, as
// Brian2's on_pre), else into its ring slot (step + d) mod slots (counts, or weight sums).
static void send(const Pathway& p, const Group& g, int32_t slot, bool after_warm) {
    const Effect f = effect(p, g);
    if (p.has_delay && p.has_weights) {
        double* base = wring.data() + p.ring_off - p.tgt_off;
        for_each_event(p, g, [&](int64_t e) {
            const int32_t sl = (int32_t)((slot + p.delays[e]) % ring_slots);
            base[(size_t)sl * p.n_tgt + p.targets[e]] += p.weights[e];
        });
    } else if (p.has_delay) {
        uint32_t* base = ring.data() + p.ring_off - p.tgt_off;
        for_each_event(p, g, [&](int64_t e) {
            const int32_t sl = (int32_t)((slot + p.delays[e]) % ring_slots);
            base[(size_t)sl * p.n_tgt + p.targets[e]]++;
        });
    } else if (p.has_weights) {  // w_e in place of the target's j
        const double* we = p.weights;
        if (p.kind == 0) {
            for_each_event(p, g, [&](int64_t e) {
                const int32_t t = p.targets[e];
                if (f.sign > 0) f.x[t] += we[e]; else f.x[t] -= we[e];
                if (after_warm) f.s[t] += we[e];
            });
        } else {
            const double* ds = exp_decay(p, g);
            for_each_event(p, g, [&](int64_t e) {
                const int32_t t = p.targets[e];
                f.x[t] += we[e] * (1.0 - ds[t]);
                if (after_warm) f.s[t] += we[e];
            });
        }
    } else if (after_warm) {
        for_each_event(p, g, [&](int64_t e) {
            const int32_t t = p.targets[e];
            if (f.sign > 0) f.x[t] += f.a[t]; else f.x[t] -= f.a[t];
            f.s[t] += f.w[t];
        });
    } else {
        for_each_event(p, g, [&](int64_t e) {
            const int32_t t = p.targets[e];
            if (f.sign > 0) f.x[t] += f.a[t]; else f.x[t] -= f.a[t];
        });
    }
}

// Deliver what arrives now on a delayed pathway, branch-free over its targets (vectorises;
// an empty slot adds nothing), and clear the slot.
static void deliver(const Pathway& p, const Group& g, int32_t slot, bool after_warm) {
    const Effect f = effect(p, g);
    double* xt = f.x + p.tgt_off;
    double* st = f.s + p.tgt_off;
    const int32_t n = p.n_tgt;
    if (p.has_weights) {
        double* sum = wring.data() + p.ring_off + (size_t)slot * n;
        if (p.kind == 0) {
            for (int32_t u = 0; u < n; u++) xt[u] += f.sign * sum[u];
        } else {
            const double* dst = exp_decay(p, g) + p.tgt_off;
            for (int32_t u = 0; u < n; u++) xt[u] += sum[u] * (1.0 - dst[u]);
        }
        if (after_warm)
            for (int32_t u = 0; u < n; u++) st[u] += sum[u];
        memset(sum, 0, sizeof(double) * (size_t)n);
    } else {
        uint32_t* cnt = ring.data() + p.ring_off + (size_t)slot * n;
        const double* at = f.a + p.tgt_off;
        for (int32_t u = 0; u < n; u++) xt[u] += f.sign * (double)cnt[u] * at[u];
        if (after_warm) {
            const double* wt = f.w + p.tgt_off;
            for (int32_t u = 0; u < n; u++) st[u] += (double)cnt[u] * wt[u];
        }
        memset(cnt, 0, sizeof(uint32_t) * (size_t)n);
    }
}

// One step: send this step's spikes, then deliver what arrives now.
static void propagate(const Group& g, bool after_warm) {
    const int32_t slot = (int32_t)(step % ring_slots);
    for (size_t k = 0; k < paths.size(); k++) send(paths[k], g, slot, after_warm);
    if (ring_slots > 1)
        for (size_t k = 0; k < paths.size(); k++)
            if (paths[k].has_delay) deliver(paths[k], g, slot, after_warm);
    step++;
}

}  // namespace bm_syn

#endif
