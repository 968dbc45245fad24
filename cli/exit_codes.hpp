#pragma once
// The exit codes of every teardown command, in one place (README "Using it"; each command's --help says which
// of them it uses and when).

namespace cli {

inline constexpr int kExitHolds = 0;         ///< every checked property holds; or the command did its job
inline constexpr int kExitDone = 0;          ///< a command that answers rather than checks: it answered
inline constexpr int kExitInternal = 1;      ///< an internal error (a bug: the message says where)
inline constexpr int kExitUsage = 2;         ///< bad usage or input: the message names the place
inline constexpr int kExitInconclusive = 3;  ///< a limit or an interrupt stopped it, or violated in ticks only
inline constexpr int kExitViolated = 10;     ///< a property is violated, or reach found its witness

}  // namespace cli
