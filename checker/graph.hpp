#pragma once
// A transition graph over state ids in compressed sparse rows.

#include <cstdint>
#include <utility>
#include <vector>

#include "checker/store.hpp"

namespace checker {

/// The successor ids of every stored state; a graph over state ids.
struct Graph {
  std::vector<std::uint64_t> offsets;  ///< state i's successors are targets[offsets[i] .. offsets[i+1])
  std::vector<StateId> targets;

  std::size_t size() const { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::size_t degree(StateId s) const { return offsets[s + 1] - offsets[s]; }
  const StateId* begin(StateId s) const { return targets.data() + offsets[s]; }
  const StateId* end(StateId s) const { return targets.data() + offsets[s + 1]; }

  /// The same graph with every edge reversed.
  Graph reversed() const {
    Graph r;
    const std::size_t n = size();
    r.offsets.assign(n + 1, 0);
    for (StateId t : targets) ++r.offsets[t + 1];
    for (std::size_t i = 0; i < n; ++i) r.offsets[i + 1] += r.offsets[i];
    r.targets.resize(targets.size());
    std::vector<std::uint64_t> fill(r.offsets.begin(), r.offsets.end() - 1);
    for (StateId s = 0; s < n; ++s)
      for (const StateId* t = begin(s); t != end(s); ++t) r.targets[fill[*t]++] = s;
    return r;
  }
};

/// A graph of `n` states from edge lists (in any order, duplicates kept).
inline Graph graph_from_edges(std::size_t n, const std::vector<std::vector<std::pair<StateId, StateId>>>& lists) {
  Graph g;
  g.offsets.assign(n + 1, 0);
  std::size_t total = 0;
  for (const auto& list : lists) {
    total += list.size();
    for (const auto& e : list) ++g.offsets[e.first + 1];
  }
  for (std::size_t i = 0; i < n; ++i) g.offsets[i + 1] += g.offsets[i];
  g.targets.resize(total);
  std::vector<std::uint64_t> fill(g.offsets.begin(), g.offsets.end() - 1);
  for (const auto& list : lists)
    for (const auto& e : list) g.targets[fill[e.first]++] = e.second;
  return g;
}

}  // namespace checker
