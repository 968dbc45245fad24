#include "cli/probe.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "counterexamples/render.hpp"
#include "model/model_file.hpp"
#include "model/probe.hpp"

namespace cli {
namespace {

/// What `probe` reads from the command line.
struct ProbeOptions {
  std::string profile = "rfc9293";
  std::vector<std::string> sets;
  std::string state, segment, listener, opened = "active", closed_by = "close", format = "text";
  bool table = false;
};

std::string vars_json(const model::ProbeVars& v) {
  return fmt::format(R"({{"ISS":{},"IRS":{},"SND.UNA":{},"SND.NXT":{},"RCV.NXT":{},"RCV.WND":{}}})", v.iss, v.irs,
                     v.snd_una, v.snd_nxt, v.rcv_nxt, v.rcv_wnd);
}

std::string response_json(const model::ProbeResult& r) {
  if (!r.arrival.reply) return "null";
  const model::Segment& reply = *r.arrival.reply;
  const bool ack = reply.has(model::kAck);
  return fmt::format(R"({{"flags":{},"seq":{},"ack":{},"len":{},"seq_value":{},"ack_value":{}}})",
                     counterexamples::quote(counterexamples::flags_text(reply.flags)),
                     counterexamples::quote(r.seq_text), ack ? counterexamples::quote(r.ack_text) : "null", reply.len,
                     reply.seq, ack ? std::to_string(reply.ack) : "null");
}

/// "ACK seq=SND.NXT ack=RCV.NXT+1" or "none".
std::string response_text(const model::ProbeResult& r) {
  if (!r.arrival.reply) return "none";
  const model::Segment& reply = *r.arrival.reply;
  std::string out = fmt::format("{} seq={}", counterexamples::flags_text(reply.flags), r.seq_text);
  if (reply.has(model::kAck)) out += " ack=" + r.ack_text;
  if (reply.len) out += fmt::format(" len={}", reply.len);
  return out;
}

int run_probe(const ProbeOptions& o) {
  auto [resolved, knob_error] = model::resolve_knobs(std::nullopt, "", o.profile, o.sets);
  if (!resolved) throw UsageError(knob_error);
  const model::Knobs& knobs = *resolved;

  if (o.table) {
    if (!o.state.empty() || !o.segment.empty()) throw UsageError("probe --table: give no --state or --segment");
    const auto cells = model::time_wait_table(knobs);
    if (o.format == "json") {
      std::string out = "[";
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto& c = cells[i];
        out += fmt::format(
            R"({}{{"state":"{}","kind":"{}","seq":"{}","segment":{},"response":{},"state_after":"{}","rule":{},)"
            R"("observed_2001":"{}","footnote":{}}})",
            i ? "," : "", model::name(c.state), c.kind, c.old_seq ? "old" : "arbitrary", counterexamples::quote(c.spec),
            response_json(c.result), model::name(c.result.after.state),
            counterexamples::quote(model::describe(c.result.arrival.rule)), c.observed,
            c.footnote.empty() ? "null" : counterexamples::quote(c.footnote));
      }
      fmt::print("{}]\n", out);
      return kExitHolds;
    }
    fmt::print(
        "teardown probe --profile {} --table: segments sent to an endpoint in TIME-WAIT and to the CLOSED port of "
        "the other host (which still listens); old = RCV.NXT-1, a number the old connection used; arbitrary = "
        "RCV.NXT+100000. Each cell: the reply, the state after, and what Linux 2.2 did in 2001.\n\n",
        o.profile);
    fmt::print("{:<20} {:<56} {}\n", "segment", "TIME_WAIT", "CLOSED (listener)");
    std::vector<std::string> notes;
    const std::size_t half = cells.size() / 2;
    for (std::size_t i = 0; i < half; ++i) {
      std::string line =
          fmt::format("{:<20}", fmt::format("{} ({})", cells[i].kind, cells[i].old_seq ? "old" : "arbitrary"));
      for (const auto* c : {&cells[i], &cells[i + half]}) {
        std::string cell = fmt::format("{} -> {} [2001: {}]", response_text(c->result),
                                       model::name(c->result.after.state), c->observed);
        if (!c->footnote.empty()) {
          notes.push_back(c->footnote);
          cell += fmt::format(" ({})", notes.size());
        }
        line += fmt::format(" {:<56}", cell);
      }
      fmt::print("{}\n", line);
    }
    for (std::size_t i = 0; i < notes.size(); ++i) fmt::print("\n({}) {}.\n", i + 1, notes[i]);
    return kExitHolds;
  }

