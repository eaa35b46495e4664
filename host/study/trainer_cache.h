// Trainings by mind1024-train (the one program with libtorch), kept in a
// ResultCache under a key of everything that decides the weights: the
// trainer's arguments, the SHA-256 of the data as decoded, and the SHA-256 of
// the trainer program itself (its code and every default it applies: a
// trainer rebuilt from changed code never gets an entry an older one made).
// The report and the design-space exploration share the entries.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/data/idx_reader.h"
#include "host/report/result_cache.h"

namespace mind1024::host {

// The SHA-256 of the splits as decoded (counts, geometry, images, labels): the
// raw and the gzip copy of a data set share entries.
std::string data_sha256(const MnistSet& train, const MnistSet& test);

// What identifies the trainer's code in a key: {"sha256": of the program file}.
// A ReportError when it cannot be read.
nlohmann::json trainer_identity(const std::string& trainer);

struct Training {
    std::string id;                 // a name for the entry's directory and the log
    std::string trainer;            // the program that trains it
    std::vector<std::string> args;  // of mind1024-train, without --data and --out
    nlohmann::json key;
    std::string dir;                // its cache entry
    bool cached = false;
};

// The training of `args` by the program `trainer` on the data of `data_sha`:
// its key (args, data, trainer_identity) and entry, looked up (a CacheError for
// a corrupt or stale entry). With `retrain`, not cached.
Training plan_training(const ResultCache& cache, const std::string& id, const std::string& trainer,
                       const std::vector<std::string>& args, const std::string& data_sha, bool retrain);
// The argv that trains `t` from `data_dir` into `staging`.
std::vector<std::string> training_argv(const Training& t, const std::string& data_dir, const std::string& staging);
// Trains `t` unless cached, its console in `log`: the entry's directory. A
// ReportError naming the training, its exit and its last lines if it fails.
std::string run_training(const ResultCache& cache, const Training& t, const std::string& data_dir, const std::string& log,
                         bool retrain);

}  // namespace mind1024::host
