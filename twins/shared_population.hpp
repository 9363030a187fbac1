// A population built once per key in a process (fitting or warming up is the slow part)
// and shared, read-only, by every shard of every run. A failed build is not cached.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace mirror::twins {

template <class Population, class Key, class Build>
std::shared_ptr<const Population> shared_population(const Key& key, const std::string& what,
                                                    Build build) {
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const Population>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) {
    try {
      slot = build();
    } catch (const std::exception& e) {
      throw std::runtime_error(what + ": " + e.what());
    }
  }
  return slot;
}

}  // namespace mirror::twins
