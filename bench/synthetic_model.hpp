#pragma once
// A synthetic model for the checker: a `dims`-dimensional grid of side `side`, where each step increments one
// coordinate that is below side - 1. Every state is 64 bytes: the coordinates and twelve words derived from
// them, so hashing and comparing see a full 64-byte state, as a packed TCP state would be.
// Reachable states: side^dims. Transitions: dims * (side - 1) * side^(dims - 1). Depth: dims * (side - 1).
// The corner where every coordinate is side - 1 is the only state without successors.

#include <array>
#include <cstdint>

namespace bench {

struct GridState {
  std::array<std::uint32_t, 4> coord;
  std::array<std::uint32_t, 12> derived;
};
static_assert(sizeof(GridState) == 64);

struct GridModel {
  using State = GridState;
  using Label = std::uint8_t;  // which coordinate was incremented

  std::uint32_t dims = 3;  // 1..4
  std::uint32_t side = 10;

  static State make(const std::array<std::uint32_t, 4>& coord) {
    State s{coord, {}};
    const std::uint32_t x =
        coord[0] * 0x9E3779B1u ^ coord[1] * 0x85EBCA77u ^ coord[2] * 0xC2B2AE3Du ^ coord[3] * 0x27D4EB2Fu;
    for (std::uint32_t j = 0; j < s.derived.size(); ++j) s.derived[j] = x + j * 0x2C1B3C6Du;
    return s;
  }

  template <class Yield>
  void initial(Yield&& yield) const {
    yield(make({0, 0, 0, 0}));
  }

  template <class Yield>
  void successors(const State& s, Yield&& yield) const {
    for (std::uint32_t d = 0; d < dims; ++d) {
      if (s.coord[d] + 1 >= side) continue;
      auto c = s.coord;
      ++c[d];
      yield(static_cast<Label>(d), make(c));
    }
  }
};

}  // namespace bench
