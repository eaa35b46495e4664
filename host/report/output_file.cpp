#include "host/report/output_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>

#include "host/data/atomic_file.h"

namespace mind1024::host {

namespace fs = std::filesystem;

void ensure_directory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        throw ReportError(fmt::format("cannot create output directory {}: {}", dir, ec ? ec.message() : "not a directory"));
}

namespace {
bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}
bool exists_at_all(const fs::path& p) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(p, ec));
}
}  // namespace

void check_output_dir(const std::string& dir, const std::vector<std::string>& names) {
    if (dir.empty()) throw ReportError("output directory: an empty name");
    const fs::path p = fs::path(dir).lexically_normal();
    if (exists_at_all(p)) {
        if (!is_dir(p)) throw ReportError(fmt::format("output directory {}: exists and is not a directory; nothing was done", dir));
        if (::access(p.c_str(), W_OK | X_OK) != 0)
            throw ReportError(fmt::format("output directory {}: cannot write into it ({}); nothing was done", dir,
                                          std::strerror(errno)));
        for (const std::string& n : names)
            if (is_dir(p / n))
                throw ReportError(fmt::format("{}: is a directory, cannot put the output file there; nothing was done",
                                              (p / n).string()));
        return;
    }
    // The nearest ancestor that exists must be a directory we may create entries in.
    fs::path a = p.has_parent_path() ? p.parent_path() : fs::path(".");
    while (!a.empty() && !exists_at_all(a)) a = a.has_parent_path() && a.parent_path() != a ? a.parent_path() : fs::path();
    if (a.empty()) a = fs::path(dir).is_absolute() ? fs::path("/") : fs::path(".");
    if (!is_dir(a))
        throw ReportError(fmt::format("cannot create output directory {}: {} is not a directory; nothing was done", dir,
                                      a.string()));
    if (::access(a.c_str(), W_OK | X_OK) != 0)
        throw ReportError(fmt::format("cannot create output directory {}: cannot write into {} ({}); nothing was done",
                                      dir, a.string(), std::strerror(errno)));
}

void check_output_file(const std::string& path) {
    if (path.empty()) throw ReportError("output file: an empty name");
    const fs::path p(path);
    if (is_dir(p)) throw ReportError(fmt::format("{}: is a directory, cannot write the output file there; nothing was done", path));
    try {
        check_output_dir(p.has_parent_path() ? p.parent_path().string() : std::string("."));
    } catch (const ReportError& e) {
        throw ReportError(fmt::format("cannot write the output file {}: {}", path, e.what()));
    }
}

void write_stream_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill) {
    std::ostringstream text;
    fill(text);
    write_file_atomic(path, text.str());
}

void write_text_atomic(const std::string& path, const std::string& text) { write_file_atomic(path, text); }

OutputSet::OutputSet(std::string dir) : dir_(std::move(dir)) {
    ensure_directory(dir_);
    static std::atomic<unsigned> serial{0};
    staging_ = (fs::path(dir_) / fmt::format(".partial-{}-{}", ::getpid(), serial++)).string();
    std::error_code ec;
    fs::create_directory(staging_, ec);
    if (ec) throw ReportError(fmt::format("cannot create staging directory {}: {}", staging_, ec.message()));
}

OutputSet::~OutputSet() {
    std::error_code ec;
    fs::remove_all(staging_, ec);
}

std::string OutputSet::path(const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name == kManifest)
        throw ReportError(fmt::format("output name '{}' must be a plain file name", name));
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
    return (fs::path(staging_) / name).string();
}

void OutputSet::publish(const nlohmann::json& about) {
    for (const std::string& n : names_) {
        const fs::path staged = fs::path(staging_) / n, target = fs::path(dir_) / n;
        if (!fs::is_regular_file(staged))
            throw ReportError(fmt::format("{}: was not written (internal error), nothing published", target.string()));
        if (fs::is_directory(target))
            throw ReportError(fmt::format("{}: is a directory, cannot put the output file there; nothing written", target.string()));
    }
    std::vector<fs::path> done;
    for (const std::string& n : names_) {
        const fs::path target = fs::path(dir_) / n;
        std::error_code ec;
        fs::rename(fs::path(staging_) / n, target, ec);
        if (ec) {
            const std::string why = ec.message();
            for (const fs::path& p : done) fs::remove(p, ec);
            throw ReportError(fmt::format("{}: cannot put the output file there: {}; none of this run's files was kept",
                                          target.string(), why));
        }
        done.push_back(target);
    }
    // Files of the earlier run that this one did not rewrite. Only plain
    // names listed by our own manifest are candidates: nothing else is touched.
    removed_.clear();
    const fs::path manifest = fs::path(dir_) / kManifest;
    std::error_code ec;
    if (fs::is_regular_file(manifest, ec)) {
        std::ifstream f(manifest);
        const nlohmann::json old = nlohmann::json::parse(f, nullptr, false);
        if (old.is_object() && old.contains("files") && old["files"].is_array())
            for (const auto& e : old["files"]) {
                if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) continue;
                const std::string n = e["name"].get<std::string>();
                if (n.empty() || n.find('/') != std::string::npos || n == "." || n == ".." || n == kManifest) continue;
                if (std::find(names_.begin(), names_.end(), n) != names_.end()) continue;
                const fs::path stale = fs::path(dir_) / n;
                if (fs::is_regular_file(fs::symlink_status(stale, ec)) && fs::remove(stale, ec)) removed_.push_back(n);
            }
    }
    nlohmann::json files = nlohmann::json::array();
    for (const std::string& n : names_) files.push_back({{"name", n}, {"bytes", fs::file_size(fs::path(dir_) / n, ec)}});
    nlohmann::json m = about.is_object() ? about : nlohmann::json::object();
    m["files"] = files;
    write_text_atomic(manifest.string(), m.dump(2) + "\n");
}

}  // namespace mind1024::host
