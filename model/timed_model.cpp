#include "model/timed_model.hpp"

namespace model {

std::uint64_t TimedModel::discrete_hash(const TimedState& s) const {
  // Eight bytes at a time, multiply and fold; then a final mix (an untimed state's size is a multiple of 4).
  static_assert(sizeof(model::State) % 4 == 0);
  const auto* bytes = reinterpret_cast<const unsigned char*>(&s.untimed);
  std::uint64_t h = 0x243F6A8885A308D3ull;
  std::size_t k = 0;
  for (; k + 8 <= sizeof(model::State); k += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes + k, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
  }
  for (; k < sizeof(model::State); k += 4) {
    std::uint32_t w;
    std::memcpy(&w, bytes + k, 4);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

}  // namespace model
