// The tree-compressed store on its own: slices shared between states, states read back, incremental
// preparation, concurrent inserts from several threads, limits.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <random>
#include <thread>
#include <vector>

#include "checker/tree_store.hpp"

namespace {

using checker::TreeStore;

// 40 bytes in slices of 8, 16 and 16 bytes: the first takes 10 values, the second 100, the third i itself.
struct Sliced {
  std::uint64_t small;
  std::array<std::uint64_t, 2> middle;
  std::array<std::uint64_t, 2> unique;
};
static_assert(sizeof(Sliced) == 40);

Sliced sliced(std::uint64_t i) {
  return Sliced{i % 10, {i % 100, 7}, {i, ~i}};
}
const std::byte* bytes(const Sliced& s) {
  return reinterpret_cast<const std::byte*>(&s);
}

TreeStore make_store(unsigned log2_slots = 10, std::size_t max_states = 0, std::size_t max_bytes = 0) {
  TreeStore::Config c;
  c.state_size = sizeof(Sliced);
  c.slices = {0, 8, 24};
  c.initial_log2_slots = log2_slots;
  if (max_states != 0) c.max_states = max_states;
  c.max_bytes = max_bytes;
  return TreeStore(c);
}

}  // namespace

TEST_CASE("tree store: dense ids in insertion order, shared slices, states read back") {
  TreeStore store = make_store();
  REQUIRE(store.leaves() == 3);
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const Sliced s = sliced(i);
    const auto r = store.find_or_insert(bytes(s), i == 0 ? checker::kNoState : static_cast<checker::StateId>(i - 1));
    REQUIRE(r.outcome == TreeStore::Outcome::Inserted);
    REQUIRE(r.id == i);
  }
  CHECK(store.size() == 5000);
  CHECK(store.leaf_values(0) == 10);
  CHECK(store.leaf_values(1) == 100);
  CHECK(store.leaf_values(2) == 5000);
  // Three leaves: one inner node (the first two slices, 100 distinct pairs) below the root.
  CHECK(store.inner_nodes() == 100);
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const Sliced want = sliced(i);
    Sliced got;
    store.read(static_cast<checker::StateId>(i), reinterpret_cast<std::byte*>(&got));
    REQUIRE(std::memcmp(&got, &want, sizeof want) == 0);
    REQUIRE(store.find(bytes(want)) == std::optional<checker::StateId>(static_cast<checker::StateId>(i)));
    REQUIRE(store.parent(static_cast<checker::StateId>(i)) == (i == 0 ? checker::kNoState : i - 1));
  }
  const Sliced absent = sliced(5000);
  CHECK_FALSE(store.find(bytes(absent)).has_value());
  const auto again = store.find_or_insert(bytes(sliced(42)), checker::kNoState);
  CHECK(again.outcome == TreeStore::Outcome::Found);
  CHECK(again.id == 42);
}

TEST_CASE("tree store: preparing against a reference state gives the same root as preparing from scratch") {
  TreeStore store = make_store();
  for (std::uint64_t i = 0; i < 300; ++i) store.find_or_insert(bytes(sliced(i)), checker::kNoState);
  std::mt19937_64 rng(3);
  for (int k = 0; k < 2000; ++k) {
    const auto base_id = static_cast<checker::StateId>(rng() % 300);
    Sliced base;
    TreeStore::Hint hint;
    store.read(base_id, reinterpret_cast<std::byte*>(&base), &hint);
    hint.base = bytes(base);
    // A successor that changes one slice, or none.
    Sliced next = base;
    switch (rng() % 4) {
      case 0:
        next.small = rng() % 10;
        break;
      case 1:
        next.middle[0] = rng() % 100;
        break;
      case 2:
        next.unique[1] = rng() % 1000;
        break;
      default:
        break;
    }
    const TreeStore::Key incremental = store.prepare(bytes(next), &hint);
    const TreeStore::Key scratch = store.prepare(bytes(next));
    REQUIRE(incremental.root == scratch.root);
    REQUIRE(incremental.hash == scratch.hash);
  }
}

