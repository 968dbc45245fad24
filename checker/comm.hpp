#pragma once
// The one small interface the distributed search (distributed.hpp) talks to its peers through. A Comm joins
// `size()` ranks, this one being `rank()`; every rank runs the same program on the same input. Two kinds of
// calls:
//   - point to point: send() hands a batch of bytes to another rank and returns at once (the Comm owns the bytes
//     until they are delivered); poll() and receive() take what has arrived. Batches between one pair of ranks
//     arrive in the order they were sent;
//   - collective: all_reduce(), broadcast(), gather(), barrier(). Every rank calls the same collectives in the
//     same order; each returns when its part is done.
// Implementations: ThreadComm (thread_comm.hpp: ranks as threads of one process, for tests) and MpiComm
// (checker/mpi/: Open MPI, launched by mpirun, its own CMake target). Nothing else in checker/ knows which.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace checker {

using Bytes = std::vector<std::byte>;

struct Message {
  int from = 0;
  Bytes bytes;
};

/// What a rank's point-to-point traffic and waiting cost (the per-rank statistics of a distributed run).
struct CommStats {
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;
  double idle_seconds = 0;  ///< time spent waiting in receive() and in collectives
};

class Comm {
 public:
  enum class Op { Sum, Max, Min };

  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Ranks on this machine (this one included): they share its memory.
  virtual int ranks_here() const = 0;

  /// Sends `bytes` to rank `to` (!= rank()); returns at once.
  virtual void send(int to, Bytes bytes) = 0;
  /// A batch that has arrived, if any; never waits.
  virtual std::optional<Message> poll() = 0;
  /// The next batch to arrive, waiting for it.
  virtual Message receive() = 0;

  /// Element-wise reduction of `values` (the same length on every rank) over all ranks; every rank gets the result.
  virtual std::vector<std::uint64_t> all_reduce(std::vector<std::uint64_t> values, Op op) = 0;
  /// Rank `root`'s `bytes` (any length) to every rank.
  virtual void broadcast(Bytes& bytes, int root) = 0;
  /// Every rank's `bytes`, by rank, at rank 0; an empty vector at the others.
  virtual std::vector<Bytes> gather(const Bytes& bytes) = 0;
  virtual void barrier() = 0;

  /// Ends every rank of the run with `code` (after this rank met an error the others cannot know of, so that
  /// they do not wait for it forever). Does not return.
  [[noreturn]] virtual void abort(int code) = 0;

  const CommStats& stats() const noexcept { return stats_; }

 protected:
  CommStats stats_;
};

/// One value reduced over all ranks.
inline std::uint64_t reduce(Comm& comm, std::uint64_t value, Comm::Op op) {
  return comm.all_reduce({value}, op).front();
}

}  // namespace checker
