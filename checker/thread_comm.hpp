#pragma once
// A Comm (comm.hpp) whose ranks are threads of one process: each rank's thread gets its own ThreadComm on one
// shared ThreadHub. For tests of the distributed search without mpirun; every collective meets at a barrier of
// all ranks, and batches go through a locked queue per receiving rank.

#include <barrier>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "checker/comm.hpp"

namespace checker {

class ThreadHub {
 public:
  explicit ThreadHub(int ranks);
  int ranks() const noexcept { return ranks_; }

 private:
  friend class ThreadComm;
  struct Inbox {
    std::mutex mutex;
    std::condition_variable arrived;
    std::deque<Message> queue;
  };
  int ranks_;
  std::vector<Inbox> inboxes_;
  std::barrier<> meet_;
  // What the ranks put on the table between two meetings of a collective.
  std::vector<std::vector<std::uint64_t>> values_;
  std::vector<Bytes> blobs_;
};

class ThreadComm final : public Comm {
 public:
  /// \pre 0 <= rank < hub.ranks(); one ThreadComm per rank, each used by its rank's thread.
  ThreadComm(ThreadHub& hub, int rank) : hub_(hub), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return hub_.ranks(); }
  int ranks_here() const override { return hub_.ranks(); }
  void send(int to, Bytes bytes) override;
  std::optional<Message> poll() override;
  Message receive() override;
  std::vector<std::uint64_t> all_reduce(std::vector<std::uint64_t> values, Op op) override;
  void broadcast(Bytes& bytes, int root) override;
  std::vector<Bytes> gather(const Bytes& bytes) override;
  void barrier() override;
  /// Ends the process: threads cannot be ended one by one.
  [[noreturn]] void abort(int code) override;

 private:
  void meet();
  ThreadHub& hub_;
  int rank_;
};

}  // namespace checker
