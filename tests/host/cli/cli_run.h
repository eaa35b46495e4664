// Runs the mind1024 command as a user would, for the CLI tests: stdout and
// stderr together, the exit code, and a wall-clock limit so a hang fails.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "host/data/idx_reader.h"  // resolve_data_dir: the tests find MNIST by the CLI's own rule

struct Result {
    int code;
    std::string out;  // stdout and stderr
};

inline Result cli(const std::string& args) {
    const std::string cmd = "timeout -s KILL 600 " + std::string(MIND1024_CLI) + " " + args + " 2>&1";
    Result r{0, ""};
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return {-1, "popen failed"};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

// An empty directory of this test process: $TMPDIR/mind1024_cli_<name>_<pid>.
inline std::filesystem::path fresh_cli_dir(const std::string& name) {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("mind1024_cli_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// An output file's content for comparing runs: JSON without its provenance (the
// command line differs between the runs compared), other files as they are.
inline std::string comparable(const std::filesystem::path& p) {
    const std::string text = slurp(p);
    if (p.extension() != ".json") return text;
    nlohmann::json j = nlohmann::json::parse(text);
    j.erase("provenance");
    return j.dump();
}

// MNIST where the CLI finds it, by the CLI's own rule (--data, then MIND1024_DATA,
// then the set-up's data/mnist; raw or .gz): "" if it would find none.
inline std::string mnist_dir() {
    try {
        return mind1024::host::resolve_data_dir("");
    } catch (const std::exception&) {
        return {};
    }
}
inline std::string data_flag() {
    const std::string d = mnist_dir();
    return d.empty() ? std::string() : " --data " + d;
}
inline bool have_mnist() { return !mnist_dir().empty(); }

inline nlohmann::json read_json(const std::filesystem::path& p) {
    std::ifstream f(p);
    return nlohmann::json::parse(f);
}
