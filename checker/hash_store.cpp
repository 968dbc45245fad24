#include "checker/hash_store.hpp"

namespace checker {

HashStore::Key HashStore::prepare(const std::byte* state, const Hint*) const noexcept {
  return hash_bytes(state, state_size_);
}

std::optional<StateId> HashStore::find(const std::byte* state) const {
  const Key print = prepare(state);
  return prints_.find(reinterpret_cast<const std::byte*>(&print), print);
}

}  // namespace checker
