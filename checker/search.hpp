#pragma once
// Explicit-state search over any checker::Model: breadth-first (default; its first counterexample is a
// shortest one), depth-first, and breadth-first with several threads.
//
// Breadth-first search keeps no queue: the store hands out ids in insertion order, so level d is an id range
// [begin, end) and level d+1 is whatever was inserted while expanding it. Threads take chunks of a level's
// range and meet at a barrier between levels; with one thread this is exactly the sequential search, and in
// every thread count a state first found while expanding level d has depth d+1, so a stop recorded at the
// first level that has one is a shortest counterexample.

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "checker/any_store.hpp"
#include "checker/comm.hpp"
#include "checker/graph.hpp"
#include "checker/hash.hpp"
#include "checker/model.hpp"
#include "checker/stats.hpp"
#include "checker/store.hpp"

namespace checker {

enum class Order { Bfs, Dfs };

struct Limits {
  std::size_t max_states = 0;        ///< 0: none (beyond the store's 2^31 ids)
  std::size_t max_memory_bytes = 0;  ///< 0: three quarters of physical memory
  double time_limit_seconds = 0;     ///< 0: none
};

struct SearchOptions {
  Order order = Order::Bfs;
  unsigned threads = 1;  ///< > 1 only with Order::Bfs
  Limits limits;
  /// Called about every `progress_interval` seconds from one thread, with the statistics so far.
  std::function<void(const Stats&)> progress;
  double progress_interval_seconds = 1.0;
  unsigned initial_log2_slots = 16;
  /// Where states are kept: plain (whole states), tree (compressed, lossless) or hash (fingerprints: may miss
  /// states, and Stats says so with the probability).
  StoreKind store = StoreKind::Plain;
  /// Keep every transition's (source, target) ids, for the trap analysis after a complete search:
  /// 8 bytes per transition during the search, then a Graph (recorded_graph()).
  bool record_graph = false;
  /// A distributed run's ranks (comm.hpp), for the callers that choose DistributedExplorer (distributed.hpp) when
  /// it joins more than one; Explorer itself ignores it.
  Comm* comm = nullptr;
};

/// The checker's own failure (a model that is not a function, a trace that does not rebuild): a bug, not a
/// verdict.
struct InternalError : std::logic_error {
  using std::logic_error::logic_error;
};

/// The event an observer stopped the search on.
template <class M>
struct StopRecord {
  enum class Kind { State, Edge, Deadlock };
  Kind kind;
  StateId at;                               ///< the state (State, Deadlock) or the edge's source (Edge)
  std::optional<typename M::Label> label;   ///< Edge only
  std::optional<typename M::State> target;  ///< Edge only: the successor, which may not be stored
};

template <class M>
struct SearchResult {
  Outcome outcome = Outcome::Complete;
  Stats stats;
  std::optional<StopRecord<M>> stop;  ///< set when outcome == Stopped
};

/// One step of a trace: the label that led here (none for the initial state) and the state reached.
template <class M>
struct Step {
  std::optional<typename M::Label> label;
  typename M::State state;
  StateId id;  ///< kNoState for an edge target the search never stored
};

template <Model M>
class Explorer {
 public:
  using State = typename M::State;
  using Label = typename M::Label;

  /// \throws std::invalid_argument for threads == 0, or threads > 1 with depth-first order.
  Explorer(const M& model, SearchOptions options) : model_(model), options_(std::move(options)) {
    if (options_.threads == 0) throw std::invalid_argument("search: threads must be at least 1");
    if (options_.threads > 1 && options_.order != Order::Bfs)
      throw std::invalid_argument("search: several threads need breadth-first order");
    std::size_t budget = options_.limits.max_memory_bytes;
    if (budget == 0) budget = physical_memory_bytes() / 4 * 3;
    StoreConfig config;
    config.kind = options_.store;
    config.state_size = sizeof(State);
    config.slices = declared_slices<M>();
    if (options_.limits.max_states != 0) config.max_states = options_.limits.max_states;
    config.max_bytes = budget / 10 * 9;  // the rest is for buffers, stacks and the program itself
    config.initial_log2_slots = options_.initial_log2_slots;
    store_.emplace(config);
  }

