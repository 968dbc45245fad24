#pragma once
// Ranks of a distributed search as threads of the test (checker/thread_comm.hpp), for the checker's and the
// scenarios' distributed tests.

#include <functional>
#include <thread>
#include <vector>

#include "checker/thread_comm.hpp"

namespace checker_test {

/// Runs fn(comm) on `ranks` threads, one rank each, and returns what each returned, by rank. Ranks only
/// collect: Catch's assertions belong to the test's own thread.
template <class R>
std::vector<R> on_ranks(int ranks, const std::function<R(checker::Comm&)>& fn) {
  checker::ThreadHub hub(ranks);
  std::vector<R> out(static_cast<std::size_t>(ranks));
  std::vector<std::jthread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      checker::ThreadComm comm(hub, r);
      out[static_cast<std::size_t>(r)] = fn(comm);
    });
  threads.clear();  // joins
  return out;
}

}  // namespace checker_test
