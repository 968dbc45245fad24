#include "model/timing.hpp"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/teardown.hpp"

namespace model::timing {

namespace {

// A bound (c, <) or (c, <=) is encoded as 2c or 2c + 1, so that a smaller code is a tighter bound.
constexpr int kInf = INT_MAX / 4;
constexpr int kZeroLe = 1;  // (0, <=)

int code(int c, bool strict) {
  return 2 * c + (strict ? 0 : 1);
}
int add_codes(int a, int b) {
  if (a >= kInf || b >= kInf) return kInf;
  return (a & ~1) + (b & ~1) + (a & b & 1);
}

/// A DBM being worked on: m[i][j] bounds x_i - x_j.
struct Work {
  std::array<std::array<int, kClocks>, kClocks> m;

  Work() {
    for (auto& row : m) row.fill(kInf);
    for (unsigned i = 0; i < kClocks; ++i) m[i][i] = kZeroLe;
  }
  void free(unsigned i) {
    for (unsigned j = 0; j < kClocks; ++j)
      if (j != i) m[i][j] = m[j][i] = kInf;
  }
  /// Adds x_i - x_j bounded by b and closes the matrix again. \returns false when the zone becomes empty.
  bool add(unsigned i, unsigned j, int b, const Small<unsigned, kClocks>& active) {
    if (b >= m[i][j]) return true;
    if (add_codes(m[j][i], b) < kZeroLe) return false;
    m[i][j] = b;
    for (unsigned k : active) {
      if (m[k][i] >= kInf) continue;
      const int ki = add_codes(m[k][i], b);
      for (unsigned l : active) {
        const int v = add_codes(ki, m[j][l]);
        if (v < m[k][l]) m[k][l] = v;
      }
    }
    return true;
  }
};

/// An interned zone: the bounds between the clocks below kNew, one byte each (|c| stays within the knobs'
/// largest timer plus one; 127 is unbounded).
constexpr unsigned kStored = kNew;
using Packed = std::array<std::int8_t, kStored * kStored>;
constexpr std::int8_t kPackedInf = 127;

Packed pack(const Work& w) {
  Packed p{};
  for (unsigned i = 0; i < kStored; ++i)
    for (unsigned j = 0; j < kStored; ++j) {
      const int b = w.m[i][j];
      if (b >= kInf) {
        p[i * kStored + j] = kPackedInf;
      } else {
        if (b <= -127 || b >= 127) throw std::logic_error("timing: a zone bound out of range: " + std::to_string(b));
        p[i * kStored + j] = static_cast<std::int8_t>(b);
      }
    }
  return p;
}

struct PackedHash {
  std::size_t operator()(const Packed& p) const {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (std::size_t k = 0; k + 8 <= p.size(); k += 8) {
      std::uint64_t w;
      std::memcpy(&w, p.data() + k, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return static_cast<std::size_t>(h);
  }
};

/// Zones by id, in chunks that never move (readers look one up without a lock: an id is only handed out
/// after its zone is written), and a hash index over them in shards, each an open-addressing table of
/// [tag:32 | id:32] words under its own lock, so that threads interning different zones rarely wait.
constexpr unsigned kChunkBits = 16;
constexpr unsigned kChunks = 1u << 15;
constexpr unsigned kShardBits = 8;
struct Table {
  struct Shard {
    std::mutex mutex;
    std::vector<std::uint64_t> slots;  // 0: empty
    std::size_t used = 0;
  };
  std::array<Shard, 1u << kShardBits> shards;
  std::mutex chunk_mutex;
  std::array<std::atomic<Packed*>, kChunks> chunks{};
  std::vector<std::unique_ptr<Packed[]>> owned;
  std::atomic<std::uint32_t> count{0};

  std::uint32_t intern(const Packed& p) {
    const std::uint64_t h = PackedHash{}(p);
    // Most zones a step makes were made before: a small per-thread cache of recent ones answers without the
    // shard's lock (a zone, once given an id, never changes, and get() reads it without a lock).
    struct Recent {
      std::uint64_t hash = 0;
      std::uint32_t id = 0;
      const Table* table = nullptr;
    };
    thread_local std::array<Recent, 4096> recent{};
    Recent& r = recent[(h >> 20) & (recent.size() - 1)];
    if (r.table == this && r.hash == h && get(r.id) == p) return r.id;
    const std::uint32_t id = intern_locked(p, h);
    r = Recent{h, id, this};
    return id;
  }
  std::uint32_t intern_locked(const Packed& p, std::uint64_t h) {
    const std::uint32_t tag = static_cast<std::uint32_t>(h >> 32) | 1u;
    Shard& shard = shards[h & ((1u << kShardBits) - 1)];
    const std::lock_guard lock(shard.mutex);
    if (2 * (shard.used + 1) > shard.slots.size()) grow(shard);
    const std::size_t mask = shard.slots.size() - 1;
    std::size_t i = (h >> kShardBits) & mask;
    for (;; i = (i + 1) & mask) {
      const std::uint64_t slot = shard.slots[i];
      if (slot == 0) break;
      if (static_cast<std::uint32_t>(slot >> 32) == tag && get(static_cast<std::uint32_t>(slot)) == p)
        return static_cast<std::uint32_t>(slot);
    }
    const std::uint32_t id = count.fetch_add(1, std::memory_order_relaxed);
    const unsigned chunk = id >> kChunkBits;
    if (chunk >= kChunks) throw std::length_error("timing: too many distinct zones");
    Packed* at = chunks[chunk].load(std::memory_order_acquire);
    if (at == nullptr) {
      const std::lock_guard chunk_lock(chunk_mutex);
      at = chunks[chunk].load(std::memory_order_relaxed);
      if (at == nullptr) {
        owned.push_back(std::make_unique<Packed[]>(std::size_t{1} << kChunkBits));
        at = owned.back().get();
        chunks[chunk].store(at, std::memory_order_release);
      }
    }
    at[id & ((1u << kChunkBits) - 1)] = p;
    shard.slots[i] = std::uint64_t{tag} << 32 | id;
    ++shard.used;
    return id;
  }
  void grow(Shard& shard) {
    std::vector<std::uint64_t> old(shard.slots.empty() ? 64 : 2 * shard.slots.size(), 0);
    old.swap(shard.slots);
    const std::size_t mask = shard.slots.size() - 1;
    for (const std::uint64_t slot : old) {
      if (slot == 0) continue;
      const std::uint64_t h = PackedHash{}(get(static_cast<std::uint32_t>(slot)));
      std::size_t i = (h >> kShardBits) & mask;
      while (shard.slots[i] != 0) i = (i + 1) & mask;
      shard.slots[i] = slot;
    }
  }
  const Packed& get(std::uint32_t id) const {
    return chunks[id >> kChunkBits].load(std::memory_order_acquire)[id & ((1u << kChunkBits) - 1)];
  }
};

Work start() {
  Work w;  // Z = N = 0: every other clock is off
  w.m[kZ][kN] = w.m[kN][kZ] = kZeroLe;
  return w;
}

Table& table() {
  static Table t;
  static const bool first = t.intern(pack(start())) == 0;  // the initial zone is id 0
  (void)first;
  return t;
}

/// The timer running in `t` and its length in ticks, or 0 when none runs.
unsigned running_timer(const Knobs& knobs, const Tcb& t) {
  const unsigned running = (t.rto != 0) + (t.time_wait != 0) + (t.fin_wait2 != 0);
  if (running > 1) throw std::logic_error("timing: more than one timer runs on one side");
  if (t.rto != 0) return knobs.rto_ticks();
  if (t.time_wait != 0) return knobs.time_wait_ticks();
  if (t.fin_wait2 != 0) return knobs.fin_wait2_timeout;
  return 0;
}

/// Which timer runs: 0 none, 1 rto, 2 time-wait, 3 fin-wait-2.
int timer_kind(const Tcb& t) {
  return t.rto != 0 ? 1 : t.time_wait != 0 ? 2 : t.fin_wait2 != 0 ? 3 : 0;
}

bool fires_timer(const Label& l) {
  return l.event == Event::Retransmit || l.event == Event::GiveUp || l.event == Event::TimeWaitEnd ||
         l.event == Event::FinWait2End;
}

}  // namespace

Small<unsigned, kSlots> delivery_slots(const State& s, const Label& l) {
  Small<unsigned, kSlots> out;
  if (l.event != Event::Deliver) return out;
  for (unsigned i = 0; i < s.count[l.index]; ++i)
    if (s.channel[l.index][i] == l.segment) out.push_back(l.index * kMaxCapacity + i);
  return out;
}

StepTiming step_timing(const Knobs& knobs, const State& s, const Label& l, const State& next, unsigned slot) {
  static_assert(kSlots == 2 * kMaxCapacity);
  StepTiming st;
  st.tick = l.event == Event::Tick;
  const auto rel = [&](unsigned i, unsigned j, int c, bool strict) { st.rels.push_back(Rel{i, j, c, strict}); };
  const int msl = static_cast<int>(knobs.msl);
  const bool delivery = l.event == Event::Deliver;

  if (st.tick) {
    rel(kNew, kZ, 1, false);  // the next tick starts exactly one tick after this one
    rel(kZ, kNew, -1, false);
  } else {
    const bool app =
        l.event == Event::Open || l.event == Event::Send || l.event == Event::Close || l.event == Event::Abort;
    if (app && knobs.apps == Apps::Eager) rel(kNew, kN, 0, false);  // at once
    rel(kN, kNew, 0, false);                                        // events in trace order
    rel(kZ, kNew, 0, false);                                        // within the current tick: [Z, Z + 1)
    rel(kNew, kZ, 1, true);
  }
  for (unsigned side = 0; side < 2; ++side) {
    const unsigned d = running_timer(knobs, s.tcb[side]);
    if (timer_kind(s.tcb[side]) == 0) continue;
    const unsigned c = kTimer0 + side;
    rel(kNew, c, static_cast<int>(d), false);  // nothing after the timer's instant before it fires
    if (!st.tick && fires_timer(l) && l.actor == side) rel(c, kNew, -static_cast<int>(d), false);  // exactly then
  }
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < s.count[d]; ++i) {
      const unsigned c = kSlot0 + d * kMaxCapacity + i;
      rel(kNew, c, msl, true);  // a segment spends less than MSL in the network: it is still there, or arrives now
      if (delivery && d * kMaxCapacity + i == slot) rel(c, kNew, -static_cast<int>(knobs.min_delay), false);
    }

