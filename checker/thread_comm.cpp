#include "checker/thread_comm.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace checker {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

ThreadHub::ThreadHub(int ranks)
    : ranks_(ranks),
      inboxes_(static_cast<std::size_t>(ranks)),
      meet_(ranks),
      values_(static_cast<std::size_t>(ranks)),
      blobs_(static_cast<std::size_t>(ranks)) {
  if (ranks < 1) throw std::invalid_argument("thread comm: at least one rank");
}

void ThreadComm::send(int to, Bytes bytes) {
  if (to < 0 || to >= size() || to == rank_) throw std::invalid_argument("thread comm: no such peer");
  stats_.messages_sent += 1;
  stats_.bytes_sent += bytes.size();
  auto& inbox = hub_.inboxes_[static_cast<std::size_t>(to)];
  {
    std::lock_guard lock(inbox.mutex);
    inbox.queue.push_back(Message{rank_, std::move(bytes)});
  }
  inbox.arrived.notify_one();
}

std::optional<Message> ThreadComm::poll() {
  auto& inbox = hub_.inboxes_[static_cast<std::size_t>(rank_)];
  std::lock_guard lock(inbox.mutex);
  if (inbox.queue.empty()) return std::nullopt;
  Message m = std::move(inbox.queue.front());
  inbox.queue.pop_front();
  return m;
}

Message ThreadComm::receive() {
  const auto start = Clock::now();
  auto& inbox = hub_.inboxes_[static_cast<std::size_t>(rank_)];
  std::unique_lock lock(inbox.mutex);
  inbox.arrived.wait(lock, [&] { return !inbox.queue.empty(); });
  Message m = std::move(inbox.queue.front());
  inbox.queue.pop_front();
  stats_.idle_seconds += since(start);
  return m;
}

void ThreadComm::meet() {
  const auto start = Clock::now();
  hub_.meet_.arrive_and_wait();
  stats_.idle_seconds += since(start);
}

std::vector<std::uint64_t> ThreadComm::all_reduce(std::vector<std::uint64_t> values, Op op) {
  hub_.values_[static_cast<std::size_t>(rank_)] = values;
  meet();
  bool same_lengths = true;
  for (const auto& theirs : hub_.values_) same_lengths = same_lengths && theirs.size() == values.size();
  if (!same_lengths) {
    meet();  // the others still meet a second time: leave with them, then fail
    throw std::logic_error("thread comm: all_reduce of different lengths");
  }
  for (const auto& theirs : hub_.values_) {
    for (std::size_t k = 0; k < values.size(); ++k) {
      switch (op) {
        case Op::Sum:
          break;
        case Op::Max:
          values[k] = std::max(values[k], theirs[k]);
          break;
        case Op::Min:
          values[k] = std::min(values[k], theirs[k]);
          break;
      }
    }
  }
  if (op == Op::Sum) {
    for (std::size_t k = 0; k < values.size(); ++k) {
      values[k] = 0;
      for (const auto& theirs : hub_.values_) values[k] += theirs[k];
    }
  }
  meet();  // nobody writes the table again before everyone has read it
  return values;
}

void ThreadComm::broadcast(Bytes& bytes, int root) {
  if (rank_ == root) hub_.blobs_[0] = bytes;
  meet();
  if (rank_ != root) bytes = hub_.blobs_[0];
  meet();
}

std::vector<Bytes> ThreadComm::gather(const Bytes& bytes) {
  hub_.blobs_[static_cast<std::size_t>(rank_)] = bytes;
  meet();
  std::vector<Bytes> all;
  if (rank_ == 0) all = hub_.blobs_;
  meet();
  return all;
}

void ThreadComm::barrier() {
  meet();
}

void ThreadComm::abort(int code) {
  std::fprintf(stderr, "thread comm: rank %d aborts the run (code %d)\n", rank_, code);
  std::_Exit(code == 0 ? 1 : code);
}

}  // namespace checker