  /// Runs the search once. \pre run() was not called before on this explorer.
  template <class Observer = NoObserver>
  SearchResult<M> run(Observer&& observer = {}) {
    if (ran_) throw std::logic_error("search: an explorer runs once");
    ran_ = true;
    start_ = Clock::now();
    last_progress_ = start_;
    SearchResult<M> result;
    store_->visit([&](auto& store) {
      Run<std::remove_reference_t<Observer>, std::remove_reference_t<decltype(store)>> r{*this, observer, store};
      r.go();
      result.outcome = r.outcome;
      result.stop = r.stop;
      result.stats = stats_now(r.transitions.load(), r.depth);
      if (options_.record_graph && result.outcome == Outcome::Complete)
        graph_ = graph_from_edges(store_->size(), r.edges);
    });
    result.stats.peak_memory_bytes = peak_resident_bytes();
    outcome_ = result.outcome;
    return result;
  }

  const M& model() const noexcept { return model_; }
  /// The graph the search recorded, if SearchOptions::record_graph and the search completed.
  const std::optional<Graph>& recorded_graph() const noexcept { return graph_; }
  /// How run() ended; empty before it ran.
  std::optional<Outcome> outcome() const noexcept { return outcome_; }
  const AnyStore& store() const noexcept { return *store_; }
  const SearchOptions& options() const noexcept { return options_; }
  /// States stored so far (after run(): every state the search reached).
  std::size_t stored_states() const { return store_->size(); }
  StateId parent(StateId id) const { return store_->parent(id); }
  /// Whether an observer pruned state `id` (it was not expanded).
  bool pruned(StateId id) const { return store_->flag(id); }

  State state(StateId id) const {
    State s;
    if (!store_->holds_bytes(id)) return rebuild(id);
    store_->read(id, reinterpret_cast<std::byte*>(&s));
    return s;
  }

  std::optional<StateId> find(const State& s) const { return store_->find(reinterpret_cast<const std::byte*>(&s)); }

  /// Calls fn(id, state) once for every stored state: in id order when every state's bytes are at hand, else
  /// (a hash store whose search released old levels) in the order of a breadth-first walk that regenerates the
  /// states from the initial ones, following only edges to stored states and not expanding pruned ones.
  /// \pre the search ran.
  template <class Fn>
  void for_each_state(Fn&& fn) const {
    const std::size_t n = store_->size();
    const HashStore* hashed = store_->get_if<HashStore>();
    if (hashed == nullptr || !hashed->released_any()) {
      for (StateId id = 0; id < n; ++id) fn(id, state(id));
      return;
    }
    std::vector<std::uint8_t> seen(n, 0);
    std::vector<std::pair<StateId, State>> level, next;
    model_.initial([&](const State& s) {
      const std::optional<StateId> id = find(s);
      if (id && !seen[*id]) {
        seen[*id] = 1;
        level.emplace_back(*id, s);
      }
    });
    while (!level.empty()) {
      for (const auto& [id, s] : level) {
        fn(id, s);
        if (store_->flag(id)) continue;
        model_.successors(s, [&](const Label&, const State& t) {
          const std::optional<StateId> to = find(t);
          if (to && !seen[*to]) {
            seen[*to] = 1;
            next.emplace_back(*to, t);
          }
        });
      }
      level.swap(next);
      next.clear();
    }
  }

  /// The first label (in successors() order) of a transition from `from` to `to`.
  /// \throws InternalError when `to` is not a successor of `from`.
  Label label_between(StateId from, StateId to) const {
    const State target = state(to);
    std::optional<Label> found;
    model_.successors(state(from), [&](const Label& label, const State& next) {
      if (!found && std::memcmp(&next, &target, sizeof(State)) == 0) found = label;
    });
    if (!found)
      throw InternalError("trace rebuilding: state " + std::to_string(to) + " is not a successor of state " +
                          std::to_string(from));
    return *found;
  }

  /// The path the search took to `id`: parents walked back to an initial state, labels recovered by
  /// re-running successors(). \throws InternalError when the path does not rebuild.
  std::vector<Step<M>> trace_to(StateId id) const {
    std::vector<StateId> ids;
    for (StateId at = id; at != kNoState; at = store_->parent(at)) {
      if (ids.size() > store_->size()) throw InternalError("trace rebuilding: the parent chain has a cycle");
      ids.push_back(at);
    }
    std::reverse(ids.begin(), ids.end());
    return steps_along(ids);
  }

