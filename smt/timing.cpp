#include "smt/timing.hpp"

#include <fmt/core.h>
#include <z3++.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "model/timing.hpp"

namespace smt::timing {

namespace {

namespace mt = model::timing;
using Trace = std::vector<checker::Step<model::TeardownModel>>;

/// What each clock below kNew stands for: the step whose variable holds its value (0: the origin), or -1 (off).
using Clocks = std::array<int, mt::kNew>;

/// Which timer runs: 0 none, 1 RTO, 2 TIME-WAIT, 3 FIN-WAIT-2 (one at a time per side, model/timing.cpp).
int timer_kind(const model::Tcb& t) {
  return t.rto != 0 ? 1 : t.time_wait != 0 ? 2 : t.fin_wait2 != 0 ? 3 : 0;
}
unsigned timer_ticks(const model::Knobs& k, int kind) {
  return kind == 1 ? k.rto_ticks() : kind == 2 ? k.time_wait_ticks() : kind == 3 ? k.fin_wait2_timeout : 0;
}
const char* timer_name(int kind) {
  return kind == 1 ? "retransmission timer" : kind == 2 ? "TIME-WAIT timer" : "FIN-WAIT-2 timer";
}
const char* side_name(unsigned side) {
  return side == 0 ? "A" : "B";
}
std::string ticks_text(unsigned n) {
  return fmt::format("{} {}", n, n == 1 ? "tick" : "ticks");
}

/// A z3 numeral as a double (the values here are small rationals).
double to_double(const z3::expr& e) {
  try {
    const std::int64_t num = e.numerator().get_numeral_int64();
    const std::int64_t den = e.denominator().get_numeral_int64();
    return static_cast<double>(num) / static_cast<double>(den);
  } catch (const z3::exception&) {
    std::string text = e.get_decimal_string(17);
    if (!text.empty() && text.back() == '?') text.pop_back();
    return std::strtod(text.c_str(), nullptr);
  }
}

/// One named (tracked) constraint: its reason in words and how telling it is (0: a network lifetime, a delay
/// or a timer; 1: a tick's bounds; 2: trace order and tick lengths).
struct Named {
  std::string text;
  int rank = 0;
  std::size_t step = 0;
  int after = -1;  ///< a trace-order constraint "step `step` comes no earlier than step `after`"; -1 otherwise
};

class Search {
 public:
  Search(const model::TeardownModel& model, const Trace& trace) : knobs_(model.knobs()), trace_(trace), solver_(ctx_) {
    try {
      z3::params p(ctx_);
      p.set("core.minimize", true);
      solver_.set(p);
    } catch (const z3::exception&) {
      // an older Z3 without the option: the core may be larger than needed
    }
    t_.push_back(ctx_.real_val(0));
    for (std::size_t k = 1; k < trace.size(); ++k) t_.push_back(ctx_.real_const(fmt::format("t{}", k).c_str()));
    ticks_.assign(trace.size(), 0);
    unsigned tick = 0;
    for (std::size_t k = 1; k < trace.size(); ++k) {
      if (trace[k].label && trace[k].label->event == model::Event::Tick) ++tick;
      ticks_[k] = static_cast<int>(tick);
    }
    sent_at_.assign(trace.size(), -1);
  }

  RealTime run() {
    RealTime out;
    Clocks start;
    start.fill(-1);
    start[mt::kZ] = start[mt::kN] = 0;
    if (trace_.empty()) {
      out.feasible = true;
      return out;
    }
    if (dfs(1, start)) {
      out.feasible = true;
      out.seconds = std::move(seconds_);
      out.sent_at = std::move(found_sent_at_);
      return out;
    }
    out.why = first_why_.empty() ? "no real times fit" : first_why_;
    if (leaves_ > 1)
      out.why += fmt::format(
          " (the same holds for each of the {} ways tried to match deliveries to equal segments "
          "in flight; the reason shown is the first's)",
          leaves_);
    if (capped_)
      out.why += fmt::format(
          " (gave up after {} ways to match deliveries to equal segments in flight: the rest "
          "were not tried)",
          kMaxCombinations);
    return out;
  }

