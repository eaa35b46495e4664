// Finished training results kept between runs of `mind1024 report`, one
// directory per key: <root>/<name>-<first 16 hex digits of SHA-256(key)>/, with
// the files the training wrote and entry.json (the key, each file's SHA-256).
// A key is what decides the result: the trainer's settings and a hash of the
// data. An entry is written under a staging name and renamed into place only
// when complete, so a directory without a valid entry.json is never taken for
// a result: it is reported as corrupt, as is one whose files changed, and one
// whose key is not the one asked for (stale).
#pragma once
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace mind1024::host {

struct CacheError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ResultCache {
public:
    explicit ResultCache(std::string root);
    const std::string& root() const { return root_; }
    // Where the result for `key` lives (it may not exist yet).
    std::string dir_for(const std::string& name, const nlohmann::json& key) const;
    // true: a complete entry for `key` is at dir, every file as stored; false:
    // nothing is there. A CacheError naming the file and what is wrong otherwise.
    bool lookup(const std::string& dir, const nlohmann::json& key) const;
    // An empty staging directory for the result that will be stored at dir.
    std::string stage(const std::string& dir) const;
    // Hashes the staged files, writes entry.json, and moves staging to dir
    // (an older entry there is replaced).
    void commit(const std::string& staging, const std::string& dir, const nlohmann::json& key) const;
    // Removes dir (and a leftover staging directory of it), if there.
    void remove(const std::string& dir) const;
    static constexpr const char* kEntry = "entry.json";
    static constexpr int kFormat = 1;

private:
    std::string root_;
};

}  // namespace mind1024::host