  /// The states `ids` as a trace; ids[0] must be an initial state and each next id a successor.
  std::vector<Step<M>> steps_along(const std::vector<StateId>& ids) const {
    std::vector<Step<M>> steps;
    if (ids.empty()) return steps;
    const State first = state(ids.front());
    bool is_initial = false;
    model_.initial([&](const State& s) { is_initial = is_initial || std::memcmp(&s, &first, sizeof(State)) == 0; });
    if (!is_initial)
      throw InternalError("trace rebuilding: state " + std::to_string(ids.front()) + " is not an initial state");
    steps.push_back({std::nullopt, first, ids.front()});
    for (std::size_t k = 1; k < ids.size(); ++k)
      steps.push_back({label_between(ids[k - 1], ids[k]), state(ids[k]), ids[k]});
    return steps;
  }

  /// The trace of a stop: the path to the state, plus the stopping transition for an edge.
  std::vector<Step<M>> trace_of(const StopRecord<M>& stop) const {
    std::vector<Step<M>> steps = trace_to(stop.at);
    if (stop.kind == StopRecord<M>::Kind::Edge) {
      const std::optional<StateId> stored = find(*stop.target);
      steps.push_back({stop.label, *stop.target, stored.value_or(kNoState)});
    }
    return steps;
  }

 private:
  using Clock = std::chrono::steady_clock;

  /// A hash store's released state: re-run the model along the parent chain, at each step taking the
  /// successor with the stored fingerprint.
  State rebuild(StateId id) const {
    const HashStore& hashed = *store_->get_if<HashStore>();
    std::vector<StateId> chain;
    for (StateId at = id; at != kNoState; at = hashed.parent(at)) {
      if (chain.size() > hashed.size()) throw InternalError("state rebuilding: the parent chain has a cycle");
      chain.push_back(at);
    }
    const auto print = [&](const State& s) {
      return hash_bytes(reinterpret_cast<const std::byte*>(&s), sizeof(State));
    };
    std::optional<State> at;
    model_.initial([&](const State& s) {
      if (!at && print(s) == hashed.fingerprint(chain.back())) at = s;
    });
    for (std::size_t k = chain.size() - 1; at && k-- > 0;) {
      const HashStore::Key wanted = hashed.fingerprint(chain[k]);
      std::optional<State> next;
      model_.successors(*at, [&](const Label&, const State& t) {
        if (!next && print(t) == wanted) next = t;
      });
      at = next;
    }
    if (!at)
      throw InternalError("state rebuilding: state " + std::to_string(id) + " does not rebuild from its parents");
    return *at;
  }
  static constexpr std::size_t kChunk = 64;     // states a thread claims at a time
  static constexpr std::size_t kPrefetch = 16;  // successors looked ahead for the table

  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  Stats stats_now(std::size_t transitions, std::size_t depth) const {
    Stats s;
    s.states = store_->size();
    s.store = options_.store;
    if (s.store == StoreKind::Hash) s.omission_probability = HashStore::omission_probability(s.states);
    s.transitions = transitions;
    s.depth = depth;
    s.seconds = elapsed();
    s.states_per_second = s.seconds > 0 ? static_cast<double>(s.states) / s.seconds : 0;
    s.threads = options_.threads;
    return s;
  }

  template <class Store>
  struct Pending {
    Label label;
    State state;
    typename Store::Key key;
    StateId parent;
    std::uint32_t depth;
  };

  /// One run's mutable state, shared by its threads, on one kind of store.
  template <class Observer, class Store>
  struct Run {
    using Pending = Explorer::Pending<Store>;
    Run(Explorer& explorer, Observer& obs, Store& st)
        : ex(explorer),
          observer(obs),
          store(st),
          edges(explorer.options_.record_graph ? explorer.options_.threads : 0) {}

    Explorer& ex;
    Observer& observer;
    Store& store;
    Outcome outcome = Outcome::Complete;
    std::optional<StopRecord<M>> stop;
    std::atomic<bool> halted{false};
    std::atomic<std::size_t> transitions{0};
    std::size_t depth = 0;
    std::mutex stop_mutex;
    std::vector<std::vector<std::pair<StateId, StateId>>> edges;  ///< per thread, when recording the graph

    // Breadth-first level bookkeeping (written only between levels).
    std::size_t level_begin = 0;
    std::size_t level_end = 0;
    std::atomic<std::size_t> cursor{0};

    void halt(Outcome why, std::optional<StopRecord<M>> record = std::nullopt) {
      std::lock_guard lock(stop_mutex);
      if (halted.load(std::memory_order_relaxed)) return;
      outcome = why;
      stop = std::move(record);
      halted.store(true, std::memory_order_release);
    }

