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

// This step's spikes along an undelayed pathway with per-synapse weights (same order of
// additions as the homogeneous loop, w_e in place of the target's j).
static void send_weighted(const Pathway& p, const Group& g, bool from_E, double* s,
                          bool after_warm) {
    const int32_t nspk = g.spikes[g.n];
    const double* we = p.weights;
    if (p.kind == 0) {  // delta (Eq 10): v +- w_e
        double* v = g.v;
        const bool exc = from_E;
        for (int32_t q = 0; q < nspk; q++) {
            const int32_t src = g.spikes[q] - p.src_off;
            if (src < 0 || src >= p.n_src) continue;
            const int64_t e1 = p.offsets[src + 1];
            for (int64_t e = p.offsets[src]; e < e1; e++) {
                const int32_t t = p.targets[e];
                if (exc) v[t] += we[e]; else v[t] -= we[e];
                if (after_warm) s[t] += we[e];
            }
        }
    } else {  // exponential (Eq 11): x += w_e (1 - e^{-dt/tau_s}), area w_e
        double* x = from_E ? g.xE : g.xI;
        const double* ds = from_E ? g.dsE : g.dsI;
        for (int32_t q = 0; q < nspk; q++) {
            const int32_t src = g.spikes[q] - p.src_off;
            if (src < 0 || src >= p.n_src) continue;
            const int64_t e1 = p.offsets[src + 1];
            for (int64_t e = p.offsets[src]; e < e1; e++) {
                const int32_t t = p.targets[e];
                x[t] += we[e] * (1.0 - ds[t]);
                if (after_warm) s[t] += we[e];
            }
        }
    }
}

// Deliver the weight sums arriving now on a delayed pathway with per-synapse weights.
static void deliver_weighted(const Pathway& p, const Group& g, bool from_E, int32_t slot,
                             bool after_warm) {
    double* sum = wring.data() + p.ring_off + (size_t)slot * p.n_tgt;
    double* s = (from_E ? g.sE : g.sI) + p.tgt_off;
    if (p.kind == 0) {
        double* vt = g.v + p.tgt_off;
        const double sign = from_E ? 1.0 : -1.0;
        for (int32_t u = 0; u < p.n_tgt; u++) vt[u] += sign * sum[u];
    } else {
        double* xt = (from_E ? g.xE : g.xI) + p.tgt_off;
        const double* dst = (from_E ? g.dsE : g.dsI) + p.tgt_off;
        for (int32_t u = 0; u < p.n_tgt; u++) xt[u] += sum[u] * (1.0 - dst[u]);
    }
    if (after_warm)
        for (int32_t u = 0; u < p.n_tgt; u++) s[u] += sum[u];
    memset(sum, 0, sizeof(double) * (size_t)p.n_tgt);
}

// One step: send this step's spikes, then deliver what arrives now.
static void propagate(const Group& g, bool after_warm) {
    const int32_t nspk = g.spikes[g.n];
    const int32_t slot = (int32_t)(step % ring_slots);
    const size_t np_ = paths.size();
    for (size_t k = 0; k < np_; k++) {
        const Pathway& p = paths[k];
        const bool from_E = p.source_pop == 0;
        const double* w = from_E ? g.wE : g.wI;
        double* s = from_E ? g.sE : g.sI;
        if (p.has_delay && p.has_weights) {  // sum weights in the ring: slot (step + d) mod slots
            double* base = wring.data() + p.ring_off - p.tgt_off;
            for (int32_t q = 0; q < nspk; q++) {
                const int32_t src = g.spikes[q] - p.src_off;
                if (src < 0 || src >= p.n_src) continue;
                for (int64_t e = p.offsets[src]; e < p.offsets[src + 1]; e++) {
                    const int32_t sl = (int32_t)((slot + p.delays[e]) % ring_slots);
                    base[(size_t)sl * p.n_tgt + p.targets[e]] += p.weights[e];
                }
            }
            continue;
        }
        if (p.has_delay) {  // count arrivals in the ring: slot (step + d) mod slots
            uint32_t* base = ring.data() + p.ring_off - p.tgt_off;
            for (int32_t q = 0; q < nspk; q++) {
                const int32_t src = g.spikes[q] - p.src_off;
                if (src < 0 || src >= p.n_src) continue;
                for (int64_t e = p.offsets[src]; e < p.offsets[src + 1]; e++) {
                    const int32_t sl = (int32_t)((slot + p.delays[e]) % ring_slots);
                    base[(size_t)sl * p.n_tgt + p.targets[e]]++;
                }
            }
            continue;
        }
        if (p.has_weights) {
            send_weighted(p, g, from_E, s, after_warm);
            continue;
        }
        // no delay: apply at once, synapse by synapse (Brian2's on_pre, same order)
        double* x = p.kind == 0 ? g.v : (from_E ? g.xE : g.xI);
        const double* a = p.kind == 0 ? w : (from_E ? g.aE : g.aI);
        const double sign = (p.kind == 0 && !from_E) ? -1.0 : 1.0;
        for (int32_t q = 0; q < nspk; q++) {
            const int32_t src = g.spikes[q] - p.src_off;
            if (src < 0 || src >= p.n_src) continue;
            const int64_t e1 = p.offsets[src + 1];
            if (after_warm) {
                for (int64_t e = p.offsets[src]; e < e1; e++) {
                    const int32_t t = p.targets[e];
                    if (sign > 0) x[t] += a[t]; else x[t] -= a[t];
                    s[t] += w[t];
                }
            } else {
                for (int64_t e = p.offsets[src]; e < e1; e++) {
                    const int32_t t = p.targets[e];
                    if (sign > 0) x[t] += a[t]; else x[t] -= a[t];
                }
            }
        }
    }
    if (ring_slots > 1) {  // deliver the arrivals of this step
        for (size_t k = 0; k < np_; k++) {
            const Pathway& p = paths[k];
            if (!p.has_delay) continue;
            const bool from_E = p.source_pop == 0;
            if (p.has_weights) {
                deliver_weighted(p, g, from_E, slot, after_warm);
                continue;
            }
            const double* w = from_E ? g.wE : g.wI;
            double* s = from_E ? g.sE : g.sI;
            double* x = p.kind == 0 ? g.v : (from_E ? g.xE : g.xI);
            const double* a = p.kind == 0 ? w : (from_E ? g.aE : g.aI);
            const double sign = (p.kind == 0 && !from_E) ? -1.0 : 1.0;
            uint32_t* cnt = ring.data() + p.ring_off + (size_t)slot * p.n_tgt;
            // branch-free over the pathway's targets (vectorises); c = 0 adds nothing
            double* xt = x + p.tgt_off;
            const double* at = a + p.tgt_off;
            for (int32_t u = 0; u < p.n_tgt; u++) xt[u] += sign * (double)cnt[u] * at[u];
            if (after_warm) {
                double* st = s + p.tgt_off;
                const double* wt = w + p.tgt_off;
                for (int32_t u = 0; u < p.n_tgt; u++) st[u] += (double)cnt[u] * wt[u];
            }
            memset(cnt, 0, sizeof(uint32_t) * (size_t)p.n_tgt);
        }
    }
    step++;
}

}  // namespace bm_syn

#endif
