#include "checker/store.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace checker {

Mapping::Mapping(std::size_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<std::byte*>(p);
  // Large regions (the arena, big tables) are touched densely; huge pages cut page faults and TLB misses.
  // Advice only: a kernel that declines it changes nothing.
  if (bytes >= (std::size_t{2} << 20)) ::madvise(p, bytes, MADV_HUGEPAGE);
}

Mapping::Mapping(Mapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Mapping::~Mapping() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

namespace {
constexpr std::size_t kSlotBytes = sizeof(std::uint64_t);
constexpr std::size_t kIdSlack = 64;  // ids a parallel search may hand out past the limit (< thread count)
constexpr unsigned kMaxLog2Slots = 32;
}  // namespace

StateStore::StateStore(const Config& config)
    : state_size_(config.state_size),
      max_bytes_(config.max_bytes),
      log2_slots_(std::clamp(config.initial_log2_slots, 1u, kMaxLog2Slots)) {
  if (state_size_ == 0) throw std::invalid_argument("state store: state size must be positive");
  id_limit_ = std::min(config.max_states, kMaxIds - kIdSlack);
  if (max_bytes_ != 0) {
    const std::size_t table_bytes = slots() * kSlotBytes;
    if (max_bytes_ <= table_bytes)
      throw std::invalid_argument("state store: a memory budget of " + std::to_string(max_bytes_) +
                                  " bytes cannot hold the initial table of " + std::to_string(table_bytes) + " bytes");
    const std::size_t by_memory = (max_bytes_ - table_bytes) / (state_size_ + sizeof(std::uint32_t));
    if (by_memory < id_limit_) {
      id_limit_ = by_memory;
      limited_by_memory_ = true;
    }
  }
  arena_ = Mapping((id_limit_ + kIdSlack) * state_size_);
  parents_ = Mapping((id_limit_ + kIdSlack) * sizeof(std::uint32_t));
  table_ = Mapping(slots() * kSlotBytes);
  grow_at_ = slots() / 4 * 3;
}

StateStore::Key StateStore::prepare(const std::byte* state, const Hint*) const noexcept {
  return hash_bytes(state, state_size_);
}

std::size_t StateStore::bytes() const noexcept {
  return size() * (state_size_ + sizeof(std::uint32_t)) + table_.size();
}

StateStore::Result StateStore::find_or_insert(const std::byte* state, std::uint64_t hash, StateId parent) {
  park_if_pausing();
  const std::uint32_t tag = tag_of(hash);
  const std::size_t mask = slots() - 1;
  std::atomic<std::uint64_t>* t = table();
  std::size_t i = index_of(tag);
  for (;;) {
    std::uint64_t slot = t[i].load(std::memory_order_acquire);
    if (slot == 0) {
      if (out_of_memory_.load(std::memory_order_relaxed)) return {Outcome::FullMemory, kNoState};
      if (next_id_.load(std::memory_order_relaxed) >= id_limit_) {
        return {limited_by_memory_ ? Outcome::FullMemory : Outcome::FullStates, kNoState};
      }
      const std::uint64_t busy = (std::uint64_t{tag} << 32) | kBusy;
      if (!t[i].compare_exchange_strong(slot, busy, std::memory_order_acq_rel)) continue;  // look again at i
      const StateId id = next_id_.fetch_add(1, std::memory_order_acq_rel);
      std::memcpy(arena_.data() + std::size_t{id} * state_size_, state, state_size_);
      parents()[id] = parent == kNoState ? kNoParent : parent;
      t[i].store((std::uint64_t{tag} << 32) | id, std::memory_order_release);
      if (std::size_t{id} + 1 >= grow_at_) grow();
      return {Outcome::Inserted, id};
    }
    if (static_cast<std::uint32_t>(slot >> 32) == tag) {
      const auto id = static_cast<std::uint32_t>(slot);
      if (id == kBusy) {
        __builtin_ia32_pause();
        continue;  // the writer publishes within a few instructions
      }
      if (std::memcmp(this->state(id), state, state_size_) == 0) return {Outcome::Found, id};
    }
    i = (i + 1) & mask;
  }
}

std::optional<StateId> StateStore::find(const std::byte* state, std::uint64_t hash) const {
  const std::uint32_t tag = tag_of(hash);
  const std::size_t mask = slots() - 1;
  const std::atomic<std::uint64_t>* t = table();
  for (std::size_t i = index_of(tag);; i = (i + 1) & mask) {
    const std::uint64_t slot = t[i].load(std::memory_order_acquire);
    if (slot == 0) return std::nullopt;
    if (static_cast<std::uint32_t>(slot >> 32) == tag &&
        std::memcmp(this->state(static_cast<std::uint32_t>(slot)), state, state_size_) == 0)
      return static_cast<std::uint32_t>(slot);
  }
}

void StateStore::park_if_pausing() {
  if (!pausing_.load(std::memory_order_acquire)) return;
  std::unique_lock lock(pause_mutex_);
  if (!pausing_.load(std::memory_order_relaxed)) return;
  ++parked_;
  pause_cv_.notify_all();
  pause_cv_.wait(lock, [&] { return !pausing_.load(std::memory_order_relaxed); });
  --parked_;
}

void StateStore::grow() {
  std::unique_lock lock(pause_mutex_);
  if (pausing_.load(std::memory_order_relaxed)) {  // another thread is growing: wait for it like any insert
    ++parked_;
    pause_cv_.notify_all();
    pause_cv_.wait(lock, [&] { return !pausing_.load(std::memory_order_relaxed); });
    --parked_;
    return;
  }
  if (size() < grow_at_ || log2_slots_ >= kMaxLog2Slots) return;
  pausing_.store(true, std::memory_order_seq_cst);
  // Every other registered thread parks at its next insert (or leaves); an unregistered caller is alone.
  pause_cv_.wait(lock, [&] { return parked_ + 1 >= workers_; });

  const unsigned log2 = log2_slots_ + 1;
  const std::size_t new_table_bytes = (std::size_t{1} << log2) * kSlotBytes;
  if (max_bytes_ != 0 && bytes() + new_table_bytes > max_bytes_) {
    // Both tables live at once while rehashing; without room for that the store is full.
    out_of_memory_.store(true, std::memory_order_relaxed);
  } else {
    Mapping bigger(new_table_bytes);
    rehash_into(bigger, log2);
    table_ = std::move(bigger);
    log2_slots_ = log2;
    grow_at_ = slots() / 4 * 3;
  }
  pausing_.store(false, std::memory_order_seq_cst);
  pause_cv_.notify_all();
}

void StateStore::rehash_into(Mapping& bigger, unsigned log2) const {
  auto* dst = reinterpret_cast<std::atomic<std::uint64_t>*>(bigger.data());
  const std::size_t mask = (std::size_t{1} << log2) - 1;
  const std::atomic<std::uint64_t>* src = table();
  for (std::size_t i = 0, n = slots(); i < n; ++i) {
    const std::uint64_t slot = src[i].load(std::memory_order_relaxed);
    if (slot == 0) continue;
    std::size_t j = static_cast<std::uint32_t>(slot >> 32) >> (32 - log2);
    while (dst[j].load(std::memory_order_relaxed) != 0) j = (j + 1) & mask;
    dst[j].store(slot, std::memory_order_relaxed);
  }
}

StateStore::Worker::Worker(StateStore& store) : store_(store) {
  std::unique_lock lock(store_.pause_mutex_);
  store_.pause_cv_.wait(lock, [&] { return !store_.pausing_.load(std::memory_order_relaxed); });
  ++store_.workers_;
}

StateStore::Worker::~Worker() {
  std::lock_guard lock(store_.pause_mutex_);
  --store_.workers_;
  store_.pause_cv_.notify_all();
}

}  // namespace checker
