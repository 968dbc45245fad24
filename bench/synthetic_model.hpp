#pragma once
// A synthetic model for the checker: a `dims`-dimensional grid of side `side`, where each step increments one
// coordinate that is below side - 1. Every state is 64 bytes: the coordinates and six words derived from
// them, so hashing and comparing see a full 64-byte state, as a packed TCP state would be.
// Reachable states: side^dims. Transitions: dims * (side - 1) * side^(dims - 1). Depth: dims * (side - 1).
// The corner where every coordinate is side - 1 is the only state without successors.

#include <array>
#include <cstddef>
#include <cstdint>

namespace bench {

struct GridState {
  // words[0] holds coordinates 0 and 1, words[1] coordinates 2 and 3 (32 bits each); words[2..7] are derived.
  // Everything is written as whole 64-bit words, so hashing the fresh state reads what was just stored.
  std::array<std::uint64_t, 8> words;

  std::uint32_t coord(std::uint32_t d) const { return static_cast<std::uint32_t>(words[d / 2] >> (32 * (d % 2))); }
};
static_assert(sizeof(GridState) == 64);

struct GridModel {
  using State = GridState;
  using Label = std::uint8_t;  // which coordinate was incremented

  std::uint32_t dims = 3;  // 1..4
  std::uint32_t side = 10;

  static State make(std::uint64_t low, std::uint64_t high) {
    State s{{low, high}};
    const std::uint64_t x = (low ^ (high * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full;
    for (std::size_t j = 2; j < s.words.size(); ++j) s.words[j] = x + j * 0x2C1B3C6D165667B1ull;
    return s;
  }

  template <class Yield>
  void initial(Yield&& yield) const {
    yield(make(0, 0));
  }

  template <class Yield>
  void successors(const State& s, Yield&& yield) const {
    for (std::uint32_t d = 0; d < dims; ++d) {
      if (s.coord(d) + 1 >= side) continue;
      const std::uint64_t step = std::uint64_t{1} << (32 * (d % 2));
      yield(static_cast<Label>(d), d < 2 ? make(s.words[0] + step, s.words[1]) : make(s.words[0], s.words[1] + step));
    }
  }
};

}  // namespace bench