  if (o.state.empty() || o.segment.empty()) throw UsageError("probe: give --state and --segment, or --table");
  model::ProbeContext context;
  if (!model::parse_state(o.state, context.state))
    throw UsageError(
        fmt::format("--state {}: not a TCP state; use CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, "
                    "FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK or TIME_WAIT",
                    o.state));
  context.passive = o.opened == "passive";
  context.listener =
      o.listener.empty() ? (context.passive || context.state == model::TcpState::Listen) : o.listener == "yes";
  context.shutdown = o.closed_by == "shutdown";
  if (auto error = model::check_context(context)) throw UsageError(*error);
  std::string error;
  const auto spec = model::parse_segment_spec(o.segment, error);
  if (!spec) throw UsageError(error);
  const model::ProbeResult r = model::probe(knobs, context, *spec);
  const model::Segment& seg = r.segment;
  if (o.format == "json") {
    fmt::print(
        R"({{"profile":{},"state_before":"{}","segment":{},"segment_values":{{"flags":{},"seq":{},"ack":{},"len":{}}},)"
        R"("response":{},"state_after":"{}","rule":{},"delivered":{},"held":{},"variables":{},)"
        R"("context":{{"listener":{},"opened":"{}","closed_by":"{}"}}}})"
        "\n",
        counterexamples::quote(o.profile), model::name(context.state), counterexamples::quote(o.segment),
        counterexamples::quote(counterexamples::flags_text(seg.flags)), seg.seq,
        seg.has(model::kAck) ? std::to_string(seg.ack) : "null", seg.len, response_json(r), model::name(r.after.state),
        counterexamples::quote(model::describe(r.arrival.rule)), r.arrival.delivered,
        model::held_text(r.after).empty() ? "null" : counterexamples::quote(model::held_text(r.after)),
        vars_json(r.vars), context.listener ? "true" : "false", context.passive ? "passive" : "active",
        context.shutdown ? "shutdown" : "close");
    return kExitHolds;
  }
  const auto& v = r.vars;
  fmt::print(
      "teardown probe --profile {}: {} (opened {}, {}, {})\n"
      "  before:   ISS={} IRS={} SND.UNA={} SND.NXT={} RCV.NXT={} RCV.WND={}\n"
      "  segment:  {}   (seq={} ack={} len={})\n"
      "  reply:    {}{}\n"
      "  state:    {} -> {}\n"
      "  rule:     {}\n",
      o.profile, model::name(context.state), context.passive ? "passively" : "actively",
      context.shutdown ? "closed by shutdown" : "closed by close",
      context.listener ? "a listener on the port" : "no listener", v.iss, v.irs, v.snd_una, v.snd_nxt, v.rcv_nxt,
      v.rcv_wnd, o.segment, seg.seq, seg.has(model::kAck) ? std::to_string(seg.ack) : "-", seg.len, response_text(r),
      r.arrival.reply ? fmt::format("   (seq={} ack={})", r.arrival.reply->seq,
                                    r.arrival.reply->has(model::kAck) ? std::to_string(r.arrival.reply->ack) : "-")
                      : "",
      model::name(context.state), model::name(r.after.state), model::describe(r.arrival.rule));
  if (r.arrival.delivered > 0)
    fmt::print("  delivered: {} unit{} to the application\n", r.arrival.delivered, r.arrival.delivered == 1 ? "" : "s");
  if (const std::string held = model::held_text(r.after); !held.empty())
    fmt::print("  held:     {} (RCV.NXT after: {})\n", held, r.after.rcv_nxt);
  return kExitHolds;
}

}  // namespace

void add_probe_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ProbeOptions>();
  auto* probe = app.add_subcommand("probe", "how one endpoint of a profile answers one segment (conformance)");
  probe->footer(
      "Exit: 0 the answer (or the table) was printed; 2 bad usage: an unknown profile or state, or a segment spec "
      "that does not parse (the message names the part); 1 internal error.");
  probe->add_option("--profile", options->profile,
                    "rfc9293 (default), rfc1337, rfc793, linux, linux-2.2, bsd or no-time-wait");
  probe->add_option("--set", options->sets, "knob=value (repeatable)");
  probe->add_option("--state", options->state,
                    "the endpoint's state: CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, "
                    "FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK or TIME_WAIT");
  probe->add_option(
      "--segment", options->segment,
      "the segment, e.g. \"FIN|ACK seq=RCV.NXT-1 ack=SND.NXT\": flags joined by |, then seq=, ack=, len=; "
      "a value is a number or RCV.NXT, SND.NXT, SND.UNA, ISS, IRS, RCV.NXT+RCV.WND, +N or -N");
  probe
      ->add_option("--listener", options->listener,
                   "is a listening socket bound to the port (default: no, "
                   "yes when opened passively)")
      ->check(CLI::IsMember({"yes", "no"}));
  probe->add_option("--opened", options->opened, "active (default) or passive")
      ->check(CLI::IsMember({"active", "passive"}));
  probe
      ->add_option("--closed-by", options->closed_by,
                   "close (default: the socket is orphaned) or shutdown (half close; the application still holds it)")
      ->check(CLI::IsMember({"close", "shutdown"}));
  probe->add_flag("--table", options->table, "the classic TIME-WAIT test table for the profile");
  probe->add_option("--format", options->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  probe->callback([options, &exit_code] { exit_code = run_probe(*options); });
}

}  // namespace cli
