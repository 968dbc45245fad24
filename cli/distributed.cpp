#include "cli/distributed.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#ifdef TEARDOWN_HAVE_MPI
#include "checker/mpi/mpi_comm.hpp"
#endif
#include "cli/common.hpp"

namespace cli {

namespace {
int error_fd = STDERR_FILENO;  // where internal errors go: the terminal's stderr, kept when a rank is silenced
checker::Comm* started = nullptr;
}  // namespace

checker::Comm* ranks() {
  return started;
}

std::unique_ptr<checker::Comm> start_ranks(int& argc, char**& argv) {
  // Open MPI's mpirun (and PMIx launchers) say so in the environment.
  const bool under_mpirun = std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
  if (!under_mpirun) return nullptr;
#ifdef TEARDOWN_HAVE_MPI
  auto comm = std::make_unique<checker::MpiComm>(argc, argv);
  started = comm.get();
  if (comm->rank() != 0) {
    std::fflush(stdout);
    std::fflush(stderr);
    error_fd = ::dup(STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
  }
  return comm;
#else
  (void)argc;
  (void)argv;
  throw std::runtime_error("started by mpirun, but this teardown was built without Open MPI (libopenmpi-dev)");
#endif
}

bool writes_output() {
  return started == nullptr || started->rank() == 0;
}

bool distributed() {
  return started != nullptr && started->size() > 1;
}

void require_distributable_command(int argc, char** argv) {
  if (!distributed()) return;
  for (int k = 1; k < argc; ++k) {
    const std::string_view arg = argv[k];
    if (arg.starts_with("-")) continue;
    if (arg == "check" || arg == "reach" || arg == "sweep") return;
    throw UsageError(
        fmt::format("{} runs on one rank: start it without mpirun (under mpirun, {} ranks run check, "
                    "reach and sweep)",
                    arg, started->size()));
  }
}

void print_internal_error(const std::string& what) {
  const std::string line = fmt::format("teardown: internal error: {}\n", what);
  const ssize_t written = ::write(error_fd >= 0 ? error_fd : STDERR_FILENO, line.data(), line.size());
  (void)written;
}

std::string ranks_json(const std::vector<checker::RankStats>& ranks) {
  std::string out = "[";
  for (const auto& r : ranks) {
    if (out.size() > 1) out += ",";
    out += fmt::format(
        R"({{"rank":{},"states":{},"transitions":{},"messages_sent":{},"bytes_sent":{},"idle_seconds":{:.3f},)"
        R"("seconds":{:.3f},"peak_memory_bytes":{}}})",
        r.rank, r.states, r.transitions, r.comm.messages_sent, r.comm.bytes_sent, r.comm.idle_seconds, r.seconds,
        r.peak_memory_bytes);
  }
  return out + "]";
}

std::string ranks_text(const std::vector<checker::RankStats>& ranks) {
  std::string out;
  for (const auto& r : ranks)
    out +=
        fmt::format("  rank {}: {} states, {} transitions, {} batches ({:.1f} MiB) sent, idle {:.2f} s of {:.2f} s\n",
                    r.rank, r.states, r.transitions, r.comm.messages_sent,
                    static_cast<double>(r.comm.bytes_sent) / (1 << 20), r.comm.idle_seconds, r.seconds);
  return out;
}

}  // namespace cli