 private:
  bool dfs(std::size_t k, const Clocks& cur) {
    if (k == trace_.size()) return leaf();
    const model::State& s = trace_[k - 1].state;
    if (!trace_[k].label) throw std::logic_error(fmt::format("realtime: step {} has no label", k));
    const model::Label& l = *trace_[k].label;
    const model::State& next = trace_[k].state;
    auto slots = mt::delivery_slots(s, l);
    const bool delivery = l.event == model::Event::Deliver;
    if (slots.empty()) slots.push_back(0);  // not a delivery (or one of no segment: step_timing throws)
    const bool branch = slots.size() > 1;
    for (unsigned slot : slots) {
      if (leaves_ >= kMaxCombinations) {
        capped_ = true;
        return false;
      }
      const mt::StepTiming st = mt::step_timing(knobs_, s, l, next, slot);
      if (branch) solver_.push();
      for (const mt::Rel& r : st.rels) add(k, cur, st, slot, r);
      sent_at_[k] = delivery ? cur[mt::kSlot0 + slot] : -1;
      const bool ok = dfs(k + 1, remap(k, cur, st));
      if (branch) solver_.pop();
      if (ok) return true;
    }
    return false;
  }

  /// The clocks after step k.
  Clocks remap(std::size_t k, const Clocks& cur, const mt::StepTiming& st) const {
    const int now = static_cast<int>(k);
    const auto source = [&](int from) { return from < 0 ? -1 : from == static_cast<int>(mt::kNew) ? now : cur[from]; };
    Clocks nc;
    nc.fill(-1);
    nc[mt::kZ] = st.tick ? now : cur[mt::kZ];
    nc[mt::kN] = st.tick ? cur[mt::kN] : now;
    for (unsigned i = 0; i < mt::kSlots; ++i) nc[mt::kSlot0 + i] = source(st.slot_from[i]);
    for (unsigned side = 0; side < 2; ++side) nc[mt::kTimer0 + side] = source(st.timer_from[side]);
    return nc;
  }

  /// Asserts the relation `r` of step k, named so that an unsat core can say why.
  void add(std::size_t k, const Clocks& cur, const mt::StepTiming& st, unsigned slot, const mt::Rel& r) {
    const auto var = [&](unsigned clock) -> int {
      if (clock == mt::kNew) return static_cast<int>(k);
      if (cur[clock] < 0) throw std::logic_error(fmt::format("realtime: step {} constrains a clock that is off", k));
      return cur[clock];
    };
    const int vi = var(r.i), vj = var(r.j);
    const z3::expr diff = t_[static_cast<std::size_t>(vi)] - t_[static_cast<std::size_t>(vj)];
    const z3::expr bound = ctx_.real_val(r.c);
    const z3::expr e = r.strict ? diff < bound : diff <= bound;
    const std::string name = fmt::format("r{}", named_.size());
    named_.push_back(describe(k, cur, st, slot, r));
    solver_.add(e, name.c_str());
  }

  /// Step k in words.
  std::string what(std::size_t k) const {
    const model::Label& l = *trace_[k].label;
    if (l.event == model::Event::Tick) return fmt::format("the start of tick {} (step {})", ticks_[k], k);
    if (l.event == model::Event::Deliver) return fmt::format("step {} (a delivery to {})", k, side_name(1u - l.index));
    return fmt::format("step {} ({}'s {})", k, side_name(l.actor < 2 ? l.actor : 0), model::name(l.event));
  }

