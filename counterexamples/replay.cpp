#include "counterexamples/replay.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "checker/search.hpp"
#include "counterexamples/json.hpp"
#include "counterexamples/render.hpp"
#include "model/timed_model.hpp"

namespace counterexamples {

namespace {

using model::Label;
using model::State;
using Step = properties::Trace::value_type;

constexpr std::size_t kMaxFrontier = 4096;  // states matching one step (in practice one or two)

/// "what is wrong" with an error message, as the replay's result.
ReplayResult failure(std::string message) {
  ReplayResult r;
  r.error = std::move(message);
  return r;
}

/// The first place where `recorded` and `rendered` differ, as "path: the trace has X, the model gives Y";
/// nothing when equal. Top-level "note" members are not compared.
std::optional<std::string> difference(const Json& recorded, const Json& rendered, const std::string& path, bool top) {
  if (recorded.kind == Json::Kind::Object && rendered.kind == Json::Kind::Object) {
    for (const auto& [key, value] : rendered.members) {
      if (top && key == "note") continue;
      const std::string here = path.empty() ? key : path + "." + key;
      const Json* mine = recorded.get(key);
      if (!mine) return fmt::format("{}: missing (the model gives {})", here, dump(value));
      if (auto d = difference(*mine, value, here, false)) return d;
    }
    for (const auto& [key, value] : recorded.members)
      if (!rendered.get(key) && !(top && key == "note"))
        return fmt::format("{}: not part of a step", path.empty() ? key : path + "." + key);
    return std::nullopt;
  }
  if (recorded.kind == Json::Kind::Array && rendered.kind == Json::Kind::Array &&
      recorded.items.size() == rendered.items.size()) {
    for (std::size_t i = 0; i < recorded.items.size(); ++i)
      if (auto d = difference(recorded.items[i], rendered.items[i], fmt::format("{}[{}]", path, i), false)) return d;
    return std::nullopt;
  }
  if (recorded == rendered) return std::nullopt;
  return fmt::format("{}: the trace has {}, the model gives {}", path, dump(recorded), dump(rendered));
}

/// Number of top-level members that differ (a measure of how close a successor comes to a recorded step).
std::size_t distance(const Json& recorded, const Json& rendered) {
  std::size_t n = 0;
  for (const auto& [key, value] : rendered.members) {
    if (key == "note") continue;
    const Json* mine = recorded.get(key);
    if (!mine || !(*mine == value)) ++n;
  }
  return n;
}

Json render(std::size_t index, unsigned time, const Step& step) {
  auto parsed = parse_json(step_json(index, time, step, {}));
  if (!parsed.value) throw checker::InternalError("replay: a rendered step is not JSON: " + parsed.error);
  return std::move(*parsed.value);
}

/// The knob's value in the form set_knob reads.
std::optional<std::string> knob_text(const Json& v) {
  switch (v.kind) {
    case Json::Kind::Number:
      if (!v.is_u32()) return std::nullopt;
      return fmt::format("{}", static_cast<std::uint32_t>(v.number));
    case Json::Kind::Bool:
      return v.boolean ? "true" : "false";
    case Json::Kind::String:
      return v.text;
    default:
      return std::nullopt;
  }
}

std::optional<std::string> read_knobs(const Json& model, model::Knobs& knobs) {
  if (model.kind != Json::Kind::Object) return fmt::format("model: expected an object, found {}", name(model.kind));
  std::string profile = "rfc9293";
  if (const Json* p = model.get("profile")) {
    if (p->kind != Json::Kind::String) return "model.profile: expected a string";
    profile = p->text;
  }
  if (auto error = model::apply_profile(knobs, profile)) return "model.profile: " + *error;
  for (const auto& [key, value] : model.members) {
    if (key == "profile") continue;
    bool known = false;
    for (const auto& info : model::knob_table()) known = known || info.name == key;
    if (!known) return fmt::format("model.{}: no such knob (see `teardown list knobs`)", key);
    const auto text = knob_text(value);
    if (!text) return fmt::format("model.{}: expected a string, a boolean or a 32-bit number", key);
    if (key == "filter") {  // written space-separated, set one rule at a time
      knobs.filters.clear();
      std::size_t pos = 0;
      while (pos < text->size()) {
        const std::size_t end = std::min(text->find(' ', pos), text->size());
        if (end > pos)
          if (auto error = model::set_knob(knobs, key, std::string_view(*text).substr(pos, end - pos)))
            return fmt::format("model.{}: {}", key, *error);
        pos = end + 1;
      }
      continue;
    }
    if (auto error = model::set_knob(knobs, key, *text)) return fmt::format("model.{}: {}", key, *error);
  }
  if (auto error = model::validate(knobs)) return "model: " + *error;
  return std::nullopt;
}

/// A model (untimed or timed) with a different initial state: the search behind "is a final state reachable
/// from here?".
template <class M>
struct FromState {
  using State = typename M::State;
  using Label = model::Label;
  const M* model;
  State start;
  template <class Yield>
  void initial(Yield&& yield) const {
    yield(start);
  }
  template <class Yield>
  void successors(const State& s, Yield&& yield) const {
    model->successors(s, yield);
  }
};

/// True if no final state is reachable from `s`; nothing if the search hit its bound.
template <class M>
std::optional<bool> trapped(const M& m, const typename M::State& s, std::size_t max_states) {
  struct Goal {
    const M* model;
    checker::Action on_state(const typename M::State& state, checker::StateId) {
      return model->final(state) ? checker::Action::Stop : checker::Action::Continue;
    }
  } goal{&m};
  checker::SearchOptions options;
  options.limits.max_states = max_states;
  options.initial_log2_slots = 10;
  const FromState<M> from{&m, s};  // the explorer keeps a reference to its model
  checker::Explorer<FromState<M>> explorer(from, options);
  const auto run = explorer.run(goal);
  if (run.stop) return false;
  if (run.outcome != checker::Outcome::Complete) return std::nullopt;
  return true;
}

/// The model's steps as replay follows them: in whole ticks, or under timing=exact the timed model's
/// (model/timed_model.hpp), each state with the zone of real times its path allows, so that a replayed trace is
/// real-time feasible step by step and a dead end or trap is one in real time.
class Stepper {
 public:
  explicit Stepper(const model::TeardownModel& m) : m_(m) {
    if (m.knobs().timing_exact) timed_.emplace(m);
  }
  const model::TeardownModel& untimed() const { return m_; }
  std::uint32_t initial_zone() const { return timed_ ? model::timing::initial_zone() : 0; }

