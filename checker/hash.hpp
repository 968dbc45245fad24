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
  std::uint64_t h = 0x6A09E667F3BCC909ull ^ (size * kMul);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  }
  if (i < size) {
    std::uint64_t w = 0;
    std::memcpy(&w, data + i, size - i);
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  }
  // Final avalanche (the 64-bit finaliser constants of MurmurHash3, a published fact).
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace checker
