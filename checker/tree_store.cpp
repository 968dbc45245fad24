#include "checker/tree_store.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "checker/hash.hpp"

namespace checker {

namespace {
constexpr std::size_t kIdSlack = 1024;           // ids concurrent inserters may take past a limit (one each at most)
constexpr unsigned kMaxLog2Slots = 31;           // a slot keeps at least one tag bit
constexpr unsigned kMinLog2Slots = 10;           // leaves room for every thread's inserts between two growth checks
constexpr std::size_t kBudgetCheckEvery = 4096;  // new states between two checks of the memory budget

std::uint64_t mix64(std::uint64_t x) noexcept {
  // The 64-bit finaliser of MurmurHash3 (a published constant set): every input bit reaches every output bit.
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return x;
}

/// Equality of two short byte strings, inline: the keys here are 8 to a few dozen bytes, where a call to memcmp
/// costs more than the comparison.
inline bool same_bytes(const std::byte* a, const std::byte* b, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  for (; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

std::uint64_t pack(std::uint32_t left, std::uint32_t right) noexcept {
  return (std::uint64_t{right} << 32) | left;
}
}  // namespace

// ---- InternTable ------------------------------------------------------------------------------------------

InternTable::InternTable(std::size_t key_size, std::size_t max_ids, unsigned log2_slots)
    : key_size_(key_size),
      arena_((max_ids + kIdSlack) * key_size),
      table_((std::size_t{1} << log2_slots) * sizeof(std::uint32_t)),
      log2_(log2_slots),
      grow_at_(slots() / 4 * 3) {}

std::uint64_t InternTable::hash_of(const std::byte* key, std::size_t size) noexcept {
  if (size == sizeof(std::uint64_t)) {
    std::uint64_t w;
    std::memcpy(&w, key, sizeof w);
    return mix64(w + 0x9E3779B97F4A7C15ull);
  }
  return hash_bytes(key, size);
}

InternTable::Got InternTable::intern(const std::byte* key, std::uint64_t hash, std::size_t id_limit) {
  std::atomic<std::uint32_t>* t = table();
  const std::size_t mask = slots() - 1;
  const std::uint32_t id_mask = static_cast<std::uint32_t>(mask);
  const std::uint32_t tag = tag_of(hash);
  std::size_t i = home(hash);
  for (;;) {
    std::uint32_t v = t[i].load(std::memory_order_acquire);
    if (v == 0) {
      if (next_.load(std::memory_order_relaxed) >= id_limit) return {kNoState, false};
      if (!t[i].compare_exchange_strong(v, kBusy, std::memory_order_acq_rel)) continue;  // look at i again
      const std::uint32_t id = next_.fetch_add(1, std::memory_order_acq_rel);
      std::memcpy(arena_.data() + std::size_t{id} * key_size_, key, key_size_);
      t[i].store(tag | (id + 1), std::memory_order_release);
      return {id, true};
    }
    if (v == kBusy) {
      __builtin_ia32_pause();
      continue;  // the writer publishes within a few instructions
    }
    if ((v & ~id_mask) == tag) {
      const std::uint32_t id = (v & id_mask) - 1;
      if (same_bytes(this->key(id), key, key_size_)) return {id, false};
    }
    i = (i + 1) & mask;
  }
}

std::optional<std::uint32_t> InternTable::find(const std::byte* key, std::uint64_t hash) const {
  const std::atomic<std::uint32_t>* t = table();
  const std::size_t mask = slots() - 1;
  const std::uint32_t id_mask = static_cast<std::uint32_t>(mask);
  const std::uint32_t tag = tag_of(hash);
  for (std::size_t i = home(hash);; i = (i + 1) & mask) {
    const std::uint32_t v = t[i].load(std::memory_order_acquire);
    if (v == 0) return std::nullopt;
    if (v == kBusy || (v & ~id_mask) != tag) continue;
    const std::uint32_t id = (v & id_mask) - 1;
    if (same_bytes(this->key(id), key, key_size_)) return id;
  }
}

void InternTable::grow() {
  const unsigned log2 = log2_ + 1;
  Mapping bigger((std::size_t{1} << log2) * sizeof(std::uint32_t));
  auto* dst = reinterpret_cast<std::atomic<std::uint32_t>*>(bigger.data());
  const std::size_t mask = (std::size_t{1} << log2) - 1;
  // Rehash in id order: the arena is read sequentially, and each key's hash is recomputed (slots keep none).
  table_ = std::move(bigger);
  log2_ = log2;
  for (std::uint32_t id = 0, n = static_cast<std::uint32_t>(size()); id < n; ++id) {
    const std::uint64_t hash = hash_of(key(id), key_size_);
    std::size_t j = home(hash);
    while (dst[j].load(std::memory_order_relaxed) != 0) j = (j + 1) & mask;
    dst[j].store(tag_of(hash) | (id + 1), std::memory_order_relaxed);
  }
  grow_at_ = slots() / 4 * 3;
}

// ---- TreeStore --------------------------------------------------------------------------------------------

namespace {
std::atomic<std::uint64_t> next_store_serial{1};
}  // namespace

TreeStore::NodeMemo::Entry& TreeStore::node_memo(std::uint64_t hash) const noexcept {
  // A node's id never changes once given, so a remembered (pair, id) stays true for the store's lifetime; the
  // memo belongs to one store at a time (by serial number) and is cleared when a thread moves to another.
  thread_local NodeMemo memo;
  if (memo.owner != serial_) {
    memo.entries.fill(NodeMemo::Entry{});
    memo.owner = serial_;
  }
  return memo.entries[hash & (NodeMemo::kEntries - 1)];
}

TreeStore::TreeStore(const Config& config)
    : state_size_(config.state_size), max_bytes_(config.max_bytes), serial_(next_store_serial.fetch_add(1)) {
  if (state_size_ == 0) throw std::invalid_argument("tree store: state size must be positive");
  offsets_ = config.slices;
  if (offsets_.empty()) {
    const std::size_t chunk = std::max(kChunk, (state_size_ + kMaxLeaves - 1) / kMaxLeaves);
    for (std::size_t at = 0; at < state_size_; at += chunk) offsets_.push_back(at);
  }
  if (offsets_.front() != 0 || offsets_.size() > kMaxLeaves)
    throw std::invalid_argument("tree store: slices must start at offset 0 and number at most 64");
  for (std::size_t i = 0; i < offsets_.size(); ++i) {
    const std::size_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : state_size_;
    if (end <= offsets_[i] || end > state_size_)
      throw std::invalid_argument("tree store: slice offsets must ascend strictly within the state");
    sizes_.push_back(end - offsets_[i]);
  }
  const auto k = static_cast<std::uint32_t>(offsets_.size());
  if (k >= 2) build(0, k);

  // A table stops growing at 2^31 slots, which hold 3/4 of that many keys.
  constexpr std::size_t kMaxKeys = (std::size_t{1} << kMaxLog2Slots) / 4 * 3 - kIdSlack;
  id_limit_ = std::min(config.max_states, kMaxKeys);
  unsigned log2 = std::clamp(config.initial_log2_slots, kMinLog2Slots, kMaxLog2Slots);
  const auto tables_bytes = [&](unsigned l) { return (k + 2) * (std::size_t{1} << l) * sizeof(std::uint32_t); };
  // k + 2 tables start at once: under a small budget they start smaller (they grow as needed).
  while (max_bytes_ != 0 && log2 > kMinLog2Slots && tables_bytes(log2) > max_bytes_ / 4) --log2;
  const std::size_t first_tables = tables_bytes(log2);
  if (max_bytes_ != 0) {
    if (max_bytes_ <= first_tables)
      throw std::invalid_argument("tree store: a memory budget of " + std::to_string(max_bytes_) +
                                  " bytes cannot hold the initial tables of " + std::to_string(first_tables) +
                                  " bytes");
    // Every state costs at least its root pair and parent word: this bounds what the arenas must reserve.
    const std::size_t by_memory = (max_bytes_ - first_tables) / (sizeof(std::uint64_t) + sizeof(std::uint32_t));
    if (by_memory < id_limit_) {
      id_limit_ = by_memory;
      limited_by_memory_ = true;
    }
  }
  // Leaves and inner nodes are limited by memory alone (they are interned for successors before the state
  // limit is looked at). Their arenas are reserved, not touched, for that worst case.
  const auto key_limit = [&](std::size_t key_size) {
    return max_bytes_ == 0 ? kMaxKeys : std::min(kMaxKeys, max_bytes_ / key_size);
  };
  for (std::uint32_t i = 0; i < k; ++i) {
    leaf_limits_.push_back(key_limit(sizes_[i]));
    leaves_.emplace_back(sizes_[i], leaf_limits_.back(), log2);
  }
  node_limit_ = tree_.size() <= 1 ? 0 : key_limit(sizeof(std::uint64_t));
  nodes_.emplace(sizeof(std::uint64_t), node_limit_, log2);
  roots_.emplace(sizeof(std::uint64_t), id_limit_, log2);
  parents_ = Mapping((id_limit_ + kIdSlack) * sizeof(std::uint32_t));
}

std::uint32_t TreeStore::build(std::uint32_t lo, std::uint32_t hi) {
  if (hi - lo == 1) return lo;
  const std::uint32_t mid = lo + (hi - lo + 1) / 2;
  const std::uint32_t left = build(lo, mid);
  const std::uint32_t right = build(mid, hi);
  tree_.push_back({left, right});
  return static_cast<std::uint32_t>(offsets_.size() + tree_.size() - 1);
}

std::size_t TreeStore::bytes() const noexcept {
  std::size_t total = roots_->arena_bytes() + roots_->table_bytes() + nodes_->arena_bytes() + nodes_->table_bytes() +
                      size() * sizeof(std::uint32_t);
  for (const auto& leaf : leaves_) total += leaf.arena_bytes() + leaf.table_bytes();
  return total;
}

bool TreeStore::any_wants_growth() const noexcept {
  if (roots_->wants_growth() || nodes_->wants_growth()) return true;
  for (const auto& leaf : leaves_)
    if (leaf.wants_growth()) return true;
  return false;
}

TreeStore::Key TreeStore::prepare(const std::byte* state, const Hint* hint) {
  park_if_pausing();
  // Once the budget is spent nothing new is interned, but known states are still found.
  const bool room = !out_of_memory_.load(std::memory_order_relaxed);
  const std::size_t k = offsets_.size();
  std::array<std::uint32_t, kMaxTree> ids;
  Key key;
  const bool incremental = hint != nullptr && hint->base != nullptr;
  bool inserted = false;  // only a table that took a key may have to grow
  for (std::size_t i = 0; i < k; ++i) {
    const std::byte* slice = state + offsets_[i];
    if (incremental && same_bytes(slice, hint->base + offsets_[i], sizes_[i])) {
      ids[i] = hint->ids[i];
      continue;
    }
    const auto got = leaves_[i].intern(slice, InternTable::hash_of(slice, sizes_[i]), room ? leaf_limits_[i] : 0);
    if (got.id == kNoState) {
      key.full = true;
      return key;
    }
    inserted = inserted || got.fresh;
    ids[i] = got.id;
  }
  if (k == 1) {
    key.root = pack(ids[0], 0);
  } else {
    const std::size_t inner = tree_.size();
    for (std::size_t n = 0; n + 1 < inner; ++n) {
      const Node& node = tree_[n];
      const std::size_t at = k + n;
      const std::uint32_t l = ids[node.left], r = ids[node.right];
      if (incremental && hint->ids[node.left] == l && hint->ids[node.right] == r) {
        ids[at] = hint->ids[at];
        continue;
      }
      const std::uint64_t pair = pack(l, r);
      const auto* bytes = reinterpret_cast<const std::byte*>(&pair);
      const std::uint64_t hash = InternTable::hash_of(bytes, sizeof pair);
      NodeMemo::Entry& memo = node_memo(hash);
      if (memo.pair == pair) {
        ids[at] = memo.id;
        continue;
      }
      const auto got = nodes_->intern(bytes, hash, room ? node_limit_ : 0);
      if (got.id == kNoState) {
        key.full = true;
        return key;
      }
      inserted = inserted || got.fresh;
      ids[at] = got.id;
      memo = {pair, got.id};
    }
    key.root = pack(ids[tree_.back().left], ids[tree_.back().right]);
  }
  key.hash = InternTable::hash_of(reinterpret_cast<const std::byte*>(&key.root), sizeof key.root);
  if (inserted && any_wants_growth()) grow();
  return key;
}

TreeStore::Result TreeStore::insert(const Key& key, StateId parent) {
  if (key.full) return {Outcome::FullMemory, kNoState};
  park_if_pausing();
  const bool room = !out_of_memory_.load(std::memory_order_relaxed);
  const auto got = roots_->intern(reinterpret_cast<const std::byte*>(&key.root), key.hash, room ? id_limit_ : 0);
  if (got.id == kNoState) return {limited_by_memory_ || !room ? Outcome::FullMemory : Outcome::FullStates, kNoState};
  if (!got.fresh) return {Outcome::Found, got.id};
  parents()[got.id] = parent == kNoState ? kNoParent : parent;
  if (max_bytes_ != 0 && got.id % kBudgetCheckEvery == 0 && bytes() > max_bytes_)
    out_of_memory_.store(true, std::memory_order_relaxed);
  if (room && roots_->wants_growth()) grow();
  return {Outcome::Inserted, got.id};
}

std::optional<StateId> TreeStore::find(const std::byte* state) const {
  const std::size_t k = offsets_.size();
  std::array<std::uint32_t, kMaxTree> ids{};
  for (std::size_t i = 0; i < k; ++i) {
    const std::byte* slice = state + offsets_[i];
    const auto id = leaves_[i].find(slice, InternTable::hash_of(slice, sizes_[i]));
    if (!id) return std::nullopt;
    ids[i] = *id;
  }
  std::uint64_t root = pack(ids[0], 0);
  if (k >= 2) {
    for (std::size_t n = 0; n + 1 < tree_.size(); ++n) {
      const std::uint64_t pair = pack(ids[tree_[n].left], ids[tree_[n].right]);
      const auto* bytes = reinterpret_cast<const std::byte*>(&pair);
      const auto id = nodes_->find(bytes, InternTable::hash_of(bytes, sizeof pair));
      if (!id) return std::nullopt;
      ids[k + n] = *id;
    }
    root = pack(ids[tree_.back().left], ids[tree_.back().right]);
  }
  const auto* bytes = reinterpret_cast<const std::byte*>(&root);
  return roots_->find(bytes, InternTable::hash_of(bytes, sizeof root));
}

void TreeStore::read(StateId id, std::byte* out, Hint* hint) const {
  const std::size_t k = offsets_.size();
  std::array<std::uint32_t, kMaxTree> local{};
  std::uint32_t* ids = hint != nullptr ? hint->ids.data() : local.data();
  std::uint64_t pair;
  std::memcpy(&pair, roots_->key(id), sizeof pair);
  if (k == 1) {
    ids[0] = static_cast<std::uint32_t>(pair);
  } else {
    // Top-down: a node's children have smaller tree indices than the node itself.
    const std::size_t root = k + tree_.size() - 1;
    ids[root] = id;
    for (std::size_t at = root + 1; at-- > k;) {
      if (at != root) std::memcpy(&pair, nodes_->key(ids[at]), sizeof pair);
      const Node& node = tree_[at - k];
      ids[node.left] = static_cast<std::uint32_t>(pair);
      ids[node.right] = static_cast<std::uint32_t>(pair >> 32);
    }
  }
  for (std::size_t i = 0; i < k; ++i) std::memcpy(out + offsets_[i], leaves_[i].key(ids[i]), sizes_[i]);
}

void TreeStore::park_if_pausing() {
  if (!pausing_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(pause_mutex_);
  if (!pausing_.load(std::memory_order_relaxed)) return;
  ++parked_;
  pause_cv_.notify_all();
  pause_cv_.wait(lock, [&] { return !pausing_.load(std::memory_order_relaxed); });
  --parked_;
}

void TreeStore::grow() {
  std::unique_lock lock(pause_mutex_);
  if (pausing_.load(std::memory_order_relaxed)) {  // another thread is growing: wait for it like any insert
    ++parked_;
    pause_cv_.notify_all();
    pause_cv_.wait(lock, [&] { return !pausing_.load(std::memory_order_relaxed); });
    --parked_;
    return;
  }
  if (!any_wants_growth()) return;
  pausing_.store(true, std::memory_order_seq_cst);
  pause_cv_.wait(lock, [&] { return parked_ + 1 >= workers_; });

  const auto grow_one = [&](InternTable& table) {
    if (!table.wants_growth() || table.slots() >= (std::size_t{1} << kMaxLog2Slots)) return;
    if (out_of_memory_.load(std::memory_order_relaxed)) return;
    // Both tables live at once while rehashing; without room for that the store is full.
    if (max_bytes_ != 0 && bytes() + 2 * table.table_bytes() > max_bytes_) {
      out_of_memory_.store(true, std::memory_order_relaxed);
      return;
    }
    table.grow();
  };
  for (auto& leaf : leaves_) grow_one(leaf);
  grow_one(*nodes_);
  grow_one(*roots_);

  pausing_.store(false, std::memory_order_seq_cst);
  pause_cv_.notify_all();
}

TreeStore::Worker::Worker(TreeStore& store) : store_(store) {
  std::unique_lock lock(store_.pause_mutex_);
  store_.pause_cv_.wait(lock, [&] { return !store_.pausing_.load(std::memory_order_relaxed); });
  ++store_.workers_;
}

TreeStore::Worker::~Worker() {
  std::lock_guard lock(store_.pause_mutex_);
  --store_.workers_;
  store_.pause_cv_.notify_all();
}

}  // namespace checker
