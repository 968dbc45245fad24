#pragma once
// Every setting of a model: the knobs, their table (name, meaning, accepted values, default), and the
// profiles, which are named sets of knob values. Model files, `--set knob=value` and `teardown list knobs`
// all go through the same table, so a knob cannot be settable in one place and unknown in another.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/endpoint.hpp"

namespace model {

enum class CloseMode : std::uint8_t { Active, Passive, Never, Abort, Crash };

/// When applications act: as soon as they can, before the network or time move (eager), or at any moment
/// (free, every timing explored).
enum class Apps : std::uint8_t { Eager, Free };

/// Which segments a firewall filter drops.
enum class Match : std::uint8_t { Rst, Ack, Fin, Syn, Data, Any };

/// A firewall rule: every segment of one direction that matches is dropped, from the start or from a moment
/// the checker chooses (`@anytime`).
struct Filter {
  std::uint8_t direction = 0;  ///< 0: A>B, 1: B>A
  Match match = Match::Rst;
  bool anytime = false;
  friend bool operator==(const Filter&, const Filter&) = default;
};

/// How each new incarnation chooses its ISS.
/// Adversarial: the first connection uses 1000 (client) and 5000 (server). Later, the reconnecting client
/// chooses its previous ISS or its previous SND.NXT, so the new window overlaps the old sequence space (the
/// hazard TIME-WAIT guards against). The listening server's ISN clock (RFC 9293 3.4.1) wraps at the worst
/// moment: an old duplicate SYN (of an incarnation it has served) gets the previous SND.NXT, past everything it
/// sent, but the next connection's SYN gets the previous ISS, so that connection reuses the old sequence space
/// of both sides and the peer's late retransmissions can land in it (the 2 x MSL hazard). AdversarialBoth lets the
/// server reuse its previous ISS too, which lets an old duplicate SYN and an old ACK rebuild a connection at
/// the listener while the client is still in TIME-WAIT (scenarios/zombie-listener.toml).
/// Symbolic: every connection's ISS is a symbol standing for all 2^32 values (random ISNs: no constraint);
/// Clock: symbols constrained by an ISN clock that advances `rate` per tick (RFC 9293 §3.4.1), the same
/// per-pair offset for every incarnation, so a side's next ISS lies RATE x (the time since its previous ISS)
/// above the previous one (model/symbolic.hpp, README "Symbolic ISNs").
struct IsnPolicy {
  enum class Kind : std::uint8_t {
    Fixed,
    Choose,
    Adversarial,
    AdversarialBoth,
    Symbolic,
    Clock
  } kind = Kind::Adversarial;
  std::vector<std::uint32_t> values;  ///< Fixed: per incarnation (last one repeats); Choose: the set
  /// Fixed and Choose: the server's values; empty: the client's values + 4000.
  std::vector<std::uint32_t> server_values;
  std::uint32_t rate = 0;  ///< Clock: sequence numbers per tick
  bool symbolic() const { return kind == Kind::Symbolic || kind == Kind::Clock; }
  friend bool operator==(const IsnPolicy&, const IsnPolicy&) = default;
};

struct Knobs {
  std::string profile = "rfc9293";
  unsigned msl = 2;
  std::optional<unsigned> time_wait;  ///< unset: 2 x msl
  std::optional<unsigned> rto;        ///< unset: 2 x msl + 1 (longer than any round trip: no spurious retransmission)
  unsigned max_retries = 2;
  unsigned fin_wait2_timeout = 0;
  /// 2 by default: with every application timing explored (apps=free) the default model under rfc1337 keeps to
  /// about 10 M states; capacity 3 passes 88 M and the 20 GB memory limit (README "The model's choices").
  unsigned capacity = 2;
  unsigned loss = 1;
  unsigned dup = 1;
  bool reorder = true;
  unsigned incarnations = 2;
  unsigned client_data = 1;
  unsigned server_data = 1;
  CloseMode client_close = CloseMode::Active;
  CloseMode server_close = CloseMode::Passive;
  unsigned window = 4;
  IsnPolicy isn;
  EndpointRules::RstInTimeWait rst_in_time_wait = EndpointRules::RstInTimeWait::Close;
  EndpointRules::SynInTimeWait syn_in_time_wait = EndpointRules::SynInTimeWait::Ack;
  bool rfc5961 = true;
  bool ack_stale_acks = true;
  bool ack_in_time_wait = true;
  bool ooo_hold = true;  ///< hold in-window segments beyond RCV.NXT until the gap fills (RFC 9293 SHLD-31)
  bool linux_quirks = false;
  std::uint32_t reopen_isn_offset = 0;  ///< a SYN reopening TIME-WAIT: ISS = old SND.NXT + this; 0: the ISN policy
  unsigned min_delay = 0;               ///< ticks a segment spends in the network before it can arrive
  /// ticks: whole ticks (an over-approximation of real time); exact: every path also carries the zone of
  /// real times its events can take (model/timing.hpp), so only real-time-feasible behaviour is explored. Read
  /// by the check pipeline (properties/timed.hpp), which then searches model::TimedModel; the untimed
  /// TeardownModel ignores it.
  bool timing_exact = false;
  /// Free by default: eager applications are a reduction that changes verdicts (tests/scenarios/apps_test.cpp:
  /// a lazy server application lets the client give up, a late close lets a reordered ACK assassinate TIME-WAIT).
  Apps apps = Apps::Free;
  std::vector<Filter> filters;

  unsigned time_wait_ticks() const { return time_wait.value_or(2 * msl); }
  unsigned rto_ticks() const { return rto.value_or(2 * msl + 1); }
  EndpointRules endpoint_rules() const;
};

/// The knob table: one descriptor per knob, which `list knobs`, `--set`, model files and the JSON dump all use.
struct KnobInfo {
  std::string_view name;
  std::string_view meaning;
  std::string_view values;  ///< the accepted values, as a user would type them
  /// Sets the knob from text; \returns an error naming the knob and the accepted values, or nothing.
  std::function<std::optional<std::string>(Knobs&, std::string_view name, std::string_view value)> parse;
  std::function<std::string(const Knobs&)> print;  ///< the value as text, as parse accepts it
};
const std::vector<KnobInfo>& knob_table();
/// The knob called `name`, or null.
const KnobInfo* find_knob(std::string_view name);

/// Sets one knob from text. \returns an error message naming the knob and the accepted values, or nothing.
/// `filter` appends a rule (it is repeatable); `filter=none` clears them.
std::optional<std::string> set_knob(Knobs& knobs, std::string_view name, std::string_view value);
/// The knob's current value as text (what set_knob accepts).
std::string knob_value(const Knobs& knobs, std::string_view name);

/// Profiles: a name, what it stands for, and its knob settings applied over the defaults.
struct Profile {
  std::string_view name;
  std::string_view meaning;
  std::vector<std::pair<std::string_view, std::string_view>> settings;
};
const std::vector<Profile>& profiles();
/// The defaults with profile `name` applied. \returns an error naming the known profiles, or nothing.
std::optional<std::string> apply_profile(Knobs& knobs, std::string_view name);

/// Checks the knobs together (bounds the packed state can hold). \returns an error, or nothing.
std::optional<std::string> validate(const Knobs& knobs);

/// A 32-bit unsigned number, decimal or 0x-prefixed hex, with nothing else around it.
std::optional<std::uint32_t> parse_u32(std::string_view text);

std::string_view name(CloseMode mode);
std::string describe(const Filter& filter);

}  // namespace model
