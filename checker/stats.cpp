#include "checker/stats.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>

namespace checker {

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::Complete:
      return "complete";
    case Outcome::Stopped:
      return "stopped";
    case Outcome::StateLimit:
      return "state limit";
    case Outcome::MemoryLimit:
      return "memory limit";
    case Outcome::TimeLimit:
      return "time limit";
    case Outcome::Interrupted:
      return "interrupt";
  }
  return "?";
}

namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);  // what makes request_stop() async-signal-safe
}  // namespace

void request_stop() noexcept {
  g_stop.store(true, std::memory_order_relaxed);
}
bool stop_requested() noexcept {
  return g_stop.load(std::memory_order_relaxed);
}

std::string_view to_string(StoreKind kind) noexcept {
  switch (kind) {
    case StoreKind::Plain:
      return "plain";
    case StoreKind::Tree:
      return "tree";
    case StoreKind::Hash:
      return "hash";
  }
  return "?";
}

std::size_t peak_resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      std::size_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    std::getline(status, key);
  }
  return 0;
}

std::size_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) : 0;
}

}  // namespace checker
