#include "host/report/result_cache.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <unistd.h>

#include <fmt/format.h>

#include "host/report/content_hash.h"
#include "host/report/output_file.h"

namespace mind1024::host {

namespace fs = std::filesystem;

namespace {

std::string hint(const std::string& dir) {
    return fmt::format("remove {} or run again with --retrain", dir);
}

}  // namespace

ResultCache::ResultCache(std::string root) : root_(std::move(root)) {}

std::string ResultCache::dir_for(const std::string& name, const nlohmann::json& key) const {
    return (fs::path(root_) / (name + "-" + sha256_hex(key.dump()).substr(0, 16))).string();
}

bool ResultCache::lookup(const std::string& dir, const nlohmann::json& key) const {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return false;
    if (!fs::is_directory(dir, ec)) throw CacheError(fmt::format("{}: a cache entry must be a directory; {}", dir, hint(dir)));
    const std::string entry = (fs::path(dir) / kEntry).string();
    std::ifstream in(entry);
    if (!in) throw CacheError(fmt::format("{}: missing: the cache entry is incomplete; {}", entry, hint(dir)));
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("key") || !j.contains("files") || !j["files"].is_object())
        throw CacheError(fmt::format("{}: not a cache entry (unreadable JSON, or no \"key\" and \"files\"); {}", entry, hint(dir)));
    if (j["key"] != key)
        throw CacheError(fmt::format("{}: stale: made for other settings or data than asked for now (its key {} against {}); {}",
                                     entry, j["key"].dump(), key.dump(), hint(dir)));
    for (const auto& [name, sum] : j["files"].items()) {
        const std::string file = (fs::path(dir) / name).string();
        if (name.find('/') != std::string::npos || name == ".." || !sum.is_string())
            throw CacheError(fmt::format("{}: bad file entry \"{}\"; {}", entry, name, hint(dir)));
        if (!fs::is_regular_file(file, ec)) throw CacheError(fmt::format("{}: missing from the cache entry; {}", file, hint(dir)));
        if (sha256_file(file) != sum.get<std::string>())
            throw CacheError(fmt::format("{}: corrupt: its contents changed since it was cached (SHA-256 differs from {}); {}",
                                         file, entry, hint(dir)));
    }
    return true;
}

std::string ResultCache::stage(const std::string& dir) const {
    // One staging directory per process: two runs filling the same entry at once do not mix.
    const std::string staging = fmt::format("{}.partial.{}", dir, ::getpid());
    std::error_code ec;
    fs::remove_all(staging, ec);
    ensure_directory(staging);
    return staging;
}

void ResultCache::commit(const std::string& staging, const std::string& dir, const nlohmann::json& key) const {
    nlohmann::json files = nlohmann::json::object();
    for (const auto& f : fs::directory_iterator(staging))
        if (f.is_regular_file() && f.path().filename() != kEntry) files[f.path().filename().string()] = sha256_file(f.path().string());
    const nlohmann::json entry = {{"format", kFormat}, {"key", key}, {"files", files}};
    write_text_atomic((fs::path(staging) / kEntry).string(), entry.dump(2) + "\n");
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::rename(staging, dir, ec);
    // Another process may have stored the same key meanwhile (its rename came between
    // ours): its entry is as good as ours.
    if (ec && lookup(dir, key)) {
        fs::remove_all(staging, ec);
        return;
    }
    if (ec) throw CacheError(fmt::format("{}: cannot store the cache entry: {}", dir, ec.message()));
}

void ResultCache::remove(const std::string& dir) const {
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::remove_all(dir + ".partial", ec);  // an older version's staging name
    const fs::path parent = fs::path(dir).parent_path();
    const std::string prefix = fs::path(dir).filename().string() + ".partial.";
    if (fs::is_directory(parent, ec))
        for (const auto& e : fs::directory_iterator(parent, ec))
            if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
    if (ec) throw CacheError(fmt::format("{}: cannot remove the cache entry: {}", dir, ec.message()));
}

}  // namespace mind1024::host