  Named describe(std::size_t k, const Clocks& cur, const mt::StepTiming& st, unsigned slot, const mt::Rel& r) const {
    const model::State& s = trace_[k - 1].state;
    const model::Label& l = *trace_[k].label;
    const int tick = ticks_[k];
    const auto is_slot = [](unsigned c) { return c >= mt::kSlot0 && c < mt::kSlot0 + mt::kSlots; };
    const auto is_timer = [](unsigned c) { return c >= mt::kTimer0 && c < mt::kTimer0 + 2; };
    Named n;
    n.step = k;
    const std::string msl = fmt::format("MSL ({})", ticks_text(knobs_.msl));
    if (st.tick && (r.i == mt::kZ || r.j == mt::kZ)) {
      n.rank = 2;
      n.text = fmt::format("tick {} starts exactly one tick after tick {}", tick, tick - 1);
    } else if (r.i == mt::kN) {
      n.rank = 2;
      n.after = cur[mt::kN];
      n.text = fmt::format("{} happens no earlier than step {}", what(k), cur[mt::kN]);
    } else if (r.i == mt::kZ) {
      n.rank = 1;
      n.text = fmt::format("{} happens in tick {}, at or after its start", what(k), tick);
    } else if (r.j == mt::kZ) {
      n.rank = 1;
      n.text = fmt::format("{} happens in tick {}, before tick {} starts", what(k), tick, tick + 1);
    } else if (is_timer(r.j) || is_timer(r.i)) {
      const unsigned side = (is_timer(r.j) ? r.j : r.i) - mt::kTimer0;
      const int kind = timer_kind(s.tcb[side]);
      const std::string timer = fmt::format("{}'s {} ({}, set at step {})", side_name(side), timer_name(kind),
                                            ticks_text(timer_ticks(knobs_, kind)), cur[mt::kTimer0 + side]);
      if (is_timer(r.j))
        n.text = fmt::format("{} comes no later than the instant {} expires (it fires first)", what(k), timer);
      else
        n.text = fmt::format("{} fires at {}, exactly when it expires", timer, what(k));
    } else if (is_slot(r.j)) {
      const std::string sent = fmt::format("the segment sent at step {}", cur[r.j]);
      if (l.event == model::Event::Deliver && r.j == mt::kSlot0 + slot)
        n.text = fmt::format("{} would spend at least {} in the network before it arrives at {}", sent, msl, what(k));
      else
        n.text = fmt::format("{} would still be in the network at {}, after at least {} (it must arrive before)", sent,
                             what(k), msl);
    } else if (is_slot(r.i)) {
      n.text = fmt::format("the segment sent at step {} arrives at {}, at least min_delay ({}) after it was sent",
                           cur[r.i], what(k), ticks_text(knobs_.min_delay));
    } else {
      n.rank = 2;
      n.text = fmt::format("{}: a constraint between clocks {} and {}", what(k), r.i, r.j);
    }
    return n;
  }

  bool leaf() {
    ++leaves_;
    if (solver_.check() == z3::sat) {
      const z3::model m = solver_.get_model();
      seconds_.clear();
      for (const z3::expr& x : t_) seconds_.push_back(to_double(m.eval(x, true)));
      found_sent_at_ = sent_at_;
      return true;
    }
    if (first_why_.empty()) first_why_ = explain();
    return false;
  }

  /// The unsat core in words: the telling constraints (lifetimes, delays, timers) first, in trace order.
  std::string explain() {
    std::vector<const Named*> core;
    const z3::expr_vector names = solver_.unsat_core();
    for (unsigned i = 0; i < names.size(); ++i) {
      const std::string name = names[i].to_string();
      if (name.size() < 2 || name[0] != 'r') continue;
      const std::size_t index = std::strtoul(name.c_str() + 1, nullptr, 10);
      if (index < named_.size()) core.push_back(&named_[index]);
    }
    std::stable_sort(core.begin(), core.end(), [](const Named* a, const Named* b) {
      return std::pair(a->rank, a->step) < std::pair(b->rank, b->step);
    });
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < core.size(); ++i) {
      std::string text = core[i]->text;
      if (core[i]->after >= 0) {  // a chain of trace-order constraints in one phrase
        const int first = core[i]->after;
        while (i + 1 < core.size() && core[i + 1]->after == static_cast<int>(core[i]->step)) ++i;
        if (static_cast<int>(core[i]->step) != core[i]->after + 1 || core[i]->after != first)
          text = fmt::format("steps {} to {} happen in trace order", first, core[i]->step);
      }
      if (std::find(texts.begin(), texts.end(), text) == texts.end()) texts.push_back(std::move(text));
    }
    std::string out;
    for (const std::string& text : texts) {
      out += out.empty() ? "" : "; ";
      out += text;
    }
    return out.empty() ? std::string() : fmt::format("no real times fit: {}", out);
  }

  const model::Knobs& knobs_;
  const Trace& trace_;
  z3::context ctx_;
  z3::solver solver_;
  std::vector<z3::expr> t_;  ///< per step: its instant (step 0: the origin, 0)
  std::vector<int> ticks_;   ///< per step: the tick its event happens in (a Tick step: the tick it starts)
  std::vector<Named> named_;
  std::vector<int> sent_at_;
  unsigned leaves_ = 0;
  bool capped_ = false;
  std::vector<double> seconds_;
  std::vector<int> found_sent_at_;
  std::string first_why_;
};

}  // namespace

RealTime realtime(const model::TeardownModel& model, const Trace& trace) {
  Search search(model, trace);
  return search.run();
}

}  // namespace smt::timing