TEST_CASE("tree store: four threads inserting overlapping sets at once agree on one id per state") {
  constexpr std::uint64_t kStates = 200000;
  constexpr unsigned kThreads = 4;
  TreeStore store = make_store(10);  // small start: many stop-the-world growths of every table under contention
  std::vector<std::vector<checker::StateId>> seen(kThreads, std::vector<checker::StateId>(kStates));
  std::vector<std::size_t> inserted(kThreads, 0);
  std::vector<char> full(kThreads, 0);  // Catch2's assertions are not for other threads: checked after the join
  {
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        TreeStore::Worker registered(store);
        std::vector<std::uint64_t> order(kStates);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), std::mt19937_64(t + 1));
        for (std::uint64_t i : order) {
          const Sliced s = sliced(i);
          const auto r = store.find_or_insert(bytes(s), checker::kNoState);
          if (r.full()) full[t] = 1;
          seen[t][i] = r.id;
          if (r.is_new()) ++inserted[t];
        }
      });
  }
  for (unsigned t = 0; t < kThreads; ++t) CHECK_FALSE(full[t]);
  CHECK(store.size() == kStates);
  CHECK(std::accumulate(inserted.begin(), inserted.end(), std::size_t{0}) == kStates);
  CHECK(store.leaf_values(0) == 10);
  CHECK(store.leaf_values(1) == 100);
  CHECK(store.leaf_values(2) == kStates);
  CHECK(store.inner_nodes() == 100);
  for (unsigned t = 1; t < kThreads; ++t) REQUIRE(seen[t] == seen[0]);
  std::vector<checker::StateId> ids = seen[0];
  std::sort(ids.begin(), ids.end());
  for (std::uint64_t i = 0; i < kStates; ++i) REQUIRE(ids[i] == i);  // dense: every id used exactly once
  for (std::uint64_t i = 0; i < kStates; ++i) {
    const Sliced want = sliced(i);
    Sliced got;
    store.read(seen[0][i], reinterpret_cast<std::byte*>(&got));
    REQUIRE(std::memcmp(&got, &want, sizeof want) == 0);
  }
}

TEST_CASE("tree store: max_states ends insertion but not lookup; a byte budget ends it as out of memory") {
  {
    TreeStore store = make_store(10, 5);
    for (std::uint64_t i = 0; i < 5; ++i) REQUIRE(store.find_or_insert(bytes(sliced(i)), checker::kNoState).is_new());
    CHECK(store.find_or_insert(bytes(sliced(5)), checker::kNoState).outcome == TreeStore::Outcome::FullStates);
    CHECK(store.find_or_insert(bytes(sliced(3)), checker::kNoState).outcome == TreeStore::Outcome::Found);
  }
  {
    constexpr std::size_t kBudget = 1 << 20;
    TreeStore store = make_store(10, 0, kBudget);
    TreeStore::Outcome last = TreeStore::Outcome::Inserted;
    std::uint64_t i = 0;
    for (; i < 1000000; ++i) {
      last = store.find_or_insert(bytes(sliced(i)), checker::kNoState).outcome;
      if (last != TreeStore::Outcome::Inserted) break;
    }
    CHECK(last == TreeStore::Outcome::FullMemory);
    CHECK(store.bytes() <= kBudget);
    // 16-byte unique leaves, 8-byte roots, parents and 4-byte slots: the unique leaf table (3/4 of 2^15 slots
    // full) cannot double within the budget.
    CHECK(store.size() == 24575);
    CHECK(store.find_or_insert(bytes(sliced(7)), checker::kNoState).outcome == TreeStore::Outcome::Found);
  }
  CHECK_THROWS_AS(make_store(16, 0, 1000), std::invalid_argument);
}