  // Where next's segments come from: the model's channel operations, replayed on clock indices.
  struct Entry {
    Segment seg;
    int from = -1;
  };
  struct Channel {
    std::array<Entry, kMaxCapacity + 2> v;
    unsigned n = 0;
    void insert(unsigned at, const Entry& e) {
      for (unsigned k = n; k > at; --k) v[k] = v[k - 1];
      v[at] = e;
      ++n;
    }
    void erase(unsigned at) {
      for (unsigned k = at; k + 1 < n; ++k) v[k] = v[k + 1];
      --n;
    }
  };
  std::array<Channel, 2> ch;
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < s.count[d]; ++i) {
      Segment seg = s.channel[d][i];
      if (st.tick) ++seg.age;
      ch[d].insert(ch[d].n, {seg, static_cast<int>(kSlot0 + d * kMaxCapacity + i)});
    }
  if (delivery) {
    const unsigned d = slot / kMaxCapacity, i = slot % kMaxCapacity;
    if (d != l.index || i >= ch[d].n || !(ch[d].v[i].seg == l.segment))
      throw std::logic_error("timing: the delivered segment is not in the slot given");
    ch[d].erase(i);
  }
  if (l.fate == Fate::Queued || l.fate == Fate::Duplicated) {
    const unsigned from = delivery ? 1u - l.index : l.actor;
    Channel& c = ch[from];
    for (int copies = l.fate == Fate::Duplicated ? 2 : 1; copies > 0; --copies) {
      if (c.n >= kMaxCapacity) throw std::logic_error("timing: a channel overflows");
      unsigned at = c.n;
      if (knobs.reorder)
        while (at > 0 && l.emitted < c.v[at - 1].seg) --at;
      c.insert(at, Entry{l.emitted, static_cast<int>(kNew)});
    }
  }
  st.slot_from.fill(-1);
  for (unsigned d = 0; d < 2; ++d) {
    if (ch[d].n != next.count[d]) throw std::logic_error("timing: the channels do not follow from the step");
    for (unsigned i = 0; i < ch[d].n; ++i) {
      if (!(ch[d].v[i].seg == next.channel[d][i])) throw std::logic_error("timing: the channels do not follow");
      st.slot_from[d * kMaxCapacity + i] = ch[d].v[i].from;
    }
  }
  for (unsigned side = 0; side < 2; ++side) {
    const int before = timer_kind(s.tcb[side]), after = timer_kind(next.tcb[side]);
    if (after == 0)
      st.timer_from[side] = -1;
    else if (!st.tick && ((l.restarted >> side & 1u) != 0 || before != after))
      st.timer_from[side] = static_cast<int>(kNew);
    else
      st.timer_from[side] = static_cast<int>(kTimer0 + side);
  }
  return st;
}

bool includes(std::uint32_t big, std::uint32_t small) {
  if (big == small) return true;
  const Packed& b = table().get(big);
  const Packed& s = table().get(small);
  for (std::size_t k = 0; k < b.size(); ++k)
    if (b[k] < s[k]) return false;
  return true;
}

void zone_to_bytes(std::uint32_t zone, std::byte* out) {
  static_assert(sizeof(Packed) == kZoneBytes);
  std::memcpy(out, table().get(zone).data(), kZoneBytes);
}

std::uint32_t zone_from_bytes(const std::byte* in) {
  Packed p;
  std::memcpy(p.data(), in, kZoneBytes);
  return table().intern(p);
}

std::size_t zone_count() {
  return table().count.load(std::memory_order_relaxed);
}

std::uint32_t initial_zone() {
  table();
  return 0;
}

std::uint32_t apply(std::uint32_t zone, const StepTiming& step) {
  const Packed& p = table().get(zone);
  const auto at = [&p](unsigned i, unsigned j) -> int {
    const std::int8_t b = p[i * kStored + j];
    return b == kPackedInf ? kInf : b;
  };
  // The clocks in use: Z, N and those the step reads or keeps.
  Small<unsigned, kClocks> active;
  active.push_back(kZ);
  active.push_back(kN);
  for (unsigned k = 0; k < kSlots; ++k)
    if (at(kSlot0 + k, kN) < kInf) active.push_back(kSlot0 + k);
  for (unsigned side = 0; side < 2; ++side)
    if (at(kTimer0 + side, kN) < kInf) active.push_back(kTimer0 + side);
  // Every constraint of a step relates its new instant to an existing clock, and the zone is closed, so the
  // new clock's tightest bounds are one pass over the constraints: up[k] bounds new - x_k, down[k] x_k - new.
  std::array<int, kClocks> up, down;
  up.fill(kInf);
  down.fill(kInf);
  for (const Rel& r : step.rels) {
    const int b = code(r.c, r.strict);
    if (r.i == kNew) {
      for (unsigned k : active) up[k] = std::min(up[k], add_codes(b, at(r.j, k)));
    } else {
      for (unsigned k : active) down[k] = std::min(down[k], add_codes(at(k, r.i), b));
    }
  }
  for (unsigned k : active)
    if (add_codes(up[k], down[k]) < kZeroLe) return kInfeasible;  // new - x_k - (new - x_k) < 0: empty
  // The next zone: each clock takes the value of its source clock (kNew is the new instant).
  std::array<int, kStored> from{};
  from[kZ] = step.tick ? static_cast<int>(kNew) : static_cast<int>(kZ);
  from[kN] = step.tick ? static_cast<int>(kN) : static_cast<int>(kNew);
  for (unsigned k = 0; k < kSlots; ++k) from[kSlot0 + k] = step.slot_from[k];
  for (unsigned side = 0; side < 2; ++side) from[kTimer0 + side] = step.timer_from[side];
  const auto bound_of = [&](int a, int b) -> int {  // x_a - x_b in the zone with the new clock, closed
    if (a == b) return kZeroLe;
    if (a == static_cast<int>(kNew)) return up[b];
    if (b == static_cast<int>(kNew)) return down[a];
    return std::min(at(a, b), add_codes(down[a], up[b]));
  };
  Packed out;
  for (unsigned i = 0; i < kStored; ++i)
    for (unsigned j = 0; j < kStored; ++j) {
      int b = i == j ? kZeroLe : kInf;
      if (i != j && from[i] >= 0 && from[j] >= 0) b = bound_of(from[i], from[j]);
      if (b < kInf && (b <= -127 || b >= 127)) throw std::logic_error("timing: a zone bound out of range");
      out[i * kStored + j] = b >= kInf ? kPackedInf : static_cast<std::int8_t>(b);
    }
  return table().intern(out);
}

}  // namespace model::timing
