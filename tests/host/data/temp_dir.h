// Test helpers for the data readers: a fresh temporary directory for one
// test (removed at the end), and a check that an error names what it should.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "host/data/data_error.h"

namespace mind1024::test {

class TempDir {
public:
    TempDir() {
        std::string t = (std::filesystem::temp_directory_path() / "mind1024_test_XXXXXX").string();
        if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path_ = t;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }
    void write(const std::string& name, const std::string& bytes) const {
        std::ofstream out(file(name), std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    size_t entries() const {
        size_t n = 0;
        for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(path_)) ++n;
        return n;
    }

private:
    std::filesystem::path path_;
};

// Expects a DataError whose message contains every one of `parts`.
template <class F> void expect_data_error(F f, std::initializer_list<std::string> parts) {
    try {
        f();
        FAIL() << "no DataError";
    } catch (const mind1024::host::DataError& e) {
        const std::string msg = e.what();
        for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
}

}  // namespace mind1024::test
