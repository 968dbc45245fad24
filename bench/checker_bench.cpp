// Benchmark of the generic checker on the synthetic grid model: one JSON line per run.
//   checker_bench [--threads T] [--side N] [--dims D] [--trap 1] [--store plain|tree|hash]
// With --trap 1 it also runs the AG EF analysis (goal: the far corner, which every state reaches) and prints
// a second line {"bench":"trap",...}.
// Run each thread count in its own process: peak resident memory is per process.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/synthetic_model.hpp"
#include "checker/trap.hpp"

int main(int argc, char** argv) {
  unsigned threads = 1;
  bool trap = false;
  checker::StoreKind store = checker::StoreKind::Plain;
  bench::GridModel model;
  model.dims = 3;
  model.side = 170;  // 170^3 = 4,913,000 states
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--store") {
      const std::string name = argv[i + 1];
      if (name == "tree")
        store = checker::StoreKind::Tree;
      else if (name == "hash")
        store = checker::StoreKind::Hash;
      else if (name != "plain") {
        std::fprintf(stderr, "checker_bench: --store takes plain, tree or hash\n");
        return 2;
      }
      continue;
    }
    const auto value = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    if (key == "--threads")
      threads = value;
    else if (key == "--side")
      model.side = value;
    else if (key == "--dims")
      model.dims = value;
    else if (key == "--trap")
      trap = value != 0;
    else {
      std::fprintf(stderr, "checker_bench: unknown option %s (use --threads, --side, --dims, --trap, --store)\n",
                   argv[i]);
      return 2;
    }
  }
  checker::SearchOptions options;
  options.threads = threads;
  options.store = store;
  checker::Explorer<bench::GridModel> explorer(model, options);
  const auto result = explorer.run();
  const auto& s = result.stats;
  std::printf(
      "{\"bench\":\"grid\",\"store\":\"%s\",\"threads\":%u,\"states\":%zu,\"transitions\":%zu,\"seconds\":%.3f,"
      "\"states_per_second\":%.0f,\"bytes_per_state\":%.1f,\"state_size\":%zu,\"outcome\":\"%s\"}\n",
      std::string(checker::to_string(s.store)).c_str(), s.threads, s.states, s.transitions, s.seconds,
      s.states_per_second, static_cast<double>(s.peak_memory_bytes) / static_cast<double>(s.states),
      sizeof(bench::GridState), std::string(checker::to_string(result.outcome)).c_str());
  if (result.outcome != checker::Outcome::Complete) return 1;
  if (trap) {
    const auto start = std::chrono::steady_clock::now();
    const std::uint32_t last = model.side - 1;
    const auto traps = checker::find_trap(explorer, [&](const bench::GridState& g, checker::StateId) {
      for (std::uint32_t d = 0; d < model.dims; ++d)
        if (g.coord(d) != last) return false;
      return true;
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "{\"bench\":\"trap\",\"states\":%zu,\"transitions\":%zu,\"trapped\":%zu,\"seconds\":%.3f,"
        "\"peak_memory_bytes\":%zu}\n",
        s.states, s.transitions, traps.trapped_states, seconds, checker::peak_resident_bytes());
  }
  return 0;
}
