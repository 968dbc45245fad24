// The state store: dense ids, parents, growth, collisions, concurrent inserts, limits.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "checker/hash.hpp"
#include "checker/store.hpp"

namespace {

using checker::StateStore;

struct Wide {
  std::array<std::uint64_t, 3> words;
};

Wide wide(std::uint64_t i) {
  return Wide{{i, i * 7 + 1, ~i}};
}

const std::byte* bytes(const Wide& w) {
  return reinterpret_cast<const std::byte*>(&w);
}
std::uint64_t hash(const Wide& w) {
  return checker::hash_bytes(bytes(w), sizeof(Wide));
}

StateStore make_store(unsigned log2_slots = 4, std::size_t max_states = 0, std::size_t max_bytes = 0) {
  StateStore::Config c;
  c.state_size = sizeof(Wide);
  c.initial_log2_slots = log2_slots;
  if (max_states != 0) c.max_states = max_states;
  c.max_bytes = max_bytes;
  return StateStore(c);
}

}  // namespace

TEST_CASE("store: ids are dense in insertion order and parents are kept") {
  StateStore store = make_store();
  for (std::uint64_t i = 0; i < 10; ++i) {
    const Wide w = wide(i);
    const auto r =
        store.find_or_insert(bytes(w), hash(w), i == 0 ? checker::kNoState : static_cast<checker::StateId>(i - 1));
    REQUIRE(r.outcome == StateStore::Outcome::Inserted);
    REQUIRE(r.id == i);
  }
  REQUIRE(store.size() == 10);
  CHECK(store.parent(0) == checker::kNoState);
  CHECK(store.parent(7) == 6);
  // A second insert of the same bytes finds the first id and leaves the parent alone.
  const Wide w = wide(4);
  const auto again = store.find_or_insert(bytes(w), hash(w), 9);
  CHECK(again.outcome == StateStore::Outcome::Found);
  CHECK(again.id == 4);
  CHECK(store.parent(4) == 3);
  CHECK(store.size() == 10);
  CHECK(std::memcmp(store.state(4), bytes(w), sizeof(Wide)) == 0);
}

TEST_CASE("store: the flag bit is separate from the parent") {
  StateStore store = make_store();
  const Wide a = wide(1), b = wide(2);
  store.find_or_insert(bytes(a), hash(a), checker::kNoState);
  store.find_or_insert(bytes(b), hash(b), 0);
  CHECK_FALSE(store.flag(0));
  store.set_flag(0);
  store.set_flag(1);
  CHECK(store.flag(0));
  CHECK(store.parent(0) == checker::kNoState);
  CHECK(store.parent(1) == 0);
}

TEST_CASE("store: the table grows from 16 slots to hold 100000 states, all still found") {
  StateStore store = make_store(4);
  CHECK(store.slots() == 16);
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const Wide w = wide(i);
    REQUIRE(store.find_or_insert(bytes(w), hash(w), checker::kNoState).id == i);
  }
  CHECK(store.size() == 100000);
  CHECK(store.slots() == 262144);  // the first power of two with 100000 <= 3/4 of it
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const Wide w = wide(i);
    REQUIRE(store.find(bytes(w), hash(w)) == std::optional<checker::StateId>(i));
  }
  const Wide absent = wide(100000);
  CHECK_FALSE(store.find(bytes(absent), hash(absent)).has_value());
}

TEST_CASE("store: states with colliding hashes stay distinct") {
  StateStore store = make_store(4);
  constexpr std::uint64_t kSameHash = 0x1234567800000000ull;  // every state lands on one tag and slot
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Wide w = wide(i);
    REQUIRE(store.find_or_insert(bytes(w), kSameHash, checker::kNoState).id == i);
  }
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Wide w = wide(i);
    const auto r = store.find_or_insert(bytes(w), kSameHash, checker::kNoState);
    REQUIRE(r.outcome == StateStore::Outcome::Found);
    REQUIRE(r.id == i);
  }
  CHECK(store.size() == 200);
}

TEST_CASE("store: threads inserting overlapping sets at once agree on one id per state") {
  constexpr std::uint64_t kStates = 200000;
  constexpr unsigned kThreads = 4;
  StateStore store = make_store(4);  // tiny start: many stop-the-world growths under contention
  std::vector<std::vector<checker::StateId>> seen(kThreads, std::vector<checker::StateId>(kStates));
  std::vector<std::size_t> inserted(kThreads, 0);
  std::vector<char> full(kThreads, 0);  // Catch2's assertions are not for other threads: checked after the join
  {
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        StateStore::Worker registered(store);
        std::vector<std::uint64_t> order(kStates);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937_64(t + 1));
        for (std::uint64_t i : order) {
          const Wide w = wide(i);
          const auto r = store.find_or_insert(bytes(w), hash(w), checker::kNoState);
          if (r.full()) full[t] = 1;
          seen[t][i] = r.id;
          if (r.is_new()) ++inserted[t];
        }
      });
  }
  for (unsigned t = 0; t < kThreads; ++t) CHECK_FALSE(full[t]);
  CHECK(store.size() == kStates);
  CHECK(std::accumulate(inserted.begin(), inserted.end(), std::size_t{0}) == kStates);
  for (unsigned t = 1; t < kThreads; ++t) REQUIRE(seen[t] == seen[0]);
  std::vector<checker::StateId> ids = seen[0];
  std::sort(ids.begin(), ids.end());
  for (std::uint64_t i = 0; i < kStates; ++i) REQUIRE(ids[i] == i);  // dense: every id used exactly once
  for (std::uint64_t i = 0; i < kStates; ++i)
    REQUIRE(std::memcmp(store.state(seen[0][i]), bytes(wide(i)), sizeof(Wide)) == 0);
}

TEST_CASE("store: max_states ends insertion but not lookup") {
  StateStore store = make_store(4, 5);
  for (std::uint64_t i = 0; i < 5; ++i) {
    const Wide w = wide(i);
    REQUIRE(store.find_or_insert(bytes(w), hash(w), checker::kNoState).is_new());
  }
  const Wide more = wide(5);
  const auto r = store.find_or_insert(bytes(more), hash(more), checker::kNoState);
  CHECK(r.outcome == StateStore::Outcome::FullStates);
  CHECK(r.id == checker::kNoState);
  const Wide old = wide(3);
  CHECK(store.find_or_insert(bytes(old), hash(old), checker::kNoState).outcome == StateStore::Outcome::Found);
  CHECK(store.size() == 5);
}

TEST_CASE("store: a byte budget ends insertion as out of memory, within the budget") {
  constexpr std::size_t kBudget = 64 * 1024;
  StateStore store = make_store(4, 0, kBudget);
  std::uint64_t i = 0;
  StateStore::Outcome last = StateStore::Outcome::Inserted;
  for (; i < 100000; ++i) {
    const Wide w = wide(i);
    last = store.find_or_insert(bytes(w), hash(w), checker::kNoState).outcome;
    if (last != StateStore::Outcome::Inserted) break;
  }
  CHECK(last == StateStore::Outcome::FullMemory);
  CHECK(store.bytes() <= kBudget);
  CHECK(store.size() == i);
  // 1536 states (3/4 of 2048 slots) fill the table; growing to 4096 slots would need 1536 * 28 + 16 KiB +
  // 32 KiB > 64 KiB while both tables live.
  CHECK(i == 1536);
}

TEST_CASE("store: a budget too small for the first table is refused") {
  CHECK_THROWS_AS(make_store(10, 0, 1000), std::invalid_argument);
}
