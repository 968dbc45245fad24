#pragma once
// Hashing of fixed-size byte strings (packed states). The store keeps 32 bits of this hash beside every
// slot, so the function must spread every input bit over the high half.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace checker {

/// A 64-bit hash of `size` bytes. Deterministic across runs and platforms of the same endianness.
/// \pre `data` points to `size` readable bytes.
inline std::uint64_t hash_bytes(const std::byte* data, std::size_t size) noexcept {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio, odd
  constexpr std::uint64_t kMul2 = 0xD6E8FEB86659FD93ull;
  // Two independent lanes over alternate words halve the multiply chain's latency.
  std::uint64_t a = 0x6A09E667F3BCC909ull ^ (size * kMul);
  std::uint64_t b = 0xBB67AE8584CAA73Bull;
  std::size_t i = 0;
  for (; i + 16 <= size; i += 16) {
    std::uint64_t w0, w1;
    std::memcpy(&w0, data + i, 8);
    std::memcpy(&w1, data + i + 8, 8);
    a = (a ^ w0) * kMul;
    b = (b ^ w1) * kMul2;
    a ^= a >> 32;
    b ^= b >> 29;
  }
  if (i < size) {
    std::uint64_t w0 = 0, w1 = 0;
    const std::size_t rest = size - i;
    std::memcpy(&w0, data + i, rest < 8 ? rest : 8);
    if (rest > 8) std::memcpy(&w1, data + i + 8, rest - 8);
    a = (a ^ w0) * kMul;
    b = (b ^ w1) * kMul2;
  }
  std::uint64_t h = a ^ (b * kMul) ^ (b >> 31);
  // Final avalanche (the 64-bit finaliser constants of MurmurHash3, a published fact).
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace checker