    /// The store's key for a state: a plain or hash store's is hash_bytes() of the state, computed here with
    /// the size known at compile time; the tree store interns the state's slices.
    typename Store::Key key_of(const std::byte* bytes, const typename Store::Hint* hint) {
      if constexpr (std::is_same_v<Store, TreeStore>)
        return store.prepare(bytes, hint);
      else
        return hash_bytes(bytes, sizeof(State));
    }

    /// Stores `next` (found from `parent`). Returns its id (kNoState when the store is full) and sets
    /// `expand` when it is new and should be expanded.
    StateId add(const State& next, const typename Store::Key& key, StateId parent, bool& expand) {
      expand = false;
      const auto r = store.insert(key, reinterpret_cast<const std::byte*>(&next), parent);
      if (r.full()) {
        halt(r.outcome == StateStore::Outcome::FullStates ? Outcome::StateLimit : Outcome::MemoryLimit);
        return kNoState;
      }
      if (!r.is_new()) return r.id;
      if constexpr (requires { observer.on_state(next, r.id); }) {
        switch (observer.on_state(next, r.id)) {
          case Action::Continue:
            break;
          case Action::Prune:
            store.set_flag(r.id);
            return r.id;
          case Action::Stop:
            halt(Outcome::Stopped, StopRecord<M>{StopRecord<M>::Kind::State, r.id, std::nullopt, std::nullopt});
            return r.id;
        }
      }
      expand = true;
      return r.id;
    }

    /// Generates the successors of `id` into `out`, calling the edge and deadlock observers.
    std::size_t expand(StateId id, std::uint32_t depth_of_next, std::vector<Pending>& out) {
      State s;
      typename Store::Hint hint;
      store.read(id, reinterpret_cast<std::byte*>(&s), &hint);
      hint.base = reinterpret_cast<const std::byte*>(&s);
      std::size_t count = 0;
      ex.model_.successors(s, [&](const Label& label, const State& next) {
        ++count;
        if constexpr (requires { observer.on_edge(s, id, label, next); }) {
          switch (observer.on_edge(s, id, label, next)) {
            case Action::Continue:
              break;
            case Action::Prune:
              return;
            case Action::Stop:
              halt(Outcome::Stopped, StopRecord<M>{StopRecord<M>::Kind::Edge, id, label, next});
              return;
          }
        }
        const auto* bytes = reinterpret_cast<const std::byte*>(&next);
        out.push_back(Pending{label, next, key_of(bytes, &hint), id, depth_of_next});
      });
      if (count == 0) {
        if constexpr (requires { observer.on_deadlock(s, id); }) {
          if (observer.on_deadlock(s, id) == Action::Stop)
            halt(Outcome::Stopped, StopRecord<M>{StopRecord<M>::Kind::Deadlock, id, std::nullopt, std::nullopt});
        }
      }
      return count;
    }

    /// Stores the pending successors in order, looking a few ahead into the table; calls `fresh(id, depth)`
    /// for each new one to be expanded, and records each edge in `edge_out` when the graph is recorded.
    template <class Fresh>
    void store_all(std::vector<Pending>& pending, std::vector<std::pair<StateId, StateId>>* edge_out, Fresh&& fresh) {
      const std::size_t n = pending.size();
      // Two-stage look-ahead: the table slot kPrefetch successors ahead, the stored state half as far ahead.
      constexpr std::size_t kHalf = kPrefetch / 2;
      for (std::size_t i = 0; i < std::min(n, kPrefetch); ++i) store.prefetch(pending[i].key);
      for (std::size_t i = 0; i < std::min(n, kHalf); ++i) store.prefetch_deep(pending[i].key);
      for (std::size_t i = 0; i < n; ++i) {
        if (i + kPrefetch < n) store.prefetch(pending[i + kPrefetch].key);
        if (i + kHalf < n) store.prefetch_deep(pending[i + kHalf].key);
        if (halted.load(std::memory_order_relaxed)) break;
        const Pending& p = pending[i];
        if constexpr (requires { observer.covered(p.state); }) {
          if (observer.covered(p.state)) continue;  // a stored state covers it (checker/covering.hpp)
        }
        bool expand = false;
        const StateId id = add(p.state, p.key, p.parent, expand);
        if (id == kNoState) break;
        if (edge_out) edge_out->emplace_back(p.parent, id);
        if (expand) fresh(id, p.depth);
      }
      pending.clear();
    }

    bool over_time() const {
      const double limit = ex.options_.limits.time_limit_seconds;
      return limit > 0 && ex.elapsed() >= limit;
    }

