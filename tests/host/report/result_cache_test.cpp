// The report's cache: SHA-256 against known digests, an entry found only when
// complete and unchanged, and each kind of damage named.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "host/report/content_hash.h"
#include "host/report/output_file.h"
#include "host/report/result_cache.h"

namespace fs = std::filesystem;
using namespace mind1024::host;

namespace {

TEST(ContentHash, KnownDigests) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc\n"), "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
    Sha256 h;  // in pieces, the same
    h.add("ab");
    h.add("c\n");
    EXPECT_EQ(h.hex(), sha256_hex("abc\n"));
    EXPECT_THROW(sha256_file("/nonexistent/file"), ReportError);
}

struct Cache : ::testing::Test {
    fs::path root = fs::temp_directory_path() / ("mind1024_cache_" + std::to_string(::getpid()));
    ResultCache cache{root.string()};
    nlohmann::json key = {{"args", {"--model", "mlp"}}, {"data_sha256", "00"}};
    void SetUp() override { fs::remove_all(root); }
    void TearDown() override { fs::remove_all(root); }
    std::string store() {
        const std::string dir = cache.dir_for("mlp", key);
        const std::string st = cache.stage(dir);
        std::ofstream(fs::path(st) / "w.npy") << "weights";
        cache.commit(st, dir, key);
        return dir;
    }
    std::string error(const std::string& dir) {
        try {
            cache.lookup(dir, key);
        } catch (const CacheError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(Cache, KeysNameEntries) {
    const std::string a = cache.dir_for("mlp", key);
    EXPECT_EQ(a, cache.dir_for("mlp", key));
    nlohmann::json other = key;
    other["args"][1] = "cnn";
    EXPECT_NE(a, cache.dir_for("mlp", other));
    EXPECT_EQ(fs::path(a).parent_path(), root);
}

TEST_F(Cache, StoredEntryIsFoundAndChecked) {
    EXPECT_FALSE(cache.lookup(cache.dir_for("mlp", key), key));
    const std::string dir = store();
    EXPECT_TRUE(cache.lookup(dir, key));
    EXPECT_FALSE(fs::exists(dir + ".partial"));

    { std::ofstream(fs::path(dir) / "w.npy") << "changed"; }
    EXPECT_NE(error(dir).find("w.npy: corrupt"), std::string::npos) << error(dir);
    fs::remove(fs::path(dir) / "w.npy");
    EXPECT_NE(error(dir).find("w.npy: missing"), std::string::npos) << error(dir);
    cache.remove(dir);
    EXPECT_FALSE(fs::exists(dir));
}

TEST_F(Cache, StaleIncompleteAndUnreadableEntriesAreNamed) {
    const std::string dir = store();
    nlohmann::json asked = key;
    asked["data_sha256"] = "11";
    try {
        cache.lookup(dir, asked);
        ADD_FAILURE() << "a stale entry was taken";
    } catch (const CacheError& e) {
        EXPECT_NE(std::string(e.what()).find("entry.json: stale"), std::string::npos) << e.what();
    }
    { std::ofstream(fs::path(dir) / "entry.json") << "{not json"; }
    EXPECT_NE(error(dir).find("entry.json: not a cache entry"), std::string::npos) << error(dir);
    fs::remove(fs::path(dir) / "entry.json");
    EXPECT_NE(error(dir).find("entry.json: missing"), std::string::npos) << error(dir);
    cache.remove(dir);
    { std::ofstream(dir) << "a file"; }
    EXPECT_NE(error(dir).find("must be a directory"), std::string::npos) << error(dir);
}

}  // namespace