  struct Next {
    Label label;
    State state;
    std::uint32_t zone;
  };
  std::vector<Next> of(const State& s, std::uint32_t zone) const {
    std::vector<Next> out;
    if (timed_) {
      timed_->successors(model::TimedState{s, zone}, [&](const Label& l, const model::TimedState& t) {
        out.push_back(Next{l, t.untimed, t.zone});
      });
    } else {
      m_.successors(s, [&](const Label& l, const State& t) { out.push_back(Next{l, t, 0}); });
    }
    return out;
  }
  std::optional<bool> trapped(const State& s, std::uint32_t zone, std::size_t max_states) const {
    return timed_ ? counterexamples::trapped(*timed_, model::TimedState{s, zone}, max_states)
                  : counterexamples::trapped(m_, s, max_states);
  }

 private:
  const model::TeardownModel& m_;
  std::optional<model::TimedModel> timed_;
};

/// Re-checks that the trace's last step breaks `property` (or reaches the goal) and fills in why.
/// zones[i]: the zone of r.trace[i] (0 in whole ticks).
std::optional<std::string> recheck(const Stepper& stepper, Replayed& r, const std::vector<std::uint32_t>& zones,
                                   std::optional<std::size_t> marked, std::size_t trap_search_states) {
  const model::TeardownModel& m = stepper.untimed();
  const State& last = r.trace.back().state;
  if (r.property == "reach") {
    std::string error;
    const auto goal = properties::parse_goal(r.goal, error);
    if (!goal) return "goal: " + error;
    if (last.tcb[0].state != goal->first || last.tcb[1].state != goal->second)
      return fmt::format("the trace follows the model, but its last state (A={} B={}) is not the goal {}",
                         model::name(last.tcb[0].state), model::name(last.tcb[1].state), r.goal);
    r.why = fmt::format("A is in {} and B in {}", model::name(goal->first), model::name(goal->second));
    return std::nullopt;
  }
  const auto p = properties::find(r.property);
  if (!p)
    return fmt::format("property: '{}' is no property of this version (see `teardown list properties`)", r.property);
  const auto& info = properties::all()[*p];
  const auto not_broken = [&] {
    return fmt::format("the trace follows the model, but its last step does not break {}", r.property);
  };
  switch (info.hook) {
    case properties::Hook::Edge: {
      if (r.trace.size() < 2 || !r.trace.back().label) return not_broken();
      auto why = properties::check_edge(*p, m, r.trace[r.trace.size() - 2].state, *r.trace.back().label, last);
      if (!why) return not_broken();
      r.why = std::move(*why);
      return std::nullopt;
    }
    case properties::Hook::State:
    case properties::Hook::Deadlock: {
      auto why = properties::check_state(*p, m, last);
      if (!why || (info.hook == properties::Hook::Deadlock && !stepper.of(last, zones.back()).empty()))
        return not_broken();
      r.why = std::move(*why);
      return std::nullopt;
    }
    case properties::Hook::Trap: {
      const auto at_end = stepper.trapped(last, zones.back(), trap_search_states);
      if (!at_end) return "the last state's future is too large to re-check eventual-close";
      if (!*at_end) return fmt::format("{}: a final state is still reachable from the last state", not_broken());
      std::size_t from = r.trace.size() - 1;
      if (marked && *marked < from) {
        const auto there = stepper.trapped(r.trace[*marked].state, zones[*marked], trap_search_states);
        if (!there) return fmt::format("step {}: its future is too large to re-check the trap mark", *marked);
        if (!*there) return fmt::format("step {} is marked trapped, but a final state is reachable from it", *marked);
        from = *marked;
      }
      r.trapped_from = from;
      for (std::size_t j = from; j + 1 < r.trace.size(); ++j)
        if (r.trace[j].state == last) {
          r.cycle_start = j;
          break;
        }
      if (r.cycle_start)
        r.why = "from the marked state on, no run reaches a final state: this one cycles forever";
      else if (stepper.of(last, zones.back()).empty())
        r.why = "from the marked state on, every run ends in a dead end that is not a final state";
      else
        r.why = "from the marked state on, no run reaches a final state";
      return std::nullopt;
    }
  }
  return not_broken();
}

}  // namespace

ReplayResult replay(std::string_view text, std::size_t trap_search_states) {
  auto parsed = parse_json(text);
  if (!parsed.value) return failure(parsed.error);
  const Json& root = *parsed.value;
  if (root.kind != Json::Kind::Object) return failure("expected a saved trace: a JSON object");
  const Json* tool = root.get("tool");
  if (!tool || tool->kind != Json::Kind::String || tool->text != "teardown")
    return failure("tool: expected \"teardown\" (this is not a trace teardown wrote)");
  for (const auto& [key, value] : root.members)
    if (key != "tool" && key != "version" && key != "model" && key != "property" && key != "goal" && key != "trace" &&
        key != "isn_witness" && key != "replayed")  // "replayed": what `replay --format json` found; recomputed
      return failure(fmt::format(
          "{}: not part of a saved trace (tool, version, model, property, goal, isn_witness, trace, replayed)", key));

  Replayed r;
  const Json* model_json = root.get("model");
  if (!model_json) return failure("model: missing");
  if (auto error = read_knobs(*model_json, r.knobs)) return failure(*error);
  const Json* property = root.get("property");
  if (!property || property->kind != Json::Kind::String) return failure("property: expected a string");
  r.property = property->text;
  if (const Json* goal = root.get("goal")) {
    if (goal->kind != Json::Kind::String) return failure("goal: expected a string");
    r.goal = goal->text;
  }
  if (r.property == "reach" && r.goal.empty()) return failure("goal: a reach witness must name its goal");
  const Json* trace = root.get("trace");
  const Json* steps = trace ? trace->get("steps") : nullptr;
  if (!steps || steps->kind != Json::Kind::Array || steps->items.empty())
    return failure("trace.steps: expected a non-empty array of steps");
  for (std::size_t i = 0; i < steps->items.size(); ++i)
    if (steps->items[i].kind != Json::Kind::Object) return failure(fmt::format("step {}: expected an object", i));

  // Symbolic ISNs: the file's steps show the ISN values of "isn_witness"; a successor is followed only when
  // those values meet its path's constraints, and it is compared as those values make it.
  std::map<model::sym::Symbol, std::uint32_t> witness;
  const Json* isn_witness = root.get("isn_witness");
  if (r.knobs.isn.symbolic() != (isn_witness != nullptr))
    return failure(r.knobs.isn.symbolic() ? "isn_witness: a trace under symbolic ISNs must give the ISNs' values"
                                          : "isn_witness: only a trace under symbolic ISNs has one");
  if (isn_witness) {
    if (isn_witness->kind != Json::Kind::Object) return failure("isn_witness: expected an object");
    for (const auto& [name, value] : isn_witness->members) {
      const auto symbol = model::sym::parse_symbol(name);
      if (!symbol) return failure(fmt::format("isn_witness.{}: not an ISN symbol (ISS_A1, ISS_B2, ...)", name));
      if (value.kind != Json::Kind::Number || value.number < 0 || value.number > 4294967295.0 ||
          value.number != static_cast<double>(static_cast<std::uint32_t>(value.number)))
        return failure(fmt::format("isn_witness.{}: expected a 32-bit unsigned integer", name));
      witness[*symbol] = static_cast<std::uint32_t>(value.number);
    }
  }
  const auto value_of = [&](model::sym::Symbol s) {
    const auto it = witness.find(s);
    return it == witness.end() ? 0u : it->second;
  };
  const auto shown = [&](const Step& step) {
    if (!isn_witness) return step;
    Step c = step;
    c.state = model::concretize(step.state, value_of);
    if (c.label) c.label = model::concretize(*step.label, value_of);
    return c;
  };
  const auto allowed = [&](const State& s) {
    if (!isn_witness) return true;
    for (const auto& atom : model::sym::constraints(s.constraints))
      if (!witness.contains(atom.x) || (atom.y != model::sym::kZero && !witness.contains(atom.y)) ||
          !model::sym::holds(atom, value_of))
        return false;
    return true;
  };

  const model::TeardownModel m(r.knobs);
  const Stepper stepper(m);
  // Every state the trace may be in after each step (with its zone under timing=exact), with the way it got there.
  struct Node {
    Step step;
    std::uint32_t zone;
    unsigned time;
    std::size_t parent;
  };
  std::vector<std::vector<Node>> layers(1);
  layers[0].push_back(Node{Step{std::nullopt, m.initial_state(), checker::kNoState}, stepper.initial_zone(), 0, 0});
  if (auto d = difference(steps->items[0], render(0, 0, shown(layers[0][0].step)), "", true))
    return failure(fmt::format("step 0 is not the model's initial state: {}", *d));

  for (std::size_t i = 1; i < steps->items.size(); ++i) {
    const Json& recorded = steps->items[i];
    std::vector<Node> next;
    std::optional<std::string> closest;
    std::size_t closest_distance = SIZE_MAX;
    for (std::size_t k = 0; k < layers.back().size(); ++k) {
      const Node& from = layers.back()[k];
      for (const auto& [label, state, zone] : stepper.of(from.step.state, from.zone)) {
        if (!allowed(state)) continue;
        const unsigned time = from.time + (label.event == model::Event::Tick ? 1u : 0u);
        Node candidate{Step{label, state, checker::kNoState}, zone, time, k};
        const Json rendered = render(i, time, shown(candidate.step));
        const auto d = difference(recorded, rendered, "", true);
        if (!d) {
          bool seen = false;
          for (const Node& n : next) seen = seen || (n.step.state == state && n.zone == zone);
          if (!seen) next.push_back(std::move(candidate));
          continue;
        }
        const std::size_t dist = distance(recorded, rendered);
        if (dist < closest_distance) {
          closest_distance = dist;
          closest = fmt::format("the closest transition ({} by {}) differs at {}", dump(*rendered.get("label")),
                                dump(*rendered.get("actor")), *d);
        }
      }
    }
    if (next.empty())
      return failure(fmt::format("step {} does not follow from step {}: {}", i, i - 1,
                                 closest ? *closest : std::string("the model has no transition there")));
    if (next.size() > kMaxFrontier) return failure(fmt::format("step {}: too many ways to match this step", i));
    layers.push_back(std::move(next));
  }

  std::optional<std::size_t> marked;  // eventual-close: the step marked as the first trapped one
  for (std::size_t i = 0; i < steps->items.size() && !marked; ++i)
    if (const Json* note = steps->items[i].get("note");
        note && note->kind == Json::Kind::String && note->text == kTrappedNote)
      marked = i;
  // Any surviving path whose end breaks the property will do (in whole ticks the paths differ only in which
  // equal state they pass; in exact time also in their zones, and a dead end may be one in some zones only).
  std::optional<std::string> error;
  for (std::size_t end = 0; end < layers.back().size(); ++end) {
    std::vector<Step> reversed;
    std::vector<std::uint32_t> zones;
    std::size_t k = end;
    for (std::size_t i = layers.size(); i-- > 0;) {
      reversed.push_back(layers[i][k].step);
      zones.push_back(layers[i][k].zone);
      k = layers[i][k].parent;
    }
    r.trace.assign(reversed.rbegin(), reversed.rend());
    std::reverse(zones.begin(), zones.end());
    auto why_not = recheck(stepper, r, zones, marked, trap_search_states);
    if (!why_not) {
      error.reset();
      break;
    }
    if (!error) error = std::move(why_not);
  }
  if (error) return failure(*error);
  for (Step& step : r.trace) step = shown(step);  // what the user sees: concrete numbers
  ReplayResult result;
  result.replayed = std::move(r);
  return result;
}

}  // namespace counterexamples
