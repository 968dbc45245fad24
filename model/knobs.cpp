#include "model/knobs.hpp"

#include <fmt/format.h>
#include <charconv>
#include <functional>

namespace model {

namespace {

using Rst = EndpointRules::RstInTimeWait;
using Syn = EndpointRules::SynInTimeWait;

std::optional<unsigned> parse_unsigned(std::string_view text) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

/// One table per enum: its values and their names, for parsing, printing and the accepted-values text.
template <class E>
struct Named {
  E value;
  std::string_view name;
};
constexpr Named<CloseMode> kCloseNames[] = {{CloseMode::Active, "active"},
                                            {CloseMode::Passive, "passive"},
                                            {CloseMode::Never, "never"},
                                            {CloseMode::Abort, "abort"},
                                            {CloseMode::Crash, "crash"}};
constexpr Named<Rst> kRstNames[] = {{Rst::Close, "close"}, {Rst::Ignore, "ignore"}};
constexpr Named<Syn> kSynNames[] = {
    {Syn::Rst, "rst"}, {Syn::Reopen, "reopen"}, {Syn::Challenge, "challenge"}, {Syn::Ack, "ack"}, {Syn::Drop, "drop"}};
constexpr Named<Apps> kAppsNames[] = {{Apps::Free, "free"}, {Apps::Eager, "eager"}};
constexpr Named<bool> kTimingNames[] = {{false, "ticks"}, {true, "exact"}};
constexpr Named<Match> kMatchNames[] = {{Match::Rst, "rst"}, {Match::Ack, "ack"},   {Match::Fin, "fin"},
                                        {Match::Syn, "syn"}, {Match::Data, "data"}, {Match::Any, "any"}};

template <class E, std::size_t N>
std::optional<E> from_name(const Named<E> (&table)[N], std::string_view text) {
  for (const auto& n : table)
    if (n.name == text) return n.value;
  return std::nullopt;
}
template <class E, std::size_t N>
std::string_view to_name(const Named<E> (&table)[N], E value) {
  for (const auto& n : table)
    if (n.value == value) return n.name;
  return "?";
}
/// "active|passive|never|abort|crash"
template <class E, std::size_t N>
std::string names(const Named<E> (&table)[N]) {
  std::string out;
  for (const auto& n : table) {
    if (!out.empty()) out += '|';
    out.append(n.name);
  }
  return out;
}

std::string bad(std::string_view knob, std::string_view value, std::string_view accepted) {
  return fmt::format("knob {}: '{}' is not accepted; use {}", knob, value, accepted);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::optional<Filter> parse_filter(std::string_view v) {
  Filter f;
  if (v.starts_with("A>B:"))
    f.direction = 0;
  else if (v.starts_with("B>A:"))
    f.direction = 1;
  else
    return std::nullopt;
  v.remove_prefix(4);
  if (const std::size_t at = v.find('@'); at != std::string_view::npos) {
    const std::string_view when = v.substr(at + 1);
    if (when == "anytime")
      f.anytime = true;
    else if (when != "start")
      return std::nullopt;
    v = v.substr(0, at);
  }
  const auto match = from_name(kMatchNames, v);
  if (!match) return std::nullopt;
  f.match = *match;
  return f;
}

std::string_view name(Match m) {
  return to_name(kMatchNames, m);
}

std::string isn_text(const IsnPolicy& p) {
  if (p.kind == IsnPolicy::Kind::Adversarial) return "adversarial";
  if (p.kind == IsnPolicy::Kind::AdversarialBoth) return "adversarial:both";
  if (p.kind == IsnPolicy::Kind::Symbolic) return "symbolic";
  if (p.kind == IsnPolicy::Kind::Clock) return "clock:" + std::to_string(p.rate);
  std::string out = p.kind == IsnPolicy::Kind::Fixed ? "fixed:" : "choose:";
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(p.values[i]);
  }
  if (!p.server_values.empty()) out += '/';
  for (std::size_t i = 0; i < p.server_values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(p.server_values[i]);
  }
  return out;
}

}  // namespace

std::string_view name(CloseMode mode) {
  return to_name(kCloseNames, mode);
}

std::string describe(const Filter& f) {
  return fmt::format("{}:{}{}", f.direction == 0 ? "A>B" : "B>A", name(f.match), f.anytime ? "@anytime" : "");
}

EndpointRules Knobs::endpoint_rules() const {
  EndpointRules r;
  r.window = window;
  r.time_wait = time_wait_ticks();
  r.rto = rto_ticks();
  r.max_retries = max_retries;
  r.fin_wait2_timeout = fin_wait2_timeout;
  r.rfc5961 = rfc5961;
  r.ack_stale_acks = ack_stale_acks;
  r.ack_in_time_wait = ack_in_time_wait;
  r.ooo_hold = ooo_hold;
  r.linux_quirks = linux_quirks;
  r.rst_in_time_wait = rst_in_time_wait;
  r.syn_in_time_wait = syn_in_time_wait;
  return r;
}

namespace {

// How each knob reads and prints its value; the descriptor list below pairs them with its name and meaning.
using Parse = std::function<std::optional<std::string>(Knobs&, std::string_view name, std::string_view value)>;
using Print = std::function<std::string(const Knobs&)>;

Parse number(unsigned Knobs::*field, unsigned lo, unsigned hi) {
  return [=](Knobs& k, std::string_view name, std::string_view v) -> std::optional<std::string> {
    const auto n = parse_unsigned(v);
    if (!n || *n < lo || *n > hi) return bad(name, v, fmt::format("an integer from {} to {}", lo, hi));
    k.*field = *n;
    return std::nullopt;
  };
}
Parse optional_number(std::optional<unsigned> Knobs::*field, unsigned lo, unsigned hi) {
  return [=](Knobs& k, std::string_view name, std::string_view v) -> std::optional<std::string> {
    const auto n = parse_unsigned(v);
    if (!n || *n < lo || *n > hi) return bad(name, v, fmt::format("an integer from {} to {}", lo, hi));
    k.*field = *n;
    return std::nullopt;
  };
}
Parse boolean(bool Knobs::*field) {
  return [=](Knobs& k, std::string_view name, std::string_view v) -> std::optional<std::string> {
    if (v != "true" && v != "false") return bad(name, v, "true or false");
    k.*field = v == "true";
    return std::nullopt;
  };
}
template <class E, std::size_t N>
Parse choice(E Knobs::*field, const Named<E> (&table)[N]) {
  return [field, &table](Knobs& k, std::string_view name, std::string_view v) -> std::optional<std::string> {
    const auto value = from_name(table, v);
    if (!value) return bad(name, v, names(table));
    k.*field = *value;
    return std::nullopt;
  };
}
Print print(unsigned Knobs::*field) {
  return [=](const Knobs& k) { return std::to_string(k.*field); };
}
Print print(bool Knobs::*field) {
  return [=](const Knobs& k) { return std::string(k.*field ? "true" : "false"); };
}
template <class E, std::size_t N>
Print print(E Knobs::*field, const Named<E> (&table)[N]) {
  return [field, &table](const Knobs& k) { return std::string(to_name(table, k.*field)); };
}

std::optional<std::string> parse_isn(Knobs& k, std::string_view name, std::string_view v) {
  constexpr std::string_view kIsnValues =
      "fixed:N[,N...][/N[,N...]] | choose:N[,N...][/N[,N...]] | adversarial | adversarial:both | symbolic | "
      "clock:RATE";
  if (v == "adversarial" || v == "adversarial:both" || v == "symbolic") {
    k.isn = IsnPolicy{};
    if (v == "adversarial:both") k.isn.kind = IsnPolicy::Kind::AdversarialBoth;
    if (v == "symbolic") k.isn.kind = IsnPolicy::Kind::Symbolic;
    return std::nullopt;
  }
  IsnPolicy p;
  if (v.starts_with("clock:")) {
    const auto rate = parse_u32(v.substr(6));
    if (!rate || *rate == 0 || *rate > 0x7FFFFFFFu)
      return bad(name, v, "clock:RATE with RATE sequence numbers per tick, from 1 to 2147483647");
    p.kind = IsnPolicy::Kind::Clock;
    p.rate = *rate;
    k.isn = p;
    return std::nullopt;
  }
  std::string_view list;
  if (v.starts_with("fixed:")) {
    p.kind = IsnPolicy::Kind::Fixed;
    list = v.substr(6);
  } else if (v.starts_with("choose:")) {
    p.kind = IsnPolicy::Kind::Choose;
    list = v.substr(7);
  } else {
    return bad(name, v, kIsnValues);
  }
  const std::size_t slash = list.find('/');
  const auto numbers = [&](std::string_view text, std::vector<std::uint32_t>& out) {
    for (std::string_view item : split(text, ',')) {
      const auto n = parse_u32(item);
      if (!n) return false;
      out.push_back(*n);
    }
    return !out.empty() && out.size() <= 4;
  };
  if (!numbers(list.substr(0, slash), p.values) ||
      (slash != std::string_view::npos && !numbers(list.substr(slash + 1), p.server_values)))
    return bad(name, v, "fixed: or choose: then 1 to 4 32-bit numbers, and optionally / and the server's 1 to 4");
  k.isn = p;
  return std::nullopt;
}

std::optional<std::string> parse_reopen_offset(Knobs& k, std::string_view name, std::string_view v) {
  const auto n = parse_u32(v);
  if (!n) return bad(name, v, "an integer from 0 to 4294967295");
  k.reopen_isn_offset = *n;
  return std::nullopt;
}

std::optional<std::string> parse_filter_knob(Knobs& k, std::string_view name, std::string_view v) {
  if (v == "none") {
    k.filters.clear();
    return std::nullopt;
  }
  const auto f = parse_filter(v);
  if (!f) return bad(name, v, "A>B|B>A : rst|ack|fin|syn|data|any [@start|@anytime] (e.g. B>A:rst), or none");
  if (k.filters.size() >= 4) return fmt::format("knob filter: at most 4 filters (got a fifth, '{}')", v);
  k.filters.push_back(*f);
  return std::nullopt;
}

std::string print_filters(const Knobs& k) {
  std::string out;
  for (const Filter& f : k.filters) {
    if (!out.empty()) out += ' ';
    out += describe(f);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

const std::vector<KnobInfo>& knob_table() {
  // One descriptor per knob: its name, meaning, accepted values, and how it is read and printed. `list knobs`,
  // `--set`, model files and the JSON dump all go through it.
  static const std::vector<KnobInfo> table = {
      {"msl", "maximum segment lifetime in ticks: a segment older than this is gone", "integer 1..6 (default 2)",
       number(&Knobs::msl, 1, 6), print(&Knobs::msl)},
      {"time_wait", "TIME-WAIT length in ticks; 0 = no TIME-WAIT", "integer 0..12 (default 2 x msl)",
       optional_number(&Knobs::time_wait, 0, 12), [](const Knobs& k) { return std::to_string(k.time_wait_ticks()); }},
      {"rto",
       "retransmission timeout in ticks; the default outlasts any round trip, so only a lost or filtered "
       "segment is retransmitted",
       "integer 1..13 (default 2 x msl + 1)",
       // up to 13, the default at the largest msl (2 x 6 + 1): every value printed reads back (a trace saved
       // at msl=6 names rto=13 and must replay)
       optional_number(&Knobs::rto, 1, 13), [](const Knobs& k) { return std::to_string(k.rto_ticks()); }},
      {"max_retries", "R2: retransmissions of one segment before the endpoint gives up and deletes its TCB",
       "integer 0..6 (default 2)", number(&Knobs::max_retries, 0, 6), print(&Knobs::max_retries)},
      {"fin_wait2_timeout",
       "ticks an orphaned FIN-WAIT-2 (the application closed) waits for the peer's FIN; 0 = forever",
       "integer 0..12 (default 0)", number(&Knobs::fin_wait2_timeout, 0, 12), print(&Knobs::fin_wait2_timeout)},
      {"capacity", "segments each direction of the network holds at once; a send into a full one is dropped",
       "integer 1..4 (default 2)", number(&Knobs::capacity, 1, 4), print(&Knobs::capacity)},
      {"loss", "budget of segments the network may lose", "integer 0..3 (default 1)", number(&Knobs::loss, 0, 3),
       print(&Knobs::loss)},
      {"dup", "budget of segments the network may duplicate", "integer 0..3 (default 1)", number(&Knobs::dup, 0, 3),
       print(&Knobs::dup)},
      {"reorder", "deliver any segment in flight (true) or only the oldest of each direction (false)",
       "true|false (default true)", boolean(&Knobs::reorder), print(&Knobs::reorder)},
      {"incarnations", "connections the client opens, one after another, on the same address/port pair",
       "integer 1..3 (default 2)", number(&Knobs::incarnations, 1, 3), print(&Knobs::incarnations)},
      {"client_data", "data units the client sends in each connection", "integer 0..4 (default 1)",
       number(&Knobs::client_data, 0, 4), print(&Knobs::client_data)},
      {"server_data", "data units the server sends in each connection", "integer 0..4 (default 1)",
       number(&Knobs::server_data, 0, 4), print(&Knobs::server_data)},
      {"client_close",
       "how the client's application ends a connection once its data is sent: close first (active), close after "
       "the peer's FIN (passive), never, abort (RST), or crash (close first, and the host may crash at any moment "
       "after its data is sent: its TCB vanishes without a segment)",
       "active|passive|never|abort|crash (default active)", choice(&Knobs::client_close, kCloseNames),
       print(&Knobs::client_close, kCloseNames)},
      {"server_close", "how the server's application ends a connection once its data is sent (as client_close)",
       "active|passive|never|abort|crash (default passive)", choice(&Knobs::server_close, kCloseNames),
       print(&Knobs::server_close, kCloseNames)},
      {"window", "receive window (RCV.WND) in units", "integer 1..8 (default 4)", number(&Knobs::window, 1, 8),
       print(&Knobs::window)},
      {"isn",
       "how each connection's ISS is chosen: fixed per incarnation, a nondeterministic choice, or adversarial "
       "(the first connection 1000 / 5000; a reconnecting client chooses its previous ISS or previous SND.NXT, so "
       "the new window overlaps the old one; the server's ISN clock wraps at the worst moment: an old duplicate SYN "
       "gets its previous SND.NXT, the next connection's SYN its previous ISS; adversarial:both lets the server "
       "reuse its previous ISS for old duplicate SYNs too); fixed and choose give the server the client's "
       "values + 4000 unless a second list follows a slash; symbolic: every ISS is a symbol for all 2^32 values "
       "(random ISNs) and Z3 decides the comparisons; clock:RATE: symbols bound by an ISN clock advancing RATE "
       "per tick (RFC 9293 3.4.1)",
       "fixed:N[,N...][/N[,N...]] | choose:N[,N...][/N[,N...]] | adversarial | adversarial:both | symbolic | "
       "clock:RATE (default adversarial)",
       parse_isn, [](const Knobs& k) { return isn_text(k.isn); }},
      {"rst_in_time_wait", "a RST arriving in TIME-WAIT deletes the TCB (RFC 9293) or is ignored (RFC 1337 F1)",
       "close|ignore (default close)", choice(&Knobs::rst_in_time_wait, kRstNames),
       print(&Knobs::rst_in_time_wait, kRstNames)},
      {"syn_in_time_wait",
       "a SYN arriving in TIME-WAIT: answered with RST; reopens if above RCV.NXT (RFC 1122 4.2.2.13); challenge ACK; "
       "RFC 9293's general rules (ack); or dropped",
       "rst|reopen|challenge|ack|drop (default ack)", choice(&Knobs::syn_in_time_wait, kSynNames),
       print(&Knobs::syn_in_time_wait, kSynNames)},
      {"rfc5961", "RFC 5961 validation of RST, SYN and ACK in synchronized states", "true|false (default true)",
       boolean(&Knobs::rfc5961), print(&Knobs::rfc5961)},
      {"ack_stale_acks",
       "an unacceptable bare ACK (no data, SYN, FIN or RST) is answered with an ACK (true: RFC 9293 3.10.7.4 first) "
       "or not (false: Linux rate-limits such replies to one per 500 ms, tcp_invalid_ratelimit)",
       "true|false (default true)", boolean(&Knobs::ack_stale_acks), print(&Knobs::ack_stale_acks)},
      {"apps",
       "free: an application acts at any moment (every timing explored); eager: as soon as it can, before the "
       "network or time move (fewer states, but NOT sound: it misses violations that need a slow application)",
       "free|eager (default free)", choice(&Knobs::apps, kAppsNames), print(&Knobs::apps, kAppsNames)},
      {"ack_in_time_wait",
       "TIME-WAIT acknowledges a repeated FIN and unacceptable segments (RFC 9293 3.10.7.4), or stays silent "
       "(Linux 2.2 as observed in 2001)",
       "true|false (default true)", boolean(&Knobs::ack_in_time_wait), print(&Knobs::ack_in_time_wait)},
      {"ooo_hold",
       "segments beyond RCV.NXT inside the window are held and processed when the gap fills (RFC 9293 3.10.7.4 "
       "first, SHLD-31), or dropped and answered with an ACK of RCV.NXT (RFC 793's minimum)",
       "true|false (default true; rfc793 false)", boolean(&Knobs::ooo_hold), print(&Knobs::ooo_hold)},
      {"linux_quirks",
       "Linux's deviations from RFC 9293 measured on the live kernel (tests/conformance/): inclusive window edge, RST "
       "at "
       "RCV.NXT-1 after a FIN, data to an orphaned socket resets it, TIME-WAIT and an orphaned FIN-WAIT-2 as "
       "minisockets, TIME-WAIT reopened only with a listener",
       "true|false (default false; linux true)", boolean(&Knobs::linux_quirks), print(&Knobs::linux_quirks)},
      {"reopen_isn_offset",
       "the ISS of a connection that reopens TIME-WAIT (syn_in_time_wait=reopen): the old SND.NXT plus this; 0 leaves "
       "it to the isn policy",
       "integer 0..4294967295 (default 0; linux 65537)", parse_reopen_offset,
       [](const Knobs& k) { return std::to_string(k.reopen_isn_offset); }},
      {"min_delay",
       "ticks a segment spends in the network before it can arrive (a slow network: with isn=clock:RATE it gives "
       "the ISN clock time to move between connections)",
       "integer 0..msl (default 0)", number(&Knobs::min_delay, 0, 6), print(&Knobs::min_delay)},
      {"timing",
       "how time is counted: whole ticks (fast; several events share a tick, so a trace may be impossible in real "
       "time), or exact real time (each event at a real instant within its tick, every segment less than msl in "
       "the network, timers exact: only real-time-feasible paths are explored)",
       "ticks|exact (default ticks in a model; check, sweep and reach use exact unless told otherwise)",
       choice(&Knobs::timing_exact, kTimingNames), print(&Knobs::timing_exact, kTimingNames)},
      {"filter",
       "a firewall rule (repeatable): DIRECTION:WHAT[@WHEN]; the rule drops every matching segment. "
       "Quote it on a command line, --set \"filter=B>A:rst\": the shell reads > as a redirection",
       "A>B|B>A : rst|ack|fin|syn|data|any [@start|@anytime], or none to clear", parse_filter_knob, print_filters},
  };
  return table;
}

const KnobInfo* find_knob(std::string_view name) {
  for (const auto& info : knob_table())
    if (info.name == name) return &info;
  return nullptr;
}

std::optional<std::string> set_knob(Knobs& k, std::string_view name, std::string_view v) {
  if (const KnobInfo* info = find_knob(name)) return info->parse(k, name, v);
  std::string known;
  for (const auto& info : knob_table()) {
    if (!known.empty()) known += ", ";
    known += info.name;
  }
  return fmt::format("unknown knob '{}'; the knobs are: {}", name, known);
}

std::string knob_value(const Knobs& k, std::string_view name) {
  const KnobInfo* info = find_knob(name);
  return info ? info->print(k) : "";
}

const std::vector<Profile>& profiles() {
  static const std::vector<Profile> list = {
      {"rfc793",
       "RFC 793: in-window SYN or RST resets, no RFC 5961 checks, RST kills TIME-WAIT, segments beyond RCV.NXT dropped",
       {{"rfc5961", "false"}, {"rst_in_time_wait", "close"}, {"syn_in_time_wait", "ack"}, {"ooo_hold", "false"}}},
      {"rfc9293",
       "RFC 9293 with the RFC 5961 checks it describes; RST kills TIME-WAIT",
       {{"rfc5961", "true"}, {"rst_in_time_wait", "close"}, {"syn_in_time_wait", "ack"}}},
      {"rfc1337",
       "RFC 9293, and TIME-WAIT ignores RST (RFC 1337's fix F1 against TIME-WAIT assassination)",
       {{"rfc5961", "true"}, {"rst_in_time_wait", "ignore"}, {"syn_in_time_wait", "ack"}}},
      {"linux",
       "Linux defaults as measured on this machine's kernel (tests/conformance/): RFC 5961 checks, RST kills TIME-WAIT "
       "(tcp_rfc1337=0), a SYN above RCV.NXT reopens TIME-WAIT with ISS = SND.NXT + 65537, and the linux_quirks",
       {{"rfc5961", "true"},
        {"rst_in_time_wait", "close"},
        {"syn_in_time_wait", "reopen"},
        {"reopen_isn_offset", "65537"},
        {"linux_quirks", "true"}}},
      {"linux-2.2",
       "Linux 2.2 in TIME-WAIT as observed in 2001: RST to a SYN or SYN-ACK, silence to data, FIN and RST",
       {{"rfc5961", "false"},
        {"rst_in_time_wait", "ignore"},
        {"syn_in_time_wait", "rst"},
        {"ack_in_time_wait", "false"}}},
      {"bsd",
       "BSD: TIME-WAIT ignores RST, a SYN above RCV.NXT reopens TIME-WAIT, no RFC 5961 checks",
       {{"rfc5961", "false"}, {"rst_in_time_wait", "ignore"}, {"syn_in_time_wait", "reopen"}}},
      {"no-time-wait",
       "RFC 9293 with no TIME-WAIT at all (time_wait=0)",
       {{"rfc5961", "true"}, {"rst_in_time_wait", "close"}, {"syn_in_time_wait", "ack"}, {"time_wait", "0"}}},
  };
  return list;
}

std::optional<std::string> apply_profile(Knobs& k, std::string_view profile) {
  for (const Profile& p : profiles()) {
    if (p.name != profile) continue;
    k = Knobs{};
    k.profile = std::string(p.name);
    for (const auto& [knob, value] : p.settings)
      if (auto e = set_knob(k, knob, value)) return e;
    return std::nullopt;
  }
  std::string known;
  for (const Profile& p : profiles()) {
    if (!known.empty()) known += ", ";
    known += p.name;
  }
  return fmt::format("unknown profile '{}'; the profiles are: {}", profile, known);
}

std::optional<std::string> validate(const Knobs& k) {
  if ((k.isn.kind == IsnPolicy::Kind::Fixed || k.isn.kind == IsnPolicy::Kind::Choose) && k.isn.values.empty())
    return "knob isn: give at least one value";
  if (k.min_delay > k.msl)
    return fmt::format("knob min_delay: {} is longer than msl ({}); a segment lives at most msl ticks", k.min_delay,
                       k.msl);
  return std::nullopt;
}

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint64_t v = 0;
  int base = 10;
  if (text.starts_with("0x")) {
    text.remove_prefix(2);
    base = 16;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

}  // namespace model
