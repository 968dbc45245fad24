// Benchmark of the generic checker on the synthetic grid model: one JSON line per run.
//   checker_bench [--threads T] [--side N] [--dims D]
// Run each thread count in its own process: peak resident memory is per process.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/synthetic_model.hpp"
#include "checker/search.hpp"

int main(int argc, char** argv) {
  unsigned threads = 1;
  bench::GridModel model;
  model.dims = 3;
  model.side = 170;  // 170^3 = 4,913,000 states
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const auto value = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    if (key == "--threads") threads = value;
    else if (key == "--side") model.side = value;
    else if (key == "--dims") model.dims = value;
    else {
      std::fprintf(stderr, "checker_bench: unknown option %s (use --threads, --side, --dims)\n", argv[i]);
      return 2;
    }
  }
  checker::SearchOptions options;
  options.threads = threads;
  checker::Explorer<bench::GridModel> explorer(model, options);
  const auto result = explorer.run();
  const auto& s = result.stats;
  std::printf(
      "{\"bench\":\"checker\",\"threads\":%u,\"states\":%zu,\"transitions\":%zu,\"seconds\":%.3f,"
      "\"states_per_second\":%.0f,\"bytes_per_state\":%.1f,\"state_size\":%zu,\"outcome\":\"%s\"}\n",
      s.threads, s.states, s.transitions, s.seconds, s.states_per_second,
      static_cast<double>(s.peak_memory_bytes) / static_cast<double>(s.states), sizeof(bench::GridState),
      std::string(checker::to_string(result.outcome)).c_str());
  return result.outcome == checker::Outcome::Complete ? 0 : 1;
}