    /// Progress and time limit; called by one thread at a time.
    void tick() {
      if (over_time()) halt(Outcome::TimeLimit);
      if (stop_requested()) halt(Outcome::Interrupted);
      if (!ex.options_.progress) return;
      const auto now = Clock::now();
      if (std::chrono::duration<double>(now - ex.last_progress_).count() >= ex.options_.progress_interval_seconds) {
        ex.last_progress_ = now;
        ex.options_.progress(ex.stats_now(transitions.load(std::memory_order_relaxed), depth));
      }
    }

    void go() {
      add_initials();
      if (halted.load()) return;
      if (ex.options_.order == Order::Dfs)
        depth_first();
      else
        breadth_first();
    }

    void add_initials() {
      ex.model_.initial([&](const State& s) {
        if (halted.load(std::memory_order_relaxed)) return;
        const auto* bytes = reinterpret_cast<const std::byte*>(&s);
        bool expand = false;
        add(s, key_of(bytes, nullptr), kNoState, expand);
      });
    }

    // ---- breadth-first, level by level ------------------------------------------------------------
    void work_on_level(unsigned index) {
      auto* edge_out = edges.empty() ? nullptr : &edges[index];
      typename Store::Worker registered(store);
      std::vector<Pending> pending;
      const std::uint32_t next_depth = static_cast<std::uint32_t>(depth + 1);
      while (!halted.load(std::memory_order_relaxed)) {
        const std::size_t from = cursor.fetch_add(kChunk, std::memory_order_relaxed);
        if (from >= level_end) break;
        const std::size_t to = std::min(from + kChunk, level_end);
        std::size_t generated = 0;
        for (std::size_t id = from; id < to; ++id) {
          if (!store.flag(static_cast<StateId>(id))) generated += expand(static_cast<StateId>(id), next_depth, pending);
        }
        transitions.fetch_add(generated, std::memory_order_relaxed);
        store_all(pending, edge_out, [](StateId, std::uint32_t) {});
        if (index == 0) tick();
      }
    }

    /// Between levels (one thread): returns false when the search is over.
    bool next_level() {
      if (halted.load()) return false;
      const std::size_t end = store.size();
      if (end == level_end) return false;  // the level found nothing new: done
      ++depth;
      // A hash store keeps whole states only for the levels still to expand.
      if constexpr (requires { store.release_below(StateId{}); }) store.release_below(static_cast<StateId>(level_end));
      level_begin = level_end;
      level_end = end;
      cursor.store(level_begin, std::memory_order_relaxed);
      return true;
    }

    void breadth_first() {
      level_begin = 0;
      level_end = store.size();
      cursor.store(0);
      const unsigned n = ex.options_.threads;
      if (n == 1) {
        do work_on_level(0);
        while (next_level());
        return;
      }
      bool done = false;
      std::barrier sync(static_cast<std::ptrdiff_t>(n), [&]() noexcept { done = !next_level(); });
      auto worker = [&](unsigned index) {
        do {
          work_on_level(index);
          sync.arrive_and_wait();  // the Worker guard is released: growth never waits for this barrier
        } while (!done);
      };
      std::vector<std::jthread> threads;
      for (unsigned i = 1; i < n; ++i) threads.emplace_back(worker, i);
      worker(0);
    }

    // ---- depth-first --------------------------------------------------------------------------
    void depth_first() {
      struct Entry {
        StateId id;
        std::uint32_t depth;
      };
      std::vector<Entry> stack;
      for (std::size_t id = store.size(); id-- > 0;) stack.push_back({static_cast<StateId>(id), 0});
      std::vector<Pending> pending;
      std::size_t since_tick = 0;
      while (!stack.empty() && !halted.load(std::memory_order_relaxed)) {
        const Entry e = stack.back();
        stack.pop_back();
        depth = std::max<std::size_t>(depth, e.depth);
        if (store.flag(e.id)) continue;
        transitions.fetch_add(expand(e.id, e.depth + 1, pending), std::memory_order_relaxed);
        store_all(pending, edges.empty() ? nullptr : &edges[0], [&](StateId id, std::uint32_t d) {
          stack.push_back({id, d});
        });
        if (++since_tick == kChunk) {
          since_tick = 0;
          tick();
        }
      }
    }
  };

  const M& model_;
  SearchOptions options_;
  std::optional<AnyStore> store_;
  bool ran_ = false;
  std::optional<Outcome> outcome_;
  std::optional<Graph> graph_;
  Clock::time_point start_;
  Clock::time_point last_progress_;
};

}  // namespace checker
