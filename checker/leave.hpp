#pragma once
// How long can a run stay in a region of the state space? From a start state inside a region, over the moves a
// filter keeps, each costing cost(label) (say 1 per tick, 0 otherwise): the least and the greatest total cost
// of a run up to and including the move that leaves the region, and whether some run never leaves (a cycle
// inside the region, or a dead end inside it). `explain` measures how long an endpoint can sit in CLOSE-WAIT or
// LAST-ACK with it; the checker knows nothing of what the region means.
//
// The least cost is a Dijkstra search (costs are small non-negative integers); the greatest a depth-first
// search over the region with each state's answer kept, so every state is expanded once. Both stop after
// `max_states` distinct states, and then say so (`cut`): the figures are not known.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checker/model.hpp"

namespace checker {

template <class M>
struct Leave {
  using State = typename M::State;
  using Label = typename M::Label;
  /// A way out: the move that leaves the region, and the state it leads to.
  struct Exit {
    Label label;
    State to;
  };
  std::optional<std::uint64_t> min_cost;  ///< none: no run leaves the region
  std::optional<std::uint64_t> max_cost;  ///< none: some run stays forever (or none leaves)
  std::optional<Exit> quickest;           ///< the leaving move of a cheapest way out
  std::optional<Exit> slowest;            ///< the leaving move of a dearest way out, when max_cost is known
  bool dead_end = false;                  ///< some run reaches a state inside the region with no kept move
  bool cycle = false;                     ///< some run can go round inside the region forever
  bool cut = false;                       ///< more than max_states states: the figures are not known
  std::size_t states = 0;                 ///< distinct states inside the region visited
};

/// \param inside   inside(state): whether a state is in the region (`start` must be)
/// \param allowed  allowed(label): whether a move is one of the runs considered
/// \param cost     cost(label): a small non-negative integer
template <Model M, class Inside, class Allowed, class Cost>
Leave<M> cost_to_leave(const M& model, const typename M::State& start, Inside&& inside, Allowed&& allowed, Cost&& cost,
                       std::size_t max_states = 2'000'000) {
  using State = typename M::State;
  using Label = typename M::Label;
  using Exit = typename Leave<M>::Exit;
  const auto key = [](const State& s) { return std::string(reinterpret_cast<const char*>(&s), sizeof s); };
  const auto moves = [&](const State& s) {
    std::vector<std::pair<Label, State>> kept;
    model.successors(s, [&](const Label& l, const State& to) {
      if (allowed(l)) kept.emplace_back(l, to);
    });
    return kept;
  };
  Leave<M> out;

  // The greatest cost: depth-first, iterative, each state's answer kept (none: forever).
  struct Node {
    std::uint8_t mark = 0;  // 0 new, 1 on the path, 2 done
    std::optional<std::uint64_t> longest;
    std::optional<Exit> exit;
  };
  std::unordered_map<std::string, Node> nodes;
  struct Frame {
    State s;
    std::string k;
    std::vector<std::pair<Label, State>> next;
    std::size_t at = 0;
    bool forever = false;
    std::optional<std::uint64_t> best;
    std::optional<Exit> exit;
  };
  std::vector<Frame> path;
  const auto enter = [&](const State& s) {
    Frame f{s, key(s), moves(s), 0, false, std::nullopt, std::nullopt};
    nodes[f.k].mark = 1;
    if (f.next.empty()) {
      f.forever = true;
      out.dead_end = true;
    }
    path.push_back(std::move(f));
  };
  enter(start);
  while (!path.empty() && !out.cut) {
    Frame& f = path.back();
    if (f.at == f.next.size()) {
      Node& done = nodes[f.k];
      done.mark = 2;
      done.longest = f.forever ? std::nullopt : f.best;
      done.exit = f.exit;
      const std::optional<std::uint64_t> result = done.longest;
      const std::optional<Exit> exit = done.exit;
      path.pop_back();
      if (path.empty()) break;
      Frame& parent = path.back();  // the child was parent.next[parent.at - 1]
      const Label& l = parent.next[parent.at - 1].first;
      if (!result) {
        parent.forever = true;
      } else if (!parent.best || *result + cost(l) > *parent.best) {
        parent.best = *result + cost(l);
        parent.exit = exit;
      }
      continue;
    }
    const auto& [label, to] = f.next[f.at++];
    const std::uint64_t c = cost(label);
    if (!inside(to)) {
      if (!f.best || c > *f.best) {
        f.best = c;
        f.exit = Exit{label, to};
      }
      continue;
    }
    const std::string k = key(to);
    const auto it = nodes.find(k);
    if (it == nodes.end()) {
      if (nodes.size() >= max_states) {
        out.cut = true;
        break;
      }
      enter(to);  // invalidates f
      continue;
    }
    if (it->second.mark == 1) {  // back onto the path: a cycle inside the region
      out.cycle = true;
      f.forever = true;
    } else if (!it->second.longest) {
      f.forever = true;
    } else if (!f.best || *it->second.longest + c > *f.best) {
      f.best = *it->second.longest + c;
      f.exit = it->second.exit;
    }
  }
  out.states = nodes.size();
  if (!out.cut) {
    const Node& root = nodes[key(start)];
    out.max_cost = root.longest;
    if (root.longest) out.slowest = root.exit;
  }

  // The least cost: Dijkstra over the region; a move out of it ends a run.
  std::unordered_map<std::string, std::uint64_t> dist;
  using Item = std::pair<std::uint64_t, State>;
  const auto later = [](const Item& a, const Item& b) { return a.first > b.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(later)> queue(later);
  dist[key(start)] = 0;
  queue.emplace(0, start);
  while (!queue.empty()) {
    const auto [d, s] = queue.top();
    queue.pop();
    if (dist[key(s)] < d) continue;
    if (out.min_cost && d >= *out.min_cost) break;
    for (const auto& [label, to] : moves(s)) {
      const std::uint64_t nd = d + cost(label);
      if (!inside(to)) {
        if (!out.min_cost || nd < *out.min_cost) {
          out.min_cost = nd;
          out.quickest = Exit{label, to};
        }
        continue;
      }
      auto [it, fresh] = dist.try_emplace(key(to), nd);
      if (!fresh && it->second <= nd) continue;
      if (fresh && dist.size() > max_states) {
        out.cut = true;
        return out;
      }
      it->second = nd;
      queue.emplace(nd, to);
    }
  }
  return out;
}

}  // namespace checker
