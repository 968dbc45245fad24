#pragma once
// Models for testing the checker with no TCP: literal edge lists and seeded random graphs, and an independent
// plain breadth-first search to check the checker's answers against.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <utility>
#include <vector>

namespace checker_test {

struct Node {
  std::uint32_t id;
};

/// A graph over nodes 0..n-1; edge k out of a node has label k (its position in the node's edge list).
struct GraphModel {
  using State = Node;
  using Label = std::uint32_t;

  std::vector<std::vector<std::uint32_t>> edges;
  std::vector<std::uint32_t> initials{0};

  template <class Yield>
  void initial(Yield&& yield) const {
    for (std::uint32_t i : initials) yield(Node{i});
  }
  template <class Yield>
  void successors(const Node& s, Yield&& yield) const {
    const auto& out = edges[s.id];
    for (std::uint32_t k = 0; k < out.size(); ++k) yield(k, Node{out[k]});
  }
};

inline GraphModel graph(std::uint32_t nodes, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& list) {
  GraphModel g;
  g.edges.resize(nodes);
  for (auto [from, to] : list) g.edges[from].push_back(to);
  return g;
}

/// `nodes` nodes, each with a number of out-edges drawn from 1..max_degree, to uniformly drawn targets.
/// Uses std::mt19937 (whose output the standard fixes) with plain modulo, so the graph is the same everywhere.
inline GraphModel random_graph(std::uint32_t seed, std::uint32_t nodes, std::uint32_t max_degree) {
  std::mt19937 rng(seed);
  GraphModel g;
  g.edges.resize(nodes);
  for (auto& out : g.edges) {
    const auto degree = 1 + static_cast<std::uint32_t>(rng() % max_degree);
    for (std::uint32_t k = 0; k < degree; ++k) out.push_back(static_cast<std::uint32_t>(rng() % nodes));
  }
  return g;
}

/// A graph node as a 32-byte state cut into four 8-byte slices, each taking few values across the nodes (so
/// the tree store shares leaves and inner nodes between states): id % 16, id / 16 % 16, id / 256, id % 3.
struct WideNode {
  std::array<std::uint64_t, 4> parts;
  static WideNode of(std::uint32_t id) { return WideNode{{id % 16, id / 16 % 16, id / 256, id % 3}}; }
  std::uint32_t id() const { return static_cast<std::uint32_t>(parts[0] + 16 * parts[1] + 256 * parts[2]); }
};

/// GraphModel over WideNode states, declaring its slices for the tree store.
struct WideGraphModel {
  using State = WideNode;
  using Label = std::uint32_t;
  static constexpr std::array<std::size_t, 4> kSlices{0, 8, 16, 24};

  GraphModel graph;

  template <class Yield>
  void initial(Yield&& yield) const {
    for (std::uint32_t i : graph.initials) yield(WideNode::of(i));
  }
  template <class Yield>
  void successors(const WideNode& s, Yield&& yield) const {
    const auto& out = graph.edges[s.id()];
    for (std::uint32_t k = 0; k < out.size(); ++k) yield(k, WideNode::of(out[k]));
  }
};

/// Independent reference: plain FIFO BFS. Distances (-1 unreachable), reachable count, edge count.
struct Reference {
  std::vector<int> distance;
  std::size_t states = 0;
  std::size_t transitions = 0;
  int depth = 0;
};

inline Reference plain_bfs(const GraphModel& g) {
  Reference r;
  r.distance.assign(g.edges.size(), -1);
  std::deque<std::uint32_t> queue;
  for (std::uint32_t i : g.initials)
    if (r.distance[i] < 0) {
      r.distance[i] = 0;
      queue.push_back(i);
    }
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    ++r.states;
    r.depth = std::max(r.depth, r.distance[s]);
    for (std::uint32_t t : g.edges[s]) {
      ++r.transitions;
      if (r.distance[t] < 0) {
        r.distance[t] = r.distance[s] + 1;
        queue.push_back(t);
      }
    }
  }
  return r;
}

}  // namespace checker_test
